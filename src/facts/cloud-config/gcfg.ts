// A writer for the gcfg INI dialect (gopkg.in/gcfg.v1), the format the vSphere cloud provider and CSI
// driver read their cloud-config in. Pure: no cdktf, so it can be tested and reused without a stack.

/**
 * Turns one string value into its quoted gcfg form, surrounding quotes included.
 *
 * `field` names the value for error messages, e.g. `[Global] password`. The default,
 * {@link gcfgQuote}, quotes literals; a caller whose values are only known later (Terraform
 * tokens) passes a quote that emits an expression producing the same text at apply time.
 */
export type GcfgQuote = (value: string, field: string) => string;

/** A value gcfg cannot carry, or an INI structure it cannot read. */
export class GcfgValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GcfgValueError';
  }
}

/** One `key = value` line: a string value is quoted, a boolean is written bare (`true`/`false`). */
export type GcfgEntry = { readonly key: string; readonly value: string } | { readonly key: string; readonly bool: boolean };

/** One section: `[name]`, or `[name "subsection"]` when a subsection is given. */
export interface GcfgSection {
  /** Section name, e.g. `Global`. */
  readonly name: string;
  /**
   * Subsection name, quoted like a value: `[VirtualCenter "vc.example.com"]`.
   * @default - no subsection
   */
  readonly subsection?: string;
  /** The section's keys, written in this order. */
  readonly entries: readonly GcfgEntry[];
}

// Letters, digits and hyphens, starting with a letter: what gcfg accepts as section and variable names.
const NAME = /^\p{L}[\p{L}\p{Nd}-]*$/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Says why gcfg cannot carry `value`, or returns undefined when it can.
 *
 * Measured with gcfg.v1 1.2.3: a newline ends the quoted string ("string not terminated"), a NUL is an
 * "illegal character", and a carriage return inside a quoted value is silently dropped. A lone UTF-16
 * surrogate has no UTF-8 encoding, and gcfg rejects invalid UTF-8.
 */
export function gcfgUnsupportedCharacter(value: string): string | undefined {
  if (value.includes('\n')) return 'a newline (U+000A)';
  if (value.includes('\r')) return 'a carriage return (U+000D)';
  if (value.includes('\0')) return 'a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** Escapes a value for a gcfg quoted string: `\` becomes `\\`, then `"` becomes `\"`, as KKP does. */
export function gcfgEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The default {@link GcfgQuote}: rejects what gcfg cannot carry, then escapes and double-quotes. */
export const gcfgQuote: GcfgQuote = (value, field) => {
  const bad = gcfgUnsupportedCharacter(value);
  if (bad !== undefined) {
    throw new GcfgValueError(
      `${field} contains ${bad}, which a gcfg INI file cannot carry; remove it from the value.`,
    );
  }
  return `"${gcfgEscape(value)}"`;
};

/**
 * Renders sections the way KKP's INI writer does: `[section]` headers, `key = value` lines, string
 * values through `quote`, booleans bare, one blank line between sections, a newline after the last key.
 */
export function renderGcfg(sections: readonly GcfgSection[], quote: GcfgQuote = gcfgQuote): string {
  return sections.map((section) => renderSection(section, quote)).join('\n');
}

function renderSection(section: GcfgSection, quote: GcfgQuote): string {
  checkName(section.name, `section name "${section.name}"`);
  if (section.subsection === '') {
    // gcfg reads `[name ""]` as an error, not as `[name]`.
    throw new GcfgValueError(`[${section.name}] has an empty subsection name; gcfg rejects [${section.name} ""].`);
  }
  const header = section.subsection === undefined
    ? `[${section.name}]`
    : `[${section.name} ${quote(section.subsection, `[${section.name}] subsection name`)}]`;
  const lines = [header];
  const label = section.subsection === undefined ? `[${section.name}]` : `[${section.name} "…"]`;
  for (const entry of section.entries) {
    checkName(entry.key, `key "${entry.key}" in ${label}`);
    lines.push('bool' in entry
      ? `${entry.key} = ${entry.bool ? 'true' : 'false'}`
      : `${entry.key} = ${quote(entry.value, `${label} ${entry.key}`)}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new GcfgValueError(`${what} is not a gcfg name: use letters, digits and hyphens, starting with a letter.`);
  }
}
