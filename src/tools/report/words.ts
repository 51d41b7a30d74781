// Terraform expressions in words for a reviewer: `${element(sort(tolist(data.vsphere_datastore_cluster.X.datastore_ids)), 0)}`
// becomes "computed by Terraform (element, sort, tolist) from the datastore ids of datastore cluster /dc-1/datastore/pod-1".
// Pure. A value is never read or printed: variables are named, not resolved.

/** A reference `data.TYPE.NAME[.ATTR]`, `TYPE.NAME[.ATTR]`, `var.NAME` or `local.NAME` found in an expression. */
export interface ExpressionRef {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly attr?: string;
}

/** Describes the object a reference points to (`datastore cluster /dc-1/datastore/pod-1`), or `undefined`. */
export type RefDescriber = (ref: ExpressionRef) => string | undefined;

const REF = /\b(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([a-z_][a-z0-9_]*))?/g;
const KEYWORDS = new Set(['var', 'local', 'each', 'count', 'path', 'terraform', 'self', 'module']);

/** Attribute names in words. */
function attrWords(attr: string | undefined): string {
  if (attr === undefined || attr === 'id') return '';
  return attr.replace(/_/g, ' ');
}

/** One reference in words. */
export function refInWords(ref: ExpressionRef, describe: RefDescriber): string {
  if (!ref.data && ref.type === 'var') return `the value of Terraform variable ${ref.name} (TF_VAR_${ref.name})`;
  if (!ref.data && ref.type === 'local') return `local value ${ref.name}`;
  const what = describe(ref) ?? `${ref.data ? 'data source' : 'resource'} ${ref.data ? 'data.' : ''}${ref.type}.${ref.name}`;
  const attr = attrWords(ref.attr);
  return attr ? `the ${attr} of ${what}` : what;
}

/** Every reference in an expression, in order, without repeats. */
export function referencesIn(expr: string): ExpressionRef[] {
  const out: ExpressionRef[] = [];
  const seen = new Set<string>();
  // Only inside ${...}: the literal text around an interpolation is not code.
  for (const part of interpolations(expr)) {
    if (part.kind !== 'code') continue;
    const code = part.text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const m of code.matchAll(REF)) {
      const data = m[1] !== undefined;
      const type = m[2];
      if (!data && !KEYWORDS.has(type) && !type.includes('_')) continue; // function names and the like, not resources
      if (!data && (type === 'each' || type === 'count' || type === 'path' || type === 'terraform' || type === 'self' || type === 'module')) continue;
      const ref: ExpressionRef = { data, type, name: m[3], ...(m[4] !== undefined && !(type === 'var' || type === 'local') ? { attr: m[4] } : {}) };
      const key = `${data}.${type}.${ref.name}.${ref.attr ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(ref);
      }
    }
  }
  return out;
}

/** Splits a Terraform template string into literal text and `${...}` code (braces balanced, quoted strings skipped). */
export function interpolations(expr: string): { kind: 'text' | 'code'; text: string }[] {
  const parts: { kind: 'text' | 'code'; text: string }[] = [];
  let i = 0;
  let literal = '';
  while (i < expr.length) {
    if (expr.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (expr.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      let quoted = false;
      for (; j < expr.length && depth > 0; j++) {
        const c = expr[j];
        if (quoted) {
          if (c === '\\') j++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === '{') depth++;
        else if (c === '}') depth--;
      }
      if (depth !== 0) break; // unbalanced: the rest is literal
      if (literal) parts.push({ kind: 'text', text: literal });
      literal = '';
      parts.push({ kind: 'code', text: expr.slice(i + 2, j - 1).trim() });
      i = j;
      continue;
    }
    literal += expr[i++];
  }
  literal += expr.slice(i);
  if (literal) parts.push({ kind: 'text', text: literal });
  return parts;
}

/** Whether a string holds Terraform code (an interpolation). */
export function isExpression(value: string): boolean {
  return interpolations(value).some((p) => p.kind === 'code');
}

/** One `${...}` in words. */
function codeInWords(code: string, describe: RefDescriber): string {
  const single = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([a-z_][a-z0-9_]*))?$/.exec(code);
  if (single) {
    return refInWords({ data: single[1] !== undefined, type: single[2], name: single[3], ...(single[4] ? { attr: single[4] } : {}) }, describe);
  }
  const refs = referencesIn(`\${${code}}`);
  const functions = [...new Set([...code.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/\b([a-z][a-z0-9_]*)\(/g)].map((m) => m[1]))];
  const how = functions.length ? `computed by Terraform (${functions.join(', ')})` : 'computed by Terraform';
  return refs.length ? `${how} from ${refs.map((r) => refInWords(r, describe)).join(' and ')}` : `${how}, from no other object`;
}

/**
 * A value from cdk.tf.json in words: plain text as it is, `${...}` parts described. A template string mixing both
 * reads `"kkp-" followed by the value of Terraform variable x (TF_VAR_x)`.
 */
export function expressionInWords(value: string, describe: RefDescriber): string {
  const parts = interpolations(value);
  if (!parts.some((p) => p.kind === 'code')) return value;
  if (parts.length === 1) return codeInWords(parts[0].text, describe);
  return parts.map((p) => (p.kind === 'text' ? `"${p.text}"` : codeInWords(p.text, describe))).join(' followed by ');
}
