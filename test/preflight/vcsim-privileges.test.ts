// The test simulator answers AuthorizationManager's privilege checks from its permissions as vCenter does
// (test/vcsim/privileges.go: vSphere Security, "Hierarchical Inheritance of Permissions" and "Multiple Permission
// Settings"), one rule per test; then `preflight` against it, on a stack whose grants are applied through our client.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformVariable } from 'cdktf';
import { KkpDatacenterSpec, KkpRoles, KkpUserCluster, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory } from '../../src';
import { readSynthOutput } from '../../src/tools/report';
import { PREFLIGHT_FORMAT, readPreflightClusters, renderPreflightText, runPreflight } from '../../src/cli/preflight';
import { VcenterClient } from '../../src/tools/vcenter';
import type { ManagedObjectReference } from '../../src/tools/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';
import { buildCli } from '../support/cli';

jest.setTimeout(240_000);

const USER = 'VSPHERE.LOCAL\\kkp-user';
const GROUP = 'VSPHERE.LOCAL\\kkp-admins';
const MEMBER = 'VSPHERE.LOCAL\\kkp-member';
let sim: Vcsim;
let vc: VcenterClient;

beforeAll(async () => {
  // Group membership as the simulator models it (privileges.go): MEMBER belongs to GROUP.
  process.env.VCSIM_GROUP_MEMBERS = `${GROUP}=${MEMBER}`;
  sim = await startVcsim();
  delete process.env.VCSIM_GROUP_MEMBERS;
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
});
afterAll(async () => {
  await vc?.logout().catch(() => undefined);
  await sim?.stop();
});

async function at(path: string): Promise<ManagedObjectReference> {
  const ref = await vc.findByInventoryPath(path);
  if (!ref) throw new Error(`no ${path}`);
  return ref;
}
async function folder(parent: string, name: string): Promise<string> {
  await vc.createFolder(await at(parent), name);
  return `${parent}/${name}`;
}
async function role(name: string, privileges: string[]): Promise<number> {
  return (await vc.addRole(name, privileges)).id;
}
async function held(path: string, user = USER): Promise<string[]> {
  const [answer] = await vc.fetchUserPrivilegeOnEntities([await at(path)], user);
  return answer.privileges;
}

