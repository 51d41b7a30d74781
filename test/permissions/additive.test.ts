// The additive default for shared objects, as synthesized: one kkpvsphere_permissions (this repository's provider) per
// shared object, listing the stack's principals there (keyed by principal, sorted case-insensitively), its object by
// type and managed object id from the inventory's data source (a distributed switch by inventory path), each role by
// id (a reference to the vsphere_role, so the role exists before the grant and outlives it), and the kkpvsphere
// provider configured from the stack's vSphere provider. Adopt and the migrations: one import block per object naming
// the principals to import. What the provider does against vCenter is tested in
// provider/ (Go) and test/provider; the library's grants applied whole in test/e2e/additive-grants.test.ts.
import { TerraformDataSource, Testing, TerraformStack, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, PredefinedRole, Principal, VmFolder, VsphereInventory, VspherePermissions } from '../../src';
import { additiveGrantsOf } from '../../src/contracts/additive-grants';
import { newStack, resources, synthJson } from './support';

function setUp(stack = newStack()) {
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
  return { stack, inventory, roles };
}

/** The stack's kkpvsphere_permissions as [logical id, resource], in the order of the file. */
const permissions = (json: any): [string, any][] => Object.entries<any>(json.resource.kkpvsphere_permissions ?? {});

/** Keys sorted at every level: the configuration as Terraform reads it, whatever order cdktf wrote it in. */
function canonical(value: any): any {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  return value;
}

