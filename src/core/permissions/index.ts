export * from './principal';
export * from './role';
export * from './vsphere-permissions';
export { GRANT_ENV, STACK_ROLES_ENV, additiveGrantKey } from '../../contracts/additive-grants';
export type { AdditiveGrantInput, AdditiveGrantsMetadata, ObjectPermissionsMetadata, PermissionMetadata } from '../../contracts/additive-grants';
