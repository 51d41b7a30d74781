export * from './principal';
export * from './role';
export * from './vsphere-permissions';
export { GRANT_ENV, STACK_ROLES_ENV, additiveGrantKey } from './additive-model';
export type { AdditiveGrantInput, AdditiveGrantsMetadata, ObjectPermissionsMetadata, PermissionMetadata } from './additive-model';
