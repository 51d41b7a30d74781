// What a stack writes for its additive grants (one `kkpvsphere_permissions` per shared object, listing the stack's
// principals there, with review metadata; before that, one `kkpvsphere_permission` per object and principal) and what
// the `verify` and `report` commands read back. Plain data and pure functions: the CLI imports this file without loading cdktf.
// The metadata shape has one home, the report's reader; only its types are imported (erased at run time).
import type { KkpEntityPermissionsMetadata, KkpPermissionMetadata } from './review-metadata';

/** How the permissions of one object are managed by its stack. */
export type Management = 'owned' | 'additive' | 'authoritative';

/**
 * One additive grant as its `kkpvsphere_permission`'s review metadata says it (`"//".kkp.grant`), in words a reviewer
 * reads: the object's inventory path, the principal, the role by name. What `verify` and the report read back.
 */
export interface AdditiveGrantInput {
  /** Inventory path of the object, e.g. `/dc-1/datastore/ds-1` (`/` is the vCenter root folder). */
  readonly object: string;
  /** `DOMAIN\name`. */
  readonly principal: string;
  /** Whether the principal is a group. */
  readonly isGroup: boolean;
  /** The role's name in vCenter (a predefined role by its label, e.g. `Read-only`). */
  readonly role: string;
  /** Whether the permission propagates to the object's children. */
  readonly propagate: boolean;
  /** Whether the grant adopts (imports) a permission the principal already holds there. */
  readonly adopt: boolean;
  /** The library's kind of object (`datastore`, `network`, ...). */
  readonly kind?: string;
  /** The vSphere managed object type, when known at synth. */
  readonly entityType?: string;
}

/** `"//".kkp` of an additive grant's `kkpvsphere_permission` (the report's `additive-grant` shape, plus what the library knows). */
export interface AdditiveGrantMetadata {
  readonly grant: {
    readonly entity: string;
    readonly kind?: string;
    readonly entityType?: string;
    readonly principal: string;
    readonly isGroup: boolean;
    readonly role: string;
    readonly propagate: boolean;
    /** The roles granted to the principal there (one, or the parts of a merged role). */
    readonly grantedRoles?: readonly string[];
    readonly adopt?: boolean;
  };
}

/**
 * The import ID of one `kkpvsphere_permission`: `<type>:<moid>:<principal>` for a user, `<type>:<moid>:group:<principal>`
 * for a group (provider/README.md). Type and id may be Terraform expressions (an import block's id is evaluated at plan).
 */
export function permissionImportId(entityType: string, entityId: string, principal: string, group: boolean): string {
  return `${entityType}:${entityId}:${group ? 'group:' : ''}${principal}`;
}

/** One permission row of the review metadata (`"//": { "kkp": ... }`), in the shape the report reads (one home: src/contracts/review-metadata.ts). */
export type PermissionMetadata = KkpPermissionMetadata;

/** The review metadata of one object's `vsphere_entity_permissions` (owned and authoritative objects). */
export interface ObjectPermissionsMetadata extends KkpEntityPermissionsMetadata {
  readonly management: Management;
  readonly permissions: readonly PermissionMetadata[];
}

/**
 * The import ID of one `kkpvsphere_permissions` that adopts these principals' existing permissions on one object:
 * `<type>:<moid>:<principal>[:<principal>...]`, a group's name after `group:` (provider/README.md). Type and id may
 * be Terraform expressions (an import block's id is evaluated at plan).
 */
export function permissionsImportId(entityType: string, entityId: string, principals: readonly { name: string; isGroup: boolean }[]): string {
  return withPrincipals(`${entityType}:${entityId}`, principals);
}

/**
 * The import ID of one `kkpvsphere_permissions` whose object is named by inventory path (a distributed switch):
 * `<path>:<principal>[:<principal>...]`, the path starting with `/` (provider/README.md).
 */
export function permissionsImportIdByPath(inventoryPath: string, principals: readonly { name: string; isGroup: boolean }[]): string {
  return withPrincipals(inventoryPath, principals);
}

/** `<object>:<principal>[:<principal>...]`, a group's name after `group:`. */
function withPrincipals(object: string, principals: readonly { name: string; isGroup: boolean }[]): string {
  return [object, ...principals.map((p) => `${p.isGroup ? 'group:' : ''}${p.name}`)].join(':');
}

/** One additive grant's key: object, principal kind and principal (vCenter matches principals case-insensitively). */
export function additiveGrantKey(object: string, principal: string, group: boolean): string {
  return `${object} ${group ? 'group' : 'user'} ${principal.toLowerCase()}`;
}

/**
 * Whether a role belongs to the stack: one of its own roles, or a merged role (`a+b`) of its own roles. A permission
 * with such a role counts as the stack's grant; any other role (a predefined one included) is someone else's.
 */
export function isStackRole(roleName: string, stackRoles: ReadonlySet<string>): boolean {
  return stackRoles.has(roleName) || (roleName.includes('+') && roleName.split('+').every((part) => stackRoles.has(part)));
}

/**
 * The additive grants of one synthesized stack (`cdk.tf.json` as parsed JSON): every principal of a
 * `kkpvsphere_permissions` whose review metadata (`management: "additive"`) lists it, and every `kkpvsphere_permission`
 * (an older stack's) whose review metadata names its grant, sorted by object and principal.
 */
export function additiveGrantsOf(tf: unknown): { address: string; grant: AdditiveGrantInput }[] {
  const out: { address: string; grant: AdditiveGrantInput }[] = [];
  const resources = (tf as { resource?: { kkpvsphere_permission?: Record<string, any>; kkpvsphere_permissions?: Record<string, any> } } | null)?.resource;
  for (const [name, block] of Object.entries(resources?.kkpvsphere_permissions ?? {})) {
    const m = block?.['//']?.kkp as (ObjectPermissionsMetadata & { permissions: (PermissionMetadata & { adopt?: boolean })[] }) | undefined;
    if (!m || typeof m.entity !== 'string' || m.management !== 'additive' || !Array.isArray(m.permissions)) continue;
    for (const p of m.permissions) {
      if (typeof p?.principal !== 'string' || typeof p.role !== 'string') continue;
      out.push({
        address: `kkpvsphere_permissions.${name}`,
        grant: {
          object: m.entity,
          principal: p.principal,
          isGroup: p.isGroup === true,
          role: p.role,
          propagate: p.propagate === true,
          adopt: p.adopt === true,
          ...(m.kind ? { kind: m.kind } : {}),
          ...(m.entityType ? { entityType: m.entityType } : {}),
        },
      });
    }
  }
  for (const [name, block] of Object.entries(resources?.kkpvsphere_permission ?? {})) {
    const g = (block?.['//']?.kkp as AdditiveGrantMetadata | undefined)?.grant;
    if (!g || typeof g.entity !== 'string' || typeof g.principal !== 'string' || typeof g.role !== 'string') continue;
    out.push({
      address: `kkpvsphere_permission.${name}`,
      grant: {
        object: g.entity,
        principal: g.principal,
        isGroup: g.isGroup === true,
        role: g.role,
        propagate: g.propagate === true,
        adopt: g.adopt === true,
        ...(g.kind ? { kind: g.kind } : {}),
        ...(g.entityType ? { entityType: g.entityType } : {}),
      },
    });
  }
  // In object and principal order (the resources' order in the file is the order the constructs granted in).
  const key = (g: AdditiveGrantInput) => additiveGrantKey(g.object, g.principal, g.isGroup);
  return out.sort((a, b) => (key(a.grant) < key(b.grant) ? -1 : key(a.grant) > key(b.grant) ? 1 : 0));
}

