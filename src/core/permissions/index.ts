// Principals, roles and grants: the permissions engine the constructs build on.
export * from './principal';
export * from './role';
export * from './vsphere-permissions';
export * from './synth-value';
export * from './expect';
export { additiveGrantKey, permissionImportId, permissionsImportId } from '../../contracts/additive-grants';
export type { AdditiveGrantInput, AdditiveGrantMetadata, ObjectPermissionsMetadata, PermissionMetadata } from '../../contracts/additive-grants';
