// The committed cdktf bindings of the kkpvsphere provider (src/framework/providers/kkpvsphere) are what
// scripts/generate-bindings.js makes from the schema of the provider built from provider/ today: a schema change
// without a regeneration fails here, naming the command that fixes it.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const COMMITTED = path.join(ROOT, 'src', 'framework', 'providers', 'kkpvsphere');

jest.setTimeout(20 * 60_000); // the first run builds the provider (minutes on a loaded machine)

test('src/framework/providers/kkpvsphere equals a regeneration from the schema of the provider built from provider/', () => {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kkpvsphere-bindings-'));
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'generate-bindings.js'), '--only', 'kkpvsphere', '--src', src], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const generated = path.join(src, 'framework', 'providers', 'kkpvsphere');
    const files = fs.readdirSync(generated).sort();
    expect(files).toEqual(['data-kkpvsphere-effective-privileges.ts', 'permission.ts', 'permissions.ts', 'provider.ts', 'vm-template.ts']);
    expect(fs.readdirSync(COMMITTED).sort()).toEqual(files);
    const stale = files.filter((f) => fs.readFileSync(path.join(generated, f), 'utf8') !== fs.readFileSync(path.join(COMMITTED, f), 'utf8'));
    if (stale.length) {
      throw new Error(
        `src/framework/providers/kkpvsphere/{${stale.join(',')}} differ from the bindings of the provider's current schema: ` +
          `run "node scripts/generate-bindings.js --only kkpvsphere" and commit the result.`,
      );
    }
    // The bindings import the CDK core from the library's framework module, never cdktf itself.
    for (const f of files) {
      const text = fs.readFileSync(path.join(COMMITTED, f), 'utf8');
      expect(text).toContain("import * as cdktf from '../../core';");
      expect(text).not.toMatch(/from 'cdktf'/);
    }
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
});
