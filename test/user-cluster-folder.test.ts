// UserClusterFolder: nested relative paths with parents first, the owned folder's grants, and the paths KKP owns.
import { Testing } from 'cdktf';
import { VsphereInventory } from '../src/core';
import { KkpRoles, UserClusterFolder, UserClusterFolderProps, VmFolder } from '../src/constructs';
import { newStack, synthJson } from './permissions/support';

const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';

function setup() {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  const base = (clusterId: string, change: Partial<UserClusterFolderProps> = {}): UserClusterFolderProps => ({
    inventory, rootFolder: kkpRoot, clusterId, roles, machineControllerPrincipal: MC, ...change,
  });
  return { stack, inventory, kkpRoot, roles, base };
}

type Json = Record<string, any>;

function folders(synth: Json): Json[] {
  return Object.entries(synth.resource.vsphere_folder as Json).map(([id, f]) => ({ id, ...f }));
}

function permsOn(synth: Json, inventoryPath: string): Json | undefined {
  return Object.values(synth.resource.vsphere_entity_permissions as Json).find((p: Json) => p['//'].kkp.entity === inventoryPath);
}

describe('UserClusterFolder', () => {
  test('default path clusters/<clusterId> below the root folder; the shared parent is created once and first', () => {
    const { stack, base } = setup();
    const a = new UserClusterFolder(stack, 'A', base('kh8dfp2rz6'));
    const b = new UserClusterFolder(stack, 'B', base('x7q2mm9wkp'));
    expect(a.folderPath).toBe('/dc-1/vm/kkp/clusters/kh8dfp2rz6');
    expect(b.relativePath).toBe('kkp/clusters/x7q2mm9wkp');
    const synth = JSON.parse(Testing.synth(stack));
    const all = folders(synth);
    expect(all.map((f) => f.path).sort()).toEqual(['kkp', 'kkp/clusters', 'kkp/clusters/kh8dfp2rz6', 'kkp/clusters/x7q2mm9wkp']);
    const parent = all.find((f) => f.path === 'kkp/clusters')!;
    expect(parent.depends_on).toEqual([expect.stringMatching(/^vsphere_folder\.KkpRoot_Folder_/)]);
    for (const f of all.filter((x) => x.path.startsWith('kkp/clusters/'))) {
      expect(f.type).toBe('vm');
      expect(f.depends_on).toEqual([`vsphere_folder.${parent.id}`]);
    }
  });

  test('a custom nested path creates each missing parent once', () => {
    const { stack, base } = setup();
    new UserClusterFolder(stack, 'A', base('aaaaaaaaaa', { path: 'team-a/prod/aaaaaaaaaa' }));
    new UserClusterFolder(stack, 'B', base('bbbbbbbbbb', { path: 'team-a/dev' }));
    const synth = JSON.parse(Testing.synth(stack));
    expect(folders(synth).map((f) => f.path).sort()).toEqual(['kkp', 'kkp/team-a', 'kkp/team-a/dev', 'kkp/team-a/prod', 'kkp/team-a/prod/aaaaaaaaaa']);
  });

  test('without a root folder the path is relative to the datacenter VM folder (KKP default rootPath)', () => {
    const { stack, base } = setup();
    const f = new UserClusterFolder(stack, 'A', base('kh8dfp2rz6', { rootFolder: undefined }));
    expect(f.folderPath).toBe('/dc-1/vm/clusters/kh8dfp2rz6');
    expect(f.relativePath).toBe('clusters/kh8dfp2rz6');
    const synth = JSON.parse(Testing.synth(stack));
    expect(folders(synth).find((x) => x.path === 'clusters')!.depends_on).toBeUndefined();
  });

  test('its permissions are owned: machine-controller and the own storage principal, both propagated, nothing else', () => {
    const { stack, base } = setup();
    const f = new UserClusterFolder(stack, 'A', base('kh8dfp2rz6', { storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-kh8dfp2rz6' }));
    const synth = synthJson(stack);
    const perms = permsOn(synth, f.folderPath)!;
    expect(perms.entity_type).toBe('Folder');
    expect(perms['//'].kkp.management).toBe('owned');
    expect(perms.permissions).toEqual([
      { user_or_group: MC, is_group: false, propagate: true, role_id: expect.stringContaining('vsphere_role.Roles_k8c-user-folder-propagate') },
      { user_or_group: 'VSPHERE.LOCAL\\kkp-storage-kh8dfp2rz6', is_group: false, propagate: true, role_id: expect.stringContaining('vsphere_role.Roles_k8c-ccm-storage-vmfolder-propagate') },
    ]);
    // The own storage principal gets nothing on the root folder (so nothing on other clusters' folders).
    expect(permsOn(synth, '/dc-1/vm/kkp')).toBeUndefined();
    expect(Object.keys(synth.resource.vsphere_role).sort()).toEqual([
      expect.stringMatching(/^Roles_k8c-ccm-storage-vmfolder-propagate/), expect.stringMatching(/^Roles_k8c-user-folder-propagate/),
    ]);
  });

  const badId: [string, unknown][] = [['upper case', 'KH8dfp2rz6'], ['empty', ''], ['a slash', 'a/b'], ['too long', 'a'.repeat(56)]];
  test.each(badId)('rejects a cluster id with %s', (_name, clusterId) => {
    const { stack, base } = setup();
    expect(() => new UserClusterFolder(stack, 'A', base(clusterId as string))).toThrow(
      /UserClusterFolder test\/A clusterId: .* is not a KKP cluster id; give the cluster's metadata.name/,
    );
  });

  test("rejects KKP's own folder <rootPath>/<clusterId>, and any path through it", () => {
    const { stack, base } = setup();
    expect(() => new UserClusterFolder(stack, 'A', base('kh8dfp2rz6', { path: 'kh8dfp2rz6' }))).toThrow(
      /UserClusterFolder test\/A path: "kh8dfp2rz6" is \/dc-1\/vm\/kkp\/kh8dfp2rz6: the folder KKP creates for this cluster itself and destroys with it/,
    );
    expect(() => new UserClusterFolder(stack, 'B', base('kh8dfp2rz6', { path: 'kh8dfp2rz6/vms' }))).toThrow(/path: "kh8dfp2rz6\/vms" passes through \/dc-1\/vm\/kkp\/kh8dfp2rz6/);
  });

  test('with basePath (KKP 2.24+) KKP\'s folder is <rootPath>/<basePath>/<clusterId>: the default clusters/<id> collides with basePath clusters', () => {
    const { stack, base } = setup();
    expect(() => new UserClusterFolder(stack, 'A', base('kh8dfp2rz6', { basePath: 'clusters' }))).toThrow(
      'UserClusterFolder test/A path: "clusters/kh8dfp2rz6" is /dc-1/vm/kkp/clusters/kh8dfp2rz6: the folder KKP creates for this cluster itself ' +
        '(rootPath/basePath/clusterId with basePath "clusters") and destroys with it. Use another path, e.g. "cluster-folders/kh8dfp2rz6".',
    );
    // An absolute basePath ignores rootPath.
    expect(() => new UserClusterFolder(stack, 'B', base('x7q2mm9wkp', { basePath: '/dc-1/vm/kkp/team-a', path: 'team-a/x7q2mm9wkp/vms' }))).toThrow(
      /path: "team-a\/x7q2mm9wkp\/vms" passes through \/dc-1\/vm\/kkp\/team-a\/x7q2mm9wkp/,
    );
    // With basePath, <rootPath>/<clusterId> is free again.
    const f = new UserClusterFolder(stack, 'C', base('p4n8c2vd7t', { basePath: 'clusters', path: 'p4n8c2vd7t' }));
    expect(f.folderPath).toBe('/dc-1/vm/kkp/p4n8c2vd7t');
    expect(() => new UserClusterFolder(stack, 'D', base('q1w2e3r4t5', { basePath: 'a/../b' }))).toThrow(/basePath: "a\/..\/b" has an empty, ".", ".." or space-padded segment/);
  });

  test("rejects a folder at another cluster's KKP path, in either order", () => {
    const first = setup();
    new UserClusterFolder(first.stack, 'A', first.base('aaaaaaaaaa'));
    expect(() => new UserClusterFolder(first.stack, 'B', first.base('bbbbbbbbbb', { path: 'x/../aaaaaaaaaa' }))).toThrow(
      /UserClusterFolder test\/B path: "x\/..\/aaaaaaaaaa" has a ".." segment; govmomi cleans such paths/,
    );
    expect(() => new UserClusterFolder(first.stack, 'C', first.base('cccccccccc', { path: 'aaaaaaaaaa/c' }))).toThrow(
      /UserClusterFolder test\/C: \/dc-1\/vm\/kkp\/aaaaaaaaaa is where KKP creates \(and on deletion destroys\) the folder of user cluster "aaaaaaaaaa"/,
    );
    const second = setup();
    new UserClusterFolder(second.stack, 'A', second.base('aaaaaaaaaa', { path: 'bbbbbbbbbb/a' }));
    expect(() => new UserClusterFolder(second.stack, 'B', second.base('bbbbbbbbbb'))).toThrow(
      /UserClusterFolder test\/B clusterId: this stack creates \/dc-1\/vm\/kkp\/bbbbbbbbbb, which is where KKP would create and destroy the folder of user cluster "bbbbbbbbbb"/,
    );
    // A cluster named like the shared parent folder `clusters` would make KKP adopt it.
    expect(() => new UserClusterFolder(second.stack, 'C', second.base('clusters', { path: 'other/clusters-folder' }))).not.toThrow();
    const third = setup();
    new UserClusterFolder(third.stack, 'A', third.base('aaaaaaaaaa'));
    expect(() => new UserClusterFolder(third.stack, 'B', third.base('clusters', { path: 'x' }))).toThrow(
      /this stack creates \/dc-1\/vm\/kkp\/clusters, which is where KKP would create and destroy the folder of user cluster "clusters"/,
    );
  });

  test('rejects a duplicate cluster id and a path already taken', () => {
    const { stack, base } = setup();
    new UserClusterFolder(stack, 'A', base('aaaaaaaaaa'));
    expect(() => new UserClusterFolder(stack, 'B', base('aaaaaaaaaa', { path: 'elsewhere' }))).toThrow(
      /UserClusterFolder test\/B clusterId: "aaaaaaaaaa" is already the id of another user cluster in this stack \(its folder: test\/A\)\. .* give this cluster its own id/,
    );
    expect(() => new UserClusterFolder(stack, 'C', base('cccccccccc', { path: 'clusters/aaaaaaaaaa' }))).toThrow(
      /UserClusterFolder test\/C: \/dc-1\/vm\/kkp\/clusters\/aaaaaaaaaa is already the folder of user cluster "aaaaaaaaaa"/,
    );
    expect(() => new UserClusterFolder(stack, 'D', base('dddddddddd', { path: 'clusters' }))).toThrow(
      /\/dc-1\/vm\/kkp\/clusters is already a parent folder of another user cluster/,
    );
  });

  test('rejects an absolute path, a bad principal and a root folder of another datacenter', () => {
    const { stack, base } = setup();
    expect(() => new UserClusterFolder(stack, 'A', base('aaaaaaaaaa', { path: '/dc-1/vm/kkp/x' }))).toThrow(
      /UserClusterFolder test\/A path: "\/dc-1\/vm\/kkp\/x" is absolute; give the path relative/,
    );
    expect(() => new UserClusterFolder(stack, 'B', base('bbbbbbbbbb', { storagePrincipal: 'kkp-storage@vsphere.local' }))).toThrow(
      /UserClusterFolder test\/B storagePrincipal: principal "kkp-storage@vsphere.local" is not of the form DOMAIN\\name/,
    );
    const other = new VsphereInventory(stack, 'Other', { datacenter: 'dc-2' });
    expect(() => new UserClusterFolder(stack, 'C', base('cccccccccc', { inventory: other }))).toThrow(
      /UserClusterFolder test\/C rootFolder: \/dc-1\/vm\/kkp is not in datacenter "dc-2"/,
    );
  });
});
