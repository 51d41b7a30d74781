// Layer 3: every grant of a stack. Objects the stack creates, and shared objects it explicitly takes over, get ONE
// vsphere_entity_permissions each; grants on every other (shared) object are additive: one `kkpvsphere_permissions`
// (this repository's provider, provider/) per object, listing the stack's principals there, which sets and removes
// exactly those principals' permissions and shows drift per principal in the plan.
import { createHash } from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { Annotations, Lazy, TerraformDataSource, TerraformElement, TerraformProvider, TerraformStack, Token, Tokenization } from '../../framework/core';
import { stackOf } from '../../framework/refs';
import { KkpValidationError } from '../../base/errors';
import { EntityPermissions } from '../../framework/providers/vsphere/entity-permissions';
import { Permissions } from '../../framework/providers/kkpvsphere/permissions';
import { KkpvsphereProvider } from '../../framework/providers/kkpvsphere/provider';
import { IVsphereEntity } from '../inventory';
import { Management, ObjectPermissionsMetadata, additiveGrantKey, permissionsImportId, permissionsImportIdByPath } from '../../contracts/additive-grants';
import { Principal } from './principal';
import { IVsphereRole, VsphereRole } from './role';
import { PlainSynthValue, SynthValue } from './synth-value';
import { setStackState, stackSlot, stackState } from '../stack-state';

export type { Management } from '../../contracts/additive-grants';


/** One grant: a principal gets a role on an object. */
export interface GrantOptions {
  /** The user or group, `DOMAIN\name`; a string means a user. */
  readonly principal: Principal | string;
  readonly role: IVsphereRole;
  readonly entity: IVsphereEntity;
  /** Whether the permission applies to the object's children too. */
  readonly propagate: boolean;
  /**
   * On a shared object managed additively: take over the permission the principal already holds there (any role,
   * made by hand or by another tool). The object's `kkpvsphere_permissions` gets an `import` block naming the
   * principal (with the object's other adopted principals), so the first apply
   * adopts that permission (and changes it to this grant's role and propagation) instead of refusing it; destroying
   * the grant then removes it. The permission must exist when the stack is first applied (an import of nothing fails),
   * and the import block stays while `adopt` is set: a permission later removed on vCenter then fails the plan
   * instead of being granted again, so drop `adopt` after the first apply. Without it, the plan refuses a permission
   * that is already there and names the import ID.
   * @default false
   */
  readonly adopt?: boolean;
}

/** A grant as recorded. */
export interface Grant {
  readonly principal: Principal;
  readonly role: IVsphereRole;
  readonly entity: IVsphereEntity;
  readonly propagate: boolean;
  readonly adopt: boolean;
}

/** An existing permission on a shared object that authoritative management must keep. */
export interface KeptPermission {
  /** The user or group, `DOMAIN\name`; a string means a user. */
  readonly principal: Principal | string;
  /** The role it holds, e.g. `PredefinedRole.ADMINISTRATOR` or `PredefinedRole.fromId(1001, 'backup')`. */
  readonly role: IVsphereRole;
  readonly propagate: boolean;
}

/** Options for taking over every permission of a shared object. */
export interface AuthoritativeOptions {
  /**
   * Every permission on the object that is not the stack's own and must stay. Anything on the object that is
   * neither kept nor granted by this stack is removed on the next apply. An empty list says: nothing else stays.
   */
  readonly keep: readonly KeptPermission[];
}

interface PrincipalEntry {
  readonly principal: Principal;
  readonly grants: Grant[];
  effectiveRole: IVsphereRole;
  mergeKey?: string;
}

interface EntityState {
  readonly entity: IVsphereEntity;
  readonly principals: Map<string, PrincipalEntry>;
  /** The object's vsphere_entity_permissions: owned objects, and shared objects managed authoritatively. */
  resource?: EntityPermissions;
  /** Additive management (a shared object not taken over): the stack's principals' kkpvsphere_permissions on it. */
  additive?: GrantPermissions;
  authoritative?: { keep: { principal: Principal; role: IVsphereRole; propagate: boolean }[] };
  /** The vSphere provider the object's data source uses (undefined: the stack's default one). */
  vsphereProvider?: TerraformProvider;
}

const REGISTRY_ID = 'KkpVspherePermissions';

