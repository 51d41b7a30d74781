// One principal's permission on one object, set and removed without touching anything else on it: the semantics of
// Ansible's vmware_object_role_permission and `govc permissions.set/remove`, plus the ownership rules a stack needs.
//
// How a stack recognises its own permissions. With one of the stack's own roles, the role says it: a permission with
// that role (or a merged role of them) is the stack's. A predefined role (Read-only, id -2) says nothing: anyone may
// hold it. So `grant --stack` marks each permission with a predefined role that it sets: a custom attribute
// (vCenter "Custom Attributes", CustomFieldsManager) on the object, one per principal, named
// `cdktf-kkp-vsphere.grant <user|group> <principal in lower case>`, whose value names the stack (a hash of its role
// names, KKP_VSPHERE_STACK_ROLES), the role id and the propagation. The mark is written before the permission. A
// principal's identical permission on the object is then the stack's when the mark says this stack, this role, this
// propagation; without that mark (someone else's permission, or one made before marks existed) it is refused as
// before, and `adopt` takes it over. Revoke removes the mark with the permission. Writing a mark needs the privileges
// Global.ManageCustomFields (once per principal, to define the attribute) and Global.SetCustomField on the object;
// without them the grant still works, says so, and is not recoverable that way.
import { createHash } from 'crypto';
import { isStackRole } from '../../contracts/additive-grants';
import { VcenterClient, VcenterEntityPermission, VcenterRole } from './client';
import { ManagedObjectReference, VcenterFaultError, asArray, asMoRef, asObject, text, xmlElement, xmlMoRef } from './soap';

/** One permission to grant or revoke. */
export interface PermissionRequest {
  /** Inventory path of the object; `/` is the vCenter root folder. */
  readonly object: string;
  /** `DOMAIN\name`. */
  readonly principal: string;
  readonly isGroup: boolean;
  /** Role name, or a predefined role's label (`Read-only`, `Administrator`). */
  readonly role: string;
  readonly propagate: boolean;
  /** Grant only: take over whatever permission the principal holds there. */
  readonly adopt?: boolean;
}

/**
 * Who counts as the owner of an existing permission. Without `stackRoles` (a person at the command line) an
 * identical permission is simply there already. With `stackRoles` (a stack's provisioner) an existing permission is
 * the stack's only when its role is one of the stack's roles, so a permission someone else made is never taken over,
 * not even an identical one (destroying the grant would remove it).
 */
export interface GrantPolicy {
  readonly stackRoles?: ReadonlySet<string>;
}

/** What `grant` did. */
export interface GrantOutcome {
  readonly action: 'granted' | 'unchanged' | 'replaced';
  readonly object: ManagedObjectReference;
  /** The permission the principal held before, if any. */
  readonly before?: VcenterEntityPermission;
  readonly message: string;
}

// ---- the marks of permissions with a predefined role ---------------------------------------------------------------

/** The stack's name in a mark: a hash of its role names (the same set in every run of the stack). */
export function stackMarkId(stackRoles: ReadonlySet<string>): string {
  return createHash('sha256').update(JSON.stringify([...stackRoles].sort())).digest('hex').slice(0, 16);
}

/** The custom attribute that carries one principal's mark (vCenter matches principals case-insensitively). */
export function grantMarkField(principal: string, isGroup: boolean): string {
  return `cdktf-kkp-vsphere.grant ${isGroup ? 'group' : 'user'} ${principal.toLowerCase()}`;
}

interface GrantMark {
  readonly stack: string;
  readonly roleId: number;
  readonly propagate: boolean;
}

function markValue(mark: GrantMark): string {
  return JSON.stringify({ stack: mark.stack, roleId: mark.roleId, propagate: mark.propagate });
}

function parseMark(value: string | undefined): GrantMark | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<GrantMark>;
    if (typeof v.stack === 'string' && typeof v.roleId === 'number' && typeof v.propagate === 'boolean') return v as GrantMark;
  } catch {
    // not a mark of ours
  }
  return undefined;
}

async function customFieldsManager(vc: VcenterClient): Promise<ManagedObjectReference | undefined> {
  const content = asObject(await vc.invoke('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' }));
  return asMoRef(content?.customFieldsManager);
}

