// The contract between VmTemplate (which writes it into a terraform_data's input, where the plan shows it) and the
// `cdktf-kkp-vsphere template-import` / `template-remove` commands (which read it at apply time). Pure data: no
// cdktf, no vCenter. One home for the key names, so the construct, the command and the report agree. URLs in
// messages go through validation.ts's redactUrl.

/**
 * The environment variables a VmTemplate's provisioners set and `template-import` / `template-remove` read.
 */
export const TEMPLATE_ENV = {
  /** The template spec, the terraform_data's input as JSON ({@link TemplateImportSpec}). */
  spec: 'CDKTF_KKP_VSPHERE_TEMPLATE',
  /** The terraform_data's id: the owner mark of the imported VM. */
  owner: 'CDKTF_KKP_VSPHERE_OWNER',
  /** The secret part of the image URL, from a sensitive variable. */
  urlSecret: 'CDKTF_KKP_VSPHERE_URL_SECRET',
  /** The longest a `template-import` may take, e.g. `90m` or `2h` (terraform's environment; default 60m). */
  timeout: 'CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT',
} as const;

/** Disk format of the imported disk; clones made by machine-controller keep it. */
export type DiskProvisioning = 'thin' | 'thick' | 'eagerZeroedThick';

export const DISK_PROVISIONING: readonly DiskProvisioning[] = ['thin', 'thick', 'eagerZeroedThick'];

/** Which part of an image URL a sensitive variable supplies at apply time. */
export type UrlSecretPart = 'query' | 'userinfo';

/** The vApp properties machine-controller fills in for Flatcar (Ignition through guestinfo). */
export const FLATCAR_VAPP_PROPERTIES: readonly string[] = ['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding'];

/** The extraConfig key that marks a VM as imported by one terraform_data (its id is the value). */
export const OWNER_EXTRA_CONFIG_KEY = 'cdktf-kkp-vsphere.importedBy';

/**
 * What one template import does, as the plan shows it (`terraform_data.input`). Every object is named by its
 * absolute inventory path; the command resolves them at apply time.
 */
export interface TemplateImportSpec {
  /** The template VM's name (machine-controller's `templateVMName`). */
  readonly template: string;
  /** KKP operating-system key. */
  readonly os: string;
  /** `url` (an http(s) OVA/OVF) or `file` (a local .ovf/.ova, absolute path). */
  readonly source_kind: 'url' | 'file';
  /** The URL (without any secret part) or the absolute file path. */
  readonly source: string;
  /** When a sensitive variable supplies part of the URL at apply time: which part, and which variable. */
  readonly source_secret?: { readonly part: UrlSecretPart; readonly variable: string };
  /** Accept an untrusted TLS certificate of the image URL's server. */
  readonly allow_unverified_ssl_cert: boolean;
  /** `/<datacenter>`. */
  readonly datacenter: string;
  /** Absolute path of the VM folder the template goes into. */
  readonly folder: string;
  /** Absolute path of the datastore, or of a datastore cluster (its first member datastore by name is used). */
  readonly datastore: string;
  /** Absolute path of the resource pool (`/<dc>/host/<cluster>/Resources[/...]`). */
  readonly resource_pool: string;
  /** ESXi host name the import is placed on, or '' for vCenter's choice (DRS). */
  readonly host: string;
  /** Absolute path of the network the OVF network is mapped to. */
  readonly network: string;
  /** The OVF network name that is mapped. */
  readonly ovf_network: string;
  readonly disk_provisioning: DiskProvisioning;
  /** disk.enableUUID = TRUE (the vSphere CSI driver needs it). Always true; shown so the plan says so. */
  readonly enable_disk_uuid: boolean;
  /** vApp properties the template must carry (added empty when the image lacks them). */
  readonly vapp_properties: readonly string[];
  /** Always false: the import never powers the VM on. Shown so the plan says so. */
  readonly power_on: boolean;
  /** Mark the VM as a vSphere template once imported (it can then never be powered on). */
  readonly mark_as_template: boolean;
}

/** Absolute inventory path of the template VM. */
export function templateInventoryPath(spec: Pick<TemplateImportSpec, 'folder' | 'template'>): string {
  return `${spec.folder}/${spec.template}`;
}

/** Parses and checks a spec (from the environment of the provisioner); the error names the field. */
export function parseTemplateImportSpec(text: string, where: string): TemplateImportSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON: run this command from the terraform_data that VmTemplate synthesizes.`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where} must be a JSON object.`);
  const o = raw as Record<string, unknown>;
  const str = (key: string, allowEmpty = false): string => {
    const v = o[key];
    if (typeof v !== 'string' || (!allowEmpty && v === '')) throw new Error(`${where}: "${key}" must be a non-empty string.`);
    return v;
  };
  const bool = (key: string): boolean => {
    const v = o[key];
    // Terraform renders booleans inside an object input as JSON booleans; accept their string forms too.
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new Error(`${where}: "${key}" must be true or false.`);
  };
  const path = (key: string): string => {
    const v = str(key);
    if (!v.startsWith('/')) throw new Error(`${where}: "${key}" must be an absolute inventory path, got "${v}".`);
    return v;
  };
  const kind = str('source_kind');
  if (kind !== 'url' && kind !== 'file') throw new Error(`${where}: "source_kind" must be "url" or "file".`);
  const disk = str('disk_provisioning') as DiskProvisioning;
  if (!DISK_PROVISIONING.includes(disk)) throw new Error(`${where}: "disk_provisioning" must be one of ${DISK_PROVISIONING.join(', ')}.`);
  const props = o.vapp_properties ?? [];
  if (!Array.isArray(props) || !props.every((p) => typeof p === 'string')) {
    throw new Error(`${where}: "vapp_properties" must be a list of strings.`);
  }
  let secret: TemplateImportSpec['source_secret'];
  if (o.source_secret !== undefined && o.source_secret !== null) {
    const s = o.source_secret as Record<string, unknown>;
    if ((s.part !== 'query' && s.part !== 'userinfo') || typeof s.variable !== 'string') {
      throw new Error(`${where}: "source_secret" must be { part: "query" | "userinfo", variable }.`);
    }
    secret = { part: s.part, variable: s.variable };
  }
  return {
    template: str('template'),
    os: str('os'),
    source_kind: kind,
    source: str('source'),
    ...(secret ? { source_secret: secret } : {}),
    allow_unverified_ssl_cert: bool('allow_unverified_ssl_cert'),
    datacenter: path('datacenter'),
    folder: path('folder'),
    datastore: path('datastore'),
    resource_pool: path('resource_pool'),
    host: str('host', true),
    network: path('network'),
    ovf_network: str('ovf_network'),
    disk_provisioning: disk,
    enable_disk_uuid: bool('enable_disk_uuid'),
    vapp_properties: props as string[],
    power_on: bool('power_on'),
    mark_as_template: bool('mark_as_template'),
  };
}
