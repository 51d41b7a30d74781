// A small cdktf stack with the kkpvsphere provider's generated bindings (src/framework/providers/kkpvsphere) beside the
// real vSphere provider, run by the real terraform (or OpenTofu) against the vCenter simulator: the provider is built
// from provider/ into a packed filesystem mirror that `init` installs and locks (test/support/terraform.ts).
//
// The stack: a custom role and a VM folder (vmware/vsphere); on the datacenter one kkpvsphere_permissions as the
// library writes it for a shared object (entity_type and the data source's id, role ids, every entry's is_group and
// propagate given): the custom role to a user (propagating) and Read-only (-2) to a group (not propagating); and, for
// hand-written HCL, one kkpvsphere_permission granting Read-only by role name to the group on the folder. Other
// teams' permissions (a user and a group on the datacenter, a user on the folder) must survive every step. vCenter
// logins are counted by the simulator (VCSIM_SESSIONS_FILE): the vSphere provider opens one SOAP and one REST session
// per plugin process (checked on a stack of its own first), the kkpvsphere provider SOAP sessions only, so the
// kkpvsphere provider's logins in a command are its SOAP sessions less the REST ones.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing, Token } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { Role } from '@cdktf/provider-vsphere/lib/role';
import { Folder } from '@cdktf/provider-vsphere/lib/folder';
import { DataVsphereDatacenter } from '@cdktf/provider-vsphere/lib/data-vsphere-datacenter';
import { KkpvsphereProvider } from '../../src/framework/providers/kkpvsphere/provider';
import { Permission } from '../../src/framework/providers/kkpvsphere/permission';
import { Permissions } from '../../src/framework/providers/kkpvsphere/permissions';
import { ManagedObjectReference, VcenterClient, VcenterPermission } from '../../src/tools/vcenter';
import { planReport } from '../../src/tools/report';
import { TerraformRun, TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { stateResources, vsphereEnv } from '../support/vsphere-provider';

export const USER = 'VSPHERE.LOCAL\\kkp-provider-user';
export const GROUP = 'VSPHERE.LOCAL\\kkp-provider-readers';
const FOREIGN_DC: VcenterPermission = { principal: 'VSPHERE.LOCAL\\other-team', group: false, roleId: -1, propagate: true };
const FOREIGN_DC_GROUP: VcenterPermission = { principal: 'VSPHERE.LOCAL\\other-admins', group: true, roleId: -2, propagate: false };
const FOREIGN_FOLDER: VcenterPermission = { principal: 'VSPHERE.LOCAL\\folder-team', group: false, roleId: -1, propagate: true };

/** The stack as a user writes it: no credential in the configuration, both providers read VSPHERE_*. */
export function kkpvsphereStack(name: string, withKkpvsphere = true): string {
  const stack = new TerraformStack(Testing.app(), name);
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const dc = new DataVsphereDatacenter(stack, 'dc', { name: 'DC0' });
  const role = new Role(stack, 'role', { name: `${name}-role`, rolePrivileges: ['Datastore.Browse', 'Datastore.FileManagement'] });
  const folder = new Folder(stack, 'folder', { path: `${name}-folder`, type: 'vm', datacenterId: dc.id });
  if (withKkpvsphere) {
    new KkpvsphereProvider(stack, 'kkpvsphere', {});
    // what the library writes for a shared object: one resource, every principal of the stack there a key of its map
    new Permissions(stack, 'grants_on_dc', {
      entityType: 'Datacenter',
      entityId: dc.id,
      permissions: {
        [USER]: { roleId: role.id, isGroup: false, propagate: true },
        [GROUP]: { roleId: '-2', isGroup: true, propagate: false },
      },
    });
    // one principal on one object, by role name (hand-written HCL)
    new Permission(stack, 'readonly_on_folder', {
      entityType: 'Folder',
      entityId: folder.id,
      principal: GROUP,
      isGroup: true,
      roleName: 'ReadOnly',
      propagate: false,
    });
  }
  return Testing.synth(stack);
}

/** The simulator with its session counter, and a client of the test's own (connected before any count starts). */
export interface Harness {
  readonly sim: Vcsim;
  readonly vc: VcenterClient;
  readonly sessionsFile: string;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkpvsphere-sessions-'));
  const sessionsFile = path.join(dir, 'sessions');
  // startVcsim passes its environment on to the simulator: the counter is the simulator's (test/vcsim/sessions.go).
  const before = process.env.VCSIM_SESSIONS_FILE;
  process.env.VCSIM_SESSIONS_FILE = sessionsFile;
  let sim: Vcsim;
  try {
    sim = await startVcsim({ tls: true });
  } finally {
    if (before === undefined) delete process.env.VCSIM_SESSIONS_FILE;
    else process.env.VCSIM_SESSIONS_FILE = before;
  }
  const vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  return {
    sim,
    vc,
    sessionsFile,
    stop: async () => {
      await vc.logout().catch(() => undefined);
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sessions the simulator created so far, by kind. */
function sessions(h: Harness): { soap: number; rest: number } {
  const lines = fs.existsSync(h.sessionsFile) ? fs.readFileSync(h.sessionsFile, 'utf8').split('\n') : [];
  return { soap: lines.filter((l) => l === 'soap').length, rest: lines.filter((l) => l === 'rest').length };
}

/** One command run with the sessions it created. */
export interface CountedRun extends TerraformRun {
  readonly soap: number;
  readonly rest: number;
}

export function counted(h: Harness, ws: TerraformWorkspace, args: readonly string[], allow: readonly number[] = [0]): CountedRun {
  const before = sessions(h);
  const run = ws.run(args, allow);
  const after = sessions(h);
  return { ...run, soap: after.soap - before.soap, rest: after.rest - before.rest };
}

async function ref(vc: VcenterClient, inventoryPath: string): Promise<ManagedObjectReference> {
  const found = await vc.findByInventoryPath(inventoryPath);
  if (!found) throw new Error(`${inventoryPath} is not in the simulator's inventory`);
  return found;
}

/** The direct permissions of an object as sorted lines `principal group role propagate`. */
async function permissionLines(vc: VcenterClient, entity: ManagedObjectReference): Promise<string[]> {
  return (await vc.retrieveEntityPermissions(entity)).map(line).sort();
}

function line(p: VcenterPermission): string {
  return `${p.principal} ${p.group ? 'group' : 'user'} ${p.roleId} ${p.propagate ? 'propagate' : 'no-propagate'}`;
}

/** What the run did, for the test's log and the report. */
export interface StackRunReport {
  readonly tool: string;
  readonly lockEntry: string;
  /** kkpvsphere logins (SOAP less REST) per command. */
  readonly logins: Record<string, number>;
  readonly transcripts: Record<string, string>;
}

/** A plan's actions, from "... will perform the following actions:" to its "Plan:" line. */
function actions(stdout: string): string {
  const lines = stdout.trimEnd().split('\n');
  const from = lines.findIndex((l) => /will perform the following actions:/.test(l));
  const to = lines.findIndex((l) => l.startsWith('Plan: '));
  return lines.slice(from < 0 ? 0 : from, to < 0 ? undefined : to + 1).join('\n');
}

/** One resource's change in a plan's JSON (`show -json`). */
function changeOf(plan: any, address: string): { actions: string[]; before: any; after: any } {
  const c = (plan.resource_changes ?? []).find((r: any) => r.address === address);
  if (!c) throw new Error(`the plan has no change for ${address}`);
  return c.change;
}

function byPrincipal<T extends { principal: string; object: string }>(rows: readonly T[]): T[] {
  const key = (r: T) => `${r.object}\n${r.principal}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The whole run: apply (saved plan), clean re-plan, drift shown and restored (one principal of the kkpvsphere_permissions
 * removed on vCenter, with the single kkpvsphere_permission; then the other principal's role and propagation changed),
 * state lost and both resources imported back with an empty plan and the state apply wrote, a targeted destroy of the
 * single permission, destroy; other teams' permissions checked after each step. `tofu` names an OpenTofu binary to
 * run instead of terraform.
 */
export async function runStack(h: Harness, name: string, tofu?: string): Promise<StackRunReport> {
  const { vc } = h;
  const tool = tofu ? 'tofu' : 'terraform';
  const dc = await ref(vc, '/DC0');
  await vc.setEntityPermissions(dc, [FOREIGN_DC, FOREIGN_DC_GROUP]);
  const foreignDc = [FOREIGN_DC, FOREIGN_DC_GROUP].map(line).sort();
  const logins: Record<string, number> = {};
  const transcripts: Record<string, string> = {};
  const kkpLogins = (label: string, run: CountedRun): CountedRun => {
    logins[label] = run.soap - run.rest;
    return run;
  };

  // The vSphere provider's own sessions, on a stack without kkpvsphere: one SOAP and one REST per plugin process,
  // which is what makes "SOAP less REST" the kkpvsphere provider's logins below.
  const control = TerraformWorkspace.create(kkpvsphereStack(`${name}-control`, false), vsphereEnv(h.sim), { tofu });
  try {
    control.init();
    const plan = counted(h, control, ['plan', '-input=false', '-no-color', '-out=tfplan']);
    const apply = counted(h, control, ['apply', '-input=false', '-no-color', 'tfplan']);
    const destroy = counted(h, control, ['destroy', '-auto-approve', '-input=false', '-no-color']);
    for (const [label, run] of Object.entries({ plan, apply, destroy })) {
      if (run.soap !== run.rest || run.soap === 0) {
        throw new Error(`${tool} ${label} of a vmware/vsphere-only stack created ${run.soap} SOAP and ${run.rest} REST sessions: the count below assumes one of each per plugin process`);
      }
    }
  } finally {
    control.remove();
  }

  const ws = TerraformWorkspace.create(kkpvsphereStack(name), vsphereEnv(h.sim), { tofu });
  try {
    const init = ws.init();
    expect(init.stdout).toMatch(/Installing cdktf-kkp-vsphere\/kkpvsphere v0\.1\.0/);
    const lock = fs.readFileSync(path.join(ws.dir, '.terraform.lock.hcl'), 'utf8');
    const lockEntry = /provider "registry\.(terraform|opentofu)\.(io|org)\/cdktf-kkp-vsphere\/kkpvsphere" \{[^}]*\}/.exec(lock)?.[0] ?? '';
    expect(lockEntry).toContain('version     = "0.1.0"');
    // cdktf writes the version the bindings were generated from (providerVersion), not their constraint
    expect(lockEntry).toContain('constraints = "0.1.0"');
    // a filesystem mirror gives terraform the package only, so it records the package's h1 hash (no registry zh:)
    expect(lockEntry).toMatch(/"h1:[A-Za-z0-9+/]{43}="/);

    // apply through a saved plan: one login per phase (each phase is one plugin process)
    kkpLogins('plan (create)', counted(h, ws, ['plan', '-input=false', '-no-color', '-out=tfplan']));
    kkpLogins('apply saved plan (create)', counted(h, ws, ['apply', '-input=false', '-no-color', 'tfplan']));
    const created = ws.state();
    const grantsState = stateResources(created, 'kkpvsphere_permissions');
    const singleState = stateResources(created, 'kkpvsphere_permission');
    expect([...grantsState.keys()]).toEqual([expect.stringMatching(/(^|\.)kkpvsphere_permissions\.grants_on_dc$/)]);
    expect([...singleState.keys()]).toEqual([expect.stringMatching(/(^|\.)kkpvsphere_permission\.readonly_on_folder$/)]);
    const [grantsAddress, grants] = [...grantsState.entries()][0];
    const [readonlyAddress, readonly] = [...singleState.entries()][0];
    // the object by type and id, its path filled in; each principal's entry with the role's vCenter name
    expect(grants).toEqual({
      id: `Datacenter:${dc.value}`,
      entity_type: 'Datacenter',
      entity_id: dc.value,
      entity_path: '/DC0',
      permissions: {
        [USER]: { role_id: expect.stringMatching(/^[1-9]\d*$/), role_name: `${name}-role`, is_group: false, propagate: true },
        [GROUP]: { role_id: '-2', role_name: 'ReadOnly', is_group: true, propagate: false },
      },
    });
    expect(readonly).toMatchObject({ entity_type: 'Folder', principal: GROUP, is_group: true, role_id: '-2', role_name: 'ReadOnly', propagate: false });
    const folder: ManagedObjectReference = { type: 'Folder', value: readonly.entity_id };
    const oursUser: VcenterPermission = { principal: USER, group: false, roleId: Number(grants.permissions[USER].role_id), propagate: true };
    const oursGroup: VcenterPermission = { principal: GROUP, group: true, roleId: -2, propagate: false };
    const oursRo: VcenterPermission = { principal: GROUP, group: true, roleId: -2, propagate: false };
    const ourDc = [...foreignDc, line(oursUser), line(oursGroup)].sort();
    expect(await permissionLines(vc, dc)).toEqual(ourDc);
    expect(await permissionLines(vc, folder)).toEqual([line(oursRo)]);
    // another team's permission on the folder, added after the apply: never touched from here on
    await vc.setEntityPermissions(folder, [FOREIGN_FOLDER]);
    const ourFolder = [line(FOREIGN_FOLDER), line(oursRo)].sort();

    const replan = kkpLogins('plan (clean)', counted(h, ws, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]));
    expect(replan.status).toBe(0);

    // drift 1: the user's permission on the datacenter removed on vCenter (the group's kept), and the folder's
    // single permission removed: the one principal added back in place, the single permission created again
    await vc.removeEntityPermission(dc, USER, false);
    await vc.removeEntityPermission(folder, GROUP, true);
    expect(await permissionLines(vc, dc)).toEqual([...foreignDc, line(oursGroup)].sort());
    expect(await permissionLines(vc, folder)).toEqual([line(FOREIGN_FOLDER)]);
    const removed = counted(h, ws, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-out=tfplan'], [0, 2]);
    kkpLogins('plan (removed on vCenter)', removed);
    expect(removed.status).toBe(2);
    expect(removed.stdout).toContain(`# ${grantsAddress} will be updated in-place`);
    expect(removed.stdout).toContain(`# ${readonlyAddress} will be created`);
    expect(removed.stdout).toContain('Plan: 1 to add, 1 to change, 0 to destroy.');
    transcripts['removed on vCenter'] = actions(removed.stdout);
    const removedPlan = JSON.parse(ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
    // the refreshed state lacks the user only; the update lists both principals, the group's entry unchanged
    const addBack = changeOf(removedPlan, grantsAddress);
    expect(addBack.actions).toEqual(['update']);
    expect(Object.keys(addBack.before.permissions)).toEqual([GROUP]);
    expect(Object.keys(addBack.after.permissions).sort()).toEqual([GROUP, USER].sort());
    expect(addBack.after.permissions[GROUP]).toEqual(addBack.before.permissions[GROUP]);
    expect(addBack.after.permissions[USER]).toEqual(grants.permissions[USER]);
    expect(changeOf(removedPlan, readonlyAddress).actions).toEqual(['create']);
    // the plan review reads the permissions from the plan's own values (no synth output needed): what comes back,
    // and nothing said about the group's permission that stays
    const reviewedRemoved = planReport([{ stack: name, plan: removedPlan }]);
    expect(byPrincipal(reviewedRemoved.stacks[0].permissions)).toEqual([
      expect.objectContaining({ object: '/DC0', principal: USER, isGroup: false, change: 'added', role: `${name}-role`, propagate: true, management: 'additive', address: grantsAddress }),
      expect.objectContaining({ object: `/DC0/vm/${name}-folder`, principal: GROUP, isGroup: true, change: 'added', role: 'ReadOnly', propagate: false, management: 'additive', address: readonlyAddress }),
    ]);
    kkpLogins('apply saved plan (restore)', counted(h, ws, ['apply', '-input=false', '-no-color', 'tfplan']));
    expect(await permissionLines(vc, dc)).toEqual(ourDc);
    expect(await permissionLines(vc, folder)).toEqual(ourFolder);

    // drift 2: the group's Read-only on the datacenter changed on vCenter (Admin, propagating): an in-place update of
    // that principal's entry, the user's untouched
    await vc.setEntityPermissions(dc, [{ ...oursGroup, roleId: -1, propagate: true }]);
    const changed = counted(h, ws, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-out=tfplan'], [0, 2]);
    kkpLogins('plan (changed on vCenter)', changed);
    expect(changed.status).toBe(2);
    expect(changed.stdout).toContain(`# ${grantsAddress} will be updated in-place`);
    expect(changed.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    transcripts['changed on vCenter'] = actions(changed.stdout);
    const changedPlan = JSON.parse(ws.run(['show', '-json', '-no-color', 'tfplan']).stdout);
    const restore = changeOf(changedPlan, grantsAddress);
    expect(restore.actions).toEqual(['update']);
    expect(restore.before.permissions).toEqual({
      [USER]: grants.permissions[USER],
      [GROUP]: { role_id: '-1', role_name: 'Admin', is_group: true, propagate: true },
    });
    expect(restore.after.permissions).toEqual(grants.permissions);
    expect(changedPlan.resource_changes.filter((c: any) => !c.change.actions.includes('no-op')).map((c: any) => c.address)).toEqual([grantsAddress]);
    const reviewedChanged = planReport([{ stack: name, plan: changedPlan }]);
    expect(reviewedChanged.stacks[0].permissions).toEqual([
      expect.objectContaining({
        object: '/DC0',
        principal: GROUP,
        isGroup: true,
        change: 'changed',
        role: 'Read-only',
        beforeRole: 'Administrator',
        propagate: false,
        beforePropagate: true,
        management: 'additive',
      }),
    ]);
    kkpLogins('apply saved plan (restore change)', counted(h, ws, ['apply', '-input=false', '-no-color', 'tfplan']));
    expect(await permissionLines(vc, dc)).toEqual(ourDc);
    expect(await permissionLines(vc, folder)).toEqual(ourFolder);

    // state lost: the datacenter's resource imported by object and both principals (the group after group:), the
    // folder's single permission by object and group (the predefined Read-only role); then an empty plan, and the
    // state as apply wrote it
    const beforeLoss = ws.state();
    ws.run(['state', 'rm', grantsAddress, readonlyAddress]);
    expect(stateResources(ws.state(), 'kkpvsphere_permissions').size + stateResources(ws.state(), 'kkpvsphere_permission').size).toBe(0);
    const grantsId = `Datacenter:${dc.value}:${USER}:group:${GROUP}`;
    const readonlyId = `Folder:${folder.value}:group:${GROUP}`;
    const importedGrants = kkpLogins('import (kkpvsphere_permissions)', counted(h, ws, ['import', '-input=false', '-no-color', grantsAddress, grantsId]));
    expect(importedGrants.stdout).toContain('Import successful!');
    const importedSingle = kkpLogins('import (kkpvsphere_permission)', counted(h, ws, ['import', '-input=false', '-no-color', readonlyAddress, readonlyId]));
    expect(importedSingle.stdout).toContain('Import successful!');
    const afterImport = kkpLogins('plan (after import)', counted(h, ws, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]));
    expect(afterImport.status).toBe(0);
    expect(afterImport.stdout).toContain('No changes.');
    transcripts['import, then plan'] = [
      `${tool} import ${grantsAddress} '${grantsId}'`,
      importedGrants.stdout.split('\n').find((l) => l.includes('Import successful!')),
      `${tool} import ${readonlyAddress} '${readonlyId}'`,
      importedSingle.stdout.split('\n').find((l) => l.includes('Import successful!')),
      `${tool} plan -detailed-exitcode: exit ${afterImport.status}`,
      afterImport.stdout.split('\n').find((l) => l.startsWith('No changes.')),
    ].join('\n');
    const imported = ws.state();
    expect(stateResources(imported, 'kkpvsphere_permissions')).toEqual(stateResources(beforeLoss, 'kkpvsphere_permissions'));
    expect(stateResources(imported, 'kkpvsphere_permission')).toEqual(stateResources(beforeLoss, 'kkpvsphere_permission'));
    expect(await permissionLines(vc, dc)).toEqual(ourDc);
    expect(await permissionLines(vc, folder)).toEqual(ourFolder);

    // destroy of the single permission: the folder keeps the other team's, the datacenter is untouched
    const targeted = counted(h, ws, ['destroy', '-auto-approve', '-input=false', '-no-color', `-target=${readonlyAddress}`]);
    logins['destroy -target (plan and apply phases)'] = targeted.soap - targeted.rest;
    expect(await permissionLines(vc, folder)).toEqual([line(FOREIGN_FOLDER)]);
    expect(await permissionLines(vc, dc)).toEqual(ourDc);

    // one-command apply (plan and apply phases in two plugin processes) of the restore, then destroy
    const reapply = counted(h, ws, ['apply', '-auto-approve', '-input=false', '-no-color']);
    logins['apply -auto-approve (plan and apply phases)'] = reapply.soap - reapply.rest;
    expect(await permissionLines(vc, folder)).toEqual(ourFolder);
    expect(await permissionLines(vc, dc)).toEqual(ourDc);
    // the datacenter keeps the other team's user and group; the folder must be empty of permissions of ours only
    // (vsphere_folder deletes it with the other team's on it)
    const destroyed = counted(h, ws, ['destroy', '-auto-approve', '-input=false', '-no-color']);
    expect(destroyed.stdout).toContain(`${grantsAddress}: Destruction complete`);
    logins['destroy (plan and apply phases)'] = destroyed.soap - destroyed.rest;
    expect(await permissionLines(vc, dc)).toEqual(foreignDc);
    expect(await vc.findByInventoryPath(`/DC0/vm/${name}-folder`)).toBeUndefined();
    return { tool, lockEntry, logins, transcripts };
  } finally {
    ws.remove();
  }
}

/** The figures the log shows. */
export function describeRun(r: StackRunReport): string {
  return [
    `${r.tool}: kkpvsphere logins per command (simulator's SOAP sessions less the vSphere provider's): ${JSON.stringify(r.logins)}`,
    `${r.tool}: lock file entry:\n${r.lockEntry}`,
    ...Object.entries(r.transcripts).map(([k, v]) => `${r.tool}: ${k}:\n${v}`),
  ].join('\n');
}

export type { TerraformRun };
