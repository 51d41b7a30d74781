// Adopting a hand-made KKP set-up: discover (the built CLI) on the simulator, a stack that adopts from its file, and
// the synthesized import blocks run through the real vSphere provider (vmware/vsphere 2.15.0): `terraform plan` shows
// every role and folder imported and exactly the expected in-place changes, `apply` makes them, the re-plan is empty.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdoptedTemplate, KkpAdoption, KkpDatacenterSpec, KkpRoles, VmFolder, VsphereInventory } from '../../src';
import { KkpDiscovery } from '../../src/contracts';
import { VcenterClient } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { providerStack, vsphereWorkspace } from '../support/vsphere-provider';
import { ADDED, DROPPED, HandMadeSetup, RawSession, TEMPLATE, allPermissions, discover, makeByHand } from './by-hand';

let sim: Vcsim;
let vc: VcenterClient;
let raw: RawSession;
let setup: HandMadeSetup;
let dir: string;
let file: string;
let discovery: KkpDiscovery;
let ws: TerraformWorkspace | undefined;
let planText = '';
let applyText = '';

beforeAll(async () => {
  sim = await startVcsim({ tls: true }); // the provider speaks https
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  raw = await RawSession.login(sim);
  setup = await makeByHand(vc, raw);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-adopt-'));
  const run = discover(sim, ['--vsphere-version', '8.0', '--kkp-release', '2.31', '--out', 'kkp-discovery.json'], dir);
  if (run.status !== 0) throw new Error(run.stderr);
  file = path.join(dir, 'kkp-discovery.json');
  discovery = JSON.parse(fs.readFileSync(file, 'utf8'));
}, 120_000);

afterAll(async () => {
  // Terraform's own words for the README: the import lines of the plan and the apply's summary.
  if (planText) {
    const lines = (t: string, re: RegExp) => t.split('\n').filter((l) => re.test(l)).join('\n');
    console.log(`${lines(planText, /imported from|will be updated|Plan:|^\s*[~+-] /)}\n${lines(applyText, /Importing|Import complete|Modifying|Apply complete/)}`);
  }
  ws?.remove();
  raw?.close();
  await vc?.logout();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function newStack() {
  return providerStack('kkp-seed');
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

test('a real terraform plan of the import blocks: every role and folder imported, exactly the two privilege differences changed in place, nothing else; apply, re-plan empty, permissions unchanged', async () => {
  const { stack } = adoptingStack({ discovery: file });
  const json = synthJson(stack);
  const rolesBefore = await vc.roleList();
  const permissionsBefore = await allPermissions(vc);
  const nonSystem = (ps: readonly string[]) => ps.filter((p) => !p.startsWith('System.')).sort();
  const address = (type: string, pred: (r: any) => boolean) => addressOf(json, type, pred);

  ws = vsphereWorkspace(sim, json);
  // terraform plan, as a reviewer reads it, and the same plan saved and shown as JSON.
  const text = ws.run(['plan', '-input=false', '-no-color']).stdout;
  planText = text;
  const plan = ws.planJson();
  const changes = (plan.resource_changes as any[]).filter((c) => c.mode === 'managed');
  const actions = changes.map((c) => `${c.address} ${c.change.actions.join(',')}${c.change.importing ? ` importing ${c.change.importing.id}` : ''}`).sort();
  const roleAddress = (name: string) => address('vsphere_role', (r) => r.name === name);
  const folderAddress = (path: string) => address('vsphere_folder', (f) => `/DC0/vm/${f.path}` === path);
  expect(actions).toEqual(
    [
      ...discovery.roles.map((r) => `${roleAddress(r.name)} ${[DROPPED.role, ADDED.role].includes(r.name) ? 'update' : 'no-op'} importing ${r.id}`),
      ...discovery.folders.map((f) => `${folderAddress(f.path)} no-op importing ${f.path}`),
    ].sort(),
  );
  expect(text).toContain(`Plan: ${discovery.roles.length + discovery.folders.length} to import, 0 to add, 2 to change, 0 to destroy.`);
  // The two in-place changes are exactly the hand-made differences: the missing privilege added, the extra one removed.
  const privilegeChange = (name: string) => {
    const c = changes.find((x) => x.address === roleAddress(name))!.change;
    const before: string[] = c.before.role_privileges;
    const after: string[] = c.after.role_privileges;
    return { name: [c.before.name, c.after.name], add: after.filter((p) => !before.includes(p)), remove: before.filter((p) => !after.includes(p)) };
  };
  expect(privilegeChange(DROPPED.role)).toEqual({ name: [DROPPED.role, DROPPED.role], add: [DROPPED.privilege], remove: [] });
  expect(privilegeChange(ADDED.role)).toEqual({ name: [ADDED.role, ADDED.role], add: [], remove: [ADDED.privilege] });
  // Planning changed nothing in the vCenter.
  expect(await allPermissions(vc)).toEqual(permissionsBefore);

  // Apply the plan the reviewer saw.
  const applied = ws.run(['apply', '-input=false', '-no-color', 'tfplan']).stdout;
  applyText = applied;
  expect(applied).toContain(`Apply complete! Resources: ${discovery.roles.length + discovery.folders.length} imported, 0 added, 2 changed, 0 destroyed.`);

  // Nothing recreated: the same role ids and names, one role more or less nowhere; the same folder objects.
  const rolesAfter = await vc.roleList();
  expect(rolesAfter.map((r) => [r.id, r.name]).sort()).toEqual(rolesBefore.map((r) => [r.id, r.name]).sort());
  for (const [p, ref] of setup.folders) expect(await vc.findByInventoryPath(p)).toEqual(ref);
  // Other teams' permissions (and KKP's) untouched.
  expect(await allPermissions(vc)).toEqual(permissionsBefore);
  // Every adopted role now holds exactly what the stack configures.
  for (const config of Object.values<any>(json.resource.vsphere_role)) {
    const role = rolesAfter.find((r) => r.id === setup.roleIds.get(config.name))!;
    expect([config.name, nonSystem(role.privileges)]).toEqual([config.name, [...config.role_privileges].sort()]);
  }

  // The second plan is empty, and discover agrees: no difference left.
  expect(ws.planExitCode()).toBe(0);
  const again = discover(sim, ['--vsphere-version', '8.0', '--json', '--out', 'after.json'], dir);
  const after = JSON.parse(again.stdout) as KkpDiscovery;
  expect(after.roles.map((r) => [r.name, r.id, r.missing, r.extra])).toEqual(discovery.roles.map((r) => [r.name, r.id, [], []]));
}, 120_000);

test('the template is used by name, found at plan time (a real plan) and pinned to the object discover found', () => {
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
  // A real plan finds the template and its postcondition holds (the VM of that name is the object discover found).
  const planned = vsphereWorkspace(sim, json);
  try {
    const plan = planned.planJson();
    const read = plan.prior_state.values.root_module.resources.find((r: any) => r.type === 'vsphere_virtual_machine' && r.mode === 'data');
    // Found by its inventory name; the data source reports config.name, which the simulator's Rename_Task leaves as it
    // was (vCenter renames both), so the object id is what is compared.
    expect(read.values.moid).toBe(setup.templateId);
  } finally {
    planned.remove();
  }
}, 60_000);

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
