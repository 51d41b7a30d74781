// KKP's "User Cluster" permissions: what machine-controller's user needs to create worker VMs.
import { Construct } from 'constructs';
import { IVsphereEntity, VsphereInventory } from './inventory';
import { KkpRoles } from './kkp-roles';
import { Grant, IVsphereRole, Principal, VspherePermissions } from './permissions';
import { expectKind, expectNonEmpty } from './permissions/expect';

/** Props of {@link UserClusterPermissions}. */
export interface UserClusterPermissionsProps {
  /** The KKP roles to grant. */
  readonly roles: KkpRoles;
  /** The datacenter's inventory: the vCenter root and the datacenter come from it. */
  readonly inventory: VsphereInventory;
  /** The user machine-controller logs in with (KKP's `infraManagementUser`), `DOMAIN\name`. */
  readonly principal: Principal | string;
  /** The compute cluster worker VMs run in (propagated). */
  readonly cluster: IVsphereEntity;
  /** Every network worker VMs attach to (not propagated). */
  readonly networks: readonly IVsphereEntity[];
  /** Datastores or datastore clusters worker VMs are stored on (propagated). */
  readonly datastores: readonly IVsphereEntity[];
  /** VM folders: KKP's VM root folder and the template folder (propagated). */
  readonly folders: readonly IVsphereEntity[];
}

/**
 * Grants the User Cluster roles of the KKP documentation to machine-controller's principal:
 * `k8c-user-vcenter` on the vCenter root and `k8c-user-datacenter` on the datacenter (not propagated),
 * `k8c-user-cluster-propagate` on the cluster, `k8c-user-datastore-propagate` on each datastore (cluster) and
 * `k8c-user-folder-propagate` on each folder (propagated), `k8s-network-attach` on each network.
 */
export class UserClusterPermissions extends Construct {
  public readonly principal: Principal;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: UserClusterPermissionsProps) {
    super(scope, id);
    const where = `UserClusterPermissions ${this.node.path}`;
    this.principal = Principal.of(props.principal, `${where} principal`);
    expectKind(props.cluster, ['cluster'], `${where} cluster`);
    expectNonEmpty(props.networks, `${where} networks`, 'every network worker VMs attach to');
    expectNonEmpty(props.datastores, `${where} datastores`, 'the datastores or datastore clusters of the worker VMs');
    expectNonEmpty(props.folders, `${where} folders`, 'the KKP VM root folder and the template folder');
    props.networks.forEach((n, i) => expectKind(n, ['network'], `${where} networks[${i}]`));
    props.datastores.forEach((d, i) => expectKind(d, ['datastore', 'datastoreCluster'], `${where} datastores[${i}]`));
    props.folders.forEach((f, i) => expectKind(f, ['folder'], `${where} folders[${i}]`));

    const principal = this.principal;
    const roles = props.roles;
    const grant = (role: IVsphereRole, entity: IVsphereEntity, propagate: boolean) =>
      VspherePermissions.grant({ principal, role, entity, propagate });
    this.grants = [
      grant(roles.role('k8c-user-vcenter'), props.inventory.vcenter(), false),
      grant(roles.role('k8c-user-datacenter'), props.inventory.datacenter, false),
      grant(roles.role('k8c-user-cluster-propagate'), props.cluster, true),
      ...props.networks.map((n) => grant(roles.role('k8s-network-attach'), n, false)),
      ...props.datastores.map((d) => grant(roles.role('k8c-user-datastore-propagate'), d, true)),
      ...props.folders.map((f) => grant(roles.role('k8c-user-folder-propagate'), f, true)),
    ];
  }
}
