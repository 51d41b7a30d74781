// One principal's permission on one object, set and removed without touching anything else on it: the semantics of
// Ansible's vmware_object_role_permission and `govc permissions.set/remove`, for `cdktf-kkp-vsphere grant` / `revoke`
// run by hand. (A stack's additive grants are kkpvsphere_permission resources of the kkpvsphere provider.)
import { VcenterClient, VcenterEntityPermission, VcenterRole } from './client';
import { ManagedObjectReference, VcenterFaultError } from './soap';

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

/** What `grant` did. */
export interface GrantOutcome {
  readonly action: 'granted' | 'unchanged' | 'replaced';
  readonly object: ManagedObjectReference;
  /** The permission the principal held before, if any. */
  readonly before?: VcenterEntityPermission;
  readonly message: string;
}

/** What `revoke` did. */
export interface RevokeOutcome {
  readonly action: 'revoked' | 'absent';
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
 * (vCenter's SetEntityPermissions updates only the principals it lists). An identical permission is nothing to do;
 * another permission of the principal there is refused unless `adopt`.
 */
export async function grantPermission(vc: VcenterClient, request: PermissionRequest): Promise<GrantOutcome> {
  const object = await resolveObject(vc, request.object);
  if (!object) throw unknownObject(vc, request.object);
  const roles = await vc.roleList();
  const role = findRole(roles, request.role);
  if (!role) throw unknownRole(vc, request.role);
  const wanted = `"${request.role}" (${propagation(request.propagate)})`;
  const before = await permissionOf(vc, object, request.principal, request.isGroup);
  if (before) {
    const heldRole = roleName(roles, before.roleId);
    const held = `"${heldRole}" (${propagation(before.propagate)})`;
    const identical = before.roleId === role.id && before.propagate === request.propagate;
    if (identical) {
      return { action: 'unchanged', object, before, message: `unchanged: ${who(request)} already holds ${held} on ${request.object}` };
    }
    if (!request.adopt) {
      const consequence = `vSphere keeps one permission per principal per object, so granting ${wanted} would replace it.`;
      throw new PermissionRefusedError(
        `${who(request)} already holds ${held} on ${request.object}, a permission this grant did not make. ${consequence} ` +
          `Nothing was changed. To resolve: if that permission is stale, remove it in vCenter; to let this grant take it ` +
          `over (and remove it when the grant is destroyed), set adopt: true on the grant (command line: --adopt); or ` +
          `grant the role to another principal.`,
      );
    }
  }
  await vc.setEntityPermissions(object, [{ principal: request.principal, group: request.isGroup, roleId: role.id, propagate: request.propagate }]);
  const after = await permissionOf(vc, object, request.principal, request.isGroup);
  if (!after || after.roleId !== role.id || after.propagate !== request.propagate) {
    throw new Error(`vCenter accepted the permission of ${who(request)} on ${request.object} but does not report it back as ${wanted}.`);
  }
  if (before) {
    const replaced = `"${roleName(roles, before.roleId)}" (${propagation(before.propagate)})`;
    return { action: 'replaced', object, before, message: `replaced: ${who(request)} holds ${wanted} on ${request.object} (was ${replaced})` };
  }
  return { action: 'granted', object, message: `granted: ${who(request)} holds ${wanted} on ${request.object}` };
}

/**
 * Removes exactly one permission, and only while it is still the one the grant made: the principal holds the same
 * role with the same propagation. An absent permission is nothing to revoke.
 */
export async function revokePermission(vc: VcenterClient, request: PermissionRequest): Promise<RevokeOutcome> {
  const object = await resolveObject(vc, request.object);
  if (!object) throw unknownObject(vc, request.object);
  const roles = await vc.roleList();
  const role = findRole(roles, request.role);
  if (!role) throw unknownRole(vc, request.role);
  const current = await permissionOf(vc, object, request.principal, request.isGroup);
  const wanted = `"${request.role}" (${propagation(request.propagate)})`;
  if (!current) {
    return { action: 'absent', message: `nothing to revoke: ${who(request)} holds no permission on ${request.object}` };
  }
  if (current.roleId !== role.id || current.propagate !== request.propagate) {
    const held = `"${roleName(roles, current.roleId)}" (${propagation(current.propagate)})`;
    const message = `${who(request)} holds ${held} on ${request.object}, not ${wanted}`;
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
  return { action: 'revoked', message: `revoked: ${who(request)} no longer holds ${wanted} on ${request.object}` };
}
