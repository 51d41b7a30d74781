// "Does KKP work with it?" at synth: every KKP user cluster's login principals against the stack's grants, with the
// operations of src/facts/kkp-operations. Constructs declare what they know (principals they set up, node hosts, each
// cluster's objects and credentials); one stack-wide check evaluates it once, linear in the clusters.
import { IConstruct } from 'constructs';
import { Annotations, TerraformProvider, TerraformStack } from '../framework/core';
import { stackOf } from '../framework/refs';
import {
  ClusterCase,
  GrantedPermission,
  KkpGap,
  PermissionIndex,
  checkKkpWorks,
  groupGaps,
  kkpGapFix,
  kkpWorksMetadata,
  KkpWorksMetadata,
  KKP_COMPONENTS,
} from '../facts/kkp-operations';
import type { KkpPrincipalKind } from '../facts/privileges';
import type { KkpRelease } from '../facts/kkp/releases';
import type { IVsphereEntity } from './inventory';
import { IVsphereRole, Principal, VspherePermissions } from './permissions';
import { registerStackCheck } from './synth-checks';
import { setStackState, stackSlot, stackState } from './stack-state';

/** What a cluster tells the check: built lazily at synth, when every grant is made. */
export interface KkpClusterFacts {
  readonly case: (stack: StackObjects) => ClusterCase;
  /** The cluster writes its credentials Secret through the stack's default kubernetes provider. */
  readonly defaultSeedProvider: boolean;
  /** machine-controller's principal of the cluster (for the fix of a credential). */
  readonly machineControllerPrincipal: Principal;
  readonly release: KkpRelease;
  /** Whether the cluster's credentials name an infra-management user. */
  readonly hasInfraUser: boolean;
  /** The cluster's construct path. */
  readonly where: string;
}

/** What the check finds once per stack and hands every cluster. */
export interface StackObjects {
  /** The template VMs the stack creates (VmTemplate), with their operating-system keys; empty when none. */
  readonly templates: readonly { readonly path: string; readonly osKey: string }[];
}

interface StackState {
  readonly clusters: KkpClusterFacts[];
  /** Principal key → the KKP role set the stack grants it. */
  readonly setUp: Map<string, Set<KkpPrincipalKind>>;
  readonly hosts: IVsphereEntity[];
}

const STATE = stackSlot<StackState | undefined>('kkp-works', () => undefined);

function stateOf(scope: IConstruct): StackState {
  let state = stackState(scope, STATE);
  if (!state) {
    const stack = stackOf(scope);
    const s: StackState = { clusters: [], setUp: new Map(), hosts: [] };
    setStackState(scope, STATE, s);
    registerStackCheck(scope, 'kkp-works', () => runCheck(stack, s));
    state = s;
  }
  return state;
}

/** A construct grants `principal` KKP's role set for `kind` (SeedPermissions, UserClusterPermissions, own storage). */
export function declareKkpPrincipal(scope: IConstruct, principal: Principal, kind: KkpPrincipalKind): void {
  const state = stateOf(scope);
  const kinds = state.setUp.get(principal.key) ?? new Set<KkpPrincipalKind>();
  kinds.add(kind);
  state.setUp.set(principal.key, kinds);
}

/** Whether the stack sets up `principal`, and as what. */
export function kkpPrincipalKinds(scope: IConstruct, name: string): ReadonlySet<KkpPrincipalKind> | undefined {
  return stateOf(scope).setUp.get(name.toLowerCase());
}

/** The ESXi hosts that run node VMs, as SeedPermissions lists them. */
export function declareNodeHosts(scope: IConstruct, hosts: readonly IVsphereEntity[]): void {
  const state = stateOf(scope);
  for (const h of hosts) if (!state.hosts.includes(h)) state.hosts.push(h);
}

/** The node hosts declared so far in the stack. */
export function stackNodeHosts(scope: IConstruct): readonly IVsphereEntity[] {
  return stateOf(scope).hosts;
}

/**
 * The cluster's `//.kkp.works` review metadata: its objects, logins and conditions, from which preflight computes what
 * to ask vCenter with the same model (compact: no row per operation in cdk.tf.json). Read at render time.
 */
export function clusterWorksMetadata(scope: IConstruct, facts: KkpClusterFacts): KkpWorksMetadata {
  const state = stateOf(scope);
  const c = facts.case(stackObjectsOf(stackOf(scope)));
  return kkpWorksMetadata(c, facts.machineControllerPrincipal.name, (name) => [...(state.setUp.get(name.toLowerCase()) ?? [])]);
}

const STACK_OBJECTS = stackSlot<StackObjects | undefined>('kkp-works-objects', () => undefined);
function stackObjectsOf(stack: TerraformStack): StackObjects {
  let objects = stackState(stack, STACK_OBJECTS);
  if (!objects) {
    const templates = stack.node.findAll()
      .filter((c): c is IConstruct & { templateName: string; osKey: string; inventoryPath: string } =>
        typeof (c as any).templateName === 'string' && typeof (c as any).osKey === 'string' && typeof (c as any).inventoryPath === 'string' && (c as any).resource?.terraformResourceType === 'kkpvsphere_vm_template')
      .map((t) => ({ path: t.inventoryPath, osKey: t.osKey }));
    objects = { templates };
    setStackState(stack, STACK_OBJECTS, objects);
  }
  return objects;
}

