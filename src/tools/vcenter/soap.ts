// The vSphere SOAP wire: request envelopes, XML escaping, one POST to <server>/sdk, and faults as errors.
// Plain node:http/https rather than global fetch: fetch cannot skip certificate checks for one connection
// (`insecure`, KKP's allowInsecure) without a new dependency or the process-wide NODE_TLS_REJECT_UNAUTHORIZED.
import * as http from 'node:http';
import * as https from 'node:https';
import { XMLParser } from 'fast-xml-parser';

/** A reference to a vSphere managed object, e.g. `{ type: 'Datacenter', value: 'datacenter-2' }`. */
export interface ManagedObjectReference {
  /** The managed object type, e.g. `Folder`, `Datacenter`, `AuthorizationManager`. */
  readonly type: string;
  /** The managed object id, e.g. `group-d1`. */
  readonly value: string;
}

/** A SOAP fault that vCenter answered to one operation. */
export class VcenterFaultError extends Error {
  /** The SOAP operation that failed, e.g. `AddAuthorizationRole`. */
  public readonly operation: string;
  /** The vSphere fault type, e.g. `InvalidArgument`, `InvalidLogin`, `NotFound`. */
  public readonly fault: string;
  /** The fault's simple properties, e.g. `{ invalidProperty: 'privIds' }`. */
  public readonly details: Readonly<Record<string, string>>;

  constructor(operation: string, fault: string, faultString: string, details: Record<string, string>, extra?: string) {
    const detailText = Object.entries(details)
      .map(([key, value]) => `${key}: ${value}`)
      .concat(extra ? [extra] : [])
      .join('; ');
    super(
      `vCenter ${operation} failed: ${fault}` +
        (faultString ? `: ${faultString}` : '') +
        (detailText ? ` (${detailText})` : ''),
    );
    this.name = 'VcenterFaultError';
    this.operation = operation;
    this.fault = fault;
    this.details = details;
  }
}

// XML 1.0 cannot carry these code points at all, escaped or not.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Escapes text for an XML element or attribute value; the field name goes into the error, never the value. */
export function escapeXml(value: string, field: string): string {
  const bad = XML_INVALID.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new Error(`${field} contains the character U+${code}, which XML cannot carry: remove it.`);
  }
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `<tag>value</tag>` with the value escaped. */
export function xmlElement(tag: string, value: string | number | boolean): string {
  const text = typeof value === 'string' ? escapeXml(value, tag) : String(value);
  return `<${tag}>${text}</${tag}>`;
}

/** `<tag type="Type">value</tag>`: how vim25 spells a managed object reference. */
export function xmlMoRef(tag: string, ref: ManagedObjectReference): string {
  return `<${tag} type="${escapeXml(ref.type, `${tag} type`)}">${escapeXml(ref.value, tag)}</${tag}>`;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Keep every value a string: ids such as "0012" or principals such as "true" must not turn into numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  // Numeric character references (&#233;) in names and labels.
  htmlEntities: true,
});

// The same, but an xsi:type attribute is kept apart (`@_xsiType`) instead of overwriting a managed object
// reference's own `type` attribute: property values such as `<val type="Folder" xsi:type="ManagedObjectReference">`
// need both.
const typedParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  transformTagName: (name) => name.replace(/^[^:]+:/, ''),
  // The name arrives with the prefix above (`@__XMLSchema-instance:type`); the result is used as is.
  transformAttributeName: (name) => (/^@_[^:]+:type$/.test(name) ? '@_xsiType' : name),
});

/** The `returnval` of a raw SOAP answer, parsed with xsi:type kept as `@_xsiType` (see {@link SoapTransport.callRaw}). */
export function typedReturnval(raw: string, operation: string): XmlNode | XmlNode[] | undefined {
  const parsed = typedParser.parse(raw) as XmlNode;
  const body = asObject(asObject(asObject(parsed)?.Envelope)?.Body);
  return asObject(body?.[`${operation}Response`])?.returnval;
}

