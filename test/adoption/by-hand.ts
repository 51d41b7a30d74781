// A KKP set-up made by hand on the simulator, as a platform team follows KKP's vSphere page: the roles (one missing a
// privilege, one with an extra), the KKP folder with a templates folder and a template, the grants, and other teams'
// permissions on the same objects. Everything goes through vCenter's SOAP API (src/tools/vcenter's transport), the calls
// the vSphere Client makes; nothing here uses the library's constructs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { kkpRoles } from '../../src/facts/privileges';
import { VcenterClient, VcenterEntityPermission, ManagedObjectReference, SoapTransport, asArray, asMoRef, asObject, text, xmlElement, xmlMoRef } from '../../src/tools/vcenter';
import { Vcsim } from '../support/vcsim';

export const KKP_RELEASE = '2.31';
export const VSPHERE_VERSION = '8.0';
export const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
export const MACHINE_CONTROLLER = 'VSPHERE.LOCAL\\kkp-machine-controller';
/** The privilege the hand-made folder role lacks, and the one the datastore role holds beyond the page. */
export const DROPPED = { role: 'k8c-user-folder-propagate', privilege: 'VirtualMachine.Config.AddNewDisk' };
export const ADDED = { role: 'k8c-user-datastore-propagate', privilege: 'Datastore.Delete' };
export const TEMPLATE = 'kkp-ubuntu-22.04';

/** Other teams' permissions on the objects KKP is granted on: adoption must leave them exactly as they are. */
export const OTHER_TEAMS: readonly { object: string; principal: string; group: boolean; role: string; propagate: boolean }[] = [
  { object: '/', principal: 'VSPHERE.LOCAL\\monitoring', group: true, role: 'Read-only', propagate: true },
  { object: '/DC0', principal: 'VSPHERE.LOCAL\\backup-team', group: true, role: 'backup-operator', propagate: true },
  { object: '/DC0/datastore/LocalDS_0', principal: 'VSPHERE.LOCAL\\storage-admins', group: true, role: 'Administrator', propagate: true },
  { object: '/DC0/network/VM Network', principal: 'VSPHERE.LOCAL\\netops', group: false, role: 'Read-only', propagate: false },
  { object: '/DC0/vm/kkp', principal: 'VSPHERE.LOCAL\\vm-auditor', group: false, role: 'Read-only', propagate: true },
];

/** KKP's grants of the 2.31 page, as the team made them. */
export const KKP_GRANTS: readonly { object: string; principal: string; role: string; propagate: boolean }[] = [
  { object: '/', principal: STORAGE, role: 'k8c-ccm-storage-cns', propagate: false },
  { object: '/DC0', principal: STORAGE, role: 'Read-only', propagate: false },
  { object: '/DC0/host/DC0_C0/DC0_C0_H0', principal: STORAGE, role: 'Read-only', propagate: false },
  { object: '/DC0/datastore/LocalDS_0', principal: STORAGE, role: 'k8c-ccm-storage-datastore-propagate', propagate: true },
  { object: '/DC0/vm/kkp', principal: STORAGE, role: 'k8c-ccm-storage-vmfolder-propagate', propagate: true },
  { object: '/', principal: MACHINE_CONTROLLER, role: 'k8c-user-vcenter', propagate: false },
  { object: '/DC0', principal: MACHINE_CONTROLLER, role: 'k8c-user-datacenter', propagate: false },
  { object: '/DC0/host/DC0_C0', principal: MACHINE_CONTROLLER, role: 'k8c-user-cluster-propagate', propagate: true },
  { object: '/DC0/network/VM Network', principal: MACHINE_CONTROLLER, role: 'k8c-network-attach', propagate: false },
  { object: '/DC0/datastore/LocalDS_0', principal: MACHINE_CONTROLLER, role: 'k8c-user-datastore-propagate', propagate: true },
  { object: '/DC0/vm/kkp', principal: MACHINE_CONTROLLER, role: 'k8c-user-folder-propagate', propagate: true },
];

/** The roles as made by hand: the page's privileges, except DROPPED and ADDED. */
export function handMadeRoles(): { name: string; privileges: string[] }[] {
  return kkpRoles(VSPHERE_VERSION, KKP_RELEASE).map((r) => {
    let privileges = r.privileges.map((p) => p.id);
    if (r.name === DROPPED.role) privileges = privileges.filter((p) => p !== DROPPED.privilege);
    if (r.name === ADDED.role) privileges = [...privileges, ADDED.privilege].sort();
    return { name: r.name, privileges };
  });
}

