// `report --plan`: what a saved Terraform plan will really change on vCenter.
//
// Every plan document here is REAL: made by the terraform binary (`terraform plan -out`, `terraform show -json`) from
// stacks synthesized by cdktf, with prior state from a real `terraform apply`.
// - vsphere_* resources: the real vSphere provider (vmware/vsphere 2.15.0, found by test/support/terraform.ts)
//   applied to the faithful simulator (test/support/vcsim.ts, default inventory DC0). Other principals' permissions
//   are planted through vCenter's own API (SetEntityPermissions), so that terraform's refresh finds them as it would
//   on a shared vCenter: first deploy, added cluster, renamed network, foreign principal, role and folder changes,
//   destroy, and a plan removing 400 foreign permissions (a comment too long for GitHub before it is cut).
// - terraform_data resources (additive grants, one per object and principal, the shape issue 9 synthesizes),
//   planned with no provider: first deploy, changes, replacement, destroy.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataResource, LocalBackend, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import {
  KkpRoles,
  PredefinedRole,
  Principal,
  SeedPermissions,
  UserClusterFolder,
  UserClusterPermissions,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
} from '../../src';
import {
  diffReports,
  GITHUB_COMMENT_LIMIT,
  KkpAdditiveGrantMetadata,
  PlanReport,
  planReport,
  readSynthOutput,
  renderPlanMarkdown,
  StackReport,
} from '../../src/tools/report';
import { ManagedObjectReference, VcenterClient } from '../../src/tools/vcenter';
import { TerraformWorkspace } from '../support/terraform';
import { startVcsim, Vcsim } from '../support/vcsim';
import { vsphereWorkspace } from '../support/vsphere-provider';
import { renderHtml, runCli, synthToDisk, tablesOf } from './support';

jest.setTimeout(600_000);

const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const ADMINS = 'VSPHERE.LOCAL\\Administrators';
const BACKUP = 'VSPHERE.LOCAL\\backup-team';
const MANY = 400;

// ---- real plans of vsphere_* resources (the vSphere provider on the simulator) ---------------------------------

interface Shape {
  readonly clusters: readonly string[];
  readonly network: string;
}

/** Roles, seed and machine-controller grants, authoritative shared objects keeping Administrators, user-cluster folders. */
class SeedStack extends TerraformStack {
  constructor(scope: Construct, id: string, v: Shape) {
    super(scope, id);
    // State in terraform's working directory; the provider reads VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD.
    new LocalBackend(this, { path: 'terraform.tfstate' });
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(this, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'DC0' });
    const cluster = inventory.computeCluster('DC0_C0');
    const datastores = [inventory.datastore('LocalDS_0')];
    const networks = [inventory.network(v.network)];
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const roles = new KkpRoles(this, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0', namePrefix: 'kkp-' });
    new SeedPermissions(this, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores });
    new UserClusterPermissions(this, 'Mc', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
    for (const clusterId of v.clusters) {
      new UserClusterFolder(this, `Cluster-${clusterId}`, {
        inventory,
        rootFolder: kkpRoot,
        clusterId,
        roles,
        machineControllerPrincipal: MC,
        storagePrincipal: `VSPHERE.LOCAL\\kkp-storage-${clusterId}`,
      });
    }
    const admins = { principal: Principal.group(ADMINS), role: PredefinedRole.ADMINISTRATOR, propagate: true };
    for (const shared of [inventory.vcenter(), inventory.datacenter, cluster, ...datastores, ...networks]) {
      VspherePermissions.manageAuthoritatively(shared, { keep: [admins] });
    }
  }
}

function synthSeed(v: Shape): { dir: string; tf: any; report: StackReport } {
  const dir = synthToDisk((app) => new SeedStack(app, 'kkp-seed', v));
  return {
    dir,
    tf: JSON.parse(readFileSync(join(dir, 'stacks/kkp-seed/cdk.tf.json'), 'utf8')),
    report: readSynthOutput(dir).stacks[0],
  };
}

// The additive grants' for_each block has no instance here (its shared objects are managed authoritatively).
const managedAddresses = (tf: any) =>
  new Set(
    Object.entries<any>(tf.resource).flatMap(([type, table]) =>
      Object.keys(table).filter((name) => table[name].for_each === undefined).map((name) => `${type}.${name}`),
    ),
  );

