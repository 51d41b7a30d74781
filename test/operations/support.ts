// KKP's vSphere operations run as the stack's principals (test/kkpops), and what the model in src/facts/kkp-operations
// predicts for them: for the stack's permissions, and for the same permissions with one taken away.
import { spawnSync } from 'node:child_process';
import {
  GrantedPermission,
  KKP_OPERATIONS,
  KkpObject,
  KkpWorksMetadata,
  ObjectRef,
  PermissionIndex,
  kkpRequirementsOf,
  needTargets,
} from '../../src/facts';
import { readSynthOutput } from '../../src/tools/report';
import { buildGoProgram } from '../support/go-program';
import type { Vcsim } from '../support/vcsim';

type Json = Record<string, any>;

/** One operation as kkpops answers it. */
export interface OpResult {
  readonly scenario: string;
  readonly cluster: string;
  readonly id: string;
  readonly principal: string;
  readonly ok: boolean;
  readonly fault?: string;
  readonly object?: string;
  readonly privilege?: string;
  readonly missing?: readonly { readonly object: string; readonly privileges: readonly string[] }[];
  readonly message?: string;
}

/** One principal's operations for one cluster, with the objects it uses (what kkpops gets as a run). */
export interface OpsRun {
  readonly principal: string;
  /** Prefix of the run's credential variables (<env>_USER, <env>_PASSWORD). */
  readonly env: string;
  readonly cluster: string;
  readonly objects: Partial<Record<KkpObject, string[]>>;
  readonly ops: string[];
  /** The objects as the model sees them (a node VM below its folder and its resource pool). */
  readonly refs: Partial<Record<KkpObject, ObjectRef[]>>;
}

/** A permission to take away for one scenario. */
export interface PermissionRef {
  readonly object: string;
  readonly principal: string;
  readonly group: boolean;
}

export interface Scenario {
  readonly id: string;
  readonly remove?: PermissionRef;
  readonly runs: readonly OpsRun[];
}

/** Kinds of which an operation uses every object (a NIC per network, every node host); of the others, the first. */
const ALL_OF: readonly KkpObject[] = ['network', 'distributedSwitch', 'host', 'vcenter'];

/**
 * The runs of one cluster: per login principal (the cluster's credentials, as the model maps components to them for
 * its KKP release), the operations of its components in the model's order, with the objects they use.
 * `envOf` names the credential variables of a principal.
 */
export function clusterRuns(meta: KkpWorksMetadata, envOf: (principal: string) => string): OpsRun[] {
  const requirements = kkpRequirementsOf(meta);
  const refs: Partial<Record<KkpObject, ObjectRef[]>> = {};
  const objects: Partial<Record<KkpObject, string[]>> = {};
  for (const [kind, list] of Object.entries(meta.objects) as [KkpObject, readonly ObjectRef[]][]) {
    const used = ALL_OF.includes(kind) ? [...list] : list.slice(0, 1);
    refs[kind] = used;
    objects[kind] = used.map((r) => r.path);
  }
  const order = KKP_OPERATIONS.map((o) => o.id);
  const byPrincipal = new Map<string, Set<string>>();
  for (const r of requirements) {
    const set = byPrincipal.get(r.principal) ?? new Set<string>();
    set.add(r.operation);
    byPrincipal.set(r.principal, set);
  }
  return [...byPrincipal].map(([principal, ops]) => ({
    principal,
    env: envOf(principal),
    cluster: meta.clusterId,
    objects,
    refs,
    ops: order.filter((id) => ops.has(id)),
  }));
}

