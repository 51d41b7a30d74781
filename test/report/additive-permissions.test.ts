// The report of `kkpvsphere_permissions` (the additive grants of one object: one resource per object, listing the
// stack's principals there; every other principal's permission on the object is left alone): each principal one
// additive grant in the synth report, and in the plan report each principal added, changed or removed, never a
// removal of a permission the resource does not list.
//
// The plans are REAL: the kkpvsphere provider built from provider/ and the vSphere provider (2.15.0), run by the
// terraform binary (`plan -out`, `show -json`) against the vCenter simulator, with prior state from a real apply and
// another team's permission planted on the same datastore through vCenter's own API. One inline plan checks what the
// simulator cannot show (principals differing only in case or in group-ness, a role name the provider could not read).
import { readFileSync } from 'fs';
import { join } from 'path';
import { LocalBackend, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { Role } from '@cdktf/provider-vsphere/lib/role';
import { EntityPermissions } from '@cdktf/provider-vsphere/lib/entity-permissions';
import { DataVsphereDatacenter } from '@cdktf/provider-vsphere/lib/data-vsphere-datacenter';
import { DataVsphereDatastore } from '@cdktf/provider-vsphere/lib/data-vsphere-datastore';
import { DataVsphereNetwork } from '@cdktf/provider-vsphere/lib/data-vsphere-network';
import { KkpvsphereProvider } from '../../src/framework/providers/kkpvsphere/provider';
import { Permissions } from '../../src/framework/providers/kkpvsphere/permissions';
import { Permission } from '../../src/framework/providers/kkpvsphere/permission';
import {
  diffReports,
  KkpAdditiveGrantMetadata,
  KkpEntityPermissionsMetadata,
  PlanPermissionChange,
  planReport,
  readSynthOutput,
  renderPlanMarkdown,
  renderReportMarkdown,
  StackReport,
} from '../../src/tools/report';
import { ManagedObjectReference, VcenterClient, VcenterPermission } from '../../src/tools/vcenter';
import { TerraformWorkspace } from '../support/terraform';
import { startVcsim, Vcsim } from '../support/vcsim';
import { vsphereWorkspace } from '../support/vsphere-provider';
import { runCli, synthToDisk, tablesOf } from './support';

jest.setTimeout(600_000);

const A = 'VSPHERE.LOCAL\\kkp-report-a';
const B = 'VSPHERE.LOCAL\\kkp-report-b';
const C = 'VSPHERE.LOCAL\\kkp-report-c';
const READERS = 'VSPHERE.LOCAL\\kkp-report-readers';
const AUDITORS = 'VSPHERE.LOCAL\\kkp-report-auditors';
/** Another team's permission on the same datastore: no report may ever name it. */
const FOREIGN: VcenterPermission = { principal: 'VSPHERE.LOCAL\\other-team', group: true, roleId: -1, propagate: true };

const ROLES = {
  a: { name: 'kkp-report-a', privileges: ['Datastore.Browse'] },
  b: { name: 'kkp-report-b', privileges: ['Datastore.Browse', 'Datastore.FileManagement'] },
  c: { name: 'kkp-report-c', privileges: ['Datastore.AllocateSpace'] },
};
type RoleKey = keyof typeof ROLES | '-2';

interface Row {
  readonly principal: string;
  readonly isGroup: boolean;
  readonly role: RoleKey;
  readonly propagate: boolean;
}

interface Shape {
  /** Where the stack's grants of the datastore resource go (`none`: the resource is gone from the configuration). */
  readonly object: 'datastore' | 'network' | 'none';
  readonly rows: readonly Row[];
}

const DATASTORE = '/DC0/datastore/LocalDS_0';
const NETWORK = '/DC0/network/VM Network';
const roleName = (k: RoleKey) => (k === '-2' ? 'Read-only' : ROLES[k].name);

/**
 * Custom roles, the stack's grants on one datastore (or network) by type and id, and a Read-only group on the
 * datacenter by path: each one kkpvsphere_permissions with the review metadata the library writes.
 */
class GrantsStack extends TerraformStack {
  constructor(scope: Construct, id: string, shape: Shape) {
    super(scope, id);
    new LocalBackend(this, { path: 'terraform.tfstate' });
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(this, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
    new KkpvsphereProvider(this, 'kkpvsphere', {});
    const dc = new DataVsphereDatacenter(this, 'dc', { name: 'DC0' });
    const used = new Set(shape.rows.map((r) => r.role));
    const roleIds: Record<string, string> = { '-2': '-2' };
    for (const [key, role] of Object.entries(ROLES)) {
      // a and b always exist; c only where a grant uses it (created in the same apply as that grant)
      if (key === 'c' && !used.has('c')) continue;
      roleIds[key] = new Role(this, `role-${key}`, { name: role.name, rolePrivileges: role.privileges }).id;
    }
    if (shape.object !== 'none') {
      const target =
        shape.object === 'datastore'
          ? { entityType: 'Datastore', entityId: new DataVsphereDatastore(this, 'ds', { name: 'LocalDS_0', datacenterId: dc.id }).id, entity: DATASTORE, kind: 'datastore' }
          : { entityType: 'Network', entityId: new DataVsphereNetwork(this, 'net', { name: 'VM Network', datacenterId: dc.id }).id, entity: NETWORK, kind: 'network' };
      const grants = new Permissions(this, 'Grants-shared', {
        entityType: target.entityType,
        entityId: target.entityId,
        permissions: Object.fromEntries(shape.rows.map((r) => [r.principal, { roleId: roleIds[r.role], isGroup: r.isGroup, propagate: r.propagate }])),
      });
      const meta: KkpEntityPermissionsMetadata = {
        entity: target.entity,
        kind: target.kind,
        entityType: target.entityType,
        management: 'additive',
        permissions: shape.rows.map((r) => ({ principal: r.principal, isGroup: r.isGroup, role: roleName(r.role), propagate: r.propagate, grantedRoles: [roleName(r.role)] })),
      };
      grants.addOverride('//.kkp', meta);
    }
    const onDc = new Permissions(this, 'Grants-dc', {
      entityPath: '/DC0',
      permissions: { [AUDITORS]: { roleId: '-2', isGroup: true, propagate: false } },
    });
    const dcMeta: KkpEntityPermissionsMetadata = {
      entity: '/DC0',
      kind: 'datacenter',
      management: 'additive',
      permissions: [{ principal: AUDITORS, isGroup: true, role: 'Read-only', propagate: false, adopt: true }],
    };
    onDc.addOverride('//.kkp', dcMeta);
  }
}

const V1: Shape = {
  object: 'datastore',
  rows: [
    { principal: A, isGroup: false, role: 'a', propagate: true },
    { principal: B, isGroup: false, role: 'a', propagate: true },
    { principal: READERS, isGroup: true, role: '-2', propagate: false },
  ],
};
/** A stays; B goes; the readers group gets another (existing) role; C is new, with a role this apply creates. */
const V2: Shape = {
  object: 'datastore',
  rows: [
    { principal: A, isGroup: false, role: 'a', propagate: true },
    { principal: READERS, isGroup: true, role: 'b', propagate: false },
    { principal: C, isGroup: false, role: 'c', propagate: true },
  ],
};
/** The datastore's resource is gone from the configuration. */
const GONE: Shape = { object: 'none', rows: [] };
/** The same resource (same address) now on a network: replaced. */
const MOVED: Shape = { ...V1, object: 'network' };

function synth(shape: Shape): { dir: string; tf: any; report: StackReport } {
  const dir = synthToDisk((app) => new GrantsStack(app, 'grants', shape));
  return { dir, tf: JSON.parse(readFileSync(join(dir, 'stacks/grants/cdk.tf.json'), 'utf8')), report: readSynthOutput(dir).stacks[0] };
}

const ADDRESS = 'kkpvsphere_permissions.Grants-shared';
const DC_ADDRESS = 'kkpvsphere_permissions.Grants-dc';

const rowText = (p: PlanPermissionChange) =>
  `${p.change} ${p.object} ${p.principal}${p.isGroup ? ' (group)' : ''} ` +
  `${p.beforeRole !== undefined ? `${p.beforeRole} → ` : ''}${p.role} ${p.propagate ? 'propagate' : 'no-propagate'} ${p.management}` +
  `${p.origin ? ` ${p.origin}` : ''} ${p.address}`;

describe('the synth report of kkpvsphere_permissions: each listed principal one additive grant', () => {
  const v1 = synth(V1);

  test('one row per principal, additive, named by the resource address, roles by name; nothing authoritative', () => {
    expect(v1.report.grants.map((g) => [g.object, g.entityType, g.principal, g.isGroup, g.role, g.propagate, g.management, g.kept, g.address])).toEqual([
      ['/DC0', undefined, AUDITORS, true, 'Read-only', false, 'additive', false, DC_ADDRESS],
      [DATASTORE, 'Datastore', A, false, 'kkp-report-a', true, 'additive', false, ADDRESS],
      [DATASTORE, 'Datastore', B, false, 'kkp-report-a', true, 'additive', false, ADDRESS],
      [DATASTORE, 'Datastore', READERS, true, 'Read-only', false, 'additive', false, ADDRESS],
    ]);
    // No warning at all: not "authoritative", not "unknown management", not "computed".
    expect(v1.report.warnings).toEqual([]);
    // Shown as grants, so not again among "other resources".
    expect(v1.report.otherResources.map((r) => r.address)).toEqual([]);
    const grants = tablesOf(renderReportMarkdown(readSynthOutput(v1.dir))).get('Grants')!;
    expect(grants.slice(1).filter((r) => r[0] === DATASTORE).map((r) => [r[2], r[3], r[4], r[5], r[6]])).toEqual([
      [A, 'kkp-report-a', 'yes', 'additive', ADDRESS],
      [B, 'kkp-report-a', 'yes', 'additive', ADDRESS],
      [`${READERS} (group)`, 'Read-only', 'no', 'additive', ADDRESS],
    ]);
    // Against a base that had it, its removal revokes its own three grants and nothing else ("unlisted" is for
    // authoritative resources only).
    const diff = diffReports(readSynthOutput(v1.dir), readSynthOutput(synth(GONE).dir));
    expect(diff.grants.removed.map((g) => [g.object, g.principal, g.address])).toEqual([
      [DATASTORE, A, ADDRESS],
      [DATASTORE, B, ADDRESS],
      [DATASTORE, READERS, ADDRESS],
    ]);
    expect(diff.lostPermissions).toEqual([]);
  });

  test('a kkpvsphere_permissions is additive whatever its metadata says; a vsphere_entity_permissions that says additive is not', () => {
    const dir = synthToDisk((app) => {
      const stack = new TerraformStack(app, 'claims');
      new VsphereProvider(stack, 'vsphere', { user: Token.asString(Token.nullValue()), password: Token.asString(Token.nullValue()) });
      new KkpvsphereProvider(stack, 'kkpvsphere', {});
      const dc = new DataVsphereDatacenter(stack, 'dc', { name: 'DC0' });
      const ds = new DataVsphereDatastore(stack, 'ds', { name: 'LocalDS_0', datacenterId: dc.id });
      const net = new DataVsphereNetwork(stack, 'net', { name: 'VM Network', datacenterId: dc.id });
      const listed = new Permissions(stack, 'listed', { entityType: 'Datastore', entityId: ds.id, permissions: { [A]: { roleId: '-2' } } });
      const wrong: KkpEntityPermissionsMetadata = { entity: DATASTORE, kind: 'datastore', management: 'authoritative', permissions: [] };
      listed.addOverride('//.kkp', wrong);
      const entity = new EntityPermissions(stack, 'entity', {
        entityType: 'Network',
        entityId: net.id,
        permissions: [{ userOrGroup: B, isGroup: false, roleId: '-2', propagate: true }],
      });
      const claim: KkpEntityPermissionsMetadata = { entity: NETWORK, kind: 'network', management: 'additive', permissions: [] };
      entity.addOverride('//.kkp', claim);
    });
    const report = readSynthOutput(dir).stacks[0];
    expect(report.grants.map((g) => [g.object, g.principal, g.role, g.propagate, g.management, g.address])).toEqual([
      // The provider's defaults: a user, propagated.
      [DATASTORE, A, 'Read-only', true, 'additive', 'kkpvsphere_permissions.listed'],
      [NETWORK, B, 'Read-only', true, 'authoritative', 'vsphere_entity_permissions.entity'],
    ]);
    expect(report.warnings.map((w) => [w.kind, w.object])).toEqual([
      ['authoritative-shared', NETWORK],
      ['unknown-management', NETWORK],
    ]);
    expect(report.warnings.find((w) => w.kind === 'unknown-management')!.message).toMatch(/says its management is additive, but a vsphere_entity_permissions owns ALL permissions/);
  });

  test('moving from one kkpvsphere_permission per principal to one kkpvsphere_permissions per object changes no grant and loses nothing', () => {
    const base = synthToDisk((app) => {
      const stack = new TerraformStack(app, 'grants');
      new KkpvsphereProvider(stack, 'kkpvsphere', {});
      for (const r of V1.rows) {
        const p = new Permission(stack, `grant-${r.principal.split('\\')[1]}`, {
          entityPath: DATASTORE,
          principal: r.principal,
          isGroup: r.isGroup,
          roleName: roleName(r.role),
          propagate: r.propagate,
        });
        const meta: KkpAdditiveGrantMetadata = {
          grant: { entity: DATASTORE, kind: 'datastore', entityType: 'Datastore', principal: r.principal, isGroup: r.isGroup, role: roleName(r.role), propagate: r.propagate },
        };
        p.addOverride('//.kkp', meta);
      }
    });
    const baseReport = readSynthOutput(base);
    const head = readSynthOutput(v1.dir);
    const onDatastore = (r: typeof head) => ({ ...r, stacks: r.stacks.map((s) => ({ ...s, grants: s.grants.filter((g) => g.object === DATASTORE) })) });
    expect(baseReport.stacks[0].grants.map((g) => [g.principal, g.role, g.management, g.address.split('.')[0]])).toEqual([
      [A, 'kkp-report-a', 'additive', 'kkpvsphere_permission'],
      [B, 'kkp-report-a', 'additive', 'kkpvsphere_permission'],
      [READERS, 'Read-only', 'additive', 'kkpvsphere_permission'],
    ]);
    const diff = diffReports(onDatastore(baseReport), onDatastore(head));
    expect(diff.grants.added).toEqual([]);
    expect(diff.grants.removed).toEqual([]);
    expect(diff.management).toEqual([]);
    expect(diff.lostPermissions).toEqual([]);
  });
});

describe('report --plan of REAL kkpvsphere_permissions plans (kkpvsphere and vSphere providers on the simulator)', () => {
  const v1 = synth(V1);
  const v2 = synth(V2);
  const gone = synth(GONE);
  const moved = synth(MOVED);
  const plans: Record<string, any> = {};
  let sim: Vcsim;
  let vc: VcenterClient;
  let ws: TerraformWorkspace;
  let datastore: ManagedObjectReference;
  const onVcenter: Record<string, string[]> = {};

  const lines = async (ref: ManagedObjectReference) =>
    (await vc.retrieveEntityPermissions(ref)).map((p) => `${p.principal}${p.group ? ' (group)' : ''} ${p.roleId} ${p.propagate}`).sort();

  beforeAll(async () => {
    sim = await startVcsim({ tls: true });
    vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
    const found = await vc.findByInventoryPath(DATASTORE);
    if (!found) throw new Error(`the simulator has no ${DATASTORE}`);
    datastore = found;
    // Another team's permission, there before the stack: the refresh of an additive resource never reads it.
    await vc.setEntityPermissions(datastore, [FOREIGN]);
    ws = vsphereWorkspace(sim, v1.tf);
    plans.first = ws.planJson();
    ws.apply();
    onVcenter.afterApply = await lines(datastore);
    // Drift: A's permission removed on vCenter, outside Terraform.
    await vc.removeEntityPermission(datastore, A, false);
    plans.drift = ws.planJson();
    ws.apply(); // restores A
    ws.write(v2.tf);
    plans.update = ws.planJson();
    ws.write(gone.tf);
    plans.delete = ws.planJson();
    ws.write(moved.tf);
    plans.moved = ws.planJson();
    ws.write(v1.tf);
    plans.destroy = ws.planJson(true);
    ws.destroy();
    onVcenter.afterDestroy = await lines(datastore);
  });

  afterAll(async () => {
    await vc?.logout();
    await sim?.stop();
    ws?.remove();
  });

  const actions = (plan: any) =>
    plan.resource_changes.filter((c: any) => c.change.actions.join() !== 'no-op' && c.change.actions.join() !== 'read').map((c: any) => `${c.change.actions.join('+')} ${c.address}`).sort();

  test('the real plans: what terraform planned, and the foreign permission never in any state or plan value of the resource', () => {
    expect(onVcenter.afterApply).toContain(`${FOREIGN.principal} (group) -1 true`);
    expect(onVcenter.afterDestroy).toEqual([`${FOREIGN.principal} (group) -1 true`]);
    expect(actions(plans.update)).toEqual([`create vsphere_role.role-c`, `update ${ADDRESS}`]);
    expect(actions(plans.delete)).toEqual([`delete ${ADDRESS}`]);
    expect(actions(plans.moved)).toEqual([`delete+create ${ADDRESS}`]);
    // Nothing of the resource's, before or after, in state or plan, holds the other team's principal.
    for (const plan of Object.values(plans)) expect(JSON.stringify(plan)).not.toContain('other-team');
  });

  test('first deploy: each principal added, roles of the same apply named from the synth output', () => {
    const [s] = planReport([{ stack: 'grants', plan: plans.first, head: v1.report }]).stacks;
    expect(s.permissions.map(rowText)).toEqual([
      `added /DC0 ${AUDITORS} (group) Read-only no-propagate additive ${DC_ADDRESS}`,
      `added ${DATASTORE} ${A} kkp-report-a propagate additive ${ADDRESS}`,
      `added ${DATASTORE} ${B} kkp-report-a propagate additive ${ADDRESS}`,
      `added ${DATASTORE} ${READERS} (group) Read-only no-propagate additive ${ADDRESS}`,
    ]);
    expect(s.lostPermissions).toEqual([]);
    // Without the synth output, the plan's own values name the objects and what it cannot name says so.
    const [alone] = planReport([{ stack: 'grants', plan: plans.first }]).stacks;
    expect(alone.permissions.map((p) => [p.object, p.principal, p.role])).toEqual([
      ['/DC0', AUDITORS, 'Read-only'],
      [DATASTORE, A, 'a role created by this plan'],
      [DATASTORE, B, 'a role created by this plan'],
      [DATASTORE, READERS, 'Read-only'],
    ]);
  });

  test('an update: one principal added, one removed, one role changed, the unchanged one and the foreign one never mentioned', () => {
    const report = planReport([{ stack: 'grants', plan: plans.update, head: v2.report, base: v1.report }]);
    const [s] = report.stacks;
    expect(s.counts).toEqual({ add: 1, change: 1, destroy: 0, replace: 0 });
    expect(s.permissions.map(rowText)).toEqual([
      `removed ${DATASTORE} ${B} kkp-report-a propagate additive granted ${ADDRESS}`,
      // The role this apply creates has no id yet and the provider no name for it: the synth output names it.
      `added ${DATASTORE} ${C} kkp-report-c propagate additive ${ADDRESS}`,
      `changed ${DATASTORE} ${READERS} (group) Read-only → kkp-report-b no-propagate additive ${ADDRESS}`,
    ]);
    expect(s.permissions.find((p) => p.principal === READERS)!.beforePropagate).toBeUndefined();
    expect(s.lostPermissions).toEqual([]);
    expect(s.other).toEqual([]);
    const md = renderPlanMarkdown(report);
    expect(md).toContain('**Plan: 1 to add, 1 to change, 0 to destroy.**');
    expect(md).not.toContain('[!CAUTION]');
    expect(md).not.toContain('other-team');
    const rows = [...tablesOf(md).values()].flat().filter((r) => r[0] === DATASTORE);
    expect(rows.map((r) => r.slice(1, 7))).toEqual([
      [B, '➖ removed', 'kkp-report-a', 'yes', 'additive', 'this stack'],
      [C, '➕ added', 'kkp-report-c', 'yes', 'additive', ''],
      [`${READERS} (group)`, '🔄 changed', 'Read-only → kkp-report-b', 'no', 'additive', ''],
    ]);
  });

  test('drift: a listed principal removed on vCenter is missing from the refreshed state and shows as added again', () => {
    const [s] = planReport([{ stack: 'grants', plan: plans.drift, head: v1.report, base: v1.report }]).stacks;
    expect(s.permissions.map(rowText)).toEqual([`added ${DATASTORE} ${A} kkp-report-a propagate additive ${ADDRESS}`]);
    expect(s.drift).toEqual([{ address: ADDRESS, type: 'kkpvsphere_permissions', what: `permissions removed outside Terraform: ${A}` }]);
    expect(s.lostPermissions).toEqual([]);
  });

  test('a delete: only its own principals removed, granted by this stack; nothing lost, the other team never named', () => {
    const report = planReport([{ stack: 'grants', plan: plans.delete, head: gone.report, base: v1.report }]);
    const [s] = report.stacks;
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: 1, replace: 0 });
    expect(s.permissions.map(rowText)).toEqual([
      `removed ${DATASTORE} ${A} kkp-report-a propagate additive granted ${ADDRESS}`,
      `removed ${DATASTORE} ${B} kkp-report-a propagate additive granted ${ADDRESS}`,
      `removed ${DATASTORE} ${READERS} (group) Read-only no-propagate additive granted ${ADDRESS}`,
    ]);
    expect(s.lostPermissions).toEqual([]);
    const md = renderPlanMarkdown(report);
    expect(md).not.toContain('[!CAUTION]');
    expect(md).not.toContain('other-team');
    expect(md).toContain(`- \`${ADDRESS}\`: because it is no longer in the configuration`);
    // Without any synth output the plan alone says the same: the provider's own names, nothing attributed to others.
    const [alone] = planReport([{ stack: 'grants', plan: plans.delete }]).stacks;
    expect(alone.permissions.map((p) => [p.change, p.object, p.principal, p.role, p.origin])).toEqual([
      ['removed', DATASTORE, A, 'kkp-report-a', 'granted'],
      ['removed', DATASTORE, B, 'kkp-report-a', 'granted'],
      ['removed', DATASTORE, READERS, 'Read-only', 'granted'],
    ]);
    expect(alone.lostPermissions).toEqual([]);
  });

  test('a destroy: every listed principal removed, on both objects; nothing lost', () => {
    const [s] = planReport([{ stack: 'grants', plan: plans.destroy, head: v1.report }]).stacks;
    expect(s.permissions.map((p) => `${p.change} ${p.object} ${p.principal} ${p.origin}`)).toEqual([
      `removed /DC0 ${AUDITORS} granted`,
      `removed ${DATASTORE} ${A} granted`,
      `removed ${DATASTORE} ${B} granted`,
      `removed ${DATASTORE} ${READERS} granted`,
    ]);
    expect(s.lostPermissions).toEqual([]);
  });

  test('a replacement onto another object: removed from the old object, added on the new one, nothing lost', () => {
    const [s] = planReport([{ stack: 'grants', plan: plans.moved, head: moved.report, base: v1.report }]).stacks;
    expect(s.replacements.map((r) => [r.address, r.forcedBy])).toEqual([[ADDRESS, ['entity_id']]]);
    expect(s.permissions.map((p) => `${p.change} ${p.object} ${p.entityType} ${p.principal} ${p.origin ?? ''}`.trim())).toEqual([
      `removed ${DATASTORE} Datastore ${A} granted`,
      `removed ${DATASTORE} Datastore ${B} granted`,
      `removed ${DATASTORE} Datastore ${READERS} granted`,
      `added ${NETWORK} Network ${A}`,
      `added ${NETWORK} Network ${B}`,
      `added ${NETWORK} Network ${READERS}`,
    ]);
    expect(s.lostPermissions).toEqual([]);
  });

  test('the built CLI reads the real update plan as <stack>=<file>', () => {
    const file = join(ws.dir, 'update.json');
    require('fs').writeFileSync(file, JSON.stringify(plans.update));
    const md = runCli(['report', v2.dir, '--base', v1.dir, '--plan', `grants=${file}`]);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(renderPlanMarkdown(planReport([{ stack: 'grants', plan: plans.update, head: v2.report, base: v1.report }])));
  });
});

