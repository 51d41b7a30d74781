// Adopting an existing KKP set-up: the roles, folders, templates and grants someone made by hand become the stack's
// without being recreated. Roles and folders are imported into state (Terraform `import` blocks through cdktf's
// `importFrom`), so their differences from the documentation show in the plan as ordinary in-place changes; templates
// are referenced by name and checked at plan time; grants on shared objects become the stack's additive grants.
import { setStackState, stackSlot, stackState } from '../core/stack-state';
import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { stackOf } from '../framework/refs';
import type { DataVsphereVirtualMachine } from '../framework/providers/vsphere/data-vsphere-virtual-machine';
import { VsphereInventory } from '../core/inventory';
import { VspherePermissions } from '../core/permissions';
import type { IKkpTemplate } from '../facts/kkp';
import { checkInventoryName } from '../base/validation';
import { DiscoveredFolder, DiscoveredPermission, DiscoveredRole, DiscoveredTemplate, DiscoveryFileError, KkpDiscovery, parseDiscovery } from '../contracts/discovery-file';
import { InputRef } from '../base/errors';

/** Props of {@link KkpAdoption}. */
export interface KkpAdoptionProps {
  /** The file `cdktf-kkp-vsphere discover` wrote (a path, read at synth), or its parsed content. */
  readonly discovery: string | KkpDiscovery;
  /**
   * Import every role this stack's `KkpRoles` creates whose name (`<namePrefix><name>`) is a role of the file.
   * @default true
   */
  readonly roles?: boolean;
  /**
   * Import every `VmFolder` of this stack whose inventory path is a folder of the file.
   * @default true
   */
  readonly folders?: boolean;
  /**
   * Take over, as the stack's additive grants, the permissions the file lists for KKP's principals, wherever the stack
   * grants the same principal on the same object again: the grant finds the permission and leaves it (same role and
   * propagation) or updates it in one call, never removing it first.
   * @default true
   */
  readonly grants?: boolean;
}

const ADOPTION = stackSlot<KkpAdoption | undefined>('adoption', () => undefined);
/** The constructs of the stack that consulted its adoption when they were created. */
const ADOPTABLE = stackSlot<Set<Construct>>('adoptable-constructs', () => new Set());

/** Records a construct that consults the stack's adoption when it is created (VmFolder, KkpRoles). @internal */
export function noteAdoptable(construct: Construct): void {
  stackState(construct, ADOPTABLE).add(construct);
}

/**
 * Adopts, for the whole stack, what `cdktf-kkp-vsphere discover` found: create it before the `KkpRoles` and
 * `VmFolder`s it applies to. Nothing the file does not list, and nothing the stack does not declare, is touched.
 */
export class KkpAdoption extends Construct {
  /** The stack's adoption, if it has one. */
  public static of(scope: Construct): KkpAdoption | undefined {
    return stackState(scope, ADOPTION);
  }

  public readonly discovery: KkpDiscovery;
  /** Where the discovery came from, for messages. */
  public readonly source: string;
  public readonly adoptsRoles: boolean;
  public readonly adoptsFolders: boolean;
  public readonly adoptsGrants: boolean;

  constructor(scope: Construct, id: string, props: KkpAdoptionProps) {
    super(scope, id);
    const where = InputRef.of(this, 'KkpAdoption');
    const stack = stackOf(this);
    const other = stackState(stack, ADOPTION);
    if (other) throw where.error(`the stack already adopts through ${other.node.path}; one adoption per stack.`);
    const noted = stackState(stack, ADOPTABLE);
    const late = stack.node.findAll().filter((c) => noted.has(c));
    if (late.length) {
      throw where.error(
        `${late.map((c) => c.node.path).join(', ')} ${late.length > 1 ? 'were' : 'was'} created before it, so ` +
          `adoption could not apply to ${late.length > 1 ? 'them' : 'it'}: create KkpAdoption first in the stack.`,
      );
    }
    if (typeof props?.discovery === 'string') {
      this.source = props.discovery;
      let text: string;
      try {
        text = readFileSync(props.discovery, 'utf8');
      } catch (err) {
        throw new DiscoveryFileError(where.at('discovery'), `cannot read ${props.discovery} (${(err as NodeJS.ErrnoException).code ?? 'read error'}); run \`cdktf-kkp-vsphere discover --out ${props.discovery}\` first.`);
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new DiscoveryFileError(where.at('discovery'), `${props.discovery} is not JSON; it is the file \`cdktf-kkp-vsphere discover\` writes.`);
      }
      this.discovery = parseDiscovery(value, where.at('discovery'), props.discovery);
    } else {
      this.source = 'the discovery given';
      this.discovery = parseDiscovery(props?.discovery, where.at('discovery'));
    }
    this.adoptsRoles = props.roles ?? true;
    this.adoptsFolders = props.folders ?? true;
    this.adoptsGrants = props.grants ?? true;
    if (this.adoptsGrants) {
      VspherePermissions.adoptExisting(this, (object, principal, isGroup) => this.grant(object, principal, isGroup) !== undefined);
    }
    setStackState(stack, ADOPTION, this);
  }

