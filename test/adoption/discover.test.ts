// `cdktf-kkp-vsphere discover` (the built CLI) against a KKP set-up made by hand on the simulator: it finds the
// roles with their differences from the page, the KKP folders and template, KKP's grants and everyone else's
// permissions on those objects, writes the file a stack adopts from, and changes nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpAdoption, KkpRoles } from '../../src';
import { KkpDiscovery, parseDiscovery } from '../../src/contracts';
import { kkpRoles } from '../../src/facts/privileges';
import { synthJson } from '../permissions/support';
import { VcenterClient } from '../../src/tools/vcenter';
import { Vcsim, startVcsim } from '../support/vcsim';
import {
  ADDED, CLI, DROPPED, HandMadeSetup, KKP_GRANTS, MACHINE_CONTROLLER, OTHER_TEAMS, RawSession, STORAGE, TEMPLATE, allPermissions, discover, handMadeRoles, makeByHand,
} from './by-hand';

let sim: Vcsim;
let vc: VcenterClient;
let raw: RawSession;
let setup: HandMadeSetup;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error('lib/cli/main.js is missing: run npm run build first.');
  sim = await startVcsim();
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password });
  raw = await RawSession.login(sim);
  setup = await makeByHand(vc, raw);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-discover-'));
}, 120_000);

afterAll(async () => {
  raw?.close();
  await vc?.logout();
  await sim?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('discover finds the hand-made roles, folders, template and grants, and changes nothing', async () => {
  const before = await allPermissions(vc);
  const rolesBefore = JSON.stringify(await vc.roleList());
  const run = discover(sim, ['--vsphere-version', '8.0', '--kkp-release', '2.31', '--out', 'kkp-discovery.json'], dir);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const file = path.join(dir, 'kkp-discovery.json');
  const d: KkpDiscovery = parseDiscovery(JSON.parse(fs.readFileSync(file, 'utf8')), file);

  // Roles: every hand-made KKP role with its id; the other team's custom role is not KKP's.
  expect(d.roles.map((r) => [r.name, r.id]).sort()).toEqual(handMadeRoles().map((r) => [r.name, setup.roleIds.get(r.name)]).sort());
  expect(d.prefixes).toEqual(['']);
  const byName = new Map(d.roles.map((r) => [r.name, r]));
  expect(byName.get(DROPPED.role)).toMatchObject({ key: 'user-folder', missing: [DROPPED.privilege], extra: [] });
  expect(byName.get(ADDED.role)).toMatchObject({ key: 'user-datastore', missing: [], extra: [ADDED.privilege] });
  for (const r of d.roles.filter((r) => r.name !== DROPPED.role && r.name !== ADDED.role)) {
    expect([r.name, r.missing, r.extra]).toEqual([r.name, [], []]);
  }
  for (const r of d.roles) expect(r.privileges.some((p) => p.startsWith('System.'))).toBe(false);

  // Folders: the KKP folder (grants) and its templates folder; not the other team's folder.
  expect(d.folders.map((f) => [f.path, f.relativePath, f.id, f.reasons])).toEqual([
    ['/DC0/vm/kkp', 'kkp', setup.folders.get('/DC0/vm/kkp')!.value, ['grant', 'parent']],
    ['/DC0/vm/kkp/templates', 'kkp/templates', setup.folders.get('/DC0/vm/kkp/templates')!.value, ['templates']],
  ]);
  expect(d.templates).toEqual([
    { name: TEMPLATE, path: `/DC0/vm/kkp/templates/${TEMPLATE}`, datacenter: 'DC0', folder: '/DC0/vm/kkp/templates', id: setup.templateId },
  ]);

  // Grants: exactly KKP's, with the KKP role each is; everyone else's on those objects apart.
  expect(d.grants.map((g) => `${g.object} ${g.principal} ${g.role} ${g.propagate}`).sort()).toEqual(
    KKP_GRANTS.map((g) => `${g.object} ${g.principal} ${g.role} ${g.propagate}`).sort(),
  );
  expect(d.grants.every((g) => g.kkpRole !== undefined)).toBe(true);
  expect(d.grants.find((g) => g.object === '/DC0' && g.principal === STORAGE)).toMatchObject({ role: 'Read-only', kkpRole: 'read-only', entityType: 'Datacenter' });
  expect(d.grants.find((g) => g.object === '/DC0/vm/kkp' && g.principal === MACHINE_CONTROLLER)).toMatchObject({ kkpRole: 'user-folder', entityType: 'Folder' });
  for (const o of OTHER_TEAMS) {
    expect(d.otherPermissions).toContainEqual(expect.objectContaining({ object: o.object, principal: o.principal, isGroup: o.group, role: o.role, propagate: o.propagate }));
  }
  expect(d.otherPermissions.some((p) => p.kkpRole !== undefined)).toBe(false);

  // Read-only: nothing changed on the vCenter.
  expect(await allPermissions(vc)).toEqual(before);
  expect(JSON.stringify(await vc.roleList())).toBe(rolesBefore);

  // The readable output names the differences; no credential anywhere.
  expect(run.stdout).toContain(`${DROPPED.role} (id ${setup.roleIds.get(DROPPED.role)})`);
  expect(run.stdout).toContain(`missing 1: ${DROPPED.privilege}`);
  expect(run.stdout).toContain(`extra 1: ${ADDED.privilege}`);
  expect(run.stdout).toContain('/DC0/vm/kkp/templates');
  expect(run.stdout + fs.readFileSync(file, 'utf8')).not.toContain(sim.password);
  fs.writeFileSync(path.join(dir, 'stdout.txt'), run.stdout);
}, 60_000);

test('--json prints the same discovery; --prefix selects one installation; a wrong password is a clear error', () => {
  const json = discover(sim, ['--vsphere-version', '8.0', '--json', '--out', 'again.json'], dir);
  expect(json.status).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'again.json'), 'utf8')));

  const none = discover(sim, ['--vsphere-version', '8.0', '--prefix', 'prod-', '--json', '--out', 'prod.json'], dir);
  // No role of that prefix, so no KKP principal: templates (and their folders) are still found, grants are not.
  const prod = JSON.parse(none.stdout) as KkpDiscovery;
  expect(prod).toMatchObject({ roles: [], grants: [], otherPermissions: [], prefixes: [] });
  expect(prod.folders.map((f) => [f.path, f.reasons])).toEqual([['/DC0/vm/kkp', ['parent']], ['/DC0/vm/kkp/templates', ['templates']]]);

  const env = { PATH: process.env.PATH, VSPHERE_SERVER: sim.url, VSPHERE_USER: sim.user, VSPHERE_PASSWORD: 'wrong' };
  const bad = spawnSync(process.execPath, [CLI, 'discover', '--vsphere-version', '8.0', '--out', 'x.json'], { cwd: dir, env, encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('wrong user name or password');
  expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);

  const missing = spawnSync(process.execPath, [CLI, 'discover', '--out', 'x.json'], { cwd: dir, env, encoding: 'utf8' });
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('--vsphere-version');
});

