// OVF 1.0 descriptor for one streamOptimized VMDK: the hardware machine-controller clones (one SCSI disk,
// an IDE CD-ROM for cloud-init.iso, one vmxnet3 NIC) and nothing vSphere would have to guess.
import { XMLParser } from 'fast-xml-parser';
import { ImageConversionError } from './qemu-img';

/** SCSI controller of the template's disk. */
export type ScsiControllerType = 'lsilogic' | 'pvscsi';

/** What goes into the descriptor. */
export interface OvfSpec {
  /** VM name (`VirtualSystem` id and `Name`). */
  readonly name: string;
  /** File name of the disk, relative to the descriptor. */
  readonly diskFile: string;
  /** Size of the disk file in bytes (`References/File/@size`). */
  readonly diskFileSize: number;
  /** Virtual size of the disk in bytes (`Disk/@capacity`). */
  readonly capacity: number;
  /** Bytes of guest data in the disk (`Disk/@populatedSize`). */
  readonly populatedSize: number;
  /** vSphere guest OS identifier, e.g. `ubuntu64Guest`. */
  readonly guestOs: string;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly scsiController: ScsiControllerType;
  /** Network name the NIC connects to; `ovf_network_map` maps it to a real network. */
  readonly networkName: string;
  /** Virtual hardware version, e.g. 13 for `vmx-13` (ESXi 6.5 and later). */
  readonly hardwareVersion: number;
  /** One line kept in the AnnotationSection (where the image came from). */
  readonly annotation?: string;
}

/** The OVF ids this package writes; VmTemplate and the checks refer to them. */
export const OVF_DISK_FILE_ID = 'file1';
export const OVF_DISK_ID = 'vmdisk1';
/** Format URI vSphere expects for a streamOptimized disk in an OVF. */
export const STREAM_OPTIMIZED_FORMAT = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

// OVF spells pvscsi "VirtualSCSI" (what vCenter's own OVF export writes).
const SCSI_SUBTYPE: Record<ScsiControllerType, string> = { lsilogic: 'lsilogic', pvscsi: 'VirtualSCSI' };