/** The key of the custom attribute `name`, defining it (for every object type) when `create`. */
async function fieldKey(vc: VcenterClient, name: string, create: boolean): Promise<number | undefined> {
  const manager = await customFieldsManager(vc);
  if (!manager) return undefined;
  const find = async () => {
    const defs = asArray(asObject((await vc.properties(manager, ['field'])).field)?.CustomFieldDef).map(asObject);
    const def = defs.find((d) => text(d?.name) === name);
    return def ? Number(text(def.key)) : undefined;
  };
  const existing = await find();
  if (existing !== undefined || !create) return existing;
  try {
    return Number(text(asObject(await vc.invoke('AddCustomFieldDef', manager, xmlElement('name', name)))?.key));
  } catch (err) {
    // Another grant of the same principal (a parallel provisioner) defined it first.
    if (err instanceof VcenterFaultError && err.fault === 'DuplicateName') return find();
    throw err;
  }
}

async function readMark(vc: VcenterClient, object: ManagedObjectReference, key: number): Promise<GrantMark | undefined> {
  const values = asArray(asObject((await vc.properties(object, ['customValue'])).customValue)?.CustomFieldValue).map(asObject);
  return parseMark(text(values.find((v) => Number(text(v?.key)) === key)?.value));
}

async function setMark(vc: VcenterClient, object: ManagedObjectReference, key: number, value: string): Promise<void> {
  const manager = (await customFieldsManager(vc))!;
  await vc.invoke('SetField', manager, xmlMoRef('entity', object) + xmlElement('key', key) + xmlElement('value', value));
}

/** Whether the principal's mark on the object says: this stack, this role, this propagation. */
async function markedByStack(vc: VcenterClient, object: ManagedObjectReference, request: PermissionRequest, mark: GrantMark): Promise<boolean> {
  const key = await fieldKey(vc, grantMarkField(request.principal, request.isGroup), false);
  if (key === undefined) return false;
  const found = await readMark(vc, object, key);
  return found !== undefined && found.stack === mark.stack && found.roleId === mark.roleId && found.propagate === mark.propagate;
}

/** Writes the mark; a vCenter that refuses it (privileges) leaves the grant working but unmarked, and says so. */
async function writeMark(vc: VcenterClient, object: ManagedObjectReference, request: PermissionRequest, mark: GrantMark): Promise<string | undefined> {
  try {
    const key = (await fieldKey(vc, grantMarkField(request.principal, request.isGroup), true))!;
    await setMark(vc, object, key, markValue(mark));
    return undefined;
  } catch (err) {
    if (!(err instanceof VcenterFaultError)) throw err;
    return (
      `note: the permission is not marked as this stack's (vCenter answered ${err.fault} to the custom attribute ` +
      `"${grantMarkField(request.principal, request.isGroup)}"): if terraform loses this grant, granting again will refuse it. ` +
      'Give the deploying user Global.ManageCustomFields and Global.SetCustomField to make it recoverable.'
    );
  }
}

/** Removes the principal's mark from the object, if there is one. */
async function clearMark(vc: VcenterClient, object: ManagedObjectReference, request: PermissionRequest): Promise<void> {
  const key = await fieldKey(vc, grantMarkField(request.principal, request.isGroup), false).catch(() => undefined);
  if (key === undefined) return;
  if ((await readMark(vc, object, key).catch(() => undefined)) === undefined) return;
  await setMark(vc, object, key, '').catch(() => undefined);
}

/** What `revoke` did. */
export interface RevokeOutcome {
  readonly action: 'revoked' | 'absent' | 'left';
  readonly message: string;
}

/** A refusal the user can act on: the message says what is there and what to do. Nothing was changed. */
export class PermissionRefusedError extends Error {
  public override readonly name = 'PermissionRefusedError';
}

/** The object at an inventory path (`/` is the root folder), or undefined. */
export async function resolveObject(vc: VcenterClient, path: string): Promise<ManagedObjectReference | undefined> {
  if (path === '/') return vc.rootFolder;
  if (!path.startsWith('/')) return undefined;
  return vc.findByInventoryPath(path);
}