test('a second installation under a prefix, with a role named as an older page named it: found, compared with the selected page, adopted as a rename', async () => {
  const legacy = kkpRoles('8.0', '2.12').find((r) => r.key === 'storage-vmfolder')!;
  const current = kkpRoles('8.0', '2.31').find((r) => r.key === 'storage-vmfolder')!;
  const legacyIds = legacy.privileges.map((p) => p.id);
  const currentIds = current.privileges.map((p) => p.id);
  const id = (await vc.addRole(`prod-${legacy.name}`, legacyIds)).id;
  const kkp = (await vc.findByInventoryPath('/DC0/vm/kkp'))!;
  await vc.setEntityPermissions(kkp, [{ principal: 'VSPHERE.LOCAL\\prod-storage', group: false, roleId: id, propagate: true }]);

  const run = discover(sim, ['--vsphere-version', '8.0', '--prefix', 'prod-', '--json', '--out', 'prod.json'], dir);
  expect(run.status).toBe(0);
  const d = JSON.parse(run.stdout) as KkpDiscovery;
  expect(d.prefixes).toEqual(['prod-']);
  expect(d.roles).toEqual([
    {
      name: 'prod-k8c-storage-vmfolder-propagate', id, prefix: 'prod-', kkpName: 'k8c-storage-vmfolder-propagate',
      key: 'storage-vmfolder', documentedName: 'k8c-ccm-storage-vmfolder-propagate', privileges: [...legacyIds].sort(),
      missing: currentIds.filter((p) => !legacyIds.includes(p)), extra: legacyIds.filter((p) => !currentIds.includes(p)).sort(),
    },
  ]);
  expect(d.grants.map((g) => `${g.object} ${g.principal} ${g.kkpRole}`)).toEqual(['/DC0/vm/kkp VSPHERE.LOCAL\\prod-storage storage-vmfolder']);
  // The other installation's principals are "other" here, and stay untouched.
  expect(d.otherPermissions.map((p) => p.principal)).toEqual(expect.arrayContaining([STORAGE, MACHINE_CONTROLLER]));

  // The prod- stack adopts it under the 2.31 name: one import, the plan renames the role (same id).
  const stack = new TerraformStack(Testing.app(), 'prod');
  new VsphereProvider(stack, 'vsphere', { user: '${var.u}', password: '${var.p}' });
  new KkpAdoption(stack, 'Adopt', { discovery: d, folders: false });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.31', vsphereVersion: '8.0', namePrefix: 'prod-' });
  roles.role('storage-vmfolder');
  roles.role('user-vcenter'); // not found for prod-: created, nothing imported
  const json = synthJson(stack);
  const [address] = Object.entries<any>(json.resource.vsphere_role).find(([, r]) => r.name === 'prod-k8c-ccm-storage-vmfolder-propagate')!;
  expect(json.import).toEqual([{ to: `vsphere_role.${address}`, id: String(id) }]);
}, 60_000);
