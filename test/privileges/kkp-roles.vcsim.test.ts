// The library's KKP roles against a real vSphere API: the govmomi simulator checks every privilege ID against
// its ESXi 6.5U1 catalog when a role is created, as vCenter does against its own.
import { kkpRoles, resolveKkpRole } from '../../src/privileges';
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

describe('vSphere 6.7 KKP roles in the simulator', () => {
  const roles = kkpRoles('6.7');

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

test('the vSphere 8.0 folder role is refused: SuspendToMemory is unknown to ESXi 6.5U1', async () => {
  const ids = resolveKkpRole('k8c-user-folder-propagate', '8.0').privileges.map((p) => p.id);
  expect(ids).toContain('VirtualMachine.Interact.SuspendToMemory');

  const attempt = client.addRole('k8c-user-folder-propagate-8.0', ids);
  await expect(attempt).rejects.toBeInstanceOf(VcenterFaultError);
  await expect(attempt).rejects.toThrow(/^vCenter AddAuthorizationRole failed: InvalidArgument \(invalidProperty: privIds; privilege IDs this vCenter does not know: .*VirtualMachine\.Interact\.SuspendToMemory/);
  expect((await client.roleList()).some((r) => r.name === 'k8c-user-folder-propagate-8.0')).toBe(false);
});
