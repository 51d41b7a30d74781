// The API reference in docs/api is generated from the TSDoc of the package's entry points (scripts/api-docs.js:
// typedoc with its Markdown plugin, typedoc.json). Regenerated here into a temporary folder: any difference means a
// source changed after the last `npm run docs:api`.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const checkedIn = path.join(repo, 'docs/api');

/** Every file under `dir`, relative, with its content. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return files;
}

test('typedoc documents every entry point of package.json "exports"', () => {
  const exports: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).exports;
  const entryPoints: string[] = JSON.parse(fs.readFileSync(path.join(repo, 'typedoc.json'), 'utf8')).entryPoints;
  const documented = Object.entries(exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => [subpath, ((target as { types: string }).types).replace(/^\.\/lib\//, 'src/').replace(/\.d\.ts$/, '.ts')]);
  expect(documented.map(([, source]) => source).sort()).toEqual([...entryPoints].sort());
  // Each entry point's page is named by what a user imports.
  for (const [subpath] of documented) {
    const page = subpath === '.' ? 'cdktf-kkp-vsphere.md' : `cdktf-kkp-vsphere/${subpath.slice(2)}.md`;
    expect([subpath, fs.existsSync(path.join(checkedIn, page))]).toEqual([subpath, true]);
  }
});

test('docs/api is what `npm run docs:api` generates from the sources now', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-api-docs-'));
  try {
    // The script fails on any typedoc warning (typedoc.json treatWarningsAsErrors): a broken {@link}, or a type the
    // API names that no entry point exports.
    execFileSync(process.execPath, [path.join(repo, 'scripts/api-docs.js'), out], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const fresh = tree(out);
    const current = tree(checkedIn);
    const stale = [...new Set([...fresh.keys(), ...current.keys()])]
      .filter((file) => fresh.get(file) !== current.get(file))
      .map((file) => `docs/api/${file} (${!current.has(file) ? 'missing' : !fresh.has(file) ? 'no longer generated' : 'differs'})`);
    if (stale.length > 0) {
      throw new Error(`The API reference is stale: run \`npm run docs:api\` and commit docs/api.\n${stale.join('\n')}`);
    }
    expect(fresh.size).toBeGreaterThanOrEqual(6);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
