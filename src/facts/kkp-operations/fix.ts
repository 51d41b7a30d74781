// The fix for a gap: which grant, or which credential. Pure: used by the synth check and by preflight alike.
import type { KkpRelease } from '../kkp/releases';
import { kkpRoleProfile } from '../privileges/kkp-role-resolution';
import type { KkpPrincipalKind } from '../privileges/kkp-role-profiles';
import type { KkpComponentId, KkpLogin } from './components';

/** What the fix of a gap depends on. */
export interface KkpFixContext {
  readonly release: KkpRelease;
  /** machine-controller's principal of the cluster. */
  readonly machineControllerPrincipal: string;
  /** Whether the credentials name an infra-management user. */
  readonly hasInfraUser: boolean;
  /** The role sets the stack grants the principal (empty: none). */
  readonly kinds: ReadonlySet<KkpPrincipalKind>;
}

/** The gap's facts a fix needs. */
export interface KkpFixGap {
  readonly component: KkpComponentId;
  readonly principal: string;
  readonly credential: 'username' | 'infraManagementUserUsername';
  readonly login: KkpLogin;
  readonly object: string;
  readonly missing: readonly string[];
}

/** The fix of a gap: the credential when the principal is set up for the other role set, else the KKP role to grant. */
export function kkpGapFix(gap: KkpFixGap, rolesFor: KkpPrincipalKind, cluster: KkpFixContext): string {
  const kinds = cluster.kinds;
  const mc = cluster.machineControllerPrincipal;
  if (!kinds.has(rolesFor)) {
    // The principal is set up for the other role set: the credential names the wrong user.
    if (rolesFor === 'machineController' && (gap.login === 'infra' || gap.login === 'either') && gap.credential === 'username') {
      return `name machine-controller's user in the credentials: set infraManagementUserPassword on the KkpUserCluster (a token, e.g. the ` +
        `stringValue of a sensitive TerraformVariable), so that its Secret carries infraManagementUserUsername ${mc}.`;
    }
    if (rolesFor === 'machineController') {
      return `KKP ${cluster.release} logs ${gap.component} in with username, which is ${gap.principal}, a ${[...kinds].join('/') || 'not set-up'} user: ` +
        `use one user for both (cloudConfigUser: '${mc}' and its storage roles, e.g. storagePrincipal: '${mc}'), or kkpRelease '2.27' or later, ` +
        'where machine-controller logs in as the infra-management user.';
    }
    return `KKP ${cluster.release} logs ${gap.component} in with the ${gap.credential}, ${gap.principal}, which holds the machine-controller roles only: ` +
      `grant it the storage roles too (e.g. list it as a storagePrincipal), or give the credentials a storage user` +
      `${cluster.hasInfraUser ? '' : ' (cloudConfigUser)'}.`;
  }
  return grantFix(gap, rolesFor, cluster.release);
}

function grantFix(gap: KkpFixGap, rolesFor: KkpPrincipalKind, release: KkpRelease): string {
  if (gap.missing.every((p) => p.startsWith('System.'))) {
    return `grant ${gap.principal} any role (Read-only will do) on ${gap.object} or a propagating one on an ancestor, so that it can see the object.`;
  }
  const profile = kkpRoleProfile(release);
  const roles = profile.roles.filter((r) => r.principal === rolesFor && gap.missing.some((id) =>
    r.privileges.some((e) => ('id' in e ? e.id === id : id.startsWith(`${e.group}.`)))));
  const where = rolesFor === 'storage' ? 'SeedPermissions, or the KkpUserCluster for its own storagePrincipal' : 'UserClusterPermissions';
  if (roles.length === 0) {
    return `KKP ${release}'s page grants ${gap.missing.join(', ')} to no ${rolesFor === 'storage' ? 'storage (CCM/CSI)' : 'machine-controller'} role; grant ` +
      `${gap.principal} a role with ${gap.missing.length > 1 ? 'them' : 'it'} on ${gap.object} (VspherePermissions.grant with a VsphereRole).`;
  }
  return `grant ${roles.map((r) => `${r.name} (on the ${r.grantedOn.join(' or ')}${r.propagate ? ', propagated' : ''})`).join(' or ')} to ${gap.principal} ` +
    `so that it reaches ${gap.object} (${where}).`;
}