/** What the model predicts for one operation of a run: the (object, privileges) it lacks; empty when it may run. */
export function predictedGaps(index: PermissionIndex, run: OpsRun, opId: string): { object: string; privileges: string[] }[] {
  const op = KKP_OPERATIONS.find((o) => o.id === opId)!;
  const gaps: { object: string; privileges: string[] }[] = [];
  for (const need of op.needs) {
    for (const { ref, privileges } of needTargets(need, run.refs)) {
      const held = index.effective(run.principal, false, ref).privileges;
      if (held === 'all') continue;
      if (held === 'unknown') throw new Error(`unknown role on ${ref.path}`);
      const lacking = privileges.filter((p) => !held.has(p));
      // An object the principal holds no permission on is hidden from it (vCenter: no System.Read, not listed, not
      // found by path): a call that names it by path fails as not found instead of with NoPermission.
      if (lacking.length && !held.has('System.Read') && !lacking.includes('System.Read')) lacking.unshift('System.Read');
      if (lacking.length) gaps.push({ object: ref.path, privileges: lacking });
    }
  }
  return gaps;
}

/** The stack's permissions (one per object and principal, roles merged), from its synth output. */
export function stackPermissions(outDir: string): GrantedPermission[] {
  const [stack] = readSynthOutput(outDir).stacks;
  const privilegesOf = (role: string): GrantedPermission['privileges'] => {
    const r = stack.roles.find((x) => x.name === role);
    if (role === 'Read-only' || r?.roleId === '-2') return [];
    if (role === 'Administrator' || r?.roleId === '-1') return 'all';
    if (role === 'No access' || r?.roleId === '-5') return 'none';
    return r?.privileges ? [...r.privileges] : 'unknown';
  };
  const merged = new Map<string, GrantedPermission>();
  for (const g of stack.grants) {
    const key = `${g.object}\u0000${g.isGroup}\u0000${g.principal.toLowerCase()}`;
    const before = merged.get(key);
    const privileges = privilegesOf(g.role);
    if (!before) {
      merged.set(key, { path: g.object, principal: g.principal, isGroup: g.isGroup, role: g.role, privileges, propagate: g.propagate });
      continue;
    }
    const union = before.privileges === 'all' || privileges === 'all' ? 'all'
      : Array.isArray(before.privileges) && Array.isArray(privileges) ? [...new Set([...before.privileges, ...privileges])].sort() : 'unknown';
    merged.set(key, { ...before, role: `${before.role} + ${g.role}`, privileges: union });
  }
  return [...merged.values()];
}

/** Every KKP user cluster's `//.kkp.works` metadata in a synthesized stack. */
export function worksOf(tf: Json): KkpWorksMetadata[] {
  return Object.values<Json>(tf.resource?.vsphere_folder ?? {})
    .map((f) => f['//']?.kkp?.works as KkpWorksMetadata | undefined)
    .filter((w): w is KkpWorksMetadata => w !== undefined)
    .sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1));
}

/** The input kkpops reads. */
export interface KkpopsInput {
  readonly datacenter: string;
  readonly templates?: readonly { path: string; datastore: string; resourcePool: string }[];
  readonly scenarios: readonly Scenario[];
}

/** Runs kkpops once for all scenarios; `credentials` maps each run's env prefix to its user and password. */
export function runKkpops(
  sim: Vcsim,
  input: KkpopsInput,
  credentials: ReadonlyMap<string, { user: string; password: string }>,
): { results: OpResult[]; millis: number } {
  const binary = buildGoProgram('kkpops');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', KKPOPS_ADMIN_USER: sim.user, KKPOPS_ADMIN_PASSWORD: sim.password };
  for (const [prefix, c] of credentials) {
    env[`${prefix}_USER`] = c.user;
    env[`${prefix}_PASSWORD`] = c.password;
  }
  const body = {
    url: sim.url,
    insecure: true,
    datacenter: input.datacenter,
    templates: input.templates ?? [],
    scenarios: input.scenarios.map((s) => ({ id: s.id, ...(s.remove ? { remove: s.remove } : {}), runs: s.runs.map(({ refs: _refs, ...r }) => r) })),
  };
  const started = Date.now();
  const run = spawnSync(binary, [], { input: JSON.stringify(body), env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 900_000 });
  const millis = Date.now() - started;
  if (run.status !== 0) throw new Error(`kkpops exited ${run.status ?? run.signal}:\n${run.stderr}`);
  for (const [, c] of credentials) {
    if (run.stdout.includes(c.password) || run.stderr.includes(c.password)) throw new Error('kkpops printed a password');
  }
  return { results: run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as OpResult), millis };
}