/** A role by name, or a predefined role by its label (`Read-only` is `ReadOnly`, id -2). */
export function findRole(roles: readonly VcenterRole[], name: string): VcenterRole | undefined {
  return roles.find((r) => r.name === name) ?? roles.find((r) => r.system && r.label === name);
}

const who = (r: { principal: string; isGroup: boolean }) => `${r.isGroup ? 'group' : 'user'} ${r.principal}`;
const propagation = (p: boolean) => (p ? 'propagated' : 'not propagated');

function roleName(roles: readonly VcenterRole[], id: number): string {
  const role = roles.find((r) => r.id === id);
  return role ? (role.system ? role.label : role.name) : `role id ${id}`;
}

/** The principal's own permission on the object (not inherited), matched as vCenter does: case-insensitively. */
export async function permissionOf(
  vc: VcenterClient,
  object: ManagedObjectReference,
  principal: string,
  group: boolean,
): Promise<VcenterEntityPermission | undefined> {
  const key = principal.toLowerCase();
  return (await vc.retrieveEntityPermissions(object, false)).find(
    (p) => p.principal.toLowerCase() === key && p.group === group && p.entity.value === object.value,
  );
}

function unknownObject(vc: VcenterClient, path: string): PermissionRefusedError {
  return new PermissionRefusedError(
    `no object at inventory path "${path}" on ${vc.server}: give the full path, e.g. /dc-1, /dc-1/host/cluster-1, ` +
      `/dc-1/datastore/ds-1, /dc-1/network/kkp-workers ("/" is the vCenter root).`,
  );
}

function unknownRole(vc: VcenterClient, name: string): PermissionRefusedError {
  return new PermissionRefusedError(
    `no role named "${name}" on ${vc.server}: a stack creates its roles before its grants; check the name ` +
      `(predefined roles by their label, e.g. "Read-only").`,
  );
}

/**
 * Sets exactly one permission: `principal` holds `role` on the object, nothing else on the object changes
 * (vCenter's SetEntityPermissions updates only the principals it lists). Refuses to replace a permission that is
 * not its own (see {@link GrantPolicy}) unless `adopt`.
 */
export async function grantPermission(vc: VcenterClient, request: PermissionRequest, policy: GrantPolicy = {}): Promise<GrantOutcome> {
  const object = await resolveObject(vc, request.object);
  if (!object) throw unknownObject(vc, request.object);
  const roles = await vc.roleList();
  const role = findRole(roles, request.role);
  if (!role) throw unknownRole(vc, request.role);
  const wanted = `"${request.role}" (${propagation(request.propagate)})`;
  // A predefined role says nothing about who made a permission: the stack marks the ones it makes (see the top).
  const mark: GrantMark | undefined =
    policy.stackRoles && role.system && !isStackRole(role.name, policy.stackRoles)
      ? { stack: stackMarkId(policy.stackRoles), roleId: role.id, propagate: request.propagate }
      : undefined;
  const before = await permissionOf(vc, object, request.principal, request.isGroup);
  if (before) {
    const heldRole = roleName(roles, before.roleId);
    const held = `"${heldRole}" (${propagation(before.propagate)})`;
    const identical = before.roleId === role.id && before.propagate === request.propagate;
    const markedOurs = identical && mark !== undefined && (await markedByStack(vc, object, request, mark));
    const ours = policy.stackRoles ? isStackRole(heldRole, policy.stackRoles) || markedOurs : identical;
    if (identical && (ours || request.adopt)) {
      // An adopted identical permission becomes the stack's: mark it, so it stays recognisable.
      const note = mark && !markedOurs ? await writeMark(vc, object, request, mark) : undefined;
      const recognised = markedOurs ? ` (this stack's grant, recognised by its mark "${grantMarkField(request.principal, request.isGroup)}")` : '';
      return {
        action: 'unchanged',
        object,
        before,
        message: `unchanged: ${who(request)} already holds ${held} on ${request.object}${recognised}${note ? `\n${note}` : ''}`,
      };
    }
    if (!ours && !request.adopt) {
      const consequence = identical
        ? `It is exactly what this grant asks for, but this stack did not make it (its role is not one of the stack's ` +
          `roles${mark ? `, and the object carries no mark of this stack for it` : ''}), and destroying the grant would remove it.`
        : `vSphere keeps one permission per principal per object, so granting ${wanted} would replace it.`;
      throw new PermissionRefusedError(
        `${who(request)} already holds ${held} on ${request.object}, a permission this grant did not make. ${consequence} ` +
          `Nothing was changed. To resolve: if that permission is stale, remove it in vCenter; to let this grant take it ` +
          `over (and remove it when the grant is destroyed), set adopt: true on the grant (command line: --adopt); or ` +
          `grant the role to another principal.`,
      );
    }
  }
  // The mark goes first: a run that stops between the two leaves a mark without a permission, which grants nothing.
  const note = mark ? await writeMark(vc, object, request, mark) : undefined;
  const noted = note ? `\n${note}` : '';
  await vc.setEntityPermissions(object, [{ principal: request.principal, group: request.isGroup, roleId: role.id, propagate: request.propagate }]);
  const after = await permissionOf(vc, object, request.principal, request.isGroup);
  if (!after || after.roleId !== role.id || after.propagate !== request.propagate) {
    throw new Error(`vCenter accepted the permission of ${who(request)} on ${request.object} but does not report it back as ${wanted}.`);
  }
  if (before) {
    const replaced = `"${roleName(roles, before.roleId)}" (${propagation(before.propagate)})`;
    return { action: 'replaced', object, before, message: `replaced: ${who(request)} holds ${wanted} on ${request.object} (was ${replaced})${noted}` };
  }
  return { action: 'granted', object, message: `granted: ${who(request)} holds ${wanted} on ${request.object}${noted}` };
}

