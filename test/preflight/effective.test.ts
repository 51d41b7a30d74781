// The evaluator of effective privileges follows vCenter's rules (vSphere Security, "Hierarchical Inheritance of
// Permissions", "Multiple Permission Settings"), and the check reports gaps per component and operation.
import { ClusterCase, GrantedPermission, PermissionIndex, checkKkpWorks } from '../../src/facts/kkp-operations';

const U = 'VSPHERE.LOCAL\\kkp';
const perm = (path: string, privileges: GrantedPermission['privileges'], propagate: boolean, more: Partial<GrantedPermission> = {}): GrantedPermission => ({
  path, principal: U, isGroup: false, role: `r${path}`, privileges, propagate, ...more,
});
const has = (index: PermissionIndex, path: string, alsoBelow?: string[]) => {
  const eff = index.effective(U, false, { path, alsoBelow });
  return eff.privileges === 'all' || eff.privileges === 'unknown' ? eff.privileges : [...eff.privileges].sort();
};

describe('effective privileges as vCenter computes them', () => {
  test('a propagating permission reaches every descendant; a non-propagating one only its own object', () => {
    const index = new PermissionIndex([perm('/dc/vm/kkp', ['Folder.Create'], true), perm('/dc', ['Datastore.Browse'], false)]);
    expect(has(index, '/dc/vm/kkp/a/b')).toContain('Folder.Create');
    expect(has(index, '/dc')).toContain('Datastore.Browse');
    expect(has(index, '/dc/datastore/ds')).toEqual([]);
  });

  test('every role carries System.Anonymous, System.Read and System.View; No access carries nothing', () => {
    const index = new PermissionIndex([perm('/a', [], true), perm('/b', 'none', true)]);
    expect(has(index, '/a/x')).toEqual(['System.Anonymous', 'System.Read', 'System.View']);
    expect(has(index, '/b/x')).toEqual([]);
  });

  test('the most specific permission wins: one on a child overrides the parent\'s, even with fewer privileges', () => {
    const index = new PermissionIndex([perm('/dc', ['Folder.Create', 'Folder.Delete'], true), perm('/dc/vm/kkp', ['Folder.Create'], true)]);
    expect(has(index, '/dc/vm/kkp/x')).not.toContain('Folder.Delete');
    expect(has(index, '/dc/vm/other')).toContain('Folder.Delete');
  });

  test('a non-propagating child permission does not shadow the parent for the child\'s descendants', () => {
    const index = new PermissionIndex([perm('/dc', ['Folder.Delete'], true), perm('/dc/vm/kkp', ['Folder.Create'], false)]);
    expect(has(index, '/dc/vm/kkp')).not.toContain('Folder.Delete');
    expect(has(index, '/dc/vm/kkp/x')).toContain('Folder.Delete');
  });

  test('a user\'s own permission is what the user is evaluated by; a group\'s is not taken for the user\'s', () => {
    const group = perm('/dc', ['Folder.Delete'], true, { principal: 'VSPHERE.LOCAL\\admins', isGroup: true });
    const index = new PermissionIndex([group]);
    expect(has(index, '/dc/x')).toEqual([]);
    expect(index.groupsAbove('/dc/x')).toEqual([group]);
    const eff = index.effective('VSPHERE.LOCAL\\admins', true, { path: '/dc/x' });
    expect(eff.privileges).toContain('Folder.Delete');
  });

  test('a VM inherits from its folder and from its resource pool at once', () => {
    const index = new PermissionIndex([perm('/dc/vm/f', ['VirtualMachine.Interact.PowerOn'], true), perm('/dc/host/c', ['VApp.InstanceConfig'], true)]);
    expect(has(index, '/dc/vm/f/vm1', ['/dc/host/c/Resources'])).toEqual(expect.arrayContaining(['VApp.InstanceConfig', 'VirtualMachine.Interact.PowerOn']));
  });

  test('Administrator is every privilege; a role of unknown privileges is unknown', () => {
    expect(has(new PermissionIndex([perm('/', 'all', true)]), '/dc/x')).toBe('all');
    expect(has(new PermissionIndex([perm('/', 'unknown', true)]), '/dc/x')).toBe('unknown');
  });
});

describe('checkKkpWorks', () => {
  const cluster = (credentials: ClusterCase['credentials'], objects: ClusterCase['objects'] = {}): ClusterCase => ({
    where: 'stack/C', clusterId: 'c', release: '2.31', conditions: new Set(), credentials,
    objects: { vcenter: [{ path: '/' }], datacenter: [{ path: '/dc' }], datastore: [{ path: '/dc/datastore/ds' }], rootFolder: [{ path: '/dc/vm/kkp' }], clusterFolder: [{ path: '/dc/vm/kkp/c' }], nodeVm: [{ path: '/dc/vm/kkp/c/<node VM>' }], ...objects },
  });

  test('a gap names component, operation, object and the missing privilege; an Administrator has none', () => {
    const none = checkKkpWorks(new PermissionIndex([perm('/', 'all', true)]), [cluster({ username: { name: U, isGroup: false, setUp: true } })]);
    expect(none.gaps).toEqual([]);
    const result = checkKkpWorks(new PermissionIndex([perm('/dc', [], false)]), [cluster({ username: { name: U, isGroup: false, setUp: true } })]);
    const clone = result.gaps.find((g) => g.operation.id === 'machine-controller/power-on')!;
    expect(clone).toMatchObject({ component: 'machine-controller', object: '/dc/vm/kkp/c/<node VM>', missing: ['VirtualMachine.Interact.PowerOn'], credential: 'username' });
  });

  test('what synth cannot know is a warning, once: objects it does not hold, principals it does not set up, values it cannot read', () => {
    const two = [cluster({ username: { name: U, isGroup: false, setUp: false } }), { ...cluster({ username: { isGroup: false, setUp: false } }), where: 'stack/D' }];
    const result = checkKkpWorks(new PermissionIndex([]), two);
    expect(result.gaps).toEqual([]);
    expect(result.warnings.filter((w) => w.includes(`${U} logs in for`))).toHaveLength(1);
    expect(result.warnings.some((w) => w.startsWith('stack/D: ') && w.includes('a value synth cannot read'))).toBe(true);
    const known = checkKkpWorks(new PermissionIndex([]), [cluster({ username: { name: U, isGroup: false, setUp: true } }), { ...cluster({ username: { name: U, isGroup: false, setUp: true } }), where: 'stack/D' }]);
    expect(known.warnings.filter((w) => w.includes('touches the templateVm'))).toHaveLength(1);
  });

  test('granted privileges no modelled operation uses are listed per role, as information', () => {
    const result = checkKkpWorks(new PermissionIndex([perm('/', ['Cns.Searchable', 'VirtualMachine.Provisioning.ModifyCustSpecs'], false, { role: 'vc' })]),
      [cluster({ username: { name: U, isGroup: false, setUp: true } })]);
    expect(result.unused).toEqual([{ role: 'vc', privileges: ['VirtualMachine.Provisioning.ModifyCustSpecs'] }]);
  });
});