/** Registers a user cluster for the check. */
export function registerKkpClusterCheck(scope: IConstruct, facts: KkpClusterFacts): void {
  stateOf(scope).clusters.push(facts);
}

/** The privileges of a role as the evaluator reads them. */
function rolePrivileges(role: IVsphereRole): GrantedPermission['privileges'] {
  if (role.roleId === '-1') return 'all';
  if (role.roleId === '-5') return 'none';
  return role.privileges ?? 'unknown';
}

/** The stack's permissions, one per (object, principal): vSphere holds one, and the library merges roles into it. */
export function stackPermissions(scope: IConstruct): GrantedPermission[] {
  const registry = VspherePermissions.existing(scope);
  const merged = new Map<string, { path: string; principal: Principal; roles: IVsphereRole[]; propagate: boolean }>();
  for (const g of registry?.grants ?? []) {
    const key = `${g.entity.inventoryPath}\u0000${g.principal.isGroup ? 'g' : 'u'}${g.principal.key}`;
    const entry = merged.get(key);
    if (entry) entry.roles.push(g.role);
    else merged.set(key, { path: g.entity.inventoryPath, principal: g.principal, roles: [g.role], propagate: g.propagate });
  }
  return [...merged.values()].map((m) => {
    const parts = m.roles.map(rolePrivileges);
    const privileges: GrantedPermission['privileges'] = parts.includes('all') ? 'all' : parts.includes('unknown') ? 'unknown'
      : parts.every((p) => p === 'none') ? 'none' : [...new Set(parts.flatMap((p) => (Array.isArray(p) ? p : [])))].sort();
    return { path: m.path, principal: m.principal.name, isGroup: m.principal.isGroup, role: m.roles.map((r) => r.roleName).join(' + '), privileges, propagate: m.propagate };
  });
}

function runCheck(stack: TerraformStack, state: StackState): string[] {
  if (state.clusters.length === 0) return [];
  const index = new PermissionIndex(stackPermissions(stack));
  const byWhere = new Map<string, KkpClusterFacts>();
  const elements = stack.node.findAll();
  const { templates } = stackObjectsOf(stack);
  const problems: string[] = [];
  const defaultProvider = state.clusters.filter((c) => c.defaultSeedProvider);
  if (defaultProvider.length && !elements.some((e) => e instanceof TerraformProvider && e.terraformResourceType === 'kubernetes' && !e.alias)) {
    Annotations.of(stack).addWarning(
      `KKP check: ${defaultProvider.length} KkpUserCluster${defaultProvider.length > 1 ? 's' : ''} (e.g. ${defaultProvider[0].where}) write their credentials ` +
        'Secret through the default kubernetes provider, which this stack does not configure: Terraform would use an empty ' +
        'provider configuration, not the seed cluster. Pass seedKubernetesProvider (the seed cluster\'s KubernetesProvider).',
    );
  }
  const cases = state.clusters.map((c) => {
    const built = c.case({ templates });
    byWhere.set(built.where, c);
    return built;
  });
  const result = checkKkpWorks(index, cases);
  for (const w of result.warnings) Annotations.of(stack).addWarning(`KKP check: ${w}`);
  for (const u of result.unused) {
    Annotations.of(stack).addInfo(`KKP check (information): role ${u.role} grants ${u.privileges.join(', ')}, which no modelled KKP operation uses.`);
  }
  problems.push(...groupGaps(result.gaps).map(({ gap, clusters }) => gapMessage(gap, clusters, byWhere.get(gap.where)!, state)));
  return problems;
}

function gapMessage(gap: KkpGap, clusters: readonly string[], cluster: KkpClusterFacts, state: StackState): string {
  const component = KKP_COMPONENTS.find((c) => c.id === gap.component)!;
  const others = clusters.length > 1 ? ` (and ${clusters.length - 1} more cluster${clusters.length > 2 ? 's' : ''}: ${clusters.slice(1, 4).join(', ')}${clusters.length > 4 ? ', ...' : ''})` : '';
  const object = gap.objectKind === 'nodeVm' ? `the node VMs in ${gap.object.slice(0, gap.object.lastIndexOf('/'))}` : `${gap.objectKind} ${gap.object}`;
  return (
    `[${gap.where}]${others} KKP ${cluster.release}: ${component.title} logs in as ${gap.principal} (the credentials' ${gap.credential}` +
    `${gap.login === 'either' ? `; KKP ${cluster.release} changed that login in a patch release, so both users are checked` : ''}) and ${gap.operation.title} ` +
    `(${gap.operation.method}, operation ${gap.operation.id}) needs ${gap.missing.join(', ')} on ${object}, which it lacks. Fix: ` +
    kkpGapFix(gap, component.rolesFor, {
      release: cluster.release,
      machineControllerPrincipal: cluster.machineControllerPrincipal.name,
      hasInfraUser: cluster.hasInfraUser,
      kinds: state.setUp.get(gap.principal.toLowerCase()) ?? new Set(),
    })
  );
}

