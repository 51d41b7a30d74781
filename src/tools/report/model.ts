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
  /**
   * The `vsphere_entity_permissions` address, the `kkpvsphere_permissions` address (one per object, this principal one
   * of its additive grants), or the address of the resource that makes this one additive grant.
   */
  readonly address: string;
  readonly constructPath?: string;
}

/** A `vsphere_folder` the stack creates. */
export interface FolderFact {
  /** Absolute inventory path, e.g. `/dc-1/vm/kkp/templates`. */
  readonly path: string;
  /** `vm`, `datastore`, `host`, `network` or `datacenter`. */
  readonly type: string;
  readonly address: string;
  readonly constructPath?: string;
}

/** A VM the stack deploys from an OVF/OVA (`vsphere_virtual_machine` with `ovf_deploy`): a template source. */
export interface TemplateFact {
  readonly name: string;
  /** The operating system key KKP knows it by (`ubuntu`, `flatcar`, ...), when the library wrote it. */
  readonly os?: string;
  /** Absolute inventory path of its folder. */
  readonly folder?: string;
  /** Inventory path of its datastore, or in words how Terraform picks it; never a raw expression. */
  readonly datastore?: string;
  readonly networks: readonly string[];
  /** The image's URL (user-info and query redacted) or local path, as Terraform reads it. */
  readonly source?: string;
  /** `url`: downloaded over http(s); `file`: read where terraform runs (the import spec's `source_kind`). */
  readonly sourceKind?: 'url' | 'file';
  /** The image preset the source comes from. */
  readonly preset?: string;
  /**
   * A local image's SHA-256 digests by file name, as synthesized (what identifies it for replacement); empty when
   * the file was missing at synth; absent when the stack does not say (a `vsphere_virtual_machine`'s OVF path).
   */
  readonly sha256?: Readonly<Record<string, string>>;
  readonly address: string;
  readonly constructPath?: string;
}

/** A Kubernetes Secret the stack writes: names and data keys only, never values. */
export interface SecretFact {
  readonly name: string;
  readonly namespace: string;
  readonly type?: string;
  /** Data keys (`data` and `binary_data`), sorted; `undefined` when the data map is computed. */
  readonly keys?: readonly string[];
  /** The provider configuration that writes it, e.g. `kubernetes.kh8dfp2rz6`: which cluster it lands in. */
  readonly provider: string;
  /** Where that provider connects, in words (its `config_path` / `config_context` / `host`), never credentials. */
  readonly cluster?: string;
  readonly address: string;
  readonly constructPath?: string;
}

/** A Terraform variable the stack declares: a deployment must set `TF_VAR_<name>` unless it has a default. */
export interface VariableFact {
  readonly name: string;
  /** `TF_VAR_<name>`. */
  readonly env: string;
  readonly type?: string;
  readonly sensitive: boolean;
  /** No default: `terraform plan` fails without it. (A default's value is never read: it may be a secret.) */
  readonly required: boolean;
  readonly description?: string;
}

/** A resource of a kind the report has no section for, listed by address so nothing goes unseen. */
export interface ResourceFact {
  readonly address: string;
  readonly type: string;
  readonly constructPath?: string;
}

/** One object (or role, folder, template name) that more than one stack touches. */
export interface CrossStackFact {
  /** `object`: permissions on a vSphere object; `folder`, `role`, `template`: something created by name. */
  readonly kind: 'object' | 'folder' | 'role' | 'template';
  /** Inventory path, role name or template name. */
  readonly name: string;
  readonly stacks: readonly { readonly stack: string; readonly management?: ReportManagement; readonly addresses: readonly string[] }[];
}

/** Something a reviewer must look at. */
export interface WarningFact {
  readonly kind: 'authoritative-shared' | 'vcenter-root' | 'unknown-management' | 'computed-permissions' | 'cross-stack';
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
  /** The Terraform variables it declares (what `TF_VAR_...` a deployment sets), sorted by name. */
  readonly variables: readonly VariableFact[];
  /** Resources of every other kind, by address. */
  readonly otherResources: readonly ResourceFact[];
  readonly warnings: readonly WarningFact[];
}

