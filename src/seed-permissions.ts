// KKP's "Seed Cluster" permissions: what the storage user of the vSphere cloud provider / CSI driver needs.
import { Construct } from 'constructs';
import { IVsphereEntity, VsphereInventory } from './inventory';
import { KkpRoles } from './kkp-roles';
import { Grant, IVsphereRole, PredefinedRole, Principal, VspherePermissions } from './permissions';
import { expectKind, expectNonEmpty } from './permissions/expect';

/** Props of {@link SeedPermissions}. */
export interface SeedPermissionsProps {
  /** The KKP roles to grant. */
  readonly roles: KkpRoles;
  /** The datacenter's inventory: Read-only is granted on its datacenter. */
  readonly inventory: VsphereInventory;
  /** The storage user (its credentials go into the cloud-config), `DOMAIN\name`. */
  readonly storagePrincipal: Principal | string;
  /** VM folders the storage user needs, propagated: KKP's VM root folder and the template folder. */
  readonly folders: readonly IVsphereEntity[];
  /** Datastores (or datastore clusters) volumes live on, propagated. */
  readonly datastores: readonly IVsphereEntity[];
}

/**
 * Grants the Seed Cluster roles of the KKP documentation to the storage principal:
 * `k8c-storage-vmfolder-propagate` on each folder (propagated), `k8c-storage-datastore-propagate` on each datastore
 * (propagated) and the predefined Read-only on the datacenter (not propagated).
 */
export class SeedPermissions extends Construct {
  public readonly storagePrincipal: Principal;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: SeedPermissionsProps) {
    super(scope, id);
    const where = `SeedPermissions ${this.node.path}`;
    this.storagePrincipal = Principal.of(props.storagePrincipal, `${where} storagePrincipal`);
    expectNonEmpty(props.folders, `${where} folders`, 'the KKP VM root folder and the template folder');
    expectNonEmpty(props.datastores, `${where} datastores`, 'the datastore(s) volumes are created on');
    props.folders.forEach((f, i) => expectKind(f, ['folder'], `${where} folders[${i}]`));
    props.datastores.forEach((d, i) => expectKind(d, ['datastore', 'datastoreCluster'], `${where} datastores[${i}]`));

    const principal = this.storagePrincipal;
    const grant = (role: IVsphereRole, entity: IVsphereEntity, propagate: boolean) =>
      VspherePermissions.grant({ principal, role, entity, propagate });
    this.grants = [
      ...props.folders.map((f) => grant(props.roles.role('k8c-storage-vmfolder-propagate'), f, true)),
      ...props.datastores.map((d) => grant(props.roles.role('k8c-storage-datastore-propagate'), d, true)),
      grant(PredefinedRole.READ_ONLY, props.inventory.datacenter, false),
    ];
  }
}
