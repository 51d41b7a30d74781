// Adopting a hand-made KKP set-up: discover (the built CLI) on the simulator, a stack that adopts from its file, and
// what the vSphere provider would do with the synthesized import blocks, replayed through the same SOAP calls.
//
// What this proves and what it does not: the real vSphere provider cannot run here (README, "Not here"). The import
// blocks are checked against the discovered ids and paths and against the import id formats of provider v2.15.0
// (`vsphere_role`: the role id, `vsphere_folder`: the absolute folder path). The plan's privilege changes are
// computed as the provider computes them (its read drops System.*, its diff compares the sorted lists) and applied
// with the call its update makes (UpdateAuthorizationRole, which keeps the role id). Terraform itself does not run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { AdoptedTemplate, KkpAdoption, KkpDatacenterSpec, KkpRoles, VmFolder, VsphereInventory } from '../../src';
import { KkpDiscovery } from '../../src/adoption/model';
import { VcenterClient } from '../../src/vcenter';
import { synthJson } from '../permissions/support';
import { Vcsim, startVcsim } from '../support/vcsim';
import { ADDED, DROPPED, HandMadeSetup, RawSession, TEMPLATE, allPermissions, discover, makeByHand } from './by-hand';

let sim: Vcsim;
let vc: VcenterClient;
let raw: RawSession;
let setup: HandMadeSetup;
let dir: string;
let file: string;
let discovery: KkpDiscovery;

beforeAll(async () => {
  sim = await startVcsim();
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
  raw = await RawSession.login(sim);
  setup = await makeByHand(vc, raw);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-adopt-'));
  const run = discover(sim, ['--vsphere-version', '8.0', '--kkp-release', '2.31', '--out', 'kkp-discovery.json'], dir);
  if (run.status !== 0) throw new Error(run.stderr);
  file = path.join(dir, 'kkp-discovery.json');
  discovery = JSON.parse(fs.readFileSync(file, 'utf8'));
}, 120_000);

afterAll(async () => {
  raw?.close();
  await vc?.logout();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'kkp-seed');
  new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
  return stack;
}

/** The stack a team writes for its existing set-up: KKP 2.31's roles, the KKP folder and its templates folder. */
function adoptingStack(adoption: ConstructorParameters<typeof KkpAdoption>[2] | undefined, namePrefix = '') {
  const stack = newStack();
  if (adoption) new KkpAdoption(stack, 'Adopt', adoption);
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const kkp = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const templates = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkp });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0', namePrefix });
  for (const def of roles.profile.roles) roles.role(def.key);
  return { stack, inventory, kkp, templates, roles };
}

const addressOf = (json: any, type: string, pred: (r: any) => boolean) => {
  const [name] = Object.entries<any>(json.resource[type]).find(([, r]) => pred(r))!;
  return `${type}.${name}`;
};

test('the import blocks name exactly the discovered role ids and folder paths; nothing else is imported', () => {
  const { stack } = adoptingStack({ discovery: file });
  const json = synthJson(stack);
  const expected = [
    ...discovery.roles.map((r) => ({ to: addressOf(json, 'vsphere_role', (x) => x.name === r.name), id: String(r.id) })),
    ...discovery.folders.map((f) => ({ to: addressOf(json, 'vsphere_folder', (x) => `/DC0/vm/${x.path}` === f.path), id: f.path })),
  ];
  expect(json.import.map((i: any) => ({ to: i.to, id: i.id }))).toEqual(expect.arrayContaining(expected));
  expect(json.import).toHaveLength(expected.length);
  expect(json.import).toHaveLength(11);
  // The discovered ids are the simulator's: role ids as AddAuthorizationRole made them, folders by their paths.
  for (const r of discovery.roles) expect(r.id).toBe(setup.roleIds.get(r.name));
  // Reviewers see what is adopted, and how the role differs from the page.
  const folderRole = Object.values<any>(json.resource.vsphere_role).find((r) => r.name === DROPPED.role);
  expect(folderRole['//'].kkp.adopted).toEqual({ id: setup.roleIds.get(DROPPED.role), name: DROPPED.role, missing: [DROPPED.privilege], extra: [] });
  const root = Object.values<any>(json.resource.vsphere_folder).find((f) => f.path === 'kkp');
  expect(root['//'].kkp).toEqual({ adopted: 'folder', path: '/DC0/vm/kkp', id: setup.folders.get('/DC0/vm/kkp')!.value });
  // Nothing outside the stack's declarations: no data source or resource for the other team's folder or role.
  expect(JSON.stringify(json)).not.toContain('other-team');
  expect(JSON.stringify(json)).not.toContain('backup-operator');
});

