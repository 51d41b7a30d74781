// The KKP roles of one release's documentation page as vsphere_role resources, created on first use.
import { Construct } from 'constructs';
import { Annotations } from '../framework/core';
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
  READ_ONLY_ROLE,
  resolveKkpRole,
} from '../facts/privileges';
import { KkpRelease, kkpReleaseAtLeast } from '../facts/kkp/releases';
import { stackKkpRelease } from '../core/stack-release';
import { Grant, IVsphereRole, PredefinedRole, Principal, VsphereRole, VspherePermissions } from '../core/permissions';
import { IVsphereEntity, VsphereInventory } from '../core/inventory';
import { describeValue } from '../base/validation';
import { KkpAdoption, noteAdoptable } from './kkp-adoption';
import type { DiscoveredRole } from '../contracts/discovery-file';
import { InputRef } from '../base/errors';

const PREDEFINED_ROLE_IDS = [PredefinedRole.ADMINISTRATOR, PredefinedRole.READ_ONLY, PredefinedRole.NO_ACCESS].map((r) => r.roleId);

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
  /**
   * Roles that already exist on the vCenter (made by hand from the documentation) to import instead of create: role
   * key or any page's name → vCenter role id (what `cdktf-kkp-vsphere discover` prints). The plan then shows each
   * difference from the documentation (privileges, a rename to `<namePrefix><name>`) as an in-place change; the role
   * id, and every permission that uses it, stay. With the stack's `KkpAdoption`, roles named as this stack names them
   * are adopted without listing them here.
   * @default - none, besides what the stack's KkpAdoption adopts
   */
  readonly adopt?: Readonly<Partial<Record<KkpRoleKey | KkpCustomRoleName, number>>>;
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
  private readonly adoptIds = new Map<KkpRoleKey, number>();

  constructor(scope: Construct, id: string, props: KkpRolesProps) {
    super(scope, id);
    const where = InputRef.of(this, 'KkpRoles');
    if (!props || typeof props !== 'object') {
      throw where.error(`props are missing; give at least vsphereVersion, e.g. { vsphereVersion: '8.0' }.`);
    }
    assertVsphereVersion(props.vsphereVersion, where.at('vsphereVersion'));
    const prefix = props.namePrefix ?? '';
    if (typeof prefix !== 'string' || /[\s\u0000-\u001f]/.test(prefix)) {
      throw where.at('namePrefix').error(`${JSON.stringify(prefix)} is not a name prefix (it holds white space or a control character, or is no string); use e.g. "prod-".`);
    }
    // The prefix becomes part of every role name in vCenter and in cdk.tf.json: no Terraform template syntax.
    if (/\$\{|%\{/.test(prefix)) {
      throw where.at('namePrefix').error(`"${prefix}" contains "\${" or "%{", which Terraform would evaluate inside the role name; use plain text such as "prod-".`);
    }
    this.vsphereVersion = props.vsphereVersion;
    this.namePrefix = prefix;
    this.kkpRelease = stackKkpRelease(this, props.kkpRelease, where);
    this.profile = kkpRoleProfile(this.kkpRelease);
    noteAdoptable(this);
    for (const [nameOrKey, id] of Object.entries(props.adopt ?? {})) {
      let def: KkpRoleDefinition;
      try {
        def = kkpRoleDefinition(nameOrKey as KkpRoleKey, this.kkpRelease);
      } catch (err) {
        throw where.at('adopt').error(`${(err as Error).message}`);
      }
      // Custom role ids may be negative too (-709298051 in the provider's own import example); the predefined
      // roles the library knows are refused here, any other system role by the provider's import at plan time.
      if (!Number.isInteger(id) || PREDEFINED_ROLE_IDS.includes(String(id))) {
        throw where.at(`adopt.${nameOrKey}`).error(
          `${JSON.stringify(id)} is not the id of a custom role; give the role id discover ` +
            'printed (predefined roles such as Administrator -1 and Read-only -2 cannot be imported, and are never created).',
        );
      }
      if (this.adoptIds.has(def.key)) throw where.at('adopt').error(`${def.name} is given twice (by key and by name); give it once.`);
      this.adoptIds.set(def.key, id as number);
    }
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
      throw InputRef.of(this, 'KkpRoles').at(`${method}(${JSON.stringify(nameOrKey)})`).error((e as Error).message);
    }
  }

  /** A role asked for with something that is no name or key (undefined, a role object) is named, not looked up. */
  private checkNameOrKey(nameOrKey: unknown, method: string): void {
    if (typeof nameOrKey === 'string' && nameOrKey !== '') return;
    throw InputRef.of(this, 'KkpRoles').at(`${method}(nameOrKey)`).error(
      `expected a role key such as "user-folder" or a role name such as ` +
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
      this.adoptIfAsked(def, role);
    }
    return role;
  }

  /**
   * Grants a role of the release's page to `principal` on `entity` as the role table says: the object is of a kind the
   * table grants the role on (`grantedOn`), and the permission propagates as the table says (`propagate`). The
   * table is the one home of both; the constructs read them from here, as aws-cdk's grants read their actions from a
   * table. `propagate` is given only where a construct departs from the page on purpose, and says why there.
   */
  public grant(nameOrKey: KkpRoleKey | KkpCustomRoleName, principal: Principal | string, entity: IVsphereEntity, options: { readonly propagate?: boolean } = {}): Grant {
    const def = this.lookup(nameOrKey, 'grant');
    const propagate = options.propagate ?? def.propagate;
    this.checkTarget(`grant(${JSON.stringify(nameOrKey)})`, def.name, def.grantedOn, entity, propagate);
    return VspherePermissions.grant({ principal, role: this.role(def.key), entity, propagate });
  }

  /**
   * Grants the predefined Read-only role to `principal` on `entity`, where the release's page grants it to the storage
   * user (`readOnlyOn`: the datacenter, from 2.26 every node host), propagated as the table says (not).
   */
  public grantReadOnly(principal: Principal | string, entity: IVsphereEntity): Grant {
    this.checkTarget('grantReadOnly', READ_ONLY_ROLE.name, this.profile.readOnlyOn, entity, READ_ONLY_ROLE.propagate);
    return VspherePermissions.grant({ principal, role: PredefinedRole.READ_ONLY, entity, propagate: READ_ONLY_ROLE.propagate });
  }

  private checkTarget(method: string, role: string, grantedOn: readonly string[], entity: IVsphereEntity, propagate: boolean): void {
    if (grantedOn.includes(entity.kind)) return;
    // A datastore cluster (a StoragePod) is the parent of its datastores in the inventory: a propagated permission on
    // it reaches every datastore in it, which is what the page's grant on the datastore asks for (SeedPermissions
    // takes datastore clusters for `datastores`). The role table keeps saying 'datastore': role descriptions are
    // rendered from it, and the synthesized Terraform does not change.
    if (entity.kind === 'datastoreCluster' && propagate && grantedOn.includes('datastore')) return;
    throw InputRef.of(this, 'KkpRoles').at(method).error(
      `KKP ${this.kkpRelease}'s page grants ${role} on ${grantedOn.join(' or ')}, ` +
        `not on the ${entity.kind} ${entity.inventoryPath}; grant it where the page says.`,
    );
  }

  // Import (never recreate) a role that exists: explicitly by id, or by name from the stack's discovery file.
  private adoptIfAsked(def: KkpRoleDefinition, role: VsphereRole): void {
    const where = InputRef.of(this, 'KkpRoles');
    const adoption = KkpAdoption.of(this);
    const id = this.adoptIds.get(def.key);
    let found: DiscoveredRole | undefined;
    if (id !== undefined) {
      found = adoption?.roleById(id);
      if (adoption && !found) {
        throw where.at(`adopt.${def.key}`).error(
          `discover found no KKP role with id ${id} (${adoption.source} lists ` +
            `${adoption.discovery.roles.map((r) => `${r.name} = ${r.id}`).join(', ') || 'none'}). Check the id, or run discover again.`,
        );
      }
      if (found && found.key !== def.key) {
        throw where.at(`adopt.${def.key}`).error(
          `role id ${id} is "${found.name}", which is KKP's ${found.key ?? found.kkpName} role, not ` +
            `${def.name}; adopting it would turn it into another role. Give the id of the ${def.name} role.`,
        );
      }
    } else if (adoption?.adoptsRoles) {
      // By exact name; else the same role under an older page's name with this stack's prefix (imported as a rename).
      found =
        adoption.role(role.roleName) ??
        adoption.discovery.roles.find((r) => r.key === def.key && r.prefix === this.namePrefix && r.kkpName !== def.name);
      if (!found) {
        const elsewhere = adoption.discovery.roles.filter((r) => r.key === def.key).map((r) => `"${r.name}" (id ${r.id})`);
        if (elsewhere.length) {
          // Another installation's role, or this one's under another prefix: never taken over by a guess.
          Annotations.of(this).addWarning(
            `${def.name}: the stack creates "${role.roleName}", and ${adoption.source} lists ${elsewhere.join(', ')} with ` +
              `another prefix, which stays untouched. To adopt it instead, set namePrefix to its prefix or adopt.${def.key} to its id.`,
          );
        }
        return;
      }
      if (found.key !== def.key) {
        throw where.error(
          `the vCenter role "${found.name}" (id ${found.id}) that ${adoption.source} lists is not KKP ${this.kkpRelease}'s ` +
            `${def.name} role; choose another namePrefix, or set roles: false on the KkpAdoption.`,
        );
      }
    } else {
      return;
    }
    const roleId = id ?? found!.id;
    role.resource.importFrom(String(roleId));
    role.resource.addOverride('//.kkp.adopted', {
      id: roleId,
      ...(found ? { name: found.name, missing: found.missing, extra: found.extra } : {}),
    });
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
export function checkRolesAndInventory(where: InputRef, props: { readonly roles?: unknown; readonly inventory?: unknown } | undefined): void {
  if (!props || typeof props !== 'object') {
    throw where.error(`props are missing; give roles, inventory and the principals and objects to grant on.`);
  }
  if (!(props.roles instanceof KkpRoles)) {
    throw where.at('roles').error(`expected the stack's KkpRoles, got ${describeValue(props.roles)}; pass new KkpRoles(this, 'Roles', { vsphereVersion }).`);
  }
  if (!(props.inventory instanceof VsphereInventory)) {
    throw where.at('inventory').error(`expected the VsphereInventory of the datacenter, got ${describeValue(props.inventory)}; pass new VsphereInventory(this, 'Inventory', { datacenter }).`);
  }
}

