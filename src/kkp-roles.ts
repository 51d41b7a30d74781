// The KKP roles of one release's documentation page as vsphere_role resources, created on first use.
import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import {
  KkpCustomRoleName,
  KkpRoleDefinition,
  KkpRoleKey,
  KkpRoleProfile,
  VSPHERE_VERSIONS,
  VsphereVersion,
  assertVsphereVersion,
  kkpRoleDefinition,
  kkpRoleProfile,
  resolveKkpRole,
} from './privileges';
import { KkpRelease, kkpReleaseAtLeast } from './kkp-spec/releases';
import { stackKkpRelease } from './kkp-release';
import { IVsphereRole, VsphereRole } from './permissions';
import { VsphereInventory } from './inventory';
import { describeValue } from './validation';

/** Props of {@link KkpRoles}. */
export interface KkpRolesProps {
  /** The vSphere version of the vCenter: privilege sets differ by version. */
  readonly vsphereVersion: VsphereVersion;
  /**
   * The KKP release (minor version, e.g. `'2.28'`) whose vSphere page the roles follow. It is the stack's release:
   * credentials handling and spec formats of the other KKP constructs in the stack follow it too.
   * @default - the stack's release when another KKP construct set it, else the newest release the library knows
   */
  readonly kkpRelease?: KkpRelease;
  /**
   * Prepended to every role name, so that several KKP installations can share one vCenter
   * (`prod-` gives `prod-k8c-user-folder-propagate`).
   * @default '' - the names of the KKP documentation
   */
  readonly namePrefix?: string;
}

/**
 * The custom roles of KKP's vSphere documentation for one KKP release and one vSphere version. A role becomes a
 * `vsphere_role` when a construct first asks for it; the predefined Read-only role is referenced by id, never created.
 */
export class KkpRoles extends Construct {
  public readonly vsphereVersion: VsphereVersion;
  public readonly namePrefix: string;
  /** The KKP release the roles follow (the stack's). */
  public readonly kkpRelease: KkpRelease;
  /** The role profile of that release: its roles as the page lists them. */
  public readonly profile: KkpRoleProfile;
  private readonly created = new Map<KkpRoleKey, VsphereRole>();

