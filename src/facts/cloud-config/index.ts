// Layer 1: the cloud-config INI, pure (no cdktf).
export * from './gcfg';
export * from './vsphere';
export * from './csi-vsphere-conf';
