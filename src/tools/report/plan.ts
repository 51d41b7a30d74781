// From `terraform show -json <saved plan>` (Terraform's documented machine-readable plan format, format_version 1.x)
// to what will really change on vCenter: roles, permissions per object (and whose permissions go that the stack never
// granted), folders, templates, secrets, replacements with what forces them, and every other change by address.
//
// Pure: no cdktf, no file system. Values the plan marks sensitive are replaced before anything reads them, so no
// renderer can print one. The synth output of the same stack (and of the base branch) is optional: it names objects
// and tells kept permissions from granted ones, which the plan alone cannot.
import { PREDEFINED_ROLES, datacenterFolderOf } from './extract';
import { byText } from './markdown-blocks';
import { additiveGrantFromInput } from '../../contracts/review-metadata';
import {
  GrantFact,
  LostPermissionFact,
  PlanAction,
  PlanItemChange,
  PlannedChangeFact,
  PlanPermissionChange,
  PlanReport,
  PlanRoleChange,
  PlanSecretChange,
  PlanStackReport,
  ReportManagement,
  StackReport,
} from './model';

type Json = Record<string, unknown>;

/** A plan document that cannot be read; the message says what it is instead and how to make a plan. */
export class PlanInputError extends Error {
  public override readonly name = 'PlanInputError';
}

/** Placeholders for values the report must not or cannot show. */
export const SENSITIVE = '(sensitive)';
export const UNKNOWN = '(known after apply)';

const MAKE_PLAN = 'Make it with `terraform plan -out=plan.bin` in the stack\'s directory, then `terraform show -json plan.bin > plan.json`.';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A value with every empty collection and null dropped: the vSphere provider reads an unset `tags` or
 * `custom_attributes` back as `[]` / `{}` where the state after create holds null, so every refresh "finds" that on
 * each folder (`resource_drift`, real plans of provider 2.15.0). That is no change on vCenter.
 */
function substance(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(substance) : undefined;
  if (isObject(v)) {
    const out: Json = {};
    for (const k of Object.keys(v).sort()) {
      const x = substance(v[k]);
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** Top-level attributes whose substance differs between two values (see {@link substance}). */
function changedAttributes(before: unknown, after: unknown): string[] {
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => JSON.stringify(substance(b[k])) !== JSON.stringify(substance(a[k])))
    .sort(byText);
}
const byKey = (a: string, b: string) => byText(a.toLowerCase(), b.toLowerCase()) || byText(a, b);

/** Checks that `doc` is `terraform show -json` of a saved plan; `what` names it in the error. */
export function checkPlanDocument(doc: unknown, what: string): asserts doc is Json {
  if (!isObject(doc)) throw new PlanInputError(`${what} is not a JSON object, so not a Terraform plan. ${MAKE_PLAN}`);
  if (doc.format_version === undefined && ('resource' in doc || '//' in doc || 'terraform' in doc)) {
    throw new PlanInputError(`${what} is a synthesized stack (cdk.tf.json), not a plan: pass the synth output directory as the first argument. ${MAKE_PLAN}`);
  }
  if (typeof doc.format_version !== 'string') {
    throw new PlanInputError(`${what} has no format_version: it is not \`terraform show -json\` output. ${MAKE_PLAN}`);
  }
  if (!/^1\./.test(doc.format_version)) {
    throw new PlanInputError(`${what} has format_version ${JSON.stringify(doc.format_version).slice(0, 20)}; this report reads Terraform's JSON format 1.x.`);
  }
  if ('values' in doc && !('planned_values' in doc) && !('resource_changes' in doc)) {
    throw new PlanInputError(`${what} is Terraform state, not a plan (\`terraform show -json\` without a plan file). ${MAKE_PLAN}`);
  }
  if (!('planned_values' in doc) && !('resource_changes' in doc) && !('prior_state' in doc)) {
    throw new PlanInputError(`${what} has neither planned_values nor resource_changes: it is not a plan. ${MAKE_PLAN}`);
  }
  if (doc.resource_changes !== undefined && !Array.isArray(doc.resource_changes)) {
    throw new PlanInputError(`${what}: resource_changes is not a list. ${MAKE_PLAN}`);
  }
}

/**
 * A copy of `value` with every leaf that `mask` marks `true` replaced by `marker`: Terraform's `*_sensitive` and
 * `after_unknown` masks have the value's shape. Unknown attributes are absent from `after`, so masked keys are added.
 */
export function masked(value: unknown, mask: unknown, marker: string): unknown {
  if (mask === true) return marker;
  if (Array.isArray(value)) return value.map((v, i) => masked(v, Array.isArray(mask) ? mask[i] : undefined, marker));
  if (isObject(value) || (isObject(mask) && value === undefined)) {
    const src = isObject(value) ? value : {};
    const out: Json = {};
    for (const k of new Set([...Object.keys(src), ...(isObject(mask) ? Object.keys(mask) : [])])) {
      const m = isObject(mask) ? mask[k] : undefined;
      if (!(k in src) && m !== true) continue;
      out[k] = masked(src[k], m, marker);
    }
    return out;
  }
  return value;
}

interface StateResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly values: Json;
}

/** Every resource of a state or planned-values module tree (root and child modules), sensitive values masked. */
function moduleResources(module: unknown): StateResource[] {
  if (!isObject(module)) return [];
  const own = Array.isArray(module.resources) ? module.resources : [];
  const out: StateResource[] = [];
  for (const r of own) {
    if (!isObject(r) || typeof r.address !== 'string') continue;
    out.push({
      address: r.address,
      mode: str(r.mode) ?? 'managed',
      type: str(r.type) ?? '?',
      values: (masked(r.values, r.sensitive_values, SENSITIVE) as Json | undefined) ?? {},
    });
  }
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) out.push(...moduleResources(child));
  return out;
}

