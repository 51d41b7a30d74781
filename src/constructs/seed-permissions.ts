// KKP's permissions for the user of the vSphere cloud controller manager and CSI driver ("Seed Cluster" on the 2.12
// page, "Cloud Controller Manager (CCM) / CSI" later), as the stack's KKP release's page grants them.
import { Construct } from 'constructs';
import { IVsphereEntity, VsphereInventory } from '../core/inventory';
import { KkpRoles } from './kkp-roles';
import { Grant, Principal } from '../core/permissions';
import { expectKind, expectNonEmpty } from '../core/permissions/expect';
import { checkRolesAndInventory } from './kkp-roles';
import { declareKkpPrincipal, declareNodeHosts } from '../core/kkp-works-check';
import { InputRef } from '../base/errors';

/** Props of {@link SeedPermissions}. */
export interface SeedPermissionsProps {
  /** The KKP roles to grant (their KKP release decides which). */
  readonly roles: KkpRoles;
  /** The datacenter's inventory: Read-only is granted on its datacenter. */
  readonly inventory: VsphereInventory;
  /** The CCM/CSI (storage) user, `DOMAIN\name`: its credentials reach the user clusters. */
  readonly storagePrincipal: Principal | string;
  /** VM folders the storage user needs, propagated: KKP's VM root folder and the template folder. */
  readonly folders: readonly IVsphereEntity[];
  /** Datastores (or datastore clusters) volumes live on, propagated. */
  readonly datastores: readonly IVsphereEntity[];
  /**
   * Every ESXi host that runs node VMs (`inventory.host(name, cluster)`). KKP 2.26 and later grant the storage user
   * Read-only on each (not propagated); the pages of older releases do not.
   * @default - none; required from KKP 2.26
   */
  readonly hosts?: readonly IVsphereEntity[];
}

/**
 * Grants the storage user the roles of the KKP release's page: `k8c-storage-vmfolder-propagate` (2.18+:
 * `k8c-ccm-storage-vmfolder-propagate`) on each folder and `k8c-storage-datastore-propagate` (`k8c-ccm-...`) on each
 * datastore, both propagated; from 2.26 `k8c-ccm-storage-cns` on the vCenter; the predefined Read-only on the
 * datacenter and, from 2.26, on every node host (not propagated).
 */
export class SeedPermissions extends Construct {
  public readonly storagePrincipal: Principal;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: SeedPermissionsProps) {
    super(scope, id);
    const where = InputRef.of(this, 'SeedPermissions');
    checkRolesAndInventory(where, props);
    this.storagePrincipal = Principal.of(props.storagePrincipal, where.at('storagePrincipal'));
    expectNonEmpty(props.folders, where.at('folders'), 'the KKP VM root folder and the template folder');
    expectNonEmpty(props.datastores, where.at('datastores'), 'the datastore(s) volumes are created on');
    props.folders.forEach((f, i) => expectKind(f, ['folder'], where.at(`folders[${i}]`)));
    props.datastores.forEach((d, i) => expectKind(d, ['datastore', 'datastoreCluster'], where.at(`datastores[${i}]`)));
    const roles = props.roles;
    const readOnlyOnHosts = roles.profile.readOnlyOn.includes('host');
    const hosts = props.hosts ?? [];
    if (readOnlyOnHosts) {
      expectNonEmpty(
        props.hosts,
        where.at('hosts'),
        `KKP ${roles.kkpRelease}'s page grants the CCM/CSI user Read-only on "all hosts where the nodes VMs reside": ` +
          `list them with inventory.host(name, cluster)`,
      );
    } else if (hosts.length) {
      throw where.at('hosts').error(
        `KKP ${roles.kkpRelease}'s page grants nothing on hosts (Read-only on node hosts came with 2.26); leave hosts out.`,
      );
    }
    hosts.forEach((h, i) => expectKind(h, ['host'], where.at(`hosts[${i}]`)));

    // Where each role is granted and whether it propagates: the role table's (KkpRoles.grant reads it).
    const principal = this.storagePrincipal;
    this.grants = [
      ...props.folders.map((f) => roles.grant('storage-vmfolder', principal, f)),
      ...props.datastores.map((d) => roles.grant('storage-datastore', principal, d)),
      ...(roles.has('storage-cns') ? [roles.grant('storage-cns', principal, props.inventory.vcenter())] : []),
      roles.grantReadOnly(principal, props.inventory.datacenter),
      ...hosts.map((h) => roles.grantReadOnly(principal, h)),
    ];
    // The synth check of what KKP's storage components can do (src/core/kkp-works-check.ts) holds this user to the release.
    declareKkpPrincipal(this, principal, 'storage');
    declareNodeHosts(this, hosts);
  }
}
