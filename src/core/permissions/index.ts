// Principals, roles and grants: the permissions engine the constructs build on.
export * from './principal';
export * from './role';
export * from './vsphere-permissions';
export * from './synth-value';
export * from './expect';
export { GRANT_ENV, STACK_ROLES_ENV, additiveGrantKey } from '../../contracts/additive-grants';
export type { AdditiveGrantInput, AdditiveGrantsMetadata, ObjectPermissionsMetadata, PermissionMetadata } from '../../contracts/additive-grants';
