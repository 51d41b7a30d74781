// Additive grants deployed for real: the library's constructs synthesized, the whole configuration applied by the
// real terraform binary with the real vSphere provider (roles, folders, the owned folders' permissions) and the
// kkpvsphere provider built from provider/ (one kkpvsphere_permissions per shared object, listing the stack's
// principals there), in one dependency graph, against the faithful simulator (HTTPS, self-signed, allowed through
// VSPHERE_ALLOW_UNVERIFIED_SSL as a user would). Each change is planned (`plan -out`), checked principal by principal
// (support.ts compares each kkpvsphere_permissions' principals before and after), and that saved plan applied; no
// terraform run starts a Node process.
//
// Other teams' permissions on every shared object are set before the first apply and must be identical after each
// apply, each change a user makes, drift on vCenter, the state's grants forgotten and imported again, and destroy.
// Each step prints the per-object figures.
import { TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import {
  KkpRoles,
  PredefinedRole,
  SeedPermissions,
  UserClusterFolder,
  UserClusterPermissions,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
  VsphereVersion,
} from '../../src';
import { VcenterClient, resolveObject, XmlNode, asMoRef } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { Vcsim, startVcsim } from '../support/vcsim';
import { spawnSync } from 'node:child_process';
import { Deployment, PermissionLine, additiveLines, deployEnv, nodeCallsLogged, permissionsByObject } from './support';

jest.setTimeout(600_000);

type Json = Record<string, any>;

/** The shared objects: the vCenter root, the datacenter, the cluster, its host, a datastore, a datastore cluster, three networks. */
const SHARED = [
  '/',
  '/DC0',
  '/DC0/host/DC0_C0',
  '/DC0/host/DC0_C0/DC0_C0_H0',
  '/DC0/datastore/LocalDS_0',
  '/DC0/datastore/pod-1',
  '/DC0/network/VM Network',
  '/DC0/network/DC0_DVPG0',
  '/DC0/network/kkp-workers',
];

interface Variant {
  readonly prefix: 'prod-' | 'staging-';
  readonly clusters: readonly { id: string; ownStorage?: boolean }[];
  readonly networks: readonly string[];
  readonly vsphereVersion: VsphereVersion;
  /** The machine-controller user also gets the storage role on LocalDS_0: one merged role there. */
  readonly mcAlsoStorage?: boolean;
}

const principals = (prefix: string) => ({ mc: `VSPHERE.LOCAL\\${prefix}kkp-mc`, storage: `VSPHERE.LOCAL\\${prefix}kkp-storage` });

/** A KKP installation as a user writes it with the library, aimed at the simulator's inventory. */
function synth(v: Variant): Json {
  const stack = new TerraformStack(Testing.app(), `${v.prefix}kkp`);
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const { mc, storage } = principals(v.prefix);
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastores = [inventory.datastore('LocalDS_0'), inventory.datastoreCluster('pod-1')];
  const networks = v.networks.map((n) => inventory.network(n));
  const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: `${v.prefix}kkp` });
  const templates = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkpRoot });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: v.vsphereVersion, namePrefix: v.prefix });
  // KKP 2.26+: the storage user gets Read-only on every host that runs node VMs.
  const hosts = [inventory.host('DC0_C0_H0', cluster)];
  new SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: storage, folders: [kkpRoot, templates], datastores, hosts });
  new UserClusterPermissions(stack, 'MachineController', { roles, inventory, principal: mc, cluster, networks, datastores, folders: [kkpRoot, templates] });
  if (v.mcAlsoStorage) {
    VspherePermissions.grant({ principal: mc, role: roles.role('k8c-storage-datastore-propagate'), entity: datastores[0], propagate: true });
  }
  for (const c of v.clusters) {
    const own = c.ownStorage ? `${storage}-${c.id}` : undefined;
    new UserClusterFolder(stack, `Cluster-${c.id}`, { inventory, rootFolder: kkpRoot, clusterId: c.id, roles, machineControllerPrincipal: mc, storagePrincipal: own });
    if (own) {
      // What KkpUserCluster grants a cluster's own storage user on shared objects.
      VspherePermissions.grant({ principal: own, role: roles.role('k8c-storage-datastore-propagate'), entity: datastores[0], propagate: true });
      VspherePermissions.grant({ principal: own, role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    }
  }
  return synthJson(stack);
}

const isInstallation = (line: PermissionLine) => / VSPHERE\.LOCAL\\(prod|staging)-/.test(line);
const others = (lines: PermissionLine[]) => lines.filter((l) => !isInstallation(l));

let sim: Vcsim;
let vc: VcenterClient;
let backupRole: number;

/** The inventory a user would have, and other teams' permissions on every shared object. */
async function prepareSimulator(): Promise<Map<string, PermissionLine[]>> {
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  // A datastore cluster (CreateStoragePod) and a second distributed port group (AddDVPortgroup_Task on DVS0): the
  // simulator accepts both through the API; DC0_DVPG0 is the simulator's own distributed port group.
  const internals = vc as unknown as { transport: { call: (op: string, self: unknown, params?: string) => Promise<unknown> } };
  await internals.transport.call('CreateStoragePod', (await vc.findByInventoryPath('/DC0/datastore'))!, '<name>pod-1</name>');
  const dvs = (await vc.findByInventoryPath('/DC0/network/DVS0'))!;
  const task = asMoRef(
    (await internals.transport.call('AddDVPortgroup_Task', dvs, '<spec><name>kkp-workers</name><type>earlyBinding</type><numPorts>8</numPorts></spec>')) as XmlNode,
  )!;
  await vc.waitForTask(task, 'AddDVPortgroup_Task');
  backupRole = (await vc.addRole('corp-backup', ['Datastore.Browse', 'VirtualMachine.State.CreateSnapshot'])).id;
  for (const path of SHARED) {
    const ref = (await resolveObject(vc, path))!;
    await vc.setEntityPermissions(ref, [
      { principal: 'CORP\\backup-team', group: true, roleId: backupRole, propagate: true },
      { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false },
    ]);
  }
  return permissionsByObject(vc, SHARED);
}

async function stopSimulator(): Promise<void> {
  await vc?.logout();
  await sim?.stop();
}

/** Prints the per-object figures of one step and checks them: others unchanged, the installations' grants exact. */
async function checkStep(step: string, before: Map<string, PermissionLine[]>, expected: Map<string, PermissionLine[]>): Promise<void> {
  const now = await permissionsByObject(vc, SHARED);
  const rows: string[] = [];
  for (const path of SHARED) {
    const after = now.get(path)!;
    const ours = after.filter(isInstallation);
    rows.push(
      `${path.padEnd(26)} others before ${String(others(before.get(path)!).length).padStart(2)}  after ${String(others(after).length).padStart(2)}` +
        `  identical ${JSON.stringify(others(after)) === JSON.stringify(others(before.get(path)!)) ? 'yes' : 'NO'}` +
        `  installation grants ${ours.length} (expected ${(expected.get(path) ?? []).length})`,
    );
  }
  console.log(`${step}\n${rows.join('\n')}`);
  for (const path of SHARED) {
    expect([path, others(now.get(path)!)]).toEqual([path, others(before.get(path)!)]);
    expect([path, now.get(path)!.filter(isInstallation)]).toEqual([path, expected.get(path) ?? []]);
  }
}

function merge(...maps: Map<string, PermissionLine[]>[]): Map<string, PermissionLine[]> {
  const out = new Map<string, PermissionLine[]>();
  for (const m of maps) for (const [k, v] of m) out.set(k, [...(out.get(k) ?? []), ...v].sort());
  return out;
}

describe('one installation: apply, each change a user makes, destroy', () => {
  let before: Map<string, PermissionLine[]>;
  let prod: Deployment;
  const base: Variant = {
    prefix: 'prod-',
    clusters: [{ id: 'kh8dfp2rz6' }, { id: 'x7q2mm9wkp', ownStorage: true }],
    networks: ['VM Network', 'DC0_DVPG0'],
    vsphereVersion: '8.0',
  };
  const { mc, storage } = principals('prod-');
  /** The installation after the last change below: what drift, import and destroy work on. */
  const last: Variant = { ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }], networks: ['VM Network', 'kkp-workers'], vsphereVersion: '7.0' };

  beforeAll(async () => {
    before = await prepareSimulator();
    prod = new Deployment(vc, sim);
  });
  afterAll(async () => {
    prod?.ws.remove();
    await stopSimulator();
  });

  test('other teams are on every shared object before the first apply', () => {
    for (const path of SHARED) {
      expect(others(before.get(path)!)).toEqual(
        expect.arrayContaining(['group CORP\\backup-team corp-backup propagate', 'user CORP\\monitoring Read-only no-propagate']),
      );
    }
    // The simulator's own principals on the root folder count as other teams too.
    expect(others(before.get('/')!)).toEqual([
      'group CORP\\backup-team corp-backup propagate',
      'group root Administrator propagate',
      'user CORP\\monitoring Read-only no-propagate',
      'user admin Administrator propagate',
      'user root Administrator propagate',
    ]);
  });

  test('deploy: every additive grant lands (one kkpvsphere_permissions per shared object), nothing else changes, the next plan is empty, no Node process runs', async () => {
    const tf = synth(base);
    // Nothing in the configuration runs a command; and the Node trap on terraform's PATH catches one that would.
    expect(JSON.stringify(tf)).not.toMatch(/local-exec|"provisioner"|"external"/);
    const trapped = spawnSync('sh', ['-c', 'npx --no-install cdktf-kkp-vsphere --version'], { env: { ...process.env, ...deployEnv(sim) }, encoding: 'utf8' });
    expect([trapped.status, nodeCallsLogged().slice(-1)]).toEqual([1, ['npx --no-install cdktf-kkp-vsphere --version']]);
    const result = await prod.deploy(tf);
    console.log(`deploy: ${result.summary} ${JSON.stringify({ ...result, actions: result.actions.length, providerActions: result.providerActions.length })}`);
    expect([result.plan, result.nodeCalls]).toEqual([0, []]);
    // One resource instance per shared object that holds grants (8 of the 9: the port group kkp-workers holds none yet),
    // each listing the stack's principals there; no per-principal kkpvsphere_permission.
    expect(tf.resource.kkpvsphere_permission).toBeUndefined();
    const objects = Object.values<Json>(tf.resource.kkpvsphere_permissions);
    expect(objects.map((r) => `create ${r['//'].kkp.entity}`).sort()).toEqual(result.grantObjects);
    expect(result.grantObjects).toEqual(SHARED.filter((p) => p !== '/DC0/network/kkp-workers').map((p) => `create ${p}`).sort());
    const principals = objects.reduce((n, r) => n + Object.keys(r.permissions).length, 0);
    expect([principals, result.actions.length]).toEqual([14, 14]);
    expect(result.actions.every((a) => a.startsWith('create '))).toBe(true);
    // The provider's part: 9 roles, 5 folders, one vsphere_entity_permissions per folder that holds grants.
    const count = (type: string) => result.providerActions.filter((a) => a.startsWith(`create ${type}.`)).length;
    expect([count('vsphere_role'), count('vsphere_folder'), count('vsphere_entity_permissions'), result.providerActions.length]).toEqual([9, 5, 4, 18]);
    expect(result.added).toBe(objects.length + 18);
    expect(result.summary).toBe(`Plan: ${objects.length + 18} to add, 0 to change, 0 to destroy.`);
    const expected = additiveLines(tf);
    // The machine-controller's grants as the KKP documentation puts them, plus both storage users'.
    expect(expected.get('/')).toEqual([`user ${mc} prod-k8c-user-vcenter no-propagate`, `user ${storage} prod-k8c-ccm-storage-cns no-propagate`]);
    expect(expected.get('/DC0')).toEqual([
      `user ${mc} prod-k8c-user-datacenter no-propagate`,
      `user ${storage} Read-only no-propagate`,
      `user ${storage}-x7q2mm9wkp Read-only no-propagate`,
    ]);
    expect(expected.get('/DC0/datastore/pod-1')).toEqual([
      `user ${mc} prod-k8c-user-datastore-propagate propagate`,
      `user ${storage} prod-k8c-ccm-storage-datastore-propagate propagate`,
    ]);
    expect(expected.get('/DC0/host/DC0_C0/DC0_C0_H0')).toEqual([`user ${storage} Read-only no-propagate`]);
    await checkStep('after deploy', before, expected);
  });

  test('add a user cluster with its own storage user: the user added in place to the datacenter\'s and the datastore\'s kkpvsphere_permissions', async () => {
    const tf = synth({ ...base, clusters: [...base.clusters, { id: 'p4n8c2vd7t', ownStorage: true }] });
    const result = await prod.deploy(tf);
    expect(result.actions).toEqual([
      `create /DC0 user vsphere.local\\prod-kkp-storage-p4n8c2vd7t`,
      `create /DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-storage-p4n8c2vd7t`,
    ]);
    expect(result.grantObjects).toEqual(['update /DC0', 'update /DC0/datastore/LocalDS_0']);
    expect([result.added, result.changed, result.destroyed, result.nodeCalls]).toEqual([2, 2, 0, []]);
    expect(result.providerActions).toEqual([
      'create vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-DC0_vm_prod-kkp_clusters_p4n8c2vd7t',
      'create vsphere_folder.Cluster-p4n8c2vd7t_Folder',
    ]);
    expect(result.plan).toBe(0);
    await checkStep('after adding user cluster p4n8c2vd7t', before, additiveLines(tf));
  });

  test('remove a user cluster: its storage user\'s grants are revoked (an in-place update of each object), nothing else', async () => {
    const tf = synth({ ...base, clusters: [base.clusters[0], { id: 'p4n8c2vd7t', ownStorage: true }] });
    const result = await prod.deploy(tf);
    expect(result.actions).toEqual([
      `delete /DC0 user vsphere.local\\prod-kkp-storage-x7q2mm9wkp`,
      `delete /DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-storage-x7q2mm9wkp`,
    ]);
    expect(result.grantObjects).toEqual(['update /DC0', 'update /DC0/datastore/LocalDS_0']);
    expect(result.providerActions).toEqual([
      'delete vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-DC0_vm_prod-kkp_clusters_x7q2mm9wkp',
      'delete vsphere_folder.Cluster-x7q2mm9wkp_Folder',
    ]);
    // the folder and its permissions destroyed; the two objects' grants changed in place
    expect([result.added, result.changed, result.destroyed, result.plan]).toEqual([0, 2, 2, 0]);
    await checkStep('after removing user cluster x7q2mm9wkp', before, additiveLines(tf));
  });

  test('rename a user cluster (a new id, so a new storage user): old grants revoked, new ones made', async () => {
    const tf = synth({ ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }] });
    const result = await prod.deploy(tf);
    expect(result.actions).toEqual([
      `create /DC0 user vsphere.local\\prod-kkp-storage-q9r5t1zz3m`,
      `create /DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-storage-q9r5t1zz3m`,
      `delete /DC0 user vsphere.local\\prod-kkp-storage-p4n8c2vd7t`,
      `delete /DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-storage-p4n8c2vd7t`,
    ]);
    // one update per object: the old principal removed and the new one set in the same call
    expect(result.grantObjects).toEqual(['update /DC0', 'update /DC0/datastore/LocalDS_0']);
    expect(result.providerActions).toEqual([
      'create vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-DC0_vm_prod-kkp_clusters_q9r5t1zz3m',
      'create vsphere_folder.Cluster-q9r5t1zz3m_Folder',
      'delete vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-DC0_vm_prod-kkp_clusters_p4n8c2vd7t',
      'delete vsphere_folder.Cluster-p4n8c2vd7t_Folder',
    ]);
    expect(result.plan).toBe(0);
    await checkStep('after renaming user cluster p4n8c2vd7t to q9r5t1zz3m', before, additiveLines(tf));
  });

  test('rename a network: the grant moves, both port groups keep their other principals', async () => {
    const tf = synth({ ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }], networks: ['VM Network', 'kkp-workers'] });
    const result = await prod.deploy(tf);
    expect(result.actions).toEqual([
      `create /DC0/network/kkp-workers user vsphere.local\\prod-kkp-mc`,
      `delete /DC0/network/DC0_DVPG0 user vsphere.local\\prod-kkp-mc`,
    ]);
    // the old port group's kkpvsphere_permissions (machine-controller alone) destroyed, the new one's created
    expect(result.grantObjects).toEqual(['create /DC0/network/kkp-workers', 'delete /DC0/network/DC0_DVPG0']);
    expect([result.providerActions, result.plan]).toEqual([[], 0]);
    await checkStep('after renaming network DC0_DVPG0 to kkp-workers', before, additiveLines(tf));
  });

  test("change a role's privileges (vSphere 8.0 → 7.0): the role changes in place, no grant is touched", async () => {
    const tf = synth({ ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }], networks: ['VM Network', 'kkp-workers'], vsphereVersion: '7.0' });
    const folderRole = (await vc.roleList()).find((r) => r.name === 'prod-k8c-user-folder-propagate')!;
    const result = await prod.deploy(tf);
    expect([result.actions, result.grantObjects, result.plan]).toEqual([[], [], 0]);
    // Updated in place: exactly the roles whose privilege lists differ between the two synths.
    const before8 = synth({ ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }], networks: ['VM Network', 'kkp-workers'] });
    const differing = Object.keys(tf.resource.vsphere_role)
      .filter((k) => JSON.stringify(tf.resource.vsphere_role[k].role_privileges) !== JSON.stringify(before8.resource.vsphere_role[k].role_privileges))
      .map((k) => `update vsphere_role.${k.replace(/_[0-9A-F]{8}$/, '')}`);
    expect(differing.length).toBeGreaterThan(0);
    expect(result.providerActions).toEqual(differing.sort());
    expect([result.added, result.changed, result.destroyed]).toEqual([0, differing.length, 0]);
    const after = (await vc.roleList()).find((r) => r.name === 'prod-k8c-user-folder-propagate')!;
    const custom = (r: { privileges: readonly string[] }) => r.privileges.filter((p) => !p.startsWith('System.'));
    // Same role id, one privilege fewer (VirtualMachine.Interact.SuspendToMemory exists from 7.0U2).
    expect([after.id, custom(folderRole).length - custom(after).length]).toEqual([folderRole.id, 1]);
    await checkStep('after changing the roles to vSphere 7.0', before, additiveLines(tf));
  });

  test('a second role for one principal on one object: the grant is updated in place to a merged role, created before it and deleted after it', async () => {
    const changed: Variant = { ...base, clusters: [base.clusters[0], { id: 'q9r5t1zz3m', ownStorage: true }], networks: ['VM Network', 'kkp-workers'], vsphereVersion: '7.0' };
    const merged = 'prod-k8c-ccm-storage-datastore-propagate+prod-k8c-user-datastore-propagate';
    const key = `/DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-mc`;
    const tf = synth({ ...changed, mcAlsoStorage: true });
    const result = await prod.deploy(tf);
    // The principal's one permission on the object changes its role in place (SetEntityPermissions): never absent.
    expect([result.actions, result.grantObjects, result.plan]).toEqual([[`update ${key}`], ['update /DC0/datastore/LocalDS_0'], 0]);
    // The merged role is the provider's: created in the same apply, before the grant that uses it.
    expect(result.providerActions).toEqual([expect.stringMatching(/^create vsphere_role\.KkpVspherePermissions_Merged-[\w-]+_Role$/)]);
    expect(additiveLines(tf).get('/DC0/datastore/LocalDS_0')).toContain(`user ${mc} ${merged} propagate`);
    await checkStep('after giving the machine-controller user the storage role on LocalDS_0 too', before, additiveLines(tf));
    // And back: the permission returns to the single role in place; the vSphere provider then deletes the merged role.
    const back = synth(changed);
    const undone = await prod.deploy(back);
    expect([undone.actions, undone.grantObjects, undone.plan]).toEqual([[`update ${key}`], ['update /DC0/datastore/LocalDS_0'], 0]);
    expect(undone.providerActions).toEqual([expect.stringMatching(/^delete vsphere_role\.KkpVspherePermissions_Merged-[\w-]+_Role$/)]);
    expect((await vc.roleList()).some((r) => r.name === merged)).toBe(false);
    await checkStep('after taking the storage role away again', before, additiveLines(back));
  });

  test('drift: a principal\'s permission removed or changed on vCenter is an in-place update of its object\'s kkpvsphere_permissions in the plan, and apply restores exactly it', async () => {
    const tf = synth(last);
    const at = async (p: string) => (await resolveObject(vc, p))!;
    // By hand on vCenter: machine-controller's permission removed on the datacenter (where two other principals of the
    // stack stay) and on the cluster (its only one there), the storage user's on the datastore changed to Read-only.
    await vc.removeEntityPermission(await at('/DC0'), mc, false);
    await vc.removeEntityPermission(await at('/DC0/host/DC0_C0'), mc, false);
    await vc.setEntityPermissions(await at('/DC0/datastore/LocalDS_0'), [{ principal: storage, group: false, roleId: -2, propagate: false }]);
    const drifted = await permissionsByObject(vc, SHARED);
    expect(drifted.get('/DC0')!.filter((l) => l.includes(mc))).toEqual([]);
    expect(drifted.get('/DC0/host/DC0_C0')!.filter(isInstallation)).toEqual([]);
    expect(drifted.get('/DC0/datastore/LocalDS_0')!).toContain(`user ${storage} Read-only no-propagate`);

    const result = await prod.deploy(tf);
    console.log(`drift: ${result.summary}\n  ${result.grantObjects.join('\n  ')}\n  per principal:\n  ${result.actions.join('\n  ')}`);
    // Each drifted principal, and nothing else: the removed ones to be set again, the changed one set back.
    expect(result.actions).toEqual([
      `create /DC0 user vsphere.local\\prod-kkp-mc`,
      `create /DC0/host/DC0_C0 user vsphere.local\\prod-kkp-mc`,
      `update /DC0/datastore/LocalDS_0 user vsphere.local\\prod-kkp-storage`,
    ]);
    // in place, one update per object: no resource created, replaced or destroyed
    expect(result.grantObjects).toEqual(['update /DC0', 'update /DC0/datastore/LocalDS_0', 'update /DC0/host/DC0_C0']);
    expect([result.summary, result.providerActions, result.plan, result.nodeCalls]).toEqual(['Plan: 0 to add, 3 to change, 0 to destroy.', [], 0, []]);
    // restored: the stack's permissions exactly as configured, other teams' (and the stack's other principals on the
    // same objects) as before
    await checkStep('after drift on vCenter and the apply that restores it', before, additiveLines(tf));
  });

  test('state rm of every grant, then terraform import of each object\'s kkpvsphere_permissions by <type>:<moid>:<principal>...: back in the state as they were, an empty plan, vCenter untouched', async () => {
    const tf = synth(last);
    const grantsInState = (): Record<string, Json> =>
      Object.fromEntries(
        (prod.ws.state().values?.root_module?.resources ?? []).filter((r: Json) => r.type === 'kkpvsphere_permissions').map((r: Json) => [r.address, r.values]),
      );
    const stateBefore = grantsInState();
    const addresses = Object.keys(stateBefore).sort();
    expect(addresses).toHaveLength(Object.keys(tf.resource.kkpvsphere_permissions).length);
    expect(addresses).toHaveLength(8);
    const permissionsBefore = await permissionsByObject(vc, SHARED);
    // Each object's import ID: its type and managed object id, then every principal the resource lists.
    const ids = Object.fromEntries(
      addresses.map((a) => {
        const v = stateBefore[a];
        const listed = Object.entries<Json>(v.permissions).map(([name, p]) => `${p.is_group ? 'group:' : ''}${name}`).sort();
        return [a, [v.entity_type, v.entity_id, ...listed].join(':')];
      }),
    );
    expect(Object.values(ids).filter((id) => id.split(':').length > 3).length).toBeGreaterThan(0); // several principals in one ID

    prod.ws.run(['state', 'rm', ...addresses]);
    expect(prod.stateAddresses().filter((a) => a.startsWith('kkpvsphere_permissions.'))).toEqual([]);
    // forgotten, not revoked
    expect(await permissionsByObject(vc, SHARED)).toEqual(permissionsBefore);
    // The plan now refuses to take over what it does not manage: each object's permissions are there already, and the
    // error names the import ID (the same as above).
    const refused = prod.ws.run(['plan', '-input=false', '-no-color'], [1]);
    const said = refused.stderr.replace(/\s+/g, ' ');
    const named = Object.fromEntries(
      [...said.matchAll(/Error: permission already exists with (kkpvsphere_permissions\.[^,\s]+),.*?`terraform import <address> '([^']+)'`/g)].map((m) => [m[1], m[2]]),
    );
    expect(named).toEqual(ids);

    const imported = addresses.map((a) => prod.ws.run(['import', '-input=false', '-no-color', a, ids[a]]));
    for (const run of imported) expect(run.stdout).toContain('Import successful!');
    // every attribute as before (object, each principal's role id and name, group, propagation)
    expect(grantsInState()).toEqual(stateBefore);
    const replan = prod.ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]);
    console.log(
      `state rm + import: ${addresses.length} kkpvsphere_permissions removed from the state; plan refused with ` +
        `${Object.keys(named).length} "permission already exists" naming the import IDs, e.g. ${Object.values(ids).sort((x, y) => y.split(':').length - x.split(':').length)[0]}; ` +
        `${imported.length} imports; then: ${/^No changes\..*$/m.exec(replan.stdout)?.[0] ?? replan.stdout} (exit ${replan.status})`,
    );
    expect(replan.status).toBe(0);
    expect(await permissionsByObject(vc, SHARED)).toEqual(permissionsBefore);
    await checkStep('after state rm and import of every grant', before, additiveLines(tf));
  });

  test('destroy: every grant of the stack is revoked, its roles and folders are gone, other teams are as before', async () => {
    const result = await prod.destroy();
    console.log(`destroy: ${JSON.stringify(result)}`);
    // The 8 kkpvsphere_permissions (14 principals), 9 roles, 5 folders and 4 folder permission sets of the last apply:
    // destroyed by terraform, or (a folder whose delete stalled, see Deployment.destroy) deleted in vCenter and then
    // removed from the state.
    expect(result.destroyed + result.removedFromState.length).toBe(26);
    expect(result.nodeCalls).toEqual([]);
    await checkStep('after destroy', before, new Map());
    expect((await vc.roleList()).filter((r) => r.name.startsWith('prod-'))).toEqual([]);
    expect(await vc.findByInventoryPath('/DC0/vm/prod-kkp')).toBeUndefined();
  });
});

