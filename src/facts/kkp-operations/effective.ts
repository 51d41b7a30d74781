// Effective privileges as vCenter computes them, and the check of KKP's operations against them. Pure: no cdktf.
//
// vCenter's rules (vSphere Security, "Hierarchical Inheritance of Permissions" and "Multiple Permission Settings"):
// - a permission applies to its object, and to every descendant when it propagates;
// - the most specific one wins: a permission on a child object overrides those on its ancestors;
// - on one object, a permission of the user itself overrides every permission of the user's groups; without one, the
//   user holds the union of its groups' permissions there;
// - a virtual machine inherits from its VM folder and from its resource pool at the same time;
// - every role but No access carries System.Anonymous, System.Read and System.View.
import type { KkpRelease } from '../kkp/releases';
import { compareKkpReleases } from '../kkp/releases';
import { KKP_COMPONENTS, KKP_LOGIN_TABLE, KkpComponentId, KkpLogin } from './components';
import { KKP_OPERATIONS, KkpObject, KkpOperation, KkpOperationCondition, PrivilegeNeed } from './operations';

/** vCenter adds these to every role except No access. */
export const IMPLICIT_PRIVILEGES = ['System.Anonymous', 'System.Read', 'System.View'] as const;
/** Visibility of an object: a requirement met by every role's implicit privileges, never granted. */
const VISIBLE: readonly string[] = [IMPLICIT_PRIVILEGES[1]];

/** One permission as the stack grants it. */
export interface GrantedPermission {
  /** Inventory path of the object, e.g. `/dc-1/vm/kkp`. */
  readonly path: string;
  /** `DOMAIN\name`. */
  readonly principal: string;
  readonly isGroup: boolean;
  /** The role's name, for messages. */
  readonly role: string;
  /** Privilege IDs (System.* implicit); `all` for Administrator, `none` for No access, `unknown` for a role the library cannot read. */
  readonly privileges: readonly string[] | 'all' | 'none' | 'unknown';
  readonly propagate: boolean;
}

/** The effective privileges of one principal on one object. */
export interface Effective {
  /** `all`: Administrator; `unknown`: decided by a role whose privileges synth cannot see. */
  readonly privileges: ReadonlySet<string> | 'all' | 'unknown';
  /** The permissions that decided it (one per parent chain). */
  readonly decidedBy: readonly GrantedPermission[];
}

/** An object the stack knows: its inventory path, and for a VM the resource pool it also inherits from. */
export interface ObjectRef {
  readonly path: string;
  /** Further parents whose chains the object inherits from too (a VM's resource pool). */
  readonly alsoBelow?: readonly string[];
}

const principalKey = (name: string, isGroup: boolean) => `${isGroup ? 'g' : 'u'}:${name.toLowerCase()}`;

