// What each KKP release reads and writes on vSphere, as data: the Seed's field spelling, the cluster's network and
// folder fields, the operating-system keys of `templates`, and who owns the cloud-config Secrets. One home for these
// facts; the role profiles (src/facts/privileges/kkp-role-profiles.ts) map releases to the roles of each documentation page.
// Pure: no cdktf.
//
// Sources (kubermatic/kubermatic at each release tag vX.Y.0):
// - DatacenterSpecVSphere and VSphereCloudSpec: api/pkg/crd/kubermatic/v1/{datacenter,cluster}.go (2.12-2.14),
//   pkg/crd/kubermatic/v1/ (2.15-2.18), pkg/apis/kubermatic/v1/ (2.19-2.27), sdk/apis/kubermatic/v1/ (2.28+).
//   snake_case JSON tags (`allow_insecure`, `root_path`, `storage_policy`, `infra_management_user`) up to 2.18,
//   camelCase from 2.19; `networks` and `basePath` appear in VSphereCloudSpec in 2.24 (`vmNetName` deprecated).
// - Template keys: KKP validates `templates` against machine-controller's AllOperatingSystems (2.12:
//   api/pkg/provider/datacenter.go validateImageList; 2.14-2.18: pkg/ee/provider/datacenter.go) at the
//   machine-controller version of the release's go.mod / Gopkg.lock (2.12 v1.5.8, 2.13 v1.10.0, 2.14 v1.14.1,
//   2.15 v1.13.2, 2.16 v1.23.1, 2.17 v1.27.1, 2.18 v1.35.2, 2.19 v1.42.1, 2.20 v1.45.0, 2.21 v1.54.0, 2.22 v1.56.0,
//   2.23 v1.57.0, 2.24 v1.57.3, 2.25 v1.59.0, 2.26 v1.60.0, 2.27 v1.61.0, 2.28 v1.62.0, 2.29 v1.63.1, 2.30 v1.65.0,
//   2.31 v1.66.2). `amzn2` and `sles` are left out: machine-controller's docs/operating-system.md marks both
//   unsupported on vSphere (v1.54.0).
// - cloud-config Secrets: pkg/resources/resources.go CloudConfigSecretName ("cloud-config", from 2.13: reconciled by
//   the user-cluster controller, pkg/controller/user-cluster-controller-manager/resources/cloudcontroller/secret.go)
//   and CSICloudConfigSecretName ("cloud-config-csi", from 2.18, .../resources/reconciler.go); 2.12 had only the
//   seed-side ConfigMap CloudConfigConfigMapName. From 2.26 the user-cluster controller deletes the user cluster's
//   `cloud-config` (.../cloudcontroller/deletion.go).
import { InputRef, inputError } from '../../base/errors';

/** The KKP releases this library knows, oldest first (minor versions). */
export const KKP_RELEASES = [
  '2.12', '2.13', '2.14', '2.15', '2.16', '2.17', '2.18', '2.19', '2.20', '2.21',
  '2.22', '2.23', '2.24', '2.25', '2.26', '2.27', '2.28', '2.29', '2.30', '2.31',
] as const;

/** A KKP minor release, e.g. `'2.28'`. */
export type KkpRelease = (typeof KKP_RELEASES)[number];

/** The newest release the library knows: the default everywhere. */
export const NEWEST_KKP_RELEASE: KkpRelease = KKP_RELEASES[KKP_RELEASES.length - 1];

/** Operating systems KKP offers on vSphere that a template can be built for today (CentOS for KKP before 2.27). */
export const KKP_VSPHERE_OPERATING_SYSTEMS = ['centos', 'flatcar', 'rhel', 'rockylinux', 'ubuntu'] as const;

/** An operating-system key of the datacenter spec's `templates`. */
export type KkpOperatingSystem = (typeof KKP_VSPHERE_OPERATING_SYSTEMS)[number];

/** A template key of any known release: the operating systems above, and `coreos` (KKP 2.12 to 2.16). */
export type KkpTemplateKey = KkpOperatingSystem | 'coreos';

const ALL_TEMPLATE_KEYS: readonly KkpTemplateKey[] = [...KKP_VSPHERE_OPERATING_SYSTEMS, 'coreos'];

