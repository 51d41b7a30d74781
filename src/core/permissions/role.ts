// vSphere roles: custom roles the stack creates, and predefined roles it only refers to.
import { Construct } from 'constructs';
import { Annotations, TerraformStack } from '../../framework/core';
import { Role } from '../../framework/providers/vsphere/role';
import { VsphereVersion, assertVsphereVersion, checkPrivileges } from '../../facts/privileges';
import { templateSyntax } from '../../base/validation';
import { stackSlot, stackState } from '../stack-state';
import { InputRef, KkpValidationError, inputError } from '../../base/errors';

/** A role that can be granted. */
export interface IVsphereRole {
  /** The role's name in vCenter. */
  readonly roleName: string;
  /** The role id for `vsphere_entity_permissions` (a token for custom roles, e.g. `-2` for Read-only). */
  readonly roleId: string;
  /**
   * The privilege IDs, sorted, System.* excluded; `undefined` for a predefined role whose privileges the
   * library does not model (such a role cannot be merged with another).
   */
  readonly privileges: readonly string[] | undefined;
  /** The vSphere version the privileges were checked against (custom roles only). */
  readonly vsphereVersion?: VsphereVersion;
  readonly predefined: boolean;
}

/** vCenter's predefined roles, referenced by their fixed ids and never created. */
export class PredefinedRole implements IVsphereRole {
  /** Read-only (id -2): only the implicit System.Anonymous, System.Read and System.View. */
  public static readonly READ_ONLY = new PredefinedRole('Read-only', '-2', []);
  /** No access (id -5). */
  public static readonly NO_ACCESS = new PredefinedRole('No access', '-5', undefined);
  /** Administrator (id -1). */
  public static readonly ADMINISTRATOR = new PredefinedRole('Administrator', '-1', undefined);

  /** A predefined or pre-existing role by its numeric id, for permissions the stack must keep. */
  public static fromId(roleId: number | string, roleName = `role ${roleId}`): IVsphereRole {
    const id = String(roleId);
    if (!/^-?\d+$/.test(id)) {
      throw inputError('PredefinedRole.fromId', `"${id}" is not a vSphere role id (an integer such as -1 or 1001).`);
    }
    return new PredefinedRole(roleName, id, undefined);
  }

  public readonly predefined = true;
  private constructor(
    public readonly roleName: string,
    public readonly roleId: string,
    public readonly privileges: readonly string[] | undefined,
  ) {}
}

/** Role names vCenter reserves for its predefined roles. */
const RESERVED_ROLE_NAMES = ['Admin', 'Administrator', 'ReadOnly', 'Read-only', 'View', 'Anonymous', 'NoAccess', 'No access', 'NoCryptoAdmin', 'TrustedAdmin', 'NoTrustedAdmin'];

/** Props of {@link VsphereRole}. */
export interface VsphereRoleProps {
  /** The role's name in vCenter; unique per vCenter. */
  readonly roleName: string;
  /** Privilege IDs such as `VirtualMachine.Config.AddExistingDisk`; System.* IDs are dropped (they are implicit). */
  readonly privileges: readonly string[];
  /** The vSphere version whose privilege catalog the IDs are checked against. */
  readonly vsphereVersion: VsphereVersion;
  /** What the role is, for the plan reviewer (kept in the synthesized JSON's `//` comment). @default - none */
  readonly description?: string;
}

/** A custom vSphere role (`vsphere_role`), with every privilege ID checked at synth time. */
export class VsphereRole extends Construct implements IVsphereRole {
  public readonly roleName: string;
  public readonly roleId: string;
  public readonly privileges: readonly string[];
  public readonly vsphereVersion: VsphereVersion;
  public readonly predefined = false;
  /** The underlying `vsphere_role` resource. */
  public readonly resource: Role;

  constructor(scope: Construct, id: string, props: VsphereRoleProps) {
    super(scope, id);
    const where = InputRef.of(this, 'VsphereRole', { quoted: true });
    assertVsphereVersion(props.vsphereVersion, where.at('vsphereVersion'));
    this.roleName = checkRoleName(props.roleName, where.at('roleName'));
    let checked: ReturnType<typeof checkPrivileges>;
    try {
      checked = checkPrivileges(this.roleName, props.privileges, props.vsphereVersion);
    } catch (err) {
      throw where.error(`${(err as Error).message}`);
    }
    if (checked.implicitDropped.length) {
      Annotations.of(this).addWarning(
        `Role "${this.roleName}": dropped ${checked.implicitDropped.join(', ')}; vCenter adds System.* to every role ` +
          `and listing them makes every plan show a change.`,
      );
    }
    this.privileges = checked.privileges;
    this.vsphereVersion = props.vsphereVersion;
    claimRoleName(this, this.roleName);
    this.resource = new Role(this, 'Role', { name: this.roleName, rolePrivileges: [...this.privileges] });
    this.resource.addOverride('//.kkp', {
      role: this.roleName,
      vsphereVersion: this.vsphereVersion,
      ...(props.description ? { description: props.description } : {}),
    });
    this.roleId = this.resource.id;
  }

  /** Gives up this role's name claim (used when an unused merged role is removed from the tree). @internal */
  public _releaseName(): void {
    stackState(this, ROLE_NAMES).delete(this.roleName.toLowerCase());
  }
}

function checkRoleName(name: string, input: InputRef): string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
    throw inputError(input, `a role needs a non-empty name without surrounding white space, got ${JSON.stringify(name)}.`);
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) throw inputError(input, `${JSON.stringify(name)} contains a control character.`);
  const syntax = templateSyntax(name);
  if (syntax) throw inputError(input, `"${name}" contains ${syntax}; a role name is written into Terraform literally, so leave it out.`);
  if (RESERVED_ROLE_NAMES.some((r) => r.toLowerCase() === name.toLowerCase())) {
    throw inputError(input, `"${name}" is the name of a predefined vCenter role; use PredefinedRole instead or pick another name.`);
  }
  return name;
}

// Per stack: lower-cased role name → the role's name as written and its construct path.
const ROLE_NAMES = stackSlot<Map<string, { name: string; path: string }>>('role-names', () => new Map());

/** The names of every custom role this stack creates (merged roles included), sorted. @internal */
export function stackRoleNames(stack: TerraformStack): string[] {
  return [...stackState(stack, ROLE_NAMES).values()].map((r) => r.name).sort();
}

/** Two roles of one stack with the same name would fight over one vCenter role: refuse at synth. */
function claimRoleName(role: VsphereRole, name: string): void {
  const names = stackState(role, ROLE_NAMES);
  const existing = names.get(name.toLowerCase());
  if (existing !== undefined) {
    const problem =
      `"${name}" is already used by ${existing.path} in this stack. ` +
      `vCenter role names are unique: choose another roleName, or a different namePrefix for KkpRoles.`;
    const where = InputRef.of(role, 'VsphereRole', { quoted: true }).at('roleName');
    throw new KkpValidationError(where, problem, `Role name clash: "${name}" (${role.node.path}) ${problem.slice(`"${name}" `.length)}`);
  }
  names.set(name.toLowerCase(), { name, path: role.node.path });
}
