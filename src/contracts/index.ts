/**
 * What synth writes and the CLI reads: the review metadata in each resource's `//` comment ({@link readKkpMetadata}),
 * the additive grants' metadata and import IDs ({@link additiveGrantsOf}, {@link permissionImportId}), the template
 * import facts, and the discovery file that `cdktf-kkp-vsphere discover` writes and `KkpAdoption` reads
 * ({@link parseDiscovery}).
 *
 * ```ts
 * import { parseDiscovery } from 'cdktf-kkp-vsphere/contracts';
 * ```
 * @module cdktf-kkp-vsphere/contracts
 */
export * from './review-metadata';
export * from './additive-grants';
export * from './template-import';
export * from './discovery-file';
