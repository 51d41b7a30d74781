import { KkpRoles, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory, VspherePermissions } from '../src';
import { newStack, permissionsOn, resources, roleNamed, synthJson } from './permissions/support';

function world(version: '6.7' | '8.0' = '8.0') {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const root = new VmFolder(stack, 'Root', { inventory, path: 'kkp' });
  const templates = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: root });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: version });
  const datastores = [inventory.datastore('ds-1'), inventory.datastoreCluster('pod-1')];
  const cluster = inventory.computeCluster('cluster-1');
  const networks = [inventory.network('net-a'), inventory.network('net-b')];
  const shareAll = () => {
    for (const e of [inventory.vcenter(), inventory.datacenter, cluster, ...datastores, ...networks]) {
      VspherePermissions.manageAuthoritatively(e, { keep: [] });
    }
  };
  return { stack, inventory, root, templates, roles, datastores, cluster, networks, shareAll };
}

const rows = (json: any, path: string) =>
  permissionsOn(json, path)['//'].kkp.permissions.map((p: any) => `${p.principal} ${p.role} ${p.propagate ? 'propagated' : 'not propagated'}`);

describe('SeedPermissions', () => {
  test('grants the storage principal the Seed Cluster roles where the documentation says', () => {
    const w = world();
    new SeedPermissions(w.stack, 'Seed', {
      roles: w.roles,
      inventory: w.inventory,
      storagePrincipal: 'VSPHERE.LOCAL\\k8c-storage',
      folders: [w.root, w.templates],
      datastores: [w.datastores[0]],
    });
    VspherePermissions.manageAuthoritatively(w.inventory.datacenter, { keep: [] });
    VspherePermissions.manageAuthoritatively(w.datastores[0], { keep: [] });
    const json = synthJson(w.stack);

    expect(rows(json, '/dc-1/vm/kkp')).toEqual(['VSPHERE.LOCAL\\k8c-storage k8c-storage-vmfolder-propagate propagated']);
    expect(rows(json, '/dc-1/vm/kkp/templates')).toEqual(['VSPHERE.LOCAL\\k8c-storage k8c-storage-vmfolder-propagate propagated']);
    expect(rows(json, '/dc-1/datastore/ds-1')).toEqual(['VSPHERE.LOCAL\\k8c-storage k8c-storage-datastore-propagate propagated']);
    // Read-only is predefined: granted by its id -2, never created, not propagated.
    expect(permissionsOn(json, '/dc-1').permissions).toEqual([
      { user_or_group: 'VSPHERE.LOCAL\\k8c-storage', is_group: false, propagate: false, role_id: '-2' },
    ]);
    expect(resources(json, 'vsphere_role').map((r) => r.name).sort()).toEqual([
      'k8c-storage-datastore-propagate',
      'k8c-storage-vmfolder-propagate',
    ]);
  });

  test.each([
    [{ folders: [] }, 'SeedPermissions test/Seed folders: give at least one entry (the KKP VM root folder and the template folder).'],
    [{ datastores: [] }, 'SeedPermissions test/Seed datastores: give at least one entry'],
    [{ storagePrincipal: 'k8c-storage' }, 'SeedPermissions test/Seed storagePrincipal: principal "k8c-storage" is not of the form DOMAIN\\name'],
  ])('bad input %j fails with a clear message', (override, message) => {
    const w = world();
    expect(
      () =>
        new SeedPermissions(w.stack, 'Seed', {
          roles: w.roles,
          inventory: w.inventory,
          storagePrincipal: 'VSPHERE.LOCAL\\k8c-storage',
          folders: [w.root],
          datastores: [w.datastores[0]],
          ...(override as any),
        }),
    ).toThrow(message);
  });

  test('a network where a datastore belongs names the object and its kind', () => {
    const w = world();
    expect(
      () =>
        new SeedPermissions(w.stack, 'Seed', {
          roles: w.roles,
          inventory: w.inventory,
          storagePrincipal: 'VSPHERE.LOCAL\\s',
          folders: [w.root],
          datastores: [w.networks[0]],
        }),
    ).toThrow('SeedPermissions test/Seed datastores[0]: /dc-1/network/net-a is a network, but this role is granted on a datastore or datastoreCluster.');
  });
});