const row = (p: { object: string; principal: string; change: string; role: string }) => `${p.change} ${p.object} ${p.principal} ${p.role}`;

/** Actions of a real plan by address, for the record of what terraform planned. */
const actionsOf = (plan: any) =>
  plan.resource_changes.filter((c: any) => c.change.actions.join() !== 'no-op').map((c: any) => `${c.change.actions.join('+')} ${c.address}`);

describe('report --plan on REAL vSphere plans (the vSphere provider applied to the simulator)', () => {
  const one = synthSeed({ clusters: ['kh8dfp2rz6'], network: 'VM Network' });
  const two = synthSeed({ clusters: ['kh8dfp2rz6', 'x7q2mm9wkp'], network: 'VM Network' });
  const renamed = synthSeed({ clusters: ['kh8dfp2rz6'], network: 'DC0_DVPG0' });
  const plans: Record<string, any> = {};
  const timings: Record<string, number> = {};
  let sim: Vcsim;
  let vc: VcenterClient;
  let ws: TerraformWorkspace;
  let vmNetwork: ManagedObjectReference;
  let roleChanged: { key: string; before: string[] };
  let folderChanged: string;

  const object = async (path: string) => {
    const ref = await vc.findByInventoryPath(path);
    if (!ref) throw new Error(`the simulator has no ${path}`);
    return ref;
  };
  const plant = async (path: string, principals: readonly string[]) =>
    vc.setEntityPermissions(await object(path), principals.map((principal) => ({ principal, group: true, roleId: -2, propagate: false })));
  const unplant = async (path: string, principals: readonly string[]) => {
    const ref = await object(path);
    for (const p of principals) await vc.removeEntityPermission(ref, p, true);
  };
  const timedPlan = (name: string, config: any, destroy = false) => {
    const t = Date.now();
    ws.write(config);
    plans[name] = ws.planJson(destroy);
    timings[name] = Date.now() - t;
  };

  beforeAll(async () => {
    sim = await startVcsim({ tls: true });
    vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
    vmNetwork = await object('/DC0/network/VM Network');
    // The simulator's root folder holds its own admin and root principals (no domain); a vCenter's root holds the
    // VSPHERE.LOCAL\\Administrators group, which the stack keeps. Made so here, or every plan after the first would
    // remove the simulator's principals (the authoritative root resource reads them into state on create).
    const root = await object('/');
    const defaults = await vc.retrieveEntityPermissions(root);
    expect(defaults.map((p) => `${p.principal} ${p.group}`).sort()).toEqual(['admin false', 'root false', 'root true']);
    await vc.setEntityPermissions(root, [{ principal: ADMINS, group: true, roleId: -1, propagate: true }]);
    for (const p of defaults) await vc.removeEntityPermission(root, p.principal, p.group);
    ws = vsphereWorkspace(sim, one.tf);
    timedPlan('first', one.tf);
    timings.apply = ws.apply().millis;
    timings.replanExit = ws.planExitCode();
    timedPlan('added', two.tf);
    timedPlan('renamed', renamed.tf);
    // Someone else's permission on the (authoritatively managed) datastore, set after the last apply.
    await plant('/DC0/datastore/LocalDS_0', [BACKUP]);
    timedPlan('foreign', one.tf);
    await unplant('/DC0/datastore/LocalDS_0', [BACKUP]);
    // A role's privileges change; a folder's type (ForceNew) changes.
    const tf = JSON.parse(JSON.stringify(one.tf));
    const [roleKey] = Object.keys(tf.resource.vsphere_role);
    roleChanged = { key: roleKey, before: one.tf.resource.vsphere_role[roleKey].role_privileges };
    tf.resource.vsphere_role[roleKey].role_privileges = [...roleChanged.before.slice(1), 'Datastore.Browse'];
    [folderChanged] = Object.keys(tf.resource.vsphere_folder);
    tf.resource.vsphere_folder[folderChanged].type = 'datastore';
    timedPlan('modified', tf);
    await plant('/DC0/host/DC0_C0', [BACKUP]);
    timedPlan('destroy', one.tf, true);
    await unplant('/DC0/host/DC0_C0', [BACKUP]);
    // 400 foreign principals on the datastore, all removed by its authoritative resource. (Not 3,000: terraform's
    // plan of one vsphere_entity_permissions grows with the square of its permissions: 300 took 7.7 s, 600 21 s,
    // 3,000 12 minutes.)
    const many = Array.from({ length: MANY }, (_, i) => `CORP\\team-${String(i).padStart(4, '0')}`);
    await plant('/DC0/datastore/LocalDS_0', many);
    timedPlan('many', one.tf);
    await unplant('/DC0/datastore/LocalDS_0', many);
    timings.destroy = ws.destroy().millis;
  });

  afterAll(async () => {
    await vc?.logout();
    await sim?.stop();
    ws?.remove();
  });

  test('the real plans: exit code 0 after the first apply, each plan what the provider planned', () => {
    expect(timings.replanExit).toBe(0);
    console.log(
      `real vSphere plans: apply ${timings.apply} ms, destroy ${timings.destroy} ms; plan + show per document: ` +
        Object.keys(plans).map((k) => `${k} ${timings[k]} ms`).join(', ') +
        `\nadded cluster: ${actionsOf(plans.added).join(', ')}\nrenamed network: ${actionsOf(plans.renamed).join(', ')}` +
        `\nmodified: ${actionsOf(plans.modified).join(', ')}`,
    );
  });

  test('first deploy: every role, folder and permission of the stack is created, nothing removed', () => {
    const plan = plans.first;
    const [s] = planReport([{ stack: 'kkp-seed', plan, head: one.report }]).stacks;
    const managed = managedAddresses(one.tf);
    expect(s.counts).toEqual({ add: managed.size, change: 0, destroy: 0, replace: 0 });
    expect(s.roles.map((r) => [r.name, r.action, r.privilegeCount])).toEqual(
      one.report.roles.filter((r) => r.origin === 'custom').map((r) => [r.name, 'create', r.privileges!.length]),
    );
    // New roles have no id yet: their names come from the plan's references or the synth output, never "role id".
    expect(s.permissions.map(row).sort()).toEqual(one.report.grants.map((g) => row({ ...g, change: 'added' })).sort());
    expect(s.folders.map((f) => [f.name, f.action])).toEqual(one.report.folders.map((f) => [f.path, 'create']));
    expect(s.lostPermissions).toEqual([]);
    const md = renderPlanMarkdown(planReport([{ stack: 'kkp-seed', plan, head: one.report }]));
    expect(md).toContain(`**Plan: ${managed.size} to add, 0 to change, 0 to destroy.**`);
    expect(md).not.toContain('[!CAUTION]');
  });

  test('an added user cluster: exactly its folders and grants are created', () => {
    const [s] = planReport([{ stack: 'kkp-seed', plan: plans.added, head: two.report, base: one.report }]).stacks;
    const synthDiff = diffReports(readSynthOutput(one.dir), readSynthOutput(two.dir));
    expect(s.permissions.map(row).sort()).toEqual(synthDiff.grants.added.map((g) => row({ ...g, change: 'added' })).sort());
    expect(s.permissions.map((p) => p.object)).toEqual(expect.arrayContaining(['/DC0/vm/kkp/clusters/x7q2mm9wkp']));
    expect(s.folders.map((f) => [f.name, f.action])).toEqual(synthDiff.folders.added.map((f) => [f.path, 'create']));
    expect(s.roles).toEqual([]);
    expect(s.lostPermissions).toEqual([]);
    expect(s.counts.destroy).toBe(0);
  });

  test('a renamed network: the old object loses its permissions, its kept Administrators entry loudest of all', () => {
    const plan = plans.renamed;
    const report = planReport([{ stack: 'kkp-seed', plan, head: renamed.report, base: one.report }]);
    const [s] = report.stacks;
    expect(s.permissions.filter((p) => p.object.includes('/network/')).map(row).sort()).toEqual([
      'added /DC0/network/DC0_DVPG0 VSPHERE.LOCAL\\Administrators Administrator',
      'added /DC0/network/DC0_DVPG0 VSPHERE.LOCAL\\kkp-machine-controller kkp-k8s-network-attach',
      'removed /DC0/network/VM Network VSPHERE.LOCAL\\Administrators Administrator',
      'removed /DC0/network/VM Network VSPHERE.LOCAL\\kkp-machine-controller kkp-k8s-network-attach',
    ]);
    expect(s.lostPermissions.map((l) => [l.object, l.principal, l.reason])).toEqual([['/DC0/network/VM Network', ADMINS, 'kept']]);
    const md = renderPlanMarkdown(report);
    // The caution comes right after the counts, before any table.
    const caution = md.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf('|'));
    expect(md).toMatch(/\*\*\/DC0\/network\/VM Network\*\*: VSPHERE\.LOCAL\\\\Administrators \(group\) \(Administrator\) \(kept\)/);
    expect(md).toContain('1 permission not granted by this stack removed');
    // Without the synth outputs, the plan alone still flags it (by the object's id, as the plan knows it).
    const alone = planReport([{ stack: 'kkp-seed', plan }]).stacks[0];
    expect(alone.lostPermissions.map((l) => [l.object, l.principal])).toEqual(
      expect.arrayContaining([[`Network ${vmNetwork.value}`, ADMINS]]),
    );
  });

  test('a foreign principal on an authoritative object: its removal is flagged, and the drift that brought it in shown', () => {
    const report = planReport([{ stack: 'kkp-seed', plan: plans.foreign, head: one.report, base: one.report }]);
    const [s] = report.stacks;
    expect(s.counts).toEqual({ add: 0, change: 1, destroy: 0, replace: 0 });
    expect(s.permissions.map(row)).toEqual([`removed /DC0/datastore/LocalDS_0 ${BACKUP} Read-only`]);
    expect(s.lostPermissions).toEqual([
      expect.objectContaining({ object: '/DC0/datastore/LocalDS_0', principal: BACKUP, reason: 'foreign', role: 'Read-only' }),
    ]);
    expect(s.lostPermissions[0].why).toMatch(/^added outside Terraform since the last apply; vsphere_entity_permissions\.\S+ manages \/DC0\/datastore\/LocalDS_0 authoritatively/);
    expect(s.drift.map((d) => d.what)).toEqual([`permissions added outside Terraform: ${BACKUP}`]);
    // The refresh also "finds" every folder's unset tags and custom attributes read back as [] and {} where the state
    // holds null: real resource_drift of provider 2.15.0, and no change on vCenter, so not reported as drift.
    const folderDrift = plans.foreign.resource_drift.filter((d: any) => d.type === 'vsphere_folder');
    expect(folderDrift.length).toBe(Object.keys(one.tf.resource.vsphere_folder).length);
    expect(folderDrift.map((d: any) => [d.change.before.tags, d.change.after.tags])).toEqual(folderDrift.map(() => [null, []]));
    const md = renderPlanMarkdown(report);
    const rows = [...tablesOf(md).values()].flat().filter((r) => r[1] === `${BACKUP} (group)`);
    expect(rows.map((r) => r.slice(0, 7))).toEqual([
      ['/DC0/datastore/LocalDS_0', `${BACKUP} (group)`, '⛔ removed', 'Read-only', 'no', 'authoritative', 'NOT granted by this stack'],
    ]);
  });

  test('a destroy: everything goes; every kept and foreign permission of a shared object is flagged', () => {
    const [s] = planReport([{ stack: 'kkp-seed', plan: plans.destroy, head: one.report }]).stacks;
    const managed = managedAddresses(one.tf);
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: managed.size, replace: 0 });
    expect(s.roles.every((r) => r.action === 'delete')).toBe(true);
    expect(s.folders.map((f) => [f.name, f.action])).toEqual(one.report.folders.map((f) => [f.path, 'delete']));
    const shared = [...new Set(one.report.grants.filter((g) => g.management === 'authoritative').map((g) => g.object))].sort();
    expect(s.lostPermissions.map((l) => `${l.object} ${l.principal} ${l.reason}`).sort()).toEqual(
      [...shared.map((o) => `${o} ${ADMINS} kept`), `/DC0/host/DC0_C0 ${BACKUP} foreign`].sort(),
    );
    expect(s.permissions.filter((p) => p.change !== 'removed')).toEqual([]);
  });

  test('a role whose privileges change, and a folder replaced because its type is ForceNew, name what forces it', () => {
    const plan = plans.modified;
    const [s] = planReport([{ stack: 'kkp-seed', plan, head: one.report }]).stacks;
    expect(s.roles).toEqual([
      expect.objectContaining({
        action: 'update',
        name: one.tf.resource.vsphere_role[roleChanged.key].name,
        privilegesAdded: ['Datastore.Browse'],
        privilegesRemoved: [roleChanged.before[0]],
      }),
    ]);
    // The real plan replaces the folder's permissions too: a new folder has a new id, and entity_id is ForceNew.
    // (The constructed plan of before listed the folder alone.)
    const permsOfFolder = Object.entries<any>(one.tf.resource.vsphere_entity_permissions).filter(
      ([, r]) => r.entity_id === `\${vsphere_folder.${folderChanged}.id}`,
    );
    expect(permsOfFolder).toHaveLength(1);
    const [[permsAddress]] = permsOfFolder;
    expect(s.replacements).toEqual([
      expect.objectContaining({ address: `vsphere_entity_permissions.${permsAddress}`, forcedBy: ['entity_id'], reason: 'an attribute that cannot change in place changes' }),
      expect.objectContaining({ address: `vsphere_folder.${folderChanged}`, forcedBy: ['type'], reason: 'an attribute that cannot change in place changes' }),
    ]);
    // Its permissions are the stack's own: removed with the old folder and set again on the new one, nothing lost.
    expect(s.lostPermissions).toEqual([]);
    // The same principals with the same roles on the new folder: no permission changes in the report.
    expect(s.permissions).toEqual([]);
    const md = renderPlanMarkdown(planReport([{ stack: 'kkp-seed', plan }]));
    expect(md).toContain(`- \`vsphere_folder.${folderChanged}\`: forced by \`type\``);
    // A short comment cuts nothing: all 3 changes are listed by address (the role update was once left out).
    expect(md).toContain(`- update in place (1): \`vsphere_role.${roleChanged.key}\``);
    expect(md).not.toContain('left out');
  });

  test('the built CLI reads a real vSphere plan as <stack>=<file>, as Markdown and JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kkp-plan-vsphere-')), 'renamed.json');
    writeFileSync(file, JSON.stringify(plans.renamed));
    const md = runCli(['report', renamed.dir, '--base', one.dir, '--plan', `kkp-seed=${file}`]);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(renderPlanMarkdown(planReport([{ stack: 'kkp-seed', plan: plans.renamed, head: renamed.report, base: one.report }])));
    expect(md.stdout).toContain('> [!CAUTION]');
    const json = runCli(['report', renamed.dir, '--base', one.dir, '--plan', `kkp-seed=${file}`, '--format', 'json']);
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as PlanReport).stacks[0].lostPermissions.map((l) => l.principal)).toEqual([ADMINS]);
  });

  test('the plan comment fits GitHub: 400 permission removals are cut to under 65,536 characters, counts and cautions first, lists cut with their count', () => {
    const report = planReport([{ stack: 'kkp-seed', plan: plans.many, head: one.report, base: one.report }]);
    expect(report.stacks[0].lostPermissions).toHaveLength(MANY);
    // Uncut, this comment is too long for GitHub: the cut is what keeps it under the limit.
    expect(renderPlanMarkdown(report, { maxLength: Number.MAX_SAFE_INTEGER }).length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const md = renderPlanMarkdown(report);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeLessThanOrEqual(60000);
    expect(md).toContain('**Plan: 0 to add, 1 to change, 0 to destroy.**');
    expect(md).toContain(`${MANY} permissions not granted by this stack removed`);
    expect(md).toMatch(/… and \d+ more/);
    // It is still valid Markdown: every <details> is closed.
    const html = renderHtml(md);
    expect((html.match(/<details>/g) ?? []).length).toBe((html.match(/<\/details>/g) ?? []).length);
  });
});

