// The additive default for shared objects, as synthesized: one terraform_data block per stack, one for_each instance
// per (object, principal), provisioners that run `grant --stack` / `revoke --stack` with the grant from self.input.
// What those do against vCenter is tested end to end in test/e2e/additive-grants.test.ts and test/cli/grant.test.ts.
import { Testing } from 'cdktf';
import { KkpRoles, PredefinedRole, Principal, VmFolder, VsphereInventory, VspherePermissions } from '../../src';
import { newStack, resources, synthJson } from './support';

function setUp() {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
  return { stack, inventory, roles };
}

const block = (json: any) => {
  const all = Object.entries<any>(json.resource.terraform_data);
  expect(all).toHaveLength(1);
  return { name: all[0][0], ...all[0][1] };
};

describe('additive grants', () => {
  test('one instance per object and principal, with everything the commands need and nothing secret', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp-mc', role: roles.role('k8c-user-datastore-propagate'), entity: inventory.datastore('ds-1'), propagate: true });
    VspherePermissions.grant({ principal: Principal.group('VSPHERE.LOCAL\\KKP Auditors'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    const b = block(json);
    const role = Object.keys(json.resource.vsphere_role)[0];
    expect(b).toEqual({
      name: expect.stringMatching(/^KkpVspherePermissions_AdditiveGrants_[0-9A-F]{8}$/),
      for_each: {
        '/dc-1 group vsphere.local\\kkp auditors': {
          object: '/dc-1', principal: 'VSPHERE.LOCAL\\KKP Auditors', isGroup: true, role: 'Read-only', propagate: false, adopt: false, kind: 'datacenter', entityType: 'Datacenter',
        },
        '/dc-1/datastore/ds-1 user vsphere.local\\kkp-mc': {
          object: '/dc-1/datastore/ds-1', principal: 'VSPHERE.LOCAL\\kkp-mc', isGroup: false, role: 'kkp-k8c-user-datastore-propagate', propagate: true, adopt: false, kind: 'datastore', entityType: 'Datastore',
        },
      },
      input: '${each.value}',
      // Replaced when what vCenter holds changes; the principal's spelling is compared lower-cased, as vCenter does.
      triggers_replace: '${[each.value.object, lower(each.value.principal), each.value.isGroup, each.value.role, each.value.propagate]}',
      lifecycle: { create_before_destroy: true },
      depends_on: [`vsphere_role.${role}`],
      provisioner: [
        {
          'local-exec': {
            command: 'npx --no-install cdktf-kkp-vsphere grant --stack',
            environment: { KKP_VSPHERE_GRANT: '${jsonencode(self.input)}', KKP_VSPHERE_STACK_ROLES: '["kkp-k8c-user-datastore-propagate"]' },
          },
        },
        { 'local-exec': { when: 'destroy', command: 'npx --no-install cdktf-kkp-vsphere revoke --stack', environment: { KKP_VSPHERE_GRANT: '${jsonencode(self.input)}' } } },
      ],
      '//': expect.objectContaining({
        kkp: {
          management: 'additive',
          objects: [
            {
              entity: '/dc-1/datastore/ds-1', kind: 'datastore', entityType: 'Datastore', management: 'additive',
              permissions: [{ principal: 'VSPHERE.LOCAL\\kkp-mc', isGroup: false, role: 'kkp-k8c-user-datastore-propagate', propagate: true, grantedRoles: ['kkp-k8c-user-datastore-propagate'], instance: '/dc-1/datastore/ds-1 user vsphere.local\\kkp-mc' }],
            },
            {
              entity: '/dc-1', kind: 'datacenter', entityType: 'Datacenter', management: 'additive',
              permissions: [{ principal: 'VSPHERE.LOCAL\\KKP Auditors', isGroup: true, role: 'Read-only', propagate: false, grantedRoles: ['Read-only'], instance: '/dc-1 group vsphere.local\\kkp auditors' }],
            },
          ],
        },
      }),
    });
    expect(resources(json, 'vsphere_entity_permissions')).toEqual([]);
    expect(JSON.stringify(b)).not.toMatch(/PASSWORD|VSPHERE_USER|\$\{var\./);
  });

  test('the block is there, empty, in a stack with no additive grant: removing the last grant later still runs its revoke', () => {
    const { stack, inventory, roles } = setUp();
    new VmFolder(stack, 'F', { inventory, path: 'kkp' }).grant('A\\mc', roles.role('k8c-user-folder-propagate'), { propagate: true });
    const b = block(synthJson(stack));
    expect([b.for_each, b.depends_on, b['//'].kkp]).toEqual([{}, undefined, { management: 'additive', objects: [] }]);
    // What the README says to keep for one deploy when retiring every grant: the registry alone keeps the block.
    const bare = newStack();
    VspherePermissions.of(bare);
    expect(block(synthJson(bare)).for_each).toEqual({});
  });

  test('owned folders and objects taken over explicitly keep one vsphere_entity_permissions, also when taken over after the grant', () => {
    const { stack, inventory, roles } = setUp();
    const net = inventory.network('workers');
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8s-network-attach'), entity: net, propagate: false });
    new VmFolder(stack, 'F', { inventory, path: 'kkp' }).grant('A\\mc', roles.role('k8c-user-folder-propagate'), { propagate: true });
    VspherePermissions.manageAuthoritatively(net, { keep: [] });
    const json = synthJson(stack);
    expect(resources(json, 'vsphere_entity_permissions').map((r) => [r['//'].kkp.entity, r['//'].kkp.management]).sort()).toEqual([
      ['/dc-1/network/workers', 'authoritative'],
      ['/dc-1/vm/kkp', 'owned'],
    ]);
    expect(block(json).for_each).toEqual({});
  });

  test('two roles for one principal on a shared object: one instance with the merged role, which it depends on', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    VspherePermissions.grant({ principal: 'A\\kkp', role: roles.role('k8c-user-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: 'A\\kkp', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    const json = synthJson(stack);
    const b = block(json);
    const merged = [roles.role('k8c-storage-datastore-propagate').roleName, roles.role('k8c-user-datastore-propagate').roleName].sort().join('+');
    expect(Object.values<any>(b.for_each).map((g) => g.role)).toEqual([merged]);
    const mergedRole = Object.entries<any>(json.resource.vsphere_role).find(([, r]) => r.name === merged)![0];
    expect(b.depends_on).toEqual([`vsphere_role.${mergedRole}`]);
    expect(JSON.parse(b.provisioner[0]['local-exec'].environment.KKP_VSPHERE_STACK_ROLES)).toContain(merged);
  });

  test('adopt: set on the instance and in the metadata; refused where one vsphere_entity_permissions manages the object', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false, adopt: true });
    const b = block(synthJson(stack));
    expect(Object.values<any>(b.for_each)[0].adopt).toBe(true);
    expect(b['//'].kkp.objects[0].permissions[0].adopt).toBe(true);

    const other = setUp();
    const folder = new VmFolder(other.stack, 'F', { inventory: other.inventory, path: 'kkp' });
    VspherePermissions.grant({ principal: 'A\\mc', role: other.roles.role('k8c-user-folder-propagate'), entity: folder, propagate: true, adopt: true });
    expect(() => Testing.synth(other.stack, true)).toThrow(
      'The grant to A\\mc on /dc-1/vm/kkp sets adopt, but that object\'s permissions are managed by one vsphere_entity_permissions (owned), ' +
        'which replaces whatever is there anyway. Remove adopt: it applies to additive grants on shared objects only.',
    );
  });

  test('a principal with Terraform template sequences is written literally (inventory names refuse them already)', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc-${x}-%{y}', role: roles.role('k8s-network-attach'), entity: inventory.network('net'), propagate: false });
    const b = block(synthJson(stack));
    expect(Object.keys(b.for_each)).toEqual(['/dc-1/network/net user a\\mc-$${x}-%%{y}']);
    expect(Object.values<any>(b.for_each)[0].principal).toBe('A\\mc-$${x}-%%{y}');
  });

  test('the same grants in another order synthesize the same Terraform', () => {
    const build = (reverse: boolean) => {
      const { stack, inventory, roles } = setUp();
      const grants = [
        () => VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-vcenter'), entity: inventory.vcenter(), propagate: false }),
        () => VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false }),
        () => VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false }),
      ];
      (reverse ? grants.reverse() : grants).forEach((g) => g());
      return block(synthJson(stack)).for_each;
    };
    expect(JSON.stringify(build(true))).toBe(JSON.stringify(build(false)));
  });
});