/** The synth-output facts of one stack, by address: what the plan cannot say (object names, kept permissions). */
interface SynthIndex {
  readonly grants: Map<string, GrantFact[]>;
  readonly report: StackReport;
}

function indexSynth(report: StackReport | undefined): SynthIndex | undefined {
  if (!report) return undefined;
  const grants = new Map<string, GrantFact[]>();
  for (const g of report.grants) grants.set(g.address, [...(grants.get(g.address) ?? []), g]);
  return { grants, report };
}

interface Perm {
  readonly principal: string;
  readonly isGroup: boolean;
  readonly propagate: boolean;
  readonly roleId: string;
}

/** Resources whose id is their object's (or their grant's): such an id names no object of its own. */
const PERMISSION_TYPES: ReadonlySet<string> = new Set(['vsphere_entity_permissions', 'kkpvsphere_permissions', 'kkpvsphere_permission']);

/** One principal of a `kkpvsphere_permissions`: its role id (`undefined` when only the synth output names it) and role in words. */
interface ListedPerm {
  readonly principal: string;
  readonly isGroup: boolean;
  readonly propagate: boolean;
  readonly roleId?: string;
  readonly role: string;
}

/** A value the plan knows: not unknown, not sensitive, not null. */
const known = (v: unknown): string | undefined => (typeof v === 'string' && v !== UNKNOWN && v !== SENSITIVE ? v : undefined);

/** A `kkpvsphere_permissions` principal's key: group-ness and principal (vCenter compares principals case-insensitively). */
const listedKey = (principal: string, isGroup: boolean) => `${isGroup ? 'group' : 'user'}\u0000${principal.toLowerCase()}`;

/** Words for Terraform's `action_reason`. */
const REASONS: Record<string, string> = {
  replace_because_tainted: 'the resource is tainted',
  replace_because_cannot_update: 'an attribute that cannot change in place changes',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'a replace_triggered_by reference changed',
  delete_because_no_resource_config: 'it is no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'its count/for_each changed kind',
  delete_because_count_index: 'its count index is out of range',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_move_target: 'its moved target is gone',
};

function actionOf(actions: unknown): PlanAction | undefined {
  if (!Array.isArray(actions)) return undefined;
  const a = actions.join(',');
  if (a === 'create') return 'create';
  if (a === 'delete') return 'delete';
  if (a === 'update') return 'update';
  if (a === 'delete,create' || a === 'create,delete') return 'replace';
  return undefined; // no-op, read, forget: nothing changes on vCenter
}

/** A `replace_paths` entry as an attribute path: `["ovf_deploy", 0, "remote_ovf_url"]` → `ovf_deploy.0.remote_ovf_url`. */
function pathText(path: unknown): string {
  return Array.isArray(path) ? path.map((p) => String(p)).join('.') : String(path);
}

interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: PlanAction;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
  readonly fact: PlannedChangeFact;
}

class PlanReader {
  private readonly prior = new Map<string, StateResource>();
  private readonly byId = new Map<string, StateResource>();
  private readonly planned = new Map<string, StateResource>();
  private readonly config = new Map<string, Json>();
  private readonly changes: Change[] = [];
  private readonly head?: SynthIndex;
  private readonly base?: SynthIndex;

