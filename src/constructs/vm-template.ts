// A VM template for machine-controller: an OVA (by URL) or a converted QCOW2 (a local OVF/OVA), imported through the
// vSphere API by the kkpvsphere provider's `kkpvsphere_vm_template` (provider/): never powered on, disk.enableUUID,
// Flatcar's vApp properties, marked as template. Not a vsphere_virtual_machine: the vSphere provider powers every VM
// it creates on (OVF imports included) and cannot mark templates, and a template that has booted once has spent its
// first boot (Flatcar's Ignition runs only then).
import { stackSlot, stackState } from '../core/stack-state';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { Annotations, App, DataResource } from '../framework/core';
import { VmTemplate as KkpvsphereVmTemplate } from '../framework/providers/kkpvsphere/vm-template';
import { kkpvsphereProvider, migratingFromProvisioners, provisionerEraResource } from '../core/permissions/vsphere-permissions';
import { ITerraformVariableRef, stackOf, variableOf } from '../framework/refs';
import { ComputeClusterEntity, IVsphereEntity, VsphereInventory, checkName } from '../core/inventory';
import { VmFolder } from './vm-folder';
import { KKP_VSPHERE_OPERATING_SYSTEMS, KkpOperatingSystem, isKkpOperatingSystem } from '../facts/kkp';
import { VmImagePreset, VmImagePresetName, vmImagePreset } from '../facts/image-presets';
import { DISK_PROVISIONING, DiskProvisioning, FLATCAR_VAPP_PROPERTIES, UrlSecretPart, templateInventoryPath } from '../contracts/template-import';
import { redactUrl } from '../base/validation';
import type { KkpTemplateMetadata } from '../contracts/review-metadata';
import { InputRef, KkpValidationError, inputError } from '../base/errors';

export type { DiskProvisioning, UrlSecretPart } from '../contracts/template-import';

/** The secret part of an image URL, supplied at apply time by a sensitive variable. */
export interface UrlSecret {
  /** A `TerraformVariable` declared with `sensitive: true` (set it with `TF_VAR_<name>`). */
  readonly variable: ITerraformVariableRef;
  /**
   * `query`: the variable holds the query string (without `?`), e.g. a signed URL's `X-Amz-Signature=...`;
   * `userinfo`: it holds `user:password`, sent as HTTP basic authentication.
   */
  readonly part: UrlSecretPart;
}

/** Options of an OVA/OVF source. */
export interface VmTemplateSourceOptions {
  /**
   * KKP operating-system key of the image.
   * @default - the preset's; required for sources that are not presets
   */
  readonly os?: KkpOperatingSystem;
  /**
   * Name of the network in the OVF descriptor, which the import maps to the chosen network.
   * @default 'VM Network'
   */
  readonly ovfNetworkName?: string;
  /**
   * The secret part of the URL (a token query or user:password), from a sensitive variable at apply time: it is
   * never written into `cdk.tf.json`, the plan or the report. URLs with credentials in them are refused.
   * @default - the URL needs no credentials
   */
  readonly urlSecret?: UrlSecret;
}

/** What `convert-image` (the `convertImage` function) returns, as far as VmTemplate needs it. */
export interface ConvertedImageRef {
  /** Absolute path of the `.ovf` descriptor; the VMDK lies beside it. */
  readonly ovfPath: string;
  /** Absolute path of the `.ova`, when one was packed. */
  readonly ovaPath?: string;
  /** OVF network name of the NIC. */
  readonly networkName?: string;
  /** VM name in the descriptor, used as default template name. */
  readonly name?: string;
}

/** Where the template's image comes from. */
export class VmTemplateSource {
  /** One of the images of KKP's documentation, by preset name. QCOW2 presets must be converted first. */
  public static preset(name: VmImagePresetName): VmTemplateSource {
    const preset = vmImagePreset(name);
    if (preset.format !== 'ova') {
      const get = preset.url ? `download ${preset.url}` : `download it from ${preset.downloadPage}`;
      throw new KkpValidationError(
        undefined,
        `Image preset "${name}" is published as QCOW2, which vSphere cannot import: ${get}, run ` +
          `\`cdktf-kkp-vsphere convert-image <file>.qcow2 --out <dir> --guest-os ${preset.guestOs}\` and use ` +
          `VmTemplateSource.convertedImage(...) or VmTemplateSource.localOvf('<dir>/<name>.ovf', { os: '${preset.os}' }).`,
      );
    }
    return new VmTemplateSource('remote', preset.url!, { os: preset.os, ovfNetworkName: preset.ovfNetworkName }, preset, name);
  }

