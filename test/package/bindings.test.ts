// The library's own bindings of vmware/vsphere 2.15.0 and hashicorp/kubernetes 2.38.0 (src/framework/providers/vsphere,
// src/framework/providers/kubernetes) and its framework module (src/framework/core.ts) are what
// scripts/generate-bindings.js makes today: `cdktf get` offline from the provider mirror, in a temporary folder. A hand
// edit, or a provider version bump without a regeneration, fails here naming the command that fixes it. (The
// kkpvsphere bindings have their own test: test/provider/kkpvsphere-bindings.test.ts.)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const FRAMEWORK = path.join(ROOT, 'src', 'framework');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MODULES } = require(path.join(ROOT, 'scripts', 'generate-bindings.js')) as { MODULES: Record<string, string[]> };

jest.setTimeout(10 * 60_000);

/** Every .ts file under `dir`, relative to it. */
function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : e.name.endsWith('.ts') ? [e.name] : [],
  );
}

test('src/framework/core.ts and the vsphere and kubernetes bindings equal a regeneration from the provider schemas', () => {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bindings-src-'));
  try {
    const started = Date.now();
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'generate-bindings.js'), '--only', 'vsphere,kubernetes', '--src', src], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    console.log(`node scripts/generate-bindings.js --only vsphere,kubernetes: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const generated = path.join(src, 'framework');
    const compared = ['core.ts', ...['vsphere', 'kubernetes'].flatMap((p) => files(path.join(generated, 'providers', p)).map((f) => `providers/${p}/${f}`))].sort();
    expect(compared.filter((f) => f.startsWith('providers/'))).toEqual(
      ['vsphere', 'kubernetes'].flatMap((p) => MODULES[p].map((m) => `providers/${p}/${m}.ts`)).sort(),
    );
    // No committed module that the generator does not make.
    const committed = ['core.ts', ...['vsphere', 'kubernetes'].flatMap((p) => files(path.join(FRAMEWORK, 'providers', p)).map((f) => `providers/${p}/${f}`))].sort();
    expect(committed).toEqual(compared);
    const stale = compared.filter((f) => fs.readFileSync(path.join(generated, f), 'utf8') !== fs.readFileSync(path.join(FRAMEWORK, f), 'utf8'));
    if (stale.length) {
      throw new Error(
        `src/framework/{${stale.join(',')}} differ from what the provider schemas and cdktf's declarations generate: run ` +
          '"npm run generate-bindings" (node scripts/generate-bindings.js) and commit the result.',
      );
    }
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
});

test('every provider module the library imports is one the generator makes, and none is imported from a prebuilt package', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'framework' ? [] : sources(path.join(dir, e.name))) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
  const imported = new Set<string>();
  const prebuilt: string[] = [];
  for (const file of sources(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/['"](?:\.\.?\/)+framework\/providers\/([a-z]+)\/([a-z0-9-]+)['"]/g)) imported.add(`${m[1]}/${m[2]}`);
    if (/['"](cdktf|@cdktf\/[^'"]+)['"]/.test(text)) prebuilt.push(path.relative(ROOT, file));
  }
  const generated = new Set(Object.entries(MODULES).flatMap(([p, modules]) => modules.map((m) => `${p}/${m}`)));
  expect([...imported].filter((m) => !generated.has(m))).toEqual([]);
  expect(imported.size).toBeGreaterThan(10);
  // The CDK core comes from src/framework/core (the app's cdktf or cdktn), never from cdktf or @cdktf/* directly.
  expect(prebuilt).toEqual([]);
});
