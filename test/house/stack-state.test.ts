// One home for what the library records per stack: src/core/stack-state.ts holds one WeakMap keyed by the stack, with
// one typed slot per fact. No other module keeps a map keyed by a stack; caches keyed by a token stay where they are.
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, VmFolder } from '../../src/constructs';
import { VsphereInventory, VsphereRole, kkpUserClusterIds, peekStackKkpRelease, registerKkpUserCluster } from '../../src/core';
// Not exported by src/core's index (yet): the stack state is the library's own machinery.
import { stackSlot, stackSlotNames, stackState } from '../../src/core/stack-state';

const SRC = path.resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'framework' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

test('no module but the stack state keeps a map or set keyed by stacks or constructs', () => {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new Weak(Map|Set)<([A-Za-z]+)/g)) found.push(`${path.relative(SRC, file)} Weak${m[1]}<${m[2]}>`);
  }
  expect(found.sort()).toEqual([
    'constructs/cloud-config-secret.ts WeakMap<IResolvable>', // per token
    'constructs/cloud-config-secret.ts WeakMap<IResolvable>',
    'constructs/kkp-user-cluster.ts WeakMap<TerraformVariable>', // per variable
    'core/stack-state.ts WeakMap<TerraformStack>', // the stack state
    'core/synth-checks.ts WeakMap<IConstruct>', // per app (the root construct)
  ]);
});

test('every fact recorded per stack is a named slot of the stack state', () => {
  expect([...stackSlotNames()].sort()).toEqual([
    'adopt-existing-permissions',
    'adoptable-constructs',
    'adoption',
    'cloud-config-variables',
    'created-folders',
    'inventory-lookups',
    'kkp-credentials-secrets',
    'kkp-release',
    'kkp-user-cluster-ids',
    'kkp-works',
    'kkp-works-objects',
    'kkpvsphere-providers',
    'migrate-from-provisioners',
    'preset-names',
    'provisioner-era-addresses',
    'role-names',
    'synth-checks',
    'template-names',
    'user-cluster-folders',
  ]);
  expect(() => stackSlot('kkp-release', () => undefined)).toThrow('stack state: the slot "kkp-release" is declared twice; give each slot its own name.');
});

function stack(app: App, id: string): TerraformStack {
  const s = new TerraformStack(app, id);
  new VsphereProvider(s, 'vsphere', { user: '${var.u}', password: '${var.p}' });
  return s;
}

test('two stacks of one app keep their own state; constructs of one stack share it', () => {
  const app = Testing.app();
  const a = stack(app, 'a');
  const b = stack(app, 'b');
  new KkpRoles(a, 'Roles', { vsphereVersion: '8.0', kkpRelease: '2.12' });
  new KkpRoles(b, 'Roles', { vsphereVersion: '8.0', kkpRelease: '2.28' });
  expect([peekStackKkpRelease(a), peekStackKkpRelease(b)]).toEqual(['2.12', '2.28']);
  expect(() => new KkpRoles(a, 'Roles2', { vsphereVersion: '8.0', kkpRelease: '2.28' })).toThrow(
    "KkpRoles a/Roles2 kkpRelease: '2.28' differs from the KKP release this stack already uses, '2.12' (set by KkpRoles a/Roles).",
  );

  registerKkpUserCluster(new VmFolder(a, 'F', { inventory: new VsphereInventory(a, 'Inventory', { datacenter: 'dc-1' }), path: 'kkp' }), 'aaaaaaaaaa');
  expect([kkpUserClusterIds(a), kkpUserClusterIds(b)]).toEqual([['aaaaaaaaaa'], []]);

  // One role name per stack, whichever construct claims it; the other stack is free to use it.
  new VsphereRole(a, 'R1', { roleName: 'kkp-x', privileges: ['Folder.Create'], vsphereVersion: '8.0' });
  expect(() => new VsphereRole(a, 'R2', { roleName: 'KKP-X', privileges: ['Folder.Create'], vsphereVersion: '8.0' })).toThrow(
    'Role name clash: "KKP-X" (a/R2) is already used by a/R1 in this stack.',
  );
  expect(() => new VsphereRole(b, 'R1', { roleName: 'kkp-x', privileges: ['Folder.Create'], vsphereVersion: '8.0' })).not.toThrow();

  // A slot read from any construct of the stack is the stack's.
  const slot = stackSlot<string[]>('test-slot', () => []);
  stackState(a, slot).push('from the stack');
  stackState(a.node.findChild('Roles'), slot).push('from a construct');
  expect([stackState(a, slot), stackState(b, slot)]).toEqual([['from the stack', 'from a construct'], []]);
});