/** A user and password per login principal: the variables the stack's credentials name. */
export function principalPasswords(tf: Json, variables: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  const value = (v: string) => {
    const m = /^\$\{var\.(\w+)\}$/.exec(v);
    if (!m) return v;
    if (!(m[1] in variables)) throw new Error(`no value for var.${m[1]}`);
    return variables[m[1]];
  };
  for (const s of Object.values<Json>(tf.resource?.kubernetes_secret ?? {})) {
    const d = s.data ?? {};
    if (d.username) out.set(d.username.toLowerCase(), value(d.password));
    if (d.infraManagementUserUsername) out.set(d.infraManagementUserUsername.toLowerCase(), value(d.infraManagementUserPassword));
  }
  return out;
}

/** `DOMAIN\name` as a login name the simulator accepts (`name@domain`). */
export const loginName = (principal: string): string => {
  const [domain, name] = principal.split('\\');
  return name === undefined ? principal : `${name}@${domain.toLowerCase()}`;
};

const VISIBILITY = ['System.Read', 'System.View'];

/** The model's path of an object and the one vCenter named: `<folder>/<node VM>` stands for any VM in that folder. */
const sameObject = (model: string, named: string | undefined): boolean =>
  named !== undefined && (model === named || (model.endsWith('/<node VM>') && named.startsWith(model.slice(0, -'<node VM>'.length)) && !named.slice(model.length - '<node VM>'.length).includes('/')));

/** One line per operation outcome that differs from the prediction; empty when the simulator did as the model says. */
export function mismatches(index: PermissionIndex, runs: readonly OpsRun[], results: readonly OpResult[], scenario: string): string[] {
  const out: string[] = [];
  for (const run of runs) {
    for (const id of run.ops) {
      const r = results.find((x) => x.scenario === scenario && x.cluster === run.cluster && x.principal === run.principal && x.id === id);
      if (!r) {
        out.push(`${scenario}: ${run.cluster} ${id} as ${run.principal}: no result`);
        continue;
      }
      const gaps = predictedGaps(index, run, id);
      if (!gaps.length && !r.ok) out.push(`${scenario}: ${run.cluster} ${id} as ${run.principal}: predicted to pass, failed: ${r.fault} ${r.object ?? ''} ${r.privilege ?? ''} ${r.message ?? ''}`);
      if (gaps.length && r.ok) out.push(`${scenario}: ${run.cluster} ${id} as ${run.principal}: predicted to fail (${JSON.stringify(gaps)}), passed`);
      if (gaps.length && !r.ok) {
        // vCenter refuses a privilege with NoPermission naming it; an object the user cannot read it does not show at
        // all (a finder answers not found), so a missing System.Read / System.View shows as NotFound.
        // The vSphere Automation (REST) API has no NoPermission fault: vCenter answers 403 with an `unauthorized`
        // error, which govmomi's REST client reports by its status only.
        const rest = KKP_OPERATIONS.find((o) => o.id === id)!.method.includes('(REST)');
        const named = r.fault === 'NoPermission'
          ? gaps.some((g) => sameObject(g.object, r.object) && g.privileges.includes(r.privilege!))
          : r.fault === 'Unauthorized (REST)'
            ? rest && gaps.some((g) => g.privileges.some((p) => !VISIBILITY.includes(p)))
            : (r.fault ?? '').startsWith('NotFound') && gaps.some((g) => g.privileges.some((p) => VISIBILITY.includes(p)) && (!r.object || sameObject(g.object, r.object)));
        if (!named) out.push(`${scenario}: ${run.cluster} ${id} as ${run.principal}: predicted NoPermission ${JSON.stringify(gaps)}, got ${r.fault} ${r.object ?? ''} ${r.privilege ?? ''} ${r.message ?? ''}`);
      }
    }
  }
  return out;
}