/** How revoke treats what is no longer the grant's. */
export interface RevokePolicy {
  /**
   * Leave, and report, a permission that is no longer the grant's (another role or propagation), a role or an
   * object that no longer exists: exit normally. What a stack's destroy needs: it must never remove someone else's
   * permission, and must never block on one. Without it each of these is an error.
   */
  readonly onlyIfOwn?: boolean;
}

/**
 * Removes exactly one permission, and only while it is still the one the grant made: the principal holds the same
 * role with the same propagation. An absent permission is nothing to revoke.
 */
export async function revokePermission(vc: VcenterClient, request: PermissionRequest, policy: RevokePolicy = {}): Promise<RevokeOutcome> {
  const object = await resolveObject(vc, request.object);
  if (!object) {
    if (policy.onlyIfOwn) return { action: 'absent', message: `nothing to revoke: there is no object at ${request.object} any more` };
    throw unknownObject(vc, request.object);
  }
  const roles = await vc.roleList();
  const role = findRole(roles, request.role);
  if (!role && !policy.onlyIfOwn) throw unknownRole(vc, request.role);
  const current = await permissionOf(vc, object, request.principal, request.isGroup);
  const wanted = `"${request.role}" (${propagation(request.propagate)})`;
  // The grant is going away: so does its mark, whatever happens to the permission (a stale mark must never make a
  // later, foreign permission look like the stack's).
  if (policy.onlyIfOwn) await clearMark(vc, object, request);
  if (!current) {
    return { action: 'absent', message: `nothing to revoke: ${who(request)} holds no permission on ${request.object}` };
  }
  if (!role || current.roleId !== role.id || current.propagate !== request.propagate) {
    const held = `"${roleName(roles, current.roleId)}" (${propagation(current.propagate)})`;
    const message = `${who(request)} holds ${held} on ${request.object}, not ${wanted}`;
    if (policy.onlyIfOwn) {
      return { action: 'left', message: `left in place: ${message}; that permission is not this grant's any more` };
    }
    throw new PermissionRefusedError(
      `${message}, so it was not revoked. Revoke removes only the permission it names: give its role and propagation, ` +
        `or change it in vCenter.`,
    );
  }
  try {
    await vc.removeEntityPermission(object, current.principal, current.group);
  } catch (err) {
    // Removed by someone else between the read and the remove: the result is the same.
    if (err instanceof VcenterFaultError && err.fault === 'NotFound') {
      return { action: 'absent', message: `nothing to revoke: ${who(request)} holds no permission on ${request.object}` };
    }
    throw err;
  }
  if (!policy.onlyIfOwn) await clearMark(vc, object, request);
  return { action: 'revoked', message: `revoked: ${who(request)} no longer holds ${wanted} on ${request.object}` };
}