  constructor(
    private readonly name: string,
    private readonly doc: Json,
    head: StackReport | undefined,
    base: StackReport | undefined,
  ) {
    this.head = indexSynth(head);
    this.base = indexSynth(base);
    const priorState = isObject(doc.prior_state) ? doc.prior_state : {};
    const priorResources = moduleResources(isObject(priorState.values) ? priorState.values.root_module : undefined);
    for (const r of priorResources) this.prior.set(r.address, r);
    // Object ids name looked-up and created objects; a permissions resource's id is its object's id, so it names nothing.
    for (const r of [...priorResources.filter((x) => x.mode === 'data'), ...priorResources.filter((x) => x.mode !== 'data')]) {
      const id = str(r.values.id);
      if (id === undefined || id === SENSITIVE || PERMISSION_TYPES.has(r.type)) continue;
      if (!this.byId.has(`${r.type}\u0000${id}`)) this.byId.set(`${r.type}\u0000${id}`, r);
      if (!this.byId.has(id)) this.byId.set(id, r);
    }
    const plannedValues = isObject(doc.planned_values) ? doc.planned_values : {};
    for (const r of moduleResources(plannedValues.root_module)) this.planned.set(r.address, r);
    const configuration = isObject(doc.configuration) ? doc.configuration : {};
    const root = isObject(configuration.root_module) ? configuration.root_module : {};
    for (const r of Array.isArray(root.resources) ? root.resources : []) {
      if (isObject(r) && typeof r.address === 'string') this.config.set(r.address, r);
    }
    for (const rc of Array.isArray(doc.resource_changes) ? doc.resource_changes : []) {
      if (!isObject(rc) || rc.mode === 'data' || typeof rc.address !== 'string' || !isObject(rc.change)) continue;
      const action = actionOf(rc.change.actions);
      if (!action) continue;
      const before = masked(rc.change.before, rc.change.before_sensitive, SENSITIVE) as Json | null | undefined;
      const afterKnown = masked(rc.change.after, rc.change.after_sensitive, SENSITIVE);
      const after = masked(afterKnown, rc.change.after_unknown, UNKNOWN) as Json | null | undefined;
      const reason = str(rc.action_reason);
      const forcedBy = Array.isArray(rc.change.replace_paths) ? rc.change.replace_paths.map(pathText).sort(byText) : [];
      const type = str(rc.type) ?? rc.address.split('.').slice(-2)[0];
      this.changes.push({
        address: rc.address,
        type,
        action,
        before: isObject(before) ? before : undefined,
        after: isObject(after) ? after : undefined,
        fact: {
          address: rc.address,
          type,
          action,
          ...(reason ? { reason: REASONS[reason] ?? reason } : {}),
          ...(action === 'replace' && forcedBy.length ? { forcedBy } : {}),
        },
      });
    }
  }

