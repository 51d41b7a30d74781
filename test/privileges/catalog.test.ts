import * as fs from 'fs';
import * as path from 'path';
import { VSPHERE_VERSIONS, checkPrivileges, expandPrivilegeGroup, privilegeCatalog } from '../../src/facts/privileges';
import * as shipped from '../../src/facts/privileges/catalogs.json';

// A copy of the project's shared/reference/vsphere-privileges.json: tests use only what the repository holds.
const reference = path.join(__dirname, '../fixtures/vsphere-privileges.json');

describe('privilege catalogs', () => {
  test('the shipped catalogs are the real captures of test/fixtures/vsphere-privileges.json, minus the implicit System group', () => {
    const ref = JSON.parse(fs.readFileSync(reference, 'utf8'));
    for (const capture of ['esxi-6.5u1', 'vcenter-8'] as const) {
      const implicit = ref.catalogs[capture].filter((id: string) => id.startsWith('System.'));
      expect(implicit.sort()).toEqual(['System.Anonymous', 'System.Read', 'System.View']);
      expect(shipped.catalogs[capture]).toEqual(ref.catalogs[capture].filter((id: string) => !implicit.includes(id)).sort());
    }
  });

  test('VirtualMachine.Config.Unlock exists up to 6.7 only; SuspendToMemory from 7.0 Update 2', () => {
    const has = (id: string) => VSPHERE_VERSIONS.filter((v) => privilegeCatalog(v).has(id));
    expect(has('VirtualMachine.Config.Unlock')).toEqual(['6.7']);
    expect(has('VirtualMachine.Interact.SuspendToMemory')).toEqual(['7.0u2', '8.0']);
  });

  test.each(VSPHERE_VERSIONS)('catalog %s holds no System.* privilege (they are implicit in every role)', (version) => {
    expect([...privilegeCatalog(version)].filter((id) => id.startsWith('System.'))).toEqual([]);
    expect(privilegeCatalog(version).size).toBeGreaterThan(250);
  });

  test('a whole group expands to that version\'s members', () => {
    expect(expandPrivilegeGroup('VirtualMachine.State', '8.0')).toEqual([
      'VirtualMachine.State.CreateSnapshot',
      'VirtualMachine.State.RemoveSnapshot',
      'VirtualMachine.State.RenameSnapshot',
      'VirtualMachine.State.RevertToSnapshot',
    ]);
    expect(() => expandPrivilegeGroup('VirtualMachine.Nothing', '8.0')).toThrow(
      'Privilege group "VirtualMachine.Nothing" has no privileges in vSphere 8.0.',
    );
  });

  test('an unknown privilege names the role, the ID, the version and the closest known IDs', () => {
    expect(() => checkPrivileges('backup-operator', ['Datastore.Browse', 'VirtualMachine.Config.AddNewDsk'], '8.0')).toThrow(
      'Role "backup-operator": privilege "VirtualMachine.Config.AddNewDsk" is not known to vSphere 8.0. ' +
        'Closest known IDs: VirtualMachine.Config.AddNewDisk,',
    );
  });

  test('a privilege of another version says which version has it', () => {
    expect(() => checkPrivileges('legacy', ['VirtualMachine.Config.Unlock'], '8.0')).toThrow(
      /not known to vSphere 8\.0\. It exists in vSphere 6\.7: check the vsphereVersion you configured\./,
    );
  });

  test('System.* privileges are dropped and reported, the rest sorted and deduplicated', () => {
    expect(checkPrivileges('r', ['System.Read', 'Network.Assign', 'Datastore.Browse', 'Network.Assign'], '7.0')).toEqual({
      privileges: ['Datastore.Browse', 'Network.Assign'],
      implicitDropped: ['System.Read'],
    });
  });

  test('a role of only System.* privileges is refused', () => {
    expect(() => checkPrivileges('empty', ['System.View'], '7.0')).toThrow(
      'Role "empty": no privileges left to grant (System.* privileges are implicit in every role).',
    );
  });
});
