// Where a template import reads its OVF package from: a local .ovf (files beside it), a local .ova (a tar), or the
// same over http(s). Files are streamed (a multi-GB disk never sits in memory), and every message shows the URL
// redacted: user-info and query (a signed URL's token) never reach a log.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { redactUrl } from '../../base/validation';
import { UrlSecretPart } from '../../contracts/template-import';

/** One file of the package, as a stream of chunks with its size. */
export interface SourceFile {
  readonly size: number;
  readonly body: AsyncIterable<Buffer>;
  /** Stops reading (closes the file or connection) when the consumer gives up early. */
  close(): void;
}

/** An OVF package to import. */
export interface ImageSource {
  /** What to show in messages (a redacted URL or a path). */
  readonly shown: string;
  /** The OVF descriptor's text. */
  descriptor(): Promise<string>;
  /** The file the descriptor references as `href` (a plain file name). */
  open(href: string): Promise<SourceFile>;
}

/** How to reach a remote package. */
export interface RemoteOptions {
  /** Accept any TLS certificate of the image server. */
  readonly insecure: boolean;
  /** The secret part of the URL, supplied at apply time (never part of the configuration). */
  readonly secret?: { readonly part: UrlSecretPart; readonly value: string };
}

/** Opens the package at a local path or an http(s) URL. */
export function imageSource(kind: 'url' | 'file', location: string, remote: RemoteOptions): ImageSource {
  const ova = /\.ova$/i.test(kind === 'url' ? new URL(location).pathname : location);
  if (kind === 'file') {
    // VmTemplate writes a local path relative to terraform's working directory, which is this process's: local-exec
    // runs where terraform runs (cdktf.out/stacks/<stack>).
    const file = path.resolve(location);
    const shown = file === location ? file : `${location} (${file})`;
    return ova ? new OvaSource(shown, () => fileChunks(file)) : new LocalOvfSource(file, shown);
  }
  const url = withSecret(location, remote.secret);
  const shown = redactUrl(location);
  if (ova) return new OvaSource(shown, async () => (await httpGet(url, remote.insecure, shown)).body);
  return new RemoteOvfSource(url, shown, remote.insecure);
}

/** The URL with its secret part added (user-info as basic auth, or the query string). */
function withSecret(location: string, secret: RemoteOptions['secret']): URL {
  const url = new URL(location);
  if (!secret) return url;
  if (secret.part === 'query') {
    url.search = secret.value.replace(/^\?/, '');
  } else {
    const colon = secret.value.indexOf(':');
    url.username = encodeURIComponent(colon < 0 ? secret.value : secret.value.slice(0, colon));
    if (colon >= 0) url.password = encodeURIComponent(secret.value.slice(colon + 1));
  }
  return url;
}

/** A file reference must be a plain name in the package: nothing outside the package's folder is ever read. */
function plainName(href: string, where: string): string {
  if (href === '' || href !== path.posix.basename(href) || href === '.' || href === '..' || href.includes('\\') || /^[a-z][a-z0-9+.-]*:/i.test(href)) {
    throw new Error(`${where}: the descriptor references "${href}", which is not a plain file name beside it; refusing to read it.`);
  }
  return href;
}

