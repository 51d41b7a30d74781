// The vCenter SOAP client against the govmomi vCenter simulator (a real vim25 server, vCenter 8 privilege catalog).
import { ManagedObjectReference, VcenterClient, VcenterFaultError } from '../../src/tools/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';

// vCenter adds these to every role it creates.
const IMPLICIT = ['System.Anonymous', 'System.Read', 'System.View'];

let sim: Vcsim;
let client: VcenterClient;
let dc0: ManagedObjectReference;

beforeAll(async () => {
  sim = await startVcsim();
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
  dc0 = (await client.findByInventoryPath('/DC0'))!;
});

afterAll(async () => {
  await client?.logout();
  await sim?.stop();
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('connect', () => {
  test('logs in with the password (which holds & < > " \') and names the root folder', async () => {
    expect(sim.password).toMatch(/[&<>"']/);
    expect(client.rootFolder).toEqual({ type: 'Folder', value: 'group-d1' });
  });

  test('a wrong password is refused with InvalidLogin, and neither password is in the error', async () => {
    const wrong = `${sim.password}-wrong`;
    const err = await errorOf(VcenterClient.connect({ url: sim.url, user: sim.user, password: wrong }));
    expect(err).toBeInstanceOf(VcenterFaultError);
    expect((err as VcenterFaultError).fault).toBe('InvalidLogin');
    expect(err.message).toMatch(/^vCenter Login failed: InvalidLogin/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(sim.password);
  });

  test('a wrong user is refused', async () => {
    const err = await errorOf(VcenterClient.connect({ url: sim.url, user: 'someone-else', password: sim.password }));
    expect((err as VcenterFaultError).fault).toBe('InvalidLogin');
  });

  test('accepts the URL with /sdk and a trailing slash', async () => {
    const other = await VcenterClient.connect({ url: `${sim.url}/sdk/`, user: sim.user, password: sim.password });
    await expect(other.findByInventoryPath('/DC0')).resolves.toEqual(dc0);
    await other.logout();
  });

  test('after logout the session is gone: the simulator answers NotAuthenticated', async () => {
    const other = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
    await other.logout();
    const err = await errorOf(other.findByInventoryPath('/DC0'));
    expect((err as VcenterFaultError).fault).toBe('NotAuthenticated');
  });

  test('credentials in the URL are refused without echoing them', async () => {
    const url = sim.url.replace('://', `://${encodeURIComponent(sim.user)}:${encodeURIComponent(sim.password)}@`);
    const err = await errorOf(VcenterClient.connect({ url, user: sim.user, password: sim.password }));
    expect(err.message).toBe('vCenter url must not contain credentials: pass user and password as their own options.');
  });

  test('an unreachable server is an error that names the endpoint, not the password', async () => {
    const err = await errorOf(VcenterClient.connect({ url: 'http://127.0.0.1:1', user: sim.user, password: sim.password }));
    expect(err.message).toMatch(/^vCenter RetrieveServiceContent failed: cannot reach http:\/\/127\.0\.0\.1:1\/sdk \(connect ECONNREFUSED/);
    expect(err.message).not.toContain(sim.password);
  });

  test('a server that does not answer SOAP is an error with its HTTP status', async () => {
    const err = await errorOf(VcenterClient.connect({ url: `${sim.url}/not-a-vcenter`, user: sim.user, password: sim.password }));
    expect(err.message).toBe(
      `vCenter RetrieveServiceContent failed: ${sim.url}/not-a-vcenter/sdk answered HTTP 404 without a SOAP body.`,
    );
  });

  test('a password XML cannot carry is refused by name, without its value', async () => {
    const password = 'secret\u0001value';
    const err = await errorOf(VcenterClient.connect({ url: sim.url, user: sim.user, password }));
    expect(err.message).toBe('password contains the character U+0001, which XML cannot carry: remove it.');
  });
});

describe('findByInventoryPath', () => {
  test('finds the datacenter, a folder and a cluster', async () => {
    expect(dc0).toEqual({ type: 'Datacenter', value: expect.any(String) });
    expect((await client.findByInventoryPath('/DC0/vm'))?.type).toBe('Folder');
    expect((await client.findByInventoryPath('/DC0/host/DC0_C0'))?.type).toBe('ClusterComputeResource');
  });

  test('answers undefined for a path that does not exist', async () => {
    await expect(client.findByInventoryPath('/DC0/vm/no-such-folder')).resolves.toBeUndefined();
  });
});

describe('roles', () => {
  test('lists the predefined roles: Admin is -1, Read-only is -2', async () => {
    const roles = await client.roleList();
    expect(roles.find((r) => r.id === -1)).toMatchObject({ name: 'Admin', system: true });
    expect(roles.find((r) => r.id === -2)).toMatchObject({ name: 'ReadOnly', label: 'Read-only', privileges: IMPLICIT });
  });

  test('a role with valid privilege IDs reads back with exactly those privileges plus the implicit System.*', async () => {
    const privileges = ['Datastore.AllocateSpace', 'Datastore.Browse', 'VirtualMachine.Config.AddExistingDisk', 'Folder.Create'];
    const created = await client.addRole('kkp-test-valid', privileges);
    expect(created.id).toEqual(expect.any(Number));
    expect(created.system).toBe(false);

    const listed = (await client.roleList()).find((r) => r.name === 'kkp-test-valid');
    expect(listed).toEqual(created);
    expect([...listed!.privileges].sort()).toEqual([...privileges, ...IMPLICIT].sort());

    await client.removeRole(created.id);
    expect((await client.roleList()).some((r) => r.name === 'kkp-test-valid')).toBe(false);
  });

  test('two new roles get distinct ids (read back by name, not from the simulator answer)', async () => {
    const a = await client.addRole('kkp-test-a', ['Folder.Create']);
    const b = await client.addRole('kkp-test-b', ['Folder.Delete']);
    expect(a.id).not.toBe(b.id);
    expect(b.privileges).toContain('Folder.Delete');
    await client.removeRole(a.id);
    await client.removeRole(b.id);
  });

  test('a role name with XML metacharacters round-trips', async () => {
    const name = `kkp <"test"> & 'co'`;
    const role = await client.addRole(name, ['Folder.Create']);
    expect(role.name).toBe(name);
    await client.removeRole(role.id);
  });

  test('an unknown privilege ID fails with InvalidArgument naming privIds and the ID, and creates nothing', async () => {
    const err = await errorOf(
      client.addRole('kkp-test-unknown', ['Folder.Create', 'VirtualMachine.Config.Unlock']),
    );
    expect(err).toBeInstanceOf(VcenterFaultError);
    expect((err as VcenterFaultError).fault).toBe('InvalidArgument');
    expect(err.message).toBe(
      'vCenter AddAuthorizationRole failed: InvalidArgument (invalidProperty: privIds; ' +
        'privilege IDs this vCenter does not know: VirtualMachine.Config.Unlock)',
    );
    expect((await client.roleList()).some((r) => r.name === 'kkp-test-unknown')).toBe(false);
  });

  test('a duplicate role name fails with AlreadyExists', async () => {
    const role = await client.addRole('kkp-test-dup', ['Folder.Create']);
    const err = await errorOf(client.addRole('kkp-test-dup', ['Folder.Create']));
    expect((err as VcenterFaultError).fault).toBe('AlreadyExists');
    await client.removeRole(role.id);
  });

  test('removing a role that does not exist fails with NotFound', async () => {
    const err = await errorOf(client.removeRole(987654));
    expect(err.message).toBe('vCenter RemoveAuthorizationRole failed: NotFound');
  });
});

describe('entity permissions', () => {
  test('permissions set on /DC0 read back with principal, role id, propagation and group flag', async () => {
    const role = await client.addRole('kkp-test-perm', ['Datastore.Browse']);
    await client.setEntityPermissions(dc0, [
      { principal: 'VSPHERE.LOCAL\\kkp-storage', group: false, roleId: role.id, propagate: false },
      { principal: 'VSPHERE.LOCAL\\KKP Admins & <Ops>', group: true, roleId: -2, propagate: true },
    ]);

    const direct = await client.retrieveEntityPermissions(dc0);
    expect(direct).toEqual([
      { entity: dc0, principal: 'VSPHERE.LOCAL\\kkp-storage', group: false, roleId: role.id, propagate: false },
      { entity: dc0, principal: 'VSPHERE.LOCAL\\KKP Admins & <Ops>', group: true, roleId: -2, propagate: true },
    ]);

    // Inherited adds the root folder's Admin permissions of the simulator's default users.
    const inherited = await client.retrieveEntityPermissions(dc0, true);
    expect(inherited.slice(0, 2)).toEqual(direct);
    expect(inherited.slice(2).every((p) => p.entity.value === 'group-d1' && p.roleId === -1)).toBe(true);
    expect(inherited.length).toBeGreaterThan(2);

    await client.removeEntityPermission(dc0, 'VSPHERE.LOCAL\\KKP Admins & <Ops>', true);
    expect((await client.retrieveEntityPermissions(dc0)).map((p) => p.principal)).toEqual(['VSPHERE.LOCAL\\kkp-storage']);

    await client.removeEntityPermission(dc0, 'VSPHERE.LOCAL\\kkp-storage', false);
    await expect(client.retrieveEntityPermissions(dc0)).resolves.toEqual([]);
    await client.removeRole(role.id);
  });

  test('a fractional role id is refused before anything is sent', async () => {
    const err = await errorOf(client.setEntityPermissions(dc0, [{ principal: 'x', group: false, roleId: 1.5, propagate: true }]));
    expect(err.message).toBe('vCenter permission roleId must be an integer role id, got 1.5.');
  });
});
