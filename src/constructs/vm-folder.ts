// A VM folder the stack creates and therefore owns, permissions included.
import { Construct } from 'constructs';
import { Folder } from '../framework/providers/vsphere/folder';
import { stackSlot, stackState } from '../core/stack-state';
import { EntityKind, IVsphereEntity, Ownership, VsphereInventory, checkRelativePath } from '../core/inventory';
import { Grant, Principal, IVsphereRole, VspherePermissions } from '../core/permissions';
import { claimExclusively } from '../core/synth-checks';
import { KkpAdoption, noteAdoptable } from './kkp-adoption';
import { InputRef } from '../base/errors';

/** Props of {@link VmFolder}. */
export interface VmFolderProps {
  /** The inventory of the datacenter the folder lives in. */
  readonly inventory: VsphereInventory;
  /**
   * The folder's path: relative to `parent` when given, else relative to the datacenter's VM folder
   * (`/<datacenter>/vm`). Intermediate folders of a multi-segment path without `parent` must exist already.
   */
  readonly path: string;
  /** A folder of this stack to create this one in; it is created first. @default - the datacenter's VM folder */
  readonly parent?: VmFolder;
  /**
   * The folder exists already (made by hand): import it at its inventory path instead of creating it. It then is a
   * shared object for permissions, since others may hold permissions there: grants on it touch only their own
   * principals. With the stack's `KkpAdoption`, a folder discover found is adopted without this.
   * @default - false, unless the stack's KkpAdoption lists the folder
   */
  readonly adopt?: boolean;
}

/** A VM folder (`vsphere_folder`, type `vm`) created by the stack: an owned object. */
export class VmFolder extends Construct implements IVsphereEntity {
  public readonly kind: EntityKind = 'folder';
  public readonly entityType = 'Folder';
  /** `owned` when the stack creates the folder; `shared` when it adopts one made by hand. */
  public readonly ownership: Ownership;
  /** Whether the folder is imported (adopted) rather than created. */
  public readonly adopted: boolean;
  /** Path relative to the datacenter's VM folder, e.g. `kkp/templates` (what `vsphere_folder.path` takes). */
  public readonly relativePath: string;
  /** Absolute inventory path, e.g. `/dc-1/vm/kkp/templates` (what KKP's `rootPath` and cluster `folder` take). */
  public readonly inventoryPath: string;
  public readonly entityId: string;
  public readonly inventory: VsphereInventory;
  /** The underlying `vsphere_folder` resource. */
  public readonly resource: Folder;

  constructor(scope: Construct, id: string, props: VmFolderProps) {
    super(scope, id);
    const where = InputRef.of(this, 'VmFolder');
    if (!(props?.inventory instanceof VsphereInventory)) {
      throw where.at('inventory').error(`expected the datacenter's VsphereInventory, got ${String(props?.inventory)}; pass new VsphereInventory(this, 'Inventory', { datacenter }).`);
    }
    const own = checkRelativePath(props.path, where.at('path'));
    if (props.parent !== undefined && !(props.parent instanceof VmFolder)) {
      const got = typeof (props.parent as IVsphereEntity).inventoryPath === 'string'
        ? `the ${(props.parent as IVsphereEntity).ownership} ${(props.parent as IVsphereEntity).kind} ${(props.parent as IVsphereEntity).inventoryPath}`
        : String(props.parent);
      throw where.at('parent').error(
        `expected a VmFolder of this stack, got ${got}; for a folder the stack does not ` +
          'create, give the whole path relative to the datacenter\'s VM folder instead.',
      );
    }
    if (props.parent && props.parent.inventory.datacenterName !== props.inventory.datacenterName) {
      throw where.at('parent').error(
        `${props.parent.inventoryPath} is in datacenter "${props.parent.inventory.datacenterName}", ` +
          `not "${props.inventory.datacenterName}"; a folder's parent must be in the same datacenter.`,
      );
    }
    this.inventory = props.inventory;
    this.relativePath = props.parent ? `${props.parent.relativePath}/${own}` : own;
    this.inventoryPath = `/${props.inventory.datacenterName}/vm/${this.relativePath}`;
    // Two vsphere_folder resources for one path would both try to create it, and the first destroy would remove it.
    const folders = createdFolders(this);
    const other = folders.get(this.inventoryPath);
    if (other !== undefined) {
      throw where.at('path').error(
        `${this.inventoryPath} is already created by ${other} in this stack; use that VmFolder (e.g. as ` +
          'parent or folder) instead of creating the folder twice.',
      );
    }
    // vsphere_folder.path is relative to /<datacenter>/vm/, and a nested folder needs its parent first.
    this.resource = new Folder(this, 'Folder', {
      path: this.relativePath,
      type: 'vm',
      datacenterId: props.inventory.datacenterId,
      dependsOn: props.parent ? [props.parent.resource] : undefined,
    });
    this.entityId = this.resource.id;
    this.adopted = this.adoptIfAsked(props.adopt, where);
    noteAdoptable(this);
    this.ownership = this.adopted ? 'shared' : 'owned';
    folders.set(this.inventoryPath, this.node.path);
    claimExclusively(this, { kind: 'folder', key: this.inventoryPath, element: this.resource });
  }

  // Import the folder by its absolute path (vsphere_folder's import id); a missing path fails the plan.
  private adoptIfAsked(adopt: boolean | undefined, where: InputRef): boolean {
    if (adopt !== undefined && typeof adopt !== 'boolean') throw where.at('adopt').error(`must be true or false, got ${JSON.stringify(adopt)}.`);
    const adoption = KkpAdoption.of(this);
    const found = adoption?.folder(this.inventoryPath);
    if (adopt === false || (adopt === undefined && !(adoption?.adoptsFolders && found))) return false;
    this.resource.importFrom(this.inventoryPath);
    this.resource.addOverride('//.kkp', { adopted: 'folder', path: this.inventoryPath, ...(found ? { id: found.id } : {}) });
    return true;
  }

  /** The scope grants of this folder are recorded in. */
  public get scope(): Construct {
    return this;
  }

  /** Grants `role` to `principal` on this folder. */
  public grant(principal: Principal | string, role: IVsphereRole, options: { propagate: boolean }): Grant {
    return VspherePermissions.grant({ principal, role, entity: this, propagate: options.propagate });
  }
}

/** Inventory path → construct path of every folder the stack creates. */
const CREATED_FOLDERS = stackSlot<Map<string, string>>('created-folders', () => new Map());

function createdFolders(scope: Construct): Map<string, string> {
  return stackState(scope, CREATED_FOLDERS);
}
