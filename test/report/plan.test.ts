// `report --plan`: what a saved Terraform plan will really change on vCenter.
//
// Two kinds of plan documents, said per test:
// - REAL: made by the terraform binary (`terraform plan -out`, `terraform show -json`) from stacks synthesized by
//   cdktf, with prior state from a real `terraform apply`. Terraform plans `terraform_data` resources with no
//   provider, so additive grants (one terraform_data per object and principal, the shape issue 9 synthesizes) are
//   planned for real: first deploy, changes, replacement, destroy.
// - CONSTRUCTED: vsphere_* changes. The vSphere provider cannot be installed here, so terraform cannot plan them;
//   test/report/plan-documents.ts builds the documents in Terraform's documented format from real synthesized
//   cdk.tf.json, and its shape is checked against the real plans below.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataResource, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
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
} from '../../src/report';
import { TerraformWorkspace } from '../support/terraform';
import { Inventory, planDocument, resolveStack, StateResource, withForeign } from './plan-documents';
import { renderHtml, runCli, synthToDisk, tablesOf } from './support';

const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const ADMINS = 'VSPHERE.LOCAL\\Administrators';
const BACKUP = 'VSPHERE.LOCAL\\backup-team';

// ---- constructed plans of vsphere_* resources -----------------------------------------------------------------

interface Shape {
  readonly clusters: readonly string[];
  readonly network: string;
}

