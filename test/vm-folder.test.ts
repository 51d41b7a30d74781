import { VmFolder, VsphereInventory } from '../src';
import { newStack, resources, synthJson } from './permissions/support';

describe('VmFolder and VsphereInventory inputs', () => {
  test('a nested folder path is relative to the datacenter VM folder and its parent comes first', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
    const a = new VmFolder(stack, 'A', { inventory, path: 'kkp' });
    const b = new VmFolder(stack, 'B', { inventory, path: 'clusters/prod', parent: a });
    expect(b.relativePath).toBe('kkp/clusters/prod');
    expect(b.inventoryPath).toBe('/dc-1/vm/kkp/clusters/prod');
    const folders = resources(synthJson(stack), 'vsphere_folder');
    expect(folders[1]).toMatchObject({ path: 'kkp/clusters/prod', type: 'vm', depends_on: [expect.stringMatching(/^vsphere_folder\.A_Folder_/)] });
  });

  test.each([
    ['/dc-1/vm/kkp', 'VmFolder test/F path: "/dc-1/vm/kkp" is absolute; give the path relative to the datacenter\'s folder (e.g. "kkp/templates").'],
    ['', 'VmFolder test/F path: must be a non-empty path'],
    ['kkp//x', 'VmFolder test/F path: "kkp//x" has an empty path segment ("//"); give folder names separated by one "/".'],
    ['kkp/ x', 'has leading or trailing white space'],
  ])('path %j is refused', (path, message) => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
    expect(() => new VmFolder(stack, 'F', { inventory, path })).toThrow(message);
  });

  test('a parent from another datacenter is refused', () => {
    const stack = newStack();
    const one = new VsphereInventory(stack, 'One', { datacenter: 'dc-1' });
    const two = new VsphereInventory(stack, 'Two', { datacenter: 'dc-2' });
    const parent = new VmFolder(stack, 'P', { inventory: one, path: 'kkp' });
    expect(() => new VmFolder(stack, 'C', { inventory: two, path: 'x', parent })).toThrow(
      'VmFolder test/C parent: /dc-1/vm/kkp is in datacenter "dc-1", not "dc-2"; a folder\'s parent must be in the same datacenter.',
    );
  });

  test('inventory names are checked', () => {
    const stack = newStack();
    expect(() => new VsphereInventory(stack, 'Inv', { datacenter: '' })).toThrow('VsphereInventory test/Inv datacenter: must be a non-empty name');
    const inventory = new VsphereInventory(stack, 'Inv2', { datacenter: 'dc-1' });
    expect(() => inventory.datastore('a/b')).toThrow(
      'VsphereInventory test/Inv2 datastore(name): "a/b" contains "/"; give the object\'s own name, not a path.',
    );
  });

  test('the same folder path twice in one stack is refused, also when reached through a parent', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
    const kkp = new VmFolder(stack, 'Kkp', { inventory, path: 'kkp' });
    new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkp });
    expect(() => new VmFolder(stack, 'Again', { inventory, path: 'kkp/templates/' })).toThrow(
      'VmFolder test/Again path: /dc-1/vm/kkp/templates is already created by test/Templates in this stack; use that VmFolder',
    );
    expect(resources(synthJson(stack), 'vsphere_folder')).toHaveLength(2);
  });

  test('names that differ only in characters a construct id cannot hold are looked up separately', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inv', { datacenter: 'dc-1' });
    inventory.datastore('ds 1');
    inventory.datastore('ds_1');
    expect(Object.values<any>(synthJson(stack).data.vsphere_datastore).map((d) => d.name).sort()).toEqual(['ds 1', 'ds_1']);
  });
});
