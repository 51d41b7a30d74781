// convertImage on real QCOW2 images made with qemu-img/qemu-io; every result is read back with qemu-img
// and an XML parser, never with our own writer.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { convertImage, ConvertedImage, ImageConversionError, verifyConvertedImage } from '../../src/tools/images';
import { makeQcow2, ok, qemuInfo, run, tmpDir, removeTmpDirs } from './tools';

afterAll(removeTmpDirs);

const MiB = 2 ** 20;
const WRITES = [
  { offset: 0, length: MiB, pattern: 0xab },
  { offset: 5 * MiB, length: 512 * 1024, pattern: 0x5c },
  { offset: 15 * MiB, length: 64 * 1024, pattern: 0x01 },
];
const WRITTEN = MiB + 512 * 1024 + 64 * 1024;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function parseOvf(file: string): any {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false }).parse(
    readFileSync(file, 'utf8'),
  );
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('convertImage with default options', () => {
  let dir: string;
  let input: string;
  let out: string;
  let img: ConvertedImage;
  const progress: number[] = [];

  beforeAll(async () => {
    dir = tmpDir('default');
    input = makeQcow2(path.join(dir, 'ubuntu-22.04.qcow2'), 16 * MiB, WRITES);
    out = path.join(dir, 'out');
    img = await convertImage({ input, outDir: out, onProgress: (p) => progress.push(p) });
  });

  test('writes exactly the OVF, the manifest and the VMDK, named after the input, and no temp dir', () => {
    expect(img.name).toBe('ubuntu-22.04');
    expect(readdirSync(out).sort()).toEqual(['ubuntu-22.04-disk1.vmdk', 'ubuntu-22.04.mf', 'ubuntu-22.04.ovf']);
    expect(img.ovfPath).toBe(path.join(out, 'ubuntu-22.04.ovf'));
    expect(img.vmdkPath).toBe(path.join(out, 'ubuntu-22.04-disk1.vmdk'));
    expect(img.manifestPath).toBe(path.join(out, 'ubuntu-22.04.mf'));
    expect(img.ovaPath).toBeUndefined();
  });

  test('the disk is a compressed streamOptimized VMDK with the input virtual size', () => {
    const info = qemuInfo(img.vmdkPath, 'vmdk');
    expect(info.format).toBe('vmdk');
    expect(info['format-specific']?.data['create-type']).toBe('streamOptimized');
    expect(info['format-specific']?.data.extents?.[0].compressed).toBe(true);
    expect(info['virtual-size']).toBe(16 * MiB);
    expect(img.capacityBytes).toBe(16 * MiB);
    // A streamOptimized disk carries the SCSI adapter type ESXi expects for a disk on a SCSI controller.
    expect(readFileSync(img.vmdkPath).subarray(0, 4096).toString('latin1')).toContain('ddb.adapterType = "lsilogic"');
  });

  test('the VMDK holds the same guest data as the QCOW2 (qemu-img compare)', () => {
    const r = run('qemu-img', ['compare', '-f', 'qcow2', '-F', 'vmdk', input, img.vmdkPath]);
    expect(r.stdout.trim()).toBe('Images are identical.');
    expect(r.status).toBe(0);
  });

  test('the OVF references the disk with its file size, capacity and populated size', () => {
    const env = parseOvf(img.ovfPath)['Envelope'];
    const file = env['References']['File'];
    expect(file['@ovf:href']).toBe('ubuntu-22.04-disk1.vmdk');
    expect(Number(file['@ovf:size'])).toBe(statSync(img.vmdkPath).size);
    const disk = env['DiskSection']['Disk'];
    expect(disk['@ovf:fileRef']).toBe(file['@ovf:id']);
    expect(Number(disk['@ovf:capacity'])).toBe(16 * MiB);
    expect(disk['@ovf:capacityAllocationUnits']).toBe('byte');
    expect(Number(disk['@ovf:populatedSize'])).toBe(WRITTEN);
    expect(disk['@ovf:format']).toBe('http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized');
    expect(env['NetworkSection']['Network']['@ovf:name']).toBe('VM Network');
  });

  test('the virtual hardware is what machine-controller clones: CPUs, memory, SCSI disk, IDE CD-ROM, vmxnet3', () => {
    const vs = parseOvf(img.ovfPath)['Envelope']['VirtualSystem'];
    expect(vs['@ovf:id']).toBe('ubuntu-22.04');
    expect(vs['OperatingSystemSection']['@vmw:osType']).toBe('otherLinux64Guest');
    const hw = vs['VirtualHardwareSection'];
    expect(hw['System']['vssd:VirtualSystemType']).toBe('vmx-13');
    const items = asArray(hw['Item']);
    const byType = (t: number) => items.filter((i: any) => i['rasd:ResourceType'] === String(t));
    expect(byType(3).map((i: any) => i['rasd:VirtualQuantity'])).toEqual(['2']);
    expect(byType(4).map((i: any) => [i['rasd:VirtualQuantity'], i['rasd:AllocationUnits']])).toEqual([
      ['2048', 'byte * 2^20'],
    ]);
    const [scsi] = byType(6);
    expect(byType(6)).toHaveLength(1);
    expect(scsi['rasd:ResourceSubType']).toBe('lsilogic');
    const [ide] = byType(5);
    const disks = byType(17);
    expect(disks).toHaveLength(1);
    expect(disks[0]['rasd:Parent']).toBe(scsi['rasd:InstanceID']);
    expect(disks[0]['rasd:HostResource']).toBe(`ovf:/disk/${parseOvf(img.ovfPath)['Envelope']['DiskSection']['Disk']['@ovf:diskId']}`);
    const cdroms = byType(15);
    expect(cdroms).toHaveLength(1);
    expect(cdroms[0]['rasd:Parent']).toBe(ide['rasd:InstanceID']);
    const nics = byType(10);
    expect(nics.map((n: any) => [n['rasd:ResourceSubType'], n['rasd:Connection']])).toEqual([['VmxNet3', 'VM Network']]);
    const ids = items.map((i: any) => i['rasd:InstanceID']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('the manifest lists the SHA-256 of the OVF and the VMDK', () => {
    expect(readFileSync(img.manifestPath, 'utf8')).toBe(
      `SHA256(ubuntu-22.04.ovf)= ${sha256(img.ovfPath)}\n` +
        `SHA256(ubuntu-22.04-disk1.vmdk)= ${sha256(img.vmdkPath)}\n`,
    );
    expect(img.sha256).toEqual({
      'ubuntu-22.04.ovf': sha256(img.ovfPath),
      'ubuntu-22.04-disk1.vmdk': sha256(img.vmdkPath),
    });
  });

  test('reports progress from qemu-img up to 100 %, never going back', () => {
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});

describe('convertImage with every option', () => {
  let dir: string;
  let input: string;
  let img: ConvertedImage;

  beforeAll(async () => {
    dir = tmpDir('options');
    input = makeQcow2(path.join(dir, 'in.qcow2'), 8 * MiB, [{ offset: MiB, length: MiB, pattern: 0x42 }]);
    img = await convertImage({
      input,
      outDir: path.join(dir, 'templates'),
      name: 'rocky-9',
      guestOs: 'rhel9_64Guest',
      cpus: 4,
      memoryMb: 4096,
      scsiController: 'pvscsi',
      networkName: 'Kube <Net> & "Co"',
      hardwareVersion: 19,
      ova: true,
    });
  });

  test('the descriptor carries the chosen hardware, guest OS and network (escaped)', () => {
    const env = parseOvf(img.ovfPath)['Envelope'];
    const vs = env['VirtualSystem'];
    expect(vs['Name']).toBe('rocky-9');
    expect(vs['OperatingSystemSection']['@vmw:osType']).toBe('rhel9_64Guest');
    expect(vs['VirtualHardwareSection']['System']['vssd:VirtualSystemType']).toBe('vmx-19');
    const items = asArray(vs['VirtualHardwareSection']['Item']);
    const q = (t: number) => items.find((i: any) => i['rasd:ResourceType'] === String(t));
    expect(q(3)['rasd:VirtualQuantity']).toBe('4');
    expect(q(4)['rasd:VirtualQuantity']).toBe('4096');
    expect(q(6)['rasd:ResourceSubType']).toBe('VirtualSCSI');
    expect(q(10)['rasd:Connection']).toBe('Kube <Net> & "Co"');
    expect(env['NetworkSection']['Network']['@ovf:name']).toBe('Kube <Net> & "Co"');
  });

  test('the OVA holds OVF, manifest and VMDK in that order, byte for byte', () => {
    expect(readdirSync(path.dirname(img.ovfPath)).sort()).toEqual([
      'rocky-9-disk1.vmdk',
      'rocky-9.mf',
      'rocky-9.ova',
      'rocky-9.ovf',
    ]);
    expect(ok('tar', ['-tf', img.ovaPath!]).trim().split('\n')).toEqual(['rocky-9.ovf', 'rocky-9.mf', 'rocky-9-disk1.vmdk']);
    const x = tmpDir('ova-x');
    ok('tar', ['-xf', img.ovaPath!, '-C', x]);
    for (const f of ['rocky-9.ovf', 'rocky-9.mf', 'rocky-9-disk1.vmdk']) {
      expect(sha256(path.join(x, f))).toBe(sha256(path.join(path.dirname(img.ovfPath), f)));
    }
  });

  test('the VMDK holds the same guest data as the QCOW2', () => {
    expect(run('qemu-img', ['compare', '-f', 'qcow2', '-F', 'vmdk', input, img.vmdkPath]).status).toBe(0);
    expect(qemuInfo(img.vmdkPath, 'vmdk')['virtual-size']).toBe(8 * MiB);
  });
});

describe('convertImage refuses bad input with a clear error and writes nothing', () => {
  const reject = async (opts: Parameters<typeof convertImage>[0], message: RegExp) => {
    const err = await convertImage(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImageConversionError);
    expect((err as Error).message).toMatch(message);
  };

  test('a raw image is named as raw, not QCOW2', async () => {
    const dir = tmpDir('raw');
    ok('qemu-img', ['create', '-q', '-f', 'raw', path.join(dir, 'disk.img'), '4M']);
    await reject({ input: path.join(dir, 'disk.img'), outDir: path.join(dir, 'out') }, /'.*disk\.img' is raw, not QCOW2/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('a VMDK input is named as vmdk', async () => {
    const dir = tmpDir('vmdk-in');
    ok('qemu-img', ['create', '-q', '-f', 'vmdk', path.join(dir, 'disk.vmdk'), '4M']);
    await reject({ input: path.join(dir, 'disk.vmdk'), outDir: path.join(dir, 'out') }, /is vmdk, not QCOW2/);
  });

  test('a missing input says it does not exist', async () => {
    const dir = tmpDir('missing');
    await reject({ input: path.join(dir, 'nope.qcow2'), outDir: dir }, /input image '.*nope\.qcow2' does not exist/);
  });

  test('a missing qemu-img names the Debian package qemu-utils', async () => {
    const dir = tmpDir('noqemu');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), 4 * MiB);
    await reject(
      { input, outDir: path.join(dir, 'out'), env: { ...process.env, PATH: path.join(dir, 'empty-bin') } },
      /qemu-img was not found.*apt-get install qemu-utils/,
    );
    await reject({ input, outDir: path.join(dir, 'out'), qemuImg: path.join(dir, 'no-qemu-img') }, /qemu-img was not found/);
  });

  test('existing output is kept unless force is set', async () => {
    const dir = tmpDir('force');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), 4 * MiB, [{ offset: 0, length: 4096, pattern: 7 }]);
    const outDir = path.join(dir, 'out');
    const first = await convertImage({ input, outDir, cpus: 1, ova: true });
    const before = readFileSync(first.ovfPath, 'utf8');
    await reject({ input, outDir, cpus: 8 }, /output a\.ovf, a\.mf, a-disk1\.vmdk already exist .*--force/);
    expect(readFileSync(first.ovfPath, 'utf8')).toBe(before);
    const second = await convertImage({ input, outDir, cpus: 8, force: true });
    expect(readFileSync(second.ovfPath, 'utf8')).toContain('<rasd:VirtualQuantity>8</rasd:VirtualQuantity>');
    // The OVA of the first run would now disagree with the package beside it: --force removes it.
    expect(readdirSync(outDir).sort()).toEqual(['a-disk1.vmdk', 'a.mf', 'a.ovf']);
  });

  test('a stopped conversion removes its partial VMDK and the output folder it created, and keeps one that existed', async () => {
    const dir = tmpDir('abort');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), 64 * MiB, [{ offset: 0, length: 32 * MiB, pattern: 0x33 }]);
    // Stop while qemu-img convert runs (its first progress report), as a signal in the CLI does.
    const created = path.join(dir, 'new', 'out');
    let abort = new AbortController();
    await reject(
      { input, outDir: created, signal: abort.signal, onProgress: () => abort.abort('SIGHUP') },
      /qemu-img convert was stopped \(SIGHUP forwarded to it\)/,
    );
    expect(readdirSync(dir)).toEqual(['a.qcow2']);
    const existing = path.join(dir, 'existing');
    mkdirSync(existing);
    abort = new AbortController();
    await reject({ input, outDir: existing, signal: abort.signal, onProgress: () => abort.abort() }, /was stopped \(SIGTERM/);
    expect(readdirSync(existing)).toEqual([]);
  });

  test.each([
    [{ name: 'has space' }, /name 'has space' is not usable/],
    [{ guestOs: 'ubuntu' }, /guest OS 'ubuntu' is not a vSphere guest identifier/],
    [{ cpus: 0 }, /cpus 0 is invalid/],
    [{ memoryMb: 1023 }, /memory 1023 MiB is invalid: .*multiple of 4/],
    [{ hardwareVersion: 3 }, /hardware version 3 is invalid/],
    [{ networkName: ' ' }, /network name ' ' must be non-empty/],
  ])('option %j is refused before anything runs', async (bad, message) => {
    const dir = tmpDir('opts');
    await reject({ input: path.join(dir, 'whatever.qcow2'), outDir: path.join(dir, 'out'), ...bad }, message);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('verifyConvertedImage catches a package that does not hold together', () => {
  let img: ConvertedImage;
  beforeEach(async () => {
    const dir = tmpDir('verify');
    img = await convertImage({ input: makeQcow2(path.join(dir, 'v.qcow2'), 4 * MiB), outDir: path.join(dir, 'out') });
  });

  test('a clean package passes and is summarized', async () => {
    const ovf = await verifyConvertedImage(img.ovfPath, { expectedCapacity: 4 * MiB });
    expect(ovf.disks).toEqual([
      expect.objectContaining({ capacityBytes: 4 * MiB, fileRef: 'file1', diskId: 'vmdisk1' }),
    ]);
    expect(ovf.networks).toEqual(['VM Network']);
  });

  test('a disk whose size differs from the descriptor', async () => {
    appendFileSync(img.vmdkPath, Buffer.alloc(512));
    await expect(verifyConvertedImage(img.ovfPath)).rejects.toThrow(/'v-disk1\.vmdk' is \d+ bytes, the descriptor says \d+/);
  });

  test('a manifest digest that does not match', async () => {
    writeFileSync(img.manifestPath, readFileSync(img.manifestPath, 'utf8').replace(/= ([0-9a-f])/, (_m, c) => `= ${c === '0' ? '1' : '0'}`));
    await expect(verifyConvertedImage(img.ovfPath)).rejects.toThrow(/SHA256 of 'v\.ovf' does not match the manifest/);
  });

  test('a virtual size other than the input', async () => {
    await expect(verifyConvertedImage(img.ovfPath, { expectedCapacity: 8 * MiB })).rejects.toThrow(
      /virtual size 4194304, the input has 8388608/,
    );
  });

  test('a plain (monolithicSparse) VMDK in place of the streamOptimized one', async () => {
    const plain = `${img.vmdkPath}.plain`;
    ok('qemu-img', ['create', '-q', '-f', 'vmdk', plain, '4M']);
    const ovf = readFileSync(img.ovfPath, 'utf8').replace(/ovf:size="\d+"/, `ovf:size="${statSync(plain).size}"`);
    writeFileSync(img.ovfPath, ovf);
    writeFileSync(img.vmdkPath, readFileSync(plain));
    await expect(verifyConvertedImage(img.ovfPath)).rejects.toThrow(/create type 'monolithicSparse', not streamOptimized/);
  });
});
