// Moving a deployed stack from one kkpvsphere_permission per (shared object, principal) to one kkpvsphere_permissions
// per shared object, on a real deployment: the version that wrote per-principal resources (built from git history,
// test/e2e/library-at.ts) is synthesized and applied on the simulator by the real terraform with the real vSphere
// provider and the kkpvsphere provider built from provider/; then the current version with
// VspherePermissions.migrateFromPerPrincipalGrants is planned and applied in the same working directory and state.
// The plan imports each shared object's principals into its kkpvsphere_permissions and forgets every old
// kkpvsphere_permission (removed, destroy = false); nothing is created, changed or destroyed, every object holds
// exactly the permissions it held before (everyone else's untouched); the re-plan and the plan without the migration
// call are empty; destroy then removes the stack's grants and nothing else. Not covered: a grant on a distributed
// switch (UserClusterPermissions' distributedSwitches), whose kkpvsphere_permissions names the switch by inventory path
// and so gets no import block; its old kkpvsphere_permission is forgotten, and the plan then fails with the provider's
// "permission already exists" (the switch's principals hold their permissions already), naming the import ID to use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import * as current from '../../src';
import { VcenterClient, resolveObject } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { removeTmpDirs, tmpDir } from '../images/tools';
import { PermissionLine, permissionsByObject } from './support';
import { LibraryBuild, libraryAt } from './library-at';

jest.setTimeout(10 * 60_000);

/** The last commit whose constructs wrote one kkpvsphere_permission per shared object and principal. */
const PER_PRINCIPAL_COMMIT = '2d05e82fe77964255a1fb8766f87e8341f003d28';

type Json = Record<string, any>;
type Lib = typeof current;

const SHARED = ['/', '/DC0', '/DC0/host/DC0_C0', '/DC0/host/DC0_C0/DC0_C0_H0', '/DC0/datastore/LocalDS_0', '/DC0/network/VM Network', '/DC0/network/DC0_DVPG0'];
const MC = 'VSPHERE.LOCAL\\kkp-mc';
const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';

/** The app's output directory: both versions synthesize into it, and terraform runs in its stacks/kkp (as cdktf deploy). */
let outdir: string;

