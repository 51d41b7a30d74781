// The pure parts of adoption: which vCenter role names are KKP's, and what a discovery file must hold.
import { DiscoveryFileError, parseDiscovery } from '../../src/contracts';
import { matchKkpRoleName } from '../../src/tools/vcenter';

test('KKP role names are found with or without a prefix, the longest name first, old names included', () => {
  expect(matchKkpRoleName('k8c-user-vcenter')).toEqual({ kkpName: 'k8c-user-vcenter', prefix: '' });
  expect(matchKkpRoleName('prod-k8c-user-vcenter')).toEqual({ kkpName: 'k8c-user-vcenter', prefix: 'prod-' });
  expect(matchKkpRoleName('prod-k8c-user-tags-category')).toEqual({ kkpName: 'k8c-user-tags-category', prefix: 'prod-' });
  expect(matchKkpRoleName('k8c-user-tags')).toEqual({ kkpName: 'k8c-user-tags', prefix: '' });
  expect(matchKkpRoleName('k8s-network-attach')).toEqual({ kkpName: 'k8s-network-attach', prefix: '' }); // the 2.12 spelling
  expect(matchKkpRoleName('x-k8c-ccm-storage-cns')).toEqual({ kkpName: 'k8c-ccm-storage-cns', prefix: 'x-' });
  for (const other of ['k8c-user-vcenter-old', 'backup-operator', 'Admin', 'k8c-user', '']) expect(matchKkpRoleName(other)).toBeUndefined();
});

test('a discovery file that is not one is refused with what is wrong and how to write one', () => {
  const good = { format: 'cdktf-kkp-vsphere/discovery@1', server: 'https://vc', kkpRelease: '2.31', vsphereVersion: '8.0', prefixes: [], roles: [], folders: [], templates: [], grants: [], otherPermissions: [] };
  expect(parseDiscovery(good, 'f.json')).toBe(good);
  const bad: [unknown, RegExp][] = [
    [[], /f.json: not a JSON object/],
    [{ ...good, format: 'cdktf-kkp-vsphere/discovery@2' }, /format is "cdktf-kkp-vsphere\/discovery@2", expected "cdktf-kkp-vsphere\/discovery@1"/],
    [{ ...good, roles: {} }, /roles must be a list/],
    [{ ...good, roles: [{ name: 'k8c-user-vcenter', id: '7', privileges: [] }] }, /roles\[0\] needs name, an integer id and privileges/],
    [{ ...good, folders: [{ path: 'kkp', id: 'group-1' }] }, /folders\[0\] needs an absolute path and an id/],
    [{ ...good, grants: [{ object: '/', principal: 'A\\b', isGroup: 'no', role: 'r', propagate: true }] }, /grants\[0\] needs object, principal, isGroup, role and propagate/],
  ];
  for (const [value, message] of bad) {
    expect(() => parseDiscovery(value, 'f.json')).toThrow(DiscoveryFileError);
    expect(() => parseDiscovery(value, 'f.json')).toThrow(message);
    expect(() => parseDiscovery(value, 'f.json')).toThrow('cdktf-kkp-vsphere discover --out f.json');
  }
});
