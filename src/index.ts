// Public API of cdktf-kkp-vsphere. Everything not exported here is internal.
export {};