/** The parent path of an inventory path; undefined for the root `/`. */
export function parentPath(path: string): string | undefined {
  if (path === '/' || path === '') return undefined;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * The folders a Finder walks through to reach `path` by name: every ancestor below the datacenter's own folder
 * (`<datacenter>/vm`, `/host`, `/datastore`, `/network`, visible to whoever reads the datacenter), nearest last.
 */
export function pathAncestors(path: string, datacenterPath: string | undefined): string[] {
  if (!datacenterPath || !path.startsWith(`${datacenterPath}/`)) return [];
  const rest = path.slice(datacenterPath.length + 1).split('/');
  const out: string[] = [];
  for (let i = 2; i < rest.length; i++) out.push(`${datacenterPath}/${rest.slice(0, i).join('/')}`);
  return out;
}

/**
 * What one need asks of each object: the need's privileges on every object of its kind, and for a need found by
 * path System.Read on every folder the Finder walks through (once per folder, after the object it leads to).
 */
export function needTargets(
  need: PrivilegeNeed,
  objects: Partial<Record<KkpObject, readonly ObjectRef[]>>,
): { kind: KkpObject; ref: ObjectRef; privileges: readonly string[] }[] {
  const out: { kind: KkpObject; ref: ObjectRef; privileges: readonly string[] }[] = [];
  const seen = new Set<string>();
  for (const ref of objects[need.object] ?? []) {
    out.push({ kind: need.object, ref, privileges: need.privileges });
    if (need.byPath) {
      for (const path of pathAncestors(ref.path, objects.datacenter?.[0]?.path)) {
        if (seen.has(path)) continue;
        seen.add(path);
        out.push({ kind: need.object, ref: { path }, privileges: VISIBLE });
      }
    }
  }
  return out;
}

/** The stack's permissions, indexed by object and principal; build once, ask many times. */
export class PermissionIndex {
  private readonly byPath = new Map<string, Map<string, GrantedPermission>>();
  private readonly memo = new Map<string, Effective>();
  /** Per permission, the privileges some modelled operation needed from it. */
  public readonly used = new Map<GrantedPermission, Set<string>>();

  constructor(public readonly permissions: readonly GrantedPermission[]) {
    for (const p of permissions) {
      let at = this.byPath.get(p.path);
      if (!at) this.byPath.set(p.path, (at = new Map()));
      at.set(principalKey(p.principal, p.isGroup), p);
    }
  }

  /** Groups holding a permission on `path` or an ancestor of it (for the warning that membership is unknown). */
  public groupsAbove(path: string): GrantedPermission[] {
    const found: GrantedPermission[] = [];
    for (let p: string | undefined = path, own = true; p !== undefined; p = parentPath(p), own = false) {
      for (const perm of this.byPath.get(p)?.values() ?? []) if (perm.isGroup && (own || perm.propagate)) found.push(perm);
    }
    return found;
  }

  /**
   * What `principal` holds on `object`: the nearest permission along each parent chain (its own before any of its
   * groups'), unioned across chains. Group membership is not known here: a user is evaluated by its own permissions,
   * a group by the group's.
   */
  public effective(principal: string, isGroup: boolean, object: ObjectRef): Effective {
    const key = principalKey(principal, isGroup);
    const memoKey = `${key}\u0000${object.path}\u0000${(object.alsoBelow ?? []).join('\u0000')}`;
    const cached = this.memo.get(memoKey);
    if (cached) return cached;
    const decidedBy: GrantedPermission[] = [];
    const chain = (start: string, own: boolean) => {
      for (let p: string | undefined = start, first = own; p !== undefined; p = parentPath(p), first = false) {
        const perm = this.byPath.get(p)?.get(key);
        if (perm && (first || perm.propagate)) {
          if (!decidedBy.includes(perm)) decidedBy.push(perm);
          return;
        }
      }
    };
    chain(object.path, true);
    for (const extra of object.alsoBelow ?? []) chain(extra, false);
    let privileges: Set<string> | 'all' | 'unknown' = new Set();
    for (const perm of decidedBy) {
      if (perm.privileges === 'all') privileges = 'all';
      else if (privileges === 'all') continue;
      else if (perm.privileges === 'unknown') privileges = 'unknown';
      else if (privileges !== 'unknown' && perm.privileges !== 'none') {
        for (const id of [...IMPLICIT_PRIVILEGES, ...perm.privileges]) privileges.add(id);
      }
    }
    const result = { privileges, decidedBy };
    this.memo.set(memoKey, result);
    return result;
  }
}

/** A user or group a component logs in as, as the cluster's credentials name it. */
export interface LoginPrincipal {
  /** `DOMAIN\name`; undefined when the credentials hold a value synth cannot read (a variable). */
  readonly name?: string;
  readonly isGroup: boolean;
  /**
   * Whether the stack sets this principal up (grants it a KKP role set), so that a missing privilege is the stack's
   * to fix. Otherwise its other permissions may come from elsewhere, and synth only warns.
   */
  readonly setUp: boolean;
}

/** One user cluster, as the check sees it. */
export interface ClusterCase {
  /** Names the cluster in messages (its construct path). */
  readonly where: string;
  readonly clusterId: string;
  readonly release: KkpRelease;
  /** Where the cluster's objects are; a kind missing here is one synth cannot know (a warning when needed). */
  readonly objects: Partial<Record<KkpObject, readonly ObjectRef[]>>;
  /** Why a kind is unknown, for the warning. */
  readonly unknown?: Partial<Record<KkpObject, string>>;
  /**
   * The credentials KKP reads for the cluster: `username` and the infra-management user; undefined when the stack
   * writes none (a Preset, a Secret managed elsewhere).
   */
  readonly credentials?: { readonly username: LoginPrincipal; readonly infra?: LoginPrincipal };
  /** Which conditional operations apply. */
  readonly conditions: ReadonlySet<KkpOperationCondition>;
  /**
   * The components the credentials serve, when not every one (KKP 2.12: the stack writes the cloud-config of the CCM;
   * machine-controller and KKP take theirs from the cluster spec). `why` says so in the warning.
   * @default - every component of the release
   */
  readonly components?: { readonly ids: readonly KkpComponentId[]; readonly why: string };
}

/** A privilege a login principal lacks for an operation. */
export interface KkpGap {
  readonly where: string;
  readonly clusterId: string;
  readonly component: KkpComponentId;
  readonly operation: KkpOperation;
  readonly objectKind: KkpObject;
  readonly object: string;
  readonly principal: string;
  readonly isGroup: boolean;
  /** Which credential key names the principal. */
  readonly credential: 'username' | 'infraManagementUserUsername';
  readonly login: KkpLogin;
  readonly missing: readonly string[];
}

/** The result of checking clusters against the stack's permissions. */
export interface KkpWorksResult {
  readonly gaps: readonly KkpGap[];
  /** What synth cannot know, each once. */
  readonly warnings: readonly string[];
  /** Per role: granted privileges that no modelled operation of the checked clusters uses. */
  readonly unused: readonly { readonly role: string; readonly privileges: readonly string[] }[];
}

/** The login of each component for a release. */
export function kkpLogins(release: KkpRelease): Readonly<Record<KkpComponentId, KkpLogin>> {
  const row = KKP_LOGIN_TABLE.find((r) => compareKkpReleases(r.first, release) <= 0 && compareKkpReleases(release, r.last) <= 0);
  if (!row) throw new Error(`No login row covers KKP ${release}.`);
  return row.logins;
}

/** The components that run against vSphere in a release. */
export function kkpComponentsOf(release: KkpRelease) {
  return KKP_COMPONENTS.filter((c) => compareKkpReleases(c.first, release) <= 0);
}

/** The operations a release's components make (conditional ones included). */
export function kkpOperationsOf(release: KkpRelease): KkpOperation[] {
  const components = new Set(kkpComponentsOf(release).map((c) => c.id));
  return KKP_OPERATIONS.filter((o) => components.has(o.component) && compareKkpReleases(o.presentFrom, release) <= 0);
}

/**
 * Checks every cluster: each component's login principal must hold, on each object its operations touch, the
 * privileges vCenter requires. Linear in the clusters: effective privileges are memoized per principal and object.
 */
export function checkKkpWorks(index: PermissionIndex, clusters: readonly ClusterCase[]): KkpWorksResult {
  const gaps: KkpGap[] = [];
  const warnings = new Set<string>();
  const notSetUp = new Map<string, Set<string>>();
  const unknownObjects = new Map<string, { why: string; privileges: Set<string> }>();
  for (const c of clusters) {
    if (!c.credentials) {
      warnings.add(
        `${c.where}: the stack writes no credentials for cluster ${c.clusterId} (a Preset, or a Secret managed elsewhere), so synth ` +
          'cannot tell whom KKP logs in as; run cdktf-kkp-vsphere preflight after deploy.',
      );
      continue;
    }
    const logins = kkpLogins(c.release);
    const operations = kkpOperationsOf(c.release).filter((o) => !o.when || c.conditions.has(o.when));
    for (const component of kkpComponentsOf(c.release)) {
      if (c.components && !c.components.ids.includes(component.id)) {
        warnings.add(`${component.title}: ${c.components.why}; synth does not check its login.`);
        continue;
      }
      const login = logins[component.id];
      const candidates = candidatesFor(login, c.credentials);
      for (const { principal, credential } of candidates) {
        if (principal.name === undefined) {
          warnings.add(
            `${c.where}: ${component.title} logs in with the ${credential} of cluster ${c.clusterId}, a value synth cannot read; ` +
              'its privileges are not checked (run cdktf-kkp-vsphere preflight after deploy).',
          );
          continue;
        }
        if (!principal.setUp) {
          const set = notSetUp.get(principal.name) ?? new Set<string>();
          set.add(component.title);
          notSetUp.set(principal.name, set);
          continue;
        }
        for (const op of operations.filter((o) => o.component === component.id)) {
          for (const need of op.needs) {
            const objects = c.objects[need.object];
            if ((!objects || objects.length === 0) && need.onlyWhereKnown) continue;
            if (!objects || objects.length === 0) {
              const key = `${component.title}\u0000${need.object}`;
              const entry = unknownObjects.get(key) ?? { why: c.unknown?.[need.object] ?? 'not known to this stack', privileges: new Set<string>() };
              need.privileges.forEach((p) => entry.privileges.add(p));
              unknownObjects.set(key, entry);
              continue;
            }
            for (const { ref: object, privileges: needed } of needTargets(need, c.objects)) {
              const eff = index.effective(principal.name, principal.isGroup, object);
              if (eff.privileges === 'unknown') {
                warnings.add(`${principal.name} holds a role on ${eff.decidedBy.map((p) => p.path).join(', ')} whose privileges synth cannot read; check it with preflight.`);
                continue;
              }
              const has = eff.privileges;
              const missing = has === 'all' ? [] : needed.filter((p) => !has.has(p));
              for (const perm of eff.decidedBy) {
                const used = index.used.get(perm) ?? new Set<string>();
                needed.forEach((p) => used.add(p));
                index.used.set(perm, used);
              }
              if (missing.length) {
                gaps.push({
                  where: c.where, clusterId: c.clusterId, component: component.id, operation: op, objectKind: need.object,
                  object: object.path, principal: principal.name, isGroup: principal.isGroup, credential, login, missing,
                });
              }
              if (!principal.isGroup && missing.length) {
                const groups = index.groupsAbove(object.path);
                if (groups.length) {
                  warnings.add(
                    `${principal.name} is checked by its own permissions; if it is a member of ${[...new Set(groups.map((g) => g.principal))].join(', ')} ` +
                      '(granted in this stack), vCenter adds what those groups hold where the user has no permission of its own. Synth cannot see group members.',
                  );
                }
              }
            }
          }
        }
      }
    }
  }
  for (const [key, { why, privileges }] of unknownObjects) {
    const [component, object] = key.split('\u0000');
    warnings.add(`${component} touches the ${object} (${why}); synth cannot check ${[...privileges].join(', ')} there.`);
  }
  for (const [name, components] of notSetUp) {
    warnings.add(
      `${name} logs in for ${[...components].join(', ')}, but this stack grants it no KKP role set (SeedPermissions, ` +
        'UserClusterPermissions or a KkpUserCluster storagePrincipal); its privileges are not checked at synth (run cdktf-kkp-vsphere preflight after deploy).',
    );
  }
  return { gaps, warnings: [...warnings], unused: unusedByRole(index) };
}

function candidatesFor(
  login: KkpLogin,
  credentials: NonNullable<ClusterCase['credentials']>,
): { principal: LoginPrincipal; credential: KkpGap['credential'] }[] {
  const username = { principal: credentials.username, credential: 'username' as const };
  const infra = credentials.infra ? { principal: credentials.infra, credential: 'infraManagementUserUsername' as const } : username;
  if (login === 'username') return [username];
  if (login === 'infra') return [infra];
  return infra === username ? [username] : [username, infra];
}

function unusedByRole(index: PermissionIndex): { role: string; privileges: string[] }[] {
  const byRole = new Map<string, { granted: Set<string>; used: Set<string> }>();
  for (const perm of index.permissions) {
    if (!Array.isArray(perm.privileges)) continue;
    const entry = byRole.get(perm.role) ?? { granted: new Set<string>(), used: new Set<string>() };
    perm.privileges.forEach((p) => entry.granted.add(p));
    index.used.get(perm)?.forEach((p) => entry.used.add(p));
    byRole.set(perm.role, entry);
  }
  return [...byRole]
    .map(([role, { granted, used }]) => ({ role, privileges: [...granted].filter((p) => !used.has(p) && !p.startsWith('System.')).sort() }))
    .filter((r) => r.privileges.length > 0)
    .sort((a, b) => (a.role < b.role ? -1 : 1));
}

/** Gaps grouped per message key, so that 1000 clusters with one shared gap read as one line naming them. */
export function groupGaps(gaps: readonly KkpGap[]): { gap: KkpGap; clusters: string[] }[] {
  const groups = new Map<string, { gap: KkpGap; clusters: string[] }>();
  for (const g of gaps) {
    const objectKey = g.objectKind === 'nodeVm' || g.objectKind === 'clusterFolder' ? g.objectKind : g.object;
    const key = [g.component, g.operation.id, objectKey, g.principal.toLowerCase(), g.credential, g.missing.join(',')].join('\u0000');
    const group = groups.get(key);
    if (group) group.clusters.push(g.where);
    else groups.set(key, { gap: g, clusters: [g.where] });
  }
  return [...groups.values()];
}

/** One thing a live vCenter must allow for a cluster: what preflight asks. */
export interface KkpRequirement {
  readonly component: KkpComponentId;
  readonly operation: string;
  readonly title: string;
  readonly method: string;
  readonly objectKind: KkpObject;
  /** Inventory path; a node VM (which exists only later) is asked on its folder and resource pool. */
  readonly object: string;
  readonly alsoBelow?: readonly string[];
  readonly principal: string;
  readonly isGroup: boolean;
  readonly credential: KkpGap['credential'];
  readonly privileges: readonly string[];
}

/** Every (principal, object, privileges) the cluster's components need, for preflight; unknown logins and objects are left out. */
export function kkpRequirements(c: ClusterCase): KkpRequirement[] {
  if (!c.credentials) return [];
  const logins = kkpLogins(c.release);
  const rows: KkpRequirement[] = [];
  const operations = kkpOperationsOf(c.release).filter((o) => !o.when || c.conditions.has(o.when));
  for (const component of kkpComponentsOf(c.release)) {
    if (c.components && !c.components.ids.includes(component.id)) continue;
    for (const { principal, credential } of candidatesFor(logins[component.id], c.credentials)) {
      if (principal.name === undefined) continue;
      for (const op of operations.filter((o) => o.component === component.id)) {
        for (const need of op.needs) {
          for (const { ref: object, privileges } of needTargets(need, c.objects)) {
            rows.push({
              component: component.id, operation: op.id, title: op.title, method: op.method, objectKind: need.object, object: object.path,
              ...(object.alsoBelow ? { alsoBelow: object.alsoBelow } : {}),
              principal: principal.name, isGroup: principal.isGroup, credential, privileges,
            });
          }
        }
      }
    }
  }
  return rows;
}