  /**
   * Any OVA (or OVF) on an http(s) URL, downloaded where `terraform apply` runs and uploaded to vCenter. A URL with
   * user-info, a query or a fragment is refused: give the secret part as `urlSecret`.
   */
  public static ovaUrl(url: string, options: VmTemplateSourceOptions = {}): VmTemplateSource {
    if (options.urlSecret !== undefined) checkUrlSecret(options.urlSecret);
    return new VmTemplateSource('remote', checkUrl(url), options);
  }

  /**
   * A local `.ovf` (with its disk files beside it) or `.ova`, e.g. the output of `convert-image`; a relative path is
   * relative to the app's directory. The stack holds it relative to its own directory (`cdktf.out/stacks/<stack>`,
   * where terraform reads it) and identifies the image by its SHA-256, so another checkout replaces nothing.
   */
  public static localOvf(file: string, options: VmTemplateSourceOptions = {}): VmTemplateSource {
    return new VmTemplateSource('local', checkLocalFile(file), options);
  }

  /** The package `convertImage()` / `convert-image --json` produced: its `.ovf` (or `.ova` with `useOva`). */
  public static convertedImage(
    image: ConvertedImageRef,
    options: { readonly os: KkpOperatingSystem; readonly useOva?: boolean },
  ): VmTemplateSource {
    if (options.useOva && !image.ovaPath) {
      throw inputError('VmTemplateSource.convertedImage', 'useOva is set but the image has no ovaPath; convert with --ova.');
    }
    const file = options.useOva ? image.ovaPath! : image.ovfPath;
    return new VmTemplateSource(
      'local',
      checkLocalFile(file),
      { os: options.os, ovfNetworkName: image.networkName },
      undefined,
      undefined,
      image.name,
    );
  }

  private constructor(
    /** `remote`: an http(s) URL; `local`: a file where terraform runs. */
    public readonly kind: 'remote' | 'local',
    /** The URL or absolute path. */
    public readonly location: string,
    private readonly options: VmTemplateSourceOptions,
    /** The preset this source was made from. */
    public readonly preset?: VmImagePreset,
    public readonly presetName?: string,
    private readonly imageName?: string,
  ) {}

  /** The operating-system key the source declares, if any. */
  public get os(): KkpOperatingSystem | undefined {
    return this.options.os;
  }

  /** The sensitive variable that supplies the URL's secret part, if any. */
  public get urlSecret(): UrlSecret | undefined {
    return this.options.urlSecret;
  }

  /** The OVF network name to map. */
  public get ovfNetworkName(): string {
    return this.options.ovfNetworkName ?? 'VM Network';
  }

  /** Template name when none is given: the preset's, else the image's file name without extension. */
  public get defaultTemplateName(): string {
    if (this.preset) return this.preset.defaultTemplateName;
    if (this.imageName) return this.imageName;
    const base = this.kind === 'remote' ? new URL(this.location).pathname.split('/').pop()! : path.basename(this.location);
    return decodeURIComponent(base).replace(/\.(ova|ovf)$/i, '');
  }
}

