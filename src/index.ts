// Public API of cdktf-kkp-vsphere. Everything not exported here is internal.

// Layer 1: facts as data.
export {
  VSPHERE_VERSIONS,
  privilegeCatalog,
  expandPrivilegeGroup,
  checkPrivileges,
  catalogNote,
  isCatalogAuthoritative,
  KKP_ROLE_DEFINITIONS,
  KKP_ROLE_PROFILES,
  kkpRoleProfile,
  kkpRoleDefinition,
  resolveKkpRole,
  kkpRoles,
} from './facts/privileges';
export type {
  VsphereVersion,
  CheckedPrivileges,
  KkpRoleDefinition,
  KkpRoleProfile,
  KkpRoleKey,
  KkpCustomRoleName,
  KkpPrincipalKind,
  GrantTarget,
  PrivilegeEntry,
  LabelledPrivilege,
  ResolvedKkpRole,
} from './facts/privileges';
export { KKP_RELEASES, NEWEST_KKP_RELEASE, kkpReleaseFacts } from './facts/kkp';
export type { KkpRelease, KkpReleaseFacts, KkpTemplateKey, KkpCredentialsReference, KkpSpecOptions } from './facts/kkp';
export { renderVsphereCloudConfig, vsphereCloudConfig, renderGcfg, gcfgQuote, gcfgEscape, GcfgValueError } from './facts/cloud-config';
export { renderVsphereCsiConfig, VSPHERE_CSI_CONFIG_SECRET } from './facts/cloud-config';
export type { VsphereCsiConfigInput } from './facts/cloud-config';
export type {
  VsphereCloudConfig,
  VsphereCloudConfigInput,
  VsphereGlobalOptions,
  VsphereDiskOptions,
  VsphereWorkspaceOptions,
  VsphereVirtualCenterOptions,
  GcfgQuote,
  GcfgSection,
  GcfgEntry,
} from './facts/cloud-config';

// Layer 2: inventory.
export { VsphereInventory, SharedEntity, ComputeClusterEntity, DatastoreClusterEntity } from './core/inventory';
export type { VsphereInventoryProps, IVsphereEntity, EntityKind, Ownership } from './core/inventory';

// Layer 3: roles and grants.
export { Principal, PredefinedRole, VsphereRole, VspherePermissions } from './core/permissions';
export type {
  IVsphereRole,
  VsphereRoleProps,
  Grant,
  GrantOptions,
  KeptPermission,
  AuthoritativeOptions,
  Management,
  AdditiveGrantInput,
  AdditiveGrantsMetadata,
  ObjectPermissionsMetadata,
  PermissionMetadata,
} from './core/permissions';

// Layer 4: features.
export { VmFolder } from './constructs/vm-folder';
export type { VmFolderProps } from './constructs/vm-folder';
export { KkpRoles } from './constructs/kkp-roles';
export type { KkpRolesProps } from './constructs/kkp-roles';
export { SeedPermissions } from './constructs/seed-permissions';
export type { SeedPermissionsProps } from './constructs/seed-permissions';
export { UserClusterPermissions } from './constructs/user-cluster-permissions';
export type { UserClusterPermissionsProps } from './constructs/user-cluster-permissions';
export { CloudConfigSecret } from './constructs/cloud-config-secret';
export type { CloudConfigSecretProps, KkpCloudConfigSecretProps, CsiVsphereConfSecretProps, CloudConfigSecretPlacement } from './constructs/cloud-config-secret';
export { VmTemplate, VmTemplateSource } from './constructs/vm-template';
export type { VmTemplateProps, VmTemplatePerNetworkProps, VmTemplateSourceOptions, ConvertedImageRef, DiskProvisioning, UrlSecret, UrlSecretPart } from './constructs/vm-template';
export { DEFAULT_CLI_COMMAND, CLI_COMMAND_CONTEXT } from './contracts/provisioner-command';
export type { TemplateImportSpec } from './contracts/template-import';
export { VM_IMAGE_PRESETS, vmImagePreset } from './facts/image-presets';
export type { VmImagePreset, VmImagePresetName, VmImageFormat } from './facts/image-presets';
export { KKP_VSPHERE_OPERATING_SYSTEMS, isKkpOperatingSystem, renderKkpDatacenterSpec, kkpDatacenterObject, renderKkpClusterCloudSpec, kkpClusterCloudObject, kkpTemplateMap, parseVsphereEndpoint } from './facts/kkp';
export type { KkpOperatingSystem, IKkpTemplate, KkpTemplates, KkpSpecFormat, KkpVsphereDatacenterInput, KkpVsphereClusterCloudInput } from './facts/kkp';
export { KkpDatacenterSpec } from './constructs/kkp-datacenter-spec';
export type { KkpDatacenterSpecProps } from './constructs/kkp-datacenter-spec';
export { UserClusterFolder } from './constructs/user-cluster-folder';
export type { UserClusterFolderProps } from './constructs/user-cluster-folder';
export { KkpUserCluster, KKP_VSPHERE_CREDENTIAL_KEYS, KKP_CREDENTIALS_NAMESPACE } from './constructs/kkp-user-cluster';
export type { KkpUserClusterProps } from './constructs/kkp-user-cluster';
export { KkpVspherePreset } from './constructs/kkp-vsphere-preset';
export type { KkpVspherePresetProps } from './constructs/kkp-vsphere-preset';
export { kkpPresetFacts } from './facts/kkp';
export type { KkpPresetFacts, KkpPresetVsphereField, KkpPresetSpecField } from './facts/kkp';
export { KkpAdoption, AdoptedTemplate } from './constructs/kkp-adoption';
export type { KkpAdoptionProps, AdoptedTemplateProps } from './constructs/kkp-adoption';
export { DISCOVERY_FORMAT, parseDiscovery, DiscoveryFileError } from './contracts/discovery-file';
export type { KkpDiscovery, DiscoveredRole, DiscoveredFolder, DiscoveredTemplate, DiscoveredPermission } from './contracts/discovery-file';

