// The additive default for shared objects, as synthesized: one kkpvsphere_permission (this repository's provider) per
// (object, principal), its object by type and managed object id from the inventory's data source, its role by id
// (a reference to the vsphere_role, so the role exists before the grant and outlives it), and the kkpvsphere
// provider configured from the stack's vSphere provider. What the provider does against vCenter is tested in
// provider/ (Go) and test/provider; the library's grants applied whole in test/e2e/additive-grants.test.ts.
import { TerraformDataSource, Testing, TerraformStack, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, PredefinedRole, Principal, VmFolder, VsphereInventory, VspherePermissions } from '../../src';
import { newStack, resources, synthJson } from './support';

function setUp(stack = newStack()) {
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
  return { stack, inventory, roles };
}

const permissions = (json: any): [string, any][] => Object.entries<any>(json.resource.kkpvsphere_permission ?? {});

/** Keys sorted at every level: the configuration as Terraform reads it, whatever order cdktf wrote it in. */
function canonical(value: any): any {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  return value;
}

describe('additive grants', () => {
  test('one kkpvsphere_permission per object and principal: object by type and id, role by id, metadata for the reviewer, nothing secret', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp-mc', role: roles.role('k8c-user-datastore-propagate'), entity: inventory.datastore('ds-1'), propagate: true });
    VspherePermissions.grant({ principal: Principal.group('VSPHERE.LOCAL\\KKP Auditors'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    const role = Object.keys(json.resource.vsphere_role)[0];
    const dc = Object.keys(json.data.vsphere_datacenter)[0];
    const ds = Object.keys(json.data.vsphere_datastore)[0];
    const all = permissions(json);
    expect(all.map(([name]) => name)).toEqual([
      expect.stringMatching(/^KkpVspherePermissions_Grant-datastore-_dc-1_datastore_ds-1-user-VSPHERE_LOCAL_kkp-mc-[0-9a-f]{8}_[0-9A-F]{8}$/),
      expect.stringMatching(/^KkpVspherePermissions_Grant-datacenter-_dc-1-group-VSPHERE_LOCAL_KKP_Auditors-[0-9a-f]{8}_[0-9A-F]{8}$/),
    ]);
    const [mc, auditors] = all.map(([, r]) => r);
    expect(mc).toEqual({
      entity_type: 'Datastore',
      entity_id: `\${data.vsphere_datastore.${ds}.id}`,
      principal: 'VSPHERE.LOCAL\\kkp-mc',
      is_group: false,
      role_id: `\${vsphere_role.${role}.id}`,
      propagate: true,
      '//': expect.objectContaining({
        kkp: {
          grant: {
            entity: '/dc-1/datastore/ds-1', kind: 'datastore', entityType: 'Datastore', principal: 'VSPHERE.LOCAL\\kkp-mc', isGroup: false,
            role: 'kkp-k8c-user-datastore-propagate', propagate: true, grantedRoles: ['kkp-k8c-user-datastore-propagate'],
          },
        },
      }),
    });
    // a predefined role by its id: Read-only is -2 in every vCenter
    expect(auditors).toMatchObject({ entity_type: 'Datacenter', entity_id: `\${data.vsphere_datacenter.${dc}.id}`, principal: 'VSPHERE.LOCAL\\KKP Auditors', is_group: true, role_id: '-2', propagate: false });
    expect(auditors['//'].kkp.grant.role).toBe('Read-only');
    // no provisioner, no terraform_data, no import unless asked for
    expect(json.resource.terraform_data).toBeUndefined();
    expect(json.import).toBeUndefined();
    expect(json.removed).toBeUndefined();
    expect(resources(json, 'vsphere_entity_permissions')).toEqual([]);
    expect(JSON.stringify(json.resource.kkpvsphere_permission)).not.toMatch(/PASSWORD|VSPHERE_USER|\$\{var\./);
  });

  test('the kkpvsphere provider: required with its source address, configured with the vSphere provider\'s expressions (a variable stays a variable), one per stack', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: inventory.vcenter(), propagate: false });
    const json = synthJson(stack);
    expect(json.terraform.required_providers.kkpvsphere).toEqual({ source: 'cdktf-kkp-vsphere/kkpvsphere', version: '0.1.0' });
    // newStack's provider: user and password from Terraform variables
    expect(json.provider.kkpvsphere).toEqual([{ user: '${var.u}', password: '${var.p}' }]);
    expect(json.provider.vsphere).toEqual([{ user: '${var.u}', password: '${var.p}' }]);

    // as the README's example writes it: null (both providers read VSPHERE_*), server and TLS setting copied as given
    const app = Testing.app();
    const s2 = new TerraformStack(app, 'env');
    const fromEnvironment = Token.asString(Token.nullValue());
    const second = setUp(s2);
    VspherePermissions.grant({ principal: 'A\\mc', role: second.roles.role('k8c-user-datacenter'), entity: second.inventory.datacenter, propagate: false });
    // the vSphere provider made after the first grant: read at synth
    new VsphereProvider(s2, 'vsphere', { user: fromEnvironment, password: fromEnvironment, vsphereServer: 'vc.example.com', allowUnverifiedSsl: false });
    const env = synthJson(s2);
    expect(env.provider.kkpvsphere).toEqual([{ vsphere_server: 'vc.example.com', allow_unverified_ssl: false, user: null, password: null }]);
  });

  test('an aliased vSphere provider used by the inventory\'s data sources: the kkpvsphere provider gets the alias, the grants name it', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'aliased');
    new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const site2 = new VsphereProvider(stack, 'site2', { alias: 'site2', vsphereServer: 'vc2.example.com', user: '${var.u2}', password: '${var.p2}' });
    const { inventory } = setUp(stack);
    const dc = inventory.datacenter; // looked up on first use: its data source exists from here on
    // the app points the inventory's data sources at the second vCenter (the inventory takes no provider prop)
    for (const c of stack.node.findAll()) if (c instanceof TerraformDataSource) c.provider = site2;
    VspherePermissions.grant({ principal: 'A\\mc', role: PredefinedRole.READ_ONLY, entity: dc, propagate: false });
    const json = synthJson(stack);
    expect(json.provider.kkpvsphere).toEqual([{ alias: 'site2', vsphere_server: 'vc2.example.com', user: '${var.u2}', password: '${var.p2}' }]);
    expect(permissions(json)[0][1].provider).toBe('kkpvsphere.site2');
  });

  test('a distributed switch is named by its inventory path: its data source gives the switch UUID, not a managed object id', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-network-attach'), entity: inventory.distributedSwitch('dvs-1'), propagate: false });
    const [[, p]] = permissions(synthJson(stack));
    expect(p).toMatchObject({ entity_path: '/dc-1/network/dvs-1', principal: 'A\\mc' });
    expect(p.entity_id).toBeUndefined();
    expect(p.entity_type).toBeUndefined();
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
    expect(json.resource.kkpvsphere_permission).toBeUndefined();
    // the grant made additive first left no kkpvsphere_permission, so no kkpvsphere provider either
    expect(json.provider.kkpvsphere).toBeUndefined();
    expect(json.terraform.required_providers.kkpvsphere).toBeUndefined();
  });

  test('two roles for one principal on a shared object: one permission with the merged role', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    VspherePermissions.grant({ principal: 'A\\kkp', role: roles.role('k8c-user-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: 'A\\kkp', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    const json = synthJson(stack);
    const merged = [roles.role('k8c-storage-datastore-propagate').roleName, roles.role('k8c-user-datastore-propagate').roleName].sort().join('+');
    const mergedRole = Object.entries<any>(json.resource.vsphere_role).find(([, r]) => r.name === merged)![0];
    const all = permissions(json);
    expect(all).toHaveLength(1);
    expect(all[0][1].role_id).toBe(`\${vsphere_role.${mergedRole}.id}`);
    expect(all[0][1]['//'].kkp.grant).toMatchObject({ role: merged, grantedRoles: [roles.role('k8c-user-datastore-propagate').roleName, roles.role('k8c-storage-datastore-propagate').roleName] });
  });

  test('adopt: an import block by <type>:<moid>:<principal> (a group with group:); refused where one vsphere_entity_permissions manages the object', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false, adopt: true });
    VspherePermissions.grant({ principal: Principal.group('A\\ops'), role: PredefinedRole.READ_ONLY, entity: inventory.network('net'), propagate: false, adopt: true });
    VspherePermissions.grant({ principal: 'A\\other', role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    const [mc, ops] = permissions(json);
    const net = Object.keys(json.data.vsphere_network)[0];
    expect(json.import).toEqual([
      { to: `kkpvsphere_permission.${mc[0]}`, id: `Datacenter:${mc[1].entity_id}:A\\mc` },
      { to: `kkpvsphere_permission.${ops[0]}`, id: `\${data.vsphere_network.${net}.type}:\${data.vsphere_network.${net}.id}:group:A\\ops` },
    ]);
    expect(mc[1]['//'].kkp.grant.adopt).toBe(true);

    const other = setUp();
    const folder = new VmFolder(other.stack, 'F', { inventory: other.inventory, path: 'kkp' });
    VspherePermissions.grant({ principal: 'A\\mc', role: other.roles.role('k8c-user-folder-propagate'), entity: folder, propagate: true, adopt: true });
    expect(() => Testing.synth(other.stack, true)).toThrow(
      'The grant to A\\mc on /dc-1/vm/kkp sets adopt, but that object\'s permissions are managed by one vsphere_entity_permissions (owned), ' +
        'which replaces whatever is there anyway. Remove adopt: it applies to additive grants on shared objects only.',
    );
  });

  test('migrateFromProvisioners: every additive grant imported, the old terraform_data block forgotten without destroying it', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    VspherePermissions.migrateFromProvisioners(stack);
    VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: inventory.vcenter(), propagate: false });
    const json = synthJson(stack);
    expect(json.import.map((i: any) => i.id)).toEqual([
      expect.stringMatching(/^Datacenter:\$\{data\.vsphere_datacenter\.[^}]+\.id\}:A\\mc$/),
      expect.stringMatching(/^Folder:\$\{data\.vsphere_folder\.[^}]+\.id\}:A\\st$/),
    ]);
    // the address the provisioner version gave its block (KkpVspherePermissions/AdditiveGrants)
    expect(json.removed).toEqual([{ from: expect.stringMatching(/^terraform_data\.KkpVspherePermissions_AdditiveGrants_0A53A5ED$/), lifecycle: { destroy: false } }]);
  });

  test('a principal with Terraform template sequences is written literally (inventory names refuse them already)', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc-${x}-%{y}', role: roles.role('k8s-network-attach'), entity: inventory.network('net'), propagate: false });
    const [[, p]] = permissions(synthJson(stack));
    expect(p.principal).toBe('A\\mc-$${x}-%%{y}');
    expect(p['//'].kkp.grant.principal).toBe('A\\mc-${x}-%{y}');
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
      const json = synthJson(stack);
      return Object.fromEntries(permissions(json).map(([name, r]) => [name, { ...r, '//': r['//'].kkp }]));
    };
    expect(JSON.stringify(canonical(build(true)))).toBe(JSON.stringify(canonical(build(false))));
  });
});
