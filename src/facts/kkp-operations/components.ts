// The KKP components that talk to vSphere, and which credential each logs in with per KKP release. Pure data: no cdktf.
// Read in the repositories at the tags each row names; the login table is ARCHITECTURE.md "Who KKP logs in as".
import type { KkpRelease } from '../kkp/releases';
import type { KkpPrincipalKind } from '../privileges/kkp-role-profiles';

/** A file in a public repository at a tag or commit. */
export interface SourceRef {
  readonly repo: string;
  readonly path: string;
  /** The tag or commit the file was read at. */
  readonly ref: string;
  /** The function or symbol, where one is meant. */
  readonly symbol?: string;
}

/** A KKP component that logs in to vCenter. */
export type KkpComponentId = 'kkp-seed-provider' | 'kkp-api' | 'machine-controller' | 'vsphere-ccm' | 'vsphere-csi';

/**
 * Which key of the cluster's credentials a component logs in with: `username` (U), or `infra` (I: the
 * infraManagementUserUsername key if non-empty, else `username`). `either`: the minor release holds both behaviours
 * (it changed in a patch release), so both users must hold the privileges.
 */
export type KkpLogin = 'username' | 'infra' | 'either';

/** One component. */
export interface KkpComponent {
  readonly id: KkpComponentId;
  readonly title: string;
  /** Which KKP role set (the documentation's principals) is meant for this component's user. */
  readonly rolesFor: KkpPrincipalKind;
  /** First release that runs it against vSphere. */
  readonly first: KkpRelease;
  /** Where its vSphere client lives (the newest release read). */
  readonly source: SourceRef;
}

const KKP = 'kubermatic/kubermatic';

export const KKP_COMPONENTS: readonly KkpComponent[] = [
  {
    id: 'kkp-seed-provider',
    title: "KKP's seed controllers (vSphere cloud provider: folders, tags, validation)",
    rolesFor: 'machineController',
    first: '2.12',
    source: { repo: KKP, path: 'pkg/provider/cloud/vsphere/provider.go', ref: 'v2.31.0', symbol: 'VSphere' },
  },
  {
    id: 'kkp-api',
    title: "KKP's API (dashboard lists of folders and networks)",
    rolesFor: 'machineController',
    first: '2.12',
    source: { repo: KKP, path: 'pkg/provider/cloud/vsphere/folder.go', ref: 'v2.31.0', symbol: 'GetVMFolders' },
  },
  {
    id: 'machine-controller',
    title: 'machine-controller (worker VMs)',
    rolesFor: 'machineController',
    first: '2.12',
    source: { repo: 'kubermatic/machine-controller', path: 'pkg/cloudprovider/provider/vsphere/provider.go', ref: 'v1.66.2' },
  },
  {
    id: 'vsphere-ccm',
    title: 'vSphere cloud controller manager (node discovery)',
    rolesFor: 'storage',
    first: '2.12',
    source: { repo: 'kubernetes/cloud-provider-vsphere', path: 'pkg/common/vclib/datacenter.go', ref: 'v1.33.1' },
  },
  {
    id: 'vsphere-csi',
    title: 'vSphere CSI driver with CNS (volumes)',
    rolesFor: 'storage',
    first: '2.18',
    source: { repo: 'kubernetes-sigs/vsphere-csi-driver', path: 'pkg/common/cns-lib/volume/manager.go', ref: 'v3.7.1' },
  },
];

/** Which credential each component uses, for a range of releases. */
export interface KkpLoginRow {
  readonly first: KkpRelease;
  readonly last: KkpRelease;
  readonly logins: Readonly<Record<KkpComponentId, KkpLogin>>;
  readonly source: string;
}

const SEED = 'seed provider: getUsernameAndPassword(..., true) (kubermatic/kubermatic pkg/provider/cloud/vsphere/credentials.go, v2.31.0; unchanged since 2.12)';

/** ARCHITECTURE.md "Who KKP logs in as", one row per range whose logins differ. */
export const KKP_LOGIN_TABLE: readonly KkpLoginRow[] = [
  {
    first: '2.12', last: '2.22',
    logins: { 'kkp-seed-provider': 'infra', 'kkp-api': 'infra', 'machine-controller': 'username', 'vsphere-ccm': 'username', 'vsphere-csi': 'username' },
    source: `${SEED}; machine-controller VSPHERE_USERNAME: GetVSphereCredentials (2.12-2.20, pkg/resources/credentials.go, whose precedence lets username win), a SecretKeyRef on username of cloud-config (2.21-2.26, #10506); CCM/CSI: GetVSphereCredentials, username`,
  },
  {
    first: '2.23', last: '2.24',
    logins: { 'kkp-seed-provider': 'infra', 'kkp-api': 'infra', 'machine-controller': 'username', 'vsphere-ccm': 'either', 'vsphere-csi': 'either' },
    source: `${SEED}; CCM/CSI infra-first from 2.23.9 and 2.24.1 (#12421 backports): username before, infra after`,
  },
  {
    first: '2.25', last: '2.25',
    logins: { 'kkp-seed-provider': 'infra', 'kkp-api': 'infra', 'machine-controller': 'username', 'vsphere-ccm': 'infra', 'vsphere-csi': 'infra' },
    source: `${SEED}; CCM/CSI: GetVSphereCredentials infra-first (#12421)`,
  },
  {
    first: '2.26', last: '2.26',
    logins: { 'kkp-seed-provider': 'infra', 'kkp-api': 'infra', 'machine-controller': 'either', 'vsphere-ccm': 'either', 'vsphere-csi': 'either' },
    source: `${SEED}; 2.26.0-2.26.5: machine-controller username, CCM/CSI infra; 2.26.6+: machine-controller infra, CCM/CSI username (c2c94f7fb4 #14087 backported)`,
  },
  {
    first: '2.27', last: '2.31',
    logins: { 'kkp-seed-provider': 'infra', 'kkp-api': 'infra', 'machine-controller': 'infra', 'vsphere-ccm': 'username', 'vsphere-csi': 'username' },
    source: `${SEED}; machine-controller: infra if non-empty else username (pkg/resources/data.go GetEnvVars, #14087); CCM/CSI: username-first (#14087)`,
  },
];

/** The vSphere CSI driver release KKP ships (kubermatic/kubermatic addons/csi/vsphere at the x.0 tag), where read. */
export const KKP_CSI_DRIVER_VERSIONS: Readonly<Partial<Record<KkpRelease, string>>> = {
  '2.21': 'v2.5.1', '2.24': 'v3.0.2', '2.25': 'v3.1.2', '2.26': 'v3.1.2', '2.27': 'v3.3.1',
  '2.28': 'v3.4.0', '2.29': 'v3.4.0', '2.30': 'v3.4.0', '2.31': 'v3.7.1',
};
