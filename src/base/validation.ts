// Input rules shared by every construct and tool: vSphere inventory names and paths, Terraform template syntax in
// user text, and URLs with credentials in messages. Pure: no cdktf, so the fact layers and the CLI can use it too.
import { InputRef, continuingError, inputError } from './errors';

/** vSphere limits inventory object names (folders, VMs, datastores, networks, clusters, datacenters) to 80 characters. */
export const VSPHERE_NAME_MAX_LENGTH = 80;

/**
 * Characters that vSphere escapes inside names (`%` → `%25`, `/` → `%2f`, `\` → `%5c`): the API lists such an object
 * under the escaped name, so a look-up or a `templateVMName` with the plain character does not find it.
 */
const ESCAPED_BY_VSPHERE: Readonly<Record<string, string>> = { '%': '%25', '/': '%2f', '\\': '%5c' };

// C0 and C1 control characters, DEL, line and paragraph separators, and the bidirectional controls that make text
// read differently from what it holds ("trojan source").
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string for an error message: quoted, with invisible and control characters written as `\uXXXX`. */
export function quoteForMessage(value: string, max = 60): string {
  const chars = Array.from(value);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
  return `"${cut.replace(/[\\"]/g, (c) => `\\${c}`).replace(new RegExp(INVISIBLE.source, 'gu'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** A value for a message about a wrong kind of input: its class or type, never its content (it could be a credential). */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'plain object'}`;
  return `a ${typeof value}`;
}

/** The name of the first character of `value` that no vSphere name, path or Terraform string should hold. */
function invisibleCharacter(value: string): string | undefined {
  const m = INVISIBLE.exec(value);
  if (!m) return LONE_SURROGATE.test(value) ? 'an unpaired UTF-16 surrogate (not valid Unicode)' : undefined;
  const code = m[0].charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x7f) return `DEL (${hex})`;
  if (code === 0x2028) return `a line separator (${hex})`;
  if (code === 0x2029) return `a paragraph separator (${hex})`;
  if (code <= 0x9f) return `a control character (${hex})`;
  return `an invisible formatting character (${hex})`;
}

/**
 * Says why Terraform would not take `text` literally, or returns undefined. In a Terraform JSON string `${` starts an
 * interpolation and `%{` a template directive: `kkp-${var.vsphere_password}` would put the password into the name.
 */
export function templateSyntax(text: string): string | undefined {
  if (text.includes('${')) return '"${", which Terraform evaluates as an interpolation';
  if (text.includes('%{')) return '"%{", which Terraform evaluates as a template directive';
  return undefined;
}

/** Free text for a Terraform string, taken literally: `${` → `$${`, `%{` → `%%{` (Terraform's own escapes). */
export function escapeTemplateSyntax(text: string): string {
  // Replacer functions, because '$$' in a replacement string means one '$'.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Why `name` is not a usable vSphere inventory name, or undefined when it is. */
export function inventoryNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') {
    return `must be a non-empty name, got ${typeof name === 'string' ? quoteForMessage(name) : String(name)}; give the object's name as the vSphere client shows it`;
  }
  if (name !== name.trim()) {
    return `${quoteForMessage(name)} has leading or trailing white space; vSphere matches names exactly, remove it`;
  }
  const invisible = invisibleCharacter(name);
  if (invisible !== undefined) return `${quoteForMessage(name)} contains ${invisible}; remove it from the name`;
  if (name === '.' || name === '..') {
    return `${quoteForMessage(name)} is not a name: govmomi and vCenter read "." and ".." in a path as the folder itself and its parent; give the folder's own name`;
  }
  if (name.includes('/')) {
    return `${quoteForMessage(name)} contains "/"; give the object's own name, not a path`;
  }
  const syntax = templateSyntax(name);
  if (syntax !== undefined) {
    return `${quoteForMessage(name)} contains ${syntax}; a vSphere name cannot hold it. Pass a Terraform value as a token (e.g. a TerraformVariable's stringValue), not as "\${...}" text`;
  }
  for (const [char, escaped] of Object.entries(ESCAPED_BY_VSPHERE)) {
    if (name.includes(char)) {
      return `${quoteForMessage(name)} contains "${char}", which vSphere stores escaped as "${escaped}", so the object would not be found by this name; rename it without "${char}"`;
    }
  }
  const length = Array.from(name).length;
  if (length > VSPHERE_NAME_MAX_LENGTH) {
    return `${quoteForMessage(name, 20)} has ${length} characters; vSphere names have at most ${VSPHERE_NAME_MAX_LENGTH}, use a shorter name`;
  }
  return undefined;
}

