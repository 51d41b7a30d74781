// Validation of privilege IDs in a custom role, with messages that say what to do.
import { VSPHERE_VERSIONS, VsphereVersion, catalogNote, isCatalogAuthoritative, isImplicitPrivilege, privilegeCatalog } from './catalog';

/** The result of checking a role's privilege list. */
export interface CheckedPrivileges {
  /** The IDs to put into the role: sorted, deduplicated, System.* removed. */
  readonly privileges: string[];
  /** System.* IDs that were listed; vCenter adds them to every role by itself. */
  readonly implicitDropped: string[];
}

/**
 * Checks every ID against the catalog of `version`. Throws on the first unknown ID with the role, the ID, the
 * version and the closest known IDs; drops System.* IDs (a role listing them shows a diff on every plan).
 */
export function checkPrivileges(roleName: string, ids: readonly string[], version: VsphereVersion): CheckedPrivileges {
  const catalog = privilegeCatalog(version);
  // A plain-JavaScript caller can pass anything: name the input instead of failing on raw.trim().
  if (!Array.isArray(ids)) {
    const hint = typeof ids === 'string' ? ` (one ID as a string: write ["${(ids as string).slice(0, 60)}"])` : '';
    throw new Error(
      `Role "${roleName}" privileges: expected an array of privilege IDs such as ["Datastore.Browse", "VirtualMachine.Config.AddNewDisk"], ` +
        `got ${ids === null || ids === undefined ? String(ids) : `a ${typeof ids}`}${hint}.`,
    );
  }
  const keep = new Set<string>();
  const implicitDropped: string[] = [];
  for (const [i, raw] of ids.entries()) {
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new Error(
        `Role "${roleName}" privileges[${i}]: expected a privilege ID such as "Datastore.Browse", got ` +
          `${typeof raw === 'string' ? '""' : raw === null || raw === undefined ? String(raw) : `a ${typeof raw}`}; remove it or give the ID.`,
      );
    }
    const id = raw.trim();
    if (isImplicitPrivilege(id)) {
      implicitDropped.push(id);
      continue;
    }
    if (!catalog.has(id)) {
      throw new Error(unknownPrivilegeMessage(roleName, id, version));
    }
    keep.add(id);
  }
  if (keep.size === 0) {
    throw new Error(
      `Role "${roleName}": no privileges left to grant (System.* privileges are implicit in every role). ` +
        `List at least one privilege ID, or use a predefined role such as Read-only.`,
    );
  }
  return { privileges: [...keep].sort(), implicitDropped };
}

function unknownPrivilegeMessage(roleName: string, id: string, version: VsphereVersion): string {
  const otherVersions = VSPHERE_VERSIONS.filter((v) => v !== version && privilegeCatalog(v).has(id));
  const elsewhere = otherVersions.length
    ? ` It exists in vSphere ${otherVersions.join(', ')}: check the vsphereVersion you configured.`
    : '';
  const closest = closestIds(id, privilegeCatalog(version), 3);
  return (
    `Role "${roleName}": privilege "${id}" is not known to vSphere ${version}.${elsewhere} ` +
    `Closest known IDs: ${closest.join(', ')}. vCenter rejects a role with an unknown privilege (InvalidArgument).` +
    (isCatalogAuthoritative(version) ? '' : ` ${catalogNote(version)}`)
  );
}

/** The `count` catalog IDs closest to `id` by edit distance (case-insensitive), nearest first. */
export function closestIds(id: string, catalog: Iterable<string>, count: number): string[] {
  const target = id.toLowerCase();
  return [...catalog]
    .map((candidate) => ({ candidate, distance: editDistance(target, candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, count)
    .map((c) => c.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
