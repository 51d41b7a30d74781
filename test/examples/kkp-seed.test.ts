// The bundled example is the library's documentation: it must synthesize to what the issue promises.
import { Testing } from 'cdktf';
import { KkpSeedStack } from '../../examples/kkp-seed/main';
import { NEWEST_KKP_RELEASE } from '../../src';
import { kkpRoles } from '../../src/facts';
import { permissionsOn, resources, synthJson } from '../permissions/support';

function synthExample() {
  return synthJson(new KkpSeedStack(Testing.app(), 'kkp-seed'));
}

describe('examples/kkp-seed', () => {
  const json = synthExample();

  test('creates the nine custom roles of the newest KKP page with the exact vSphere 8.0 privileges and nothing System.*', () => {
    const synthesized = Object.fromEntries(resources(json, 'vsphere_role').map((r) => [r.name, r.role_privileges]));
    const expected = Object.fromEntries(kkpRoles('8.0', NEWEST_KKP_RELEASE).map((r) => [`kkp-${r.name}`, r.privileges.map((p) => p.id)]));
    expect(Object.keys(expected)).toHaveLength(9);
    expect(synthesized).toEqual(expected);
    for (const privileges of Object.values(synthesized) as string[][]) {
      expect(privileges.filter((p) => p.startsWith('System.'))).toEqual([]);
    }
  });

  // one kkpvsphere_permissions per shared object, each principal's grant in words in its metadata
  const additive = () =>
    Object.values<any>(json.resource.kkpvsphere_permissions).flatMap((r) => {
      const m = r['//'].kkp;
      expect(m.management).toBe('additive');
      // the metadata lists exactly the principals the resource sets, with the same propagation
      expect(Object.fromEntries(m.permissions.map((p: any) => [p.principal, [p.isGroup, p.propagate]]))).toEqual(
        Object.fromEntries(Object.entries<any>(r.permissions).map(([principal, p]) => [principal, [p.is_group, p.propagate]])),
      );
      return m.permissions.map((p: any) => ({ ...p, object: m.entity, kind: m.kind }));
    });

  test('grants Read-only on the datacenter and the node hosts without propagation, additively', () => {
    const readOnly = Object.values<any>(additive()).filter((g) => g.object === '/dc-1' && g.role === 'Read-only');
    // The seed's storage user, and the storage user of the one user cluster that brings its own.
    expect(readOnly.map((g) => [g.principal, g.isGroup, g.propagate])).toEqual([
      ['VSPHERE.LOCAL\\kkp-storage', false, false],
      ['VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp', false, false],
    ]);
    for (const host of ['esxi-01', 'esxi-02']) {
      const onHost = Object.values<any>(additive()).filter((g) => g.object === `/dc-1/host/cluster-1/${host}.dc-1.example.com`);
      // KKP 2.26+: the cluster with its own storage user makes the same CSI calls with it (issue 19, defect 2).
      expect(onHost.map((g) => [g.principal, g.role, g.propagate])).toEqual([
        ['VSPHERE.LOCAL\\kkp-storage', 'Read-only', false],
        ['VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp', 'Read-only', false],
      ]);
    }
  });

  test('grants machine-controller\'s user the network role on the port groups and on their distributed switch, not propagated', () => {
    const network = Object.values<any>(additive()).filter((g) => g.object.startsWith('/dc-1/network/'));
    expect(network.map((g) => [g.object, g.kind, g.principal, g.role, g.propagate]).sort()).toEqual([
      ['/dc-1/network/dvs-1', 'distributedSwitch', 'VSPHERE.LOCAL\\kkp-machine-controller', 'kkp-k8c-network-attach', false],
      ['/dc-1/network/kkp-storage', 'network', 'VSPHERE.LOCAL\\kkp-machine-controller', 'kkp-k8c-network-attach', false],
      ['/dc-1/network/kkp-workers', 'network', 'VSPHERE.LOCAL\\kkp-machine-controller', 'kkp-k8c-network-attach', false],
    ]);
    // The switch is named by its inventory path: its data source's id is the switch's UUID, no managed object id.
    const onSwitch = Object.values<any>(json.resource.kkpvsphere_permissions).filter((r) => r['//'].kkp.entity === '/dc-1/network/dvs-1');
    expect(onSwitch.map((r) => [r.entity_path, r.entity_type, r.entity_id, Object.keys(r.permissions)])).toEqual([
      ['/dc-1/network/dvs-1', undefined, undefined, ['VSPHERE.LOCAL\\kkp-machine-controller']],
    ]);
  });

  test('takes over no shared object: one vsphere_entity_permissions per folder it creates, additive grants everywhere else', () => {
    const perms = resources(json, 'vsphere_entity_permissions');
    expect(perms.map((r) => r['//'].kkp.management)).toEqual(perms.map(() => 'owned'));
    expect(perms.map((r) => r['//'].kkp.entity).sort()).toEqual([
      '/dc-1/vm/kkp',
      '/dc-1/vm/kkp/clusters/kh8dfp2rz6',
      '/dc-1/vm/kkp/clusters/x7q2mm9wkp',
      '/dc-1/vm/kkp/team-payments/p4n8c2vd7t',
      '/dc-1/vm/kkp/templates',
    ]);
    expect([...new Set(Object.values<any>(additive()).map((g) => g.object))].sort()).toEqual([
      '/',
      '/dc-1',
      '/dc-1/datastore/ds-ssd-1',
      '/dc-1/datastore/ds-ssd-2',
      '/dc-1/host/cluster-1',
      '/dc-1/host/cluster-1/esxi-01.dc-1.example.com',
      '/dc-1/host/cluster-1/esxi-02.dc-1.example.com',
      '/dc-1/network/dvs-1',
      '/dc-1/network/kkp-storage',
      '/dc-1/network/kkp-workers',
    ]);
    // one kkpvsphere_permissions per shared object, and no per-principal kkpvsphere_permission
    const objects = Object.values<any>(json.resource.kkpvsphere_permissions).map((r) => r['//'].kkp.entity);
    expect(objects.sort()).toEqual([...new Set(additive().map((g) => g.object))].sort());
    expect(json.resource.kkpvsphere_permission).toBeUndefined();
    expect(permissionsOn(json, '/dc-1/vm/kkp')['//'].kkp.management).toBe('owned');
  });

  test('creates the KKP root, template and per-cluster folders with relative paths, each parent first', () => {
    const folders = resources(json, 'vsphere_folder');
    const byPath = new Map(folders.map((f) => [f.path, f]));
    expect([...byPath.keys()].sort()).toEqual([
      'kkp',
      'kkp/clusters',
      'kkp/clusters/kh8dfp2rz6',
      'kkp/clusters/x7q2mm9wkp',
      'kkp/team-payments',
      'kkp/team-payments/p4n8c2vd7t',
      'kkp/templates',
    ]);
    const keyOf = (p: string) => Object.entries<any>(json.resource.vsphere_folder).find(([, f]) => f.path === p)![0];
    for (const folder of folders) {
      expect(folder.type).toBe('vm');
      const parent = folder.path.split('/').slice(0, -1).join('/');
      expect(folder.depends_on).toEqual(parent ? [`vsphere_folder.${keyOf(parent)}`] : undefined);
    }
  });

  test('writes no Secret KKP reconciles: one credentials Secret per user cluster on the seed, named by its credentialsReference', () => {
    const secrets = resources(json, 'kubernetes_secret').map((s) => `${s.provider} ${s.metadata.namespace}/${s.metadata.name} ${Object.keys(s.data).join(',')}`);
    expect(secrets).toEqual([
      // KKP 2.27+ logs machine-controller in as the infra-management user: every Secret names it (issue 19, defect 1).
      'kubernetes.seed kubermatic/kkp-vsphere-kh8dfp2rz6 username,password,infraManagementUserUsername,infraManagementUserPassword',
      'kubernetes.seed kubermatic/kkp-vsphere-x7q2mm9wkp username,password,infraManagementUserUsername,infraManagementUserPassword',
      'kubernetes.seed kubermatic/kkp-vsphere-p4n8c2vd7t username,password,infraManagementUserUsername,infraManagementUserPassword',
    ]);
    expect(json.output.kkp_cluster_x7q2mm9wkp.value).toContain('credentialsReference:\n    name: kkp-vsphere-x7q2mm9wkp\n    namespace: kubermatic');
    expect(json.output.kkp_cloud_config_x7q2mm9wkp.value).toContain('password = "<redacted: Secret kubermatic/kkp-vsphere-x7q2mm9wkp, key password>"');
  });

  test('synthesizes the same Terraform every time', () => {
    expect(JSON.stringify(synthExample())).toBe(JSON.stringify(json));
  });

  test('writes no credential: the provider and the grant commands read the provider\'s environment variables', () => {
    expect(json.provider.vsphere[0]).toEqual({ user: null, password: null });
    // Every other password is a Terraform variable's value (the credentials Secrets on the seed).
    expect(JSON.stringify(json)).not.toMatch(/password"\s*:\s*"(?!\$\{var\.)/i);
  });
});