describe('the simulator\'s privilege checks follow vCenter', () => {
  test('a propagating permission reaches descendants; a non-propagating one only its own object', async () => {
    const top = await folder('/DC0/vm', 'propagation');
    const child = await folder(top, 'child');
    await vc.setEntityPermissions(await at(top), [{ principal: USER, group: false, roleId: await role('p-create', ['Folder.Create']), propagate: true }]);
    expect(await held(child)).toContain('Folder.Create');
    const other = await folder('/DC0/vm', 'flat');
    const below = await folder(other, 'below');
    await vc.setEntityPermissions(await at(other), [{ principal: USER, group: false, roleId: await role('p-delete', ['Folder.Delete']), propagate: false }]);
    expect(await held(other)).toContain('Folder.Delete');
    expect(await held(below)).toEqual([]);
  });

  test('every role carries System.Anonymous, System.Read and System.View', async () => {
    const f = await folder('/DC0/vm', 'implicit');
    await vc.setEntityPermissions(await at(f), [{ principal: USER, group: false, roleId: -2, propagate: false }]);
    expect(await held(f)).toEqual(['System.Anonymous', 'System.Read', 'System.View']);
  });

  test('the most specific permission wins: a child\'s permission replaces the parent\'s for the principal', async () => {
    const top = await folder('/DC0/vm', 'specific');
    const child = await folder(top, 'child');
    await vc.setEntityPermissions(await at(top), [{ principal: USER, group: false, roleId: await role('s-both', ['Folder.Create', 'Folder.Delete']), propagate: true }]);
    await vc.setEntityPermissions(await at(child), [{ principal: USER, group: false, roleId: await role('s-create', ['Folder.Create']), propagate: true }]);
    expect(await held(child)).not.toContain('Folder.Delete');
    expect(await held(top)).toContain('Folder.Delete');
  });

  test('a user\'s own permission overrides its groups\' on the same object; without one, it holds the group\'s', async () => {
    const f = await folder('/DC0/vm', 'groups');
    await vc.setEntityPermissions(await at(f), [
      { principal: GROUP, group: true, roleId: await role('g-delete', ['Folder.Delete']), propagate: true },
    ]);
    expect(await held(f, MEMBER)).toContain('Folder.Delete');
    expect(await held(f, USER)).not.toContain('Folder.Delete');
    await vc.setEntityPermissions(await at(f), [{ principal: MEMBER, group: false, roleId: -2, propagate: true }]);
    expect(await held(f, MEMBER)).not.toContain('Folder.Delete');
  });

  test('a VM inherits from its resource pool as well as from its folder', async () => {
    const vm = '/DC0/vm/DC0_C0_RP0_VM0';
    expect(await held(vm)).not.toContain('VirtualMachine.Interact.PowerOn');
    await vc.setEntityPermissions(await at('/DC0/host/DC0_C0/Resources'), [
      { principal: USER, group: false, roleId: await role('pool-power', ['VirtualMachine.Interact.PowerOn']), propagate: true },
    ]);
    expect(await held(vm)).toContain('VirtualMachine.Interact.PowerOn');
  });

  test('HasUserPrivilegeOnEntities answers per privilege from the same rules (the stock simulator says true to all)', async () => {
    const f = await folder('/DC0/vm', 'has');
    await vc.setEntityPermissions(await at(f), [{ principal: USER, group: false, roleId: await role('h-create', ['Folder.Create']), propagate: false }]);
    const [answer] = await vc.hasUserPrivilegeOnEntities([await at(f)], USER, ['Folder.Create', 'Folder.Delete']);
    expect(answer.granted).toEqual({ 'Folder.Create': true, 'Folder.Delete': false });
  });
});

