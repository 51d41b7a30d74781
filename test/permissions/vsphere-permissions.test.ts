import {
  KkpRoles,
  PredefinedRole,
  Principal,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
  VsphereRole,
} from '../../src';
import { newStack, permissionsOn, resources, roleNamed, synthJson } from './support';

function setUp() {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const folder = new VmFolder(stack, 'Kkp', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0' });
  return { stack, inventory, folder, roles };
}

describe('VspherePermissions: one vsphere_entity_permissions per object', () => {
  test('grants from several constructs on one object become one resource, principals sorted case-insensitively', () => {
    const { stack, folder, roles } = setUp();
    folder.grant('VSPHERE.LOCAL\\zeta', roles.role('k8c-user-folder-propagate'), { propagate: true });
    folder.grant(Principal.group('CORP\\Alpha Team'), roles.role('k8c-storage-vmfolder-propagate'), { propagate: true });
    folder.grant('vsphere.local\\beta', roles.role('k8c-storage-vmfolder-propagate'), { propagate: true });

    const json = synthJson(stack);
    expect(resources(json, 'vsphere_entity_permissions')).toHaveLength(1);
    const perms = permissionsOn(json, '/dc-1/vm/kkp');
    expect(perms.entity_type).toBe('Folder');
    expect(perms.entity_id).toMatch(/^\$\{vsphere_folder\.Kkp_Folder_[0-9A-F]+\.id\}$/);
    expect(perms.permissions.map((p: any) => [p.user_or_group, p.is_group, p.propagate])).toEqual([
      ['CORP\\Alpha Team', true, true],
      ['vsphere.local\\beta', false, true],
      ['VSPHERE.LOCAL\\zeta', false, true],
    ]);
    expect(perms['//'].kkp.management).toBe('owned');
  });

  test('the output is the same whatever order the grants come in', () => {
    const render = (order: number[]) => {
      const { stack, folder, roles } = setUp();
      const grants = [
        () => folder.grant('A\\c', roles.role('k8c-user-folder-propagate'), { propagate: true }),
        () => folder.grant('A\\a', roles.role('k8c-storage-vmfolder-propagate'), { propagate: true }),
        () => folder.grant('A\\b', roles.role('k8c-user-folder-propagate'), { propagate: true }),
      ];
      order.forEach((i) => grants[i]());
      return permissionsOn(synthJson(stack), '/dc-1/vm/kkp').permissions;
    };
    expect(render([0, 1, 2])).toEqual(render([2, 0, 1]));
  });

  test('the same principal with two roles on one object gets one merged role with the union of privileges', () => {
    const { stack, folder, roles } = setUp();
    folder.grant('VSPHERE.LOCAL\\kkp', roles.role('k8c-user-folder-propagate'), { propagate: true });
    folder.grant('vsphere.local\\KKP', roles.role('k8c-storage-vmfolder-propagate'), { propagate: true });

    const json = synthJson(stack);
    const perms = permissionsOn(json, '/dc-1/vm/kkp').permissions;
    expect(perms).toHaveLength(1);
    const merged = roleNamed(json, 'k8c-storage-vmfolder-propagate+k8c-user-folder-propagate');
    expect(merged).toBeDefined();
    expect(perms[0].role_id).toMatch(/^\$\{vsphere_role\.KkpVspherePermissions_Merged-k8c-storage-vmfolder-propagate_k8c-user-folder-propagate_Role_[0-9A-F]+\.id\}$/);
    const union = new Set([
      ...roleNamed(json, 'k8c-user-folder-propagate').role_privileges,
      ...roleNamed(json, 'k8c-storage-vmfolder-propagate').role_privileges,
    ]);
    expect(merged.role_privileges).toEqual([...union].sort());
  });

  test('a third role replaces the intermediate merged role instead of leaving it behind', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    VspherePermissions.manageAuthoritatively(ds, { keep: [] });
    const p = 'VSPHERE.LOCAL\\all';
    VspherePermissions.grant({ principal: p, role: roles.role('k8c-user-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: p, role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: p, role: roles.role('k8c-user-folder-propagate'), entity: ds, propagate: true });

    const names = resources(synthJson(stack), 'vsphere_role').map((r) => r.name).filter((n: string) => n.includes('+'));
    expect(names).toEqual(['k8c-storage-datastore-propagate+k8c-user-datastore-propagate+k8c-user-folder-propagate']);
  });

  test('Read-only next to a custom role adds nothing: the custom role is used as is', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.manageAuthoritatively(inventory.datacenter, { keep: [] });
    VspherePermissions.grant({ principal: 'A\\u', role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    VspherePermissions.grant({ principal: 'A\\u', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    expect(resources(json, 'vsphere_role').map((r) => r.name)).toEqual(['k8c-user-datacenter']);
    expect(permissionsOn(json, '/dc-1').permissions[0].role_id).toMatch(/vsphere_role\.Roles_k8c-user-datacenter_Role_/);
  });

  test('two roles with different propagation for one principal on one object is an error', () => {
    const { folder, roles } = setUp();
    folder.grant('VSPHERE.LOCAL\\kkp', roles.role('k8c-user-folder-propagate'), { propagate: true });
    expect(() => folder.grant('VSPHERE.LOCAL\\kkp', PredefinedRole.READ_ONLY, { propagate: false })).toThrow(
      'VSPHERE.LOCAL\\kkp gets "k8c-user-folder-propagate" (propagate: true) and "Read-only" (propagate: false) on ' +
        '/dc-1/vm/kkp. vSphere allows one permission per principal per object, so both roles would have to be merged, ' +
        'but their propagation differs.',
    );
  });

  test('a predefined role that cannot be merged is an error', () => {
    const { folder, roles } = setUp();
    folder.grant('A\\u', PredefinedRole.ADMINISTRATOR, { propagate: true });
    expect(() => folder.grant('A\\u', roles.role('k8c-user-folder-propagate'), { propagate: true })).toThrow(
      /"Administrator" cannot be merged\. Grant only one of them there\./,
    );
  });

  test('one principal as user and as group on one object is an error', () => {
    const { folder, roles } = setUp();
    folder.grant(Principal.user('A\\x'), roles.role('k8c-user-folder-propagate'), { propagate: true });
    expect(() => folder.grant(Principal.group('A\\X'), roles.role('k8c-storage-vmfolder-propagate'), { propagate: true })).toThrow(
      'A\\X is granted on /dc-1/vm/kkp both as a user and as a group',
    );
  });
});

describe('ownership: shared objects are never taken over silently', () => {
  test('a grant on a shared object without a management mode is additive: no vsphere_entity_permissions takes the object over', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-cluster-propagate'), entity: inventory.computeCluster('c-1'), propagate: true });
    VspherePermissions.grant({ principal: Principal.group('A\\ops'), role: PredefinedRole.READ_ONLY, entity: inventory.computeCluster('c-1'), propagate: false });
    const json = synthJson(stack);
    expect(resources(json, 'vsphere_entity_permissions')).toEqual([]);
    // one kkpvsphere_permissions for the cluster, listing only the stack's principals (nothing else on it is touched)
    expect(
      resources(json, 'kkpvsphere_permissions').map((p) => [p['//'].kkp.entity, p['//'].kkp.management, p.entity_type, Object.keys(p.permissions)]),
    ).toEqual([['/dc-1/host/c-1', 'additive', 'ClusterComputeResource', ['A\\mc', 'A\\ops']]]);
    expect(resources(json, 'kkpvsphere_permission')).toEqual([]);
  });

  test('authoritative management keeps the listed permissions, warns, and sorts them in', () => {
    const { stack, inventory, roles } = setUp();
    const net = inventory.network('workers');
    VspherePermissions.manageAuthoritatively(net, {
      keep: [
        { principal: Principal.group('VSPHERE.LOCAL\\Administrators'), role: PredefinedRole.ADMINISTRATOR, propagate: true },
        { principal: 'CORP\\netops', role: PredefinedRole.fromId(1001, 'network-operator'), propagate: false },
      ],
    });
    VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\mc', role: roles.role('k8s-network-attach'), entity: net, propagate: false });

    const json = synthJson(stack);
    const perms = permissionsOn(json, '/dc-1/network/workers');
    expect(perms.entity_type).toMatch(/^\$\{data\.vsphere_network\.Inv_Network-_dc-1_network_workers_[0-9A-F]+\.type\}$/);
    expect(perms.permissions.map((p: any) => `${p.user_or_group}:${p.role_id}:${p.propagate}`)).toEqual([
      'CORP\\netops:1001:false',
      'VSPHERE.LOCAL\\Administrators:-1:true',
      expect.stringMatching(/^VSPHERE\.LOCAL\\mc:\$\{vsphere_role\.Roles_k8s-network-attach_Role_[0-9A-F]+\.id\}:false$/),
    ]);
    expect(perms['//'].kkp.management).toBe('authoritative');
    // Annotations are node metadata of the entity-permissions resource; cdktf prints them at synth.
    const meta = stack.node.findAll().flatMap((c) => c.node.metadata).map((m) => String(m.data));
    expect(meta).toContain(
      'Authoritative management of shared object /dc-1/network/workers: every permission on it that is neither granted ' +
        'by this stack nor kept (2 kept) is removed on apply, and all of them on destroy.',
    );
  });

  test('a principal both kept and granted is an error', () => {
    const { inventory, roles } = setUp();
    VspherePermissions.manageAuthoritatively(inventory.datacenter, { keep: [{ principal: 'A\\u', role: PredefinedRole.READ_ONLY, propagate: false }] });
    expect(() =>
      VspherePermissions.grant({ principal: 'a\\U', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false }),
    ).toThrow('a\\U is both kept and granted on /dc-1; vSphere holds one permission per principal per object.');
  });

  test('owned folders need no mode, and asking for one is an error', () => {
    const { folder } = setUp();
    expect(() => VspherePermissions.manageAuthoritatively(folder, { keep: [] })).toThrow(
      '/dc-1/vm/kkp is created by this stack, so its permissions are managed authoritatively already',
    );
  });

  test('keep must be given', () => {
    const { inventory } = setUp();
    expect(() => VspherePermissions.manageAuthoritatively(inventory.datacenter, {} as any)).toThrow(
      'manageAuthoritatively(/dc-1): options.keep must list the permissions to keep ([] for none).',
    );
  });
});

describe('roles', () => {
  test('an unknown privilege in a custom role fails with the role, ID, version and closest IDs', () => {
    const stack = newStack();
    expect(() => new VsphereRole(stack, 'R', { roleName: 'backup', privileges: ['Datastore.Brows'], vsphereVersion: '7.0' })).toThrow(
      'Role "backup": privilege "Datastore.Brows" is not known to vSphere 7.0. Closest known IDs: Datastore.Browse,',
    );
  });

  test('System.* privileges never reach the synthesized role', () => {
    const stack = newStack();
    new VsphereRole(stack, 'R', { roleName: 'viewer+', privileges: ['System.Read', 'System.View', 'Datastore.Browse'], vsphereVersion: '8.0' });
    expect(roleNamed(synthJson(stack), 'viewer+').role_privileges).toEqual(['Datastore.Browse']);
  });

  test('two roles with one name in a stack clash', () => {
    const stack = newStack();
    new KkpRoles(stack, 'A', { kkpRelease: '2.12', vsphereVersion: '8.0' }).role('k8s-network-attach');
    const second = new KkpRoles(stack, 'B', { kkpRelease: '2.12', vsphereVersion: '8.0' });
    expect(() => second.role('k8s-network-attach')).toThrow(
      'Role name clash: "k8s-network-attach" (test/B/k8s-network-attach) is already used by test/A/k8s-network-attach in this stack.',
    );
  });

  test('a name prefix keeps two KKP installations apart', () => {
    const stack = newStack();
    new KkpRoles(stack, 'Prod', { kkpRelease: '2.12', vsphereVersion: '8.0', namePrefix: 'prod-' }).role('k8s-network-attach');
    new KkpRoles(stack, 'Dev', { kkpRelease: '2.12', vsphereVersion: '8.0', namePrefix: 'dev-' }).role('k8s-network-attach');
    expect(resources(synthJson(stack), 'vsphere_role').map((r) => r.name).sort()).toEqual(['dev-k8s-network-attach', 'prod-k8s-network-attach']);
  });

  test('a predefined role name cannot be created', () => {
    const stack = newStack();
    expect(() => new VsphereRole(stack, 'R', { roleName: 'ReadOnly', privileges: ['Datastore.Browse'], vsphereVersion: '8.0' })).toThrow(
      '"ReadOnly" is the name of a predefined vCenter role; use PredefinedRole instead or pick another name.',
    );
  });

  test('an unknown vSphere version lists the supported ones', () => {
    const stack = newStack();
    expect(() => new KkpRoles(stack, 'R', { vsphereVersion: '9.0' as any })).toThrow(
      `KkpRoles test/R vsphereVersion: unknown vSphere version "9.0". Use one of '6.7', '7.0', '7.0u2', '8.0'`,
    );
  });
});

describe('principals', () => {
  test.each([
    ['k8c-storage', 'principal "k8c-storage" is not of the form DOMAIN\\name'],
    ['k8c-storage@vsphere.local', 'For "k8c-storage@vsphere.local" that is "VSPHERE.LOCAL\\k8c-storage".'],
    ['VSPHERE.LOCAL\\', 'has an empty name or white space around it'],
    ['VSPHERE LOCAL\\x', 'has an invalid domain "VSPHERE LOCAL"'],
    ['A\\b\\c', 'is not of the form DOMAIN\\name'],
    ['', 'the principal is empty'],
    ['A\\b\nc', 'contains a control character'],
  ])('%j is refused: %s', (input, message) => {
    expect(() => Principal.of(input, 'storagePrincipal')).toThrow(message);
  });

  test('groups with spaces are fine', () => {
    expect(Principal.group('CORP\\Domain Admins').key).toBe('corp\\domain admins');
  });
});
