// What a stack writes for its additive grants and what the `grant`/`revoke`/`verify` commands read back. Plain data
// and pure functions: the CLI imports this file without loading cdktf.
// The metadata shape has one home, the report's reader; only its types are imported (erased at run time).
import type { KkpEntityPermissionsMetadata, KkpPermissionMetadata } from './review-metadata';

/** How the permissions of one object are managed by its stack. */
export type Management = 'owned' | 'additive' | 'authoritative';

/**
 * One additive grant as the stack's `terraform_data` instance carries it (its `input`, shown in the plan) and as
 * `cdktf-kkp-vsphere grant --stack` / `revoke --stack` receive it (JSON in {@link GRANT_ENV}). No credential.
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
  /** Take over a permission the principal already holds there, whatever its role. */
  readonly adopt: boolean;
  /** For the reviewer: the library's kind of object (`datastore`, `network`, ...); not used by the commands. */
  readonly kind?: string;
  /** For the reviewer: the vSphere managed object type, when known at synth. */
  readonly entityType?: string;
}

/** The environment variable that carries one {@link AdditiveGrantInput} as JSON to the commands. */
export const GRANT_ENV = 'KKP_VSPHERE_GRANT';
/** The environment variable that carries the names of the stack's own roles (a JSON array) to `grant --stack`. */
export const STACK_ROLES_ENV = 'KKP_VSPHERE_STACK_ROLES';

/** One permission row of the review metadata (`"//": { "kkp": ... }`), in the shape the report reads (one home: src/contracts/review-metadata.ts). */
export interface PermissionMetadata extends KkpPermissionMetadata {
  /** Additive grants: the `for_each` key of the grant's `terraform_data` instance. */
  readonly instance?: string;
  /** Additive grants: whether the grant takes over a permission the principal already holds there. */
  readonly adopt?: boolean;
}

/** The review metadata of one object: what a `vsphere_entity_permissions` carries, and each object of the additive block. */
export interface ObjectPermissionsMetadata extends KkpEntityPermissionsMetadata {
  readonly management: Management;
  readonly permissions: readonly PermissionMetadata[];
}

/** The review metadata of a stack's additive grants block: every object with its additive grants. */
export interface AdditiveGrantsMetadata {
  readonly management: 'additive';
  readonly objects: readonly ObjectPermissionsMetadata[];
}

/** The `for_each` key of one additive grant: object, principal kind and principal (vCenter matches it case-insensitively). */
export function additiveGrantKey(object: string, principal: string, group: boolean): string {
  return `${object} ${group ? 'group' : 'user'} ${principal.toLowerCase()}`;
}

/** Parses and checks the JSON of {@link GRANT_ENV}; `source` names where it came from in errors. */
export function parseAdditiveGrant(json: string | undefined, source: string): AdditiveGrantInput {
  if (json === undefined || json.trim() === '') {
    throw new Error(`${source} is not set: it holds the grant as JSON (the stack's provisioner sets it).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} must be a JSON object with object, principal, isGroup, role, propagate.`);
  }
  const v = value as Record<string, unknown>;
  const str = (key: string): string => {
    if (typeof v[key] !== 'string' || v[key] === '') throw new Error(`${source}.${key} must be a non-empty string.`);
    return v[key] as string;
  };
  const bool = (key: string, fallback?: boolean): boolean => {
    if (v[key] === undefined && fallback !== undefined) return fallback;
    if (typeof v[key] !== 'boolean') throw new Error(`${source}.${key} must be true or false.`);
    return v[key] as boolean;
  };
  return { object: str('object'), principal: str('principal'), isGroup: bool('isGroup'), role: str('role'), propagate: bool('propagate'), adopt: bool('adopt', false) };
}

/** Parses {@link STACK_ROLES_ENV}: a JSON array of role names. */
export function parseStackRoles(json: string | undefined, source: string): string[] {
  if (json === undefined || json.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not valid JSON (${(err as Error).message}).`);
  }
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) {
    throw new Error(`${source} must be a JSON array of role names.`);
  }
  return value as string[];
}

/**
 * Whether a role belongs to the stack: one of its own roles, or a merged role (`a+b`) of its own roles. A permission
 * with such a role counts as the stack's grant; any other role (a predefined one included) is someone else's.
 */
export function isStackRole(roleName: string, stackRoles: ReadonlySet<string>): boolean {
  return stackRoles.has(roleName) || (roleName.includes('+') && roleName.split('+').every((part) => stackRoles.has(part)));
}

/**
 * The additive grants of one synthesized stack (`cdk.tf.json` as parsed JSON): the `for_each` values of every
 * `terraform_data` block whose review metadata says `management: additive`.
 */
export function additiveGrantsOf(tf: unknown): { address: string; key: string; grant: AdditiveGrantInput; metadata?: ObjectPermissionsMetadata }[] {
  const out: { address: string; key: string; grant: AdditiveGrantInput; metadata?: ObjectPermissionsMetadata }[] = [];
  const blocks = (tf as { resource?: { terraform_data?: Record<string, any> } } | null)?.resource?.terraform_data ?? {};
  for (const [name, block] of Object.entries(blocks)) {
    const meta = block?.['//']?.kkp as AdditiveGrantsMetadata | undefined;
    if (meta?.management !== 'additive' || typeof block.for_each !== 'object' || block.for_each === null) continue;
    for (const [key, value] of Object.entries<unknown>(block.for_each)) {
      const grant = parseAdditiveGrant(JSON.stringify(value), `terraform_data.${name}["${key}"]`);
      const metadata = meta.objects?.find((o) => o.entity === grant.object);
      out.push({ address: `terraform_data.${name}["${key}"]`, key, grant, ...(metadata ? { metadata } : {}) });
    }
  }
  return out;
}
