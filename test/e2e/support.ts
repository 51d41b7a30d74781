// End-to-end support: a synthesized stack applied to the faithful simulator. The vSphere provider cannot be installed
// here (README "Not here: the vSphere Terraform provider"), so its part (vsphere_role, vsphere_folder and the
// owned folders' vsphere_entity_permissions) is replayed through our SOAP client exactly as the provider would make
// those calls, and the rest (the additive grants: terraform_data instances whose provisioners run the real CLI) is
// applied by the real terraform binary. The reduced configuration keeps only the terraform_data blocks: no provider
// block, no data source, no vsphere_* or kubernetes_* resource, and no depends_on on the (absent) roles; the replay
// creates and updates roles before terraform runs and deletes them after, which is the order depends_on gives.
import * as path from 'node:path';
import { ManagedObjectReference, VcenterClient, VcenterPermission } from '../../src/vcenter';
import { resolveObject } from '../../src/vcenter/grants';
import { buildCli } from '../support/cli';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim } from '../support/vcsim';

type Json = Record<string, any>;

/** The part of a synthesized stack that terraform can apply here: its terraform_data blocks, without depends_on. */
export function reducedConfig(tf: Json): Json {
  const blocks: Json = {};
  for (const [name, block] of Object.entries<Json>(tf.resource?.terraform_data ?? {})) {
    const { depends_on: _roles, ...rest } = block;
    blocks[name] = rest;
  }
  return { resource: { terraform_data: blocks } };
}

/**
 * The environment of the provisioners: the built CLI where the default command (`npx --no-install
 * cdktf-kkp-vsphere`) finds it, as a global install (`<npm prefix>/bin`; the workspace has no node_modules to walk up
 * to) and on PATH, an unreachable registry (nothing is ever downloaded), the vCenter in the provider's variables.
 */
