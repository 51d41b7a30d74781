// GitHub Markdown building blocks shared by the synth report and the plan report. Every text that comes from a
// stack or the command line goes through one of the escapers here before it reaches the comment.

/** Text for a table cell: `|` and `\` (principals are `DOMAIN\name`) and inline Markdown characters escaped. */
export function cell(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\|`*_[\]<>~&]/g, (c) => `\\${c}`);
}

/**
 * Plain text anywhere inline (headings, list items): every ASCII punctuation character backslash-escaped (CommonMark
 * allows that for all of them), line breaks folded into spaces. Nothing in it can open a block, a link, an HTML tag,
 * a comment marker or an alert: `--title '<!-- x -->\n> [!NOTE]'` prints as that literal text.
 */
export function inline(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** Text inside HTML (`<summary>`). */
export function html(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A code span outside tables, safe for backticks in the text. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A collapsed block (GitHub renders `<details>`); the summary is escaped, the body is Markdown. */
export function details(summary: string, body: string[]): string[] {
  return [`<details><summary>${html(summary)}</summary>`, '', ...body, '', '</details>', ''];
}

/** Joins lines into a document: at most one blank line in a row, one final newline. */
export function finish(lines: string[]): string {
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
