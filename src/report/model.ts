// The facts a plan reviewer needs from a cdktf synth output: who gets which vSphere role where, and what the
// stack creates. Plain data, so the Markdown, the JSON and the diff all come from one model.

/** How the permissions of one object are managed by its stack. */
export type ReportManagement = 'owned' | 'additive' | 'authoritative' | 'unknown';

/** A role as the report shows it: created by the stack (custom) or only referenced (predefined / existing). */
export interface RoleFact {
  /** The role's name in vCenter. */
  readonly name: string;
  /** `custom`: a `vsphere_role` of this stack; `predefined`: a vCenter role referenced by id; `existing`: a `vsphere_role` data source. */
  readonly origin: 'custom' | 'predefined' | 'existing';
  /** Terraform address, e.g. `vsphere_role.Roles_k8c-user-vcenter_Role_16FD9227` (custom and existing roles). */
  readonly address?: string;
  /** The role id as written in the permissions (predefined roles: `-2` etc.). */
  readonly roleId?: string;
  /** The vSphere version the privileges were checked against (roles created by this library). */
  readonly vsphereVersion?: string;
  readonly description?: string;
  /** Privilege IDs, sorted; `undefined` when the stack does not list them (predefined, existing or computed). */
  readonly privileges?: readonly string[];
}

/** One permission a stack writes: a principal holds a role on an object. */
export interface GrantFact {
  /** The object's inventory path as a human reads it (`/dc-1/datastore/ds-1`), or the raw id expression. */
  readonly object: string;
  /** vSphere managed object type (`Folder`, `Datastore`, ...), or `undefined` when it is known only at plan time. */
  readonly entityType?: string;
  /** The library's kind (`folder`, `network`, ...) when known. */
  readonly kind?: string;
  readonly principal: string;
  readonly isGroup: boolean;
  /** The role's name (resolved from its id). */
  readonly role: string;
  readonly propagate: boolean;
  readonly management: ReportManagement;
  /** An existing permission that authoritative management keeps (not granted by the stack). */
  readonly kept: boolean;
  /** The roles the stack granted that were merged into `role` (one role per principal per object). */
  readonly grantedRoles?: readonly string[];
  /** The `vsphere_entity_permissions` address. */
  readonly address: string;
}

/** A `vsphere_folder` the stack creates. */
export interface FolderFact {
  /** Absolute inventory path, e.g. `/dc-1/vm/kkp/templates`. */
  readonly path: string;
  /** `vm`, `datastore`, `host`, `network` or `datacenter`. */
  readonly type: string;
  readonly address: string;
}

/** A VM the stack deploys from an OVF/OVA (`vsphere_virtual_machine` with `ovf_deploy`): a template source. */
export interface TemplateFact {
  readonly name: string;
  /** Absolute inventory path of its folder. */
  readonly folder?: string;
  readonly datastore?: string;
  readonly networks: readonly string[];
  /** `remote_ovf_url` (credentials and query redacted) or `local_ovf_path`. */
  readonly source?: string;
  readonly sourceKind?: 'remote' | 'local';
  readonly address: string;
}

/** A Kubernetes Secret the stack writes: names and data keys only, never values. */
export interface SecretFact {
  readonly name: string;
  readonly namespace: string;
  readonly type?: string;
  /** Data keys (`data` and `binary_data`), sorted; `undefined` when the data map is computed. */
  readonly keys?: readonly string[];
  readonly address: string;
}

/** Something a reviewer must look at. */
export interface WarningFact {
  readonly kind: 'authoritative-shared' | 'vcenter-root' | 'unknown-management' | 'computed-permissions';
  readonly object: string;
  readonly message: string;
}

/** Everything the report says about one stack. */
export interface StackReport {
  readonly name: string;
  /** Roles, sorted by name: custom ones first-class, referenced ones marked by origin. */
  readonly roles: readonly RoleFact[];
  /** Grants sorted by object, principal (case-insensitive), role. */
  readonly grants: readonly GrantFact[];
  readonly folders: readonly FolderFact[];
  readonly templates: readonly TemplateFact[];
  readonly secrets: readonly SecretFact[];
  readonly warnings: readonly WarningFact[];
}

/** The report of one synth output directory. */
export interface Report {
  readonly format: 'cdktf-kkp-vsphere/report@1';
  readonly stacks: readonly StackReport[];
}

/** A role whose privileges changed between two synth outputs. */
export interface PrivilegeChange {
  readonly stack: string;
  readonly role: string;
  /** `added`: the role is new; `removed`: it is gone; `changed`: it exists on both sides. */
  readonly change: 'added' | 'removed' | 'changed';
  readonly vsphereVersion?: string;
  readonly baseVsphereVersion?: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Items of one kind added and removed, each tagged with its stack. */
export interface Changes<T> {
  readonly added: readonly (T & { readonly stack: string })[];
  readonly removed: readonly (T & { readonly stack: string })[];
}

/** An object whose management mode changed. */
export interface ManagementChange {
  readonly stack: string;
  readonly object: string;
  readonly from: ReportManagement;
  readonly to: ReportManagement;
}

/** What changes between a base synth output and the current one. */
export interface ReportDiff {
  readonly format: 'cdktf-kkp-vsphere/report-diff@1';
  readonly stacks: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** A grant is identified by stack, object, principal, role and propagation: a role change is one removed + one added. */
  readonly grants: Changes<GrantFact>;
  /** Privileges added to or removed from roles, per role. */
  readonly privileges: readonly PrivilegeChange[];
  readonly management: readonly ManagementChange[];
  readonly roles: Changes<RoleFact>;
  readonly folders: Changes<FolderFact>;
  readonly templates: Changes<TemplateFact>;
  readonly secrets: Changes<SecretFact>;
  /** Warnings of the current output that the base did not have. */
  readonly newWarnings: readonly (WarningFact & { readonly stack: string })[];
}