/** Props of {@link VmTemplate}. */
export interface VmTemplateProps {
  /** The inventory of the datacenter the template lives in (only its name is used: no look-up is added). */
  readonly inventory: VsphereInventory;
  /**
   * The template folder: a `VmFolder` of this stack (the import waits for it), or the path of an existing folder
   * relative to the datacenter's VM folder (`kkp/templates`; `''` is the VM folder itself).
   */
  readonly folder: VmFolder | string;
  /** The image: `VmTemplateSource.preset('ubuntu-22.04')`, `.ovaUrl(...)`, `.localOvf(...)` or `.convertedImage(...)`. */
  readonly source: VmTemplateSource;
  /**
   * KKP operating-system key: the template's key in the datacenter spec's `templates` map.
   * @default - the source's
   */
  readonly os?: KkpOperatingSystem;
  /**
   * Name of the template VM: machine-controller's `templateVMName`, unique in the datacenter.
   * @default - the preset's default name, else the image file name without extension
   */
  readonly name?: string;
  /** The network the OVF network is mapped to (clones keep it unless the MachineDeployment names networks). */
  readonly network: IVsphereEntity | string;
  /**
   * Name of an ESXi host of the resource pool's cluster to place the import on.
   * @default - vCenter chooses (a DRS cluster); a cluster without DRS needs a host
   */
  readonly host?: string;
  /**
   * Datastore for the template's files, by name or as an inventory entity. One of `datastore` and
   * `datastoreCluster` is required.
   * @default - none
   */
  readonly datastore?: IVsphereEntity | string;
  /**
   * Datastore cluster for the template: an import needs one concrete datastore, so the template goes onto the
   * cluster's first member datastore by name.
   * @default - none
   */
  readonly datastoreCluster?: IVsphereEntity | string;
  /**
   * Resource pool: a compute cluster (its root pool) or a pool path below the datacenter's host folder
   * (`cluster-1/Resources/templates`).
   */
  readonly resourcePool: ComputeClusterEntity | string;
  /**
   * Disk format of the imported disk. machine-controller's full clones keep the template's format.
   * @default 'thin'
   */
  readonly diskProvisioning?: DiskProvisioning;
  /**
   * Accept an untrusted TLS certificate of the image URL's server.
   * @default false
   */
  readonly allowUnverifiedSslCert?: boolean;
  /**
   * How long the whole import (download, upload, reconfiguration) may take before it fails and removes what it made,
   * as a Go duration (`90m`, `2h`).
   * @default '30m'
   */
  readonly importTimeout?: string;
}

/** Props of {@link VmTemplate.perNetwork}: those of a template, with a list of networks instead of one. */
export interface VmTemplatePerNetworkProps extends Omit<VmTemplateProps, 'network'> {
  /** One template per network, named `<name>-<network name>`. */
  readonly networks: ReadonlyArray<IVsphereEntity | string>;
}

/**
 * A VM template for machine-controller, imported from an OVA/OVF by a `kkpvsphere_vm_template` of the kkpvsphere
 * provider (added beside the stack's vSphere provider, as for the additive grants). The plan shows every input
 * (source, name, folder, datastore, pool, network, vApp properties); the provider resolves the objects by inventory
 * path, never powers the VM on, sets disk.enableUUID, marks it as template, refuses a VM of the same name it did not
 * import, times out instead of hanging, and removes only what it imported. A URL's secret part goes to the
 * provider's write-only `source_query` / `source_userinfo`: never in `cdk.tf.json`, the plan or the state.
 */
export class VmTemplate extends Construct {
  /**
   * One template per network, in one line: `VmTemplate.perNetwork(this, 'Ubuntu', { ...props, networks })`.
   * KKP's documentation: user clusters on dedicated networks need their own template.
   */
  public static perNetwork(scope: Construct, id: string, props: VmTemplatePerNetworkProps): VmTemplate[] {
    const { networks, ...rest } = props;
    if (!networks || networks.length === 0) {
      throw InputRef.beforeCreation(scope, id, 'VmTemplate').at('networks').error(`give at least one network; perNetwork makes one template per network.`);
    }
    const base = props.name ?? props.source.defaultTemplateName;
    return networks.map((network, i) => {
      const networkName = entityName(network, 'network', InputRef.beforeCreation(scope, id, 'VmTemplate').at(`networks[${i}]`));
      return new VmTemplate(scope, `${id}-${networkName.replace(/[^A-Za-z0-9_-]+/g, '_')}`, {
        ...rest,
        network,
        name: `${base}-${networkName}`,
      });
    });
  }

  /** The template VM's name: the value of the datacenter spec's `templates.<os>` and of `templateVMName`. */
  public readonly templateName: string;
  /** KKP operating-system key (`ubuntu`, `flatcar`, `rhel`, `rockylinux`, `centos`). */
  public readonly osKey: KkpOperatingSystem;
  /** Absolute inventory path of the template VM, e.g. `/dc-1/vm/kkp/templates/kkp-ubuntu-22.04`. */
  public readonly inventoryPath: string;
  /** The `kkpvsphere_vm_template` that imports (and on destroy removes) the template. */
  public readonly resource: KkpvsphereVmTemplate;