/** Roles, seed and machine-controller grants, authoritative shared objects keeping Administrators, user-cluster folders. */
class SeedStack extends TerraformStack {
  constructor(scope: Construct, id: string, v: Shape) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = [inventory.datastore('ds-ssd-1')];
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

/** A vCenter like the simulator's, with every role and folder of the synth outputs given. */
function inventoryFor(...tfs: any[]): Inventory {
  const roles: Record<string, string> = {};
  const folders: Record<string, string> = {};
  let n = 0;
  for (const tf of tfs) {
    for (const r of Object.values<any>(tf.resource.vsphere_role ?? {})) roles[r.name] ??= String(-1000100 - n++);
    for (const f of Object.values<any>(tf.resource.vsphere_folder ?? {})) folders[f.path] ??= `group-v${100 + n++}`;
  }
  return {
    ids: {
      'vsphere_datacenter/dc-1': 'datacenter-2',
      'vsphere_folder//': 'group-d1',
      'vsphere_compute_cluster/cluster-1': 'domain-c8',
      'vsphere_datastore/ds-ssd-1': 'datastore-12',
      'vsphere_network/kkp-workers': 'network-17',
      'vsphere_network/kkp-workers-v2': 'network-18',
    },
    roles,
    folders,
  };
}

// The additive grants' for_each block has no instance here (its shared objects are managed authoritatively).
const managedAddresses = (tf: any) =>
  new Set(
    Object.entries<any>(tf.resource).flatMap(([type, table]) =>
      Object.keys(table).filter((name) => table[name].for_each === undefined).map((name) => `${type}.${name}`),
    ),
  );

/** The refreshed state after `base` was applied, for a plan of `head`: data sources are those of head's configuration. */
function priorFor(base: any, head: any, inv: Inventory): StateResource[] {
  return [...resolveStack(head, inv, 'all').filter((r) => r.mode === 'data'), ...withForeign(resolveStack(base, inv, 'all').filter((r) => r.mode === 'managed'), inv)];
}

const row = (p: { object: string; principal: string; change: string; role: string }) => `${p.change} ${p.object} ${p.principal} ${p.role}`;

describe('report --plan on constructed vSphere plans (the provider cannot run here; format as documented)', () => {
  const one = synthSeed({ clusters: ['kh8dfp2rz6'], network: 'kkp-workers' });
  const two = synthSeed({ clusters: ['kh8dfp2rz6', 'x7q2mm9wkp'], network: 'kkp-workers' });
  const renamed = synthSeed({ clusters: ['kh8dfp2rz6'], network: 'kkp-workers-v2' });
  const inv = inventoryFor(one.tf, two.tf);

  test('first deploy: every role, folder and permission of the stack is created, nothing removed', () => {
    const plan = planDocument({ prior: resolveStack(one.tf, inv, 'all').filter((r) => r.mode === 'data'), planned: resolveStack(one.tf, inv, 'none') });
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
    const plan = planDocument({ prior: priorFor(one.tf, two.tf, inv), planned: resolveStack(two.tf, inv, managedAddresses(one.tf)) });
    const [s] = planReport([{ stack: 'kkp-seed', plan, head: two.report, base: one.report }]).stacks;
    const synthDiff = diffReports(readSynthOutput(one.dir), readSynthOutput(two.dir));
    expect(s.permissions.map(row).sort()).toEqual(synthDiff.grants.added.map((g) => row({ ...g, change: 'added' })).sort());
    expect(s.permissions.map((p) => p.object)).toEqual(expect.arrayContaining(['/dc-1/vm/kkp/clusters/x7q2mm9wkp']));
    expect(s.folders.map((f) => [f.name, f.action])).toEqual(synthDiff.folders.added.map((f) => [f.path, 'create']));
    expect(s.roles).toEqual([]);
    expect(s.lostPermissions).toEqual([]);
    expect(s.counts.destroy).toBe(0);
  });

  test('a renamed network: the old object loses its permissions, its kept Administrators entry loudest of all', () => {
    const plan = planDocument({ prior: priorFor(one.tf, renamed.tf, inv), planned: resolveStack(renamed.tf, inv, managedAddresses(one.tf)) });
    const report = planReport([{ stack: 'kkp-seed', plan, head: renamed.report, base: one.report }]);
    const [s] = report.stacks;
    expect(s.permissions.filter((p) => p.object.includes('/network/')).map(row).sort()).toEqual([
      'added /dc-1/network/kkp-workers-v2 VSPHERE.LOCAL\\Administrators Administrator',
      'added /dc-1/network/kkp-workers-v2 VSPHERE.LOCAL\\kkp-machine-controller kkp-k8s-network-attach',
      'removed /dc-1/network/kkp-workers VSPHERE.LOCAL\\Administrators Administrator',
      'removed /dc-1/network/kkp-workers VSPHERE.LOCAL\\kkp-machine-controller kkp-k8s-network-attach',
    ]);
    expect(s.lostPermissions.map((l) => [l.object, l.principal, l.reason])).toEqual([['/dc-1/network/kkp-workers', ADMINS, 'kept']]);
    const md = renderPlanMarkdown(report);
    // The caution comes right after the counts, before any table.
    const caution = md.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf('|'));
    expect(md).toMatch(/\*\*\/dc-1\/network\/kkp-workers\*\*: VSPHERE\.LOCAL\\\\Administrators \(group\) \(Administrator\) \(kept\)/);
    expect(md).toContain('1 permission not granted by this stack removed');
    // Without the synth outputs, the plan alone still flags it (by the object's id, as the plan knows it).
    const alone = planReport([{ stack: 'kkp-seed', plan }]).stacks[0];
    expect(alone.lostPermissions.map((l) => [l.object, l.principal])).toEqual(
      expect.arrayContaining([['Network network-17', ADMINS]]),
    );
  });

  test('a foreign principal on an authoritative object: its removal is flagged, and the drift that brought it in shown', () => {
    const foreign: Inventory = {
      ...inv,
      foreign: { 'datastore-12': [{ user_or_group: BACKUP, is_group: true, propagate: false, role_id: '-2' }] },
    };
    const lastApplied = resolveStack(one.tf, inv, 'all');
    const plan = planDocument({ prior: priorFor(one.tf, one.tf, foreign), planned: resolveStack(one.tf, foreign, 'all'), lastApplied });
    const report = planReport([{ stack: 'kkp-seed', plan, head: one.report, base: one.report }]);
    const [s] = report.stacks;
    expect(s.counts).toEqual({ add: 0, change: 1, destroy: 0, replace: 0 });
    expect(s.permissions.map(row)).toEqual([`removed /dc-1/datastore/ds-ssd-1 ${BACKUP} Read-only`]);
    expect(s.lostPermissions).toEqual([
      expect.objectContaining({ object: '/dc-1/datastore/ds-ssd-1', principal: BACKUP, reason: 'foreign', role: 'Read-only' }),
    ]);
    expect(s.lostPermissions[0].why).toMatch(/^added outside Terraform since the last apply; vsphere_entity_permissions\.\S+ manages \/dc-1\/datastore\/ds-ssd-1 authoritatively/);
    expect(s.drift.map((d) => d.what)).toEqual([`permissions added outside Terraform: ${BACKUP}`]);
    const md = renderPlanMarkdown(report);
    const rows = [...tablesOf(md).values()].flat().filter((r) => r[1] === `${BACKUP} (group)`);
    expect(rows.map((r) => r.slice(0, 7))).toEqual([
      ['/dc-1/datastore/ds-ssd-1', `${BACKUP} (group)`, '⛔ removed', 'Read-only', 'no', 'authoritative', 'NOT granted by this stack'],
    ]);
  });

  test('a destroy: everything goes; every kept and foreign permission of a shared object is flagged', () => {
    const foreign: Inventory = { ...inv, foreign: { 'domain-c8': [{ user_or_group: BACKUP, is_group: true, propagate: false, role_id: '-2' }] } };
    const prior = priorFor(one.tf, one.tf, foreign);
    const plan = planDocument({ prior, planned: [], destroy: true });
    const [s] = planReport([{ stack: 'kkp-seed', plan, head: one.report }]).stacks;
    const managed = managedAddresses(one.tf);
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: managed.size, replace: 0 });
    expect(s.roles.every((r) => r.action === 'delete')).toBe(true);
    expect(s.folders.map((f) => [f.name, f.action])).toEqual(one.report.folders.map((f) => [f.path, 'delete']));
    const shared = [...new Set(one.report.grants.filter((g) => g.management === 'authoritative').map((g) => g.object))].sort();
    expect(s.lostPermissions.map((l) => `${l.object} ${l.principal} ${l.reason}`).sort()).toEqual(
      [...shared.map((o) => `${o} ${ADMINS} kept`), `/dc-1/host/cluster-1 ${BACKUP} foreign`].sort(),
    );
    expect(s.permissions.filter((p) => p.change !== 'removed')).toEqual([]);
  });

  test('a role whose privileges change, and a folder replaced because its type is ForceNew, name what forces it', () => {
    const tf = JSON.parse(JSON.stringify(one.tf));
    const [roleKey] = Object.keys(tf.resource.vsphere_role);
    tf.resource.vsphere_role[roleKey].role_privileges = [...tf.resource.vsphere_role[roleKey].role_privileges.slice(1), 'Datastore.Browse'];
    const [folderKey] = Object.keys(tf.resource.vsphere_folder);
    tf.resource.vsphere_folder[folderKey].type = 'datastore';
    const plan = planDocument({ prior: priorFor(one.tf, tf, inv), planned: resolveStack(tf, inv, 'all') });
    const [s] = planReport([{ stack: 'kkp-seed', plan, head: one.report }]).stacks;
    const before = one.tf.resource.vsphere_role[roleKey].role_privileges;
    expect(s.roles).toEqual([
      expect.objectContaining({ action: 'update', name: one.tf.resource.vsphere_role[roleKey].name, privilegesAdded: ['Datastore.Browse'], privilegesRemoved: [before[0]] }),
    ]);
    expect(s.replacements).toEqual([
      expect.objectContaining({ address: `vsphere_folder.${folderKey}`, forcedBy: ['type'], reason: 'an attribute that cannot change in place changes' }),
    ]);
    expect(renderPlanMarkdown(planReport([{ stack: 'kkp-seed', plan }]))).toContain(`- \`vsphere_folder.${folderKey}\`: forced by \`type\``);
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

  test('the constructed vSphere documents have the shape of these real ones', () => {
    const keys = (o: any) => Object.keys(o).sort();
    const constructed = planDocument({ prior: [], planned: [] });
    expect(keys(constructed).filter((k) => k !== 'resource_drift')).toEqual(keys(change).filter((k) => k !== 'variables'));
    const fake = planDocument({
      prior: [],
      planned: [{ address: 'terraform_data.x', mode: 'managed', type: 'terraform_data', name: 'x', provider_name: 'terraform.io/builtin/terraform', values: { input: 'a' } }],
    });
    expect(keys(fake.resource_changes[0])).toEqual(keys(first.resource_changes[0]));
    expect(keys(fake.resource_changes[0].change)).toEqual(keys(first.resource_changes[0].change));
    expect(keys(fake.prior_state)).toEqual(keys(change.prior_state));
    const realReplace = change.resource_changes.find((c: any) => c.change.actions.join() === 'delete,create');
    expect(realReplace.action_reason).toBe('replace_because_cannot_update');
    expect(keys(realReplace.change)).toEqual([...keys(fake.resource_changes[0].change), 'replace_paths'].sort());
    const realDelete = change.resource_changes.find((c: any) => c.change.actions.join() === 'delete');
    expect(realDelete.action_reason).toBe('delete_because_no_resource_config');
    expect(first.planned_values.root_module.resources.every((r: any) => r.mode === 'managed')).toBe(true);
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

describe('the plan comment fits GitHub', () => {
  test('a plan of 3,000 permission changes stays under 65,536 characters: counts and cautions first, lists cut with their count', () => {
    const one = synthSeed({ clusters: [], network: 'kkp-workers' });
    const inv = inventoryFor(one.tf);
    // 3,000 foreign principals on the datastore, all removed by its authoritative resource.
    const foreign = Array.from({ length: 3000 }, (_, i) => ({ user_or_group: `CORP\\team-${String(i).padStart(4, '0')}`, is_group: true, propagate: true, role_id: '-2' }));
    const prior = priorFor(one.tf, one.tf, { ...inv, foreign: { 'datastore-12': foreign } });
    const plan = planDocument({ prior, planned: resolveStack(one.tf, inv, 'all') });
    const report = planReport([{ stack: 'kkp-seed', plan, head: one.report, base: one.report }]);
    expect(report.stacks[0].lostPermissions).toHaveLength(3000);
    const md = renderPlanMarkdown(report);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeLessThanOrEqual(60000);
    expect(md).toContain('**Plan: 0 to add, 1 to change, 0 to destroy.**');
    expect(md).toContain('3000 permissions not granted by this stack removed');
    expect(md).toMatch(/… and \d+ more/);
    // It is still valid Markdown: every <details> is closed.
    const html = renderHtml(md);
    expect((html.match(/<details>/g) ?? []).length).toBe((html.match(/<\/details>/g) ?? []).length);
  });
});
