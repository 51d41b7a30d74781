// The library's KKP roles against a real vSphere API: the govmomi simulator (v0.56.0) checks every privilege ID
// against its catalog when a role is created, as vCenter does against its own. That catalog is exactly the
// vCenter 8 capture the library ships, which the first test checks.
import { kkpRoles, privilegeCatalog, resolveKkpRole } from '../../src/privileges';
import { VcenterClient, VcenterFaultError } from '../../src/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';

// vCenter adds these to every role it creates.
const IMPLICIT = ['System.Anonymous', 'System.Read', 'System.View'];

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

test("the simulator's privileges (its Admin role) are exactly the library's vSphere 8.0 catalog plus System.*", async () => {
  const admin = (await client.roleList()).find((r) => r.id === -1)!;
  expect(admin.privileges.filter((id) => !id.startsWith('System.')).sort()).toEqual([...privilegeCatalog('8.0')].sort());
});

describe('vSphere 8.0 KKP roles in the simulator', () => {
  const roles = kkpRoles('8.0');

  test('the library defines the eight custom roles', () => {
    expect(roles).toHaveLength(8);
  });

  test.each(roles.map((role) => [role.name, role] as const))('%s is created and reads back with exactly its privileges', async (name, role) => {
    const ids = role.privileges.map((p) => p.id);
    const created = await client.addRole(name, ids);

    const stored = (await client.roleList()).find((r) => r.id === created.id);
    expect(stored?.name).toBe(name);
    expect([...stored!.privileges].sort()).toEqual([...ids, ...IMPLICIT].sort());
  });
});

test('the vSphere 6.7 folder role is refused: VirtualMachine.Config.Unlock is unknown to vCenter 8', async () => {
  const ids = resolveKkpRole('k8c-user-folder-propagate', '6.7').privileges.map((p) => p.id);
  expect(ids).toContain('VirtualMachine.Config.Unlock');

  const attempt = client.addRole('k8c-user-folder-propagate-6.7', ids);
  await expect(attempt).rejects.toBeInstanceOf(VcenterFaultError);
  await expect(attempt).rejects.toThrow(/^vCenter AddAuthorizationRole failed: InvalidArgument \(invalidProperty: privIds; privilege IDs this vCenter does not know: .*VirtualMachine\.Config\.Unlock/);
  expect((await client.roleList()).some((r) => r.name === 'k8c-user-folder-propagate-6.7')).toBe(false);
});
