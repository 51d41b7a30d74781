// Layer 5: `verify` compares what the synthesized stacks say with what a live vCenter holds: roles and their
// privileges, every grant (owned, authoritative and additive), folders and templates. Pure Node: no cdktf.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { additiveGrantsOf, isStackRole } from '../contracts/additive-grants';
import { GrantFact, readSynthOutput } from './report';
import { VcenterClient, VcenterEntityPermission, VcenterRole } from './vcenter';
import { resolveObject } from './vcenter/grants';

/** What kind of difference a finding is. */
export type VerifyFindingKind =
  | 'role-missing'
  | 'role-privileges'
  | 'privilege-unknown'
  | 'object-missing'
  | 'grant-missing'
  | 'grant-role'
  | 'grant-propagate'
  | 'grant-foreign'
  | 'would-remove'
  | 'folder-missing'
  | 'template-missing';

/** One difference between a stack and the vCenter. */
export interface VerifyFinding {
  readonly stack: string;
  readonly kind: VerifyFindingKind;
  /** Inventory path of the object, for grants, folders and templates. */
  readonly object?: string;
  readonly principal?: string;
  readonly role?: string;
  /** One sentence: what the stack says, what vCenter has. */
  readonly message: string;
}

/** The result of one verify run. */
export interface VerifyResult {
  readonly format: 'cdktf-kkp-vsphere/verify@1';
  /** The vCenter, e.g. `https://vcenter.example.com`, and what it says it is. */
  readonly server: string;
  readonly serverName: string;
  readonly stacks: readonly { readonly name: string; readonly roles: number; readonly grants: number; readonly folders: number; readonly templates: number }[];
  readonly findings: readonly VerifyFinding[];
}

type Json = Record<string, any>;

/** The raw cdk.tf.json of every stack, after readSynthOutput has checked the directory. */
function rawStacks(dir: string): Map<string, Json> {
  const root = resolve(dir);
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { stacks: Record<string, { name?: string; synthesizedStackPath: string }> };
  const out = new Map<string, Json>();
  for (const [key, entry] of Object.entries(manifest.stacks)) {
    const file = resolve(root, entry.synthesizedStackPath);
    if (existsSync(file)) out.set(typeof entry.name === 'string' ? entry.name : key, JSON.parse(readFileSync(file, 'utf8')));
  }
  return out;
}

const who = (principal: string, group: boolean) => `${group ? 'group' : 'user'} ${principal}`;
const propagation = (p: boolean) => (p ? 'propagated' : 'not propagated');
const customPrivileges = (privileges: readonly string[]) => privileges.filter((p) => !p.startsWith('System.'));

function roleLabel(roles: readonly VcenterRole[], id: number): string {
  const role = roles.find((r) => r.id === id);
  return role ? (role.system ? role.label : role.name) : `role id ${id}`;
}

function sameRole(roles: readonly VcenterRole[], id: number, expected: string): boolean {
  const role = roles.find((r) => r.id === id);
  return role !== undefined && (role.name === expected || (role.system && role.label === expected));
}