/** A parsed XML element: text, or an object of children (`@_` attributes, `#text` content). */
export type XmlNode = string | { readonly [key: string]: XmlNode | XmlNode[] | undefined };

/** Options of one SOAP connection. */
export interface SoapTransportOptions {
  /** `https://vcenter.example.com` (or with `/sdk`). */
  readonly url: string;
  /** Skip TLS certificate verification. */
  readonly insecure: boolean;
  /** Milliseconds one request may take. */
  readonly timeoutMs: number;
}

/** One vCenter SOAP endpoint with its session cookie. */
export class SoapTransport {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private cookie: string | undefined;

  constructor(options: SoapTransportOptions) {
    this.endpoint = sdkEndpoint(options.url);
    this.timeoutMs = options.timeoutMs;
    this.agent =
      this.endpoint.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true });
  }

  /** The endpoint without path, for messages. */
  public get server(): string {
    return this.endpoint.origin;
  }

  /**
   * Calls `operation` on `self` with the already-escaped XML `params`; returns the response element's
   * `returnval` (undefined when the operation returns nothing). A SOAP fault becomes a VcenterFaultError.
   */
  public async call(operation: string, self: ManagedObjectReference, params = ''): Promise<XmlNode | XmlNode[] | undefined> {
    return (await this.callRaw(operation, self, params)).result;
  }

  /**
   * Like {@link call}, and also returns the response body as received: a caller that must hand a complex
   * vCenter object back unchanged (an OVF import spec with its xsi:types) copies it from there.
   */
  public async callRaw(
    operation: string,
    self: ManagedObjectReference,
    params = '',
  ): Promise<{ result: XmlNode | XmlNode[] | undefined; raw: string }> {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
      `<${operation} xmlns="urn:vim25">${xmlMoRef('_this', self)}${params}</${operation}>` +
      '</soapenv:Body></soapenv:Envelope>';
    const response = await this.post(operation, body);
    let parsed: XmlNode | undefined;
    try {
      parsed = parser.parse(response.body) as XmlNode;
    } catch {
      parsed = undefined;
    }
    const soapBody = asObject(asObject(asObject(parsed)?.Envelope)?.Body);
    if (!soapBody) {
      throw new Error(`vCenter ${operation} failed: ${this.endpoint.href} answered HTTP ${response.status} without a SOAP body.`);
    }
    const fault = asObject(soapBody.Fault);
    if (fault) {
      throw faultError(operation, fault);
    }
    if (response.status !== 200) {
      throw new Error(`vCenter ${operation} failed: ${this.endpoint.href} answered HTTP ${response.status}.`);
    }
    const result = soapBody[`${operation}Response`];
    if (result === undefined) {
      throw new Error(`vCenter ${operation} failed: the answer has no ${operation}Response element.`);
    }
    return { result: asObject(result)?.returnval, raw: response.body };
  }

  /** Forgets the session and closes idle connections. */
  public close(): void {
    this.cookie = undefined;
    this.agent.destroy();
  }

  /**
   * One POST. A kept-alive connection vCenter closed while this process was busy fails with ECONNRESET before any
   * answer when the next request takes it: that request is sent once more on a new connection (node's advice for
   * `request.reusedSocket`; vCenter never saw it).
   */
  private async post(operation: string, body: string): Promise<{ status: number; body: string }> {
    try {
      return await this.postOnce(operation, body);
    } catch (err) {
      if ((err as { staleSocket?: boolean }).staleSocket) return this.postOnce(operation, body);
      throw err;
    }
  }

  private postOnce(operation: string, body: string): Promise<{ status: number; body: string }> {
    const payload = Buffer.from(body, 'utf8');
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'text/xml; charset=utf-8',
      'Content-Length': payload.length,
      SOAPAction: 'urn:vim25/6.5',
    };
    if (this.cookie) {
      headers.Cookie = this.cookie;
    }
    const request = this.endpoint.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(this.endpoint, { method: 'POST', headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const session = sessionCookie(res.headers['set-cookie']);
          if (session) {
            this.cookie = session;
          }
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err: Error & { code?: string }) => {
        // The node error names host and cause only; the request body (with a password, for Login) is never in it.
        const cause = err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
        const failure = new Error(`vCenter ${operation} failed: cannot reach ${this.endpoint.href} (${cause}).`) as Error & { code?: string };
        // The node error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...) lets callers explain the cause.
        if (err.code) failure.code = err.code;
        if (req.reusedSocket && err.code === 'ECONNRESET') (failure as { staleSocket?: boolean }).staleSocket = true;
        reject(failure);
      });
      req.end(payload);
    });
  }
}

