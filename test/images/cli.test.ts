// `cdktf-kkp-vsphere convert-image` as users run it: the compiled bin in a child process.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildCli, makeQcow2, qemuInfo, run, tmpDir, removeTmpDirs } from './tools';

afterAll(removeTmpDirs);

const MiB = 2 ** 20;
let cli: string;

beforeAll(() => {
  cli = buildCli();
}, 300_000);

function convert(args: string[], env?: NodeJS.ProcessEnv) {
  return run(process.execPath, [cli, 'convert-image', ...args], { env });
}

test('converts a QCOW2, reports progress on stderr and prints the package as JSON', () => {
  const dir = tmpDir('cli');
  const input = makeQcow2(path.join(dir, 'flatcar.qcow2'), 8 * MiB, [{ offset: 2 * MiB, length: MiB, pattern: 0x77 }]);
  const out = path.join(dir, 'out');
  const r = convert([input, '--out', out, '--guest-os', 'other5xLinux64Guest', '--cpus', '1', '--memory-mb', '1024', '--ova', '--json']);
  expect(r.stderr).toMatch(/converting .*flatcar\.qcow2: 0 %\n/);
  expect(r.stderr).toMatch(/converting .*flatcar\.qcow2: 100 %\n/);
  expect(r.status).toBe(0);
  const img = JSON.parse(r.stdout);
  expect(img).toMatchObject({
    name: 'flatcar',
    ovfPath: path.join(out, 'flatcar.ovf'),
    vmdkPath: path.join(out, 'flatcar-disk1.vmdk'),
    ovaPath: path.join(out, 'flatcar.ova'),
    capacityBytes: 8 * MiB,
    populatedSizeBytes: MiB,
    guestOs: 'other5xLinux64Guest',
    cpus: 1,
    memoryMb: 1024,
    scsiController: 'lsilogic',
    networkName: 'VM Network',
  });
  expect(qemuInfo(img.vmdkPath)['format-specific']?.data['create-type']).toBe('streamOptimized');
  expect(run('qemu-img', ['compare', '-f', 'qcow2', '-F', 'vmdk', input, img.vmdkPath]).status).toBe(0);
});

test('prints a readable summary without --json', () => {
  const dir = tmpDir('cli-summary');
  const input = makeQcow2(path.join(dir, 'img.qcow2'), 4 * MiB);
  const r = convert([input, '-o', path.join(dir, 'o'), '--name', 'tmpl', '--no-progress']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain(`OVF descriptor: ${path.join(dir, 'o', 'tmpl.ovf')}`);
  expect(r.stdout).toContain("NIC on network 'VM Network'");
});

describe('fails with exit code 1 and one clear line', () => {
  const expectFailure = (r: ReturnType<typeof convert>, message: RegExp) => {
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cdktf-kkp-vsphere: /);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
  };

  test('when the input is not QCOW2', () => {
    const dir = tmpDir('cli-raw');
    run('qemu-img', ['create', '-q', '-f', 'raw', path.join(dir, 'disk.raw'), '1M']);
    expectFailure(convert([path.join(dir, 'disk.raw'), '--out', path.join(dir, 'o')]), /is raw, not QCOW2/);
    expect(existsSync(path.join(dir, 'o'))).toBe(false);
  });

  test('when the input does not exist', () => {
    const dir = tmpDir('cli-missing');
    expectFailure(convert([path.join(dir, 'gone.qcow2'), '--out', dir]), /input image '.*gone\.qcow2' does not exist/);
  });

  test('when qemu-img is not on PATH', () => {
    const dir = tmpDir('cli-noqemu');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), MiB);
    expectFailure(
      convert([input, '--out', path.join(dir, 'o')], { ...process.env, PATH: path.join(dir, 'nothing-here') }),
      /qemu-img was not found\. Install it \(Debian\/Ubuntu: 'apt-get install qemu-utils'/,
    );
  });

  test('when the output exists and --force is not given, then succeeds with --force', () => {
    const dir = tmpDir('cli-force');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), MiB);
    const out = path.join(dir, 'o');
    expect(convert([input, '--out', out, '--no-progress']).status).toBe(0);
    expectFailure(convert([input, '--out', out, '--no-progress']), /already exist .*pass --force to overwrite/);
    expect(convert([input, '--out', out, '--no-progress', '--force']).status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a-disk1.vmdk', 'a.mf', 'a.ovf']);
  });

  test('when an option value is invalid', () => {
    const dir = tmpDir('cli-opts');
    const r = convert([path.join(dir, 'a.qcow2'), '--out', dir, '--scsi-controller', 'ide']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/option '--scsi-controller <type>' argument 'ide' is invalid\. Allowed choices are lsilogic, pvscsi/);
    expectFailure(convert([path.join(dir, 'a.qcow2'), '--out', dir, '--memory-mb', '1001']), /memory 1001 MiB is invalid/);
  });
});