  constructor(scope: Construct, id: string, props: VmTemplateProps) {
    super(scope, id);
    const where = InputRef.of(this, 'VmTemplate');
    const { inventory, folder, source } = props;
    if (!(source instanceof VmTemplateSource)) {
      throw where.error(`source is required; use VmTemplateSource.preset('ubuntu-22.04'), .ovaUrl(url, { os }) or .localOvf(path, { os }).`);
    }
    if (!(inventory instanceof VsphereInventory)) {
      throw where.error(`inventory is required: the VsphereInventory of the template's datacenter.`);
    }
    const dc = inventory.datacenterName;
    const folderPath = resolveFolder(folder, inventory, where);

    const os = props.os ?? source.os;
    if (os === undefined) {
      throw where.error(`os is required for a source that is not a preset; use one of ${KKP_VSPHERE_OPERATING_SYSTEMS.join(', ')}.`);
    }
    if (!isKkpOperatingSystem(os)) {
      throw where.error(
        `os "${String(os)}" is not a KKP operating-system key; use one of ${KKP_VSPHERE_OPERATING_SYSTEMS.join(', ')}.`,
      );
    }
    if (source.preset && source.preset.os !== os) {
      throw where.error(`os "${os}" contradicts the preset "${source.presetName}", which is "${source.preset.os}"; drop os.`);
    }
    this.osKey = os;

    this.templateName = checkTemplateName(props.name ?? source.defaultTemplateName, where.at('name'));
    this.inventoryPath = templateInventoryPath({ folder: folderPath, template: this.templateName });

    if (props.datastore !== undefined && props.datastoreCluster !== undefined) {
      throw where.error(`both datastore and datastoreCluster are set; give one of them.`);
    }
    if (props.datastore === undefined && props.datastoreCluster === undefined) {
      throw where.error(`datastore is missing; give datastore (or datastoreCluster) for the template's disk.`);
    }
    if (props.resourcePool === undefined || props.resourcePool === null || (props.resourcePool as unknown) === '') {
      throw where.error(
        `resourcePool is missing; give the compute cluster (inventory.computeCluster(name)) or a pool path ` +
          'such as "cluster-1/Resources".',
      );
    }
    if (props.host !== undefined) checkName(props.host, where.at('host'));
    const diskProvisioning = props.diskProvisioning ?? 'thin';
    if (!DISK_PROVISIONING.includes(diskProvisioning)) {
      throw where.error(`diskProvisioning "${diskProvisioning}" is invalid; use one of ${DISK_PROVISIONING.join(', ')}.`);
    }
    if (props.allowUnverifiedSslCert && source.kind !== 'remote') {
      throw where.error(`allowUnverifiedSslCert applies to image URLs only; drop it for a local file.`);
    }
    const legacy = props as { markAsTemplate?: unknown; command?: unknown };
    if (legacy.markAsTemplate === false) {
      throw where.at('markAsTemplate').error(`the kkpvsphere provider always marks the import as a template (a template cannot be powered on, so it stays unbooted); remove markAsTemplate.`);
    }
    if (legacy.command !== undefined) {
      throw where.at('command').error(`templates are imported by the kkpvsphere provider, not by a command; remove command.`);
    }
    const timeout = props.importTimeout ?? '30m';
    if (typeof timeout !== 'string' || !/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(timeout)) {
      throw where.at('importTimeout').error(`"${String(timeout)}" is not a duration; give one such as "90m" or "2h".`);
    }

    const network = entityPath(props.network, 'network', `/${dc}/network`, where.at('network'));
    const datastore =
      props.datastore !== undefined
        ? entityPath(props.datastore, 'datastore', `/${dc}/datastore`, where.at('datastore'))
        : entityPath(props.datastoreCluster!, 'datastoreCluster', `/${dc}/datastore`, where.at('datastoreCluster'));
    const resourcePool =
      typeof props.resourcePool === 'string'
        ? `/${dc}/host/${checkRelative(props.resourcePool, where.at('resourcePool'))}`
        : `${checkEntity(props.resourcePool, 'cluster', where.at('resourcePool')).inventoryPath}/Resources`;
    for (const [name, p] of [['network', network], ['datastore', datastore], ['resourcePool', resourcePool]] as const) {
      if (!p.startsWith(`/${dc}/`)) {
        throw where.error(`${name} ${p} is not in datacenter "${dc}"; give an object of the template's datacenter.`);
      }
    }
    // Claimed only once every input is valid, so a refused template leaves its name free.
    claimName(this, dc, this.templateName, where);

    const secret = source.urlSecret;
    // A local file is written relative to terraform's working directory (where the provider reads it), so the
    // synthesized stack does not depend on where the checkout lives; the image is identified by content.
    const local = source.kind === 'local' ? localSource(this, source.location) : undefined;
    // the stack's default kkpvsphere provider: a template names its objects by path and adds no data source
    const provider = kkpvsphereProvider(this);
    // The provisioner version's terraform_data for this template: forgotten, and the template imported by its
    // inventory path, when the stack moves from it (VspherePermissions.migrateFromProvisioners).
    provisionerEraResource(this, 'terraform_data', 'Import');
    this.resource = new TemplateResource(this, 'Template', this.inventoryPath, {
      name: this.templateName,
      folder: folderPath,
      resourcePool,
      datastore,
      network,
      ovfNetwork: source.ovfNetworkName,
      ...(props.host !== undefined ? { host: props.host } : {}),
      source: local ? local.written : source.location,
      // write-only: from the sensitive variable at apply time, never in the plan or the state
      ...(secret ? { [secret.part === 'query' ? 'sourceQuery' : 'sourceUserinfo']: secret.variable.stringValue } : {}),
      ...(props.allowUnverifiedSslCert ? { allowUnverifiedSourceSsl: true } : {}),
      diskProvisioning,
      ...(os === 'flatcar' ? { vappProperties: [...FLATCAR_VAPP_PROPERTIES] } : {}),
      timeout,
      dependsOn: folder instanceof VmFolder ? [folder.resource] : undefined,
      ...(provider.alias ? { provider } : {}),
    });
    if (local) {
      // A new image under the same file name replaces the template: its digests are this resource's input, and the
      // template is replaced when it changes. Another checkout or output directory changes neither.
      const digest = new DataResource(this, 'ImageDigest', { input: local.image });
      // a bare address, as Terraform's JSON syntax takes it (no "${...}")
      this.resource.lifecycle = { replaceTriggeredBy: [`${digest.terraformResourceType}.${digest.friendlyUniqueId}`] };
    }

    if (local && !local.exists) {
      Annotations.of(this).addWarning(
        `${where}: ${source.location} does not exist on this machine; terraform apply reads it where it runs ` +
          '(run convert-image there first). Until it exists at synth, the template is identified by its file name only: ' +
          'a changed image of the same name does not replace it.',
      );
    }

    const metadata: KkpTemplateMetadata = {
      template: this.templateName,
      os: this.osKey,
      sourceKind: local ? 'file' : 'url',
      source: local ? local.written : redactUrl(source.location),
      ...(source.presetName ? { preset: source.presetName } : {}),
      ...(local ? { image: local.image } : {}),
      folder: folderPath,
      network,
      ovfNetwork: source.ovfNetworkName,
      datastore,
      note: 'imported through the vSphere API by kkpvsphere_vm_template: never powered on, disk.enableUUID=TRUE, marked as template',
    };
    this.resource.addOverride('//.kkp', metadata);
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------------

/** The template's kkpvsphere_vm_template: with an import block by inventory path while the stack migrates (decided at synth). */
class TemplateResource extends KkpvsphereVmTemplate {
  constructor(scope: Construct, id: string, private readonly templatePath: string, config: ConstructorParameters<typeof KkpvsphereVmTemplate>[2]) {
    super(scope, id, config);
  }

  public toTerraform(): any {
    if (migratingFromProvisioners(this)) this.importFrom(this.templatePath);
    return super.toTerraform();
  }
}

/** A local image as the stack writes it: where terraform finds it, and what it is. */
interface LocalSource {
  /** The path written into the stack: relative to the stack's working directory, or absolute (see below). */
  readonly written: string;
  /** File name and SHA-256 digests: what identifies the image for replacement. */
  readonly image: { readonly file: string; readonly sha256: Readonly<Record<string, string>> };
  readonly exists: boolean;
}

/**
 * `file` (absolute) as terraform's working directory (`<outdir>/stacks/<stack>`, cdktf's layout) reaches it. Written
 * relative to that directory, as cdktf's TerraformAsset does, when the file lies in the project, i.e. below the
 * common ancestor of the app's directory (the synth's working directory) and the output directory: then the same
 * checkout synthesizes the same text wherever it lives. A file outside the project (a shared `/srv/images`) stays
 * absolute, the same on every machine that has it there. When the app and its output directory share only the
 * file-system root (an output directory elsewhere, as in tests), every path is written relative: that resolves too.
 */
function localSource(scope: Construct, file: string): LocalSource {
  const workDir = path.resolve(appOutdir(scope), 'stacks', stackOf(scope).node.id);
  const root = commonAncestor(process.cwd(), workDir);
  const inside = (p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const written =
    root === path.parse(root).root || inside(file) ? path.relative(workDir, file).split(path.sep).join('/') : file;
  const exists = fs.existsSync(file);
  return { written, image: { file: path.basename(file), sha256: exists ? imageDigests(file) : {} }, exists };
}

/** The app's output directory; a tree without an App (a bare root construct) gets cdktf's default. */
function appOutdir(scope: Construct): string {
  const root = scope.node.root;
  return App.isApp(root) ? root.outdir : process.env.CDKTF_OUTDIR ?? 'cdktf.out';
}

function commonAncestor(a: string, b: string): string {
  const pa = a.split(path.sep);
  const pb = b.split(path.sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(path.sep) || path.sep;
}

/**
 * SHA-256 of what identifies the package's content, by file name (each checkable with `sha256sum`): an `.ova`
 * whole; an `.ovf` descriptor and, when it lies beside it, its manifest `<name>.mf` (which lists every file's
 * SHA-256: convert-image always writes one), so a new disk under an unchanged descriptor still counts as a change.
 */
function imageDigests(file: string): Record<string, string> {
  const out: Record<string, string> = { [path.basename(file)]: sha256Sync(file) };
  if (/\.ovf$/.test(file)) {
    const manifest = file.replace(/\.ovf$/, '.mf');
    if (fs.existsSync(manifest)) out[path.basename(manifest)] = sha256Sync(manifest);
  }
  return out;
}

function sha256Sync(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 * 2 ** 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw inputError('VmTemplateSource.ovaUrl', `"${redactUrl(url)}" is not a URL; give an http(s) URL of an .ova or .ovf file.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw inputError(
      'VmTemplateSource.ovaUrl',
      `"${redactUrl(url)}" uses ${parsed.protocol.replace(/:$/, '')}; only http and https URLs can be ` +
        'imported (for a file on this machine use VmTemplateSource.localOvf).',
    );
  }
  // Whatever is in the URL ends up in cdk.tf.json, the plan and the report: no credentials there.
  const parts = [
    ...(parsed.username || parsed.password ? ['user-info (user:password@)'] : []),
    ...(parsed.search ? ['a query (?...)'] : []),
    ...(parsed.hash || url.includes('#') ? ['a fragment (#...)'] : []),
  ];
  if (parts.length) {
    throw inputError(
      'VmTemplateSource.ovaUrl',
      `"${redactUrl(url)}" carries ${parts.join(' and ')}, which would be written into cdk.tf.json ` +
        'and the plan. Give the URL without them, and the secret part as a sensitive variable: ' +
        "VmTemplateSource.ovaUrl('https://host/path/image.ova', { os, urlSecret: { variable, part: 'query' | 'userinfo' } }) " +
        'with new TerraformVariable(this, name, { type: "string", sensitive: true }).',
    );
  }
  checkImageSuffix(url, 'VmTemplateSource.ovaUrl');
  return url;
}

function checkUrlSecret(secret: UrlSecret): void {
  if (variableOf(secret?.variable, 'VmTemplateSource.ovaUrl', 'urlSecret.variable') === undefined) {
    throw inputError('VmTemplateSource.ovaUrl', 'urlSecret.variable must be a TerraformVariable (declared with sensitive: true).');
  }
  if ((secret.variable as unknown as { sensitive?: boolean }).sensitive !== true) {
    throw inputError(
      'VmTemplateSource.ovaUrl',
      `urlSecret.variable ${secret.variable.node.path} is not sensitive; declare it with ` +
        'sensitive: true so terraform keeps its value out of plans and logs.',
    );
  }
  if (secret.part !== 'query' && secret.part !== 'userinfo') {
    throw inputError('VmTemplateSource.ovaUrl', `urlSecret.part must be 'query' or 'userinfo', got ${JSON.stringify(secret.part)}.`);
  }
}

/** Absolute path of the template folder: a VmFolder of the same datacenter, or an existing folder's relative path. */
function resolveFolder(folder: VmFolder | string, inventory: VsphereInventory, where: InputRef): string {
  if (folder instanceof VmFolder) {
    if (folder.inventory.datacenterName !== inventory.datacenterName) {
      throw where.error(
        `folder ${folder.inventoryPath} is in datacenter "${folder.inventory.datacenterName}", not ` +
          `"${inventory.datacenterName}"; put the template in a folder of its own datacenter.`,
      );
    }
    return folder.inventoryPath;
  }
  if (typeof folder !== 'string') {
    throw where.error(`folder is required: a VmFolder of this stack, or the path of an existing folder below /${inventory.datacenterName}/vm.`);
  }
  const relative = folder.replace(/^\/+|\/+$/g, '');
  return relative === '' ? `/${inventory.datacenterName}/vm` : `/${inventory.datacenterName}/vm/${checkRelative(relative, where.at('folder'))}`;
}

/** A path relative to a datacenter folder: names separated by `/`, each a valid name. */
function checkRelative(p: string, input: string | InputRef): string {
  if (typeof p !== 'string' || p.trim() === '' || p.startsWith('/')) {
    throw inputError(input, `"${String(p)}" must be a path relative to the datacenter's folder, e.g. "cluster-1/Resources".`);
  }
  p.split('/').forEach((part) => checkName(part, input));
  return p;
}

/** Absolute inventory path of an entity, or of a name in the datacenter's folder of its kind. */
function entityPath(value: IVsphereEntity | string, kind: IVsphereEntity['kind'], base: string, input: string | InputRef): string {
  if (typeof value === 'string') return `${base}/${checkName(value, input)}`;
  return checkEntity(value, kind, input).inventoryPath;
}

function checkLocalFile(file: string): string {
  if (typeof file !== 'string' || file.trim() === '') {
    throw inputError('VmTemplateSource.localOvf', 'give the path of an .ovf or .ova file.');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    throw inputError('VmTemplateSource.localOvf', `"${file}" is a URL; use VmTemplateSource.ovaUrl for it.`);
  }
  checkImageSuffix(file, 'VmTemplateSource.localOvf');
  // Relative to the app's directory here; VmTemplate writes it relative to terraform's working directory.
  return path.resolve(file);
}

function checkImageSuffix(location: string, where: string | InputRef): void {
  if (/\.(qcow2|qcow|img|vmdk|raw)$/i.test(location)) {
    throw inputError(where,
      `"${location}" is a disk image, not an OVF package; convert it with ` +
        '`cdktf-kkp-vsphere convert-image <image> --out <dir>` and use the .ovf it writes.',
    );
  }
  // The provider treats the source as an OVA exactly when the string ends in ".ova", query included.
  if (!/\.(ova|ovf)$/.test(location)) {
    throw inputError(where,
      `"${location}" must end in ".ova" or ".ovf" (lower case, no query string): the provider chooses OVA ` +
        'or OVF handling by that suffix.',
    );
  }
}

function checkTemplateName(name: string, input: string | InputRef): string {
  checkName(name, input);
  if (name.length > 60) {
    throw inputError(input, `"${name}" has ${name.length} characters; the import runs under "<name>.importing-<id>" and vSphere VM names have at most 80, so a template name has at most 60.`);
  }
  if (/[\\%]/.test(name)) {
    throw inputError(input, `"${name}" contains "\\" or "%", which vSphere escapes in inventory paths; machine-controller would not find it.`);
  }
  return name;
}

function checkEntity(entity: IVsphereEntity, kind: IVsphereEntity['kind'], input: string | InputRef): IVsphereEntity {
  if (!entity || entity.kind !== kind) {
    throw inputError(input, `expected a ${kind} (from VsphereInventory), got ${entity ? `a ${entity.kind}` : String(entity)}.`);
  }
  return entity;
}

/** The object's own name: the string, or the last segment of the entity's inventory path. */
function entityName(value: IVsphereEntity | string, kind: IVsphereEntity['kind'], input: string | InputRef): string {
  if (typeof value === 'string') return checkName(value, input);
  return checkEntity(value, kind, input).inventoryPath.split('/').pop()!;
}

const TEMPLATE_NAMES = stackSlot<Map<string, string>>('template-names', () => new Map());

// machine-controller's finder resolves templateVMName among all VMs of the datacenter and fails on two matches,
// so a name must be unique per datacenter, not only per folder.
function claimName(scope: Construct, datacenter: string, name: string, where: InputRef): void {
  const names = stackState(scope, TEMPLATE_NAMES);
  const key = `${datacenter}\u0000${name}`;
  const owner = names.get(key);
  if (owner !== undefined) {
    throw where.error(
      `template name "${name}" is already used by ${owner} in datacenter "${datacenter}"; machine-controller ` +
        'finds templates by name among all VMs of the datacenter, so give each template its own name.',
    );
  }
  names.set(key, scope.node.path);
}