test('applying the adopted stack as the provider would: no role or folder recreated, exactly the privilege differences change, permissions unchanged at every step, a second plan empty', async () => {
  const { stack } = adoptingStack({ discovery: file });
  const json = synthJson(stack);
  const imports = new Map<string, string>(json.import.map((i: any) => [i.to, i.id]));
  const rolesBefore = await vc.roleList();
  const permissionsBefore = await allPermissions(vc);
  const nonSystem = (ps: readonly string[]) => ps.filter((p) => !p.startsWith('System.')).sort();

  // Plan: import reads the role by id (provider getRoleByID: name and the privileges without System.*), then diffs.
  const changes: { address: string; id: number; name: string; add: string[]; remove: string[]; privileges: string[] }[] = [];
  for (const [name, config] of Object.entries<any>(json.resource.vsphere_role)) {
    const address = `vsphere_role.${name}`;
    const id = Number(imports.get(address));
    const existing = rolesBefore.find((r) => r.id === id)!;
    expect(existing.name).toBe(config.name); // the import finds the role the config names: no rename
    const held = nonSystem(existing.privileges);
    const wanted = [...config.role_privileges].sort();
    if (JSON.stringify(held) !== JSON.stringify(wanted)) {
      changes.push({ address, id, name: config.name, add: wanted.filter((p) => !held.includes(p)), remove: held.filter((p) => !wanted.includes(p)), privileges: wanted });
    }
  }
  // The plan changes exactly the two hand-made differences, in place.
  expect(changes.map((c) => [c.name, c.add, c.remove])).toEqual(
    [
      [DROPPED.role, [DROPPED.privilege], []],
      [ADDED.role, [], [ADDED.privilege]],
    ].sort(),
  );
  // Folders: the import reads path and type from vCenter; both equal the config, so no change.
  for (const [name, config] of Object.entries<any>(json.resource.vsphere_folder)) {
    const absolute = imports.get(`vsphere_folder.${name}`)!;
    expect(absolute).toBe(`/DC0/vm/${config.path}`);
    expect(config.type).toBe('vm');
    expect(await vc.findByInventoryPath(absolute)).toEqual(setup.folders.get(absolute));
  }

  // Apply: the provider's update of each changed role; KKP's principals keep their permissions after each call.
  for (const c of changes) {
    await raw.updateRole(c.id, c.name, c.privileges);
    expect(await allPermissions(vc)).toEqual(permissionsBefore);
  }

  // Nothing recreated: the same role ids and names, one role more or less nowhere; the same folder objects.
  const rolesAfter = await vc.roleList();
  expect(rolesAfter.map((r) => [r.id, r.name]).sort()).toEqual(rolesBefore.map((r) => [r.id, r.name]).sort());
  for (const [p, ref] of setup.folders) expect(await vc.findByInventoryPath(p)).toEqual(ref);
  // Other teams' permissions (and KKP's) untouched.
  expect(await allPermissions(vc)).toEqual(permissionsBefore);

  // The second plan: every adopted role now reads back exactly as configured.
  for (const [name, config] of Object.entries<any>(json.resource.vsphere_role)) {
    const role = rolesAfter.find((r) => r.id === Number(imports.get(`vsphere_role.${name}`)))!;
    expect([config.name, nonSystem(role.privileges)]).toEqual([config.name, [...config.role_privileges].sort()]);
  }
  // And discover agrees: no difference left.
  const again = discover(sim, ['--vsphere-version', '8.0', '--json', '--out', 'after.json'], dir);
  const after = JSON.parse(again.stdout) as KkpDiscovery;
  expect(after.roles.map((r) => [r.name, r.id, r.missing, r.extra])).toEqual(discovery.roles.map((r) => [r.name, r.id, [], []]));
}, 60_000);

test('the template is used by name, found at plan time and pinned to the object discover found', () => {
  const { stack, inventory, kkp } = adoptingStack({ discovery: file });
  const ubuntu = new AdoptedTemplate(stack, 'Ubuntu', { inventory, templateName: TEMPLATE, osKey: 'ubuntu' });
  new KkpDatacenterSpec(stack, 'Spec', {
    name: 'dc0', inventory, endpoint: 'https://vcenter.example.com', datastore: inventory.datastore('LocalDS_0'),
    cluster: inventory.computeCluster('DC0_C0'), rootFolder: kkp, templates: [ubuntu], location: 'Lab', country: 'DE',
  });
  const json = synthJson(stack);
  const [lookup] = Object.values<any>(json.data.vsphere_virtual_machine);
  expect(lookup.name).toBe(TEMPLATE);
  expect(lookup.lifecycle.postcondition[0].condition).toBe(`\${self.moid == "${setup.templateId}"}`);
  expect(lookup.lifecycle.postcondition[0].error_message).toContain('Run cdktf-kkp-vsphere discover again');
  expect(json.resource.vsphere_virtual_machine).toBeUndefined(); // never imported, never deployed
  expect(JSON.stringify(json.output)).toContain(`ubuntu: ${TEMPLATE}`);
});