/** Throws unless `name` is a usable vSphere inventory name; `input` names the input (construct path and prop). */
export function checkInventoryName(name: string, input: string | InputRef): string {
  const problem = inventoryNameProblem(name);
  if (problem !== undefined) throw inputError(input, `${problem}.`);
  return name;
}

/**
 * Checks a path relative to a folder (`kkp/templates`): every segment is an inventory name, no `.` or `..`, no empty
 * segment. Returns it without a trailing slash.
 */
export function checkRelativeInventoryPath(path: string, input: string | InputRef): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw inputError(input, `must be a non-empty path, got ${typeof path === 'string' ? quoteForMessage(path) : String(path)}; give folder names separated by "/", e.g. "kkp/templates".`);
  }
  if (path.startsWith('/')) {
    throw inputError(input,
      `${quoteForMessage(path)} is absolute; give the path relative to the datacenter's folder (e.g. "kkp/templates").`,
    );
  }
  const trimmed = path.replace(/\/+$/, '');
  checkSegments(trimmed.split('/'), path, input);
  return trimmed;
}

/**
 * Checks an absolute inventory path (`/dc-1/vm/kkp`): every segment an inventory name, no `.`, `..` or empty segment.
 * Returns it without a trailing slash.
 */
export function checkAbsoluteInventoryPath(path: string, input: string | InputRef): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.trim() !== path) {
    throw inputError(input, `${typeof path === 'string' ? quoteForMessage(path) : String(path)} is not an absolute inventory path; give one such as "/dc-1/vm/kkp".`);
  }
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  checkSegments(trimmed.slice(1).split('/'), path, input);
  return trimmed;
}

function checkSegments(segments: string[], path: string, input: string | InputRef): void {
  segments.forEach((segment, i) => {
    if (segment === '') {
      throw inputError(input, `${quoteForMessage(path)} has an empty path segment ("//"); give folder names separated by one "/".`);
    }
    if (segment === '.' || segment === '..') {
      throw inputError(input,
        `${quoteForMessage(path)} has a "${segment}" segment; govmomi cleans such paths, so the folder would not be ` +
          'the one written. Give the folder names, without "." or "..".',
      );
    }
    const problem = inventoryNameProblem(segment);
    if (problem !== undefined) throw continuingError(input, `(segment ${i + 1}): ${problem}.`);
  });
}

// A URL with a scheme inside free text: up to white space, quotes or angle brackets.
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]*/g;

/**
 * A URL (or `user:password@host` without a scheme) fit for a message: the user info becomes `REDACTED@`, a query
 * `?…`, and the fragment is dropped. Anything else is kept, so the reader still sees which input it was.
 */
export function redactUrl(value: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(value);
  if (!m) return value;
  // The fragment (m[5]) is dropped: it can hold a token too.
  const [, scheme = '', authority, path, query] = m;
  const at = authority.lastIndexOf('@');
  const host = at >= 0 ? `REDACTED@${authority.slice(at + 1)}` : authority;
  return `${scheme}${host}${path}${query !== undefined ? '?…' : ''}`;
}

/** Every URL in `text` with its user info and query redacted (see {@link redactUrl}). */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