/** A raw session for what the client has no method for (folders, templates): what the vSphere Client does. */
export class RawSession {
  public static async login(sim: Vcsim): Promise<RawSession> {
    const transport = new SoapTransport({ url: sim.url, insecure: true, timeoutMs: 30_000 });
    const content = asObject(await transport.call('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' }));
    const ref = (k: string) => asMoRef(content?.[k])!;
    await transport.call('Login', ref('sessionManager'), xmlElement('userName', sim.user) + xmlElement('password', sim.password));
    return new RawSession(transport, ref('propertyCollector'));
  }

  private constructor(
    private readonly transport: SoapTransport,
    private readonly propertyCollector: ManagedObjectReference,
  ) {}

  public async createFolder(parent: ManagedObjectReference, name: string): Promise<ManagedObjectReference> {
    return asMoRef(await this.transport.call('CreateFolder', parent, xmlElement('name', name)))!;
  }

  /** Moves a VM into a folder, powers it off, renames it and marks it as template (a hand-imported OVA). */
  public async makeTemplate(vm: ManagedObjectReference, folder: ManagedObjectReference, name: string): Promise<void> {
    await this.task(await this.transport.call('MoveIntoFolder_Task', folder, xmlMoRef('list', vm)));
    await this.task(await this.transport.call('PowerOffVM_Task', vm));
    await this.task(await this.transport.call('Rename_Task', vm, xmlElement('newName', name)));
    await this.transport.call('MarkAsTemplate', vm);
  }

  public close(): void {
    this.transport.close();
  }

  private async task(result: unknown): Promise<void> {
    const task = asMoRef(result as any)!;
    for (let i = 0; i < 300; i++) {
      const answer = asObject(
        await this.transport.call(
          'RetrievePropertiesEx',
          this.propertyCollector,
          `<specSet><propSet><type>Task</type><pathSet>info.state</pathSet></propSet><objectSet>${xmlMoRef('obj', { type: 'Task', value: task.value })}</objectSet></specSet><options/>`,
        ),
      );
      const state = text(asObject(asArray(asObject(asArray(answer?.objects)[0])?.propSet)[0])?.val);
      if (state === 'success') return;
      if (state === 'error') throw new Error(`task ${task.value} failed`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`task ${task.value} did not finish`);
  }
}

/** Role name → id after the set-up, and the objects by path. */
export interface HandMadeSetup {
  readonly roleIds: ReadonlyMap<string, number>;
  readonly folders: ReadonlyMap<string, ManagedObjectReference>;
  readonly templateId: string;
}

/** Makes the whole set-up by hand on the simulator. */
export async function makeByHand(vc: VcenterClient, raw: RawSession): Promise<HandMadeSetup> {
  const roleIds = new Map<string, number>();
  for (const r of handMadeRoles()) roleIds.set(r.name, (await vc.addRole(r.name, r.privileges)).id);
  // Another team's custom role, with no KKP name: discover must not take it for KKP's.
  roleIds.set('backup-operator', (await vc.addRole('backup-operator', ['Datastore.Browse', 'VirtualMachine.State.CreateSnapshot'])).id);

  const vmRoot = (await vc.findByInventoryPath('/DC0/vm'))!;
  const kkp = await raw.createFolder(vmRoot, 'kkp');
  const templates = await raw.createFolder(kkp, 'templates');
  await raw.createFolder(vmRoot, 'other-team'); // not KKP's: discover must not list it
  const vm = (await vc.findByInventoryPath('/DC0/vm/DC0_H0_VM0'))!;
  await raw.makeTemplate(vm, templates, TEMPLATE);

  const roles = await vc.roleList();
  const roleId = (name: string) => roles.find((r) => r.name === name || (r.system && r.label === name))!.id;
  for (const g of [...KKP_GRANTS.map((g) => ({ ...g, group: false })), ...OTHER_TEAMS]) {
    const entity = g.object === '/' ? vc.rootFolder : (await vc.findByInventoryPath(g.object))!;
    await vc.setEntityPermissions(entity, [{ principal: g.principal, group: g.group, roleId: roleId(g.role), propagate: g.propagate }]);
  }
  return {
    roleIds,
    folders: new Map([
      ['/DC0/vm/kkp', kkp],
      ['/DC0/vm/kkp/templates', templates],
    ]),
    templateId: vm.value,
  };
}

/** Every permission in the vCenter, as comparable rows. */
export async function allPermissions(vc: VcenterClient): Promise<string[]> {
  const rows = (await vc.retrieveAllPermissions()).map((p: VcenterEntityPermission) =>
    `${p.entity.type}:${p.entity.value} ${p.group ? 'group' : 'user'} ${p.principal} role=${p.roleId} propagate=${p.propagate}`,
  );
  return rows.sort();
}

/** The built CLI. */
export const CLI = path.resolve(__dirname, '../../lib/cli/main.js');

/** Runs the built `discover` with the vCenter in the provider's environment variables, as a user does. */
export function discover(sim: Vcsim, args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  Object.assign(env, { VSPHERE_SERVER: sim.url, VSPHERE_USER: sim.user, VSPHERE_PASSWORD: sim.password });
  // A simulator started with TLS serves a self-signed certificate, which a user allows as for the provider.
  if (sim.url.startsWith('https:')) env.VSPHERE_ALLOW_UNVERIFIED_SSL = 'true';
  return spawnSync(process.execPath, [CLI, 'discover', ...args], { cwd, env, encoding: 'utf8' });
}