export function deployEnv(sim: Vcsim): Record<string, string> {
  const { binDir } = buildCli();
  return {
    PATH: `${binDir}:${process.env.PATH}`,
    npm_config_prefix: path.dirname(binDir),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_update_notifier: 'false',
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
}

function datacenterName(tf: Json, expr: string): string {
  const m = /^\$\{data\.vsphere_datacenter\.([^.]+)\.id\}$/.exec(expr);
  if (!m) throw new Error(`unexpected datacenter_id ${expr}`);
  return tf.data.vsphere_datacenter[m[1]].name;
}

/** What the vSphere provider would do for one stack, replayed through the SOAP client; state kept between applies. */
export class ProviderReplay {
  private readonly roles = new Map<string, { id: number; name: string; privileges: string[] }>();
  private readonly folders = new Map<string, string>();

  constructor(private readonly vc: VcenterClient) {}

  /** Before terraform: create or update every vsphere_role, create every vsphere_folder, set owned permissions. */
  public async beforeApply(tf: Json): Promise<void> {
    for (const [address, role] of Object.entries<Json>(tf.resource.vsphere_role ?? {})) {
      const privileges = [...role.role_privileges].sort();
      const known = this.roles.get(address);
      if (!known) {
        const created = await this.vc.addRole(role.name, privileges);
        this.roles.set(address, { id: created.id, name: role.name, privileges });
      } else if (known.name !== role.name || known.privileges.join() !== privileges.join()) {
        // vsphere_role updates name and privileges in place: the role id, and every permission with it, stays.
        await this.vc.updateRole(known.id, role.name, privileges);
        this.roles.set(address, { id: known.id, name: role.name, privileges });
      }
    }
    const wanted = Object.entries<Json>(tf.resource.vsphere_folder ?? {}).map(([address, f]) => ({
      address,
      path: `/${datacenterName(tf, f.datacenter_id)}/${f.type}/${f.path}`,
    }));
    // Parents first, as depends_on orders them.
    for (const { address, path } of wanted.sort((a, b) => a.path.split('/').length - b.path.split('/').length)) {
      if (this.folders.has(address)) continue;
      const parentPath = path.slice(0, path.lastIndexOf('/'));
      const parent = await this.vc.findByInventoryPath(parentPath);
      if (!parent) throw new Error(`replay: parent ${parentPath} of ${path} does not exist`);
      await this.vc.createFolder(parent, path.slice(path.lastIndexOf('/') + 1));
      this.folders.set(address, path);
    }
    for (const resource of Object.values<Json>(tf.resource.vsphere_entity_permissions ?? {})) {
      const meta = resource['//'].kkp;
      const entity = (await resolveObject(this.vc, meta.entity))!;
      const permissions: VcenterPermission[] = resource.permissions.map((p: Json) => ({
        principal: p.user_or_group,
        group: p.is_group,
        roleId: this.roleId(p.role_id),
        propagate: p.propagate,
      }));
      // Owned folder: the provider owns every permission there; it sets the listed ones and removes the rest.
      // Authoritative shared object: replayed as the provider's create, which sets the listed ones (its next update
      // would remove the others; `verify` reports them as such).
      if (meta.management === 'owned') {
        const listed = new Set(permissions.map((p) => `${p.principal.toLowerCase()} ${p.group}`));
        for (const p of await this.vc.retrieveEntityPermissions(entity)) {
          if (!listed.has(`${p.principal.toLowerCase()} ${p.group}`)) await this.vc.removeEntityPermission(entity, p.principal, p.group);
        }
      }
      await this.vc.setEntityPermissions(entity, permissions);
    }
  }

  /** After terraform: delete the roles and folders the configuration no longer has (children first). */
  public async afterApply(tf: Json | undefined): Promise<void> {
    const folders = [...this.folders.entries()].filter(([address]) => !tf?.resource?.vsphere_folder?.[address]);
    for (const [address, path] of folders.sort((a, b) => b[1].split('/').length - a[1].split('/').length)) {
      const folder = await this.vc.findByInventoryPath(path);
      if (folder) await this.vc.destroyEntity(folder);
      this.folders.delete(address);
    }
    for (const [address, role] of [...this.roles.entries()]) {
      if (tf?.resource?.vsphere_role?.[address]) continue;
      await this.vc.removeRole(role.id, false);
      this.roles.delete(address);
    }
  }

  public roleIdByName(name: string): number | undefined {
    return [...this.roles.values()].find((r) => r.name === name)?.id;
  }

  private roleId(expr: string): number {
    const m = /^\$\{vsphere_role\.([^.]+)\.id\}$/.exec(expr);
    if (!m) return Number(expr);
    return this.roles.get(m[1])!.id;
  }
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

/** The additive grants a synthesized stack asks for, as the same lines, by object. */
export function additiveLines(tf: Json): Map<string, PermissionLine[]> {
  const out = new Map<string, PermissionLine[]>();
  for (const block of Object.values<Json>(tf.resource?.terraform_data ?? {})) {
    for (const g of Object.values<Json>(block.for_each ?? {})) {
      const lines = out.get(g.object) ?? [];
      lines.push(`${g.isGroup ? 'group' : 'user'} ${g.principal} ${g.role} ${g.propagate ? 'propagate' : 'no-propagate'}`);
      out.set(g.object, lines.sort());
    }
  }
  return out;
}

/** `Apply complete! Resources: 3 added, 0 changed, 1 destroyed.` as numbers. */
export function applySummary(stdout: string): { added: number; changed: number; destroyed: number } {
  const m = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(stdout) ?? /Resources: (\d+) destroyed/.exec(stdout);
  if (!m) throw new Error(`no summary in terraform output:\n${stdout}`);
  return m.length === 4 ? { added: +m[1], changed: +m[2], destroyed: +m[3] } : { added: 0, changed: 0, destroyed: +m[1] };
}

/** A deployed stack: its terraform workspace and its provider replay. */
export class Deployment {
  public readonly replay: ProviderReplay;
  public readonly ws: TerraformWorkspace;
  private current: Json | undefined;

  constructor(vc: VcenterClient, sim: Vcsim) {
    this.replay = new ProviderReplay(vc);
    this.ws = TerraformWorkspace.create({ resource: {} }, deployEnv(sim));
  }

  /**
   * `cdktf deploy` of a (new) synth: provider part, terraform plan (its actions are returned) and apply, provider
   * clean-up; then `terraform plan -detailed-exitcode` (0: nothing left to do).
   */
  public async deploy(tf: Json): Promise<{ actions: string[]; added: number; changed: number; destroyed: number; millis: number; plan: number }> {
    await this.replay.beforeApply(tf);
    this.ws.write(reducedConfig(tf));
    if (!this.current) this.ws.init();
    const actions = this.ws
      .planJson()
      .resource_changes.filter((c: Json) => c.change.actions.join() !== 'no-op')
      .map((c: Json) => `${c.change.actions.join('+')} ${c.index}`)
      .sort();
    const run = this.ws.apply();
    await this.replay.afterApply(tf);
    this.current = tf;
    return { actions, ...applySummary(run.stdout), millis: run.millis, plan: this.ws.planExitCode() };
  }

  /** `cdktf destroy`: terraform destroy (the revokes), then the provider's roles and folders. */
  public async destroy(): Promise<{ destroyed: number; millis: number }> {
    const run = this.ws.destroy();
    await this.replay.afterApply(undefined);
    return { destroyed: applySummary(run.stdout).destroyed, millis: run.millis };
  }
}