  /** The discovered role named exactly `name` (role names are unique per vCenter, compared case-insensitively). */
  public role(name: string): DiscoveredRole | undefined {
    return this.discovery.roles.find((r) => r.name.toLowerCase() === name.toLowerCase());
  }

  /** The discovered role with this id. */
  public roleById(id: number): DiscoveredRole | undefined {
    return this.discovery.roles.find((r) => r.id === id);
  }

  /** The discovered folder at an absolute inventory path. */
  public folder(path: string): DiscoveredFolder | undefined {
    return this.discovery.folders.find((f) => f.path === path);
  }

  /** The discovered template with this name in a datacenter. */
  public template(name: string, datacenter: string): DiscoveredTemplate | undefined {
    return this.discovery.templates.find((t) => t.name === name && t.datacenter === datacenter);
  }

  /** The discovered KKP principal's permission on an object (principals compared as vCenter does: case-insensitively). */
  public grant(object: string, principal: string, isGroup: boolean): DiscoveredPermission | undefined {
    return this.discovery.grants.find((g) => g.object === object && g.isGroup === isGroup && g.principal.toLowerCase() === principal.toLowerCase());
  }
}

/** Props of {@link AdoptedTemplate}. */
export interface AdoptedTemplateProps {
  /** The datacenter the template is in. */
  readonly inventory: VsphereInventory;
  /** The template VM's name (what machine-controller looks up). */
  readonly templateName: string;
  /** The operating-system key for the KKP datacenter spec, e.g. `ubuntu`. */
  readonly osKey: string;
}

/**
 * A VM template made by hand, used as it is: never imported (a `vsphere_virtual_machine` import of an OVF-deployed
 * template would plan a new deployment) and never changed. A `vsphere_virtual_machine` data source finds it at plan
 * time, so a template that does not exist fails the plan; with the stack's `KkpAdoption`, the template must be one
 * `discover` found and the plan fails when the VM of that name is no longer that object (its managed object id).
 * Pass it to `KkpDatacenterSpec` `templates` like a `VmTemplate`.
 */
export class AdoptedTemplate extends Construct implements IKkpTemplate {
  public readonly osKey: string;
  public readonly templateName: string;
  /** The data source that finds it at plan time. */
  public readonly lookup: DataVsphereVirtualMachine;

  constructor(scope: Construct, id: string, props: AdoptedTemplateProps) {
    super(scope, id);
    const where = InputRef.of(this, 'AdoptedTemplate');
    if (!(props?.inventory instanceof VsphereInventory)) {
      throw where.at('inventory').error(`expected the datacenter's VsphereInventory; pass new VsphereInventory(this, 'Inventory', { datacenter }).`);
    }
    this.templateName = checkInventoryName(props.templateName, where.at('templateName'));
    if (typeof props.osKey !== 'string' || props.osKey === '') throw where.at('osKey').error(`give the operating-system key, e.g. 'ubuntu'.`);
    this.osKey = props.osKey;
    const adoption = KkpAdoption.of(this);
    const datacenter = props.inventory.datacenterName;
    const found = adoption?.template(this.templateName, datacenter);
    if (adoption && !found) {
      const known = adoption.discovery.templates.filter((t) => t.datacenter === datacenter).map((t) => t.name);
      throw where.at('templateName').error(
        `"${this.templateName}" is not a template discover found in datacenter "${datacenter}" ` +
          `(${adoption.source} lists ${known.length ? known.join(', ') : 'none'}). Check the name, or run discover again.`,
      );
    }
    // Loaded where used: a synth loads only the provider modules its stack needs.
    const { DataVsphereVirtualMachine } = require('../framework/providers/vsphere/data-vsphere-virtual-machine') as
      typeof import('../framework/providers/vsphere/data-vsphere-virtual-machine');
    this.lookup = new DataVsphereVirtualMachine(this, 'Template', {
      name: this.templateName,
      datacenterId: props.inventory.datacenterId,
      ...(found
        ? {
            lifecycle: {
              postcondition: [
                {
                  condition: `\${self.moid == ${JSON.stringify(found.id)}}`,
                  errorMessage:
                    `${where}: discover found template "${this.templateName}" as ${found.id} (${found.path}); the VM of that ` +
                    'name is another object now. Run cdktf-kkp-vsphere discover again and review the difference.',
                },
              ],
            },
          }
        : {}),
    });
  }
}