describe('additive grants', () => {
  test('one kkpvsphere_permissions per object listing its principals: object by type and id, role by id, metadata for the reviewer, nothing secret', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp-mc', role: roles.role('k8c-user-datastore-propagate'), entity: inventory.datastore('ds-1'), propagate: true });
    VspherePermissions.grant({ principal: Principal.group('VSPHERE.LOCAL\\KKP Auditors'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp-mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    const roleId = (name: string) => `\${vsphere_role.${Object.entries<any>(json.resource.vsphere_role).find(([, r]) => r.name === name)![0]}.id}`;
    const dc = Object.keys(json.data.vsphere_datacenter)[0];
    const ds = Object.keys(json.data.vsphere_datastore)[0];
    const all = permissions(json);
    // The addresses are the grants' identity in the state: one per object, named by kind and inventory path (a change
    // would make the next plan destroy and re-create every additive grant).
    expect(all.map(([name]) => name)).toEqual([
      'KkpVspherePermissions_Grants-datastore-_dc-1_datastore_ds-1-3eac7618_96C9D8A6',
      'KkpVspherePermissions_Grants-datacenter-_dc-1-bb6e3c1c_3010DC43',
    ]);
    const [onDatastore, onDatacenter] = all.map(([, r]) => r);
    expect(onDatastore).toEqual({
      entity_type: 'Datastore',
      entity_id: `\${data.vsphere_datastore.${ds}.id}`,
      permissions: {
        'VSPHERE.LOCAL\\kkp-mc': { role_id: roleId('kkp-k8c-user-datastore-propagate'), is_group: false, propagate: true },
      },
      '//': expect.objectContaining({
        kkp: {
          entity: '/dc-1/datastore/ds-1', kind: 'datastore', entityType: 'Datastore', management: 'additive',
          permissions: [
            { principal: 'VSPHERE.LOCAL\\kkp-mc', isGroup: false, role: 'kkp-k8c-user-datastore-propagate', propagate: true, grantedRoles: ['kkp-k8c-user-datastore-propagate'] },
          ],
        },
      }),
    });
    // two principals on the datacenter, one resource; a predefined role by its id: Read-only is -2 in every vCenter
    expect(onDatacenter).toEqual({
      entity_type: 'Datacenter',
      entity_id: `\${data.vsphere_datacenter.${dc}.id}`,
      permissions: {
        'VSPHERE.LOCAL\\KKP Auditors': { role_id: '-2', is_group: true, propagate: false },
        'VSPHERE.LOCAL\\kkp-mc': { role_id: roleId('kkp-k8c-user-datacenter'), is_group: false, propagate: false },
      },
      '//': expect.objectContaining({
        kkp: {
          entity: '/dc-1', kind: 'datacenter', entityType: 'Datacenter', management: 'additive',
          permissions: [
            { principal: 'VSPHERE.LOCAL\\KKP Auditors', isGroup: true, role: 'Read-only', propagate: false, grantedRoles: ['Read-only'] },
            { principal: 'VSPHERE.LOCAL\\kkp-mc', isGroup: false, role: 'kkp-k8c-user-datacenter', propagate: false, grantedRoles: ['kkp-k8c-user-datacenter'] },
          ],
        },
      }),
    });
    // what `verify` and the report read back: one grant per principal, at its object's address
    expect(additiveGrantsOf(json).map(({ address, grant }) => [address, grant.object, grant.principal, grant.isGroup, grant.role, grant.propagate, grant.adopt])).toEqual([
      [`kkpvsphere_permissions.${all[1][0]}`, '/dc-1', 'VSPHERE.LOCAL\\KKP Auditors', true, 'Read-only', false, false],
      [`kkpvsphere_permissions.${all[1][0]}`, '/dc-1', 'VSPHERE.LOCAL\\kkp-mc', false, 'kkp-k8c-user-datacenter', false, false],
      [`kkpvsphere_permissions.${all[0][0]}`, '/dc-1/datastore/ds-1', 'VSPHERE.LOCAL\\kkp-mc', false, 'kkp-k8c-user-datastore-propagate', true, false],
    ]);
    // no provisioner, no terraform_data, no per-principal resource, no import unless asked for
    expect(json.resource.terraform_data).toBeUndefined();
    expect(json.resource.kkpvsphere_permission).toBeUndefined();
    expect(json.import).toBeUndefined();
    expect(json.removed).toBeUndefined();
    expect(resources(json, 'vsphere_entity_permissions')).toEqual([]);
    expect(JSON.stringify(json.resource.kkpvsphere_permissions)).not.toMatch(/PASSWORD|VSPHERE_USER|\$\{var\./);
  });

  test('many principals on one object give one resource: three storage users on one datastore are one kkpvsphere_permissions with three keys, sorted case-insensitively', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    for (const principal of ['VSPHERE.LOCAL\\storage-c', 'vsphere.local\\Storage-a', 'VSPHERE.LOCAL\\storage-B']) {
      VspherePermissions.grant({ principal, role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    }
    const json = synthJson(stack);
    const all = permissions(json);
    expect(all).toHaveLength(1);
    const [[name, resource]] = all;
    const role = `\${vsphere_role.${Object.keys(json.resource.vsphere_role)[0]}.id}`;
    // the keys in the order the file lists them: case-insensitive, whatever the grants' order
    expect(Object.keys(resource.permissions)).toEqual(['vsphere.local\\Storage-a', 'VSPHERE.LOCAL\\storage-B', 'VSPHERE.LOCAL\\storage-c']);
    expect(Object.values(resource.permissions)).toEqual([0, 1, 2].map(() => ({ role_id: role, is_group: false, propagate: true })));
    expect(resource['//'].kkp.permissions.map((p: any) => p.principal)).toEqual(Object.keys(resource.permissions));
    expect(additiveGrantsOf(json).map((g) => [g.address, g.grant.principal])).toEqual([
      [`kkpvsphere_permissions.${name}`, 'vsphere.local\\Storage-a'],
      [`kkpvsphere_permissions.${name}`, 'VSPHERE.LOCAL\\storage-B'],
      [`kkpvsphere_permissions.${name}`, 'VSPHERE.LOCAL\\storage-c'],
    ]);
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
    // the default provider: the resources name none
    expect(permissions(json).map(([, r]) => r.provider)).toEqual([undefined, undefined]);

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

  test('an aliased vSphere provider used by the inventory\'s data sources: the kkpvsphere provider gets the alias, the object\'s kkpvsphere_permissions names it', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'aliased');
    new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const site2 = new VsphereProvider(stack, 'site2', { alias: 'site2', vsphereServer: 'vc2.example.com', user: '${var.u2}', password: '${var.p2}' });
    const { inventory } = setUp(stack);
    const dc = inventory.datacenter; // looked up on first use: its data source exists from here on
    // the app points the inventory's data sources at the second vCenter (the inventory takes no provider prop)
    for (const c of stack.node.findAll()) if (c instanceof TerraformDataSource) c.provider = site2;
    VspherePermissions.grant({ principal: 'A\\mc', role: PredefinedRole.READ_ONLY, entity: dc, propagate: false });
    VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: dc, propagate: false });
    const json = synthJson(stack);
    expect(json.provider.kkpvsphere).toEqual([{ alias: 'site2', vsphere_server: 'vc2.example.com', user: '${var.u2}', password: '${var.p2}' }]);
    const all = permissions(json);
    expect(all.map(([, r]) => [r.provider, Object.keys(r.permissions)])).toEqual([['kkpvsphere.site2', ['A\\mc', 'A\\st']]]);
  });

  test('a distributed switch is named by its inventory path: its data source gives the switch UUID, not a managed object id', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-network-attach'), entity: inventory.distributedSwitch('dvs-1'), propagate: false });
    const json = synthJson(stack);
    const [[name, p]] = permissions(json);
    expect(name).toBe('KkpVspherePermissions_Grants-distributedSwitch-_dc-1_network_dvs-1-c91b93ab_9E304D5C');
    expect(p).toMatchObject({ entity_path: '/dc-1/network/dvs-1', permissions: { 'A\\mc': { is_group: false, propagate: false } } });
    expect(p.entity_id).toBeUndefined();
    expect(p.entity_type).toBeUndefined();
    // the review metadata still says what the object is
    expect(p['//'].kkp).toMatchObject({ entity: '/dc-1/network/dvs-1', kind: 'distributedSwitch', management: 'additive' });
    expect(json.import).toBeUndefined();
  });

  test('adopt on a distributed switch: the import block names the switch by its inventory path, <path>:<principal>', () => {
    const { stack, inventory, roles } = setUp();
    const dvs = inventory.distributedSwitch('dvs-1');
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-network-attach'), entity: dvs, propagate: false });
    VspherePermissions.grant({ principal: Principal.group('A\\net-admins'), role: PredefinedRole.READ_ONLY, entity: dvs, propagate: false, adopt: true });
    const json = synthJson(stack);
    const [[name, p]] = permissions(json);
    expect(Object.keys(p.permissions)).toEqual(['A\\mc', 'A\\net-admins']);
    // only the adopted principal: A\mc is added by the same plan
    expect(json.import).toEqual([{ to: `kkpvsphere_permissions.${name}`, id: '/dc-1/network/dvs-1:group:A\\net-admins' }]);
    expect(p['//'].kkp.permissions.map((r: any) => [r.principal, r.adopt])).toEqual([['A\\mc', undefined], ['A\\net-admins', true]]);
  });

  test('owned folders and objects taken over explicitly keep one vsphere_entity_permissions, also when taken over after the grant', () => {
    const { stack, inventory, roles } = setUp();
    const net = inventory.network('workers');
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8s-network-attach'), entity: net, propagate: false });
    VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: net, propagate: false });
    new VmFolder(stack, 'F', { inventory, path: 'kkp' }).grant('A\\mc', roles.role('k8c-user-folder-propagate'), { propagate: true });
    VspherePermissions.manageAuthoritatively(net, { keep: [] });
    const json = synthJson(stack);
    expect(resources(json, 'vsphere_entity_permissions').map((r) => [r['//'].kkp.entity, r['//'].kkp.management, r.permissions.map((x: any) => x.user_or_group)]).sort()).toEqual([
      ['/dc-1/network/workers', 'authoritative', ['A\\mc', 'A\\st']],
      ['/dc-1/vm/kkp', 'owned', ['A\\mc']],
    ]);
    expect(json.resource.kkpvsphere_permissions).toBeUndefined();
    expect(json.resource.kkpvsphere_permission).toBeUndefined();
    // the grants made additive first left no kkpvsphere_permissions, so no kkpvsphere provider either
    expect(json.provider.kkpvsphere).toBeUndefined();
    expect(json.terraform.required_providers.kkpvsphere).toBeUndefined();
  });

  test('two roles for one principal on a shared object: one entry with the merged role', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    VspherePermissions.grant({ principal: 'A\\kkp', role: roles.role('k8c-user-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: 'a\\KKP', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    const json = synthJson(stack);
    const merged = [roles.role('k8c-storage-datastore-propagate').roleName, roles.role('k8c-user-datastore-propagate').roleName].sort().join('+');
    const mergedRole = Object.entries<any>(json.resource.vsphere_role).find(([, r]) => r.name === merged)![0];
    const all = permissions(json);
    expect(all).toHaveLength(1);
    // one principal (vCenter compares names case-insensitively), under the name of its first grant
    expect(all[0][1].permissions).toEqual({ 'A\\kkp': { role_id: `\${vsphere_role.${mergedRole}.id}`, is_group: false, propagate: true } });
    expect(all[0][1]['//'].kkp.permissions).toEqual([
      {
        principal: 'A\\kkp', isGroup: false, role: merged, propagate: true,
        grantedRoles: [roles.role('k8c-user-datastore-propagate').roleName, roles.role('k8c-storage-datastore-propagate').roleName],
      },
    ]);
  });

  test('adopt: one import block per object by <type>:<moid>:<principal>[:<principal>...] (a group with group:); refused where one vsphere_entity_permissions manages the object', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false, adopt: true });
    VspherePermissions.grant({ principal: Principal.group('A\\ops'), role: PredefinedRole.READ_ONLY, entity: inventory.network('net'), propagate: false, adopt: true });
    VspherePermissions.grant({ principal: 'A\\other', role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    VspherePermissions.grant({ principal: Principal.group('A\\Admins'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: true, adopt: true });
    const json = synthJson(stack);
    const [dc, net] = permissions(json);
    const netData = Object.keys(json.data.vsphere_network)[0];
    expect(Object.keys(dc[1].permissions)).toEqual(['A\\Admins', 'A\\mc', 'A\\other']);
    // the adopted principals in the order of the map, A\other (not adopted) left out: the plan adds it
    expect(json.import).toEqual([
      { to: `kkpvsphere_permissions.${dc[0]}`, id: `Datacenter:${dc[1].entity_id}:group:A\\Admins:A\\mc` },
      // a network's type is known at plan only (a standard or a distributed port group): from its data source
      { to: `kkpvsphere_permissions.${net[0]}`, id: `\${data.vsphere_network.${netData}.type}:\${data.vsphere_network.${netData}.id}:group:A\\ops` },
    ]);
    expect(dc[1]['//'].kkp.permissions.map((p: any) => [p.principal, p.adopt])).toEqual([['A\\Admins', true], ['A\\mc', true], ['A\\other', undefined]]);
    expect(additiveGrantsOf(json).map((g) => [g.grant.principal, g.grant.adopt])).toEqual([
      ['A\\Admins', true], ['A\\mc', true], ['A\\other', false], ['A\\ops', true],
    ]);

    const other = setUp();
    const folder = new VmFolder(other.stack, 'F', { inventory: other.inventory, path: 'kkp' });
    VspherePermissions.grant({ principal: 'A\\mc', role: other.roles.role('k8c-user-folder-propagate'), entity: folder, propagate: true, adopt: true });
    expect(() => Testing.synth(other.stack, true)).toThrow(
      'The grant to A\\mc on /dc-1/vm/kkp sets adopt, but that object\'s permissions are managed by one vsphere_entity_permissions (owned), ' +
        'which replaces whatever is there anyway. Remove adopt: it applies to additive grants on shared objects only.',
    );
  });

  test('adopt of one of two principals on an object: the import block names only the adopted one, the other is added by the same plan', () => {
    const { stack, inventory, roles } = setUp();
    const ds = inventory.datastore('ds-1');
    VspherePermissions.grant({ principal: 'A\\new-storage', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true });
    VspherePermissions.grant({ principal: 'A\\hand-made', role: roles.role('k8c-storage-datastore-propagate'), entity: ds, propagate: true, adopt: true });
    const json = synthJson(stack);
    const [[name, p]] = permissions(json);
    const dsData = Object.keys(json.data.vsphere_datastore)[0];
    expect(Object.keys(p.permissions)).toEqual(['A\\hand-made', 'A\\new-storage']);
    expect(json.import).toEqual([{ to: `kkpvsphere_permissions.${name}`, id: `Datastore:\${data.vsphere_datastore.${dsData}.id}:A\\hand-made` }]);
    expect(p['//'].kkp.permissions.map((r: any) => [r.principal, r.adopt])).toEqual([['A\\hand-made', true], ['A\\new-storage', undefined]]);
  });

  test('migrateFromProvisioners: every additive grant imported, one import per object, the old terraform_data block forgotten without destroying it', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    VspherePermissions.migrateFromProvisioners(stack);
    VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: inventory.vcenter(), propagate: false });
    VspherePermissions.grant({ principal: Principal.group('A\\ops'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    const json = synthJson(stack);
    const [dc, root] = permissions(json);
    expect(json.import).toEqual([
      { to: `kkpvsphere_permissions.${dc[0]}`, id: expect.stringMatching(/^Datacenter:\$\{data\.vsphere_datacenter\.[^}]+\.id\}:A\\mc:group:A\\ops$/) },
      { to: `kkpvsphere_permissions.${root[0]}`, id: expect.stringMatching(/^Folder:\$\{data\.vsphere_folder\.[^}]+\.id\}:A\\st$/) },
    ]);
    // the address the provisioner version gave its block (KkpVspherePermissions/AdditiveGrants)
    expect(json.removed).toEqual([{ from: expect.stringMatching(/^terraform_data\.KkpVspherePermissions_AdditiveGrants_0A53A5ED$/), lifecycle: { destroy: false } }]);
  });

  test('migrateFromPerPrincipalGrants: the old per-principal kkpvsphere_permission addresses forgotten (removed, destroy = false), each object imported naming every principal', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false });
    VspherePermissions.grant({ principal: Principal.group('A\\ops'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false });
    VspherePermissions.migrateFromPerPrincipalGrants(stack);
    // grants after the call count too: the addresses and the import IDs are read at synth
    VspherePermissions.grant({ principal: 'A\\st', role: roles.role('k8c-storage-datastore-propagate'), entity: inventory.datastore('ds-1'), propagate: true });
    VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-network-attach'), entity: inventory.distributedSwitch('dvs-1'), propagate: false });
    VspherePermissions.migrateFromPerPrincipalGrants(stack); // a second call changes nothing
    const json = synthJson(stack);
    // The addresses the version that wrote one kkpvsphere_permission per object and principal (2d05e82) gave these
    // grants, as it synthesized them for this stack.
    expect(json.removed).toEqual(
      [
        'kkpvsphere_permission.KkpVspherePermissions_Grant-datacenter-_dc-1-group-A_ops-d03536c6_8AE624EC',
        'kkpvsphere_permission.KkpVspherePermissions_Grant-datacenter-_dc-1-user-A_mc-801a788c_A00BFFDE',
        'kkpvsphere_permission.KkpVspherePermissions_Grant-datastore-_dc-1_datastore_ds-1-user-A_st-eeab08a9_F9C0AC8F',
        'kkpvsphere_permission.KkpVspherePermissions_Grant-distributedSwitch-_dc-1_network_dvs-1-user-A_mc-bdd25be5_C0D4584B',
      ].map((from) => ({ from, lifecycle: { destroy: false } })),
    );
    const [dc, ds, dvs] = permissions(json);
    const dcData = Object.keys(json.data.vsphere_datacenter)[0];
    const dsData = Object.keys(json.data.vsphere_datastore)[0];
    expect(json.import).toEqual([
      { to: `kkpvsphere_permissions.${dc[0]}`, id: `Datacenter:\${data.vsphere_datacenter.${dcData}.id}:A\\mc:group:A\\ops` },
      { to: `kkpvsphere_permissions.${ds[0]}`, id: `Datastore:\${data.vsphere_datastore.${dsData}.id}:A\\st` },
      // the switch by its inventory path
      { to: `kkpvsphere_permissions.${dvs[0]}`, id: '/dc-1/network/dvs-1:A\\mc' },
    ]);
    // a migration is no adoption: the review metadata says nothing of it
    expect(additiveGrantsOf(json).map((g) => g.grant.adopt)).toEqual([false, false, false, false]);

    // without the call: neither removed nor import blocks
    const plain = setUp();
    VspherePermissions.grant({ principal: 'A\\mc', role: plain.roles.role('k8c-user-datacenter'), entity: plain.inventory.datacenter, propagate: false });
    const unmigrated = synthJson(plain.stack);
    expect([unmigrated.removed, unmigrated.import]).toEqual([undefined, undefined]);
  });

  test('a principal with Terraform template sequences is written literally (inventory names refuse them already)', () => {
    const { stack, inventory, roles } = setUp();
    VspherePermissions.grant({ principal: 'A\\mc-${x}-%{y}', role: roles.role('k8s-network-attach'), entity: inventory.network('net'), propagate: false, adopt: true });
    const json = synthJson(stack);
    const [[, p]] = permissions(json);
    expect(Object.keys(p.permissions)).toEqual(['A\\mc-$${x}-%%{y}']);
    expect(p['//'].kkp.permissions[0].principal).toBe('A\\mc-${x}-%{y}');
    // the import ID is a template too (its data source references are evaluated at plan)
    expect(json.import[0].id).toMatch(/\.id\}:A\\mc-\$\$\{x\}-%%\{y\}$/);
  });

  test('the same grants in another order synthesize the same Terraform', () => {
    const build = (reverse: boolean) => {
      const { stack, inventory, roles } = setUp();
      const grants = [
        () => VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-vcenter'), entity: inventory.vcenter(), propagate: false }),
        () => VspherePermissions.grant({ principal: 'A\\st', role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false }),
        () => VspherePermissions.grant({ principal: 'A\\mc', role: roles.role('k8c-user-datacenter'), entity: inventory.datacenter, propagate: false }),
        () => VspherePermissions.grant({ principal: Principal.group('A\\Ops'), role: PredefinedRole.READ_ONLY, entity: inventory.datacenter, propagate: false, adopt: true }),
      ];
      (reverse ? grants.reverse() : grants).forEach((g) => g());
      const json = synthJson(stack);
      return {
        resources: Object.fromEntries(permissions(json).map(([name, r]) => [name, { ...r, '//': r['//'].kkp }])),
        // the map's keys in file order, which canonical() sorts away
        keys: permissions(json).map(([name, r]) => [name, Object.keys(r.permissions)]).sort(),
        import: [...json.import].sort((a: any, b: any) => (a.to < b.to ? -1 : 1)),
      };
    };
    const forward = build(false);
    expect(forward.keys.find(([name]) => (name as string).includes('datacenter'))![1]).toEqual(['A\\mc', 'A\\Ops', 'A\\st']);
    expect(JSON.stringify(canonical(build(true)))).toBe(JSON.stringify(canonical(forward)));
  });
});
