// The synthesized roles and entity permissions, applied to a real vSphere API (the govmomi simulator) the way the
// provider would: every privilege ID is accepted, every inventory path we write resolves to an object of exactly the
// entity type we emit, and the permissions read back as synthesized.
import { KkpRoles, PredefinedRole, VsphereInventory, VspherePermissions } from '../../src';
import { VcenterClient } from '../../src/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';
import { newStack, resources, synthJson } from './support';

let sim: Vcsim;
let client: VcenterClient;

beforeAll(async () => {
  sim = await startVcsim();
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
});

afterAll(async () => {
  await client?.logout();
  await sim?.stop();
});

/** The simulator's inventory: datacenter DC0, cluster DC0_C0, datastore LocalDS_0, network "VM Network". */
function stackForSimulator() {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'DC0' });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0', namePrefix: 'sim-' });
  const mc = 'VSPHERE.LOCAL\\machine-controller';
  const storage = 'VSPHERE.LOCAL\\k8c-storage';
  const grant = (principal: string, role: any, entity: any, propagate: boolean) => VspherePermissions.grant({ principal, role, entity, propagate });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastore = inventory.datastore('LocalDS_0');
  const network = inventory.network('VM Network');
  grant(mc, roles.role('k8c-user-vcenter'), inventory.vcenter(), false);
  grant(mc, roles.role('k8c-user-datacenter'), inventory.datacenter, false);
  grant(storage, PredefinedRole.READ_ONLY, inventory.datacenter, false);
  grant(mc, roles.role('k8c-user-cluster-propagate'), cluster, true);
  grant(mc, roles.role('k8c-user-datastore-propagate'), datastore, true);
  grant(storage, roles.role('k8c-storage-datastore-propagate'), datastore, true);
  grant(mc, roles.role('k8s-network-attach'), network, false);
  const admins = [{ principal: 'VSPHERE.LOCAL\\Administrator', role: PredefinedRole.ADMINISTRATOR, propagate: true }];
  for (const e of [inventory.vcenter(), inventory.datacenter, cluster, datastore, network]) {
    VspherePermissions.manageAuthoritatively(e, { keep: admins });
  }
  return synthJson(stack);
}

test('synthesized roles and permissions apply to the simulator and read back exactly', async () => {
  const json = stackForSimulator();

  // vsphere_role: every role is accepted (the simulator checks each privilege ID).
  const roleIds = new Map<string, number>();
  for (const [key, role] of Object.entries<any>(json.resource.vsphere_role)) {
    const created = await client.addRole(role.name, role.role_privileges);
    roleIds.set(`\${vsphere_role.${key}.id}`, created.id);
  }
  expect(roleIds.size).toBe(6);

  const applied = resources(json, 'vsphere_entity_permissions');
  expect(applied.map((r) => r['//'].kkp.entity).sort()).toEqual(['/', '/DC0', '/DC0/datastore/LocalDS_0', '/DC0/host/DC0_C0', '/DC0/network/VM Network']);
  for (const resource of applied) {
    const path: string = resource['//'].kkp.entity;
    const moRef = path === '/' ? client.rootFolder : await client.findByInventoryPath(path);
    expect(moRef).toBeDefined();
    // The entity type we emit is the managed object type vSphere has at that path (networks: from the data source).
    const emittedType = resource['//'].kkp.entityType ?? 'Network';
    expect([path, moRef!.type]).toEqual([path, emittedType]);

    const permissions = resource.permissions.map((p: any) => ({
      principal: p.user_or_group,
      group: p.is_group,
      roleId: roleIds.get(p.role_id) ?? Number(p.role_id),
      propagate: p.propagate,
    }));
    await client.setEntityPermissions(moRef!, permissions);
    const readBack = (await client.retrieveEntityPermissions(moRef!)).map((p) => ({
      principal: p.principal,
      group: p.group,
      roleId: p.roleId,
      propagate: p.propagate,
    }));
    // vCenter's SetEntityPermissions adds or updates the listed principals and keeps the others: on the root folder
    // the simulator's own admin/root principals stay beside ours (the provider then reads them into state).
    const key = (p: any) => `${p.principal.toLowerCase()} ${p.group}`;
    const ours = new Set(permissions.map(key));
    const sorted = (ps: any[]) => [...ps].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(readBack.filter((p) => ours.has(key(p))))).toEqual(sorted(permissions));
    const others = readBack.filter((p) => !ours.has(key(p))).map((p) => `${p.group ? 'group' : 'user'} ${p.principal}`).sort();
    expect([path, others]).toEqual([path, path === '/' ? ['group root', 'user admin', 'user root'] : []]);
  }
});
