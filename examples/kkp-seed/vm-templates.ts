// The VM templates machine-controller clones: Ubuntu 22.04 straight from its OVA URL, and Rocky Linux 9, which is
// published as QCOW2 only and is converted first on the machine that runs terraform (CentOS, the example's first
// QCOW2 image, is no template key of KKP 2.27 and later):
//   npx cdktf-kkp-vsphere convert-image Rocky-9-GenericCloud.latest.x86_64.qcow2 --out examples/kkp-seed/images \
//     --name kkp-rockylinux-9 --guest-os rhel9_64Guest
// (KKP_IMAGE_DIR points elsewhere). Synthesis works without the file and warns; `terraform apply` reads it.
// Sites without internet access (or with a local image cache) set KKP_UBUNTU_OVA_URL to their mirror's copy of the
// OVA, e.g. http://mirror.example.internal/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova: it is downloaded from
// there at apply time (plain http(s), no credentials in the URL); the template keeps its name kkp-ubuntu-22.04.
// Each template is a kkpvsphere_vm_template of the kkpvsphere provider (never powered on, disk.enableUUID, marked as
// template), which reads the vCenter credentials of VSPHERE_SERVER / VSPHERE_USER / VSPHERE_PASSWORD, the same
// variables the vSphere provider reads.
import * as path from 'node:path';
import { Construct } from 'constructs';
import { ComputeClusterEntity, IVsphereEntity, VM_IMAGE_PRESETS, VmFolder, VmTemplate, VmTemplateSource, VsphereInventory } from 'cdktf-kkp-vsphere';

/** What the templates need from the seed stack. */
export interface VmTemplatesInput {
  readonly inventory: VsphereInventory;
  readonly templateFolder: VmFolder;
  readonly cluster: ComputeClusterEntity;
  /** The network the templates' NIC is mapped to. */
  readonly network: IVsphereEntity;
}

/** Adds the Ubuntu (OVA) and Rocky Linux (converted QCOW2) templates; their osKey/templateName feed the datacenter spec. */
export function addVmTemplates(scope: Construct, { inventory, templateFolder, cluster, network }: VmTemplatesInput): VmTemplate[] {
  const imageDir = process.env.KKP_IMAGE_DIR ?? path.join(__dirname, 'images');
  const ubuntuMirror = process.env.KKP_UBUNTU_OVA_URL;
  const ubuntu = VM_IMAGE_PRESETS['ubuntu-22.04'];
  const common = {
    inventory,
    folder: templateFolder,
    network,
    datastore: inventory.datastore('ds-ssd-1'),
    resourcePool: cluster,
    host: 'esxi-01.dc-1.example.com',
  };
  return [
    new VmTemplate(scope, 'UbuntuTemplate', {
      ...common,
      name: ubuntu.defaultTemplateName,
      source: ubuntuMirror
        ? VmTemplateSource.ovaUrl(ubuntuMirror, { os: ubuntu.os, ovfNetworkName: ubuntu.ovfNetworkName })
        : VmTemplateSource.preset('ubuntu-22.04'),
    }),
    new VmTemplate(scope, 'RockyTemplate', {
      ...common,
      source: VmTemplateSource.localOvf(path.join(imageDir, 'kkp-rockylinux-9.ovf'), { os: 'rockylinux' }),
    }),
  ];
}