// ---- real plans of terraform_data resources ---------------------------------------------------------------------

interface AdditiveGrant {
  readonly id: string;
  readonly entity: string;
  readonly principal: string;
  readonly role: string;
  readonly propagate: boolean;
}

/**
 * Additive grants as issue 9 shapes them: one terraform_data per (object, principal) whose input shows principal,
 * role, object and propagation, replaced when any of them changes, and a "//" kkp record of the same grant.
 * A template import stand-in and a sensitive input show that other resources are listed by address only.
 */
class AdditiveStack extends TerraformStack {
  constructor(scope: Construct, id: string, grants: readonly AdditiveGrant[]) {
    super(scope, id);
    // State in terraform's working directory (cdktf's default is a file in the current directory: the repository).
    new LocalBackend(this, { path: 'terraform.tfstate' });
    for (const g of grants) {
      const input = { principal: g.principal, isGroup: false, role: g.role, entity: g.entity, propagate: g.propagate };
      const r = new DataResource(this, g.id, { input, triggersReplace: input });
      const meta: KkpAdditiveGrantMetadata = { grant: { ...input, kind: 'datastore' } };
      r.addOverride('//.kkp', meta);
    }
    const token = new TerraformVariable(this, 'import_token', { type: 'string', sensitive: true, default: 'hunter2-token' });
    new DataResource(this, 'UbuntuImport', { input: { template: 'ubuntu-22.04', token: token.stringValue } });
  }
}

