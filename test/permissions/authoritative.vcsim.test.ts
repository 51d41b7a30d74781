// `VspherePermissions.manageAuthoritatively` applied for real: the real vSphere provider (vmware/vsphere 2.15.0) against
// the simulator with vCenter's per-principal permission semantics. Other principals' permissions are planted on the
// shared objects first (one of them listed as `keep`); after each apply, re-plan and destroy, every permission on the
// objects is read back over SOAP. What this measures is what the README's "Authoritative management" says.
import { KkpRoles, PredefinedRole, Principal, VsphereInventory, VspherePermissions } from '../../src';
import { ManagedObjectReference, VcenterClient } from '../../src/tools/vcenter';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { plannedChanges, providerStack, vsphereWorkspace } from '../support/vsphere-provider';
import { synthJson } from './support';

const MC = 'VSPHERE.LOCAL\\machine-controller';
const KEPT = 'VSPHERE.LOCAL\\storage-admins';
const DATASTORE = '/DC0/datastore/LocalDS_0';
const NETWORK = '/DC0/network/VM Network';

let sim: Vcsim;
let vc: VcenterClient;
let ws: TerraformWorkspace | undefined;
let roleNames: Map<number, string>;

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
});

afterAll(async () => {
  ws?.remove();
  await vc?.logout();
  await sim?.stop();
});

/**
 * The stack: KKP's datastore role for machine-controller on the datastore, managed authoritatively and keeping the
 * storage admins' group; the network role on the network, managed authoritatively keeping nothing.
 */
function stack() {
  const s = providerStack();
  const inventory = new VsphereInventory(s, 'Inventory', { datacenter: 'DC0' });
  const roles = new KkpRoles(s, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0' });
  const datastore = inventory.datastore('LocalDS_0');
  const network = inventory.network('VM Network');
  VspherePermissions.grant({ principal: MC, role: roles.role('user-datastore'), entity: datastore, propagate: true });
  VspherePermissions.grant({ principal: MC, role: roles.role('network-attach'), entity: network, propagate: false });
  VspherePermissions.manageAuthoritatively(datastore, { keep: [{ principal: Principal.group(KEPT), role: PredefinedRole.ADMINISTRATOR, propagate: true }] });
  VspherePermissions.manageAuthoritatively(network, { keep: [] });
  return synthJson(s);
}

async function object(path: string): Promise<ManagedObjectReference> {
  return (await vc.findByInventoryPath(path))!;
}

/** Every direct permission on an object, as `group|user <principal> <role name> [propagate]`, sorted. */
async function readBack(path: string): Promise<string[]> {
  roleNames = new Map((await vc.roleList()).map((r) => [r.id, r.system ? r.label : r.name]));
  return (await vc.retrieveEntityPermissions(await object(path)))
    .map((p) => `${p.group ? 'group' : 'user'} ${p.principal} ${roleNames.get(p.roleId) ?? p.roleId}${p.propagate ? ' propagate' : ''}`)
    .sort();
}

async function plant(path: string, principal: string, group: boolean, roleId: number, propagate: boolean): Promise<void> {
  await vc.setEntityPermissions(await object(path), [{ principal, group, roleId, propagate }]);
}

const principals = (ps: readonly any[] | undefined) => (ps ?? []).map((p) => `${p.is_group ? 'group' : 'user'} ${p.user_or_group}`).sort();

test('on apply it adds its own and keeps everyone else; the second apply removes every principal neither granted nor kept; destroy removes everything, kept permissions included', async () => {
  const json = stack();
  const address = (path: string) =>
    `vsphere_entity_permissions.${Object.entries<any>(json.resource.vsphere_entity_permissions).find(([, r]) => r['//'].kkp.entity === path)![0]}`;
  // The kept permission exists already, as keep says; two other teams' permissions beside it.
  await plant(DATASTORE, KEPT, true, -1, true);
  await plant(DATASTORE, 'VSPHERE.LOCAL\\backup-team', true, -2, true);
  await plant(DATASTORE, 'VSPHERE.LOCAL\\auditor', false, -2, false);
  // On the network, another team's group that happens to have the name of the user the stack grants to.
  await plant(NETWORK, MC, true, -2, false);
  const before = { datastore: await readBack(DATASTORE), network: await readBack(NETWORK) };
  expect(before).toEqual({
    datastore: ['group VSPHERE.LOCAL\\backup-team Read-only propagate', `group ${KEPT} Administrator propagate`, 'user VSPHERE.LOCAL\\auditor Read-only'],
    network: [`group ${MC} Read-only`],
  });

  // First apply: the provider's create sets the stack's permissions (SetEntityPermissions) and removes nothing.
  ws = vsphereWorkspace(sim, json);
  ws.apply();
  const firstApply = { datastore: await readBack(DATASTORE), network: await readBack(NETWORK) };
  expect(firstApply).toEqual({
    datastore: [...before.datastore, `user ${MC} k8c-user-datastore-propagate propagate`].sort(),
    network: [`group ${MC} Read-only`, `user ${MC} k8c-network-attach`],
  });

  // It read every permission of the objects into state, so the re-plan wants to remove the other teams'.
  const plan = ws.planJson();
  expect(plannedChanges(plan)).toEqual([`${address(NETWORK)} update`, `${address(DATASTORE)} update`].sort());
  const change = (path: string) => plan.resource_changes.find((c: any) => c.address === address(path)).change;
  const removedInPlan = (path: string) => principals(change(path).before.permissions).filter((p) => !principals(change(path).after.permissions).includes(p));
  expect(removedInPlan(DATASTORE)).toEqual(['group VSPHERE.LOCAL\\backup-team', 'user VSPHERE.LOCAL\\auditor']);
  expect(removedInPlan(NETWORK)).toEqual([`group ${MC}`]);

  // Second apply: the datastore keeps only the stack's grant and the kept group.
  ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
  const secondApply = { datastore: await readBack(DATASTORE), network: await readBack(NETWORK) };
  expect(secondApply.datastore).toEqual([`group ${KEPT} Administrator propagate`, `user ${MC} k8c-user-datastore-propagate propagate`]);
  // The provider removes a principal by name only when no permission in the configuration has that name (user or
  // group alike): the group named like the granted user is never removed, and every plan shows the same change.
  expect(secondApply.network).toEqual([`group ${MC} Read-only`, `user ${MC} k8c-network-attach`]);
  const again = ws.planJson();
  expect(plannedChanges(again)).toEqual([`${address(NETWORK)} update`]);

  // Someone grants on the datastore after the apply: the next plan shows its removal.
  await plant(DATASTORE, 'VSPHERE.LOCAL\\late-comer', false, -2, false);
  const late = ws.planJson();
  expect(plannedChanges(late)).toEqual([`${address(NETWORK)} update`, `${address(DATASTORE)} update`].sort());
  expect(principals(late.resource_changes.find((c: any) => c.address === address(DATASTORE)).change.before.permissions)).toContain('user VSPHERE.LOCAL\\late-comer');

  // Destroy: every principal in state is removed, the kept group and the late-comer included.
  ws.destroy();
  const destroyed = { datastore: await readBack(DATASTORE), network: await readBack(NETWORK) };
  expect(destroyed).toEqual({ datastore: [], network: [] });
}, 120_000);
