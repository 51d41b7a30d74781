// KKP's Preset (vSphere part) per release, as data: which API group serves it and which fields it has. Pure: no cdktf.
//
// Sources (kubermatic/kubermatic at each release tag vX.Y.0, type Preset / PresetSpec / VSphere / ProviderPreset):
// - api/pkg/crd/kubermatic/v1/preset.go (2.12-2.14), pkg/crd/kubermatic/v1/preset.go (2.15-2.19),
//   pkg/apis/kubermatic/v1/preset.go (2.20-2.27), sdk/apis/kubermatic/v1/preset.go (2.28+).
// - API group: `kubermatic.k8s.io` up to 2.19, `kubermatic.k8c.io` from 2.20 (register.go GroupName; CHANGELOG v2.20.0
//   "Migrate API group kubermatic.k8s.io to kubermatic.k8c.io"). Cluster-scoped (+kubebuilder:resource:scope=Cluster).
// - Where KKP reads it: the KKP API on the master cluster lists Preset objects when started with -dynamic-presets,
//   which the operator and chart set from 2.13 (pkg/controller/operator/master/resources/kubermatic/api.go). 2.12 read
//   presets only from a file (api/pkg/presets/manager.go NewFromFile, flag -presets). From 2.22 the master controller
//   manager copies each Preset to every seed (pkg/controller/master-controller-manager/preset-synchronizer).

import { KkpRelease, kkpReleaseAtLeast } from './releases';

/** The JSON fields of `spec.vsphere` of a Preset (the VSphere type, with the inlined provider-preset fields). */
export type KkpPresetVsphereField =
  | 'username' | 'password' | 'datacenter' | 'enabled' | 'isCustomizable' | 'vmNetName' | 'networks' | 'datastore'
  | 'datastoreCluster' | 'resourcePool' | 'basePath';

/** The JSON fields of a Preset's `spec` besides the providers. */
export type KkpPresetSpecField = 'requiredEmailDomain' | 'requiredEmails' | 'projects' | 'enabled';

/** The release each field first appears in, and the last release that has it (when it was removed). */
const VSPHERE_FIELDS: Record<KkpPresetVsphereField, { from: KkpRelease; until?: KkpRelease }> = {
  username: { from: '2.12' },
  password: { from: '2.12' },
  vmNetName: { from: '2.12' },
  datacenter: { from: '2.13' }, // on VSphere 2.13-2.15, from the inlined PresetProvider/ProviderPreset after
  datastore: { from: '2.15' },
  datastoreCluster: { from: '2.15' },
  enabled: { from: '2.16' }, // PresetProvider.Enabled
  resourcePool: { from: '2.18' },
  networks: { from: '2.24' },
  basePath: { from: '2.24' },
  isCustomizable: { from: '2.26' }, // ProviderPreset.IsCustomizable
};

const SPEC_FIELDS: Record<KkpPresetSpecField, { from: KkpRelease; until?: KkpRelease }> = {
  requiredEmailDomain: { from: '2.12', until: '2.19' },
  enabled: { from: '2.16' },
  requiredEmails: { from: '2.18' },
  projects: { from: '2.22' },
};

/** What a release's Preset is. */
export interface KkpPresetFacts {
  readonly release: KkpRelease;
  /** Whether KKP reads Preset objects from the master cluster (2.13+; 2.12 read a file). */
  readonly objects: boolean;
  /** `apiVersion` of the Preset object. */
  readonly apiVersion: string;
  /** Whether the master controller manager copies Presets to the seeds (2.22+). */
  readonly syncedToSeeds: boolean;
  /** The fields of `spec.vsphere`. */
  readonly vsphereFields: readonly KkpPresetVsphereField[];
  /** The non-provider fields of `spec`. */
  readonly specFields: readonly KkpPresetSpecField[];
}

function present(release: KkpRelease, range: { from: KkpRelease; until?: KkpRelease }): boolean {
  return kkpReleaseAtLeast(release, range.from) && (range.until === undefined || !kkpReleaseAtLeast(release, nextAfter(range.until)));
}

function nextAfter(release: KkpRelease): KkpRelease {
  // 'until' is inclusive; the next release is where the field is gone.
  const [major, minor] = release.split('.').map(Number);
  return `${major}.${minor + 1}` as KkpRelease;
}

/** The Preset facts of one release. */
export function kkpPresetFacts(release: KkpRelease): KkpPresetFacts {
  return {
    release,
    objects: kkpReleaseAtLeast(release, '2.13'),
    apiVersion: kkpReleaseAtLeast(release, '2.20') ? 'kubermatic.k8c.io/v1' : 'kubermatic.k8s.io/v1',
    syncedToSeeds: kkpReleaseAtLeast(release, '2.22'),
    vsphereFields: (Object.keys(VSPHERE_FIELDS) as KkpPresetVsphereField[]).filter((f) => present(release, VSPHERE_FIELDS[f])),
    specFields: (Object.keys(SPEC_FIELDS) as KkpPresetSpecField[]).filter((f) => present(release, SPEC_FIELDS[f])),
  };
}

/** The releases that have a field, as "2.18 and later" or "2.12 to 2.19", for error messages. */
export function kkpPresetFieldReleases(where: 'spec' | 'vsphere', field: string): string {
  const range = where === 'spec' ? SPEC_FIELDS[field as KkpPresetSpecField] : VSPHERE_FIELDS[field as KkpPresetVsphereField];
  if (!range) return 'no release';
  return range.until ? `KKP ${range.from} to ${range.until}` : `KKP ${range.from} and later`;
}
