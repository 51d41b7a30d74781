// KKP's permissions for the user KKP and machine-controller create VMs with ("User Cluster" on the 2.12 page,
// "Infrastructure Management" from 2.23), as the stack's KKP release's page grants them.
import { Construct } from 'constructs';
import { IVsphereEntity, VsphereInventory } from '../core/inventory';
import { KkpRoles } from './kkp-roles';
import { Grant, Principal } from '../core/permissions';
import type { KkpRoleKey } from '../facts/privileges';
import { expectKind, expectNonEmpty } from '../core/permissions/expect';
import { checkRolesAndInventory } from './kkp-roles';
import { Annotations } from '../framework/core';
import { declareKkpPrincipal } from '../core/kkp-works-check';
import { InputRef } from '../base/errors';

/** Props of {@link UserClusterPermissions}. */
export interface UserClusterPermissionsProps {
  /** The KKP roles to grant (their KKP release decides which). */
  readonly roles: KkpRoles;
  /** The datacenter's inventory: the vCenter root and the datacenter come from it. */
  readonly inventory: VsphereInventory;
  /** The user machine-controller logs in with (KKP's `infraManagementUser`), `DOMAIN\name`. */
  readonly principal: Principal | string;
  /** The compute cluster worker VMs run in (propagated). */
  readonly cluster: IVsphereEntity;
  /** Every network worker VMs attach to (not propagated). */
  readonly networks: readonly IVsphereEntity[];
  /**
   * The distributed switch of every distributed port group in `networks` (`inventory.distributedSwitch(name)`): from
   * KKP 2.14 the network role is granted on the switch too ("distributed switch + network"), not propagated.
   * @default - none: every network is a standard port group
   */
  readonly distributedSwitches?: readonly IVsphereEntity[];
  /** Datastores or datastore clusters worker VMs are stored on (propagated). */
  readonly datastores: readonly IVsphereEntity[];
  /** VM folders: KKP's VM root folder and the template folder (propagated). */
  readonly folders: readonly IVsphereEntity[];
  /**
   * Also grant the roles the page marks optional (KKP 2.21: `k8c-user-tags-category` and `k8c-user-tags`, for KKP's
   * tag and tag category handling), on the datacenter, propagated.
   * @default false
   */
  readonly optionalRoles?: boolean;
  /**
   * KKP 2.21 and 2.22 only. Their pages grant `k8c-user-tags` (2.21: also `k8c-user-tags-category`) on the datacenter,
   * propagated, to the same user that gets `k8c-user-datacenter` there, not propagated; vSphere holds one permission
   * per user per object, so both cannot be granted as written. `true` grants `k8c-user-datacenter` propagated too, and
   * the grants merge into one role with both roles' privileges. (From 2.23 the tagging privileges moved into the other
   * roles and the conflict is gone.)
   * @default false - a release whose page has the conflict fails synth with this explanation
   */
  readonly mergeTagRolesIntoDatacenter?: boolean;
}

/**
 * Grants machine-controller's principal the roles of the KKP release's page: `k8c-user-vcenter` on the vCenter root
 * and `k8c-user-datacenter` on the datacenter (not propagated), `k8c-user-cluster-propagate` on the cluster,
 * `k8c-user-datastore-propagate` on each datastore (cluster) and `k8c-user-folder-propagate` on each folder
 * (propagated), the network role on each network and distributed switch (not propagated), and the tagging roles of
 * 2.21 and 2.22 on the datacenter (propagated).
 */
export class UserClusterPermissions extends Construct {
  public readonly principal: Principal;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: UserClusterPermissionsProps) {
    super(scope, id);
    const where = InputRef.of(this, 'UserClusterPermissions');
    checkRolesAndInventory(where, props);
    this.principal = Principal.of(props.principal, where.at('principal'));
    expectKind(props.cluster, ['cluster'], where.at('cluster'));
    expectNonEmpty(props.networks, where.at('networks'), 'every network worker VMs attach to');
    expectNonEmpty(props.datastores, where.at('datastores'), 'the datastores or datastore clusters of the worker VMs');
    expectNonEmpty(props.folders, where.at('folders'), 'the KKP VM root folder and the template folder');
    props.networks.forEach((n, i) => expectKind(n, ['network'], where.at(`networks[${i}]`)));
    props.datastores.forEach((d, i) => expectKind(d, ['datastore', 'datastoreCluster'], where.at(`datastores[${i}]`)));
    props.folders.forEach((f, i) => expectKind(f, ['folder'], where.at(`folders[${i}]`)));
    const switches = props.distributedSwitches ?? [];
    switches.forEach((s, i) => expectKind(s, ['distributedSwitch'], where.at(`distributedSwitches[${i}]`)));

    const principal = this.principal;
    const roles = props.roles;
    const networkRole = roles.definition('network-attach');
    if (switches.length && !networkRole.grantedOn.includes('distributedSwitch')) {
      throw where.at('distributedSwitches').error(
        `KKP ${roles.kkpRelease}'s page grants ${networkRole.name} on networks only (on the ` +
          'distributed switch too from 2.14); leave distributedSwitches out.',
      );
    }
    const tagRoles = roles.profile.roles.filter(
      (r) => r.principal === 'machineController' && (r.key === 'user-tags' || r.key === 'user-tags-category') && (!r.optional || props.optionalRoles),
    );
    if (tagRoles.length && !props.mergeTagRolesIntoDatacenter) {
      throw where.error(
        `KKP ${roles.kkpRelease}'s page grants ${tagRoles.map((r) => r.name).join(' and ')} on the datacenter, ` +
          `propagated, and k8c-user-datacenter there, not propagated, to the same user; vSphere holds one permission per user ` +
          `per object. Set mergeTagRolesIntoDatacenter: true to grant one merged, propagated role there` +
          (roles.profile.roles.every((r) => !r.optional) ? '' : ', or leave optionalRoles out') +
          `, or use kkpRelease '2.23' or later, whose pages fold tagging into the other roles.`,
      );
    }
    // Where each role is granted and whether it propagates: the role table's (KkpRoles.grant reads it). The one
    // departure: with the tagging roles merged in, k8c-user-datacenter propagates as they do (one permission per user
    // per object).
    const grant = (key: KkpRoleKey, entity: IVsphereEntity, options?: { propagate: boolean }) => roles.grant(key, principal, entity, options);
    this.grants = [
      grant('user-vcenter', props.inventory.vcenter()),
      grant('user-datacenter', props.inventory.datacenter, tagRoles.length > 0 ? { propagate: true } : undefined),
      grant('user-cluster', props.cluster),
      ...props.networks.map((n) => grant('network-attach', n)),
      ...switches.map((s) => grant('network-attach', s)),
      ...props.datastores.map((d) => grant('user-datastore', d)),
      ...props.folders.map((f) => grant('user-folder', f)),
      ...tagRoles.map((r) => grant(r.key, props.inventory.datacenter)),
    ];
    declareKkpPrincipal(this, principal, 'machineController');
    if (!switches.length && networkRole.grantedOn.includes('distributedSwitch')) {
      // Synth cannot tell a distributed port group from a standard one: the network's type is read at plan time.
      Annotations.of(this).addWarning(
        `${where} distributedSwitches: none given. If any of ${props.networks.map((n) => n.inventoryPath).join(', ')} is a distributed ` +
          `port group, KKP ${roles.kkpRelease}'s page grants ${networkRole.name} on its distributed switch too ("distributed switch + ` +
          `network"): add distributedSwitches: [inventory.distributedSwitch('<switch>')]. Standard port groups need nothing more.`,
      );
    }
  }
}
