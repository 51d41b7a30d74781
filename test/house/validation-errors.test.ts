// One error type for refused inputs: every construct's bad-input error is a KkpValidationError that carries the
// construct, its path and the prop, and whose message starts with them as every message always has. One representative
// bad input per construct (test/bad-inputs.test.ts holds the full table of messages).
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import {
  AdoptedTemplate,
  CloudConfigSecret,
  KkpAdoption,
  KkpDatacenterSpec,
  KkpRoles,
  KkpUserCluster,
  KkpValidationError,
  KkpVspherePreset,
  SeedPermissions,
  UserClusterFolder,
  UserClusterPermissions,
  VmFolder,
  VmTemplate,
  VmTemplateSource,
  Principal,
  PredefinedRole,
  VsphereInventory,
  VspherePermissions,
  VsphereRole,
} from '../../src';

function world(kkpRelease: '2.12' | '2.31' = '2.31') {
  const stack = new TerraformStack(new App({ stackTraces: false }), 'seed');
  const password = new TerraformVariable(stack, 'vsphere_password', { type: 'string', sensitive: true });
  new VsphereProvider(stack, 'vsphere', { user: 'terraform@vsphere.local', password: password.stringValue });
  new KubernetesProvider(stack, 'k8s', {});
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease, vsphereVersion: '8.0' });
  const root = new VmFolder(stack, 'Root', { inventory, path: 'kkp' });
  return { stack, inventory, roles, root };
}
type World = ReturnType<typeof world>;

const datacenter = (w: World, override: Record<string, unknown> = {}) =>
  new KkpDatacenterSpec(w.stack, 'Dc', {
    name: 'vsphere-dc-1', inventory: w.inventory, endpoint: 'https://vc.example.com', datastore: 'ds-1', cluster: 'c-1', templates: { ubuntu: 'kkp-ubuntu' }, ...override,
  } as any);

const discovery = {
  format: 'cdktf-kkp-vsphere/discovery@1', server: 'vc.example.com', kkpRelease: '2.31', vsphereVersion: '8.0',
  roles: [], folders: [], templates: [], grants: [], otherPermissions: [], prefixes: [],
};

