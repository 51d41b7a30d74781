// The synthesized roles and entity permissions applied by the real vSphere provider (vmware/vsphere 2.15.0) to a real
// vSphere API (the govmomi simulator, vCenter's permission semantics): `terraform apply`, every role and permission
// read back over SOAP, the re-plan, and `destroy`. Every privilege ID is accepted, every inventory path we write
// resolves to an object of exactly the entity type we emit, and the permissions read back as synthesized.
import { KkpRoles, PredefinedRole, VsphereInventory, VspherePermissions } from '../../src';
import { VcenterClient, VcenterEntityPermission } from '../../src/tools/vcenter';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { plannedChanges, providerStack, stateResources, vsphereWorkspace } from '../support/vsphere-provider';
import { resources, synthJson } from './support';

// vCenter adds these to every role it creates; the provider strips them on read.
const IMPLICIT = ['System.Anonymous', 'System.Read', 'System.View'];

let sim: Vcsim;
let client: VcenterClient;
let ws: TerraformWorkspace | undefined;

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
});

afterAll(async () => {
  ws?.remove();
  await client?.logout();
  await sim?.stop();
});

/** The simulator's inventory: datacenter DC0, cluster DC0_C0, datastore LocalDS_0, network "VM Network". */
function stackForSimulator() {
  const stack = providerStack();
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

const row = (p: { principal: string; group: boolean; roleId: number; propagate: boolean }) => ({
  principal: p.principal,
  group: p.group,
  roleId: p.roleId,
  propagate: p.propagate,
});
const key = (p: { principal: string; group: boolean }) => `${p.principal.toLowerCase()} ${p.group}`;
const sorted = <T extends { principal: string; group: boolean }>(ps: readonly T[]) => [...ps].sort((a, b) => key(a).localeCompare(key(b)));
const principalsOf = (ps: readonly VcenterEntityPermission[]) => ps.map((p) => `${p.group ? 'group' : 'user'} ${p.principal}`).sort();

test('synthesized roles and permissions, applied by the real provider: read back exactly, re-planned clean, destroyed', async () => {
  const json = stackForSimulator();
  const applied = resources(json, 'vsphere_entity_permissions');
  expect(applied.map((r) => r['//'].kkp.entity).sort()).toEqual(['/', '/DC0', '/DC0/datastore/LocalDS_0', '/DC0/host/DC0_C0', '/DC0/network/VM Network']);
  // Before: only the simulator's own principals, on the root folder.
  expect(principalsOf(await client.retrieveAllPermissions())).toEqual(['group root', 'user admin', 'user root']);

  ws = vsphereWorkspace(sim, json);
  expect(ws.apply().stdout).toContain('Apply complete! Resources: 11 added, 0 changed, 0 destroyed.');
  const state = ws.state();

  // vsphere_role: every role was accepted (the simulator checks each privilege ID) and holds exactly its IDs.
  const roleIds = new Map<string, number>();
  const vcRoles = await client.roleList();
  for (const [key_, role] of Object.entries<any>(json.resource.vsphere_role)) {
    const id = Number(stateResources(state, 'vsphere_role').get(`vsphere_role.${key_}`).id);
    roleIds.set(`\${vsphere_role.${key_}.id}`, id);
    const stored = vcRoles.find((r) => r.id === id)!;
    expect([stored.name, [...stored.privileges].sort()]).toEqual([role.name, [...role.role_privileges, ...IMPLICIT].sort()]);
  }
  expect(roleIds.size).toBe(6);

  const permissionsState = stateResources(state, 'vsphere_entity_permissions');
  const others = new Map<string, string[]>();
  for (const [key_, resource] of Object.entries<any>(json.resource.vsphere_entity_permissions)) {
    const path: string = resource['//'].kkp.entity;
    const moRef = path === '/' ? client.rootFolder : await client.findByInventoryPath(path);
    expect(moRef).toBeDefined();
    // The entity type we emit is the managed object type vSphere has at that path (networks: from the data source),
    // and the data source's id is that object.
    const values = permissionsState.get(`vsphere_entity_permissions.${key_}`);
    expect([path, values.entity_type, values.entity_id]).toEqual([path, moRef!.type, moRef!.value]);
    expect([path, resource['//'].kkp.entityType ?? 'Network']).toEqual([path, moRef!.type]);

    const permissions = resource.permissions.map((p: any) => ({
      principal: p.user_or_group,
      group: p.is_group,
      roleId: roleIds.get(p.role_id) ?? Number(p.role_id),
      propagate: p.propagate,
    }));
    const readBack = (await client.retrieveEntityPermissions(moRef!)).map(row);
    // vCenter's SetEntityPermissions adds or updates the listed principals and keeps the others: on the root folder
    // the simulator's own admin/root principals stay beside ours, and the provider reads them into state.
    const ours = new Set(permissions.map(key));
    expect(sorted(readBack.filter((p) => ours.has(key(p))))).toEqual(sorted(permissions));
    others.set(path, readBack.filter((p) => !ours.has(key(p))).map((p) => `${p.group ? 'group' : 'user'} ${p.principal}`).sort());
    expect([path, others.get(path)]).toEqual([path, path === '/' ? ['group root', 'user admin', 'user root'] : []]);
  }

  // The re-plan: the root folder is managed authoritatively (keep: Administrator only), so the provider, having read
  // the simulator's own principals into state, plans to remove exactly those three there, and nothing else.
  const plan = ws.planJson();
  expect(plannedChanges(plan)).toEqual([`vsphere_entity_permissions.${rootKey(json)} update`]);
  const [rootChange] = plan.resource_changes.filter((c: any) => c.change.actions[0] === 'update');
  const principals = (ps: any[]) => ps.map((p) => `${p.is_group ? 'group' : 'user'} ${p.user_or_group}`).sort();
  const removed = principals(rootChange.change.before.permissions).filter((p) => !principals(rootChange.change.after.permissions).includes(p));
  expect(removed).toEqual(['group root', 'user admin', 'user root']);
  ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
  expect(principalsOf(await client.retrieveEntityPermissions(client.rootFolder))).toEqual(['user VSPHERE.LOCAL\\Administrator', 'user VSPHERE.LOCAL\\machine-controller']);
  expect(ws.planExitCode()).toBe(0);

  // destroy: every role and every permission in state goes; here that is every permission the vCenter had.
  expect(ws.destroy().stdout).toContain('Destroy complete! Resources: 11 destroyed.');
  expect(await client.retrieveAllPermissions()).toEqual([]);
  expect((await client.roleList()).filter((r) => !r.system)).toEqual([]);
}, 120_000);

function rootKey(json: any): string {
  return Object.entries<any>(json.resource.vsphere_entity_permissions).find(([, r]) => r['//'].kkp.entity === '/')![0];
}