describe('kkpvsphere_permissions plan rows compared by principal case-insensitively and by group-ness', () => {
  const values = (permissions: Record<string, unknown>) => ({
    id: 'Datastore:datastore-1',
    entity_type: 'Datastore',
    entity_id: 'datastore-1',
    entity_path: '/dc-1/datastore/ds-1',
    permissions,
  });
  const perm = (roleId: string, roleName: string | null, isGroup = false, propagate = true) => ({ is_group: isGroup, role_id: roleId, role_name: roleName, propagate });
  const plan = {
    format_version: '1.2',
    terraform_version: '1.9.8',
    resource_changes: [
      {
        address: 'kkpvsphere_permissions.x',
        mode: 'managed',
        type: 'kkpvsphere_permissions',
        name: 'x',
        change: {
          actions: ['update'],
          before: values({
            'VSPHERE.LOCAL\\Kkp-Storage': perm('-2', 'ReadOnly'),
            'VSPHERE.LOCAL\\ops': perm('-2', 'ReadOnly'),
            'VSPHERE.LOCAL\\kkp-custom': perm('1234', 'kkp-old-name', false, true),
          }),
          after: values({
            'vsphere.local\\kkp-storage': perm('-2', 'ReadOnly'),
            'VSPHERE.LOCAL\\ops': perm('-2', 'ReadOnly', true),
            // Same role id, another propagation; the provider could not name the role (null).
            'VSPHERE.LOCAL\\kkp-custom': perm('1234', null, false, false),
          }),
          before_sensitive: {},
          after_sensitive: {},
          after_unknown: {},
        },
      },
    ],
  };

  test('a principal whose name differs only in case is the same; a user and a group of one name are two', () => {
    const [s] = planReport([{ stack: 's', plan }]).stacks;
    expect(s.permissions.map(rowText)).toEqual([
      // Role id 1234 is in no state here and the provider gave no name: said as the id.
      'changed /dc-1/datastore/ds-1 VSPHERE.LOCAL\\kkp-custom role id 1234 no-propagate additive kkpvsphere_permissions.x',
      'added /dc-1/datastore/ds-1 VSPHERE.LOCAL\\ops (group) Read-only propagate additive kkpvsphere_permissions.x',
      'removed /dc-1/datastore/ds-1 VSPHERE.LOCAL\\ops Read-only propagate additive granted kkpvsphere_permissions.x',
    ]);
    expect(s.permissions[0]).toMatchObject({ beforePropagate: true });
    expect(s.permissions[0].beforeRole).toBeUndefined();
    expect(s.lostPermissions).toEqual([]);
  });

  test('a planned map that is unknown says no principal removed; with the head synth output, its rows stand in', () => {
    const unknownMap = JSON.parse(JSON.stringify(plan));
    const change = unknownMap.resource_changes[0].change;
    delete change.after.permissions;
    change.after_unknown = { permissions: true };
    const [alone] = planReport([{ stack: 's', plan: unknownMap }]).stacks;
    expect(alone.permissions).toEqual([]);
    const head = readSynthOutput(synth(V1).dir).stacks[0];
    const renamed: StackReport = { ...head, grants: head.grants.filter((g) => g.address === ADDRESS).map((g) => ({ ...g, object: '/dc-1/datastore/ds-1', address: 'kkpvsphere_permissions.x' })) };
    const [withHead] = planReport([{ stack: 's', plan: unknownMap, head: renamed }]).stacks;
    expect(withHead.permissions.map((p) => `${p.change} ${p.principal}`)).toEqual([
      'removed VSPHERE.LOCAL\\kkp-custom',
      `added ${A}`,
      `added ${B}`,
      `added ${READERS}`,
      'removed VSPHERE.LOCAL\\Kkp-Storage',
      'removed VSPHERE.LOCAL\\ops',
    ]);
  });

  test('a role name the plan does not know comes from the synth output of the head', () => {
    const head: StackReport = {
      name: 's',
      roles: [],
      grants: [
        {
          object: '/dc-1/datastore/ds-1',
          principal: 'VSPHERE.LOCAL\\kkp-custom',
          isGroup: false,
          role: 'kkp-custom-role',
          propagate: false,
          management: 'additive',
          kept: false,
          address: 'kkpvsphere_permissions.x',
        },
      ],
      folders: [],
      templates: [],
      secrets: [],
      variables: [],
      otherResources: [],
      warnings: [],
    };
    const [s] = planReport([{ stack: 's', plan, head }]).stacks;
    expect(s.permissions.find((p) => p.principal === 'VSPHERE.LOCAL\\kkp-custom')).toMatchObject({ change: 'changed', role: 'kkp-custom-role', propagate: false, beforePropagate: true });
  });
});