// construct, path, prop, what the message says after `<construct> <path> <prop>`
const ROWS: [string, (w: World) => unknown, string, string, RegExp][] = [
  ['VsphereInventory', (w) => new VsphereInventory(w.stack, 'Dc2', { datacenter: 'dc/2' }), 'seed/Dc2', 'datacenter', /contains "\/"/],
  ['VsphereInventory', (w) => w.inventory.datastore(''), 'seed/Inventory', 'datastore(name)', /must be a non-empty name/],
  ['VmFolder', (w) => new VmFolder(w.stack, 'F', { inventory: w.inventory, path: '' }), 'seed/F', 'path', /must be a non-empty path/],
  ['KkpRoles', (w) => new KkpRoles(w.stack, 'Roles2', { vsphereVersion: '8.0', namePrefix: 'a b' }), 'seed/Roles2', 'namePrefix', /is not a name prefix/],
  ['KkpRoles', (w) => w.roles.grant('storage-datastore', 'VSPHERE.LOCAL\\s', w.inventory.network('n')), 'seed/Roles', 'grant("storage-datastore")', /grants k8c-ccm-storage-datastore-propagate on datastore, not on the network/],
  ['VsphereRole', (w) => new VsphereRole(w.stack, 'R', { roleName: ' x', privileges: [], vsphereVersion: '8.0' }), 'seed/R', 'roleName', /a role needs a non-empty name/],
  ['SeedPermissions', (w) => new SeedPermissions(w.stack, 'Seed', {
    roles: w.roles, inventory: w.inventory, storagePrincipal: 'storage@vsphere.local', folders: [w.root], datastores: [w.inventory.datastore('ds-1')],
  } as any), 'seed/Seed', 'storagePrincipal', /is not of the form DOMAIN\\name/],
  ['UserClusterPermissions', (w) => new UserClusterPermissions(w.stack, 'Mc', {
    roles: w.roles, inventory: w.inventory, principal: 'VSPHERE.LOCAL\\mc', cluster: w.inventory.computeCluster('c-1'), networks: [],
    datastores: [w.inventory.datastore('ds-1')], folders: [w.root],
  } as any), 'seed/Mc', 'networks', /give at least one entry/],
  ['UserClusterFolder', (w) => new UserClusterFolder(w.stack, 'U', {
    inventory: w.inventory, rootFolder: w.root, clusterId: 'Not_An_Id', roles: w.roles, machineControllerPrincipal: 'VSPHERE.LOCAL\\mc',
  }), 'seed/U', 'clusterId', /is not a KKP cluster id/],
  ['CloudConfigSecret', (w) => new CloudConfigSecret(w.stack, 'cc', {
    server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', name: 'Cloud_Config',
  }), 'seed/cc', 'name', /is "Cloud_Config", which is not a Kubernetes object name/],
  ['VmTemplate', (w) => new VmTemplate(w.stack, 'T', {
    inventory: w.inventory, folder: w.root, network: 'n', datastore: 'ds-1', resourcePool: 'c-1/Resources', name: 'a/b', source: VmTemplateSource.preset('ubuntu-22.04'),
  }), 'seed/T', 'name', /contains "\/"/],
  ['VmTemplate', (w) => VmTemplate.perNetwork(w.stack, 'T', {
    inventory: w.inventory, folder: w.root, datastore: 'ds-1', resourcePool: 'c-1/Resources', source: VmTemplateSource.preset('ubuntu-22.04'), networks: ['a/b'],
  }), 'seed/T', 'networks[0]', /contains "\/"/],
  ['KkpDatacenterSpec', (w) => datacenter(w, { country: 'de' }), 'seed/Dc', 'country', /is not an ISO 3166 two-letter code/],
  ['KkpUserCluster', (w) => new KkpUserCluster(w.stack, 'C', {
    datacenter: datacenter(w), roles: w.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'kkp-mc',
  }), 'seed/C', 'machineControllerPrincipal', /is not of the form DOMAIN\\name/],
  ['KkpUserCluster', (w) => new KkpUserCluster(w.stack, 'C', {
    datacenter: datacenter(w), roles: w.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\mc', folderPath: 'a/../b',
  }), 'seed/C', 'folderPath', /has a "\.\." segment; govmomi cleans such paths/],
  ['KkpVspherePreset', (w) => new KkpVspherePreset(w.stack, 'P', { name: 'team-a', username: 'VSPHERE.LOCAL\\team-a', projects: ['Team A'] }), 'seed/P', 'projects[0]', /is not/],
  // KkpAdoption comes first in its stack.
  ['KkpAdoption', (w) => new KkpAdoption(new TerraformStack(w.stack.node.scope!, 'adopting'), 'Adopt', { discovery: { ...discovery, roles: 'none' } as any }), 'adopting/Adopt', 'discovery', /roles must be a list/],
  ['AdoptedTemplate', (w) => {
    const stack = new TerraformStack(w.stack.node.scope!, 'adopting');
    new KkpAdoption(stack, 'Adopt', { discovery: discovery as any });
    return new AdoptedTemplate(stack, 'Ubuntu', { inventory: new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' }), templateName: 'ubuntu', osKey: '' } as any);
  }, 'adopting/Ubuntu', 'osKey', /give the operating-system key/],
];

test.each(ROWS)('%s %s %s', (construct, build, constructPath, prop, problem) => {
  let thrown: unknown;
  try {
    build(world());
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(KkpValidationError);
  const error = thrown as KkpValidationError;
  expect({ construct: error.construct, constructPath: error.constructPath, prop: error.prop }).toEqual({ construct, constructPath, prop });
  expect(KkpValidationError.isKkpValidationError(error)).toBe(true);
  // The message names them as it always has: `KkpRoles seed/Roles namePrefix: ...` (VsphereRole and CloudConfigSecret
  // quote the path, CloudConfigSecret says `prop name`).
  expect(error.message.startsWith(construct)).toBe(true);
  expect(error.message).toContain(constructPath);
  expect(error.message).toContain(prop);
  expect(error.problem).toMatch(problem);
  expect(error.message.endsWith(error.problem)).toBe(true);
});

test('a KkpRoles grant on a datastore cluster where the page grants on a datastore, propagated: allowed (it reaches the datastores)', () => {
  const w = world();
  const pod = w.inventory.datastoreCluster('pod-1');
  const grant = w.roles.grant('storage-datastore', 'VSPHERE.LOCAL\\storage', pod);
  expect([grant.entity.inventoryPath, grant.role.roleName, grant.propagate]).toEqual(['/dc-1/datastore/pod-1', 'k8c-ccm-storage-datastore-propagate', true]);
  // SeedPermissions takes datastore clusters for `datastores` (as before the role table was read through KkpRoles).
  const seed = new SeedPermissions(w.stack, 'Seed', {
    roles: w.roles, inventory: w.inventory, storagePrincipal: 'VSPHERE.LOCAL\\storage-2', folders: [w.root], datastores: [pod],
    hosts: [w.inventory.host('esxi-1', w.inventory.computeCluster('c-1'))],
  });
  expect(seed.grants.filter((g) => g.entity === pod).map((g) => [g.role.roleName, g.propagate])).toEqual([['k8c-ccm-storage-datastore-propagate', true]]);
  // Not propagated, the permission would stay on the StoragePod and reach no datastore: refused, naming the construct.
  let thrown: unknown;
  try {
    w.roles.grant('storage-datastore', 'VSPHERE.LOCAL\\storage', pod, { propagate: false });
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(KkpValidationError);
  expect((thrown as KkpValidationError).message).toBe(
    `KkpRoles seed/Roles grant("storage-datastore"): KKP 2.31's page grants k8c-ccm-storage-datastore-propagate on datastore, ` +
      'not on the datastoreCluster /dc-1/datastore/pod-1; grant it where the page says.',
  );
});

// A grant's own refusals (VspherePermissions.grant, manageAuthoritatively) name the object and principal in the message
// instead of a construct: they are KkpValidationErrors too, so an app reports them once, without a stack trace.
const GRANT_ROWS: [string, (w: World) => unknown, string | RegExp][] = [
  ['grant with no entity', () => VspherePermissions.grant({ principal: Principal.user('VSPHERE.LOCAL\\a'), role: PredefinedRole.READ_ONLY } as any),
    'grant of "Read-only": entity is undefined; pass an object from VsphereInventory (e.g. inventory.datacenter) or a VmFolder.'],
  ['one principal, two roles that propagate differently', (w) => {
    const entity = w.inventory.datacenter;
    VspherePermissions.grant({ principal: Principal.user('VSPHERE.LOCAL\\a'), role: w.roles.role('k8c-user-datacenter'), entity, propagate: false });
    VspherePermissions.grant({ principal: Principal.user('VSPHERE.LOCAL\\a'), role: w.roles.role('k8c-user-cluster-propagate'), entity, propagate: true });
  }, /^VSPHERE\.LOCAL\\a gets "k8c-user-datacenter" \(propagate: false\) and "k8c-user-cluster-propagate" \(propagate: true\) on \/dc-1\./],
  ['manageAuthoritatively twice', (w) => {
    VspherePermissions.manageAuthoritatively(w.inventory.datacenter, { keep: [] });
    VspherePermissions.manageAuthoritatively(w.inventory.datacenter, { keep: [] });
  }, 'manageAuthoritatively(/dc-1) was called twice; call it once with every permission to keep.'],
];
test.each(GRANT_ROWS)('%s: a KkpValidationError', (_name, build, message) => {
  let thrown: unknown;
  try {
    build(world());
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(KkpValidationError);
  expect((thrown as KkpValidationError).message).toMatch(message);
  expect((thrown as KkpValidationError).problem).toBe((thrown as KkpValidationError).message);
});
