// The KKP roles of the documentation as vsphere_role resources, created on first use.
import { Construct } from 'constructs';
import { KkpCustomRoleName, VsphereVersion, assertVsphereVersion, kkpRoleDefinition, resolveKkpRole } from './privileges';
import { IVsphereRole, VsphereRole } from './permissions';

/** Props of {@link KkpRoles}. */
export interface KkpRolesProps {
  /** The vSphere version of the vCenter: privilege sets differ by version. */
  readonly vsphereVersion: VsphereVersion;
  /**
   * Prepended to every role name, so that several KKP installations can share one vCenter
   * (`prod-` gives `prod-k8c-user-folder-propagate`).
   * @default '' - the names of the KKP documentation
   */
  readonly namePrefix?: string;
}

/**
 * The custom roles of KKP's vSphere documentation for one vSphere version. A role becomes a `vsphere_role`
 * when a construct first asks for it; the predefined Read-only role is referenced by id, never created.
 */
export class KkpRoles extends Construct {
  public readonly vsphereVersion: VsphereVersion;
  public readonly namePrefix: string;
  private readonly created = new Map<KkpCustomRoleName, VsphereRole>();

  constructor(scope: Construct, id: string, props: KkpRolesProps) {
    super(scope, id);
    assertVsphereVersion(props.vsphereVersion, `KkpRoles ${id} vsphereVersion`);
    const prefix = props.namePrefix ?? '';
    if (/[\s\u0000-\u001f]/.test(prefix)) {
      throw new Error(`KkpRoles ${id} namePrefix: "${prefix}" contains white space or a control character; use e.g. "prod-".`);
    }
    this.vsphereVersion = props.vsphereVersion;
    this.namePrefix = prefix;
  }

  /** The role `name` of the KKP documentation, created in this stack on first use. */
  public role(name: KkpCustomRoleName): IVsphereRole {
    let role = this.created.get(name);
    if (!role) {
      const def = kkpRoleDefinition(name);
      const resolved = resolveKkpRole(name, this.vsphereVersion);
      role = new VsphereRole(this, name, {
        roleName: `${this.namePrefix}${name}`,
        privileges: resolved.privileges.map((p) => p.id),
        vsphereVersion: this.vsphereVersion,
        description: `KKP role ${name} (${def.principal === 'storage' ? 'Seed Cluster / storage' : 'User Cluster / machine-controller'}), ` +
          `granted on ${def.grantedOn.join(' or ')}${def.propagate ? ', propagated' : ', not propagated'}`,
      });
      this.created.set(name, role);
    }
    return role;
  }
}