/**
 * The stack's permission registry: one per stack, created on first use. Grants may come from any construct in
 * any order; the output is deterministic (objects in grant order, principals sorted case-insensitively).
 *
 * How an object's grants are applied depends on who owns it:
 * - an object the stack creates (`VmFolder`): one authoritative `vsphere_entity_permissions`;
 * - a shared object (looked up) opted in with {@link VspherePermissions.manageAuthoritatively}: the same, keeping
 *   the listed permissions;
 * - every other shared object: additive. Each object is one `kkpvsphere_permissions` of this repository's provider
 *   (`cdktf-kkp-vsphere/kkpvsphere`), configured from the stack's vSphere provider, listing the stack's principals
 *   there: exactly their permissions are set and removed, nothing else on the object; a permission changed or removed
 *   on vCenter shows in the plan (as that principal added or changed) and apply restores it. One resource per object,
 *   not per principal: Terraform's cost grows with resource instances (bench/RESULTS.md, deploy benchmark).
 */
export class VspherePermissions extends Construct {
  /** The registry of the stack that `scope` belongs to. */
  public static of(scope: IConstruct): VspherePermissions {
    const stack = stackOf(scope);
    return (stack.node.tryFindChild(REGISTRY_ID) as VspherePermissions | undefined) ?? new VspherePermissions(stack, REGISTRY_ID);
  }

  /** The registry of the stack that `scope` belongs to, if a grant created it; never creates one. */
  public static existing(scope: IConstruct): VspherePermissions | undefined {
    return stackOf(scope).node.tryFindChild(REGISTRY_ID) as VspherePermissions | undefined;
  }

  /**
   * Marks as `adopt` every additive grant whose (object, principal) `match` accepts: the stack's adoption of a
   * hand-made set-up (KkpAdoption) takes those permissions over in place. Decided at synth, like the grants.
   * @internal
   */
  public static adoptExisting(scope: IConstruct, match: (object: string, principal: string, isGroup: boolean) => boolean): void {
    setStackState(scope, EXISTING_TO_ADOPT, match);
  }

  /**
   * One-time move of a stack applied with the provisioner version of this library (additive grants as one
   * `terraform_data` block `KkpVspherePermissions/AdditiveGrants` whose provisioners ran `cdktf-kkp-vsphere grant`):
   * the next plan forgets that block without destroying it or running its `revoke` (a `removed` block with
   * `destroy = false`) and imports each grant's existing permission into its object's `kkpvsphere_permissions` (an
   * `import` block by `<type>:<moid>:<principal>[:<principal>...]`), so no permission is removed, created twice or
   * re-created. Apply once with
   * the same grants as before, then remove the call: with it, a grant added later would be imported too, and fail
   * because vCenter has no such permission yet. The stack's `VmTemplate`s move the same way: the old
   * `terraform_data` (`<template>/Import`) is forgotten and the template imported by its inventory path.
   */
  public static migrateFromProvisioners(scope: IConstruct): void {
    VspherePermissions.of(scope).migrateFromProvisioners();
  }

  /**
   * One-time move of a stack applied with the version of this library that wrote one `kkpvsphere_permission` per
   * object and principal (0.x before `kkpvsphere_permissions`): the next plan forgets those resources without
   * destroying them (a `removed` block with `destroy = false` for each old address) and imports each object's
   * principals into its `kkpvsphere_permissions` (an `import` block by `<type>:<moid>:<principal>[:<principal>...]`),
   * so no permission is removed, created twice or re-created. Apply once with the same grants as before, then remove
   * the call: with it, a grant added later would be imported too, and fail because vCenter has no such permission yet.
   */
  public static migrateFromPerPrincipalGrants(scope: IConstruct): void {
    VspherePermissions.of(scope).migrateFromPerPrincipalGrants();
  }

  /** Grants `role` to `principal` on `entity`. */
  public static grant(options: GrantOptions): Grant {
    checkGrantOptions(options);
    return VspherePermissions.of(options.entity.scope).grant(options);
  }

  /**
   * Opts a shared object (one the stack did not create) into authoritative management: the stack then owns
   * every permission on it, keeping only `keep` besides its own grants. Emits a warning naming the object.
   */
  public static manageAuthoritatively(entity: IVsphereEntity, options: AuthoritativeOptions): void {
    VspherePermissions.of(entity.scope).manageAuthoritatively(entity, options);
  }

