// Public API of cdktf-kkp-vsphere. Everything not exported here is internal.

// Layer 1: facts as data.
export {
  VsphereVersion,
  VSPHERE_VERSIONS,
  privilegeCatalog,
  expandPrivilegeGroup,
  checkPrivileges,
  CheckedPrivileges,
  KKP_ROLE_DEFINITIONS,
  KkpRoleDefinition,
  KkpCustomRoleName,
  KkpPrincipalKind,
  GrantTarget,
  PrivilegeEntry,
  LabelledPrivilege,
  ResolvedKkpRole,
  resolveKkpRole,
  kkpRoles,
} from './privileges';

// Layer 2: inventory.
export { VsphereInventory, VsphereInventoryProps, IVsphereEntity, SharedEntity, ComputeClusterEntity, EntityKind, Ownership } from './inventory';

// Layer 3: roles and grants.
export {
  Principal,
  IVsphereRole,
  PredefinedRole,
  VsphereRole,
  VsphereRoleProps,
  VspherePermissions,
  Grant,
  GrantOptions,
  KeptPermission,
  AuthoritativeOptions,
  Management,
} from './permissions';

// Layer 4: features.
export { VmFolder, VmFolderProps } from './vm-folder';
export { KkpRoles, KkpRolesProps } from './kkp-roles';
export { SeedPermissions, SeedPermissionsProps } from './seed-permissions';
export { UserClusterPermissions, UserClusterPermissionsProps } from './user-cluster-permissions';
