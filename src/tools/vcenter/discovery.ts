// The read-only scan behind `cdktf-kkp-vsphere discover`: which KKP roles, folders, templates and grants a vCenter
// already has, and how its roles differ from the documentation of one KKP release. It only reads (RoleList,
// RetrieveAllPermissions, one ContainerView): nothing on the vCenter changes.
import {
  DISCOVERY_FORMAT,
  DiscoveredFolder,
  DiscoveredPermission,
  DiscoveredRole,
  DiscoveredTemplate,
  KkpDiscovery,
} from '../../contracts/discovery-file';
import { KkpRelease, NEWEST_KKP_RELEASE } from '../../facts/kkp/releases';
import { KKP_ROLE_PROFILES, KkpRoleKey, VsphereVersion, isImplicitPrivilege, kkpRoleDefinition, resolveKkpRole } from '../../facts/privileges';
import { VcenterClient, VcenterInventoryObject, VcenterRole } from './client';
import { ManagedObjectReference } from './soap';

/** What to compare the vCenter with. */
export interface DiscoverOptions {
  /** @default - the newest KKP release the library knows */
  readonly kkpRelease?: KkpRelease;
  /** The vSphere version whose privilege catalog the documented roles are expanded with. */
  readonly vsphereVersion: VsphereVersion;
  /**
   * Only roles with this prefix (`''` for the documentation's names).
   * @default - every prefix found
   */
  readonly namePrefix?: string;
}

// Every custom role name any page gave, longest first, so that `k8c-user-tags-category` is not taken for a prefixed
// `k8c-user-tags`... and the reverse cannot happen either.
const KKP_NAMES: readonly string[] = [...new Set(KKP_ROLE_PROFILES.flatMap((p) => p.roles.map((r) => r.name)))].sort(
  (a, b) => b.length - a.length || (a < b ? -1 : 1),
);

/** The KKP name a vCenter role name carries, and its prefix, or undefined. */
export function matchKkpRoleName(roleName: string): { kkpName: string; prefix: string } | undefined {
  for (const kkpName of KKP_NAMES) {
    if (roleName.endsWith(kkpName)) return { kkpName, prefix: roleName.slice(0, roleName.length - kkpName.length) };
  }
  return undefined;
}

/** Reads the vCenter and returns what a stack can adopt. Changes nothing. */
export async function discoverKkpSetup(vc: VcenterClient, server: string, options: DiscoverOptions): Promise<KkpDiscovery> {
  const kkpRelease = options.kkpRelease ?? NEWEST_KKP_RELEASE;
  const { vsphereVersion } = options;
  const [roleList, inventory, permissions] = await Promise.all([vc.roleList(), vc.inventoryObjects(), vc.retrieveAllPermissions()]);

  const roles = roleList
    .filter((r) => !r.system)
    .flatMap((r) => {
      const match = matchKkpRoleName(r.name);
      if (!match || (options.namePrefix !== undefined && match.prefix !== options.namePrefix)) return [];
      return [compareRole(r, match.kkpName, match.prefix, kkpRelease, vsphereVersion)];
    })
    .sort((a, b) => cmp(a.name, b.name));

  const paths = inventoryPaths(inventory);
  const pathOf = (ref: ManagedObjectReference): string => paths.get(refKey(ref)) ?? `${ref.type}:${ref.value}`;
  const roleById = new Map(roleList.map((r) => [r.id, r]));
  const kkpRoleIds = new Map(roles.map((r) => [r.id, r]));
  const principalKey = (p: { principal: string; group: boolean }) => `${p.group ? 'g' : 'u'}:${p.principal.toLowerCase()}`;
  const kkpPrincipals = new Set(permissions.filter((p) => kkpRoleIds.has(p.roleId)).map(principalKey));

  const toDiscovered = (p: (typeof permissions)[number]): DiscoveredPermission => {
    const role = roleById.get(p.roleId);
    const kkp = kkpRoleIds.get(p.roleId);
    const kkpRole: DiscoveredPermission['kkpRole'] = kkp?.key ?? (role?.system && role.name === 'ReadOnly' ? 'read-only' : undefined);
    return {
      object: pathOf(p.entity),
      entityType: p.entity.type,
      entityId: p.entity.value,
      principal: p.principal,
      isGroup: p.group,
      role: role ? (role.system ? role.label : role.name) : `role id ${p.roleId}`,
      roleId: p.roleId,
      propagate: p.propagate,
      ...(kkpRole && kkpPrincipals.has(principalKey(p)) ? { kkpRole } : {}),
    };
  };
  const byObjectThenPrincipal = (a: DiscoveredPermission, b: DiscoveredPermission) =>
    cmp(a.object, b.object) || cmp(a.principal.toLowerCase(), b.principal.toLowerCase()) || Number(a.isGroup) - Number(b.isGroup);
  const grants = permissions.filter((p) => kkpPrincipals.has(principalKey(p))).map(toDiscovered).sort(byObjectThenPrincipal);
  const grantObjects = new Set(grants.map((g) => refKey({ type: g.entityType, value: g.entityId })));
  const otherPermissions = permissions
    .filter((p) => !kkpPrincipals.has(principalKey(p)) && grantObjects.has(refKey(p.entity)))
    .map(toDiscovered)
    .sort(byObjectThenPrincipal);

  const { folders, templates } = kkpFoldersAndTemplates(inventory, paths, grants);
  return {
    format: DISCOVERY_FORMAT,
    server,
    kkpRelease,
    vsphereVersion,
    prefixes: [...new Set(roles.map((r) => r.prefix))].sort(cmp),
    roles,
    folders,
    templates,
    grants,
    otherPermissions,
  };
}

