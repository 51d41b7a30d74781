// Grants on a distributed switch, applied for real: the vSphere provider's switch data source gives the switch's
// UUID, not its managed object id, so the switch's kkpvsphere_permissions names it by its inventory path, and an
// adopted permission there is imported by path (`<path>:<principal>`). On the simulator's example inventory (switch
// dvs-1, a VmwareDistributedVirtualSwitch): a hand-made permission of one principal is adopted and another principal
// added in the same apply, another team's permission stays untouched; the re-plan is empty; a permission removed on
// vCenter is an in-place update of the switch's one resource and apply restores it; destroy removes the stack's
// principals only.
import { TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, PredefinedRole, Principal, VsphereInventory, VspherePermissions } from '../../src';
import { VcenterClient } from '../../src/tools/vcenter';
import { synthJson } from './support';
import { TerraformWorkspace } from '../support/terraform';
import { startVcsim } from '../support/vcsim';
import { plannedChanges, vsphereEnv } from '../support/vsphere-provider';

jest.setTimeout(300_000);

const DVS = '/dc-1/network/dvs-1';
const MC = 'VSPHERE.LOCAL\\kkp-mc';
const ADMINS = 'VSPHERE.LOCAL\\net-admins';
const OTHER = 'VSPHERE.LOCAL\\other-team';

test('grants on a distributed switch: one kkpvsphere_permissions by path, an adopted permission imported by path, drift an in-place update, destroy removes only its own', async () => {
  const sim = await startVcsim({ tls: true, inventory: 'kkp-example' });
  const vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  const stack = new TerraformStack(Testing.app(), 'dvs');
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  const dvs = inventory.distributedSwitch('dvs-1');
  VspherePermissions.grant({ principal: MC, role: roles.role('k8c-network-attach'), entity: dvs, propagate: false });
  VspherePermissions.grant({ principal: Principal.group(ADMINS), role: PredefinedRole.READ_ONLY, entity: dvs, propagate: false, adopt: true });
  const tf = synthJson(stack);
  const [[name, resource], ...more] = Object.entries<any>(tf.resource.kkpvsphere_permissions);
  expect(more).toEqual([]);
  expect([resource.entity_path, resource.entity_id, resource.entity_type, Object.keys(resource.permissions)]).toEqual([DVS, undefined, undefined, [MC, ADMINS]]);
  const address = `kkpvsphere_permissions.${name}`;
  expect(tf.import).toEqual([{ to: address, id: `${DVS}:group:${ADMINS}` }]);

  const ws = TerraformWorkspace.create(tf, vsphereEnv(sim));
  try {
    const switchRef = (await vc.findByInventoryPath(DVS))!;
    expect(switchRef.type).toBe('VmwareDistributedVirtualSwitch');
    const held = async () =>
      (await vc.retrieveEntityPermissions(switchRef)).map((p) => `${p.group ? 'group' : 'user'} ${p.principal} ${p.roleId} ${p.propagate}`).sort();
    // by hand before the stack: the admins' permission (to adopt, as Admin propagating) and another team's
    await vc.setEntityPermissions(switchRef, [
      { principal: ADMINS, group: true, roleId: -1, propagate: true },
      { principal: OTHER, group: false, roleId: -2, propagate: true },
    ]);
    ws.init();
    const plan = ws.planJson();
    // the switch's one resource: imported (the admins), updated in the same apply (their role, and the
    // machine-controller added); beside it, the role
    const roleAddress = `vsphere_role.${Object.keys(tf.resource.vsphere_role)[0]}`;
    expect(plannedChanges(plan)).toEqual([`${address} update`, `${roleAddress} create`]);
    expect(plan.resource_changes.find((c: any) => c.address === address).change.importing).toEqual({ id: `${DVS}:group:${ADMINS}` });
    ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const role = (await vc.roleList()).find((r) => r.name === 'k8c-network-attach')!;
    const applied = [`group ${ADMINS} -2 false`, `user ${MC} ${role.id} false`, `user ${OTHER} -2 true`].sort();
    expect(await held()).toEqual(applied);
    // the import block stays while adopt is set: the resource is in the state, nothing to do
    expect(ws.planExitCode()).toBe(0);

    // drift: the machine-controller's permission removed on vCenter is an update of the switch's resource
    await vc.removeEntityPermission(switchRef, MC, false);
    const drift = ws.planJson();
    expect(plannedChanges(drift)).toEqual([`${address} update`]);
    expect(Object.keys(drift.resource_changes.find((c: any) => c.address === address).change.before.permissions).sort()).toEqual([ADMINS]);
    ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    expect(await held()).toEqual(applied);
    expect(ws.planExitCode()).toBe(0);

    ws.destroy();
    expect(await held()).toEqual([`user ${OTHER} -2 true`]);
  } finally {
    ws.remove();
    await vc.logout();
    await sim.stop();
  }
});
