// The test simulator's permissions behave as vCenter's do (test/vcsim/authorization.go). govmomi's stock simulator
// replaces an object's whole permission list on SetEntityPermissions; on it, every grant would look destructive
// and no test could tell a grant that touches only its own principal from one that wipes other teams' access.
import { ManagedObjectReference, VcenterClient, VcenterFaultError, VcenterPermission } from '../../src/tools/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';

let sim: Vcsim;
let client: VcenterClient;
let dc0: ManagedObjectReference;
let roleId: number;

const backupTeam: VcenterPermission = { principal: 'CORP\\backup-team', group: true, roleId: -2, propagate: true };
const monitoring: VcenterPermission = { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false };

beforeAll(async () => {
  sim = await startVcsim();
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
  dc0 = (await client.findByInventoryPath('/DC0'))!;
  roleId = (await client.addRole('kkp-faithful-test', ['Datastore.Browse'])).id;
});

afterAll(async () => {
  await client?.logout();
  await sim?.stop();
});

beforeEach(async () => {
  // Start every test from the other teams' permissions only.
  for (const p of await client.retrieveEntityPermissions(dc0)) await client.removeEntityPermission(dc0, p.principal, p.group);
  await client.setEntityPermissions(dc0, [backupTeam, monitoring]);
});

async function faultOf(promise: Promise<unknown>): Promise<VcenterFaultError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VcenterFaultError) return err;
    throw err;
  }
  throw new Error('expected a vCenter fault, the call succeeded');
}

const summary = (ps: readonly VcenterPermission[]) =>
  ps.map((p) => `${p.group ? 'group' : 'user'} ${p.principal} role ${p.roleId} propagate ${p.propagate}`).sort();

describe('SetEntityPermissions adds or updates only the principals it lists (vSphere API reference: "Defines one or more permission rules on an entity or updates rules if already present for the given user or group")', () => {
  test('granting one principal keeps every other principal on the object', async () => {
    await client.setEntityPermissions(dc0, [{ principal: 'VSPHERE.LOCAL\\kkp-storage', group: false, roleId, propagate: false }]);
    expect(summary(await client.retrieveEntityPermissions(dc0))).toEqual([
      'group CORP\\backup-team role -2 propagate true',
      'user CORP\\monitoring role -2 propagate false',
      `user VSPHERE.LOCAL\\kkp-storage role ${roleId} propagate false`,
    ]);
  });

  test('setting a principal that holds a permission there updates it: one permission per principal per object', async () => {
    await client.setEntityPermissions(dc0, [{ ...monitoring, roleId, propagate: true }]);
    expect(summary(await client.retrieveEntityPermissions(dc0))).toEqual([
      'group CORP\\backup-team role -2 propagate true',
      `user CORP\\monitoring role ${roleId} propagate true`,
    ]);
  });

  test('principal names match case-insensitively, and a user and a group of one name are two principals', async () => {
    await client.setEntityPermissions(dc0, [{ ...monitoring, principal: 'corp\\MONITORING', roleId }]);
    await client.setEntityPermissions(dc0, [{ ...monitoring, group: true }]);
    expect(summary(await client.retrieveEntityPermissions(dc0))).toEqual([
      'group CORP\\backup-team role -2 propagate true',
      'group CORP\\monitoring role -2 propagate false',
      `user corp\\MONITORING role ${roleId} propagate false`,
    ]);
  });

  test('every permission read back names its entity, as vCenter fills it in', async () => {
    for (const p of await client.retrieveEntityPermissions(dc0)) expect(p.entity).toEqual(dc0);
  });
});

describe('RemoveEntityPermission removes one principal and fails with NotFound when it holds nothing there', () => {
  test('removing one principal keeps the others', async () => {
    await client.removeEntityPermission(dc0, monitoring.principal, false);
    expect(summary(await client.retrieveEntityPermissions(dc0))).toEqual(['group CORP\\backup-team role -2 propagate true']);
  });

  test('a principal without a permission on the object: NotFound, and nothing changes', async () => {
    const fault = await faultOf(client.removeEntityPermission(dc0, 'VSPHERE.LOCAL\\nobody', false));
    expect(fault.fault).toBe('NotFound');
    // The group of the same name is another principal: removing it as a group is NotFound too.
    expect((await faultOf(client.removeEntityPermission(dc0, monitoring.principal, true))).fault).toBe('NotFound');
    expect(await client.retrieveEntityPermissions(dc0)).toHaveLength(2);
  });
});

describe("a datacenter's own child folders take no permission (vCenter hides them; grant on the datacenter or a folder below)", () => {
  test.each(['vm', 'host', 'datastore', 'network'])('/DC0/%s refuses SetEntityPermissions with InvalidArgument', async (name) => {
    const folder = (await client.findByInventoryPath(`/DC0/${name}`))!;
    expect(folder.type).toBe('Folder');
    const fault = await faultOf(client.setEntityPermissions(folder, [monitoring]));
    expect(fault.fault).toBe('InvalidArgument');
    expect(fault.details.invalidProperty).toBe('entity');
    expect(await client.retrieveEntityPermissions(folder)).toEqual([]);
  });

  test('the root folder (the vCenter level) is a Folder too and takes permissions', async () => {
    await client.setEntityPermissions(client.rootFolder, [monitoring]);
    expect(summary(await client.retrieveEntityPermissions(client.rootFolder))).toContain('user CORP\\monitoring role -2 propagate false');
    await client.removeEntityPermission(client.rootFolder, monitoring.principal, false);
  });
});
