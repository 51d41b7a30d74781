// `cdktf-kkp-vsphere verify`: a stack deployed to the faithful simulator (real terraform with the real vSphere provider
// and the kkpvsphere provider's additive grants: test/e2e/support.ts), then verified by the built CLI; right after deploy it passes, and
// after changes made by hand it names each exact difference.
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, LocalBackend, TerraformStack, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import {
  KkpRoles,
  PredefinedRole,
  Principal,
  SeedPermissions,
  UserClusterFolder,
  UserClusterPermissions,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
  VsphereVersion,
} from '../../src';
import { VcenterClient } from '../../src/tools/vcenter';
import { Deployment, deployEnv } from '../e2e/support';
import { synthToDisk } from '../report/support';
import { runCli } from '../support/cli';
import { Vcsim, startVcsim } from '../support/vcsim';

jest.setTimeout(300_000);

const MC = 'VSPHERE.LOCAL\\prod-kkp-mc';
const STORAGE = 'VSPHERE.LOCAL\\prod-kkp-storage';

let sim: Vcsim;
let vc: VcenterClient;
let backupRole: number;
let deployment: Deployment;
let dir: string;
let env: Record<string, string>;

/** A seed installation; the network "VM Network" is taken over explicitly, keeping the two teams already there. */
function app(vsphereVersion: VsphereVersion, kkpRelease?: '2.12'): string {
  return synthToDisk((a: App) => {
    const stack = new TerraformStack(a, 'prod-kkp');
    // State in the deployment's own directory: cdktf's default local backend would put it beside the test's working
    // directory, where a run that stopped half-way leaves it for the next one.
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
    const datastores = [inventory.datastore('LocalDS_0')];
    const vmNetwork = inventory.network('VM Network');
    const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'prod-kkp' });
    const roles = new KkpRoles(stack, 'Roles', { vsphereVersion, namePrefix: 'prod-', ...(kkpRelease ? { kkpRelease } : {}) });
    const cluster = inventory.computeCluster('DC0_C0');
    new SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores, ...(kkpRelease ? {} : { hosts: [inventory.host('DC0_C0_H0', cluster)] }) });
    new UserClusterPermissions(stack, 'Mc', {
      roles, inventory, principal: MC, cluster, networks: [vmNetwork, inventory.network('DC0_DVPG0')], datastores, folders: [kkpRoot],
    });
    new UserClusterFolder(stack, 'Cluster', { inventory, rootFolder: kkpRoot, clusterId: 'kh8dfp2rz6', roles, machineControllerPrincipal: MC });
    VspherePermissions.manageAuthoritatively(vmNetwork, {
      keep: [
        { principal: Principal.group('CORP\\backup-team'), role: PredefinedRole.fromId(backupRole, 'corp-backup'), propagate: true },
        { principal: 'CORP\\monitoring', role: PredefinedRole.READ_ONLY, propagate: false },
      ],
    });
  });
}

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  backupRole = (await vc.addRole('corp-backup', ['Datastore.Browse'])).id;
  await vc.setEntityPermissions((await vc.findByInventoryPath('/DC0/network/VM Network'))!, [
    { principal: 'CORP\\backup-team', group: true, roleId: backupRole, propagate: true },
    { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false },
  ]);
  dir = app('8.0');
  deployment = new Deployment(vc, sim);
  const result = await deployment.deploy(JSON.parse(readFileSync(join(dir, 'stacks/prod-kkp/cdk.tf.json'), 'utf8')));
  expect(result.plan).toBe(0);
  const { PATH: _path, ...vcenter } = deployEnv(sim);
  env = vcenter;
});

afterAll(async () => {
  deployment?.ws.remove();
  await vc?.logout();
  await sim?.stop();
});

const server = () => `https://${env.VSPHERE_SERVER}`;

// The simulator's ServiceContent.about says 6.5.0 (govmomi's fixed answer) while its privilege catalog is vCenter 8's.
test('passes right after deploy', () => {
  const r = runCli(['verify', dir], env);
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(r.stdout).toBe(
    `verify against ${server()} (VMware vCenter Server 6.5.0 build-5973321)\n` +
      'stack prod-kkp: 9 roles, 15 grants, 3 folders, 0 templates checked: no difference\n' +
      'vCenter matches the synthesized stacks.\n',
  );
  const json = runCli(['verify', dir, '--json'], env);
  expect(json.status).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({ format: 'cdktf-kkp-vsphere/verify@1', findings: [], stacks: [{ name: 'prod-kkp', roles: 9, grants: 15 }] });
});

