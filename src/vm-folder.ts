// A VM folder the stack creates and therefore owns, permissions included.
import { Construct } from 'constructs';
import { Folder } from '@cdktf/provider-vsphere/lib/folder';
import { EntityKind, IVsphereEntity, Ownership, VsphereInventory, checkRelativePath } from './inventory';
import { Grant, Principal, IVsphereRole, VspherePermissions } from './permissions';

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
}

/** A VM folder (`vsphere_folder`, type `vm`) created by the stack: an owned object. */
export class VmFolder extends Construct implements IVsphereEntity {
  public readonly kind: EntityKind = 'folder';
  public readonly entityType = 'Folder';
  public readonly ownership: Ownership = 'owned';
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
    const own = checkRelativePath(props.path, `VmFolder ${id} path`);
    if (props.parent && props.parent.inventory.datacenterName !== props.inventory.datacenterName) {
      throw new Error(
        `VmFolder ${id}: parent ${props.parent.inventoryPath} is in datacenter "${props.parent.inventory.datacenterName}", ` +
          `not "${props.inventory.datacenterName}"; a folder's parent must be in the same datacenter.`,
      );
    }
    this.inventory = props.inventory;
    this.relativePath = props.parent ? `${props.parent.relativePath}/${own}` : own;
    this.inventoryPath = `/${props.inventory.datacenterName}/vm/${this.relativePath}`;
    // vsphere_folder.path is relative to /<datacenter>/vm/, and a nested folder needs its parent first.
    this.resource = new Folder(this, 'Folder', {
      path: this.relativePath,
      type: 'vm',
      datacenterId: props.inventory.datacenterId,
      dependsOn: props.parent ? [props.parent.resource] : undefined,
    });
    this.entityId = this.resource.id;
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
