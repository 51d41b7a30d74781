// A VM template for machine-controller: an OVA (by URL) or a converted QCOW2 (a local OVF/OVA) imported through
// `ovf_deploy` into the template folder, shaped the way machine-controller clones it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { Annotations, TerraformStack } from 'cdktf';
import { DataVsphereOvfVmTemplate } from '@cdktf/provider-vsphere/lib/data-vsphere-ovf-vm-template';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { VirtualMachineSnapshot } from '@cdktf/provider-vsphere/lib/virtual-machine-snapshot';
import { ComputeClusterEntity, IVsphereEntity, VsphereInventory, checkName } from './inventory';
import { VmFolder } from './vm-folder';
import { KKP_VSPHERE_OPERATING_SYSTEMS, KkpOperatingSystem, isKkpOperatingSystem } from './kkp-spec';
import { VmImagePreset, VmImagePresetName, vmImagePreset } from './vm-template-presets';

/** Disk format of the imported disk; clones made by machine-controller keep it. */
export type DiskProvisioning = 'thin' | 'thick' | 'eagerZeroedThick';

/** Options of an OVA/OVF source. */
export interface VmTemplateSourceOptions {
  /**
   * KKP operating-system key of the image.
   * @default - the preset's; required for sources that are not presets
   */
  readonly os?: KkpOperatingSystem;
  /**
   * Name of the network in the OVF descriptor, which `ovf_network_map` maps to the chosen network.
   * @default 'VM Network'
   */
  readonly ovfNetworkName?: string;
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
      throw new Error(
        `Image preset "${name}" is published as QCOW2, which vSphere cannot import: ${get}, run ` +
          `\`cdktf-kkp-vsphere convert-image <file>.qcow2 --out <dir> --guest-os ${preset.guestOs}\` and use ` +
          `VmTemplateSource.convertedImage(...) or VmTemplateSource.localOvf('<dir>/<name>.ovf', { os: '${preset.os}' }).`,
      );
    }
    return new VmTemplateSource('remote', preset.url!, { os: preset.os, ovfNetworkName: preset.ovfNetworkName }, preset, name);
  }

  /** Any OVA (or OVF) on an http(s) URL, downloaded by vCenter's import through the Terraform runner. */
  public static ovaUrl(url: string, options: VmTemplateSourceOptions = {}): VmTemplateSource {
    return new VmTemplateSource('remote', checkUrl(url), options);
  }

  /** A local `.ovf` (with its disk files beside it) or `.ova`, e.g. the output of `convert-image`. */
  public static localOvf(file: string, options: VmTemplateSourceOptions = {}): VmTemplateSource {
    return new VmTemplateSource('local', checkLocalFile(file), options);
  }

  /** The package `convertImage()` / `convert-image --json` produced: its `.ovf` (or `.ova` with `useOva`). */
  public static convertedImage(
    image: ConvertedImageRef,
    options: { readonly os: KkpOperatingSystem; readonly useOva?: boolean },
  ): VmTemplateSource {
    if (options.useOva && !image.ovaPath) {
      throw new Error('VmTemplateSource.convertedImage: useOva is set but the image has no ovaPath; convert with --ova.');
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
    /** `remote` → `ovf_deploy.remote_ovf_url`, `local` → `ovf_deploy.local_ovf_path`. */
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
  /** The inventory of the datacenter the template lives in. */
  readonly inventory: VsphereInventory;
  /** The template folder (created by this stack); KKP's Template Folder grants apply to it. */
  readonly folder: VmFolder;
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
  /** The network the template's NIC is on (clones keep it unless the MachineDeployment names networks). */
  readonly network: IVsphereEntity | string;
  /**
   * Name of an ESXi host of the cluster: the OVF import is placed on it, and `vsphere_ovf_vm_template` requires one
   * to compute the hardware. DRS may move the VM later; the plan ignores that.
   */
  readonly host: string;
  /**
   * Datastore for the template's files, by name or as an inventory entity. One of `datastore` and
   * `datastoreCluster` is required.
   * @default - none
   */
  readonly datastore?: IVsphereEntity | string;
  /**
   * Datastore cluster for the template. An OVF import needs one concrete datastore (provider 2.15.0 fails
   * otherwise), so the template goes onto the cluster's first member datastore by name.
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
   * Take a `vsphere_virtual_machine_snapshot` once the template is imported (the "Create Snapshot" step of KKP's
   * documentation), a point to revert the template VM to. machine-controller's full clones do not need it.
   * @default false
   */
  readonly snapshot?: boolean;
  /**
   * Accept an untrusted TLS certificate of the image URL's server.
   * @default false
   */
  readonly allowUnverifiedSslCert?: boolean;
  /**
   * Adapter type of the NIC; must match the image's so the NIC is updated in place, not replaced.
   * @default 'vmxnet3'
   */
  readonly networkAdapterType?: 'vmxnet3' | 'e1000e' | 'e1000';
}

/** Props of {@link VmTemplate.perNetwork}: those of a template, with a list of networks instead of one. */
export interface VmTemplatePerNetworkProps extends Omit<VmTemplateProps, 'network'> {
  /** One template per network, named `<name>-<network name>`. */
  readonly networks: ReadonlyArray<IVsphereEntity | string>;
}

const DISK_PROVISIONING: readonly DiskProvisioning[] = ['thin', 'thick', 'eagerZeroedThick'];
const ADAPTERS = ['vmxnet3', 'e1000e', 'e1000'];

/**
 * A template VM imported from an OVA/OVF with `ovf_deploy`, in the template folder, ready for machine-controller:
 * hardware from `vsphere_ovf_vm_template` (so it boots), `disk.enableUUID`, one NIC on the chosen network, a CD-ROM
 * for the cloud-init ISO, the image's vApp properties kept for Flatcar's Ignition, no wait for a guest IP.
 */
export class VmTemplate extends Construct {
  /**
   * One template per network, in one line: `VmTemplate.perNetwork(this, 'Ubuntu', { ...props, networks })`.
   * KKP's documentation: user clusters on dedicated networks need their own template.
   */
  public static perNetwork(scope: Construct, id: string, props: VmTemplatePerNetworkProps): VmTemplate[] {
    const { networks, ...rest } = props;
    if (!networks || networks.length === 0) {
      throw new Error(`VmTemplate.perNetwork ${id}: networks is empty; give at least one network.`);
    }
    const base = props.name ?? props.source.defaultTemplateName;
    return networks.map((network) => {
      const networkName = entityName(network, 'network', `VmTemplate.perNetwork ${id} networks`);
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
  /** The `vsphere_virtual_machine` resource. */
  public readonly virtualMachine: VirtualMachine;
  /** The `vsphere_ovf_vm_template` data source the hardware is taken from. */
  public readonly ovfTemplate: DataVsphereOvfVmTemplate;
  /** The snapshot, when `snapshot` is set. */
  public readonly snapshot?: VirtualMachineSnapshot;

  constructor(scope: Construct, id: string, props: VmTemplateProps) {
    super(scope, id);
    const where = `VmTemplate ${id}`;
    const { inventory, folder, source } = props;
    if (!(source instanceof VmTemplateSource)) {
      throw new Error(`${where}: source is required; use VmTemplateSource.preset('ubuntu-22.04'), .ovaUrl(url, { os }) or .localOvf(path, { os }).`);
    }
    if (!(folder instanceof VmFolder)) {
      throw new Error(`${where}: folder is required: the template folder (a VmFolder of this stack).`);
    }
    if (folder.inventory.datacenterName !== inventory.datacenterName) {
      throw new Error(
        `${where}: folder ${folder.inventoryPath} is in datacenter "${folder.inventory.datacenterName}", not ` +
          `"${inventory.datacenterName}"; put the template in a folder of its own datacenter.`,
      );
    }

    const os = props.os ?? source.os;
    if (os === undefined) {
      throw new Error(`${where}: os is required for a source that is not a preset; use one of ${KKP_VSPHERE_OPERATING_SYSTEMS.join(', ')}.`);
    }
    if (!isKkpOperatingSystem(os)) {
      throw new Error(
        `${where}: os "${String(os)}" is not a KKP operating-system key; use one of ${KKP_VSPHERE_OPERATING_SYSTEMS.join(', ')}.`,
      );
    }
    if (source.preset && source.preset.os !== os) {
      throw new Error(`${where}: os "${os}" contradicts the preset "${source.presetName}", which is "${source.preset.os}"; drop os.`);
    }
    this.osKey = os;

    this.templateName = checkTemplateName(props.name ?? source.defaultTemplateName, `${where} name`);
    this.inventoryPath = `${folder.inventoryPath}/${this.templateName}`;

    if (props.datastore !== undefined && props.datastoreCluster !== undefined) {
      throw new Error(`${where}: both datastore and datastoreCluster are set; give one of them.`);
    }
    if (props.datastore === undefined && props.datastoreCluster === undefined) {
      throw new Error(`${where}: datastore is missing; give datastore (or datastoreCluster) for the template's disk.`);
    }
    if (props.resourcePool === undefined || props.resourcePool === null || (props.resourcePool as unknown) === '') {
      throw new Error(
        `${where}: resourcePool is missing; give the compute cluster (inventory.computeCluster(name)) or a pool path ` +
          'such as "cluster-1/Resources".',
      );
    }
    if (typeof props.host !== 'string' || props.host.trim() === '') {
      throw new Error(`${where}: host is missing; give the name of an ESXi host of the cluster (vsphere_ovf_vm_template needs one).`);
    }
    const diskProvisioning = props.diskProvisioning ?? 'thin';
    if (!DISK_PROVISIONING.includes(diskProvisioning)) {
      throw new Error(`${where}: diskProvisioning "${diskProvisioning}" is invalid; use one of ${DISK_PROVISIONING.join(', ')}.`);
    }
    const adapterType = props.networkAdapterType ?? 'vmxnet3';
    if (!ADAPTERS.includes(adapterType)) {
      throw new Error(`${where}: networkAdapterType "${adapterType}" is invalid; use one of ${ADAPTERS.join(', ')}.`);
    }

    const network = typeof props.network === 'string' ? inventory.network(props.network) : checkEntity(props.network, 'network', `${where} network`);
    const resourcePoolId =
      typeof props.resourcePool === 'string' ? inventory.resourcePoolId(props.resourcePool) : props.resourcePool.resourcePoolId;
    const datastore = this.resolveDatastore(inventory, props, where);
    const hostName = checkName(props.host, `${where} host`);
    // Claimed only once every input is valid, so a refused template leaves its name free.
    claimName(this, inventory.datacenterName, this.templateName, where);
    const hostId = inventory.hostId(hostName);

    const ovfNetworkMap = { [source.ovfNetworkName]: network.entityId };
    const sourceArgs = source.kind === 'remote' ? { remoteOvfUrl: source.location } : { localOvfPath: source.location };
    const allowUnverifiedSslCert = source.kind === 'remote' ? props.allowUnverifiedSslCert ?? false : undefined;

    // Asks vCenter what the OVF declares; without these values the provider's defaults (pvscsi, ...) may not boot.
    this.ovfTemplate = new DataVsphereOvfVmTemplate(this, 'Ovf', {
      name: this.templateName,
      resourcePoolId,
      hostSystemId: hostId,
      datastoreId: datastore.id,
      diskProvisioning,
      ovfNetworkMap,
      allowUnverifiedSslCert,
      ...sourceArgs,
    });

    this.virtualMachine = new VirtualMachine(this, 'Vm', {
      name: this.templateName,
      // Relative to /<datacenter>/vm, like vsphere_folder.path.
      folder: folder.relativePath,
      datacenterId: inventory.datacenterId,
      datastoreId: datastore.id,
      resourcePoolId,
      hostSystemId: hostId,
      numCpus: this.ovfTemplate.numCpus,
      numCoresPerSocket: this.ovfTemplate.numCoresPerSocket,
      memory: this.ovfTemplate.memory,
      guestId: this.ovfTemplate.guestId,
      firmware: this.ovfTemplate.firmware,
      scsiType: this.ovfTemplate.scsiType,
      // disk.enableUUID=1, which the vSphere CSI driver needs; extra_config is ignored on OVF imports.
      enableDiskUuid: true,
      // A template has no user data: it never gets an IP the provider could wait for.
      waitForGuestNetTimeout: 0,
      waitForGuestIpTimeout: 0,
      // The provider deletes every OVF NIC and CD-ROM the configuration does not list.
      networkInterface: [{ networkId: network.entityId, adapterType }],
      // machine-controller inserts cloud-init.iso into this drive; a client device also carries the vApp ISO transport.
      cdrom: [{ clientDevice: true }],
      ovfDeploy: {
        ...sourceArgs,
        diskProvisioning,
        ovfNetworkMap,
        allowUnverifiedSslCert,
      },
      // The folder path is a plain string, so Terraform would not order the folder first by itself.
      dependsOn: [folder.resource],
      lifecycle: {
        // The disk comes from the image (machine-controller needs exactly that one); vApp properties (Flatcar's
        // guestinfo.ignition.*) belong to the image; the host only places the import, DRS may move the VM later.
        ignoreChanges: ['disk', 'vapp', 'host_system_id'],
      },
    });

    if (props.snapshot) {
      this.snapshot = new VirtualMachineSnapshot(this, 'Snapshot', {
        virtualMachineUuid: this.virtualMachine.id,
        snapshotName: 'kkp-imported',
        description: `State of ${this.templateName} right after its import by cdktf-kkp-vsphere`,
        memory: false,
        quiesce: false,
      });
    }

    if (source.kind === 'local' && !fs.existsSync(source.location)) {
      Annotations.of(this).addWarning(
        `${where}: ${source.location} does not exist on this machine; terraform plan and apply read it ` +
          '(run convert-image there first).',
      );
    }

    this.virtualMachine.addOverride('//.kkp', {
      template: this.templateName,
      os: this.osKey,
      source: source.presetName ? `preset ${source.presetName}: ${source.location}` : source.location,
      folder: folder.inventoryPath,
      network: network.inventoryPath,
      datastore: datastore.description,
      note: 'machine-controller clones this VM by name; the provider powers it on after import: power it off, do not mark it as template',
    });
  }

  private resolveDatastore(
    inventory: VsphereInventory,
    props: VmTemplateProps,
    where: string,
  ): { id: string; description: string } {
    if (props.datastore !== undefined) {
      const ds =
        typeof props.datastore === 'string' ? inventory.datastore(props.datastore) : checkEntity(props.datastore, 'datastore', `${where} datastore`);
      return { id: ds.entityId, description: ds.inventoryPath };
    }
    const clusterName = entityName(props.datastoreCluster!, 'datastoreCluster', `${where} datastoreCluster`);
    const pod = inventory.datastoreCluster(clusterName);
    return { id: pod.firstMemberDatastoreId, description: `first datastore (by name) of ${pod.inventoryPath}` };
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`VmTemplateSource.ovaUrl: "${url}" is not a URL; give an http(s) URL of an .ova or .ovf file.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(
      `VmTemplateSource.ovaUrl: "${url}" uses ${parsed.protocol.replace(/:$/, '')}; only http and https URLs can be imported ` +
        '(for a file on this machine use VmTemplateSource.localOvf).',
    );
  }
  checkImageSuffix(url, 'VmTemplateSource.ovaUrl');
  return url;
}

function checkLocalFile(file: string): string {
  if (typeof file !== 'string' || file.trim() === '') {
    throw new Error('VmTemplateSource.localOvf: give the path of an .ovf or .ova file.');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    throw new Error(`VmTemplateSource.localOvf: "${file}" is a URL; use VmTemplateSource.ovaUrl for it.`);
  }
  checkImageSuffix(file, 'VmTemplateSource.localOvf');
  // The provider resolves a relative path against Terraform's working directory (cdktf.out/stacks/<stack>).
  return path.resolve(file);
}

function checkImageSuffix(location: string, where: string): void {
  if (/\.(qcow2|qcow|img|vmdk|raw)$/i.test(location)) {
    throw new Error(
      `${where}: "${location}" is a disk image, not an OVF package; convert it with ` +
        '`cdktf-kkp-vsphere convert-image <image> --out <dir>` and use the .ovf it writes.',
    );
  }
  // The provider treats the source as an OVA exactly when the string ends in ".ova", query included.
  if (!/\.(ova|ovf)$/.test(location)) {
    throw new Error(
      `${where}: "${location}" must end in ".ova" or ".ovf" (lower case, no query string): the provider chooses OVA ` +
        'or OVF handling by that suffix.',
    );
  }
}

function checkTemplateName(name: string, input: string): string {
  checkName(name, input);
  if (name.length > 80) {
    throw new Error(`${input}: "${name}" has ${name.length} characters; vSphere VM names have at most 80.`);
  }
  if (/[\\%]/.test(name)) {
    throw new Error(`${input}: "${name}" contains "\\" or "%", which vSphere escapes in inventory paths; machine-controller would not find it.`);
  }
  return name;
}

function checkEntity(entity: IVsphereEntity, kind: IVsphereEntity['kind'], input: string): IVsphereEntity {
  if (!entity || entity.kind !== kind) {
    throw new Error(`${input}: expected a ${kind} (from VsphereInventory), got ${entity ? `a ${entity.kind}` : String(entity)}.`);
  }
  return entity;
}

/** The object's own name: the string, or the last segment of the entity's inventory path. */
function entityName(value: IVsphereEntity | string, kind: IVsphereEntity['kind'], input: string): string {
  if (typeof value === 'string') return checkName(value, input);
  return checkEntity(value, kind, input).inventoryPath.split('/').pop()!;
}

const templateNames = new WeakMap<TerraformStack, Map<string, string>>();

// machine-controller's finder resolves templateVMName among all VMs of the datacenter and fails on two matches,
// so a name must be unique per datacenter, not only per folder.
function claimName(scope: Construct, datacenter: string, name: string, where: string): void {
  const stack = TerraformStack.of(scope);
  const names = templateNames.get(stack) ?? new Map<string, string>();
  templateNames.set(stack, names);
  const key = `${datacenter}\u0000${name}`;
  const owner = names.get(key);
  if (owner !== undefined) {
    throw new Error(
      `${where}: template name "${name}" is already used by ${owner} in datacenter "${datacenter}"; machine-controller ` +
        'finds templates by name among all VMs of the datacenter, so give each template its own name.',
    );
  }
  names.set(key, scope.node.path);
}