function esc(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One CIM `Item`; rasd children must be in alphabetical order for strict OVF validators (ovftool). */
function item(fields: Record<string, string | number>, attrs = ''): string {
  const body = Object.keys(fields)
    .sort()
    .map((k) => `        <rasd:${k}>${esc(fields[k])}</rasd:${k}>`)
    .join('\n');
  return `      <Item${attrs}>\n${body}\n      </Item>`;
}

/** Renders the OVF 1.0 envelope. */
export function renderOvf(spec: OvfSpec): string {
  // CIM OS type 101 is "Linux 64-Bit"; vSphere uses vmw:osType, the numeric id is informational.
  const cimOsId = /64/.test(spec.guestOs) ? 101 : 36;
  const scsi = 3;
  const ide = 4;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
    <File ovf:href="${esc(spec.diskFile)}" ovf:id="${OVF_DISK_FILE_ID}" ovf:size="${spec.diskFileSize}"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:capacity="${spec.capacity}" ovf:capacityAllocationUnits="byte" ovf:diskId="${OVF_DISK_ID}" ovf:fileRef="${OVF_DISK_FILE_ID}" ovf:format="${STREAM_OPTIMIZED_FORMAT}" ovf:populatedSize="${spec.populatedSize}"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="${esc(spec.networkName)}">
      <Description>The ${esc(spec.networkName)} network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="${esc(spec.name)}">
    <Info>A virtual machine</Info>
    <Name>${esc(spec.name)}</Name>
${
  spec.annotation
    ? `    <AnnotationSection>\n      <Info>A human-readable annotation</Info>\n      <Annotation>${esc(spec.annotation)}</Annotation>\n    </AnnotationSection>\n`
    : ''
}    <OperatingSystemSection ovf:id="${cimOsId}" vmw:osType="${esc(spec.guestOs)}">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>${esc(spec.name)}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-${spec.hardwareVersion}</vssd:VirtualSystemType>
      </System>
${[
  item({
    AllocationUnits: 'hertz * 10^6',
    Description: 'Number of Virtual CPUs',
    ElementName: `${spec.cpus} virtual CPU(s)`,
    InstanceID: 1,
    ResourceType: 3,
    VirtualQuantity: spec.cpus,
  }),
  item({
    AllocationUnits: 'byte * 2^20',
    Description: 'Memory Size',
    ElementName: `${spec.memoryMb}MB of memory`,
    InstanceID: 2,
    ResourceType: 4,
    VirtualQuantity: spec.memoryMb,
  }),
  item({
    Address: 0,
    Description: 'SCSI Controller',
    ElementName: 'SCSI controller 0',
    InstanceID: scsi,
    ResourceSubType: SCSI_SUBTYPE[spec.scsiController],
    ResourceType: 6,
  }),
  item({ Address: 0, Description: 'IDE Controller', ElementName: 'IDE 0', InstanceID: ide, ResourceType: 5 }),
  // Empty, disconnected CD-ROM: machine-controller inserts cloud-init.iso here at clone time.
  item(
    {
      AddressOnParent: 0,
      AutomaticAllocation: 'false',
      ElementName: 'CD/DVD drive 1',
      InstanceID: 5,
      Parent: ide,
      ResourceSubType: 'vmware.cdrom.remotepassthrough',
      ResourceType: 15,
    },
    ' ovf:required="false"',
  ),
  item({
    AddressOnParent: 0,
    ElementName: 'Hard disk 1',
    HostResource: `ovf:/disk/${OVF_DISK_ID}`,
    InstanceID: 6,
    Parent: scsi,
    ResourceType: 17,
  }),
  item({
    AddressOnParent: 7,
    AutomaticAllocation: 'true',
    Connection: spec.networkName,
    Description: `VmxNet3 ethernet adapter on "${spec.networkName}"`,
    ElementName: 'Network adapter 1',
    InstanceID: 7,
    ResourceSubType: 'VmxNet3',
    ResourceType: 10,
  }),
].join('\n')}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

/** A hardware item as read back from a descriptor. */
export interface OvfHardwareItem {
  readonly instanceId: string;
  readonly resourceType: number;
  readonly resourceSubType?: string;
  readonly parent?: string;
  readonly virtualQuantity?: number;
  readonly hostResource?: string;
  readonly connection?: string;
}

/** What an OVF descriptor says, as far as the checks and VmTemplate need it. */
export interface OvfSummary {
  readonly name: string;
  readonly files: ReadonlyArray<{ id: string; href: string; size: number }>;
  readonly disks: ReadonlyArray<{
    diskId: string;
    fileRef: string;
    capacityBytes: number;
    populatedSize?: number;
    format?: string;
  }>;
  readonly networks: readonly string[];
  readonly guestOs?: string;
  readonly hardwareVersion?: string;
  readonly items: readonly OvfHardwareItem[];
}

const UNIT_RE = /^byte(?:\s*\*\s*(\d+)(?:\^(\d+))?)?$/;

function capacityBytes(capacity: string, units: string | undefined, where: string): number {
  const n = Number(capacity);
  if (!Number.isFinite(n)) throw new ImageConversionError(`${where}: disk capacity '${capacity}' is not a number`);
  if (units === undefined) return n;
  const m = UNIT_RE.exec(units.trim());
  if (!m) throw new ImageConversionError(`${where}: unsupported capacityAllocationUnits '${units}'`);
  const base = m[1] ? Number(m[1]) : 1;
  const exp = m[2] ? Number(m[2]) : 1;
  return n * base ** exp;
}

function arr<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Parses an OVF descriptor (namespace prefixes dropped) into an {@link OvfSummary}. */
export function readOvf(xml: string, where = 'OVF descriptor'): OvfSummary {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
  });
  let doc: Record<string, any>;
  try {
    doc = parser.parse(xml, true) as Record<string, any>;
  } catch (err) {
    throw new ImageConversionError(`${where} is not well-formed XML: ${(err as Error).message}`);
  }
  const env = doc.Envelope;
  if (!env) throw new ImageConversionError(`${where} has no Envelope element`);
  const vs = env.VirtualSystem;
  if (!vs) throw new ImageConversionError(`${where} has no VirtualSystem`);
  const hw = arr(vs.VirtualHardwareSection)[0] ?? {};
  const text = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
  return {
    name: String(vs.Name ?? vs['@id']),
    files: arr(env.References?.File).map((f: any) => ({
      id: String(f['@id']),
      href: String(f['@href']),
      size: Number(f['@size']),
    })),
    disks: arr(env.DiskSection?.Disk).map((d: any) => ({
      diskId: String(d['@diskId']),
      fileRef: String(d['@fileRef']),
      capacityBytes: capacityBytes(String(d['@capacity']), d['@capacityAllocationUnits'], where),
      populatedSize: d['@populatedSize'] === undefined ? undefined : Number(d['@populatedSize']),
      format: text(d['@format']),
    })),
    networks: arr(env.NetworkSection?.Network).map((n: any) => String(n['@name'])),
    guestOs: text(arr(vs.OperatingSystemSection)[0]?.['@osType']),
    hardwareVersion: text(hw.System?.VirtualSystemType),
    items: arr(hw.Item).map((i: any) => ({
      instanceId: String(i.InstanceID),
      resourceType: Number(i.ResourceType),
      resourceSubType: text(i.ResourceSubType),
      parent: text(i.Parent),
      virtualQuantity: i.VirtualQuantity === undefined ? undefined : Number(i.VirtualQuantity),
      hostResource: text(i.HostResource),
      connection: text(i.Connection),
    })),
  };
}