  constructor(scope: Construct, id: string, props: KkpRolesProps) {
    super(scope, id);
    const where = `KkpRoles ${this.node.path}`;
    if (!props || typeof props !== 'object') {
      throw new Error(`${where}: props are missing; give at least vsphereVersion, e.g. { vsphereVersion: '8.0' }.`);
    }
    assertVsphereVersion(props.vsphereVersion, `${where} vsphereVersion`);
    const prefix = props.namePrefix ?? '';
    if (typeof prefix !== 'string' || /[\s\u0000-\u001f]/.test(prefix)) {
      throw new Error(`${where} namePrefix: ${JSON.stringify(prefix)} is not a name prefix (it holds white space or a control character, or is no string); use e.g. "prod-".`);
    }
    // The prefix becomes part of every role name in vCenter and in cdk.tf.json: no Terraform template syntax.
    if (/\$\{|%\{/.test(prefix)) {
      throw new Error(`${where} namePrefix: "${prefix}" contains "\${" or "%{", which Terraform would evaluate inside the role name; use plain text such as "prod-".`);
    }
    this.vsphereVersion = props.vsphereVersion;
    this.namePrefix = prefix;
    this.kkpRelease = stackKkpRelease(this, props.kkpRelease, where);
    this.profile = kkpRoleProfile(this.kkpRelease);
    const minimum = this.profile.minimumVsphere;
    if (minimum && VSPHERE_VERSIONS.indexOf(this.vsphereVersion) < VSPHERE_VERSIONS.indexOf(minimum)) {
      Annotations.of(this).addWarning(
        `KKP ${this.kkpRelease}'s vSphere page gives its roles for vSphere ${minimum} and later (tested with ${this.profile.testedWith}); ` +
          `vsphereVersion is ${this.vsphereVersion}.`,
      );
    }
  }

  /** Whether the release's page has the role (by key such as `storage-cns`, or by a name any page gave it). */
  public has(nameOrKey: KkpRoleKey | KkpCustomRoleName): boolean {
    try {
      kkpRoleDefinition(nameOrKey, this.kkpRelease);
      return true;
    } catch {
      return false;
    }
  }

  /** The definition of a role of the release's page. */
  public definition(nameOrKey: KkpRoleKey | KkpCustomRoleName): KkpRoleDefinition {
    return this.lookup(nameOrKey, 'definition');
  }

  /** The definition, with an error that names this KkpRoles by its path and the method called. */
  private lookup(nameOrKey: KkpRoleKey | KkpCustomRoleName, method: string): KkpRoleDefinition {
    this.checkNameOrKey(nameOrKey, method);
    try {
      return kkpRoleDefinition(nameOrKey, this.kkpRelease);
    } catch (e) {
      throw new Error(`KkpRoles ${this.node.path} ${method}(${JSON.stringify(nameOrKey)}): ${(e as Error).message}`);
    }
  }

  /** A role asked for with something that is no name or key (undefined, a role object) is named, not looked up. */
  private checkNameOrKey(nameOrKey: unknown, method: string): void {
    if (typeof nameOrKey === 'string' && nameOrKey !== '') return;
    throw new Error(
      `KkpRoles ${this.node.path} ${method}(nameOrKey): expected a role key such as "user-folder" or a role name such as ` +
        `"k8c-user-folder-propagate", got ${nameOrKey === '' ? '""' : nameOrKey === null || nameOrKey === undefined ? String(nameOrKey) : `a ${typeof nameOrKey}`}; ` +
        `the keys of KKP ${this.kkpRelease} are ${this.profile.roles.map((r) => r.key).join(', ')}.`,
    );
  }

  /**
   * The role of the release's page, created in this stack on first use: by key (`user-folder`) or by a name any page
   * gave it (`k8c-storage-vmfolder-propagate` gives `k8c-ccm-storage-vmfolder-propagate` from KKP 2.18 on).
   */
  public role(nameOrKey: KkpRoleKey | KkpCustomRoleName): IVsphereRole {
    const def = this.lookup(nameOrKey, 'role');
    let role = this.created.get(def.key);
    if (!role) {
      const resolved = resolveKkpRole(def.key, this.vsphereVersion, this.kkpRelease);
      role = new VsphereRole(this, def.name, {
        roleName: `${this.namePrefix}${def.name}`,
        privileges: resolved.privileges.map((p) => p.id),
        vsphereVersion: this.vsphereVersion,
        description: `KKP role ${def.name} (${this.principalLabel(def)}), ` +
          `granted on ${def.grantedOn.join(' or ')}${def.propagate ? ', propagated' : ', not propagated'}`,
      });
      this.created.set(def.key, role);
    }
    return role;
  }

  private principalLabel(def: KkpRoleDefinition): string {
    if (def.principal === 'storage') {
      return kkpReleaseAtLeast(this.kkpRelease, '2.18') ? 'CCM / CSI storage' : 'Seed Cluster / storage';
    }
    return kkpReleaseAtLeast(this.kkpRelease, '2.23') ? 'infrastructure management / machine-controller' : 'User Cluster / machine-controller';
  }
}

/**
 * The roles and inventory a KKP permission construct grants with, checked at its boundary: an undefined one is named
 * with the construct path instead of ending in a TypeError inside the grant.
 */
export function checkRolesAndInventory(where: string, props: { readonly roles?: unknown; readonly inventory?: unknown } | undefined): void {
  if (!props || typeof props !== 'object') {
    throw new Error(`${where}: props are missing; give roles, inventory and the principals and objects to grant on.`);
  }
  if (!(props.roles instanceof KkpRoles)) {
    throw new Error(`${where} roles: expected the stack's KkpRoles, got ${describeValue(props.roles)}; pass new KkpRoles(this, 'Roles', { vsphereVersion }).`);
  }
  if (!(props.inventory instanceof VsphereInventory)) {
    throw new Error(`${where} inventory: expected the VsphereInventory of the datacenter, got ${describeValue(props.inventory)}; pass new VsphereInventory(this, 'Inventory', { datacenter }).`);
  }
}

