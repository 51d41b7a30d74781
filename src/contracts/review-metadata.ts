// The review metadata the constructs write under a resource's `"//": { "kkp": ... }` (cdktf's comment key: Terraform
// ignores it, `terraform plan` never shows it) and the report reads back. One home for its shape: writers type their
// object as one of these interfaces, the report reads it only through `readKkpMetadata`.
//
// Pure: no cdktf, no file system. The reader is tolerant on purpose: a resource kind or a field it does not know is
// reported by its Terraform address instead of failing, so a newer library's output still gets a report.

/** How the permissions of one object are managed by the stack that writes them. */
export type KkpManagementMetadata = 'owned' | 'authoritative' | 'additive' | 'unmanaged';

/** One permission in the metadata of a `vsphere_entity_permissions` (or of a `kkpvsphere_permissions`, management `additive`). */
export interface KkpPermissionMetadata {
  readonly principal: string;
  readonly isGroup: boolean;
  /** The role's name in vCenter (merged roles: the merged name). */
  readonly role: string;
  readonly propagate: boolean;
  /** An existing permission that authoritative management keeps: not granted by this stack. */
  readonly kept?: boolean;
  /** The roles the stack granted that are merged into `role` (vSphere allows one role per principal per object). */
  readonly grantedRoles?: readonly string[];
  /** An additive grant that adopts (imports) the permission the principal already holds there (`kkpvsphere_permissions`). */
  readonly adopt?: boolean;
}

/**
 * `"//".kkp` of a `vsphere_entity_permissions` (every permission of one object), or of a `kkpvsphere_permissions`
 * (management `additive`: the stack's principals on one object, every other principal's permission left alone).
 */
export interface KkpEntityPermissionsMetadata {
  /** Inventory path, e.g. `/dc-1/datastore/ds-ssd-1` (`/` is the vCenter root folder). */
  readonly entity: string;
  /** The library's object kind (`folder`, `datastore`, `network`, ...). */
  readonly kind: string;
  /** vSphere managed object type when known at synth (`Folder`, `Datastore`, ...). */
  readonly entityType?: string;
  readonly management: KkpManagementMetadata;
  readonly permissions: readonly KkpPermissionMetadata[];
}

/** `"//".kkp` of a resource that grants one role to one principal on one object, touching nothing else. */
export interface KkpAdditiveGrantMetadata {
  readonly grant: {
    readonly entity: string;
    readonly kind?: string;
    readonly entityType?: string;
    readonly principal: string;
    readonly isGroup: boolean;
    readonly role: string;
    readonly propagate: boolean;
  };
}

/** `"//".kkp` of a `vsphere_role` the library creates. */
export interface KkpRoleMetadata {
  readonly role: string;
  /** The vSphere version its privilege IDs were checked against. */
  readonly vsphereVersion: string;
  readonly description?: string;
}

/** `"//".kkp` of a VM template import, in words a reviewer reads (no Terraform expressions). */
export interface KkpTemplateMetadata {
  readonly template: string;
  readonly os?: string;
  /** `url`: an http(s) OVA/OVF; `file`: a local .ovf/.ova where terraform runs (the import spec's `source_kind`). */
  readonly sourceKind?: 'url' | 'file';
  /**
   * The image: a URL without user-info or query, or a local path (relative to the stack's working directory
   * `cdktf.out/stacks/<stack>`, or absolute outside the project).
   */
  readonly source?: string;
  /** The preset the source comes from (`ubuntu-22.04`). */
  readonly preset?: string;
  /** A local image's file name and SHA-256 digests by file name (empty when the file was missing at synth). */
  readonly image?: { readonly file: string; readonly sha256: Readonly<Record<string, string>> };
  /** Inventory path of the template's folder. */
  readonly folder?: string;
  /** Inventory path of its network. */
  readonly network?: string;
  /** The OVF network name that is mapped to `network`. */
  readonly ovfNetwork?: string;
  /** Inventory path of its datastore, or how it is chosen ("first datastore (by name) of /dc-1/datastore/pod-1"). */
  readonly datastore?: string;
  readonly note?: string;
}

/** What `readKkpMetadata` found, tagged by kind. */
export type KkpMetadata =
  | ({ readonly type: 'entity-permissions' } & KkpEntityPermissionsMetadata)
  | ({ readonly type: 'additive-grant' } & KkpAdditiveGrantMetadata)
  | ({ readonly type: 'role' } & KkpRoleMetadata)
  | ({ readonly type: 'template' } & KkpTemplateMetadata)
  | { readonly type: 'unknown' };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested block as cdktf writes it: an object, or a list of one object. */
