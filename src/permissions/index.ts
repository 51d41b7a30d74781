export * from './principal';
export * from './role';
export * from './vsphere-permissions';
