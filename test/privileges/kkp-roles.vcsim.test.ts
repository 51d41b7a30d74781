// Every KKP role profile's roles against a real vSphere API: the govmomi simulator (v0.56.0) checks every privilege ID
// against its catalog when a role is created, as vCenter does against its own. That catalog is exactly the vCenter 8
// capture the library ships, which the first test checks. Each profile's roles, for every vSphere version its page is
// for, are created when the simulator knows all their IDs and read back exactly; a role with an ID it does not know is
// refused, and nothing is left behind.
import { KKP_ROLE_PROFILES, VSPHERE_VERSIONS, VsphereVersion, kkpRoles, privilegeCatalog, resolveKkpRole } from '../../src/privileges';
import { VcenterClient, VcenterFaultError } from '../../src/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';

// vCenter adds these to every role it creates.
const IMPLICIT = ['System.Anonymous', 'System.Read', 'System.View'];

let sim: Vcsim;
let client: VcenterClient;
let known: Set<string>;

beforeAll(async () => {
  sim = await startVcsim();
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
  known = new Set((await client.roleList()).find((r) => r.id === -1)!.privileges);
});

afterAll(async () => {
  await client?.logout();
  await sim?.stop();
});

test("the simulator's privileges (its Admin role) are exactly the library's vSphere 8.0 catalog plus System.*", async () => {
  const admin = (await client.roleList()).find((r) => r.id === -1)!;
  expect(admin.privileges.filter((id) => !id.startsWith('System.')).sort()).toEqual([...privilegeCatalog('8.0')].sort());
});

/** The vSphere versions a profile's roles are meant for (from its page's minimum, else all). */
function versionsOf(profile: (typeof KKP_ROLE_PROFILES)[number]): VsphereVersion[] {
  const from = profile.minimumVsphere ? VSPHERE_VERSIONS.indexOf(profile.minimumVsphere) : 0;
  return VSPHERE_VERSIONS.slice(from);
}

const cases = KKP_ROLE_PROFILES.flatMap((profile) => versionsOf(profile).map((version) => [profile.name, profile.first, version] as const));

describe("every profile's roles in the simulator", () => {
  test.each(cases)('%s (KKP %s) on vSphere %s: created exactly when the simulator knows every ID, refused otherwise', async (profileName, release, version) => {
    for (const role of kkpRoles(version, release)) {
      const ids = role.privileges.map((p) => p.id);
      const unknown = ids.filter((id) => !known.has(id));
      const name = `${profileName}-${version}-${role.name}`;
      if (unknown.length === 0) {
        const created = await client.addRole(name, ids);
        const stored = (await client.roleList()).find((r) => r.id === created.id);
        expect(stored?.name).toBe(name);
        expect([...stored!.privileges].sort()).toEqual([...ids, ...IMPLICIT].sort());
      } else {
        const attempt = client.addRole(name, ids);
        await expect(attempt).rejects.toBeInstanceOf(VcenterFaultError);
        await expect(attempt).rejects.toThrow(/InvalidArgument \(invalidProperty: privIds/);
        expect((await client.roleList()).some((r) => r.name === name)).toBe(false);
      }
    }
  });

  test('with the vCenter 8 catalog every profile\'s 7.0u2 and 8.0 roles exist; on 6.7 only the folder role (Unlock) is refused', async () => {
    const names = (await client.roleList()).map((r) => r.name);
    for (const profile of KKP_ROLE_PROFILES) {
      for (const version of ['7.0u2', '8.0'] as VsphereVersion[]) {
        expect(kkpRoles(version, profile.first).filter((r) => !names.includes(`${profile.name}-${version}-${r.name}`)).map((r) => r.name)).toEqual([]);
      }
    }
    for (const profile of ['kkp-2.12', 'kkp-2.14']) {
      const release = profile.slice(4) as '2.12' | '2.14';
      expect(kkpRoles('6.7', release).filter((r) => !names.includes(`${profile}-6.7-${r.name}`)).map((r) => r.name)).toEqual(['k8c-user-folder-propagate']);
    }
  });
});

test('the vSphere 6.7 folder role is refused: VirtualMachine.Config.Unlock is unknown to vCenter 8', async () => {
  const ids = resolveKkpRole('k8c-user-folder-propagate', '6.7', '2.12').privileges.map((p) => p.id);
  expect(ids).toContain('VirtualMachine.Config.Unlock');

  const attempt = client.addRole('k8c-user-folder-propagate-6.7', ids);
  await expect(attempt).rejects.toBeInstanceOf(VcenterFaultError);
  await expect(attempt).rejects.toThrow(/^vCenter AddAuthorizationRole failed: InvalidArgument \(invalidProperty: privIds; privilege IDs this vCenter does not know: .*VirtualMachine\.Config\.Unlock/);
  expect((await client.roleList()).some((r) => r.name === 'k8c-user-folder-propagate-6.7')).toBe(false);
});