/** Verifies every stack of a synth output directory against a logged-in vCenter. */
export async function verifySynthOutput(vc: VcenterClient, dir: string): Promise<VerifyResult> {
  const report = readSynthOutput(dir);
  const raw = rawStacks(dir);
  const roles = await vc.roleList();
  // The server's catalog: its privilegeList, or (when it lists none, as the govmomi simulator) the Admin role's.
  const listed = (await vc.privilegeList()).map((p) => p.id);
  const catalog = new Set(listed.length ? listed : roles.find((r) => r.id === -1)?.privileges ?? []);
  const serverName = vc.about.fullName || vc.about.version || 'unknown version';
  const findings: VerifyFinding[] = [];
  const stacks: VerifyResult['stacks'][number][] = [];
  const objects = new Map<string, Promise<Awaited<ReturnType<typeof resolveObject>>>>();
  const objectOf = (path: string) => {
    if (!objects.has(path)) objects.set(path, resolveObject(vc, path));
    return objects.get(path)!;
  };
  const permissions = new Map<string, Promise<VcenterEntityPermission[]>>();
  const permissionsOn = async (path: string) => {
    if (!permissions.has(path)) {
      permissions.set(
        path,
        objectOf(path).then(async (ref) => (ref ? (await vc.retrieveEntityPermissions(ref)).filter((p) => p.entity.value === ref.value) : [])),
      );
    }
    return permissions.get(path)!;
  };

  for (const stack of report.stacks) {
    const add = (f: Omit<VerifyFinding, 'stack'>) => findings.push({ stack: stack.name, ...f });
    const custom = stack.roles.filter((r) => r.origin === 'custom');
    const stackRoles = new Set(custom.map((r) => r.name));

    // Roles: present, exactly the privileges (System.* aside), every ID known to this server.
    for (const role of custom) {
      const expected = [...(role.privileges ?? [])].sort();
      const version = role.vsphereVersion ? `vSphere ${role.vsphereVersion}` : 'its vSphere version';
      const unknown = expected.filter((p) => !catalog.has(p));
      if (unknown.length) {
        add({
          kind: 'privilege-unknown',
          role: role.name,
          message: `role "${role.name}" lists ${unknown.join(', ')}, which this vCenter (${serverName}) does not know; the stack was built for ${version}: set vsphereVersion to the vCenter's version.`,
        });
      }
      const actual = roles.find((r) => r.name === role.name);
      if (!actual) {
        add({ kind: 'role-missing', role: role.name, message: `role "${role.name}" does not exist on vCenter.` });
        continue;
      }
      const have = new Set(customPrivileges(actual.privileges));
      const missing = expected.filter((p) => !have.has(p));
      const extra = [...have].filter((p) => !expected.includes(p)).sort();
      if (missing.length || extra.length) {
        add({
          kind: 'role-privileges',
          role: role.name,
          message:
            `role "${role.name}" differs on vCenter:` +
            (missing.length ? ` missing ${missing.join(', ')}` : '') +
            (missing.length && extra.length ? ';' : '') +
            (extra.length ? ` not in the stack ${extra.join(', ')}` : '') +
            '.',
        });
      }
    }

    // One check for a granted permission, whatever manages it.
    const checkGrant = async (object: string, principal: string, group: boolean, role: string, propagate: boolean, how: string) => {
      if (!(await objectOf(object))) {
        add({ kind: 'object-missing', object, principal, role, message: `${object} does not exist on vCenter, so ${who(principal, group)} cannot hold "${role}" there (${how}).` });
        return;
      }
      const held = (await permissionsOn(object)).find((p) => p.principal.toLowerCase() === principal.toLowerCase() && p.group === group);
      const expected = `"${role}" (${propagation(propagate)})`;
      if (!held) {
        add({ kind: 'grant-missing', object, principal, role, message: `${who(principal, group)} should hold ${expected} on ${object} (${how}), but holds nothing there.` });
      } else if (!sameRole(roles, held.roleId, role)) {
        const heldName = roleLabel(roles, held.roleId);
        const foreign = !isStackRole(heldName, stackRoles);
        add({
          kind: foreign ? 'grant-foreign' : 'grant-role',
          object,
          principal,
          role,
          message: foreign
            ? `${who(principal, group)} should hold ${expected} on ${object} (${how}), but holds "${heldName}" (${propagation(held.propagate)}) there, a permission this stack did not make.`
            : `${who(principal, group)} should hold ${expected} on ${object} (${how}), but holds "${heldName}" (${propagation(held.propagate)}).`,
        });
      } else if (held.propagate !== propagate) {
        add({ kind: 'grant-propagate', object, principal, role, message: `${who(principal, group)} holds "${role}" on ${object} (${how}) ${propagation(held.propagate)}, but the stack says ${propagation(propagate)}.` });
      }
    };

    // Folders first: a missing folder explains its missing permissions.
    const missingFolders = new Set<string>();
    for (const folder of stack.folders) {
      const ref = await objectOf(folder.path);
      if (!ref || ref.type !== 'Folder') {
        missingFolders.add(folder.path);
        add({ kind: 'folder-missing', object: folder.path, message: `folder ${folder.path} does not exist on vCenter.` });
      }
    }
    for (const template of stack.templates) {
      const path = `${template.folder ?? ''}/${template.name}`;
      if (!(await objectOf(path))) add({ kind: 'template-missing', object: path, message: `template VM ${path} does not exist on vCenter.` });
    }

    // Objects with one vsphere_entity_permissions (owned, authoritative): each listed permission, and nothing else.
    const byObject = new Map<string, GrantFact[]>();
    for (const g of stack.grants.filter((x) => x.address.startsWith('vsphere_entity_permissions.') && x.management !== 'unknown')) {
      byObject.set(g.object, [...(byObject.get(g.object) ?? []), g]);
    }
    let grants = 0;
    for (const [object, rows] of byObject) {
      if (missingFolders.has(object)) continue;
      const how = rows[0].management;
      for (const g of rows) {
        grants++;
        await checkGrant(object, g.principal, g.isGroup, g.role, g.propagate, g.kept ? `${how}, kept` : how);
      }
      const listed = new Set(rows.map((g) => `${g.principal.toLowerCase()} ${g.isGroup}`));
      for (const p of await permissionsOn(object)) {
        if (listed.has(`${p.principal.toLowerCase()} ${p.group}`)) continue;
        add({
          kind: 'would-remove',
          object,
          principal: p.principal,
          role: roleLabel(roles, p.roleId),
          message:
            `${who(p.principal, p.group)} holds "${roleLabel(roles, p.roleId)}" (${propagation(p.propagate)}) on ${object}, which the stack ` +
            `neither grants nor keeps: the next apply removes it (${how}: vsphere_entity_permissions owns every permission there).`,
        });
      }
    }

    // Additive grants: each principal's own permission, nothing else is the stack's business.
    const additive = additiveGrantsOf(raw.get(stack.name));
    for (const { grant } of additive) {
      grants++;
      await checkGrant(grant.object, grant.principal, grant.isGroup, grant.role, grant.propagate, 'additive');
    }
    stacks.push({ name: stack.name, roles: custom.length, grants, folders: stack.folders.length, templates: stack.templates.length });
  }
  return { format: 'cdktf-kkp-vsphere/verify@1', server: vc.server, serverName, stacks, findings };
}

/** The result as text for people: a line per stack, a line per difference. */
export function renderVerifyText(result: VerifyResult): string {
  const lines = [`verify against ${result.server} (${result.serverName})`];
  for (const s of result.stacks) {
    const mine = result.findings.filter((f) => f.stack === s.name);
    lines.push(
      `stack ${s.name}: ${s.roles} roles, ${s.grants} grants, ${s.folders} folders, ${s.templates} templates checked: ` +
        (mine.length ? `${mine.length} difference${mine.length === 1 ? '' : 's'}` : 'no difference'),
    );
    for (const f of mine) lines.push(`  ${f.kind}: ${f.message}`);
  }
  const n = result.findings.length;
  lines.push(n ? `${n} difference${n === 1 ? '' : 's'}: vCenter does not match the synthesized stacks.` : 'vCenter matches the synthesized stacks.');
  return `${lines.join('\n')}\n`;
}