/** The report of one synth output directory. */
export interface Report {
  readonly format: 'cdktf-kkp-vsphere/report@2';
  readonly stacks: readonly StackReport[];
  /** Objects, roles, folders and templates that more than one stack touches. */
  readonly crossStack: readonly CrossStackFact[];
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

/** Items of one kind added, removed and changed (same address, other content), each tagged with its stack. */
export interface Changes<T> {
  readonly added: readonly (T & { readonly stack: string })[];
  readonly removed: readonly (T & { readonly stack: string })[];
  readonly changed: readonly { readonly stack: string; readonly before: T; readonly after: T }[];
}

/**
 * A permission that a change removes although the stack did not grant it: a kept permission (it existed before the
 * stack and was only listed to survive), or everything else on an object whose authoritative resource goes away.
 * The loudest thing in a report: this is how other teams lose their access.
 */
export interface LostPermissionFact {
  readonly stack: string;
  readonly object: string;
  /** The principal, or `undefined` for "every other permission on the object" (not known before the plan). */
  readonly principal?: string;
  readonly isGroup?: boolean;
  readonly role?: string;
  /** `kept`: listed as kept; `foreign`: never granted by this stack; `unlisted`: whatever else the object holds. */
  readonly reason: 'kept' | 'foreign' | 'unlisted';
  /** What removes it, in words. */
  readonly why: string;
  readonly address: string;
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
  readonly format: 'cdktf-kkp-vsphere/report-diff@2';
  readonly stacks: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Permissions the stack did not grant that the change removes: shown first and loudest. */
  readonly lostPermissions: readonly LostPermissionFact[];
  /** A grant is identified by stack, object, principal, role and propagation: a role change is one removed + one added. */
  readonly grants: Changes<GrantFact>;
  /** Privileges added to or removed from roles, per role. */
  readonly privileges: readonly PrivilegeChange[];
  readonly management: readonly ManagementChange[];
  readonly roles: Changes<RoleFact>;
  readonly folders: Changes<FolderFact>;
  readonly templates: Changes<TemplateFact>;
  readonly secrets: Changes<SecretFact>;
  readonly variables: Changes<VariableFact>;
  readonly otherResources: Changes<ResourceFact>;
  /** Cross-stack overlaps of the current output that the base did not have. */
  readonly newCrossStack: readonly CrossStackFact[];
  /** Warnings of the current output that the base did not have. */
  readonly newWarnings: readonly (WarningFact & { readonly stack: string })[];
}

// ---- the report of a Terraform plan (`terraform show -json` of a saved plan) --------------------------------------

/** What Terraform will do to one resource. `replace` is a delete and a create (in either order). */
export type PlanAction = 'create' | 'update' | 'delete' | 'replace';

/** One resource change of a plan, by address. */
export interface PlannedChangeFact {
  readonly address: string;
  readonly type: string;
  readonly action: PlanAction;
  /** Terraform's `action_reason` in words, when it gave one. */
  readonly reason?: string;
  /** The attributes that force a replacement (`replace_paths`), e.g. `ovf_deploy.0.remote_ovf_url`. */
  readonly forcedBy?: readonly string[];
}

/** A role created, changed or destroyed. */
export interface PlanRoleChange extends PlannedChangeFact {
  readonly name: string;
  /** The name before, when the change renames the role. */
  readonly beforeName?: string;
  readonly privilegesAdded: readonly string[];
  readonly privilegesRemoved: readonly string[];
  /** How many privileges it has after the change (before, when destroyed). */
  readonly privilegeCount: number;
}

/** One principal's permission on one object that the plan adds, changes or removes. */
export interface PlanPermissionChange {
  readonly object: string;
  readonly entityType?: string;
  readonly principal: string;
  readonly isGroup: boolean;
  readonly change: 'added' | 'changed' | 'removed';
  /** The role after the change (before, when removed). */
  readonly role: string;
  readonly beforeRole?: string;
  readonly propagate: boolean;
  readonly beforePropagate?: boolean;
  /** How the stack manages the object's permissions. */
  readonly management: ReportManagement;
  /** Who granted a removed permission: this stack, or an existing one the stack kept, or someone else. */
  readonly origin?: 'granted' | 'kept' | 'foreign';
  readonly address: string;
}

/** A folder or template the plan creates, destroys, moves or replaces. */
export interface PlanItemChange extends PlannedChangeFact {
  /** Inventory path of a folder, `<folder>/<name>` of a template. */
  readonly name: string;
  readonly beforeName?: string;
}

/** A Kubernetes Secret the plan writes or removes: where, never its values. */
export interface PlanSecretChange extends PlannedChangeFact {
  readonly namespace: string;
  readonly name: string;
  /** The provider configuration, e.g. `kubernetes.kh8dfp2rz6`, when the plan's configuration or the synth output says. */
  readonly provider?: string;
}

/** Everything one stack's plan will change on vCenter and beyond. */
export interface PlanStackReport {
  readonly name: string;
  readonly terraformVersion?: string;
  /** As Terraform's own summary counts them: a replacement is one add and one destroy. */
  readonly counts: { readonly add: number; readonly change: number; readonly destroy: number; readonly replace: number };
  /** The plan failed (`errored`): what it shows is incomplete. */
  readonly errored: boolean;
  /** Permissions the plan removes that the stack did not grant (kept or foreign ones): the loudest part. */
  readonly lostPermissions: readonly LostPermissionFact[];
  readonly roles: readonly PlanRoleChange[];
  /** Sorted by object, principal. */
  readonly permissions: readonly PlanPermissionChange[];
  readonly folders: readonly PlanItemChange[];
  readonly templates: readonly PlanItemChange[];
  readonly secrets: readonly PlanSecretChange[];
  /** Every replacement of the plan, with what forces it. */
  readonly replacements: readonly PlannedChangeFact[];
  /** Every resource change of the plan, by address (what tfcmt lists): nothing is left out of this one. */
  readonly changes: readonly PlannedChangeFact[];
  /** Changes of every other resource, by address. */
  readonly other: readonly PlannedChangeFact[];
  /** Resources Terraform found changed outside Terraform since the last apply (`resource_drift`). */
  readonly drift: readonly { readonly address: string; readonly type: string; readonly what: string }[];
}

/** The report of one plan per stack. */
export interface PlanReport {
  readonly format: 'cdktf-kkp-vsphere/plan-report@1';
  readonly stacks: readonly PlanStackReport[];
}
