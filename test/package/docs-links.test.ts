// Every relative link and #anchor in README.md, CONTRIBUTING.md and the pages of docs/ leads somewhere: the file exists,
// and the anchor is a heading of that page, spelled as GitHub spells heading anchors. The README links every page.
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`),
];

/** The page's lines outside fenced code blocks (a fence closes only with a fence of its own length). */
function prose(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const open = /^(`{3,})/.exec(line);
    if (open) {
      if (!fence) fence = open[1];
      else if (line.trim() === fence) fence = undefined;
      continue;
    }
    if (!fence) out.push(line);
  }
  return out;
}

/** A heading's anchor as GitHub writes it: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor of a page: its headings' slugs, a repeated one numbered as GitHub numbers it (`-1`, `-2`). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(fs.readFileSync(path.join(repo, file), 'utf8'))) {
    const h = /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const base = slug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The targets of the page's inline links, outside code blocks and code spans. */
function links(file: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  const lines = fs.readFileSync(path.join(repo, file), 'utf8').split('\n');
  const kept = new Set(prose(lines.join('\n')));
  lines.forEach((line, i) => {
    if (!kept.has(line)) return;
    const text = line.replace(/`[^`]*`/g, '``');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

describe.each(PAGES)('%s', (file) => {
  test('every relative link and #anchor resolves', () => {
    const broken: string[] = [];
    for (const { target, line } of links(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [rel, anchor] = target.split('#');
      const resolved = rel ? path.relative(repo, path.resolve(repo, path.dirname(file), rel)) : file;
      if (!fs.existsSync(path.join(repo, resolved))) {
        broken.push(`${file}:${line}: ${target}: no file ${resolved}`);
        continue;
      }
      if (anchor !== undefined && !anchors(resolved).has(anchor)) {
        broken.push(`${file}:${line}: ${target}: ${resolved} has no heading with anchor #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

test('the checker sees links and anchors: a page with none would pass anything', () => {
  expect(links('README.md').filter((l) => l.target.startsWith('docs/')).length).toBeGreaterThan(10);
  expect(links('README.md').some((l) => l.target.includes('#'))).toBe(true);
  expect([...anchors('docs/templates-and-images.md')]).toEqual(
    expect.arrayContaining(['how-it-runs-kkpvsphere_vm_template', 'how-it-is-tested', 'how-it-is-tested-1']),
  );
  expect(slug('`grant`, `revoke`, `verify` and `preflight` against a live vCenter')).toBe('grant-revoke-verify-and-preflight-against-a-live-vcenter');
});

test('the README links every page of docs/ and CONTRIBUTING.md', () => {
  const linked = new Set(links('README.md').map((l) => l.target.split('#')[0]));
  const pages = PAGES.filter((p) => p !== 'README.md');
  expect(pages.filter((p) => !linked.has(p))).toEqual([]);
});