/** What one KKP release reads and writes on vSphere. */
export interface KkpReleaseFacts {
  readonly release: KkpRelease;
  /** JSON spelling of the Seed's `spec.datacenters.<dc>.spec.vsphere` fields. */
  readonly seedFieldCase: 'snake_case' | 'camelCase';
  /** Whether DatacenterSpecVSphere has `storagePolicy` / `storage_policy` (2.18+). */
  readonly datacenterStoragePolicy: boolean;
  /** Whether DatacenterSpecVSphere has `ipv6Enabled` (2.21+). */
  readonly ipv6Enabled: boolean;
  /** Whether DatacenterSpecVSphere has `defaultTagCategoryID` (2.22+). */
  readonly defaultTagCategoryID: boolean;
  /** `vmNetName` (one network, before 2.24) or `networks` (a list, with `basePath`, from 2.24). */
  readonly clusterNetworkField: 'vmNetName' | 'networks';
  /** Whether VSphereCloudSpec has `datastore`, `datastoreCluster` (2.15+). */
  readonly clusterDatastore: boolean;
  /** Whether VSphereCloudSpec has `storagePolicy` and `resourcePool` (2.18+). */
  readonly clusterStoragePolicyAndResourcePool: boolean;
  /** Operating-system keys KKP accepts in `templates` on vSphere. */
  readonly operatingSystems: readonly KkpTemplateKey[];
  /** The machine-controller version the release pins (where the OS keys come from). */
  readonly machineController: string;
  /**
   * Who writes the user cluster's cloud-config Secrets: `stack` (2.12, KKP kept the cloud-config in the seed only and
   * the library writes it into the user cluster as before) or `kkp` (2.13+: the user-cluster controller reconciles
   * them from the cluster's credentials; the stack hands KKP the credentials instead).
   */
  readonly cloudConfigOwner: 'stack' | 'kkp';
  /** The Secrets KKP's user-cluster controller writes into the user cluster's kube-system. */
  readonly kkpCloudConfigSecrets: readonly string[];
}

const MACHINE_CONTROLLER: Record<KkpRelease, string> = {
  '2.12': 'v1.5.8', '2.13': 'v1.10.0', '2.14': 'v1.14.1', '2.15': 'v1.13.2', '2.16': 'v1.23.1', '2.17': 'v1.27.1',
  '2.18': 'v1.35.2', '2.19': 'v1.42.1', '2.20': 'v1.45.0', '2.21': 'v1.54.0', '2.22': 'v1.56.0', '2.23': 'v1.57.0',
  '2.24': 'v1.57.3', '2.25': 'v1.59.0', '2.26': 'v1.60.0', '2.27': 'v1.61.0', '2.28': 'v1.62.0', '2.29': 'v1.63.1',
  '2.30': 'v1.65.0', '2.31': 'v1.66.2',
};

/** Throws unless `release` is a known KKP release; `input` names the prop. */
export function assertKkpRelease(release: string, input: string | InputRef = 'kkpRelease'): asserts release is KkpRelease {
  if (!(KKP_RELEASES as readonly string[]).includes(release)) {
    throw inputError(
      input,
      `unknown KKP release ${JSON.stringify(release)}. Give the minor version of your KKP installation, ` +
        `one of ${KKP_RELEASES[0]} to ${NEWEST_KKP_RELEASE} (e.g. '${NEWEST_KKP_RELEASE}'; a patch release such as 2.28.3 is '2.28').`,
    );
  }
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareKkpReleases(a: KkpRelease, b: KkpRelease): number {
  return KKP_RELEASES.indexOf(a) - KKP_RELEASES.indexOf(b);
}

/** Whether `release` is `first` or newer. */
export function kkpReleaseAtLeast(release: KkpRelease, first: KkpRelease): boolean {
  return compareKkpReleases(release, first) >= 0;
}

/** The facts of one release. */
export function kkpReleaseFacts(release: KkpRelease): KkpReleaseFacts {
  assertKkpRelease(release);
  const from = (first: KkpRelease) => kkpReleaseAtLeast(release, first);
  const operatingSystems: KkpTemplateKey[] = ['ubuntu'];
  if (!from('2.27')) operatingSystems.push('centos');
  if (!from('2.17')) operatingSystems.push('coreos');
  if (from('2.13')) operatingSystems.push('rhel');
  if (from('2.14')) operatingSystems.push('flatcar');
  if (from('2.21')) operatingSystems.push('rockylinux');
  return {
    release,
    seedFieldCase: from('2.19') ? 'camelCase' : 'snake_case',
    datacenterStoragePolicy: from('2.18'),
    ipv6Enabled: from('2.21'),
    defaultTagCategoryID: from('2.22'),
    clusterNetworkField: from('2.24') ? 'networks' : 'vmNetName',
    clusterDatastore: from('2.15'),
    clusterStoragePolicyAndResourcePool: from('2.18'),
    operatingSystems: operatingSystems.sort(),
    machineController: MACHINE_CONTROLLER[release],
    cloudConfigOwner: from('2.13') ? 'kkp' : 'stack',
    kkpCloudConfigSecrets: !from('2.13') ? [] : from('2.26') ? ['cloud-config-csi'] : from('2.18') ? ['cloud-config', 'cloud-config-csi'] : ['cloud-config'],
  };
}

/** Whether `value` is one of KKP's operating-system keys on vSphere today (see KKP_VSPHERE_OPERATING_SYSTEMS). */
export function isKkpOperatingSystem(value: unknown): value is KkpOperatingSystem {
  return typeof value === 'string' && (KKP_VSPHERE_OPERATING_SYSTEMS as readonly string[]).includes(value);
}

/** Whether `value` is a template key of `release` (of any known release when none is given). */
export function isKkpTemplateKey(value: unknown, release?: KkpRelease): value is KkpTemplateKey {
  if (typeof value !== 'string') return false;
  const keys: readonly string[] = release ? kkpReleaseFacts(release).operatingSystems : ALL_TEMPLATE_KEYS;
  return keys.includes(value);
}
