// Resolving the roles of a KKP role profile (src/facts/privileges/kkp-role-profiles.ts) for one vSphere version: exact,
// sorted privilege IDs, each with the page's UI label. Pure: no cdktf.
import { KkpRelease, NEWEST_KKP_RELEASE, assertKkpRelease, compareKkpReleases } from '../kkp/releases';
import { VSPHERE_VERSIONS, VsphereVersion, catalogNote, expandPrivilegeGroup, privilegeCatalog } from './catalog';
import {
  GrantTarget,
  KKP_ROLE_PROFILES,
  KkpCustomRoleName,
  KkpPrincipalKind,
  KkpRoleDefinition,
  KkpRoleKey,
  KkpRoleProfile,
} from './kkp-role-profiles';

/** One privilege, with the page's UI label it came from. */
export interface LabelledPrivilege {
  readonly id: string;
  readonly label: string;
  /** `govc`: only the page's `govc role.ls` output lists it. @default - the page's UI list */
  readonly source?: 'govc';
}

/** The predefined Read-only role: referenced by id, never created. */
export const READ_ONLY_ROLE = {
  name: 'Read-only',
  id: '-2',
  principal: 'storage' as KkpPrincipalKind,
  grantedOn: ['datacenter'] as readonly GrantTarget[],
  propagate: false,
} as const;

/** A KKP role resolved for one vSphere version: exact, sorted privilege IDs with their labels. */
export interface ResolvedKkpRole extends Omit<KkpRoleDefinition, 'privileges'> {
  readonly vsphereVersion: VsphereVersion;
  /** The profile the role comes from, e.g. `kkp-2.26`. */
  readonly profile: string;
  /** Sorted by ID; a whole group expands to every privilege of that group in the version. */
  readonly privileges: readonly LabelledPrivilege[];
}

/** The role profile of a KKP release (the newest release's when none is given). */
export function kkpRoleProfile(release: KkpRelease = NEWEST_KKP_RELEASE): KkpRoleProfile {
  assertKkpRelease(release);
  const profile = KKP_ROLE_PROFILES.find(
    (p) => compareKkpReleases(p.first, release) <= 0 && compareKkpReleases(release, p.last) <= 0,
  );
  if (!profile) throw new Error(`No KKP role profile covers release ${release}.`);
  return profile;
}

/**
 * The definition of one role of a release's profile, by key (`user-folder`) or by a name any page gave it
 * (`k8c-storage-vmfolder-propagate` finds the 2.18+ `k8c-ccm-storage-vmfolder-propagate` of the same key).
 */
export function kkpRoleDefinition(nameOrKey: KkpRoleKey | KkpCustomRoleName, release: KkpRelease = NEWEST_KKP_RELEASE): KkpRoleDefinition {
  const profile = kkpRoleProfile(release);
  const key = KKP_ROLE_PROFILES.flatMap((p) => p.roles).find((r) => r.key === nameOrKey || r.name === nameOrKey)?.key;
  const def = profile.roles.find((r) => r.key === key);
  if (!def) {
    const known = profile.roles.map((r) => `${r.name} (${r.key})`).join(', ');
    const elsewhere = KKP_ROLE_PROFILES.filter((p) => p.roles.some((r) => r.key === key)).map((p) => `${p.first}-${p.last}`);
    throw new Error(
      `KKP role "${nameOrKey}" is not on the vSphere page of KKP ${release} (profile ${profile.name}). ` +
        (elsewhere.length ? `It is on the pages of KKP ${elsewhere.join(', ')}. ` : '') +
        `Roles of ${release}: ${known}.`,
    );
  }
  return def;
}

/** One role of a release's profile with the exact privilege IDs of `version`. */
export function resolveKkpRole(
  nameOrKey: KkpRoleKey | KkpCustomRoleName,
  version: VsphereVersion,
  release: KkpRelease = NEWEST_KKP_RELEASE,
): ResolvedKkpRole {
  const profile = kkpRoleProfile(release);
  const def = kkpRoleDefinition(nameOrKey, release);
  const catalog = privilegeCatalog(version);
  const byId = new Map<string, LabelledPrivilege>();
  const missing: string[] = [];
  for (const entry of def.privileges) {
    if ('group' in entry) {
      for (const id of expandPrivilegeGroup(entry.group, version)) {
        if (!byId.has(id)) byId.set(id, { id, label: `${entry.label} (${id.slice(entry.group.length + 1)})` });
      }
    } else if (!catalog.has(entry.id)) {
      missing.push(entry.id);
    } else if (!byId.has(entry.id)) {
      byId.set(entry.id, { id: entry.id, label: entry.label, ...(entry.source ? { source: entry.source } : {}) });
    }
  }
  if (missing.length) {
    throw new Error(missingPrivilegesMessage(profile, def, version, missing));
  }
  const privileges = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...def, vsphereVersion: version, profile: profile.name, privileges };
}

/** Every custom role of a release's profile for `version`, in the page's order (optional roles included). */
export function kkpRoles(version: VsphereVersion, release: KkpRelease = NEWEST_KKP_RELEASE): ResolvedKkpRole[] {
  return kkpRoleProfile(release).roles.map((def) => resolveKkpRole(def.key, version, release));
}

function missingPrivilegesMessage(profile: KkpRoleProfile, def: KkpRoleDefinition, version: VsphereVersion, missing: string[]): string {
  const knownElsewhere = VSPHERE_VERSIONS.filter((v) => missing.every((id) => privilegeCatalog(v).has(id)));
  const minimum = profile.minimumVsphere
    ? ` The page of KKP ${profile.first}-${profile.last} says its roles are for vSphere ${profile.minimumVsphere} and later ("tested with ${profile.testedWith}").`
    : '';
  return (
    `KKP role "${def.name}" (KKP ${profile.first}-${profile.last}) lists ${missing.join(', ')}, which the privilege catalog of ` +
    `vSphere ${version} does not hold. ${catalogNote(version)}${minimum}` +
    (knownElsewhere.length ? ` The catalogs of vSphere ${knownElsewhere.join(', ')} hold ${missing.length > 1 ? 'them' : 'it'}: check vsphereVersion, or choose an older kkpRelease.` : '')
  );
}