describe('cdktf-kkp-vsphere preflight against the simulator', () => {
  const MC = 'VSPHERE.LOCAL\\pf-mc';
  const STORAGE = 'VSPHERE.LOCAL\\pf-storage';
  let out: string;

  function synth(dir: string) {
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, 'seed');
    new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    new KubernetesProvider(stack, 'kubernetes', {});
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
    const cluster = inventory.computeCluster('DC0_C0');
    const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'pf-kkp' });
    const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'pf-' });
    const datastores = [inventory.datastore('LocalDS_0')];
    const networks = [inventory.network('VM Network')];
    new SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores, hosts: [inventory.host('DC0_C0_H0', cluster)] });
    new UserClusterPermissions(stack, 'Mc', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
    const datacenter = new KkpDatacenterSpec(stack, 'Dc', { name: 'dc0', inventory, endpoint: 'https://vcenter.example.com', datastore: datastores[0], cluster, rootFolder: kkpRoot, templates: { ubuntu: 'ubuntu' } });
    const password = (id: string) => new TerraformVariable(stack, id, { type: 'string', sensitive: true }).stringValue;
    new KkpUserCluster(stack, 'C', {
      datacenter, roles, clusterId: 'pfcluster1', machineControllerPrincipal: MC, cloudConfigUser: STORAGE, cloudConfigPassword: password('sp'),
      infraManagementUserPassword: password('mp'), networks,
    });
    app.synth();
  }

  /** What `cdktf deploy` would make: roles, folders and grants of the synth output, through our SOAP client. */
  async function deploy(dir: string, skip?: (g: { object: string; principal: string }) => boolean) {
    const [stack] = readSynthOutput(dir).stacks;
    const ids = new Map<string, number>();
    for (const r of stack.roles) {
      if (r.origin === 'custom') ids.set(r.name, (await vc.addRole(r.name, [...(r.privileges ?? [])])).id);
      else if (r.roleId) ids.set(r.name, Number(r.roleId));
    }
    for (const f of [...stack.folders].sort((a, b) => a.path.length - b.path.length)) {
      const parent = f.path.slice(0, f.path.lastIndexOf('/'));
      if (!(await vc.findByInventoryPath(f.path))) await vc.createFolder(await at(parent), f.path.slice(parent.length + 1));
    }
    for (const g of stack.grants) {
      if (skip?.(g)) continue;
      await vc.setEntityPermissions(await at(g.object === '/' ? '/' : g.object), [{ principal: g.principal, group: g.isGroup, roleId: ids.get(g.role)!, propagate: g.propagate }]);
    }
  }

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'preflight-'));
    synth(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('the synth output carries each cluster\'s requirements; after a deploy missing one grant, preflight names each gap and its fix', async () => {
    const clusters = readPreflightClusters(out);
    expect(clusters.map((c) => [c.stack, c.clusterId, c.kkpRelease])).toEqual([['seed', 'pfcluster1', '2.31']]);
    // Everything but machine-controller's role on the compute cluster.
    await deploy(out, (g) => g.object === '/DC0/host/DC0_C0' && g.principal === MC);
    const result = await runPreflight(vc, clusters);
    const gaps = result.gaps.filter((g) => !g.objectMissing);
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.every((g) => g.principal === MC)).toBe(true);
    const clone = gaps.find((g) => g.operation === 'machine-controller/clone-template')!;
    expect(clone).toMatchObject({ object: '/DC0/host/DC0_C0/Resources', missing: ['Resource.AssignVMToPool'], credential: 'infraManagementUserUsername' });
    expect(clone.fix).toContain('grant k8c-user-cluster-propagate (on the cluster, propagated) to VSPHERE.LOCAL\\pf-mc');
    // The template named by a plain map is not in this vCenter: reported as missing, not as a privilege.
    expect(result.gaps.some((g) => g.objectMissing)).toBe(false);
    const text = renderPreflightText(result);
    expect(text).toContain('seed / cluster pfcluster1:\n  machine-controller machine-controller/clone-template (VirtualMachine.CloneVM_Task) as VSPHERE.LOCAL\\pf-mc (infraManagementUserUsername) on /DC0/host/DC0_C0/Resources: missing Resource.AssignVMToPool.');
    expect(text).toMatch(/KKP would get "permission denied" there\.\n$/);
  });

  test('with every grant applied there is no gap; the CLI prints JSON in the versioned format, exits 0, and shows no secret', async () => {
    await vc.setEntityPermissions(await at('/DC0/host/DC0_C0'), [{ principal: MC, group: false, roleId: (await vc.roleList()).find((r) => r.name === 'pf-k8c-user-cluster-propagate')!.id, propagate: true }]);
    const { main } = buildCli();
    const run = spawnSync(process.execPath, [main, 'preflight', out, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, VSPHERE_SERVER: sim.url, VSPHERE_USER: sim.user, VSPHERE_PASSWORD: sim.password, VSPHERE_ALLOW_UNVERIFIED_SSL: 'true' },
    });
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    expect(json.format).toBe(PREFLIGHT_FORMAT);
    expect(json.gaps).toEqual([]);
    expect(json.checked).toBeGreaterThan(5);
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(sim.password);
  });

  test('a gap makes the CLI exit 1 with the text report', async () => {
    await vc.removeEntityPermission(await at('/DC0/datastore/LocalDS_0'), STORAGE, false);
    const { main } = buildCli();
    const run = spawnSync(process.execPath, [main, 'preflight', out], {
      encoding: 'utf8',
      env: { ...process.env, VSPHERE_SERVER: sim.url, VSPHERE_USER: sim.user, VSPHERE_PASSWORD: sim.password },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/vsphere-csi vsphere-csi\/create-volume \(CnsVolumeManager\.CnsCreateVolume\) as VSPHERE\.LOCAL\\pf-storage \(username\) on \/DC0\/datastore\/LocalDS_0: missing Datastore\.FileManagement\. Fix: grant k8c-ccm-storage-datastore-propagate/);
    expect(run.stdout + run.stderr).not.toContain(sim.password);
  });
});