function block(v: unknown): Json | undefined {
  if (Array.isArray(v)) return isObject(v[0]) ? v[0] : undefined;
  return isObject(v) ? v : undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const flag = (v: unknown): boolean => v === true || v === 'true';
const MANAGEMENT: readonly string[] = ['owned', 'authoritative', 'additive', 'unmanaged'];

function permission(p: unknown): KkpPermissionMetadata | undefined {
  if (!isObject(p) || typeof p.principal !== 'string') return undefined;
  const granted = Array.isArray(p.grantedRoles) ? p.grantedRoles.filter((r): r is string => typeof r === 'string') : undefined;
  return {
    principal: p.principal,
    isGroup: flag(p.isGroup),
    role: text(p.role) ?? '?',
    propagate: flag(p.propagate),
    ...(p.kept === true ? { kept: true } : {}),
    ...(granted ? { grantedRoles: granted } : {}),
    ...(p.adopt === true ? { adopt: true } : {}),
  };
}

/** The construct path cdktf records for a resource (`"//".metadata.path`), e.g. `kkp-seed/UserCluster-a/CloudConfig`. */
export function constructPathOf(resource: unknown): string | undefined {
  return isObject(resource) ? text(block(block(resource['//'])?.metadata)?.path) : undefined;
}

/** Reads `"//".kkp` of one resource's configuration (as in cdk.tf.json), or `undefined` when it has none. */
export function readKkpMetadata(resource: unknown): KkpMetadata | undefined {
  if (!isObject(resource)) return undefined;
  const kkp = block(block(resource['//'])?.kkp);
  if (!kkp) return undefined;
  if (typeof kkp.entity === 'string' && Array.isArray(kkp.permissions)) {
    const management = text(kkp.management);
    return {
      type: 'entity-permissions',
      entity: kkp.entity,
      kind: text(kkp.kind) ?? '?',
      ...(text(kkp.entityType) ? { entityType: text(kkp.entityType) } : {}),
      management: management && MANAGEMENT.includes(management) ? (management as KkpManagementMetadata) : 'unmanaged',
      permissions: kkp.permissions.map(permission).filter((p): p is KkpPermissionMetadata => p !== undefined),
    };
  }
  const grant = block(kkp.grant);
  if (grant && typeof grant.entity === 'string' && typeof grant.principal === 'string') {
    return {
      type: 'additive-grant',
      grant: {
        entity: grant.entity,
        ...(text(grant.kind) ? { kind: text(grant.kind) } : {}),
        ...(text(grant.entityType) ? { entityType: text(grant.entityType) } : {}),
        principal: grant.principal,
        isGroup: flag(grant.isGroup),
        role: text(grant.role) ?? '?',
        propagate: flag(grant.propagate),
      },
    };
  }
  if (typeof kkp.template === 'string') {
    const out: { -readonly [K in keyof KkpTemplateMetadata]: KkpTemplateMetadata[K] } = { template: kkp.template };
    for (const k of ['os', 'source', 'preset', 'folder', 'network', 'ovfNetwork', 'datastore', 'note'] as const) {
      if (typeof kkp[k] === 'string') out[k] = kkp[k] as string;
    }
    if (kkp.sourceKind === 'url' || kkp.sourceKind === 'file') out.sourceKind = kkp.sourceKind;
    const image = block(kkp.image);
    if (image && typeof image.file === 'string') {
      const digests = isObject(image.sha256) ? image.sha256 : {};
      out.image = {
        file: image.file,
        sha256: Object.fromEntries(Object.entries(digests).filter((e): e is [string, string] => typeof e[1] === 'string')),
      };
    }
    return { type: 'template', ...out };
  }
  if (typeof kkp.role === 'string') {
    return {
      type: 'role',
      role: kkp.role,
      vsphereVersion: text(kkp.vsphereVersion) ?? '?',
      ...(text(kkp.description) ? { description: text(kkp.description) } : {}),
    };
  }
  return { type: 'unknown' };
}

/**
 * An additive grant as the values of a `terraform_data` show it in a plan, where `"//"` metadata does not exist: an
 * `input` object with `principal`, `role`, the object's path (`entity` or `object`) and `propagate`. Anything else
 * is not taken for a grant.
 */
export function additiveGrantFromInput(input: unknown): KkpAdditiveGrantMetadata['grant'] | undefined {
  if (!isObject(input)) return undefined;
  const entity = text(input.entity) ?? text(input.object) ?? text(input.entityPath) ?? text(input.objectPath);
  const principal = text(input.principal);
  const role = text(input.role) ?? text(input.roleName);
  if (entity === undefined || principal === undefined || role === undefined || !('propagate' in input)) return undefined;
  return {
    entity,
    ...(text(input.kind) ? { kind: text(input.kind) } : {}),
    ...(text(input.entityType) ? { entityType: text(input.entityType) } : {}),
    principal,
    isGroup: flag(input.isGroup ?? input.is_group),
    role,
    propagate: flag(input.propagate),
  };
}
