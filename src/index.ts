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
} from './privileges';
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
} from './privileges';
export { KKP_RELEASES, NEWEST_KKP_RELEASE, kkpReleaseFacts } from './kkp-spec';
export type { KkpRelease, KkpReleaseFacts, KkpTemplateKey, KkpCredentialsReference, KkpSpecOptions } from './kkp-spec';
export { renderVsphereCloudConfig, vsphereCloudConfig, renderGcfg, gcfgQuote, gcfgEscape, GcfgValueError } from './cloud-config';
export { renderVsphereCsiConfig, VSPHERE_CSI_CONFIG_SECRET } from './cloud-config';
export type { VsphereCsiConfigInput } from './cloud-config';
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
} from './cloud-config';

// Layer 2: inventory.
export { VsphereInventory, SharedEntity, ComputeClusterEntity, DatastoreClusterEntity } from './inventory';
export type { VsphereInventoryProps, IVsphereEntity, EntityKind, Ownership } from './inventory';

// Layer 3: roles and grants.
export { Principal, PredefinedRole, VsphereRole, VspherePermissions } from './permissions';
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
} from './permissions';

// Layer 4: features.
export { VmFolder } from './vm-folder';
export type { VmFolderProps } from './vm-folder';
export { KkpRoles } from './kkp-roles';
export type { KkpRolesProps } from './kkp-roles';
export { SeedPermissions } from './seed-permissions';
export type { SeedPermissionsProps } from './seed-permissions';
export { UserClusterPermissions } from './user-cluster-permissions';
export type { UserClusterPermissionsProps } from './user-cluster-permissions';
export { CloudConfigSecret } from './cloud-config-secret';
export type { CloudConfigSecretProps, KkpCloudConfigSecretProps, CsiVsphereConfSecretProps, CloudConfigSecretPlacement } from './cloud-config-secret';
export { VmTemplate, VmTemplateSource } from './vm-template';
export type { VmTemplateProps, VmTemplatePerNetworkProps, VmTemplateSourceOptions, ConvertedImageRef, DiskProvisioning, UrlSecret, UrlSecretPart } from './vm-template';
export { DEFAULT_CLI_COMMAND, CLI_COMMAND_CONTEXT } from './provisioner-command';
export type { TemplateImportSpec } from './vm-template-spec';
export { VM_IMAGE_PRESETS, vmImagePreset } from './vm-template-presets';
export type { VmImagePreset, VmImagePresetName, VmImageFormat } from './vm-template-presets';
export { KKP_VSPHERE_OPERATING_SYSTEMS, isKkpOperatingSystem, renderKkpDatacenterSpec, kkpDatacenterObject, renderKkpClusterCloudSpec, kkpClusterCloudObject, kkpTemplateMap, parseVsphereEndpoint } from './kkp-spec';
export type { KkpOperatingSystem, IKkpTemplate, KkpTemplates, KkpSpecFormat, KkpVsphereDatacenterInput, KkpVsphereClusterCloudInput } from './kkp-spec';
export { KkpDatacenterSpec } from './kkp-datacenter-spec';
export type { KkpDatacenterSpecProps } from './kkp-datacenter-spec';
export { UserClusterFolder } from './user-cluster-folder';
export type { UserClusterFolderProps } from './user-cluster-folder';
export { KkpUserCluster, KKP_VSPHERE_CREDENTIAL_KEYS, KKP_CREDENTIALS_NAMESPACE } from './kkp-user-cluster';
export type { KkpUserClusterProps } from './kkp-user-cluster';
export { KkpVspherePreset } from './kkp-preset';
export type { KkpVspherePresetProps } from './kkp-preset';
export { kkpPresetFacts } from './kkp-spec';
export type { KkpPresetFacts, KkpPresetVsphereField, KkpPresetSpecField } from './kkp-spec';
export { KkpAdoption, AdoptedTemplate } from './adoption/adoption';
export type { KkpAdoptionProps, AdoptedTemplateProps } from './adoption/adoption';
export { DISCOVERY_FORMAT, parseDiscovery, DiscoveryFileError } from './adoption/model';
export type { KkpDiscovery, DiscoveredRole, DiscoveredFolder, DiscoveredTemplate, DiscoveredPermission } from './adoption/model';

// Layer 5: the plan-review report and the image tools (pure Node; the CLI wraps them). Loaded on first use, so a
// synth never loads them nor what they need (yaml, tar, an XML parser): bench/RESULTS.md has the figures.
import type * as report from './report';
import type * as images from './images';

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
} from './report';

export declare const convertImage: typeof images.convertImage;
export declare const verifyConvertedImage: typeof images.verifyConvertedImage;
export declare const convertedImageFiles: typeof images.convertedImageFiles;
export declare const ImageConversionError: typeof images.ImageConversionError;
export type ImageConversionError = images.ImageConversionError;
export type { ConvertImageOptions, ConvertedImage, ConvertedImageFiles } from './images';

// Layer 5: the `verify` command's result (types only: its code talks to vCenter and stays off the synth path).
export type { VerifyResult, VerifyFinding, VerifyFindingKind } from './verify';

// The names once more as plain assignments, which is how Node finds a CommonJS module's exports for an ES module
// `import { readSynthOutput } from 'cdktf-kkp-vsphere'`; the getters defined next replace these values.
exports.readSynthOutput = exports.SynthOutputError = exports.diffReports = exports.hasChanges = exports.renderReportMarkdown =
  exports.renderDiffMarkdown = exports.planReport = exports.renderPlanMarkdown = exports.PlanInputError =
  exports.readKkpMetadata = exports.convertImage = exports.verifyConvertedImage = exports.convertedImageFiles =
  exports.ImageConversionError = void 0;

lazyExports(() => require('./report'), [
  'readSynthOutput', 'SynthOutputError', 'diffReports', 'hasChanges', 'renderReportMarkdown', 'renderDiffMarkdown',
  'planReport', 'renderPlanMarkdown', 'PlanInputError', 'readKkpMetadata',
]);
lazyExports(() => require('./images'), ['convertImage', 'verifyConvertedImage', 'convertedImageFiles', 'ImageConversionError']);

/** Defines `names` on this module's exports as getters that load their module on first access. */
function lazyExports(load: () => Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load()[name] });
  }
}
