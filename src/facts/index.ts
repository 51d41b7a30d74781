/**
 * Facts as data and pure functions, no cdktf: vSphere's privilege catalogs per version and KKP's roles
 * ({@link privilegeCatalog}, {@link KKP_ROLE_DEFINITIONS}, {@link kkpRoles}), KKP's releases and the specs KKP reads
 * ({@link kkpReleaseFacts}, {@link renderKkpDatacenterSpec}, {@link kkpPresetFacts}), the cloud-config formats
 * ({@link renderVsphereCloudConfig}, {@link renderVsphereCsiConfig}, {@link renderGcfg}), the VM image presets, and what
 * KKP's components call on vSphere with which privileges ({@link KKP_OPERATIONS}, {@link checkKkpWorks}).
 *
 * ```ts
 * import { kkpRoles, renderVsphereCloudConfig } from 'cdktf-kkp-vsphere/facts';
 * ```
 * @module cdktf-kkp-vsphere/facts
 */
export * from './privileges';
export * from './kkp';
export * from './cloud-config';
export * from './image-presets';
export * from './kkp-operations';