test('explicit adoption without a file: role by id, folder by path; the plan-time check is the import itself', () => {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const folder = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp', adopt: true });
  // Custom role ids can be negative (the provider's own import example is -709298051).
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0', adopt: { 'user-vcenter': 4242, 'k8c-user-folder-propagate': -709298051 } });
  roles.role('user-vcenter');
  roles.role('user-datacenter');
  roles.role('user-folder');
  const json = synthJson(stack);
  expect(json.import).toHaveLength(3);
  expect(json.import).toEqual(
    expect.arrayContaining([
      { to: addressOf(json, 'vsphere_folder', () => true), id: '/DC0/vm/kkp' },
      { to: addressOf(json, 'vsphere_role', (r) => r.name === 'k8c-user-vcenter'), id: '4242' },
      { to: addressOf(json, 'vsphere_role', (r) => r.name === 'k8c-user-folder-propagate'), id: '-709298051' },
    ]),
  );
  expect(folder.ownership).toBe('shared'); // others may hold permissions there: never managed authoritatively by default
});

describe('bad adoption input fails synth with the input and the fix', () => {
  test('a role id discover did not find', () => {
    const stack = newStack();
    new KkpAdoption(stack, 'Adopt', { discovery: file });
    const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0', namePrefix: 'x-', adopt: { 'user-folder': 99999 } });
    expect(() => roles.role('user-folder')).toThrow(/KkpRoles kkp-seed\/Roles adopt.user-folder: discover found no KKP role with id 99999 .*k8c-user-vcenter = \d+/);
  });

  test('a role id that is another KKP role (its type differs)', () => {
    const stack = newStack();
    new KkpAdoption(stack, 'Adopt', { discovery: file });
    const id = setup.roleIds.get('k8c-user-datastore-propagate')!;
    const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0', namePrefix: 'x-', adopt: { 'user-folder': id } });
    expect(() => roles.role('user-folder')).toThrow(`role id ${id} is "k8c-user-datastore-propagate", which is KKP's user-datastore role, not k8c-user-folder-propagate`);
  });

  test('a predefined role, a key the release does not have, a template discover did not find', () => {
    const stack = newStack();
    expect(() => new KkpRoles(stack, 'A', { kkpRelease: '2.31', vsphereVersion: '8.0', adopt: { 'user-folder': -2 } })).toThrow(/not the id of a custom role/);
    expect(() => new KkpRoles(newStack(), 'B', { kkpRelease: '2.12', vsphereVersion: '8.0', adopt: { 'storage-cns': 5 } })).toThrow(/adopt: KKP role "storage-cns" is not on the vSphere page of KKP 2.12/);
    const fresh = newStack();
    new KkpAdoption(fresh, 'Adopt', { discovery: file });
    const inventory = new VsphereInventory(fresh, 'Inventory', { datacenter: 'DC0' });
    expect(() => new AdoptedTemplate(fresh, 'T', { inventory, templateName: 'kkp-flatcar', osKey: 'flatcar' })).toThrow(
      `AdoptedTemplate kkp-seed/T templateName: "kkp-flatcar" is not a template discover found in datacenter "DC0" (${file} lists ${TEMPLATE})`,
    );
  });

  test('adoption created after the folders it should apply to, a missing file, a file of another kind', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
    new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
    expect(() => new KkpAdoption(stack, 'Adopt', { discovery: file })).toThrow(/KkpAdoption kkp-seed\/Adopt: kkp-seed\/KkpRoot was created before it, .* create KkpAdoption first/);
    expect(() => new KkpAdoption(newStack(), 'Adopt', { discovery: path.join(dir, 'nope.json') })).toThrow(/cannot read .*nope.json \(ENOENT\); run `cdktf-kkp-vsphere discover --out/);
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ format: 'something-else' }));
    expect(() => new KkpAdoption(newStack(), 'Adopt', { discovery: other })).toThrow(/format is "something-else", expected "cdktf-kkp-vsphere\/discovery@1"/);
  });
});

test('nothing not adopted is touched: another prefix creates its own roles and warns about the found ones; folders: false imports no folder', () => {
  const { stack } = adoptingStack({ discovery: file, folders: false }, 'prod-');
  const json = synthJson(stack);
  expect(json.import).toBeUndefined();
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));
  expect(warnings.filter((w) => w.includes('with another prefix, which stays untouched'))).toHaveLength(9);
});
