// Layer 4: the constructs. The package root (src/index.ts) exports them with their props.
export * from './vm-folder';
export * from './kkp-roles';
export * from './seed-permissions';
export * from './user-cluster-permissions';
export * from './user-cluster-folder';
export * from './cloud-config-secret';
export * from './vm-template';
export * from './kkp-datacenter-spec';
export * from './kkp-user-cluster';
export * from './kkp-vsphere-preset';
export * from './kkp-adoption';
