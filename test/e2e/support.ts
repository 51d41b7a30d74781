// End-to-end support: a synthesized stack applied to the faithful simulator by the real terraform binary with the
// real vSphere provider (vmware/vsphere 2.15.0, installed through test/support/terraform.ts's resolution): roles,
// folders, the owned folders' vsphere_entity_permissions and the additive grants (one kkpvsphere_permissions per shared
// object, of this repository's provider, built from provider/) in one dependency graph, as `cdktf deploy` applies them,
// with whatever else the stack holds (its kubernetes_* resources go through the real kubernetes provider to the API
// server its kubeconfig names: test/e2e/example.test.ts). Plain terraform commands, as a user runs them: no -target.
// Nothing of the stack runs Node at plan or apply: every terraform run has `node`, `npx`, `npm` and the package's CLI
// first on PATH as traps that log their call and fail (DeployResult.nodeCalls).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { additiveGrantKey, additiveGrantsOf } from '../../src/contracts';
import { ManagedObjectReference, VcenterClient, resolveObject } from '../../src/tools/vcenter';
import { TerraformError, TerraformWorkspace, terraformCliConfig } from '../support/terraform';
import { Vcsim } from '../support/vcsim';

type Json = Record<string, any>;

/** The commands that would start Node, trapped: each logs `<name> <args>` to the trap's log and exits 1. */
const NODE_COMMANDS = ['node', 'nodejs', 'npx', 'npm', 'cdktf-kkp-vsphere'];

let trap: { bin: string; log: string } | undefined;

/** A directory of this test process with the trap commands (see {@link NODE_COMMANDS}), created on first use. */
function nodeTrap(): { bin: string; log: string } {
  if (trap) return trap;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-node-trap-${process.pid}-`));
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.log');
  fs.mkdirSync(bin);
  for (const name of NODE_COMMANDS) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\necho "${name} must not run during terraform plan or apply" >&2\nexit 1\n`, { mode: 0o755 });
  }
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  trap = { bin, log };
  return trap;
}

