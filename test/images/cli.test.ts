// `cdktf-kkp-vsphere convert-image` as users run it: the compiled bin in a child process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** A QCOW2 of random (incompressible) data, so that a conversion runs long enough to be interrupted. */
function randomQcow2(file: string, sizeBytes: number): string {
  const raw = `${file}.raw`;
  writeFileSync(raw, randomBytes(sizeBytes));
  run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
  rmSync(raw);
  return file;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['SIGTERM', 'SIGHUP'] as const)('%s while qemu-img converts', (signal) => {
  test('is forwarded to qemu-img, every partial file and the folder the run made are removed, the exit shows the signal', async () => {
    const dir = tmpDir(`cli-${signal}`);
    const input = randomQcow2(path.join(dir, 'big.qcow2'), 96 * MiB);
    const out = path.join(dir, 'made', 'by-run');
    const child = spawn(process.execPath, [cli, 'convert-image', input, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    // Wait until qemu-img runs and its partial VMDK has data in the temporary folder inside --out.
    const qemu = await until('qemu-img to write', () => {
      const kids = childrenOf(child.pid!).filter((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'qemu-img');
      if (kids.length !== 1 || !existsSync(out)) return undefined;
      const partial = readdirSync(out, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.vmdk'));
      return partial && statSync(path.join(partial.parentPath, partial.name)).size > 0 ? kids[0] : undefined;
    });
    expect(isRunning(qemu)).toBe(true);
    child.kill(signal); // to node only, as `timeout` or `docker stop` do (not to the process group)
    const end = await exited;
    expect(end).toEqual({ code: null, signal });
    expect(isRunning(qemu)).toBe(false);
    expect(stderr).toContain(`convert-image stopped by ${signal}; qemu-img was stopped and no partial file is left in '${out}'`);
    // The run created made/by-run: it removed both, and nothing else is in the test folder.
    expect(readdirSync(dir)).toEqual(['big.qcow2']);
  }, 60_000);
});

describe('--out that cannot take the package: one line with the path and the fix, nothing left behind', () => {
  const expectOneLine = (r: ReturnType<typeof convert>, message: RegExp) => {
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !/^converting /.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/EEXIST|EACCES|ENOSPC|ENOTDIR/);
  };

  test('an existing file, and a path below a file', () => {
    const dir = tmpDir('cli-out-file');
    const input = makeQcow2(path.join(dir, 'a.qcow2'), MiB);
    const file = path.join(dir, 'images');
    writeFileSync(file, 'not a folder');
    expectOneLine(
      convert([input, '--out', file, '--no-progress']),
      new RegExp(`--out '${file}' is not a folder: '${file}' is a file\\. Give a folder path \\(it is created when missing\\), or move that file away`),
    );
    expectOneLine(convert([input, '--out', path.join(file, 'sub', 'x'), '--no-progress']), new RegExp(`is not a folder: '${file}' is a file`));
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
    expect(readdirSync(dir).sort()).toEqual(['a.qcow2', 'images']);
  });

  test('a folder the user cannot write to (and a new folder below it)', () => {
    const dir = tmpDir('cli-out-ro');
    chmodSync(dir, 0o755);
    const input = makeQcow2(path.join(dir, 'a.qcow2'), MiB);
    chmodSync(input, 0o644);
    const locked = path.join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    // root ignores file modes: run the CLI as nobody then, for whom the root-owned folder is not writable.
    const asUser = (args: string[]) =>
      process.getuid?.() === 0
        ? run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'convert-image', ...args])
        : (chmodSync(locked, 0o555), convert(args));
    expectOneLine(
      asUser([input, '--out', locked, '--no-progress']),
      new RegExp(`cannot write into --out '${locked}' \\(permission denied while creating a temporary folder\\): choose a folder you can write to, or give your user write access to it`),
    );
    expectOneLine(asUser([input, '--out', path.join(locked, 'new'), '--no-progress']), /cannot write into --out '.*locked\/new' \(permission denied while creating the folder\)/);
    expect(readdirSync(locked)).toEqual([]);
  });

  test('a full disk: names the folder, the space needed and the fix; removes the partial VMDK', () => {
    const dir = tmpDir('cli-out-full');
    const input = randomQcow2(path.join(dir, 'big.qcow2'), 16 * MiB);
    const mnt = path.join(dir, 'small');
    mkdirSync(mnt);
    // A 2 MiB tmpfs in a private mount namespace (root, or an unprivileged user namespace), visible to this run only.
    const script = 'mount -t tmpfs -o size=2m tmpfs "$0" && "$@"; rc=$?; echo "left: $(ls -A "$0")" >&2; exit $rc';
    const ns = process.getuid?.() === 0 ? ['--mount'] : ['--map-root-user', '--mount'];
    const r = run('unshare', [...ns, 'sh', '-c', script, mnt, process.execPath, cli, 'convert-image', input, '--out', path.join(mnt, 'out'), '--no-progress']);
    const left = r.stderr.split('\n').find((l) => l.startsWith('left:'));
    expect(left).toBe('left: ');
    expectOneLine(
      { ...r, stderr: r.stderr.replace(/^left:.*\n?/m, '') },
      new RegExp(`no space left on the file system of --out '${mnt}/out' while writing the VMDK \\(the package needs up to about \\d+ MiB there\\): free space there or choose an --out on a file system with room; nothing was written`),
    );
  });
});