  private readonly entities = new Map<string, EntityState>();
  private readonly mergedRoles = new Map<string, { role: VsphereRole; users: number }>();
  private migrating = false;
  private importAll = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.validateManagement() });
  }

  /** Every additively managed object's `kkpvsphere_permissions`, in order of the objects' first grants. */
  public get additivePermissions(): Permissions[] {
    return this.additiveStates().flatMap((s) => (s.additive ? [s.additive] : []));
  }

  /** See {@link VspherePermissions.migrateFromProvisioners}. */
  public migrateFromProvisioners(): void {
    if (this.migrating) return;
    this.migrating = true;
    setStackState(this, MIGRATING, true);
    // The old block's address: its construct path was this registry's `AdditiveGrants`, so the stack names it the same.
    const old = new Construct(this, 'AdditiveGrants');
    forgetProvisionerResource(this, `terraform_data.${stackOf(this).getLogicalId(old.node)}`);
  }

  /** See {@link VspherePermissions.migrateFromPerPrincipalGrants}. */
  public migrateFromPerPrincipalGrants(): void {
    if (this.importAll) return;
    this.importAll = true;
    forgetResources(this, () =>
      this.additiveStates().flatMap((state) =>
        [...state.principals.values()].map((entry) => `kkpvsphere_permission.${stackOf(this).getLogicalId({ scopes: [...this.node.scopes, { node: { id: perPrincipalId(state.entity, entry.principal) } }] } as any)}`),
      ),
    );
  }

  /** Grants `role` to `principal` on `entity`. */
  public grant(options: GrantOptions): Grant {
    checkGrantOptions(options);
    const principal = Principal.of(options.principal, `grant on ${options.entity.inventoryPath}: principal`);
    if (typeof options.propagate !== 'boolean') {
      throw new KkpValidationError(undefined, `grant of "${options.role.roleName}" on ${options.entity.inventoryPath}: propagate must be true or false.`);
    }
    if (options.adopt !== undefined && typeof options.adopt !== 'boolean') {
      throw new KkpValidationError(undefined, `grant of "${options.role.roleName}" on ${options.entity.inventoryPath}: adopt must be true or false.`);
    }
    const adopt = options.adopt ?? false;
    const grant: Grant = { principal, role: options.role, entity: options.entity, propagate: options.propagate, adopt };
    const state = this.stateFor(options.entity);
    if (state.authoritative?.keep.some((k) => k.principal.key === principal.key)) {
      throw keptAndGranted(principal, options.entity);
    }
    const entry = state.principals.get(principal.key);
    if (!entry) {
      const created: PrincipalEntry = { principal, grants: [grant], effectiveRole: grant.role };
      state.principals.set(principal.key, created);
      if (!state.resource && !state.additive) state.additive = this.createAdditive(state);
      return grant;
    }
    if (entry.principal.isGroup !== principal.isGroup) {
      throw new KkpValidationError(undefined, 
        `${principal.name} is granted on ${options.entity.inventoryPath} both as a user and as a group; ` +
          `use Principal.user or Principal.group consistently.`,
      );
    }
    const first = entry.grants[0];
    if (first.propagate !== grant.propagate) {
      throw new KkpValidationError(undefined, 
        `${principal.name} gets "${first.role.roleName}" (propagate: ${first.propagate}) and "${grant.role.roleName}" ` +
          `(propagate: ${grant.propagate}) on ${options.entity.inventoryPath}. vSphere allows one permission per principal ` +
          `per object, so both roles would have to be merged, but their propagation differs. Grant the non-propagating ` +
          `role to another principal, or set the same propagate on both.`,
      );
    }
    if (entry.grants.some((g) => g.role === grant.role)) return grant;
    entry.grants.push(grant);
    this.remerge(entry, options.entity);
    return grant;
  }

  /** See {@link VspherePermissions.manageAuthoritatively}. */
  public manageAuthoritatively(entity: IVsphereEntity, options: AuthoritativeOptions): void {
    if (entity.ownership === 'owned') {
      throw new KkpValidationError(undefined, 
        `${entity.inventoryPath} is created by this stack, so its permissions are managed authoritatively already; ` +
          `remove the manageAuthoritatively call.`,
      );
    }
    if (!options || !Array.isArray(options.keep)) {
      throw new KkpValidationError(undefined, 
        `manageAuthoritatively(${entity.inventoryPath}): options.keep must list the permissions to keep ([] for none).`,
      );
    }
    const keep = options.keep.map((k, i) => {
      const principal = Principal.of(k.principal, `manageAuthoritatively(${entity.inventoryPath}) keep[${i}].principal`);
      if (!k.role || typeof k.role.roleId !== 'string') {
        throw new KkpValidationError(undefined, `manageAuthoritatively(${entity.inventoryPath}) keep[${i}].role: give an IVsphereRole, e.g. PredefinedRole.ADMINISTRATOR.`);
      }
      if (typeof k.propagate !== 'boolean') {
        throw new KkpValidationError(undefined, `manageAuthoritatively(${entity.inventoryPath}) keep[${i}].propagate must be true or false.`);
      }
      return { principal, role: k.role, propagate: k.propagate };
    });
    const seen = new Set<string>();
    for (const k of keep) {
      if (seen.has(k.principal.key)) {
        throw new KkpValidationError(undefined, 
          `manageAuthoritatively(${entity.inventoryPath}): ${k.principal.name} is listed twice in keep; vSphere holds one permission per principal per object.`,
        );
      }
      seen.add(k.principal.key);
    }
    const state = this.stateFor(entity);
    if (state.authoritative) {
      throw new KkpValidationError(undefined, `manageAuthoritatively(${entity.inventoryPath}) was called twice; call it once with every permission to keep.`);
    }
    for (const k of keep) {
      if (state.principals.has(k.principal.key)) throw keptAndGranted(k.principal, entity);
    }
    state.authoritative = { keep };
    // Grants recorded before this call were additive: the object's one vsphere_entity_permissions holds them now.
    if (state.additive) this.node.tryRemoveChild(state.additive.node.id);
    state.additive = undefined;
    state.resource = this.createEntityPermissions(state);
    Annotations.of(state.resource).addWarning(
      `Authoritative management of shared object ${entity.inventoryPath}: every permission on it that is neither ` +
        `granted by this stack nor kept (${keep.length} kept) is removed on apply, and all of them on destroy.`,
    );
  }

  /** Every grant recorded so far, in order. */
  public get grants(): Grant[] {
    return [...this.entities.values()].flatMap((s) => [...s.principals.values()].flatMap((e) => e.grants));
  }

  private stateFor(entity: IVsphereEntity): EntityState {
    const key = `${entity.kind} ${entity.inventoryPath}`;
    let state = this.entities.get(key);
    if (state) {
      if (state.entity.ownership !== entity.ownership) {
        throw new KkpValidationError(undefined, 
          `${entity.inventoryPath} is both created by this stack and looked up as an existing object; use the created one.`,
        );
      }
      return state;
    }
    state = { entity, principals: new Map() };
    if (entity.ownership === 'owned') state.resource = this.createEntityPermissions(state);
    else state.vsphereProvider = vsphereProviderOf(entity);
    this.entities.set(key, state);
    return state;
  }

  private createEntityPermissions(state: EntityState): EntityPermissions {
    const entity = state.entity;
    const resource = new EntityPermissions(this, `Perms-${entity.kind}-${sanitize(entity.inventoryPath)}`, {
      entityId: entity.entityId,
      entityType: entity.entityType,
      permissions: new SynthValue(() => this.renderPermissions(state)) as any,
    });
    resource.addOverride('//.kkp', new PlainSynthValue(() => this.renderMetadata(state)));
    return resource;
  }

  /** The management mode of an object: decided at synth, since manageAuthoritatively may come after the grants. */
  private managementOf(state: EntityState): Management {
    return state.entity.ownership === 'owned' ? 'owned' : state.authoritative ? 'authoritative' : 'additive';
  }

  private additiveStates(): EntityState[] {
    return [...this.entities.values()].filter((s) => this.managementOf(s) === 'additive' && s.principals.size > 0);
  }

  /**
   * The additive grants on one shared object: one `kkpvsphere_permissions` listing the stack's principals there, each
   * with its effective role (a later grant may merge roles) and propagation, read at synth. With adopt (or a migration
   * from the provisioners), an `import` block adopts the permissions already on vCenter.
   */
  private createAdditive(state: EntityState): GrantPermissions {
    const entity = state.entity;
    const key = `${entity.kind} ${entity.inventoryPath}`;
    const id = `Grants-${sanitize(`${entity.kind}-${entity.inventoryPath}`)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
    const provider = kkpvsphereProvider(this, state.vsphereProvider);
    // A distributed switch's data source gives its UUID, not its managed object id: name it by its inventory path
    // (resolved by the provider at plan time).
    const byPath = entity.kind === 'distributedSwitch';
    const resource = new GrantPermissions(this, id, {
      ...(byPath ? { entityPath: escapeTemplate(entity.inventoryPath) } : { entityType: entity.entityType, entityId: entity.entityId }),
      permissions: new SynthValue(() => this.renderAdditive(state)) as any,
      ...(provider.alias ? { provider } : {}),
    });
    resource.principalsToImport = () => this.sortedEntries(state).filter((row) => this.migrating || this.importAll || row.adopt).map((row) => row.principal);
    resource.addOverride('//.kkp', new PlainSynthValue(() => this.renderMetadata(state)));
    return resource;
  }

  private adoptOf(state: EntityState, entry: PrincipalEntry): boolean {
    return entry.grants.some((g) => g.adopt) || (stackState(this, EXISTING_TO_ADOPT)?.(state.entity.inventoryPath, entry.principal.name, entry.principal.isGroup) ?? false);
  }

  /** The `permissions` map of an object's kkpvsphere_permissions: principal -> role id, group or user, propagation. */
  private renderAdditive(state: EntityState): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of this.sortedEntries(state)) {
      // Terraform reads a "${" in a literal (a JSON key too) as a template: a principal's name is no expression.
      out[escapeTemplate(row.principal.name)] = {
        // a vsphere_role's id (a reference: the role is created before the grant and deleted after it) or a predefined role's id
        role_id: row.role.roleId,
        is_group: row.principal.isGroup,
        propagate: row.propagate,
      };
    }
    return out;
  }

  /** Recomputes the one role a principal holds on an object from all roles granted to it there. */
  private remerge(entry: PrincipalEntry, entity: IVsphereEntity): void {
    const roles = entry.grants.map((g) => g.role);
    const unmodelled = roles.filter((r) => r.privileges === undefined);
    if (unmodelled.length) {
      throw new KkpValidationError(undefined, 
        `${entry.principal.name} gets ${roles.map((r) => `"${r.roleName}"`).join(' and ')} on ${entity.inventoryPath}; ` +
          `vSphere allows one role per principal per object and "${unmodelled[0].roleName}" cannot be merged. ` +
          `Grant only one of them there.`,
      );
    }
    // Read-only adds nothing: every role holds System.Read/View/Anonymous already.
    const meaningful = uniqueByName(roles.filter((r) => !(r.predefined && r.privileges!.length === 0)));
    const previousKey = entry.mergeKey;
    if (meaningful.length <= 1) {
      entry.effectiveRole = meaningful[0] ?? roles[0];
      entry.mergeKey = undefined;
    } else {
      const versions = new Set(meaningful.map((r) => r.vsphereVersion));
      if (versions.size > 1) {
        throw new KkpValidationError(undefined, 
          `${entry.principal.name} on ${entity.inventoryPath}: roles ${meaningful.map((r) => `"${r.roleName}" (${r.vsphereVersion})`).join(', ')} ` +
            `were checked against different vSphere versions and cannot be merged; use one vsphereVersion.`,
        );
      }
      const names = meaningful.map((r) => r.roleName).sort();
      const mergeKey = names.join('+');
      if (mergeKey === previousKey) return;
      let merged = this.mergedRoles.get(mergeKey);
      if (!merged) {
        const role = new VsphereRole(this, `Merged-${sanitize(mergeKey)}`, {
          roleName: mergeKey,
          privileges: [...new Set(meaningful.flatMap((r) => r.privileges!))],
          vsphereVersion: meaningful[0].vsphereVersion!,
          description: `union of ${names.join(', ')}: vSphere allows one role per principal per object`,
        });
        merged = { role, users: 0 };
        this.mergedRoles.set(mergeKey, merged);
      }
      merged.users++;
      entry.effectiveRole = merged.role;
      entry.mergeKey = mergeKey;
    }
    if (previousKey !== undefined && previousKey !== entry.mergeKey) this.releaseMerged(previousKey);
  }

  private releaseMerged(key: string): void {
    const merged = this.mergedRoles.get(key)!;
    if (--merged.users === 0) {
      this.mergedRoles.delete(key);
      merged.role._releaseName();
      this.node.tryRemoveChild(merged.role.node.id);
    }
  }

  private sortedEntries(state: EntityState): { principal: Principal; role: IVsphereRole; propagate: boolean; kept: boolean; adopt: boolean; via: string[] }[] {
    const rows = [
      ...[...state.principals.values()].map((e) => ({
        principal: e.principal,
        role: e.effectiveRole,
        propagate: e.grants[0].propagate,
        kept: false,
        adopt: this.adoptOf(state, e),
        via: e.grants.map((g) => g.role.roleName),
      })),
      ...(state.authoritative?.keep ?? []).map((k) => ({ ...k, kept: true, adopt: false, via: [] as string[] })),
    ];
    return rows.sort((a, b) => (a.principal.key < b.principal.key ? -1 : a.principal.key > b.principal.key ? 1 : 0));
  }

  private renderPermissions(state: EntityState): unknown[] {
    return this.sortedEntries(state).map((row) => ({
      user_or_group: row.principal.name,
      is_group: row.principal.isGroup,
      propagate: row.propagate,
      role_id: row.role.roleId,
    }));
  }

  private renderMetadata(state: EntityState): ObjectPermissionsMetadata {
    const management = this.managementOf(state);
    return {
      entity: state.entity.inventoryPath,
      kind: state.entity.kind,
      ...(Token.isUnresolved(state.entity.entityType) ? {} : { entityType: state.entity.entityType }),
      management,
      permissions: this.sortedEntries(state).map((row) => ({
        principal: row.principal.name,
        isGroup: row.principal.isGroup,
        role: row.role.roleName,
        propagate: row.propagate,
        ...(row.kept ? { kept: true } : { grantedRoles: row.via }),
        ...(row.adopt && management === 'additive' ? { adopt: true } : {}),
      })),
    };
  }

  private validateManagement(): string[] {
    const errors: string[] = [];
    for (const state of this.entities.values()) {
      if (this.managementOf(state) === 'additive') continue;
      for (const entry of state.principals.values()) {
        if (entry.grants.some((g) => g.adopt)) {
          errors.push(
            `The grant to ${entry.principal.name} on ${state.entity.inventoryPath} sets adopt, but that object's permissions are ` +
              `managed by one vsphere_entity_permissions (${this.managementOf(state)}), which replaces whatever is there anyway. ` +
              `Remove adopt: it applies to additive grants on shared objects only.`,
          );
        }
      }
    }
    return errors;
  }
}