describe('two installations on one vCenter: destroying one leaves the other exactly as it was', () => {
  let before: Map<string, PermissionLine[]>;
  let prod: Deployment;
  let staging: Deployment;
  const variant = (prefix: 'prod-' | 'staging-'): Variant => ({
    prefix,
    clusters: [{ id: 'kh8dfp2rz6' }, { id: 'x7q2mm9wkp', ownStorage: true }],
    networks: ['VM Network', 'DC0_DVPG0'],
    vsphereVersion: '8.0',
  });

  beforeAll(async () => {
    before = await prepareSimulator();
    prod = new Deployment(vc, sim);
    staging = new Deployment(vc, sim);
  });
  afterAll(async () => {
    prod?.ws.remove();
    staging?.ws.remove();
    await stopSimulator();
  });

  test('prod- and staging- side by side, then staging destroyed', async () => {
    const prodTf = synth(variant('prod-'));
    const stagingTf = synth(variant('staging-'));
    expect((await prod.deploy(prodTf)).plan).toBe(0);
    expect((await staging.deploy(stagingTf)).plan).toBe(0);
    await checkStep('prod- and staging- deployed', before, merge(additiveLines(prodTf), additiveLines(stagingTf)));

    const prodFolders = Object.values<Json>(prodTf.resource.vsphere_folder).map((f) => `/DC0/vm/${f.path}`).sort();
    const snapshot = async () => ({
      roles: (await vc.roleList()).filter((r) => r.name.startsWith('prod-')).map((r) => ({ id: r.id, name: r.name, privileges: [...r.privileges].sort() })),
      folders: await Promise.all(prodFolders.map(async (p) => [p, (await vc.findByInventoryPath(p))?.value])),
      folderPermissions: [...(await permissionsByObject(vc, prodFolders)).entries()],
      sharedPermissions: [...(await permissionsByObject(vc, SHARED)).entries()].map(([p, lines]) => [p, lines.filter((l) => !l.includes('\\staging-'))]),
    });
    const prodBefore = await snapshot();
    expect(prodBefore.roles).toHaveLength(9);
    expect(prodBefore.folders.every(([, id]) => id !== undefined)).toBe(true);

    const destroyed = await staging.destroy();
    console.log(`staging destroy: ${JSON.stringify(destroyed)}`);
    expect(destroyed.nodeCalls).toEqual([]);
    const prodAfter = await snapshot();
    expect(prodAfter).toEqual(prodBefore);
    await checkStep('staging- destroyed', before, additiveLines(prodTf));
    expect((await vc.roleList()).filter((r) => r.name.startsWith('staging-'))).toEqual([]);
    console.log(
      `prod- after staging- destroy: ${prodAfter.roles.length} roles identical, ${prodAfter.folders.length} folders identical, ` +
        `${prodAfter.folderPermissions.reduce((n, [, l]) => n + l.length, 0)} folder permissions identical, ` +
        `${prodAfter.sharedPermissions.reduce((n, [, l]) => n + (l as string[]).length, 0)} permissions on shared objects identical`,
    );
  });
});