// Layer 5: the plan-review report and the image tools (pure Node; the CLI wraps them). Loaded on first use, so a
// synth never loads them nor what they need (yaml, tar, an XML parser): bench/RESULTS.md has the figures.
import type * as report from './tools/report';
import type * as images from './tools/images';

export declare const readSynthOutput: typeof report.readSynthOutput;
export declare const SynthOutputError: typeof report.SynthOutputError;
export type SynthOutputError = report.SynthOutputError;
export declare const diffReports: typeof report.diffReports;
export declare const hasChanges: typeof report.hasChanges;
export declare const renderReportMarkdown: typeof report.renderReportMarkdown;
export declare const renderDiffMarkdown: typeof report.renderDiffMarkdown;
export declare const planReport: typeof report.planReport;
export declare const renderPlanMarkdown: typeof report.renderPlanMarkdown;
export declare const PlanInputError: typeof report.PlanInputError;
export type PlanInputError = report.PlanInputError;
export declare const readKkpMetadata: typeof report.readKkpMetadata;
export type {
  Report,
  ReportDiff,
  StackReport,
  RoleFact,
  GrantFact,
  FolderFact,
  TemplateFact,
  SecretFact,
  WarningFact,
  ReportManagement,
  PrivilegeChange,
  ManagementChange,
  MarkdownOptions,
  VariableFact,
  ResourceFact,
  CrossStackFact,
  LostPermissionFact,
  PlanReport,
  PlanStackReport,
  PlanPermissionChange,
  PlanRoleChange,
  PlanItemChange,
  PlanSecretChange,
  PlannedChangeFact,
  PlanInput,
  PlanMarkdownOptions,
  KkpMetadata,
  KkpEntityPermissionsMetadata,
  KkpPermissionMetadata,
  KkpAdditiveGrantMetadata,
  KkpRoleMetadata,
  KkpTemplateMetadata,
  KkpManagementMetadata,
} from './tools/report';

export declare const convertImage: typeof images.convertImage;
export declare const verifyConvertedImage: typeof images.verifyConvertedImage;
export declare const convertedImageFiles: typeof images.convertedImageFiles;
export declare const ImageConversionError: typeof images.ImageConversionError;
export type ImageConversionError = images.ImageConversionError;
export type { ConvertImageOptions, ConvertedImage, ConvertedImageFiles } from './tools/images';

// Layer 5: the `verify` command's result (types only: its code talks to vCenter and stays off the synth path).
export type { VerifyResult, VerifyFinding, VerifyFindingKind } from './tools/verify';

// The names once more as plain assignments, which is how Node finds a CommonJS module's exports for an ES module
// `import { readSynthOutput } from 'cdktf-kkp-vsphere'`; the getters defined next replace these values.
exports.readSynthOutput = exports.SynthOutputError = exports.diffReports = exports.hasChanges = exports.renderReportMarkdown =
  exports.renderDiffMarkdown = exports.planReport = exports.renderPlanMarkdown = exports.PlanInputError =
  exports.readKkpMetadata = exports.convertImage = exports.verifyConvertedImage = exports.convertedImageFiles =
  exports.ImageConversionError = void 0;

lazyExports(() => require('./tools/report'), [
  'readSynthOutput', 'SynthOutputError', 'diffReports', 'hasChanges', 'renderReportMarkdown', 'renderDiffMarkdown',
  'planReport', 'renderPlanMarkdown', 'PlanInputError', 'readKkpMetadata',
]);
lazyExports(() => require('./tools/images'), ['convertImage', 'verifyConvertedImage', 'convertedImageFiles', 'ImageConversionError']);

/** Defines `names` on this module's exports as getters that load their module on first access. */
function lazyExports(load: () => Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load()[name] });
  }
}