/** The stack's adoption of a hand-made set-up: which existing (object, principal) permissions its grants take over. */
const EXISTING_TO_ADOPT = stackSlot<((object: string, principal: string, isGroup: boolean) => boolean) | undefined>('adopt-existing-permissions', () => undefined);

/** Escapes Terraform template sequences in a literal: `${` → `$${`, `%{` → `%%{`. */
function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function keptAndGranted(principal: Principal, entity: IVsphereEntity): KkpValidationError {
  return new KkpValidationError(undefined, 
    `${principal.name} is both kept and granted on ${entity.inventoryPath}; vSphere holds one permission per principal ` +
      `per object. Remove it from keep (the grant replaces it) or do not grant it there.`,
  );
}

function uniqueByName(roles: IVsphereRole[]): IVsphereRole[] {
  const seen = new Map<string, IVsphereRole>();
  for (const r of roles) if (!seen.has(r.roleName)) seen.set(r.roleName, r);
  return [...seen.values()];
}

/** The construct id of a grant's `kkpvsphere_permission` in the versions that wrote one per object and principal. */
function perPrincipalId(entity: IVsphereEntity, principal: Principal): string {
  const key = additiveGrantKey(entity.inventoryPath, principal.name, principal.isGroup);
  return `Grant-${sanitize(`${entity.kind}-${entity.inventoryPath}-${principal.isGroup ? 'group' : 'user'}-${principal.name}`)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
}

/** A grant needs a role and an object: say which is missing instead of failing inside the aggregation. */
function checkGrantOptions(options: GrantOptions): void {
  if (!options || typeof options !== 'object') {
    throw new KkpValidationError(undefined, 'grant: pass { principal, role, entity, propagate }, e.g. { principal: "VSPHERE.LOCAL\\\\kkp", role: roles.role("k8c-user-datacenter"), entity: inventory.datacenter, propagate: false }.');
  }
  const entity = options.entity as IVsphereEntity | undefined;
  if (!entity || typeof entity.inventoryPath !== 'string' || !entity.scope) {
    const role = options.role && typeof options.role.roleName === 'string' ? ` of "${options.role.roleName}"` : '';
    throw new KkpValidationError(undefined, `grant${role}: entity is ${entity === undefined ? 'undefined' : 'not an inventory object'}; pass an object from VsphereInventory (e.g. inventory.datacenter) or a VmFolder.`);
  }
  const role = options.role as IVsphereRole | undefined;
  if (!role || typeof role.roleName !== 'string' || typeof role.roleId !== 'string') {
    throw new KkpValidationError(undefined, 
      `grant on ${entity.inventoryPath}: role is ${role === undefined ? 'undefined' : 'not a vSphere role'}; pass a VsphereRole, ` +
        `a role of KkpRoles (roles.role('k8c-user-datacenter')) or a PredefinedRole such as PredefinedRole.READ_ONLY.`,
    );
  }
}

/**
 * The additive grants on one object, a `kkpvsphere_permissions`: with adopt or a migration (decided at synth, since
 * both may be set after the grants), it carries an `import` block by `<type>:<moid>:<principal>[:<principal>...]`
 * naming the principals to adopt, known at plan from the object's data source (an object named by path: by
 * `<path>:<principal>[:<principal>...]`). The plan imports them and adds the
 * object's other principals in the same apply.
 */
class GrantPermissions extends Permissions {
  /** @internal */
  public principalsToImport: () => Principal[] = () => [];

  public toTerraform(): any {
    this.importAdopted();
    return super.toTerraform();
  }

  public toHclTerraform(): any {
    this.importAdopted();
    return super.toHclTerraform();
  }

  private importAdopted(): void {
    const principals = this.principalsToImport().map((p) => ({ name: escapeTemplate(p.name), isGroup: p.isGroup }));
    if (principals.length && this.entityIdInput !== undefined) {
      this.importFrom(permissionsImportId(this.entityTypeInput!, this.entityIdInput, principals));
    } else if (principals.length && this.entityPathInput !== undefined) {
      // An object named by path (a distributed switch: its data source gives a UUID, not the managed object id) is
      // imported by its path, which the provider resolves.
      this.importFrom(permissionsImportIdByPath(this.entityPathInput, principals));
    }
  }
}

/**
 * The vSphere provider an object's data source uses: the object's managed object id is an attribute of a data source
 * (`${data.vsphere_datastore.<name>.id}`), whose `provider` is the app's choice; undefined means the stack's default
 * (unaliased) vSphere provider.
 */
function vsphereProviderOf(entity: IVsphereEntity): TerraformProvider | undefined {
  const stack = stackOf(entity.scope);
  // a data source's attribute is a cdktf Reference whose identifier is its address
  const tokens = Token.isUnresolved(entity.entityId) ? Tokenization.reverseString(entity.entityId).tokens : [];
  const identifier = tokens.length === 1 ? (tokens[0] as unknown as { identifier?: unknown }).identifier : undefined;
  const m = typeof identifier === 'string' ? /^data\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.id$/.exec(identifier) : null;
  if (!m) return undefined;
  const source = stack.node
    .findAll()
    .find((c): c is TerraformDataSource => c instanceof TerraformDataSource && c.terraformResourceType === m[1] && c.friendlyUniqueId === m[2]);
  return source?.provider;
}

/**
 * The kkpvsphere provider for resources about `entity`: beside the vSphere provider that the entity's data source
 * uses (the stack's default one when the app set none). See {@link kkpvsphereProvider}.
 */
export function kkpvsphereProviderFor(entity: IVsphereEntity): KkpvsphereProvider {
  return kkpvsphereProvider(entity.scope, vsphereProviderOf(entity));
}

/** The stack's vSphere provider without alias, when the app has made one. */
function defaultVsphereProvider(stack: TerraformStack): TerraformProvider | undefined {
  return stack.node
    .findAll()
    .find((c): c is TerraformProvider => c instanceof TerraformProvider && c.terraformResourceType === 'vsphere' && !c.alias);
}

/** The vSphere provider arguments the kkpvsphere provider takes over (same names, same VSPHERE_* defaults). */
const SHARED_PROVIDER_ARGUMENTS = ['vsphereServer', 'user', 'password', 'allowUnverifiedSsl'] as const;

/**
 * The kkpvsphere provider beside a vSphere provider of the stack of `scope` (`vsphere` undefined: the default one),
 * created on first use: one per vSphere provider, with its alias, configured with the same `vsphere_server`, `user`,
 * `password` and `allow_unverified_ssl` expressions the app gave that provider (read at synth), and nothing where it
 * gave nothing (both read `VSPHERE_*` then). A kkpvsphere provider the app made itself (same alias) is used as is.
 * No value is copied into the configuration that was not already there: a variable stays a variable, a null a null,
 * and the synth checks refuse a literal credential in either provider.
 */
export function kkpvsphereProvider(scope: IConstruct, vsphere?: TerraformProvider): KkpvsphereProvider {
  const stack = stackOf(scope);
  const alias = vsphere?.alias;
  // Found or made once per stack and alias: every grant asks, and a walk of the whole tree per grant made synth
  // quadratic in the number of user clusters.
  const known = stackState(stack, KKPVSPHERE_PROVIDERS);
  const cached = known.get(alias ?? '');
  if (cached) return cached;
  const existing = stack.node
    .findAll()
    .find((c): c is KkpvsphereProvider => c instanceof TerraformProvider && c.terraformResourceType === 'kkpvsphere' && c.alias === alias);
  if (existing) {
    known.set(alias ?? '', existing);
    return existing;
  }
  const from = (name: (typeof SHARED_PROVIDER_ARGUMENTS)[number]) =>
    Lazy.anyValue({
      produce: () => {
        const source = (vsphere ?? defaultVsphereProvider(stack)) as unknown as Record<string, unknown> | undefined;
        return source?.[name];
      },
    }) as any;
  const made = new LibraryKkpvsphereProvider(stack, alias ? `kkpvsphere-${alias}` : 'kkpvsphere', {
    ...(alias ? { alias } : {}),
    vsphereServer: from('vsphereServer'),
    user: from('user'),
    password: from('password'),
    allowUnverifiedSsl: from('allowUnverifiedSsl'),
  });
  known.set(alias ?? '', made);
  return made;
}

/** The kkpvsphere provider of each alias ('' for none) that {@link kkpvsphereProvider} found or made in a stack. */
const KKPVSPHERE_PROVIDERS = stackSlot<Map<string, KkpvsphereProvider>>('kkpvsphere-providers', () => new Map());

/**
 * The kkpvsphere provider the library adds: written only while a resource or data source of the provider uses it (a
 * grant made additive and then taken over by manageAuthoritatively leaves none), so a stack without one needs no
 * kkpvsphere provider at `init`.
 */
class LibraryKkpvsphereProvider extends KkpvsphereProvider {
  public toTerraform(): any {
    return this.used() ? super.toTerraform() : {};
  }

  public toHclTerraform(): any {
    return this.used() ? super.toHclTerraform() : {};
  }

  private used(): boolean {
    return TerraformStack.of(this)
      .node.findAll()
      .some((c) => {
        const element = c as { terraformResourceType?: unknown; provider?: TerraformProvider };
        if (typeof element.terraformResourceType !== 'string' || !element.terraformResourceType.startsWith('kkpvsphere_')) return false;
        return element.provider === this || (element.provider === undefined && this.alias === undefined);
      });
  }
}

/** Whether the stack of `scope` moves from the provisioner version ({@link VspherePermissions.migrateFromProvisioners}). */
const MIGRATING = stackSlot<boolean>('migrate-from-provisioners', () => false);
/** Addresses the provisioner version gave resources this stack replaces, forgotten when the stack migrates. */
const PROVISIONER_ERA_ADDRESSES = stackSlot<Set<string>>('provisioner-era-addresses', () => new Set());

/** Whether the stack of `scope` moves from the provisioner version (read at synth: the call may come later). @internal */
export function migratingFromProvisioners(scope: IConstruct): boolean {
  return stackState(scope, MIGRATING);
}

/**
 * Records the address the provisioner version gave the resource that `scope` replaces (e.g. a VmTemplate's
 * `terraform_data` `<template>/Import`): a stack that migrates forgets it without running its destroy provisioner.
 * @internal
 */
export function provisionerEraResource(scope: IConstruct, type: string, childId: string): void {
  const stack = TerraformStack.of(scope);
  // the logical id cdktf gave a child `childId` of `scope`, by the stack's own naming scheme
  const node = { scopes: [...scope.node.scopes, { node: { id: childId } }] };
  stackState(scope, PROVISIONER_ERA_ADDRESSES).add(`${type}.${stack.getLogicalId(node as any)}`);
}

/** The `removed` blocks of a stack's migration from the provisioners: one element per stack, created on first use. */
class ForgottenResources extends TerraformElement {
  public readonly addresses = new Set<string>();
  /** Addresses known at synth only (the grants may come after the call that forgets them). */
  public readonly later: (() => string[])[] = [];

  public toTerraform(): any {
    const all = this.all();
    return all.length ? { removed: all.map((from) => ({ from, lifecycle: { destroy: false } })) } : {};
  }

  private all(): string[] {
    return [...new Set([...this.addresses, ...stackState(this, PROVISIONER_ERA_ADDRESSES), ...this.later.flatMap((f) => f())])].sort();
  }
}

/**
 * Emits `removed { from = <address>; lifecycle { destroy = false } }` in the stack of `scope`: the next plan forgets
 * that resource (every instance) without destroying it, so its destroy-time provisioners do not run either. For the
 * one-time move from the provisioner version of this library.
 */
export function forgetProvisionerResource(scope: IConstruct, address: string): void {
  forgottenResources(scope).addresses.add(address);
}

/** Like {@link forgetProvisionerResource}, for addresses computed at synth. */
function forgetResources(scope: IConstruct, addresses: () => string[]): void {
  forgottenResources(scope).later.push(addresses);
}

function forgottenResources(scope: IConstruct): ForgottenResources {
  const stack = stackOf(scope);
  const id = 'KkpForgottenProvisionerResources';
  return (stack.node.tryFindChild(id) as ForgottenResources | undefined) ?? new ForgottenResources(stack, id);
}
