// Adopted grants, deployed for real: discover on a hand-made set-up, a stack that adopts it with KKP's own
// constructs (SeedPermissions, UserClusterPermissions), and `terraform apply` of the whole stack: the real vSphere
// provider (vmware/vsphere 2.15.0) imports the roles and the folder and updates the two roles that differ from the page,
// and the kkpvsphere provider imports each object's adopted permissions into its kkpvsphere_permissions (one import
// block per object, naming its adopted principals).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KkpAdoption, KkpRoles, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory } from '../../src';
import { KkpDiscovery } from '../../src/contracts';
import { VcenterClient } from '../../src/tools/vcenter';
import { synthJson } from '../permissions/support';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { providerStack, vsphereEnv } from '../support/vsphere-provider';
import { MACHINE_CONTROLLER, OTHER_TEAMS, RawSession, STORAGE, allPermissions, discover, makeByHand } from './by-hand';

let sim: Vcsim;
let vc: VcenterClient;
let raw: RawSession;
let dir: string;
let ws: TerraformWorkspace | undefined;

beforeAll(async () => {
  sim = await startVcsim({ tls: true }); // both providers reach it as VSPHERE_SERVER=<host>, i.e. over https
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  raw = await RawSession.login(sim);
  await makeByHand(vc, raw);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-adopt-grants-'));
}, 120_000);

afterAll(async () => {
  ws?.remove();
  raw?.close();
  await vc?.logout();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function adoptingStack(discovery: KkpDiscovery, grants = true) {
  const stack = providerStack('kkp-seed');
  new KkpAdoption(stack, 'Adopt', { discovery, grants });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const kkp = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0' });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastores = [inventory.datastore('LocalDS_0')];
  new SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkp], datastores, hosts: [inventory.host('DC0_C0_H0', cluster)] });
  new UserClusterPermissions(stack, 'MachineController', {
    roles, inventory, principal: MACHINE_CONTROLLER, cluster, networks: [inventory.network('VM Network')], datastores, folders: [kkp],
  });
  return synthJson(stack);
}

const role = async (name: string) => (await vc.roleList()).find((r) => r.name === name || (r.system && r.label === name))!.id;

test('adopted grants become the stack\'s additive grants: nothing removed or re-added, one hand-made mistake corrected in place, other teams untouched, second plan empty', async () => {
  // A hand-made mistake: the machine-controller user got Read-only on the network instead of the network role.
  const network = (await vc.findByInventoryPath('/DC0/network/VM Network'))!;
  await vc.setEntityPermissions(network, [{ principal: MACHINE_CONTROLLER, group: false, roleId: await role('Read-only'), propagate: false }]);

  const run = discover(sim, ['--vsphere-version', '8.0', '--kkp-release', '2.31', '--out', 'kkp-discovery.json'], dir);
  expect(run.status).toBe(0);
  const discovery = JSON.parse(fs.readFileSync(path.join(dir, 'kkp-discovery.json'), 'utf8')) as KkpDiscovery;
  const tf = adoptingStack(discovery);

  // Every additive grant of the stack is one discover found, and adopts it: one kkpvsphere_permissions per shared
  // object, each with one import block naming every principal it lists.
  expect(tf.resource.kkpvsphere_permission).toBeUndefined();
  const objects = Object.entries<any>(tf.resource.kkpvsphere_permissions);
  expect(objects).toHaveLength(7);
  const grants = objects.flatMap(([name, r]) => r['//'].kkp.permissions.map((p: any) => ({ name, entity: r['//'].kkp.entity, ...p })));
  expect(grants).toHaveLength(11);
  for (const g of grants) {
    expect([g.entity, g.principal, g.adopt]).toEqual([g.entity, g.principal, true]);
    expect(discovery.grants.some((d) => d.object === g.entity && d.principal === g.principal)).toBe(true);
  }
  const imports = (tf.import as { to: string; id: string }[]).filter((i) => i.to.startsWith('kkpvsphere_permissions.'));
  expect(imports.map((i) => i.to).sort()).toEqual(objects.map(([name]) => `kkpvsphere_permissions.${name}`).sort());
  for (const [name, r] of objects) {
    const id = imports.find((i) => i.to === `kkpvsphere_permissions.${name}`)!.id;
    // `<type>:<moid>:<principal>...`: the object's type, its data source's id, then each listed principal (users here)
    expect([name, id]).toEqual([name, [r.entity_type, r.entity_id, ...Object.keys(r.permissions)].join(':')]);
  }
  // No vsphere_entity_permissions: the adopted folder is shared, so its grants are additive too.
  expect(tf.resource.vsphere_entity_permissions).toBeUndefined();

  const before = await allPermissions(vc);
  const rolesBefore = (await vc.roleList()).map((r) => [r.id, r.name]).sort();

  // terraform apply of the whole stack: the vSphere provider imports and updates the roles (ids kept) and imports the
  // folder; the kkpvsphere provider imports the eleven permissions (seven objects) and updates the network's in place
  // for the mistaken one.
  ws = TerraformWorkspace.create(tf, vsphereEnv(sim));
  ws.init();
  const applied = ws.apply();
  expect(applied.stdout).toContain('Apply complete! Resources: 17 imported, 0 added, 3 changed, 0 destroyed.');
  expect(Object.keys(tf.resource.vsphere_role)).toHaveLength(9); // the 2.31 page's roles, all imported, with the KKP folder
  expect(applied.stdout).toMatch(/kkpvsphere_permissions\.\S*VM_Network\S*: Modifications complete/);
  expect(applied.stdout.match(/kkpvsphere_permissions\.\S*: Modifications complete/g)).toHaveLength(1);

  // Exactly that one permission changed; every other one (KKP's and the other teams') is as before.
  const after = await allPermissions(vc);
  const changed = after.filter((line) => !before.includes(line));
  const gone = before.filter((line) => !after.includes(line));
  const networkRole = await role('k8c-network-attach');
  expect(changed).toEqual([`Network:${network.value} user ${MACHINE_CONTROLLER} role=${networkRole} propagate=false`]);
  expect(gone).toEqual([`Network:${network.value} user ${MACHINE_CONTROLLER} role=${await role('Read-only')} propagate=false`]);
  for (const o of OTHER_TEAMS) expect(after.some((l) => l.includes(`${o.group ? 'group' : 'user'} ${o.principal} `))).toBe(true);
  // No role created or removed.
  expect((await vc.roleList()).map((r) => [r.id, r.name]).sort()).toEqual(rolesBefore);

  // The second plan is empty.
  expect(ws.planExitCode()).toBe(0);
}, 180_000);

