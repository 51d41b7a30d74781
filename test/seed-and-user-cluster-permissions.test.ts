import { KkpRelease, KkpRoles, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory, VspherePermissions } from '../src';
import { newStack, permissionsOn, resources, roleNamed, synthJson } from './permissions/support';

// The first tests pin KKP 2.12, the page the library started from (its output must not change); the later ones
// cover what the newer pages add.
function world(version: '6.7' | '7.0u2' | '8.0' = '8.0', kkpRelease: KkpRelease = '2.12') {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
  const root = new VmFolder(stack, 'Root', { inventory, path: 'kkp' });
  const templates = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: root });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: version, kkpRelease });
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

describe('newer pages: KKP 2.14 to 2.31', () => {
  const mc = 'VSPHERE.LOCAL\\machine-controller';
  const storage = 'VSPHERE.LOCAL\\k8c-storage';

  test('2.31: CCM/CSI roles renamed, k8c-ccm-storage-cns on the vCenter, Read-only on the datacenter and every node host', () => {
    const w = world('8.0', '2.31');
    const hosts = [w.inventory.host('esxi-1', w.cluster), w.inventory.host('esxi-2', w.cluster)];
    new SeedPermissions(w.stack, 'Seed', { roles: w.roles, inventory: w.inventory, storagePrincipal: storage, folders: [w.root], datastores: [w.datastores[0]], hosts });
    w.shareAll();
    for (const h of hosts) VspherePermissions.manageAuthoritatively(h, { keep: [] });
    const json = synthJson(w.stack);
    expect(rows(json, '/dc-1/vm/kkp')).toEqual([`${storage} k8c-ccm-storage-vmfolder-propagate propagated`]);
    expect(rows(json, '/dc-1/datastore/ds-1')).toEqual([`${storage} k8c-ccm-storage-datastore-propagate propagated`]);
    expect(rows(json, '/')).toEqual([`${storage} k8c-ccm-storage-cns not propagated`]);
    expect(permissionsOn(json, '/dc-1').permissions).toEqual([{ user_or_group: storage, is_group: false, propagate: false, role_id: '-2' }]);
    for (const host of ['esxi-1', 'esxi-2']) {
      const p = permissionsOn(json, `/dc-1/host/cluster-1/${host}`);
      expect(p.entity_type).toBe('HostSystem');
      expect(p.permissions).toEqual([{ user_or_group: storage, is_group: false, propagate: false, role_id: '-2' }]);
    }
    expect(roleNamed(json, 'k8c-ccm-storage-cns').role_privileges).toEqual(['Cns.Searchable']);
  });

  test('2.31: hosts are required; before 2.26 they are refused', () => {
    const w = world('8.0', '2.31');
    expect(() => new SeedPermissions(w.stack, 'Seed', { roles: w.roles, inventory: w.inventory, storagePrincipal: storage, folders: [w.root], datastores: [w.datastores[0]] })).toThrow(
      'SeedPermissions test/Seed hosts: give at least one entry (KKP 2.31\'s page grants the CCM/CSI user Read-only on "all hosts where the nodes VMs reside": list them with inventory.host(name, cluster)).',
    );
    const old = world('8.0', '2.25');
    expect(() => new SeedPermissions(old.stack, 'Seed', {
      roles: old.roles, inventory: old.inventory, storagePrincipal: storage, folders: [old.root], datastores: [old.datastores[0]], hosts: [old.inventory.host('esxi-1', old.cluster)],
    })).toThrow(/SeedPermissions test\/Seed hosts: KKP 2\.25's page grants nothing on hosts \(Read-only on node hosts came with 2\.26\); leave hosts out\./);
  });

  test('2.14+: the network role also on the distributed switch; 2.12 refuses switches', () => {
    const w = world('8.0', '2.31');
    const dvs = w.inventory.distributedSwitch('dvs-1');
    new UserClusterPermissions(w.stack, 'Mc', {
      roles: w.roles, inventory: w.inventory, principal: mc, cluster: w.cluster, networks: w.networks, distributedSwitches: [dvs], datastores: w.datastores, folders: [w.root],
    });
    w.shareAll();
    VspherePermissions.manageAuthoritatively(dvs, { keep: [] });
    const json = synthJson(w.stack);
    expect(rows(json, '/dc-1/network/dvs-1')).toEqual([`${mc} k8c-network-attach not propagated`]);
    expect(permissionsOn(json, '/dc-1/network/dvs-1').entity_type).toBe('VmwareDistributedVirtualSwitch');
    expect(rows(json, '/dc-1/network/net-a')).toEqual([`${mc} k8c-network-attach not propagated`]);
    expect(roleNamed(json, 'k8c-network-attach').role_privileges).toEqual(['InventoryService.Tagging.ObjectAttachable', 'Network.Assign']);

    const old = world('8.0', '2.12');
    expect(() => new UserClusterPermissions(old.stack, 'Mc', {
      roles: old.roles, inventory: old.inventory, principal: mc, cluster: old.cluster, networks: old.networks, distributedSwitches: [old.inventory.distributedSwitch('dvs-1')], datastores: old.datastores, folders: [old.root],
    })).toThrow(/KKP 2\.12's page grants k8s-network-attach on networks only \(on the distributed switch too from 2\.14\); leave distributedSwitches out\./);
  });

  test('2.22: the tag role on the datacenter collides with k8c-user-datacenter; merged only when asked', () => {
    const base = (w: ReturnType<typeof world>, merge?: boolean) => ({
      roles: w.roles, inventory: w.inventory, principal: mc, cluster: w.cluster, networks: w.networks, datastores: w.datastores, folders: [w.root],
      mergeTagRolesIntoDatacenter: merge,
    });
    const refused = world('8.0', '2.22');
    expect(() => new UserClusterPermissions(refused.stack, 'Mc', base(refused))).toThrow(
      /KKP 2\.22's page grants k8c-user-tags on the datacenter, propagated, and k8c-user-datacenter there, not propagated, to the same user; vSphere holds one permission per user per object\. Set mergeTagRolesIntoDatacenter: true/,
    );
    const merged = world('8.0', '2.22');
    new UserClusterPermissions(merged.stack, 'Mc', base(merged, true));
    merged.shareAll();
    const json = synthJson(merged.stack);
    expect(rows(json, '/dc-1')).toEqual([`${mc} k8c-user-datacenter+k8c-user-tags propagated`]);
  });

  test('2.21: the optional tag roles only with optionalRoles', () => {
    const w = world('8.0', '2.21');
    new UserClusterPermissions(w.stack, 'Mc', {
      roles: w.roles, inventory: w.inventory, principal: mc, cluster: w.cluster, networks: w.networks, datastores: w.datastores, folders: [w.root],
    });
    w.shareAll();
    expect(rows(synthJson(w.stack), '/dc-1')).toEqual([`${mc} k8c-user-datacenter not propagated`]);
  });

  test('one stack, one KKP release: a second construct asking for another fails and names the first', () => {
    const w = world('8.0', '2.31');
    expect(() => new KkpRoles(w.stack, 'Other', { vsphereVersion: '8.0', kkpRelease: '2.18' })).toThrow(
      "KkpRoles test/Other kkpRelease: '2.18' differs from the KKP release this stack already uses, '2.31' (set by KkpRoles test/Roles).",
    );
  });

  test('a profile\'s roles on a vSphere version below its page\'s minimum: a warning', () => {
    const w = world('8.0', '2.12');
    const stack = newStack();
    const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '7.0', kkpRelease: '2.31' });
    expect(roles.node.metadata.map((m) => m.data)).toEqual([
      "KKP 2.31's vSphere page gives its roles for vSphere 7.0u2 and later (tested with vSphere 8.0.2); vsphereVersion is 7.0.",
    ]);
    expect(w.roles.node.metadata).toEqual([]);
  });
});