class LocalOvfSource implements ImageSource {
  constructor(private readonly file: string, public readonly shown: string) {}
  public async descriptor(): Promise<string> {
    return readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${this.shown}: ${err.code === 'ENOENT' ? 'it does not exist (run convert-image on this machine first)' : err.message}`);
    });
  }
  public async open(href: string): Promise<SourceFile> {
    const file = path.join(path.dirname(this.file), plainName(href, this.shown));
    const size = (await stat(file).catch(() => {
      throw new Error(`${this.shown} references ${href}, which is missing beside it.`);
    })).size;
    const stream = createReadStream(file);
    return { size, body: stream, close: () => stream.destroy() };
  }
}

class RemoteOvfSource implements ImageSource {
  constructor(private readonly url: URL, public readonly shown: string, private readonly insecure: boolean) {}
  public async descriptor(): Promise<string> {
    const res = await httpGet(this.url, this.insecure, this.shown);
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  }
  public async open(href: string): Promise<SourceFile> {
    const url = new URL(plainName(href, this.shown), this.url);
    url.search = this.url.search;
    const res = await httpGet(url, this.insecure, `${this.shown.replace(/[^/]*$/, '')}${href}`);
    if (res.size === undefined) throw new Error(`${this.shown}: the server sent ${href} without a Content-Length.`);
    return { size: res.size, body: res.body, close: res.close };
  }
}

class OvaSource implements ImageSource {
  constructor(public readonly shown: string, private readonly read: () => Promise<AsyncIterable<Buffer>>) {}
  public async descriptor(): Promise<string> {
    // OVF 1.0: the descriptor is the first entry; take the first *.ovf to be lenient about leading directories.
    const found = await this.find((name) => /\.ovf$/i.test(name));
    if (!found) throw new Error(`${this.shown} holds no .ovf descriptor: is it an OVA?`);
    const chunks: Buffer[] = [];
    for await (const c of found.body) chunks.push(c);
    found.close();
    return Buffer.concat(chunks).toString('utf8');
  }
  public async open(href: string): Promise<SourceFile> {
    const name = plainName(href, this.shown);
    const found = await this.find((entry) => entry === name);
    if (!found) throw new Error(`${this.shown} has no entry ${href}, which its descriptor references.`);
    return found;
  }
  private async find(match: (name: string) => boolean): Promise<SourceFile | undefined> {
    const source = await this.read();
    const reader = new TarReader(source);
    for (;;) {
      const entry = await reader.next();
      if (!entry) {
        reader.close();
        return undefined;
      }
      if (entry.type === 'file' && match(entry.name)) {
        return { size: entry.size, body: reader.body(entry.size), close: () => reader.close() };
      }
      await reader.skip(entry.size);
    }
  }
}

/** A local file as chunks. */
async function fileChunks(file: string): Promise<AsyncIterable<Buffer>> {
  await stat(file).catch(() => {
    throw new Error(`${file} does not exist on this machine (terraform apply reads it where it runs).`);
  });
  return createReadStream(file);
}

// ---- a sequential tar reader: enough of ustar, pax and GNU long names for OVAs, over any chunk stream -------------

interface TarEntry {
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'other';
}

class TarReader {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  public async next(): Promise<TarEntry | undefined> {
    let longName: string | undefined;
    for (;;) {
      const header = await this.read(512);
      if (!header || header.every((b) => b === 0)) return undefined;
      const field = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
      const size = parseSize(header.subarray(124, 136));
      const flag = String.fromCharCode(header[156] || 0x30);
      const prefix = field(345, 155);
      const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      if (flag === 'x' || flag === 'L') {
        const data = (await this.read(size)) ?? Buffer.alloc(0);
        await this.read(pad(size));
        const text = data.toString('utf8');
        longName = flag === 'L' ? text.replace(/\0.*$/s, '') : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text)?.[1] ?? longName;
        continue;
      }
      if (flag === 'g') {
        await this.skip(size);
        continue;
      }
      return { name: name.replace(/^\.\//, ''), size, type: flag === '0' || flag === '\0' || flag === '7' ? 'file' : 'other' };
    }
  }

  /** The entry's data as chunks; the reader is positioned after it (and its padding) once consumed. */
  public async *body(size: number): AsyncIterable<Buffer> {
    let left = size;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw new Error('the OVA ends inside an entry: it is truncated.');
      const take = Math.min(left, this.buf.length);
      const chunk = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
      yield chunk;
    }
    await this.read(pad(size));
  }

  public async skip(size: number): Promise<void> {
    for await (const _ of this.body(size)) {
      // discard
    }
  }

  public close(): void {
    const s = this.source as { destroy?: () => void };
    s.destroy?.();
    void this.it.return?.();
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  private async read(n: number): Promise<Buffer | undefined> {
    while (this.buf.length < n) if (!(await this.fill())) return n === 0 ? Buffer.alloc(0) : undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

const pad = (size: number) => (512 - (size % 512)) % 512;

function parseSize(field: Buffer): number {
  // GNU base-256 for entries of 8 GiB and more.
  if (field[0] & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  return parseInt(field.toString('ascii').replace(/[\0 ]+$/, '').trim() || '0', 8);
}

// ---- http(s) GET with redirects --------------------------------------------------------------------------------

interface HttpBody {
  readonly size?: number;
  readonly body: AsyncIterable<Buffer>;
  close(): void;
}

async function httpGet(url: URL, insecure: boolean, shown: string, redirects = 5): Promise<HttpBody> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const headers: http.OutgoingHttpHeaders = {};
    if (url.username || url.password) {
      headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    const target = new URL(url.href);
    target.username = '';
    target.password = '';
    const req = get(target, { headers, rejectUnauthorized: !insecure, timeout: 60_000 }, resolve);
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    // The node error names host and cause only; it never holds the URL's user-info or query.
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`downloading ${shown} failed: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '))));
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
    res.resume();
    const next = new URL(res.headers.location, url);
    // Credentials go to the origin they were meant for only.
    if (next.origin !== url.origin) {
      next.username = '';
      next.password = '';
    } else if (!next.username && url.username) {
      next.username = url.username;
      next.password = url.password;
    }
    return httpGet(next, insecure, shown, redirects - 1);
  }
  if (status !== 200) {
    res.resume();
    const hint = status === 401 || status === 403 ? ' (the server wants credentials: give them as VmTemplateSource.ovaUrl urlSecret)' : '';
    throw new Error(`downloading ${shown} failed: HTTP ${status}${hint}.`);
  }
  const length = res.headers['content-length'];
  return { size: length === undefined ? undefined : Number(length), body: res, close: () => res.destroy() };
}
