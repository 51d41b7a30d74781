// What VmTemplate and the report agree on about a template import (the kkpvsphere provider's kkpvsphere_vm_template
// does the import): disk formats, Flatcar's vApp properties, the import mark, the template's inventory path. Pure
// data: no cdktf, no vCenter.

/** Disk format of the imported disk; clones made by machine-controller keep it. */
export type DiskProvisioning = 'thin' | 'thick' | 'eagerZeroedThick';

export const DISK_PROVISIONING: readonly DiskProvisioning[] = ['thin', 'thick', 'eagerZeroedThick'];

/** Which part of an image URL a sensitive variable supplies at apply time (the provider's write-only source_query / source_userinfo). */
export type UrlSecretPart = 'query' | 'userinfo';

/** The vApp properties machine-controller fills in for Flatcar (Ignition through guestinfo). */
export const FLATCAR_VAPP_PROPERTIES: readonly string[] = ['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding'];

/**
 * The extraConfig key that marks a VM as imported by a kkpvsphere_vm_template (the provider writes it; the CLI
 * importer of the provisioner version wrote the same key).
 */
export const OWNER_EXTRA_CONFIG_KEY = 'cdktf-kkp-vsphere.importedBy';

/** Absolute inventory path of the template VM. */
export function templateInventoryPath(spec: { readonly folder: string; readonly template: string }): string {
  return `${spec.folder}/${spec.template}`;
}