  public read(): PlanStackReport {
    const consumed = new Set<string>();
    const take = (c: Change) => consumed.add(c.address);
    const roles: PlanRoleChange[] = [];
    const permissions: PlanPermissionChange[] = [];
    const lost: LostPermissionFact[] = [];
    const folders: PlanItemChange[] = [];
    const templates: PlanItemChange[] = [];
    const secrets: PlanSecretChange[] = [];
    for (const c of this.changes) {
      if (c.type === 'vsphere_role') {
        take(c);
        roles.push(this.role(c));
      } else if (c.type === 'vsphere_entity_permissions') {
        take(c);
        this.entityPermissions(c, permissions, lost);
      } else if (c.type === 'kkpvsphere_permissions') {
        take(c);
        this.listedPermissions(c, permissions);
      } else if (this.additive(c, permissions)) {
        take(c);
      } else if (c.type === 'vsphere_folder') {
        take(c);
        folders.push(this.item(c, (v) => this.folderPath(v)));
      } else if (this.isTemplate(c)) {
        take(c);
        templates.push(this.item(c, (v) => this.templatePath(c.address, v)));
      } else if (c.type === 'kubernetes_secret' || c.type === 'kubernetes_secret_v1') {
        take(c);
        secrets.push(this.secret(c));
      }
    }
    const counts = { add: 0, change: 0, destroy: 0, replace: 0 };
    for (const c of this.changes) {
      if (c.action === 'create' || c.action === 'replace') counts.add++;
      if (c.action === 'delete' || c.action === 'replace') counts.destroy++;
      if (c.action === 'update') counts.change++;
      if (c.action === 'replace') counts.replace++;
    }
    const sortItems = (a: PlanItemChange, b: PlanItemChange) => byText(a.name, b.name) || byText(a.address, b.address);
    return {
      name: this.name,
      ...(str(this.doc.terraform_version) ? { terraformVersion: str(this.doc.terraform_version) } : {}),
      counts,
      errored: this.doc.errored === true,
      lostPermissions: lost.sort((a, b) => byText(a.object, b.object) || byKey(a.principal ?? '', b.principal ?? '')),
      roles: roles.sort((a, b) => byKey(a.name, b.name) || byText(a.address, b.address)),
      permissions: permissions.sort(
        (a, b) => byText(a.object, b.object) || byKey(a.principal, b.principal) || byText(a.change, b.change) || byText(a.address, b.address),
      ),
      folders: folders.sort(sortItems),
      templates: templates.sort(sortItems),
      secrets: secrets.sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name) || byText(a.address, b.address)),
      replacements: this.changes.filter((c) => c.action === 'replace').map((c) => c.fact),
      changes: this.changes.map((c) => c.fact),
      other: this.changes.filter((c) => !consumed.has(c.address)).map((c) => c.fact),
      drift: this.drift(),
    };
  }

  // ---- names ------------------------------------------------------------------------------------------------------

  private datacenterName(id: unknown): string {
    const dc = typeof id === 'string' ? this.byId.get(id) : undefined;
    return str(dc?.values.name) ?? (typeof id === 'string' ? id : '?');
  }

  /** The inventory path of an object id (a managed object reference such as `datastore-12`), as far as the plan knows. */
  private entityPath(id: unknown, entityType: unknown): string {
    const r = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (r) {
      const name = str(r.values.name) ?? '?';
      const inDc = (folder: string) => (name.startsWith('/') ? name : `/${this.datacenterName(r.values.datacenter_id)}/${folder}/${name}`);
      switch (r.type) {
        case 'vsphere_datacenter':
          return `/${name}`;
        case 'vsphere_folder':
          return r.mode === 'data' ? (str(r.values.path) ?? '?') : this.folderPath(r.values);
        default: {
          const folder = datacenterFolderOf(r.type);
          if (folder) return inDc(folder);
        }
      }
    }
    return `${str(entityType) ?? 'object'} ${typeof id === 'string' ? id : '?'}`;
  }

  private folderPath(v: Json | undefined): string {
    if (!v) return '?';
    const path = str(v.path) ?? '?';
    const type = str(v.type) ?? 'vm';
    if (path === UNKNOWN || path === SENSITIVE) return path;
    if (type === 'datacenter') return `/${path}`;
    return `/${this.datacenterName(v.datacenter_id)}/${type}/${path}`;
  }

  private templatePath(address: string, v: Json | undefined): string {
    const fromSynth = [this.head, this.base].map((s) => s?.report.templates.find((t) => t.address === address)).find((t) => t);
    if (!v || v.name === undefined) return fromSynth ? `${fromSynth.folder ?? '?'}/${fromSynth.name}` : address;
    const ovf = Array.isArray(v.ovf_deploy) ? (v.ovf_deploy[0] as Json | undefined) : undefined;
    const folder = str(v.folder);
    const dc = this.datacenterName(v.datacenter_id ?? ovf?.datacenter_id);
    if (folder === undefined) return fromSynth ? `${fromSynth.folder ?? '?'}/${str(v.name)}` : String(v.name);
    return `${folder.startsWith('/') ? folder : `/${dc}/vm/${folder}`}/${str(v.name) ?? '?'}`;
  }

  private isTemplate(c: Change): boolean {
    if (c.type === 'vsphere_virtual_machine') {
      const hasOvf = (v: Json | undefined) => Array.isArray(v?.ovf_deploy) && v!.ovf_deploy.length > 0;
      return hasOvf(c.before) || hasOvf(c.after);
    }
    return [this.head, this.base].some((s) => s?.report.templates.some((t) => t.address === c.address));
  }

  /** A role id's name: predefined, in state (created or looked up), from the configuration, or the synth output. */
  private roleName(id: string, address: string, principal: string, side: 'before' | 'after'): string {
    if (PREDEFINED_ROLES[id]) return PREDEFINED_ROLES[id];
    const r = this.byId.get(`vsphere_role\u0000${id}`);
    if (r) return str(r.values.name) ?? str(r.values.label) ?? id;
    if (id === UNKNOWN) {
      // A role created by this plan: follow the configuration's reference to it.
      const conf = this.config.get(address);
      const perms = isObject(conf?.expressions) ? conf!.expressions.permissions : undefined;
      for (const p of Array.isArray(perms) ? perms : []) {
        if (!isObject(p) || !isObject(p.user_or_group) || p.user_or_group.constant_value?.toString().toLowerCase() !== principal.toLowerCase()) continue;
        const refs = isObject(p.role_id) && Array.isArray(p.role_id.references) ? p.role_id.references : [];
        const target = refs.map(String).find((x) => /^vsphere_role\.[^.]+$/.test(x));
        const planned = target ? (this.planned.get(target) ?? this.changes.find((c) => c.address === target && c.after)?.after) : undefined;
        const name = str((planned as StateResource | undefined)?.values?.name) ?? str((planned as Json | undefined)?.name);
        if (name) return name;
      }
    }
    const synth = side === 'after' ? (this.head ?? this.base) : (this.base ?? this.head);
    const g = synth?.grants.get(address)?.find((x) => x.principal.toLowerCase() === principal.toLowerCase());
    return g?.role ?? (id === UNKNOWN ? 'a role created by this plan' : `role id ${id}`);
  }

  // ---- sections ---------------------------------------------------------------------------------------------------

  private role(c: Change): PlanRoleChange {
    const privs = (v: Json | undefined) => (Array.isArray(v?.role_privileges) ? v!.role_privileges.map(String) : []);
    const was = c.action === 'create' ? [] : privs(c.before);
    const now = c.action === 'delete' ? [] : privs(c.after);
    const beforeName = str(c.before?.name);
    const name = str(c.after?.name) ?? beforeName ?? c.address;
    return {
      ...c.fact,
      name,
      ...(beforeName !== undefined && c.after && beforeName !== name ? { beforeName } : {}),
      privilegesAdded: now.filter((p) => !was.includes(p)).sort(byText),
      privilegesRemoved: was.filter((p) => !now.includes(p)).sort(byText),
      privilegeCount: (c.action === 'delete' ? was : now).length,
    };
  }

  private perms(v: Json | undefined): Map<string, Perm> {
    const out = new Map<string, Perm>();
    for (const p of Array.isArray(v?.permissions) ? v!.permissions : []) {
      if (!isObject(p) || typeof p.user_or_group !== 'string') continue;
      out.set(p.user_or_group.toLowerCase(), {
        principal: p.user_or_group,
        isGroup: p.is_group === true,
        propagate: p.propagate === true,
        roleId: str(p.role_id) ?? String(p.role_id),
      });
    }
    return out;
  }

  /** Principals that Terraform found added outside Terraform (refresh) on this resource. */
  private driftAdded(address: string): Set<string> {
    const out = new Set<string>();
    for (const d of Array.isArray(this.doc.resource_drift) ? this.doc.resource_drift : []) {
      if (!isObject(d) || d.address !== address || !isObject(d.change)) continue;
      const was = this.perms(masked(d.change.before, d.change.before_sensitive, SENSITIVE) as Json);
      for (const k of this.perms(masked(d.change.after, d.change.after_sensitive, SENSITIVE) as Json).keys()) if (!was.has(k)) out.add(k);
    }
    return out;
  }

  private entityPermissions(c: Change, out: PlanPermissionChange[], lost: LostPermissionFact[]): void {
    const synthGrants = [...(this.head?.grants.get(c.address) ?? []), ...(this.base?.grants.get(c.address) ?? [])];
    const values = c.after ?? c.before;
    const object = synthGrants[0]?.object ?? this.entityPath(values?.entity_id, values?.entity_type);
    const management: ReportManagement = synthGrants[0]?.management ?? 'unknown';
    const entityType = str(values?.entity_type) ?? synthGrants[0]?.entityType;
    const before = c.action === 'create' ? new Map<string, Perm>() : this.perms(c.before);
    const after = c.action === 'delete' ? new Map<string, Perm>() : this.perms(c.after);
    const common = { object, ...(entityType && entityType !== UNKNOWN ? { entityType } : {}), management, address: c.address };
    for (const [k, p] of after) {
      const role = this.roleName(p.roleId, c.address, p.principal, 'after');
      const old = before.get(k);
      if (!old) {
        out.push({ ...common, principal: p.principal, isGroup: p.isGroup, change: 'added', role, propagate: p.propagate });
        continue;
      }
      const beforeRole = this.roleName(old.roleId, c.address, old.principal, 'before');
      if (beforeRole !== role || old.propagate !== p.propagate || old.roleId !== p.roleId) {
        out.push({
          ...common,
          principal: p.principal,
          isGroup: p.isGroup,
          change: 'changed',
          role,
          ...(beforeRole !== role || old.roleId !== p.roleId ? { beforeRole } : {}),
          propagate: p.propagate,
          ...(old.propagate !== p.propagate ? { beforePropagate: old.propagate } : {}),
        });
      }
    }
    const foreignNow = this.driftAdded(c.address);
    for (const [k, p] of before) {
      if (after.has(k)) continue;
      const role = this.roleName(p.roleId, c.address, p.principal, 'before');
      const mine = (s: SynthIndex | undefined) => s?.grants.get(c.address)?.find((g) => g.principal.toLowerCase() === k);
      const listed = mine(this.base) ?? mine(this.head);
      const origin: PlanPermissionChange['origin'] = listed?.kept ? 'kept' : listed && !foreignNow.has(k) ? 'granted' : 'foreign';
      out.push({ ...common, principal: p.principal, isGroup: p.isGroup, change: 'removed', role, propagate: p.propagate, origin });
      if (origin === 'granted') continue;
      const how =
        c.action === 'delete'
          ? `${c.address} is destroyed, and the provider removes every permission of ${object} that its state holds`
          : c.action === 'replace'
            ? `${c.address} is replaced: its destroy removes every permission of ${object} that its state holds`
            : `${c.address} manages ${object} authoritatively and removes on apply every permission it does not list`;
      const who = foreignNow.has(k)
        ? 'added outside Terraform since the last apply'
        : origin === 'kept'
          ? 'an existing permission the stack only kept'
          : this.base
            ? 'never granted by this stack (not in the base or head synth output)'
            : 'not granted by this stack\'s configuration (pass the base branch\'s synth output with --base to tell a revoke from a foreign permission)';
      lost.push({
        stack: this.name,
        object,
        principal: p.principal,
        isGroup: p.isGroup,
        role,
        reason: origin,
        why: `${who}; ${how}`,
        address: c.address,
      });
    }
  }

  /**
   * The principals of a `kkpvsphere_permissions` values (`permissions`: principal -> is_group, role_id, role_name,
   * propagate) by {@link listedKey}, or `undefined` when the map is unknown or absent.
   */
  private listed(v: Json | undefined, address: string, side: 'before' | 'after'): Map<string, ListedPerm> | undefined {
    if (!isObject(v?.permissions)) return undefined;
    const out = new Map<string, ListedPerm>();
    for (const [principal, p] of Object.entries(v!.permissions)) {
      if (!isObject(p)) continue;
      const roleId = str(p.role_id) ?? (typeof p.role_id === 'number' ? String(p.role_id) : UNKNOWN);
      // A predefined role by the label the synth report uses; else the role's vCenter name as the provider read it;
      // else (a role this plan creates, or a name the provider could not read) state, configuration or synth output.
      const role = PREDEFINED_ROLES[roleId] ?? known(p.role_name) ?? this.roleName(roleId, address, principal, side);
      const isGroup = p.is_group === true;
      out.set(listedKey(principal, isGroup), { principal, isGroup, propagate: p.propagate !== false, roleId, role });
    }
    return out;
  }

  /**
   * A `kkpvsphere_permissions` (the additive grants of one object): one row per principal that it adds, changes or
   * removes. It sets, updates and removes only the principals it lists, on update, destroy and replace alike: no
   * other principal's permission on the object is ever in its state, so nothing here is anyone else's (a principal
   * removed outside Terraform is missing from its refreshed state, and shows as added again).
   */
  private listedPermissions(c: Change, out: PlanPermissionChange[]): void {
    const head = this.head?.grants.get(c.address) ?? [];
    const base = this.base?.grants.get(c.address) ?? [];
    // A replacement moves it to another object (entity_id forces it): then the synth output of one side does not name
    // the other's object, and every principal is removed from the old object and added on the new one.
    const moved = c.action === 'replace' && !(known(c.before?.id) !== undefined && known(c.before?.id) === known(c.after?.id));
    // Before: the base branch's synth output first, after: the head's.
    const beforeSynth = base.length ? base : moved ? [] : head;
    const afterSynth = head.length ? head : moved ? [] : base;
    const objectOf = (v: Json | undefined, synth: readonly GrantFact[]) =>
      synth[0]?.object ?? known(v?.entity_path) ?? this.entityPath(known(v?.entity_id) ?? v?.entity_id, v?.entity_type);
    const afterObject = objectOf(c.after ?? c.before, afterSynth);
    // An update stays on its object: one name, the head's.
    const beforeObject = c.action === 'update' ? afterObject : objectOf(c.before ?? c.after, beforeSynth);
    // Values the plan cannot list (an unknown map) are the synth output's rows.
    const fromSynth = (rows: readonly GrantFact[]) =>
      new Map<string, ListedPerm>(rows.map((g) => [listedKey(g.principal, g.isGroup), { principal: g.principal, isGroup: g.isGroup, propagate: g.propagate, role: g.role }]));
    const before = c.action === 'create' ? new Map<string, ListedPerm>() : (this.listed(c.before, c.address, 'before') ?? fromSynth(beforeSynth));
    const listedAfter = c.action === 'delete' ? new Map<string, ListedPerm>() : this.listed(c.after, c.address, 'after');
    const after = listedAfter ?? fromSynth(afterSynth);
    // With neither the planned map nor a synth output, what goes is not known: no principal is said to be removed.
    const afterKnown = listedAfter !== undefined || afterSynth.length > 0;
    const common = (object: string, v: Json | undefined, synth: readonly GrantFact[]) => {
      const entityType = known(v?.entity_type) ?? synth[0]?.entityType;
      return { object, ...(entityType ? { entityType } : {}), management: 'additive' as const, address: c.address };
    };
    const onBefore = common(beforeObject, c.before ?? c.after, beforeSynth);
    const onAfter = common(afterObject, c.after ?? c.before, afterSynth);
    for (const [k, p] of after) {
      const old = moved ? undefined : before.get(k);
      if (!old) {
        out.push({ ...onAfter, principal: p.principal, isGroup: p.isGroup, change: 'added', role: p.role, propagate: p.propagate });
        continue;
      }
      // By role id where both sides have one (a rename of the role is the role's change, not the grant's).
      const roleChanged = old.roleId !== undefined && p.roleId !== undefined ? old.roleId !== p.roleId : old.role !== p.role;
      if (!roleChanged && old.propagate === p.propagate) continue;
      out.push({
        ...onAfter,
        principal: p.principal,
        isGroup: p.isGroup,
        change: 'changed',
        role: p.role,
        ...(roleChanged ? { beforeRole: old.role } : {}),
        propagate: p.propagate,
        ...(old.propagate !== p.propagate ? { beforePropagate: old.propagate } : {}),
      });
    }
    for (const [k, p] of before) {
      if ((!moved && after.has(k)) || (!moved && !afterKnown)) continue;
      // Only what it lists, which this stack granted (or adopted): never a foreign or kept permission.
      out.push({ ...onBefore, principal: p.principal, isGroup: p.isGroup, change: 'removed', role: p.role, propagate: p.propagate, origin: 'granted' });
    }
  }

  /** A resource that grants one principal one role on one object and touches nothing else. */
  private additive(c: Change, out: PlanPermissionChange[]): boolean {
    const synth = [this.head, this.base].map((s) => s?.grants.get(c.address)?.[0]).find((g) => g?.management === 'additive');
    // A provisioner-era terraform_data carries the grant in `input`; a kkpvsphere_permission in its own attributes
    // (entity_path and role_name are resolved at plan time).
    const fromValues = (v: Json | undefined) =>
      v
        ? additiveGrantFromInput(v.input) ??
          (c.address.startsWith('kkpvsphere_permission.') || c.address.includes('.kkpvsphere_permission.')
            ? additiveGrantFromInput({ entity: v.entity_path, principal: v.principal, isGroup: v.is_group, role: v.role_name, propagate: v.propagate, entityType: v.entity_type })
            : undefined)
        : undefined;
    const was = c.action === 'create' ? undefined : (fromValues(c.before) ?? (c.before ? synth : undefined));
    const now = c.action === 'delete' ? undefined : (fromValues(c.after) ?? (c.after ? synth : undefined));
    if (!was && !now) return false;
    const row = (g: NonNullable<typeof was> | GrantFact) => ({
      object: 'entity' in g ? g.entity : g.object,
      ...(g.entityType ? { entityType: g.entityType } : {}),
      principal: g.principal,
      isGroup: g.isGroup,
      propagate: g.propagate,
      role: g.role,
      management: 'additive' as const,
      address: c.address,
    });
    if (was && now && row(was).object === row(now).object && row(was).principal.toLowerCase() === row(now).principal.toLowerCase()) {
      const a = row(was);
      const b = row(now);
      if (a.role !== b.role || a.propagate !== b.propagate || c.action === 'replace') {
        out.push({
          ...b,
          change: 'changed',
          ...(a.role !== b.role ? { beforeRole: a.role } : {}),
          ...(a.propagate !== b.propagate ? { beforePropagate: a.propagate } : {}),
        });
      }
      return true;
    }
    if (was) out.push({ ...row(was), change: 'removed', origin: 'granted' });
    if (now) out.push({ ...row(now), change: 'added' });
    return true;
  }

  private item(c: Change, name: (v: Json | undefined) => string): PlanItemChange {
    const before = c.before ? name(c.before) : undefined;
    const after = c.after ? name(c.after) : undefined;
    return {
      ...c.fact,
      name: after ?? before ?? c.address,
      ...(before !== undefined && after !== undefined && before !== after ? { beforeName: before } : {}),
    };
  }

  private secret(c: Change): PlanSecretChange {
    const v = c.after ?? c.before;
    const meta = Array.isArray(v?.metadata) && isObject(v!.metadata[0]) ? (v!.metadata[0] as Json) : {};
    const synth = [this.head, this.base].map((s) => s?.report.secrets.find((x) => x.address === c.address)).find((x) => x);
    const conf = this.config.get(c.address);
    const provider = str(conf?.provider_config_key) ?? synth?.provider;
    return {
      ...c.fact,
      namespace: str(meta.namespace) ?? synth?.namespace ?? 'default',
      name: str(meta.name) ?? synth?.name ?? '?',
      ...(provider ? { provider } : {}),
    };
  }

  private drift(): { address: string; type: string; what: string }[] {
    const out: { address: string; type: string; what: string }[] = [];
    for (const d of Array.isArray(this.doc.resource_drift) ? this.doc.resource_drift : []) {
      if (!isObject(d) || typeof d.address !== 'string' || !isObject(d.change) || d.mode === 'data') continue;
      const type = str(d.type) ?? '?';
      const actions = Array.isArray(d.change.actions) ? d.change.actions.join(',') : '';
      let what = actions === 'delete' ? 'deleted outside Terraform' : 'changed outside Terraform';
      if (actions !== 'delete') {
        const before = masked(d.change.before, d.change.before_sensitive, SENSITIVE);
        const after = masked(d.change.after, d.change.after_sensitive, SENSITIVE);
        const changed = changedAttributes(before, after);
        if (!changed.length) continue; // null read back as empty: nothing changed on vCenter
        what = `changed outside Terraform: ${changed.join(', ')}`;
      }
      if (type === 'kkpvsphere_permissions') {
        // Its refresh reads only the principals it lists: one removed on vCenter drops out, one changed is read back.
        const address = d.address;
        const before = this.listed(masked(d.change.before, d.change.before_sensitive, SENSITIVE) as Json, address, 'before') ?? new Map<string, ListedPerm>();
        const after = this.listed(masked(d.change.after, d.change.after_sensitive, SENSITIVE) as Json, address, 'before') ?? new Map<string, ListedPerm>();
        const removed = [...before.entries()].filter(([k]) => !after.has(k)).map(([, p]) => p.principal);
        const changed = [...after.entries()]
          .filter(([k, p]) => before.has(k) && (before.get(k)!.roleId !== p.roleId || before.get(k)!.propagate !== p.propagate))
          .map(([, p]) => p.principal);
        const parts = [
          removed.length ? `permissions removed outside Terraform: ${removed.sort(byKey).join(', ')}` : '',
          changed.length ? `permissions changed outside Terraform: ${changed.sort(byKey).join(', ')}` : '',
        ].filter((x) => x);
        if (parts.length) what = parts.join('; ');
      }
      if (type === 'vsphere_entity_permissions') {
        const before = this.perms(masked(d.change.before, d.change.before_sensitive, SENSITIVE) as Json);
        const after = this.perms(masked(d.change.after, d.change.after_sensitive, SENSITIVE) as Json);
        const added = [...after.entries()].filter(([k]) => !before.has(k)).map(([, p]) => p.principal);
        const removed = [...before.entries()].filter(([k]) => !after.has(k)).map(([, p]) => p.principal);
        const parts = [
          added.length ? `permissions added outside Terraform: ${added.sort(byKey).join(', ')}` : '',
          removed.length ? `permissions removed outside Terraform: ${removed.sort(byKey).join(', ')}` : '',
        ].filter((x) => x);
        if (parts.length) what = parts.join('; ');
      }
      out.push({ address: d.address, type, what });
    }
    return out.sort((a, b) => byText(a.address, b.address));
  }
}

/** One stack's plan, with the synth outputs that name its objects (both optional). */
export interface PlanInput {
  readonly stack: string;
  /** Parsed `terraform show -json` output of the stack's saved plan. */
  readonly plan: unknown;
  /** The stack in the synth output the plan was made from: object names, management, kept permissions. */
  readonly head?: StackReport;
  /** The stack in the base branch's synth output: what the stack granted before, to tell revokes from foreign removals. */
  readonly base?: StackReport;
}

/** Reads one plan per stack into a PlanReport. */
export function planReport(inputs: readonly PlanInput[]): PlanReport {
  return {
    format: 'cdktf-kkp-vsphere/plan-report@1',
    stacks: inputs
      .map((i) => {
        checkPlanDocument(i.plan, `plan of stack "${i.stack}"`);
        return new PlanReader(i.stack, i.plan, i.head, i.base).read();
      })
      .sort((a, b) => byText(a.name, b.name)),
  };
}