function compareRole(role: VcenterRole, kkpName: string, prefix: string, release: KkpRelease, version: VsphereVersion): DiscoveredRole {
  const privileges = role.privileges.filter((p) => !isImplicitPrivilege(p)).sort(cmp);
  let key: KkpRoleKey | undefined;
  let documentedName: string | undefined;
  let documented: readonly string[] = [];
  try {
    const def = kkpRoleDefinition(kkpName as Parameters<typeof kkpRoleDefinition>[0], release);
    key = def.key;
    documentedName = def.name;
    documented = resolveKkpRole(def.key, version, release).privileges.map((p) => p.id);
  } catch {
    // The selected release's page has no such role: reported without key, compared with nothing.
  }
  const held = new Set(privileges);
  const wanted = new Set(documented);
  return {
    name: role.name,
    id: role.id,
    prefix,
    kkpName,
    ...(key ? { key, documentedName } : {}),
    privileges,
    missing: key ? documented.filter((p) => !held.has(p)) : [],
    extra: key ? privileges.filter((p) => !wanted.has(p)) : [],
  };
}

/** Inventory path of every object: `/` for the root folder, `/<datacenter>/vm/<folder>/...` below it. */
function inventoryPaths(objects: readonly VcenterInventoryObject[]): Map<string, string> {
  const byRef = new Map(objects.map((o) => [refKey(o.ref), o]));
  const paths = new Map<string, string>();
  const pathOf = (o: VcenterInventoryObject, depth = 0): string => {
    const cached = paths.get(refKey(o.ref));
    if (cached !== undefined) return cached;
    const parent = o.parent ? byRef.get(refKey(o.parent)) : undefined;
    let path: string;
    if (!o.parent) path = '/';
    else if (!parent || depth > 256) path = `/${o.name}`;
    else {
      const above = pathOf(parent, depth + 1);
      path = above === '/' ? `/${o.name}` : `${above}/${o.name}`;
    }
    paths.set(refKey(o.ref), path);
    return path;
  };
  for (const o of objects) pathOf(o);
  return paths;
}

function kkpFoldersAndTemplates(
  objects: readonly VcenterInventoryObject[],
  paths: ReadonlyMap<string, string>,
  grants: readonly DiscoveredPermission[],
): { folders: DiscoveredFolder[]; templates: DiscoveredTemplate[] } {
  const byRef = new Map(objects.map((o) => [refKey(o.ref), o]));
  // A datacenter's VM folder: `/<dc>/vm`. Folders below it are what VmFolder manages.
  const vmRoots = new Map<string, string>();
  for (const o of objects) {
    const parent = o.parent ? byRef.get(refKey(o.parent)) : undefined;
    if (o.ref.type === 'Folder' && parent?.ref.type === 'Datacenter' && o.name === 'vm') vmRoots.set(refKey(o.ref), parent.name);
  }
  const vmFolderOf = (o: VcenterInventoryObject): { datacenter: string; relativePath: string } | undefined => {
    const names: string[] = [];
    let cur: VcenterInventoryObject | undefined = o;
    for (let depth = 0; cur && depth < 256; depth++) {
      const datacenter = vmRoots.get(refKey(cur.ref));
      if (datacenter !== undefined) return names.length ? { datacenter, relativePath: names.reverse().join('/') } : undefined;
      if (cur.ref.type !== 'Folder') return undefined;
      names.push(cur.name);
      cur = cur.parent ? byRef.get(refKey(cur.parent)) : undefined;
    }
    return undefined;
  };

  const reasons = new Map<string, Set<DiscoveredFolder['reasons'][number]>>();
  const mark = (o: VcenterInventoryObject, why: DiscoveredFolder['reasons'][number]): void => {
    if (!vmFolderOf(o)) return;
    const set = reasons.get(refKey(o.ref)) ?? new Set();
    set.add(why);
    reasons.set(refKey(o.ref), set);
    const parent = o.parent ? byRef.get(refKey(o.parent)) : undefined;
    if (parent && vmFolderOf(parent)) mark(parent, 'parent');
  };

  const templates: DiscoveredTemplate[] = [];
  for (const o of objects) {
    if (o.ref.type !== 'VirtualMachine' || !o.template || !o.parent) continue;
    const folder = byRef.get(refKey(o.parent));
    const datacenter = folder ? (vmFolderOf(folder)?.datacenter ?? vmRoots.get(refKey(folder.ref))) : undefined;
    if (!folder || datacenter === undefined) continue;
    templates.push({ name: o.name, path: paths.get(refKey(o.ref))!, datacenter, folder: paths.get(refKey(folder.ref))!, id: o.ref.value });
    mark(folder, 'templates');
  }
  for (const g of grants) {
    if (!g.kkpRole) continue;
    const o = byRef.get(refKey({ type: g.entityType, value: g.entityId }));
    if (o?.ref.type === 'Folder') mark(o, 'grant');
  }
  const folders: DiscoveredFolder[] = [...reasons.entries()].map(([key, why]) => {
    const o = byRef.get(key)!;
    const where = vmFolderOf(o)!;
    const order = ['grant', 'templates', 'parent'] as const;
    return { path: paths.get(key)!, datacenter: where.datacenter, relativePath: where.relativePath, id: o.ref.value, reasons: order.filter((r) => why.has(r)) };
  });
  return { folders: folders.sort((a, b) => cmp(a.path, b.path)), templates: templates.sort((a, b) => cmp(a.path, b.path)) };
}

function refKey(ref: ManagedObjectReference): string {
  return `${ref.type}:${ref.value}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
