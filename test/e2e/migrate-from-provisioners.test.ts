// Moving a deployed stack from the provisioner version of this library to the kkpvsphere provider, on a real
// deployment: the old version (built from git history, test/e2e/provisioner-era.ts) is synthesized and applied on the
// simulator by the real terraform with the real vSphere provider, its provisioners running the old CLI; then the
// current version with VspherePermissions.migrateFromProvisioners is planned and applied in the same working directory
// and state. The plan imports every additive grant and forgets the old terraform_data instances; nothing is created,
// changed or destroyed, no `revoke` runs, every object holds exactly the permissions it held before; the re-plan and
// the plan without the migration call are empty; destroy then removes the stack's grants and nothing else.
import { TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import * as current from '../../src';
import { VcenterClient, resolveObject } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { PermissionLine, permissionsByObject } from './support';
import { ProvisionerEra, provisionerCalls, provisionerEra } from './provisioner-era';

jest.setTimeout(15 * 60_000);

type Json = Record<string, any>;
type Lib = typeof current;

const SHARED = ['/', '/DC0', '/DC0/host/DC0_C0', '/DC0/host/DC0_C0/DC0_C0_H0', '/DC0/datastore/LocalDS_0', '/DC0/network/VM Network', '/DC0/network/DC0_DVPG0'];
const MC = 'VSPHERE.LOCAL\\kkp-mc';
const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';

/** One KKP installation as a user writes it, with either version of the library (same constructs, same inputs). */
function synth(lib: Lib, migrate: boolean): Json {
  const stack = new TerraformStack(Testing.app(), 'kkp');
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
  if (migrate) lib.VspherePermissions.migrateFromProvisioners(stack);
  return synthJson(stack);
}

let sim: Vcsim;
let vc: VcenterClient;
let era: ProvisionerEra;

beforeAll(async () => {
  era = provisionerEra();
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
});

const ours = (lines: PermissionLine[]) => lines.filter((l) => /VSPHERE\.LOCAL\\kkp-/i.test(l));
const others = (lines: PermissionLine[]) => lines.filter((l) => !/VSPHERE\.LOCAL\\kkp-/i.test(l));

test('a stack applied with the provisioners moves to kkpvsphere_permission: every grant imported, the old block forgotten, nothing created, changed, destroyed or revoked', async () => {
  const oldTf = synth(require(era.lib) as Lib, false);
  const oldInstances = Object.values<Json>(oldTf.resource.terraform_data).flatMap((b) => Object.keys(b.for_each ?? {}));
  expect(oldInstances.length).toBeGreaterThan(5);
  const env = {
    PATH: `${era.prefix}/bin:${process.env.PATH}`,
    npm_config_prefix: era.prefix,
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_update_notifier: 'false',
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
  const ws = TerraformWorkspace.create(oldTf, env);
  try {
    ws.init();
    ws.apply();
    const grantCalls = provisionerCalls(era).filter((c) => c.startsWith('grant --stack'));
    expect(grantCalls).toHaveLength(oldInstances.length);
    const before = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) expect(ours(before.get(p)!).length).toBeGreaterThan(0);
    const callsBefore = provisionerCalls(era).length;

    // the current version with the one-time migration
    const newTf = synth(current, true);
    expect(newTf.resource.terraform_data).toBeUndefined();
    const permissions = Object.keys(newTf.resource.kkpvsphere_permission);
    expect(permissions).toHaveLength(oldInstances.length);
    expect(newTf.import).toHaveLength(oldInstances.length);
    expect(newTf.removed).toEqual([{ from: `terraform_data.${Object.keys(oldTf.resource.terraform_data)[0]}`, lifecycle: { destroy: false } }]);
    ws.write(newTf);
    ws.init();
    const plan = ws.run(['plan', '-input=false', '-no-color', '-out=tfplan']);
    const shown = JSON.parse(ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
    const changes: Json[] = shown.resource_changes ?? [];
    const imported = changes.filter((c) => c.change.importing);
    const forgotten = changes.filter((c) => c.change.actions.includes('forget'));
    const other = changes.filter((c) => !c.change.importing && !c.change.actions.includes('forget') && !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'));
    const summary = /^Plan: .*$/m.exec(plan.stdout)?.[0];
    console.log(`migration plan: ${summary}\n${plan.stdout.split('\n').filter((l) => /will be imported|will no longer be managed|will be (created|destroyed|updated)/.test(l)).slice(0, 6).join('\n')}`);
    expect(imported.map((c) => c.address).sort()).toEqual(permissions.map((p) => `kkpvsphere_permission.${p}`).sort());
    for (const c of imported) expect(c.change.actions).toEqual(['no-op']);
    expect(forgotten.map((c) => c.address).sort()).toEqual(oldInstances.map((k) => `terraform_data.${Object.keys(oldTf.resource.terraform_data)[0]}[${JSON.stringify(k)}]`).sort());
    expect(other).toEqual([]);
    // terraform 1.11 lists the forgotten instances in a warning after the summary
    expect(summary).toBe(`Plan: ${oldInstances.length} to import, 0 to add, 0 to change, 0 to destroy.`);
    expect(plan.stdout).toContain('Warning: Some objects will no longer be managed by Terraform');

    ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const after = await permissionsByObject(vc, SHARED);
    expect(after).toEqual(before);
    // no provisioner ran: neither a revoke of the forgotten instances nor anything else
    expect(provisionerCalls(era).slice(callsBefore)).toEqual([]);
    expect(ws.planExitCode()).toBe(0);

    // the migration call removed again: still nothing to do
    ws.write(synth(current, false));
    expect(ws.planExitCode()).toBe(0);
    const state = ws.state();
    const stateTypes = new Set<string>((state.values?.root_module?.resources ?? []).map((r: Json) => r.type));
    expect(stateTypes.has('terraform_data')).toBe(false);

    // destroy: the stack's grants go, everyone else's stay
    ws.destroy();
    const destroyed = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) {
      expect([p, ours(destroyed.get(p)!)]).toEqual([p, []]);
      expect([p, others(destroyed.get(p)!)]).toEqual([p, others(before.get(p)!)]);
    }
    console.log(`migration: ${oldInstances.length} additive grants applied by the provisioner version, imported and forgotten; permissions on ${SHARED.length} shared objects identical before and after; ${provisionerCalls(era).length - callsBefore} CLI runs after the move`);
  } finally {
    ws.remove();
  }
});