function sdkEndpoint(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`vCenter url "${url}" is not a URL: give it as https://vcenter.example.com.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`vCenter url must start with https:// (or http:// for a simulator), got ${parsed.protocol}.`);
  }
  if (parsed.username || parsed.password) {
    // Never echo the URL here: it holds the credentials.
    throw new Error('vCenter url must not contain credentials: pass user and password as their own options.');
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/sdk') ? path : `${path}/sdk`;
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}

function sessionCookie(setCookie: string[] | undefined): string | undefined {
  for (const header of setCookie ?? []) {
    const pair = header.split(';', 1)[0]!.trim();
    if (pair.startsWith('vmware_soap_session=')) {
      return pair;
    }
  }
  return undefined;
}

function faultError(operation: string, fault: { readonly [key: string]: XmlNode | XmlNode[] | undefined }): VcenterFaultError {
  const faultString = text(fault.faultstring) ?? '';
  const detail = asObject(fault.detail);
  const [element, content] = Object.entries(detail ?? {}).find(([key]) => !key.startsWith('@_')) ?? [];
  const body = asObject(content as XmlNode | undefined);
  // The xsi:type names the fault; the element name (InvalidArgumentFault) is the fallback.
  const name = text(body?.['@_type']) ?? element?.replace(/Fault$/, '') ?? 'UnknownFault';
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(body ?? {})) {
    if (key.startsWith('@_')) {
      continue;
    }
    const simple = text(value as XmlNode) ?? moRefText(value as XmlNode);
    if (simple !== undefined && simple !== '') {
      details[key] = simple;
    }
  }
  return new VcenterFaultError(operation, name, faultString, details);
}

function moRefText(node: XmlNode | undefined): string | undefined {
  const ref = asMoRef(node);
  return ref ? `${ref.type}:${ref.value}` : undefined;
}

/** The node's children, or undefined when it is text or missing. */
export function asObject(node: XmlNode | XmlNode[] | undefined): { readonly [key: string]: XmlNode | XmlNode[] | undefined } | undefined {
  return node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node : undefined;
}

/** A repeated element as an array, whether it occurred zero, one or many times. */
export function asArray(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  return node === undefined ? [] : Array.isArray(node) ? node : [node];
}

/** The node's text, or undefined when it has element children or is missing. */
export function text(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (typeof node === 'string') {
    return node;
  }
  const obj = asObject(node);
  if (obj && typeof obj['#text'] === 'string' && Object.keys(obj).every((k) => k === '#text' || k.startsWith('@_'))) {
    return obj['#text'];
  }
  return obj && Object.keys(obj).every((k) => k.startsWith('@_')) ? '' : undefined;
}

/** `<x type="T">v</x>` as a reference, or undefined. */
export function asMoRef(node: XmlNode | XmlNode[] | undefined): ManagedObjectReference | undefined {
  const obj = asObject(node);
  const type = text(obj?.['@_type']);
  const value = text(obj?.['#text']);
  return type !== undefined && value !== undefined ? { type, value } : undefined;
}