test('names the exact difference: a grant removed by hand, a role that lost a privilege, a foreign principal on an authoritative object, a grant held by someone else', async () => {
  const cluster = (await vc.findByInventoryPath('/DC0/host/DC0_C0'))!;
  await vc.removeEntityPermission(cluster, MC, false);
  const role = (await vc.roleList()).find((r) => r.name === 'prod-k8c-user-datacenter')!;
  const custom = role.privileges.filter((p) => !p.startsWith('System.')).sort();
  const lost = custom[0];
  await vc.updateRole(role.id, role.name, custom.slice(1));
  const network = (await vc.findByInventoryPath('/DC0/network/VM Network'))!;
  await vc.setEntityPermissions(network, [{ principal: 'CORP\\intruder', group: false, roleId: -1, propagate: true }]);
  const datastore = (await vc.findByInventoryPath('/DC0/datastore/LocalDS_0'))!;
  await vc.setEntityPermissions(datastore, [{ principal: STORAGE, group: false, roleId: -1, propagate: true }]);

  const r = runCli(['verify', dir], env);
  console.log(r.stdout);
  expect([r.status, r.stderr]).toEqual([1, '']);
  expect(r.stdout).toBe(
    [
      `verify against ${server()} (VMware vCenter Server 6.5.0 build-5973321)`,
      'stack prod-kkp: 9 roles, 15 grants, 3 folders, 0 templates checked: 4 differences',
      `  role-privileges: role "prod-k8c-user-datacenter" differs on vCenter: missing ${lost}.`,
      '  would-remove: user CORP\\intruder holds "Administrator" (propagated) on /DC0/network/VM Network, which the stack neither grants nor keeps: the next apply removes it (authoritative: vsphere_entity_permissions owns every permission there).',
      `  grant-foreign: user ${STORAGE} should hold "prod-k8c-ccm-storage-datastore-propagate" (propagated) on /DC0/datastore/LocalDS_0 (additive), but holds "Administrator" (propagated) there, a permission this stack did not make.`,
      `  grant-missing: user ${MC} should hold "prod-k8c-user-cluster-propagate" (propagated) on /DC0/host/DC0_C0 (additive), but holds nothing there.`,
      '4 differences: vCenter does not match the synthesized stacks.',
      '',
    ].join('\n'),
  );
  const json = JSON.parse(runCli(['verify', dir, '--json'], env).stdout);
  expect(json.findings.map((f: any) => [f.kind, f.object ?? f.role, f.principal])).toEqual([
    ['role-privileges', 'prod-k8c-user-datacenter', undefined],
    ['would-remove', '/DC0/network/VM Network', 'CORP\\intruder'],
    ['grant-foreign', '/DC0/datastore/LocalDS_0', STORAGE],
    ['grant-missing', '/DC0/host/DC0_C0', MC],
  ]);
});

test('names a folder of the stack that is gone', async () => {
  await vc.destroyEntity((await vc.findByInventoryPath('/DC0/vm/prod-kkp/clusters/kh8dfp2rz6'))!);
  const json = JSON.parse(runCli(['verify', dir, '--json'], env).stdout);
  expect(json.findings.filter((f: any) => f.kind === 'folder-missing')).toEqual([
    { stack: 'prod-kkp', kind: 'folder-missing', object: '/DC0/vm/prod-kkp/clusters/kh8dfp2rz6', message: 'folder /DC0/vm/prod-kkp/clusters/kh8dfp2rz6 does not exist on vCenter.' },
  ]);
});

test('names privilege IDs this vCenter does not know, with the vSphere version the stack was built for', () => {
  // KKP 2.12's page, whose roles were written for vSphere 6.7.
  const old = app('6.7', '2.12');
  const r = runCli(['verify', old, '--json'], env);
  expect(r.status).toBe(1);
  const unknown = JSON.parse(r.stdout).findings.filter((f: any) => f.kind === 'privilege-unknown');
  expect(unknown.map((f: any) => f.role)).toEqual(['prod-k8c-user-folder-propagate']);
  expect(unknown[0].message).toBe(
    'role "prod-k8c-user-folder-propagate" lists VirtualMachine.Config.Unlock, which this vCenter (VMware vCenter Server 6.5.0 ' +
      "build-5973321) does not know; the stack was built for vSphere 6.7: set vsphereVersion to the vCenter's version.",
  );
});

test('errors without a secret: wrong password, missing directory', () => {
  const wrong = runCli(['verify', dir], { ...env, VSPHERE_PASSWORD: 'not-it' });
  expect([wrong.status, wrong.stdout]).toEqual([1, '']);
  expect(wrong.stderr).toBe(`cdktf-kkp-vsphere: vCenter ${server()} refused the login of "${sim.user}": wrong user name or password (VSPHERE_USER, VSPHERE_PASSWORD).\n`);
  const missing = runCli(['verify', join(dir, 'nope')], env);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/^cdktf-kkp-vsphere: synth output directory .*nope does not exist\. Run `cdktf synth` again/);
  for (const out of [wrong.stdout, wrong.stderr, missing.stderr]) expect(out).not.toContain(sim.password);
});