/** The trapped calls logged so far (`npx --no-install cdktf-kkp-vsphere ...`, ...). */
export function nodeCallsLogged(): string[] {
  const { log } = nodeTrap();
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/**
 * The environment of every terraform run: the vCenter in the providers' variables, the Node trap first on PATH
 * (nothing in a stack of this library runs a command: a provisioner or external program that did would be logged and
 * fail), an unreachable registry (nothing is ever downloaded).
 */
export function deployEnv(sim: Vcsim): Record<string, string> {
  return {
    PATH: `${nodeTrap().bin}:${process.env.PATH}`,
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_update_notifier: 'false',
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
}

/** One permission as a line, with the role by name: `group CORP\backup-team corp-backup propagate`. */
export type PermissionLine = string;

/** Every direct permission on each object, as sorted lines. */
export async function permissionsByObject(vc: VcenterClient, objects: readonly string[]): Promise<Map<string, PermissionLine[]>> {
  const roles = new Map((await vc.roleList()).map((r) => [r.id, r.system ? r.label : r.name]));
  const out = new Map<string, PermissionLine[]>();
  for (const path of objects) {
    const ref = (await resolveObject(vc, path)) as ManagedObjectReference;
    if (!ref) throw new Error(`no object at ${path}`);
    const lines = (await vc.retrieveEntityPermissions(ref)).map(
      (p) => `${p.group ? 'group' : 'user'} ${p.principal} ${roles.get(p.roleId) ?? `role ${p.roleId}`} ${p.propagate ? 'propagate' : 'no-propagate'}`,
    );
    out.set(path, lines.sort());
  }
  return out;
}

/**
 * The additive grants a synthesized stack asks for (the principals its kkpvsphere_permissions' metadata lists, one
 * resource per shared object), as the same lines, by object.
 */
export function additiveLines(tf: Json): Map<string, PermissionLine[]> {
  const out = new Map<string, PermissionLine[]>();
  for (const { grant: g } of additiveGrantsOf(tf)) {
    const lines = out.get(g.object) ?? [];
    lines.push(`${g.isGroup ? 'group' : 'user'} ${g.principal} ${g.role} ${g.propagate ? 'propagate' : 'no-propagate'}`);
    out.set(g.object, lines.sort());
  }
  return out;
}

/** `Apply complete! Resources: 3 added, 0 changed, 1 destroyed.` as numbers. */
export function applySummary(stdout: string): { added: number; changed: number; destroyed: number } {
  const m = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(stdout) ?? /Resources: (\d+) destroyed/.exec(stdout);
  if (!m) throw new Error(`no summary in terraform output:\n${stdout}`);
  return m.length === 4 ? { added: +m[1], changed: +m[2], destroyed: +m[3] } : { added: 0, changed: 0, destroyed: +m[1] };
}

/** `Apply complete! ...` of `terraform apply` on a saved plan, checked against what that plan said. */
export interface DeployResult {
  /**
   * The additive grants the plan changes, one line per principal of each kkpvsphere_permissions it changes (before and
   * after compared principal by principal): `<create|update|delete> <object> <user|group> <principal, lower-cased>`, e.g.
   * `create /DC0 user vsphere.local\\kkp-mc`; `create` for a principal the resource did not hold (a new one, or one
   * whose permission was removed on vCenter), `update` for a changed role or propagation.
   */
  readonly actions: string[];
  /** The kkpvsphere_permissions the plan changes, one line per resource instance: `<actions> <object>`, e.g. `update /DC0`. */
  readonly grantObjects: string[];
  /** Every other resource the plan changes: `<actions> <type>.<name without its hash>`, e.g. `create vsphere_folder.KkpRoot_Folder`. */
  readonly providerActions: string[];
  /** The plan's summary line, e.g. `Plan: 0 to add, 2 to change, 0 to destroy.` (or `No changes.`). */
  readonly summary: string;
  readonly added: number;
  readonly changed: number;
  readonly destroyed: number;
  /** Wall time of `terraform apply` of the saved plan. */
  readonly millis: number;
  /** Wall time of `terraform plan -out` (with `show -json`) before it, and of the re-plan after it. */
  readonly planMillis: number;
  readonly replanMillis: number;
  /** Exit code of the `terraform plan -detailed-exitcode` right after (0: nothing left to do). */
  readonly plan: number;
  /** Node-side commands (`node`, `npx`, `npm`, the package's CLI) that plan, apply and re-plan tried to start: none. */
  readonly nodeCalls: string[];
}

/**
 * The principals of one kkpvsphere_permissions value of a plan (`before` or `after`), by grant key (object, user or
 * group, principal lower-cased), each with what is set: role id and propagation (`?` for a role id known after apply).
 */
function principalsOf(value: Json | null | undefined, unknown: Json | boolean | undefined, address: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  const object = value.entity_path;
  const unknownPermissions = typeof unknown === 'object' ? unknown?.permissions : undefined;
  if (typeof object !== 'string' || unknownPermissions === true) {
    throw new Error(`${address}: the plan does not know its object or its principals: ${JSON.stringify(value)}`);
  }
  for (const [principal, p] of Object.entries<Json>(value.permissions ?? {})) {
    const roleUnknown = unknownPermissions?.[principal]?.role_id === true;
    out.set(additiveGrantKey(object, principal, p.is_group === true), `${roleUnknown ? '?' : p.role_id} ${p.propagate}`);
  }
  return out;
}

/** One kkpvsphere_permissions change of a plan as per-principal actions: what is created, changed and removed. */
function principalActions(c: Json): string[] {
  const before = principalsOf(c.change.before, undefined, c.address);
  const after = principalsOf(c.change.after, c.change.after_unknown, c.address);
  const out: string[] = [];
  for (const [key, set] of after) {
    if (!before.has(key)) out.push(`create ${key}`);
    else if (before.get(key) !== set) out.push(`update ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) out.push(`delete ${key}`);
  return out;
}

/** A resource address without the 8-hex-digit hash cdktf appends to a construct path. */
export const withoutHash = (address: string): string => address.replace(/_[0-9A-F]{8}(?=$|\[)/, '');

/** How long a `terraform destroy` may run before it counts as stalled (see Deployment.destroy). */
export const DESTROY_STALL_SECONDS = 90;

/** A deployed stack: its terraform workspace (local state) against the simulator. */
export class Deployment {
  public readonly ws: TerraformWorkspace;
  private initialized = false;
  private readonly env: Record<string, string>;
  /** The output of the last {@link plan}. */
  private lastPlanOutput = '';

  /**
   * `vc` is not used by the deployment (the providers log in themselves); callers use it to read back.
   * `env` adds variables (TF_VAR_...) to every terraform run.
   */
  constructor(_vc: VcenterClient | undefined, sim: Vcsim, env: Readonly<Record<string, string>> = {}, dir?: string) {
    this.env = { ...deployEnv(sim), ...env };
    this.ws = dir ? TerraformWorkspace.open(dir, this.env) : TerraformWorkspace.create({ resource: {} }, this.env);
  }

  /**
   * `cdktf deploy` of a (new) synth: `terraform plan -out`, its changes (returned), `terraform apply` of that saved
   * plan, then `terraform plan -detailed-exitcode` (0: nothing left to do). `tf` undefined: the configuration already
   * in the workspace directory (a stack synthesized in place).
   */
  public async deploy(tf?: Json): Promise<DeployResult> {
    if (tf) this.ws.write(tf);
    if (!this.initialized || !fs.existsSync(path.join(this.ws.dir, '.terraform'))) {
      this.ws.init();
      this.initialized = true;
    }
    const callsBefore = nodeCallsLogged().length;
    let started = Date.now();
    const plan = this.plan();
    const planMillis = Date.now() - started;
    const changes = plan.resource_changes.filter((c: Json) => !['no-op', 'read'].includes(c.change.actions.join()));
    const isGrant = (c: Json) => c.type === 'kkpvsphere_permissions';
    const actions = changes.filter(isGrant).flatMap(principalActions).sort();
    const grantObjects = changes
      .filter(isGrant)
      .map((c: Json) => `${c.change.actions.join('+')} ${(c.change.after ?? c.change.before).entity_path}`)
      .sort();
    const providerActions = changes.filter((c: Json) => !isGrant(c)).map((c: Json) => `${c.change.actions.join('+')} ${withoutHash(c.address)}`).sort();
    const summary = /^(Plan: .*|No changes\..*)$/m.exec(this.lastPlanOutput)?.[1] ?? '';
    const run = this.ws.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const applied = applySummary(run.stdout);
    // What the plan said, applied: the counts of the saved plan's changes (a replacement is one added and one destroyed).
    const count = (action: string) => changes.filter((c: Json) => c.change.actions.includes(action)).length;
    const planned = { added: count('create'), changed: count('update'), destroyed: count('delete') };
    if (JSON.stringify(planned) !== JSON.stringify(applied)) {
      throw new Error(`terraform applied ${JSON.stringify(applied)}, the plan said ${JSON.stringify(planned)}:\n${run.stdout}`);
    }
    started = Date.now();
    const replan = this.planExitCode();
    return {
      actions,
      grantObjects,
      providerActions,
      summary,
      ...applied,
      millis: run.millis,
      planMillis,
      replanMillis: Date.now() - started,
      plan: replan,
      nodeCalls: nodeCallsLogged().slice(callsBefore),
    };
  }

  /** Managed resources in the state, by resource address (instance keys kept); empty when there is no state. */
  public stateAddresses(): string[] {
    return this.ws.run(['state', 'list'], [0, 1]).stdout.split('\n').filter((l) => l && !l.startsWith('data.')).sort();
  }

  /** The saved plan (tfplan) of the current configuration, as `terraform show -json` prints it. */
  public plan(destroy = false): Json {
    this.lastPlanOutput = this.ws.run(['plan', '-input=false', '-no-color', '-out=tfplan', ...(destroy ? ['-destroy'] : [])]).stdout;
    return JSON.parse(this.ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
  }

  /** `terraform plan -detailed-exitcode`: 0 no changes, 2 changes. */
  public planExitCode(): number {
    return this.ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]).status;
  }

  /**
   * `cdktf destroy`: terraform destroy of everything in the state (revokes, templates, folders, roles).
   *
   * The vSphere provider on the simulator sometimes never finishes deleting folders when several are deleted at once
   * (vsphere_folder's delete waits for its task on a property collector that gets no update; the provider gives up
   * after 300 s with "context deadline exceeded"; the folder is gone, the state still holds it, and every later
   * refresh fails with "The object has already been deleted"). It is not hidden: a destroy that runs longer than
   * {@link DESTROY_STALL_SECONDS} is interrupted (SIGINT: terraform stops and keeps its state), reported with
   * console.warn and counted in `stalls`, then recovered exactly as docs/testing.md tells a user to: `terraform state rm`
   * of each address the next run names as already deleted, and `terraform destroy` again. A second stall fails.
   */
  public async destroy(): Promise<{ destroyed: number; millis: number; stalls: number; removedFromState: string[]; nodeCalls: string[] }> {
    const callsBefore = nodeCallsLogged().length;
    const nodeCalls = () => nodeCallsLogged().slice(callsBefore);
    let destroyed = 0;
    let millis = 0;
    let stalls = 0;
    const removedFromState: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const run = this.bounded(['destroy', '-auto-approve', '-input=false', '-no-color']);
      millis += run.millis;
      if (run.status === 0) return { destroyed: destroyed + applySummary(run.stdout).destroyed, millis, stalls, removedFromState, nodeCalls: nodeCalls() };
      destroyed += (run.stdout.match(/^(?!.*\(local-exec\)).*: Destruction complete after/gm) ?? []).length;
      // "Error: cannot locate folder: ... already been deleted ... with vsphere_folder.X," per folder.
      const gone = [...run.stderr.matchAll(/already been deleted[\s\S]*?\n\s*with ([^\s,]+),/g)].map((m) => m[1]);
      if (stalls > 0 && gone.length) {
        console.warn(`terraform destroy: already deleted in vCenter, still in the state: ${gone.join(', ')}; terraform state rm, then destroy again.`);
        this.ws.run(['state', 'rm', ...gone]);
        removedFromState.push(...gone);
        continue;
      }
      const stalled = run.stalled || /context deadline exceeded/.test(run.stderr);
      if (!stalled || stalls > 0) {
        throw new TerraformError(['destroy'], run.status, run.stdout, `${run.stalled ? `stalled (no end after ${DESTROY_STALL_SECONDS} s)\n` : ''}${run.stderr}`);
      }
      stalls++;
      console.warn(
        `terraform destroy STALLED after ${(run.millis / 1000).toFixed(0)} s (${run.stalled ? 'interrupted' : 'context deadline exceeded'}): ` +
          `the vSphere provider's folder delete on the simulator (docs/testing.md "A destroy that stops at vsphere_folder"). ` +
          `Recovering as docs/testing.md says: destroy again, terraform state rm what it names as already deleted, destroy again.\n${run.stderr.slice(-2000)}`,
      );
    }
    throw new Error('terraform destroy did not complete after recovering from a stall');
  }

  /** A terraform run that is interrupted (SIGINT: terraform stops gracefully) after DESTROY_STALL_SECONDS. */
  private bounded(args: readonly string[]): { status: number; stdout: string; stderr: string; millis: number; stalled: boolean } {
    const started = Date.now();
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith('TF_VAR_') && !name.startsWith('VSPHERE_') && !name.startsWith('TF_CLI_ARGS')) env[name] = value;
    }
    const r = spawnSync('terraform', [...args], {
      cwd: this.ws.dir,
      env: { ...env, TF_CLI_CONFIG_FILE: terraformCliConfig({ kkpvsphere: true }), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...this.env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: DESTROY_STALL_SECONDS * 1000,
      killSignal: 'SIGINT',
    });
    const stalled = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', millis: Date.now() - started, stalled };
  }
}
