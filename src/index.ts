/**
 * The constructs, their props and the types those need: what a cdktf app imports. A synth loads this and none of the
 * tools. The rest is in the package's other entry points:
 *
 * | import from | what |
 * | --- | --- |
 * | `cdktf-kkp-vsphere` | the constructs (this page) |
 * | `cdktf-kkp-vsphere/facts` | privilege catalogs, KKP's roles and releases, the KKP specs, the cloud-config formats, image presets, what KKP's components call on vSphere |
 * | `cdktf-kkp-vsphere/contracts` | what synth writes and the CLI reads: review metadata, the additive grants' metadata and import IDs, the discovery file |
 * | `cdktf-kkp-vsphere/report` | the plan-review report of a synth output and of Terraform plans |
 * | `cdktf-kkp-vsphere/images` | QCOW2 to OVF/OVA conversion and its checks |
 *
 * Everything not exported from one of these is internal.
 * @module cdktf-kkp-vsphere
 */
// The vSphere inventory and its entities.
export { VsphereInventory, SharedEntity, ComputeClusterEntity, DatastoreClusterEntity } from './core';
export type { VsphereInventoryProps, IVsphereEntity, EntityKind, Ownership } from './core';

// Principals, roles and grants.
export { Principal, PredefinedRole, VsphereRole, VspherePermissions } from './core';
export type { IVsphereRole, VsphereRoleProps, Grant, GrantOptions, KeptPermission, AuthoritativeOptions, Management } from './core';

// The constructs and their props.
export { VmFolder } from './constructs';
export type { VmFolderProps } from './constructs';
export { KkpRoles } from './constructs';
export type { KkpRolesProps } from './constructs';
export { SeedPermissions } from './constructs';
export type { SeedPermissionsProps } from './constructs';
export { UserClusterPermissions } from './constructs';
export type { UserClusterPermissionsProps } from './constructs';
export { UserClusterFolder } from './constructs';
export type { UserClusterFolderProps } from './constructs';
export { CloudConfigSecret } from './constructs';
export type { CloudConfigSecretProps, KkpCloudConfigSecretProps, CsiVsphereConfSecretProps, CloudConfigSecretPlacement } from './constructs';
export { VmTemplate, VmTemplateSource } from './constructs';
export type { VmTemplateProps, VmTemplatePerNetworkProps, VmTemplateSourceOptions, ConvertedImageRef, DiskProvisioning, UrlSecret, UrlSecretPart } from './constructs';
export { KkpDatacenterSpec } from './constructs';
export type { KkpDatacenterSpecProps } from './constructs';
export { KkpUserCluster, KKP_VSPHERE_CREDENTIAL_KEYS, KKP_CREDENTIALS_NAMESPACE } from './constructs';
export type { KkpUserClusterProps } from './constructs';
export { KkpVspherePreset } from './constructs';
export type { KkpVspherePresetProps } from './constructs';
export { KkpAdoption, AdoptedTemplate } from './constructs';
export type { KkpAdoptionProps, AdoptedTemplateProps } from './constructs';
// What props that take a provider or a variable accept: either framework's (cdktf or cdktn) objects (docs/frameworks.md).
export type { ITerraformProviderRef, ITerraformVariableRef } from './framework/refs';

// The error every refused input throws: it names the construct path and the prop.
export { KkpValidationError, InputRef } from './base';

// The provisioners' command (the context key that overrides it, and its default).

// The facts the props name.
export { VSPHERE_VERSIONS, KKP_RELEASES, NEWEST_KKP_RELEASE, KKP_VSPHERE_OPERATING_SYSTEMS, VM_IMAGE_PRESETS } from './facts';
export type { VsphereVersion, KkpRelease, KkpOperatingSystem, KkpTemplateKey, KkpTemplates, IKkpTemplate, KkpSpecFormat, KkpCredentialsReference } from './facts';
export type { KkpRoleKey, KkpCustomRoleName, KkpRoleDefinition, KkpRoleProfile, KkpPrincipalKind, PrivilegeEntry, GrantTarget } from './facts';
export type { VsphereCloudConfigInput, VsphereCsiConfigInput } from './facts';
export type { VmImagePreset, VmImagePresetName, VmImageFormat } from './facts';
export type { KkpDiscovery, DiscoveredRole, DiscoveredFolder, DiscoveredTemplate, DiscoveredPermission } from './contracts';
