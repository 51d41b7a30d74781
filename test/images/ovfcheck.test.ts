// An independent reader of our packages: govmomi's ovf package and the vCenter simulator, driven the way
// terraform-provider-vsphere's ovf_deploy drives vCenter (CreateImportSpec, ImportVApp, NFC upload).
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { convertImage, ConvertedImage } from '../../src/tools/images';
import { makeQcow2, ok, ovfcheck, tmpDir, removeTmpDirs } from './tools';

afterAll(removeTmpDirs);

const MiB = 2 ** 20;

interface Deployed {
  descriptor: string;
  errors: string[];
  warnings: string[];
  fileItems: Array<{ path: string; size: number; uploadedBytes: number }>;
  // govmomi's ovf.Envelope as JSON (its own json tags).
  envelope: {
    references: Array<{ href: string; size: number }>;
    diskSection: { disk: Array<{ capacity: string }> };
    networkSection: { network: Array<{ name: string }> };
  };
  vm: {
    guestId: string;
    version: string;
    numCPU: number;
    memoryMB: number;
    devices: Array<{ goType: string; controller?: string; capacityKB?: number; network?: string }>;
  };
}

let binary: string;
beforeAll(() => {
  binary = ovfcheck();
}, 600_000);

function deploy(file: string, network?: string): Deployed {
  return JSON.parse(ok(binary, [file, ...(network ? [network] : [])])) as Deployed;
}

function ourDevices(d: Deployed) {
  const of = (t: string) => d.vm.devices.filter((x) => x.goType === t);
  return {
    disks: of('*types.VirtualDisk'),
    cdroms: of('*types.VirtualCdrom'),
    nics: d.vm.devices.filter((x) => x.network !== undefined),
  };
}

describe('default package, deployed from the .ovf', () => {
  let img: ConvertedImage;
  let d: Deployed;
  beforeAll(async () => {
    const dir = tmpDir('sim');
    const input = makeQcow2(path.join(dir, 'ubuntu.qcow2'), 16 * MiB, [{ offset: 0, length: MiB, pattern: 0x11 }]);
    img = await convertImage({ input, outDir: path.join(dir, 'out'), guestOs: 'ubuntu64Guest' });
    d = deploy(img.ovfPath);
  });

  test('the import spec has no errors or warnings', () => {
    expect(d.errors).toEqual([]);
    expect(d.warnings).toEqual([]);
  });

  test('govmomi parses the references and the disk capacity', () => {
    expect(d.envelope.references).toEqual([
      expect.objectContaining({ href: path.basename(img.vmdkPath), size: statSync(img.vmdkPath).size }),
    ]);
    expect(d.envelope.diskSection.disk.map((x) => Number(x.capacity))).toEqual([16 * MiB]);
  });

  test('the VMDK beside the descriptor is uploaded whole through the lease', () => {
    expect(d.fileItems).toEqual([
      expect.objectContaining({
        path: path.basename(img.vmdkPath),
        size: statSync(img.vmdkPath).size,
        uploadedBytes: statSync(img.vmdkPath).size,
      }),
    ]);
  });

  test('the VM has the guest OS, hardware version, CPUs and memory of the descriptor', () => {
    expect(d.vm).toMatchObject({ guestId: 'ubuntu64Guest', version: 'vmx-13', numCPU: 2, memoryMB: 2048 });
  });

  test('one 16 MiB disk on the LSI Logic controller, one CD-ROM on IDE, one vmxnet3 on VM Network', () => {
    const { disks, cdroms, nics } = ourDevices(d);
    expect(disks).toEqual([expect.objectContaining({ controller: 'lsilogic', capacityKB: 16 * 1024 })]);
    expect(cdroms).toEqual([expect.objectContaining({ controller: 'ide' })]);
    expect(nics).toEqual([expect.objectContaining({ goType: '*types.VirtualVmxnet3', network: 'VM Network' })]);
    expect(d.vm.devices.filter((x) => x.goType === '*types.ParaVirtualSCSIController')).toEqual([]);
  });
});

test('an OVA with pvscsi and a custom network name deploys from the archive', async () => {
  const dir = tmpDir('sim-ova');
  const input = makeQcow2(path.join(dir, 'rocky.qcow2'), 8 * MiB, [{ offset: 4 * MiB, length: MiB, pattern: 0x22 }]);
  const img = await convertImage({
    input,
    outDir: path.join(dir, 'out'),
    scsiController: 'pvscsi',
    networkName: 'kkp-workers',
    cpus: 3,
    memoryMb: 3072,
    ova: true,
  });
  const d = deploy(img.ovaPath!, 'kkp-workers');
  expect(d.errors).toEqual([]);
  expect(d.descriptor).toBe('rocky.ovf');
  expect(d.fileItems).toEqual([
    expect.objectContaining({ path: 'rocky-disk1.vmdk', uploadedBytes: statSync(img.vmdkPath).size }),
  ]);
  expect(d.vm).toMatchObject({ numCPU: 3, memoryMB: 3072, guestId: 'otherLinux64Guest' });
  const { disks, nics } = ourDevices(d);
  expect(disks).toEqual([expect.objectContaining({ controller: 'pvscsi', capacityKB: 8 * 1024 })]);
  // ovf_network_map's key is the OVF network name; the simulator's only network is VM Network.
  expect(d.envelope.networkSection.network.map((n) => n.name)).toEqual(['kkp-workers']);
  expect(nics).toEqual([expect.objectContaining({ goType: '*types.VirtualVmxnet3', network: 'VM Network' })]);
});