test('without adopting the grants, nothing is taken over: the plan refuses the permissions already there, names their import IDs, and changes nothing', async () => {
  const run = discover(sim, ['--vsphere-version', '8.0', '--out', 'again.json'], dir);
  expect(run.status).toBe(0);
  const tf = adoptingStack(JSON.parse(fs.readFileSync(path.join(dir, 'again.json'), 'utf8')), false);
  const grants = Object.values<any>(tf.resource.kkpvsphere_permissions).flatMap((r) => r['//'].kkp.permissions);
  expect(grants).toHaveLength(11);
  expect(grants.filter((g: any) => g.adopt)).toEqual([]);
  expect(tf.import?.filter((i: { to: string }) => i.to.startsWith('kkpvsphere_permissions.')) ?? []).toEqual([]);
  const before = await allPermissions(vc);
  const other = TerraformWorkspace.create(tf, vsphereEnv(sim));
  try {
    other.init();
    const failed = other.run(['apply', '-auto-approve', '-input=false', '-no-color'], [1]);
    const said = failed.stderr.replace(/\s+/g, ' '); // terraform wraps the provider's diagnostics
    // One refusal per shared object (seven), each naming the principals that hold a permission there already.
    expect(said.match(/Error: permission already exists/g)).toHaveLength(7);
    const dc = (await vc.findByInventoryPath('/DC0'))!;
    const esc = (p: string) => p.replace(/\\/g, '\\\\');
    expect(said).toContain(
      `the user ${MACHINE_CONTROLLER} (role id ${await role('k8c-user-datacenter')}, propagate false), ` +
        `the user ${STORAGE} (role id -2, propagate false) already hold a permission on Datacenter ${dc.value}`,
    );
    // the import ID that adopts both on that object: one kkpvsphere_permissions, both principals
    expect(said).toContain(`an import block with id = "Datacenter:${dc.value}:${esc(MACHINE_CONTROLLER)}:${esc(STORAGE)}"`);
    const host = (await vc.findByInventoryPath('/DC0/host/DC0_C0/DC0_C0_H0'))!;
    expect(said).toContain(`the user ${STORAGE} (role id -2, propagate false) already holds a permission on HostSystem ${host.value}`);
    expect(said).toContain(`an import block with id = "HostSystem:${host.value}:${esc(STORAGE)}"`);
    expect(await allPermissions(vc)).toEqual(before);
  } finally {
    other.remove();
  }
}, 180_000);
