// The README's "Use it in your stack" sample, taken from the README as it is: it compiles against the library and
// synthesizes a stack whose shared objects get additive grants only.
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '../..');

test('the README sample compiles and synthesizes additive grants on every shared object', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your stack\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const sample = /```ts\n([\s\S]*?)```/.exec(section)![1];
  // Inside the repository, so that cdktf and the providers resolve from its node_modules as in a user's app.
  const cache = join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'readme-'));
  try {
    // The package name resolves to the source, as in the jest and tsconfig.dev.json mappings.
    const file = join(dir, 'main.ts');
    writeFileSync(file, sample.replace("from 'cdktf-kkp-vsphere'", `from ${JSON.stringify(join(ROOT, 'src'))}`));
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/ts-node/dist/bin.js'), '--skipIgnore', '-P', join(ROOT, 'tsconfig.dev.json'), file], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const tf = JSON.parse(readFileSync(join(dir, 'cdktf.out/stacks/kkp-seed/cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(tf.resource.vsphere_entity_permissions).map((r) => r['//'].kkp.management)).toEqual(['owned', 'owned']);
    // one kkpvsphere_permissions per shared object, managed additively, listing the stack's principals there
    expect(tf.resource.kkpvsphere_permission).toBeUndefined();
    const grants = Object.values<any>(tf.resource.kkpvsphere_permissions);
    expect(grants.map((r) => r['//'].kkp.management)).toEqual(grants.map(() => 'additive'));
    expect(grants.map((r) => r['//'].kkp.entity).sort()).toEqual([
      '/', '/dc-1', '/dc-1/datastore/ds-1', '/dc-1/host/cluster-1', '/dc-1/host/cluster-1/esxi-01', '/dc-1/network/kkp-workers',
    ]);
    for (const r of grants) {
      expect([r['//'].kkp.entity, Object.keys(r.permissions)]).toEqual([r['//'].kkp.entity, r['//'].kkp.permissions.map((p: any) => p.principal)]);
    }
    expect(tf.provider.vsphere[0]).toEqual({ user: null, password: null });
    // the kkpvsphere provider beside it, configured the same way: both read VSPHERE_*
    expect(tf.provider.kkpvsphere).toEqual([{ user: null, password: null }]);
    expect(tf.terraform.required_providers.kkpvsphere.source).toBe('cdktf-kkp-vsphere/kkpvsphere');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