describe('UserClusterPermissions', () => {
  test('grants machine-controller the User Cluster roles on vCenter, datacenter, cluster, networks, datastores and folders', () => {
    const w = world();
    new UserClusterPermissions(w.stack, 'Mc', {
      roles: w.roles,
      inventory: w.inventory,
      principal: 'VSPHERE.LOCAL\\machine-controller',
      cluster: w.cluster,
      networks: w.networks,
      datastores: w.datastores,
      folders: [w.root, w.templates],
    });
    w.shareAll();
    const json = synthJson(w.stack);
    const mc = 'VSPHERE.LOCAL\\machine-controller';
    expect(rows(json, '/')).toEqual([`${mc} k8c-user-vcenter not propagated`]);
    expect(permissionsOn(json, '/').entity_type).toBe('Folder');
    expect(rows(json, '/dc-1')).toEqual([`${mc} k8c-user-datacenter not propagated`]);
    expect(rows(json, '/dc-1/host/cluster-1')).toEqual([`${mc} k8c-user-cluster-propagate propagated`]);
    expect(permissionsOn(json, '/dc-1/host/cluster-1').entity_type).toBe('ClusterComputeResource');
    expect(rows(json, '/dc-1/network/net-a')).toEqual([`${mc} k8s-network-attach not propagated`]);
    expect(rows(json, '/dc-1/network/net-b')).toEqual([`${mc} k8s-network-attach not propagated`]);
    expect(rows(json, '/dc-1/datastore/ds-1')).toEqual([`${mc} k8c-user-datastore-propagate propagated`]);
    expect(rows(json, '/dc-1/datastore/pod-1')).toEqual([`${mc} k8c-user-datastore-propagate propagated`]);
    expect(permissionsOn(json, '/dc-1/datastore/pod-1').entity_type).toBe('StoragePod');
    expect(rows(json, '/dc-1/vm/kkp')).toEqual([`${mc} k8c-user-folder-propagate propagated`]);
    expect(rows(json, '/dc-1/vm/kkp/templates')).toEqual([`${mc} k8c-user-folder-propagate propagated`]);
    expect(resources(json, 'vsphere_entity_permissions')).toHaveLength(9);
    expect(resources(json, 'vsphere_role')).toHaveLength(6);
  });

  test('the cluster must be a compute cluster', () => {
    const w = world();
    expect(
      () =>
        new UserClusterPermissions(w.stack, 'Mc', {
          roles: w.roles,
          inventory: w.inventory,
          principal: 'VSPHERE.LOCAL\\mc',
          cluster: w.datastores[0],
          networks: w.networks,
          datastores: w.datastores,
          folders: [w.root],
        }),
    ).toThrow('UserClusterPermissions test/Mc cluster: /dc-1/datastore/ds-1 is a datastore, but this role is granted on a cluster.');
  });

  test('one principal for storage and machine-controller gets merged roles where both grant', () => {
    const w = world('6.7');
    const both = 'VSPHERE.LOCAL\\kkp';
    new SeedPermissions(w.stack, 'Seed', { roles: w.roles, inventory: w.inventory, storagePrincipal: both, folders: [w.root], datastores: [w.datastores[0]] });
    new UserClusterPermissions(w.stack, 'Mc', {
      roles: w.roles, inventory: w.inventory, principal: both, cluster: w.cluster, networks: w.networks, datastores: [w.datastores[0]], folders: [w.root],
    });
    w.shareAll();
    const json = synthJson(w.stack);
    expect(rows(json, '/dc-1/vm/kkp')).toEqual([`${both} k8c-storage-vmfolder-propagate+k8c-user-folder-propagate propagated`]);
    expect(rows(json, '/dc-1/datastore/ds-1')).toEqual([`${both} k8c-storage-datastore-propagate+k8c-user-datastore-propagate propagated`]);
    // Read-only (not propagated) merges into k8c-user-datacenter (not propagated): the custom role alone.
    expect(rows(json, '/dc-1')).toEqual([`${both} k8c-user-datacenter not propagated`]);
    expect(roleNamed(json, 'k8c-storage-vmfolder-propagate+k8c-user-folder-propagate').role_privileges).toContain('VirtualMachine.Config.Unlock');
  });

  test('each shared object is looked up once, however many constructs use it', () => {
    const w = world();
    const again = new VsphereInventory(w.stack, 'Inv2', { datacenter: 'dc-1' });
    expect(again.datastore('ds-1')).toBe(w.datastores[0]);
    expect(again.computeCluster('cluster-1')).toBe(w.cluster);
    w.shareAll();
    const json = synthJson(w.stack);
    expect(Object.keys(json.data.vsphere_datastore)).toHaveLength(1);
    expect(Object.keys(json.data.vsphere_datacenter)).toHaveLength(1);
  });
});
