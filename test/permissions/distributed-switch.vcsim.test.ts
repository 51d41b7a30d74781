// A grant on a distributed switch, applied for real: the vSphere provider's switch data source gives the switch's
// UUID, not its managed object id, so the grant's kkpvsphere_permission names the switch by its inventory path. On
// the simulator's example inventory (switch dvs-1, a VmwareDistributedVirtualSwitch): apply sets the permission on the
// switch, the re-plan is empty, destroy removes it.
import { TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, VsphereInventory, VspherePermissions } from '../../src';
import { VcenterClient } from '../../src/tools/vcenter';
import { synthJson } from './support';
import { TerraformWorkspace } from '../support/terraform';
import { startVcsim } from '../support/vcsim';
import { vsphereEnv } from '../support/vsphere-provider';

jest.setTimeout(300_000);

test('a grant on a distributed switch lands on the switch, plans clean and is removed by destroy', async () => {
  const sim = await startVcsim({ tls: true, inventory: 'kkp-example' });
  const vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  const stack = new TerraformStack(Testing.app(), 'dvs');
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp-mc', role: roles.role('k8c-network-attach'), entity: inventory.distributedSwitch('dvs-1'), propagate: false });
  const tf = synthJson(stack);
  expect(Object.values<any>(tf.resource.kkpvsphere_permission).map((r) => [r.entity_path, r.entity_id])).toEqual([['/dc-1/network/dvs-1', undefined]]);
  const ws = TerraformWorkspace.create(tf, vsphereEnv(sim));
  try {
    const held = async () => (await vc.retrieveEntityPermissions((await vc.findByInventoryPath('/dc-1/network/dvs-1'))!)).filter((p) => p.principal === 'VSPHERE.LOCAL\\kkp-mc');
    ws.init();
    ws.apply();
    const role = (await vc.roleList()).find((r) => r.name === 'k8c-network-attach')!;
    expect((await held()).map((p) => [p.roleId, p.propagate])).toEqual([[role.id, false]]);
    expect(ws.planExitCode()).toBe(0);
    ws.destroy();
    expect(await held()).toEqual([]);
  } finally {
    ws.remove();
    await vc.logout();
    await sim.stop();
  }
});