/** One KKP installation as a user writes it, with either version of the library (same constructs, same inputs). */
function synth(lib: Lib, migrate: boolean): Json {
  const stack = new TerraformStack(new App({ outdir, stackTraces: false }), 'kkp');
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const inventory = new lib.VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastores = [inventory.datastore('LocalDS_0')];
  const networks = [inventory.network('VM Network'), inventory.network('DC0_DVPG0')];
  const kkpRoot = new lib.VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new lib.KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  const hosts = [inventory.host('DC0_C0_H0', cluster)];
  new lib.SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores, hosts });
  new lib.UserClusterPermissions(stack, 'MachineController', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
  const own = `${STORAGE}-a`;
  new lib.UserClusterFolder(stack, 'Cluster-a', { inventory, rootFolder: kkpRoot, clusterId: 'a', roles, machineControllerPrincipal: MC, storagePrincipal: own });
  lib.VspherePermissions.grant({ principal: own, role: roles.role('k8c-storage-datastore-propagate'), entity: datastores[0], propagate: true });
  lib.VspherePermissions.grant({ principal: own, role: lib.PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
  if (migrate) lib.VspherePermissions.migrateFromPerPrincipalGrants(stack);
  return synthJson(stack);
}

let sim: Vcsim;
let vc: VcenterClient;
let old: LibraryBuild;

beforeAll(async () => {
  old = libraryAt(PER_PRINCIPAL_COMMIT);
  outdir = tmpDir('kkp-migrate-per-principal-app');
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  const backup = (await vc.addRole('corp-backup', ['Datastore.Browse'])).id;
  for (const p of SHARED) {
    await vc.setEntityPermissions((await resolveObject(vc, p))!, [
      { principal: 'CORP\\backup-team', group: true, roleId: backup, propagate: true },
      { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false },
    ]);
  }
});

afterAll(async () => {
  await vc?.logout();
  await sim?.stop();
  removeTmpDirs();
});

const ours = (lines: PermissionLine[]) => lines.filter((l) => /VSPHERE\.LOCAL\\kkp-/i.test(l));
const others = (lines: PermissionLine[]) => lines.filter((l) => !/VSPHERE\.LOCAL\\kkp-/i.test(l));

/** The principals an import ID `<type>:<moid>:<principal>[:<principal>...]` names, `group:` kept before a group's. */
function importedPrincipals(id: string): string[] {
  const out: string[] = [];
  let group = false;
  for (const tok of id.split(':').slice(2)) {
    if (tok === 'group') group = true;
    else {
      out.push(`${group ? 'group:' : ''}${tok}`);
      group = false;
    }
  }
  return out.sort();
}

test('a stack applied with one kkpvsphere_permission per object and principal moves to one kkpvsphere_permissions per object: every principal imported, the old resources forgotten, nothing created, changed or destroyed', async () => {
  const oldTf = synth(require(old.lib) as Lib, false);
  // the old version: one kkpvsphere_permission per (shared object, principal), no kkpvsphere_permissions
  const oldGrants = Object.keys(oldTf.resource.kkpvsphere_permission);
  expect(oldTf.resource.kkpvsphere_permissions).toBeUndefined();
  expect(oldGrants.length).toBeGreaterThan(SHARED.length);
  const env = {
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
  // where cdktf deploy runs terraform: the stack's directory in the app's output
  const stackDir = path.join(outdir, 'stacks', 'kkp');
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify(oldTf));
  const ws = TerraformWorkspace.open(stackDir, env);
  try {
    let started = Date.now();
    ws.init();
    ws.apply();
    const oldApplyMillis = Date.now() - started;
    const oldState: Json[] = ws.state().values?.root_module?.resources ?? [];
    expect(oldState.filter((r) => r.type === 'kkpvsphere_permission').map((r) => r.name).sort()).toEqual([...oldGrants].sort());
    const before = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) expect([p, ours(before.get(p)!).length > 0]).toEqual([p, true]);
    expect(SHARED.reduce((n, p) => n + ours(before.get(p)!).length, 0)).toBe(oldGrants.length);

    // the current version with the one-time migration
    const newTf = synth(current, true);
    expect(newTf.resource.kkpvsphere_permission).toBeUndefined();
    const objects = Object.keys(newTf.resource.kkpvsphere_permissions);
    expect(objects).toHaveLength(SHARED.length);
    // the same principals, now listed per object
    const listed = Object.values<Json>(newTf.resource.kkpvsphere_permissions).reduce((n, r) => n + Object.keys(r.permissions).length, 0);
    expect(listed).toBe(oldGrants.length);
    expect(newTf.import).toHaveLength(objects.length);
    expect(newTf.removed).toEqual([...oldGrants].sort().map((g) => ({ from: `kkpvsphere_permission.${g}`, lifecycle: { destroy: false } })));
    ws.write(newTf);
    ws.init();
    started = Date.now();
    const plan = ws.run(['plan', '-input=false', '-no-color', '-out=tfplan']);
    const planMillis = Date.now() - started;
    const shown = JSON.parse(ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
    const changes: Json[] = shown.resource_changes ?? [];
    const imported = changes.filter((c) => c.change.importing);
    const forgotten = changes.filter((c) => c.change.actions.includes('forget'));
    const other = changes.filter(
      (c) => !c.change.importing && !c.change.actions.includes('forget') && !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'),
    );
    const summary = /^Plan: .*$/m.exec(plan.stdout)?.[0];
    console.log(
      `migration plan: ${summary} (${forgotten.length} forgotten)\n` +
        plan.stdout.split('\n').filter((l) => /will be imported|will no longer be managed|will be (created|destroyed|updated|replaced)/.test(l)).slice(0, 6).join('\n'),
    );
    // every object's kkpvsphere_permissions imported, as is (no-op: the permissions on vCenter are the configuration's)
    expect(imported.map((c) => c.address).sort()).toEqual(objects.map((o) => `kkpvsphere_permissions.${o}`).sort());
    for (const c of imported) {
      expect([c.address, c.change.actions]).toEqual([c.address, ['no-op']]);
      // the import ID names exactly the principals the resource lists
      const principals = Object.entries<Json>(c.change.after.permissions).map(([name, p]) => `${p.is_group ? 'group:' : ''}${name}`).sort();
      expect([c.address, importedPrincipals(c.change.importing.id)]).toEqual([c.address, principals]);
    }
    // every old kkpvsphere_permission forgotten, nothing else
    expect(forgotten.map((c) => c.address).sort()).toEqual(oldGrants.map((g) => `kkpvsphere_permission.${g}`).sort());
    for (const c of forgotten) expect([c.address, c.change.actions]).toEqual([c.address, ['forget']]);
    // no create, update, delete or replace of anything
    expect(other.map((c) => `${c.change.actions.join('+')} ${c.address}`)).toEqual([]);
    // terraform 1.11 lists the forgotten instances in a warning after the summary
    expect(summary).toBe(`Plan: ${objects.length} to import, 0 to add, 0 to change, 0 to destroy.`);
    expect(plan.stdout).toContain('Warning: Some objects will no longer be managed by Terraform');

    started = Date.now();
    const applied = ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const migrateMillis = Date.now() - started;
    expect(applied.stdout).toMatch(new RegExp(`Apply complete! Resources: ${objects.length} imported, 0 added, 0 changed, 0 destroyed`));
    const after = await permissionsByObject(vc, SHARED);
    expect(after).toEqual(before);
    const state: Json[] = ws.state().values?.root_module?.resources ?? [];
    expect(state.filter((r) => r.type === 'kkpvsphere_permission')).toEqual([]);
    expect(state.filter((r) => r.type === 'kkpvsphere_permissions').map((r) => r.name).sort()).toEqual([...objects].sort());
    // the re-plan with the migration call still in the app: nothing to do
    expect(ws.planExitCode()).toBe(0);

    // the migration call removed: still nothing to do
    const withoutCall = synth(current, false);
    expect(withoutCall.import).toBeUndefined();
    expect(withoutCall.removed).toBeUndefined();
    ws.write(withoutCall);
    expect(ws.planExitCode()).toBe(0);

    // destroy: the stack's grants go, everyone else's stay
    ws.destroy();
    const destroyed = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) {
      expect([p, ours(destroyed.get(p)!)]).toEqual([p, []]);
      expect([p, others(destroyed.get(p)!)]).toEqual([p, others(before.get(p)!)]);
    }
    console.log(
      `migration: ${oldGrants.length} kkpvsphere_permission (per object and principal) applied by the version at ${PER_PRINCIPAL_COMMIT.slice(0, 7)} ` +
        `(${(oldApplyMillis / 1000).toFixed(1)} s), forgotten, and imported into ${objects.length} kkpvsphere_permissions ` +
        `(plan ${(planMillis / 1000).toFixed(1)} s, apply ${(migrateMillis / 1000).toFixed(1)} s); permissions on ${SHARED.length} shared objects identical before and after`,
    );
  } finally {
    ws.remove();
  }
});