const G = {
  ds: { id: 'GrantDs', entity: '/dc-1/datastore/ds-1', principal: STORAGE, role: 'kkp-storage-datastore', propagate: true },
  net: { id: 'GrantNet', entity: '/dc-1/network/kkp-workers', principal: MC, role: 'kkp-network-attach', propagate: false },
  cl: { id: 'GrantCluster', entity: '/dc-1/host/cluster-1', principal: MC, role: 'kkp-user-cluster', propagate: true },
};

describe('report --plan on REAL terraform plans (terraform_data additive grants, state from a real apply)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kkp-plan-real-'));
  const synth = (grants: AdditiveGrant[]) => synthToDisk((app) => new AdditiveStack(app, 'grants', grants));
  const stackJson = (dir: string) => readFileSync(join(dir, 'stacks/grants/cdk.tf.json'), 'utf8');
  const v1 = [G.ds, G.net, G.cl];
  const v2 = [
    G.ds,
    { ...G.net, id: 'GrantNetV2', entity: '/dc-1/network/kkp-workers-v2' }, // the network was renamed
    { ...G.cl, role: 'kkp-user-cluster-v2' }, // another role: replaced
    { id: 'GrantNewCluster', entity: '/dc-1/vm/kkp/clusters/x7q2mm9wkp', principal: MC, role: 'kkp-user-folder', propagate: true },
  ];
  let v1Dir: string;
  let v2Dir: string;
  let ws: TerraformWorkspace;
  let first: any;
  let change: any;
  let destroy: any;
  const timings: Record<string, number> = {};

  beforeAll(() => {
    let t = Date.now();
    v1Dir = synth(v1);
    ws = TerraformWorkspace.create(stackJson(v1Dir));
    ws.init();
    first = ws.planJson();
    timings.firstPlan = Date.now() - t;
    ws.apply();
    t = Date.now();
    v2Dir = synth(v2);
    ws.write(stackJson(v2Dir));
    change = ws.planJson();
    timings.changePlan = Date.now() - t;
    ws.apply();
    destroy = ws.planJson(true);
    writeFileSync(join(work, 'plan-change.json'), JSON.stringify(change));
  });

  afterAll(() => ws?.remove());

  test('first deploy: each grant is added, additive, named by its terraform_data address', () => {
    const [s] = planReport([{ stack: 'grants', plan: first, head: readSynthOutput(v1Dir).stacks[0] }]).stacks;
    expect(s.counts).toEqual({ add: 4, change: 0, destroy: 0, replace: 0 });
    expect(s.permissions.map((p) => [p.change, p.object, p.principal, p.role, p.propagate, p.management, p.address])).toEqual([
      ['added', '/dc-1/datastore/ds-1', STORAGE, 'kkp-storage-datastore', true, 'additive', 'terraform_data.GrantDs'],
      ['added', '/dc-1/host/cluster-1', MC, 'kkp-user-cluster', true, 'additive', 'terraform_data.GrantCluster'],
      ['added', '/dc-1/network/kkp-workers', MC, 'kkp-network-attach', false, 'additive', 'terraform_data.GrantNet'],
    ]);
    expect(s.other.map((o) => [o.address, o.action])).toEqual([['terraform_data.UbuntuImport', 'create']]);
  });

  test('changes: renamed network, changed role (replacement and what forces it), new cluster folder grant; nothing lost', () => {
    const report = planReport([{ stack: 'grants', plan: change, head: readSynthOutput(v2Dir).stacks[0], base: readSynthOutput(v1Dir).stacks[0] }]);
    const [s] = report.stacks;
    expect(s.counts).toEqual({ add: 3, change: 0, destroy: 2, replace: 1 });
    expect(s.permissions.map((p) => `${p.change} ${p.object} ${p.principal} ${p.beforeRole ? `${p.beforeRole} → ` : ''}${p.role}`)).toEqual([
      `changed /dc-1/host/cluster-1 ${MC} kkp-user-cluster → kkp-user-cluster-v2`,
      `removed /dc-1/network/kkp-workers ${MC} kkp-network-attach`,
      `added /dc-1/network/kkp-workers-v2 ${MC} kkp-network-attach`,
      `added /dc-1/vm/kkp/clusters/x7q2mm9wkp ${MC} kkp-user-folder`,
    ]);
    expect(s.replacements).toEqual([
      { address: 'terraform_data.GrantCluster', type: 'terraform_data', action: 'replace', reason: 'an attribute that cannot change in place changes', forcedBy: ['triggers_replace'] },
    ]);
    // An additive grant removes only itself: nothing here is anyone else's.
    expect(s.lostPermissions).toEqual([]);
    const md = renderPlanMarkdown(report);
    expect(md).toContain('**Plan: 3 to add, 0 to change, 2 to destroy.**');
    expect(md).not.toContain('[!CAUTION]');
    expect(md).not.toContain('hunter2-token');
    expect(JSON.stringify(change)).toContain('hunter2-token'); // the real plan holds it: the report must not
  });

  test('destroy: every grant is revoked, only its own', () => {
    const [s] = planReport([{ stack: 'grants', plan: destroy, head: readSynthOutput(v2Dir).stacks[0] }]).stacks;
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: 5, replace: 0 });
    expect(s.permissions.map((p) => [p.change, p.origin])).toEqual(Array(4).fill(['removed', 'granted']));
    expect(s.lostPermissions).toEqual([]);
  });

  test('the built CLI reads plans as <stack>=<file> with the synth outputs, as Markdown and JSON', () => {
    const md = runCli(['report', v2Dir, '--base', v1Dir, '--plan', `grants=${join(work, 'plan-change.json')}`]);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(
      renderPlanMarkdown(planReport([{ stack: 'grants', plan: change, head: readSynthOutput(v2Dir).stacks[0], base: readSynthOutput(v1Dir).stacks[0] }])),
    );
    const json = runCli(['report', v2Dir, '--plan', `grants=${join(work, 'plan-change.json')}`, '--format', 'json']);
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as PlanReport).format).toBe('cdktf-kkp-vsphere/plan-report@1');
    console.log(`real terraform plans: first ${timings.firstPlan} ms, change ${timings.changePlan} ms (synth + plan + show)`);
  });

  test('bad plan inputs are clear errors that echo nothing of the file', () => {
    const bad = (name: string, text: string) => {
      const f = join(work, name);
      writeFileSync(f, text);
      return runCli(['report', v2Dir, '--plan', `grants=${f}`]);
    };
    const cases: [string, string, RegExp][] = [
      ['binary.bin', 'PK\u0003\u0004 hunter2-binary', /is not JSON \(invalid JSON\): pass `terraform show -json plan\.bin` output, not the binary plan file/],
      ['stack.json', readFileSync(join(v2Dir, 'stacks/grants/cdk.tf.json'), 'utf8'), /is a synthesized stack \(cdk\.tf\.json\), not a plan/],
      ['state.json', JSON.stringify({ format_version: '1.0', values: { root_module: {} } }), /is Terraform state, not a plan/],
      ['other.json', JSON.stringify({ name: 'some-package', version: 'hunter2-version' }), /has no format_version: it is not `terraform show -json` output/],
    ];
    for (const [name, text, message] of cases) {
      const r = bad(name, text);
      expect({ name, status: r.status, stdout: r.stdout }).toEqual({ name, status: 1, stdout: '' });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/hunter2/);
    }
    const unknownStack = runCli(['report', v2Dir, '--plan', `nope=${join(work, 'plan-change.json')}`]);
    expect(unknownStack.status).toBe(1);
    expect(unknownStack.stderr).toMatch(/--plan names stack "nope", which .* does not have \(stacks: grants\)/);
  });
});
