// Where each KKP role is granted and whether it propagates has one home: the role table of the release's page
// (`grantedOn`, `propagate`). SeedPermissions, UserClusterPermissions, UserClusterFolder and KkpUserCluster read both
// from it through KkpRoles.grant / grantReadOnly. The test changes the table and watches the constructs follow: a
// construct with its own literal would not.
import { TerraformStack, Testing } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KkpDatacenterSpec, KkpRoles, KkpUserCluster, SeedPermissions, UserClusterFolder, UserClusterPermissions, VmFolder } from '../../src/constructs';
import { Grant, VsphereInventory } from '../../src/core';
import { KkpRelease, KkpRoleDefinition, READ_ONLY_ROLE, kkpRoleProfile } from '../../src/facts';

function world(kkpRelease: KkpRelease) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
  new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const cluster = inventory.computeCluster('cluster-1');
  const root = new VmFolder(stack, 'Root', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', kkpRelease });
  const hosts = roles.profile.readOnlyOn.includes('host') ? [inventory.host('esxi-1', cluster)] : undefined;
  return { stack, inventory, cluster, root, roles, hosts };
}

/** Every grant of the four constructs, for one release. */
function grantsOf(kkpRelease: KkpRelease): { construct: string; grant: Grant }[] {
  const w = world(kkpRelease);
  const { inventory, cluster, root, roles, hosts } = w;
  const seed = new SeedPermissions(w.stack, 'Seed', {
    roles, inventory, storagePrincipal: 'VSPHERE.LOCAL\\storage', folders: [root], datastores: [inventory.datastore('ds-1')], hosts,
  });
  const mc = new UserClusterPermissions(w.stack, 'MachineController', {
    roles, inventory, principal: 'VSPHERE.LOCAL\\mc', cluster, networks: [inventory.network('net')],
    distributedSwitches: roles.definition('network-attach').grantedOn.includes('distributedSwitch') ? [inventory.distributedSwitch('dvs')] : undefined,
    datastores: [inventory.datastoreCluster('pod-1')], folders: [root],
  });
  const folder = new UserClusterFolder(w.stack, 'Folder', {
    inventory, rootFolder: root, clusterId: 'ffffffffff', roles, machineControllerPrincipal: 'VSPHERE.LOCAL\\mc-f', storagePrincipal: 'VSPHERE.LOCAL\\storage-f',
  });
  const datacenter = new KkpDatacenterSpec(w.stack, 'Datacenter', {
    name: 'hh', inventory, endpoint: 'https://vcenter.example.com', datastore: inventory.datastore('ds-1'), cluster, rootFolder: root, templates: { ubuntu: 'u' },
  });
  const user = new KkpUserCluster(w.stack, 'Cluster', {
    datacenter, roles, clusterId: 'aaaaaaaaaa', machineControllerPrincipal: 'VSPHERE.LOCAL\\mc', storagePrincipal: 'VSPHERE.LOCAL\\own', hosts,
  });
  return [
    ...seed.grants.map((grant) => ({ construct: 'SeedPermissions', grant })),
    ...mc.grants.map((grant) => ({ construct: 'UserClusterPermissions', grant })),
    ...folder.grants.map((grant) => ({ construct: 'UserClusterFolder', grant })),
    ...user.grants.map((grant) => ({ construct: 'KkpUserCluster', grant })),
  ];
}

/** The table row of a granted role: a KKP role by its name in the profile, or Read-only. */
function rowOf(kkpRelease: KkpRelease, grant: Grant): { grantedOn: readonly string[]; propagate: boolean } {
  if (grant.role.roleName === READ_ONLY_ROLE.name) return { grantedOn: kkpRoleProfile(kkpRelease).readOnlyOn, propagate: READ_ONLY_ROLE.propagate };
  const def = kkpRoleProfile(kkpRelease).roles.find((r) => grant.role.roleName === r.name);
  if (!def) throw new Error(`no table row for ${grant.role.roleName}`);
  return def;
}

/** Runs `body` with every role row (and Read-only) of the release's profile flipped to the other propagation. */
function withFlippedPropagation<T>(kkpRelease: KkpRelease, body: () => T): T {
  const rows = kkpRoleProfile(kkpRelease).roles as KkpRoleDefinition[];
  const readOnly = READ_ONLY_ROLE as { propagate: boolean };
  const flip = () => {
    for (const row of rows) (row as { propagate: boolean }).propagate = !row.propagate;
    readOnly.propagate = !readOnly.propagate;
  };
  flip();
  try {
    return body();
  } finally {
    flip();
  }
}

const RELEASES: KkpRelease[] = ['2.12', '2.14', '2.18', '2.23', '2.26', '2.28'];

describe('the four constructs grant where the role table says and propagate as it says', () => {
  test.each(RELEASES)('KKP %s: every grant is on an object kind of its row, with its row\'s propagation', (release) => {
    const grants = grantsOf(release);
    expect(grants.length).toBeGreaterThan(10);
    for (const { construct, grant } of grants) {
      const row = rowOf(release, grant);
      expect([construct, grant.role.roleName, grant.entity.inventoryPath, row.grantedOn.includes(grant.entity.kind), grant.propagate])
        .toEqual([construct, grant.role.roleName, grant.entity.inventoryPath, true, row.propagate]);
    }
  });

  test.each(['2.12', '2.28'] as KkpRelease[])('KKP %s: with the table\'s propagation flipped, every construct follows it', (release) => {
    const before = grantsOf(release).map(({ construct, grant }) => `${construct} ${grant.role.roleName} ${grant.entity.inventoryPath} ${grant.propagate}`);
    const flipped = withFlippedPropagation(release, () =>
      grantsOf(release).map(({ construct, grant }) => `${construct} ${grant.role.roleName} ${grant.entity.inventoryPath} ${grant.propagate}`),
    );
    const expected = before.map((line) => line.replace(/(true|false)$/, (b) => String(b !== 'true')));
    expect(flipped).toEqual(expected);
    for (const construct of ['SeedPermissions', 'UserClusterPermissions', 'UserClusterFolder', 'KkpUserCluster']) {
      expect(flipped.some((line) => line.startsWith(`${construct} `))).toBe(true);
    }
  });

  test('a grant on an object the table does not grant the role on is refused, naming the table\'s objects', () => {
    const w = world('2.28');
    const principal = 'VSPHERE.LOCAL\\mc';
    expect(() => w.roles.grant('user-folder', principal, w.inventory.datastore('ds-1'))).toThrow(
      'KkpRoles test/Roles grant("user-folder"): KKP 2.28\'s page grants k8c-user-folder-propagate on folder, not on the ' +
        'datastore /dc-1/datastore/ds-1; grant it where the page says.',
    );
    expect(() => w.roles.grantReadOnly(principal, w.root)).toThrow(
      "KkpRoles test/Roles grantReadOnly: KKP 2.28's page grants Read-only on datacenter or host, not on the folder /dc-1/vm/kkp; grant it where the page says.",
    );
  });
});
