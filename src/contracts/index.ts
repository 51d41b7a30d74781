/**
 * What synth writes and the CLI reads: the review metadata in each resource's `//` comment ({@link readKkpMetadata}),
 * the additive-grant and template-import inputs of the provisioners, the provisioner command, and the discovery file
 * that `cdktf-kkp-vsphere discover` writes and `KkpAdoption` reads ({@link parseDiscovery}).
 *
 * ```ts
 * import { parseDiscovery } from 'cdktf-kkp-vsphere/contracts';
 * ```
 * @module cdktf-kkp-vsphere/contracts
 */
export * from './review-metadata';
export * from './additive-grants';
export * from './template-import';
export * from './provisioner-command';
export * from './discovery-file';
