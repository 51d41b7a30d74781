// The operating-system images of KKP's vSphere documentation, as typed data (pure: no cdktf). A reviewer checks a
// URL or an OS key here, in one place; VmTemplate and the convert-image CLI read it.

import { KkpOperatingSystem } from './kkp';

/** How the image is published: an OVA that `ovf_deploy` imports as is, or a QCOW2 that `convert-image` turns into an OVF. */
export type VmImageFormat = 'ova' | 'qcow2';

/** One known image. */
export interface VmImagePreset {
  /** KKP's operating-system key. */
  readonly os: KkpOperatingSystem;
  /** Human-readable name, e.g. `Ubuntu 22.04 LTS`. */
  readonly title: string;
  readonly format: VmImageFormat;
  /**
   * Download URL. An OVA URL goes into `ovf_deploy.remote_ovf_url`; a QCOW2 URL is downloaded and converted first.
   * Absent when the vendor publishes the image behind a login (RHEL).
   */
  readonly url?: string;
  /** Where to get the image when there is no anonymous URL. */
  readonly downloadPage?: string;
  /** Template VM name used when the user gives none. */
  readonly defaultTemplateName: string;
  /** Name of the network in the image's OVF descriptor: the key of `ovf_network_map`. */
  readonly ovfNetworkName: string;
  /** vSphere guest OS identifier for `convert-image --guest-os` (QCOW2 images carry none). */
  readonly guestOs: string;
  /** How machine-controller hands the node its configuration. */
  readonly userData: 'cloud-init ISO' | 'Ignition via guestinfo';
}

/** The names of the presets. */
export type VmImagePresetName =
  | 'ubuntu-20.04'
  | 'ubuntu-22.04'
  | 'flatcar-stable'
  | 'centos-7'
  | 'rockylinux-8'
  | 'rockylinux-9'
  | 'rhel-8'
  | 'rhel-9';

// OVA URLs and the CentOS QCOW2 are those of KKP's vSphere page ("Supported Operating Systems"); Rocky and RHEL
// publish GenericCloud / KVM guest QCOW2 images only, so they take the convert-image path.
export const VM_IMAGE_PRESETS: Readonly<Record<VmImagePresetName, VmImagePreset>> = {
  'ubuntu-20.04': {
    os: 'ubuntu',
    title: 'Ubuntu 20.04 LTS',
    format: 'ova',
    url: 'https://cloud-images.ubuntu.com/releases/20.04/release/ubuntu-20.04-server-cloudimg-amd64.ova',
    defaultTemplateName: 'kkp-ubuntu-20.04',
    ovfNetworkName: 'VM Network',
    guestOs: 'ubuntu64Guest',
    userData: 'cloud-init ISO',
  },
  'ubuntu-22.04': {
    os: 'ubuntu',
    title: 'Ubuntu 22.04 LTS',
    format: 'ova',
    url: 'https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.ova',
    defaultTemplateName: 'kkp-ubuntu-22.04',
    ovfNetworkName: 'VM Network',
    guestOs: 'ubuntu64Guest',
    userData: 'cloud-init ISO',
  },
  'flatcar-stable': {
    os: 'flatcar',
    title: 'Flatcar Container Linux (stable channel)',
    format: 'ova',
    url: 'https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_vmware_ova.ova',
    defaultTemplateName: 'kkp-flatcar-stable',
    ovfNetworkName: 'VM Network',
    guestOs: 'other4xLinux64Guest',
    userData: 'Ignition via guestinfo',
  },
  'centos-7': {
    os: 'centos',
    title: 'CentOS 7 GenericCloud',
    format: 'qcow2',
    url: 'https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud.qcow2',
    defaultTemplateName: 'kkp-centos-7',
    ovfNetworkName: 'VM Network',
    guestOs: 'centos7_64Guest',
    userData: 'cloud-init ISO',
  },
  'rockylinux-8': {
    os: 'rockylinux',
    title: 'Rocky Linux 8 GenericCloud',
    format: 'qcow2',
    url: 'https://download.rockylinux.org/pub/rocky/8/images/x86_64/Rocky-8-GenericCloud.latest.x86_64.qcow2',
    defaultTemplateName: 'kkp-rockylinux-8',
    ovfNetworkName: 'VM Network',
    guestOs: 'rhel8_64Guest',
    userData: 'cloud-init ISO',
  },
  'rockylinux-9': {
    os: 'rockylinux',
    title: 'Rocky Linux 9 GenericCloud',
    format: 'qcow2',
    url: 'https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2',
    defaultTemplateName: 'kkp-rockylinux-9',
    ovfNetworkName: 'VM Network',
    guestOs: 'rhel9_64Guest',
    userData: 'cloud-init ISO',
  },
  'rhel-8': {
    os: 'rhel',
    title: 'Red Hat Enterprise Linux 8 KVM Guest Image',
    format: 'qcow2',
    downloadPage: 'https://access.redhat.com/downloads/content/479/ver=/rhel---8/',
    defaultTemplateName: 'kkp-rhel-8',
    ovfNetworkName: 'VM Network',
    guestOs: 'rhel8_64Guest',
    userData: 'cloud-init ISO',
  },
  'rhel-9': {
    os: 'rhel',
    title: 'Red Hat Enterprise Linux 9 KVM Guest Image',
    format: 'qcow2',
    downloadPage: 'https://access.redhat.com/downloads/content/479/ver=/rhel---9/',
    defaultTemplateName: 'kkp-rhel-9',
    ovfNetworkName: 'VM Network',
    guestOs: 'rhel9_64Guest',
    userData: 'cloud-init ISO',
  },
};


/** The preset called `name`; throws an error listing the known names otherwise. */
export function vmImagePreset(name: string): VmImagePreset {
  const preset = (VM_IMAGE_PRESETS as Record<string, VmImagePreset>)[name];
  if (!preset) {
    throw new Error(
      `Unknown image preset "${name}": use one of ${Object.keys(VM_IMAGE_PRESETS).join(', ')}, ` +
        'or VmTemplateSource.ovaUrl(url, { os }) for any other OVA.',
    );
  }
  return preset;
}
