// Real tools for the image tests: qemu-img/qemu-io (Debian qemu-utils) and the govmomi-based ovfcheck.
// A missing tool FAILS the test with the package to install; CI installs them.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { buildGoProgram } from '../support/go-program';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 64 * 2 ** 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`'${cmd}' is not installed: ${TOOL_PACKAGES[cmd] ?? 'install it'}`);
  }
  return r;
}

const TOOL_PACKAGES: Record<string, string> = {
  'qemu-img': "apt-get install qemu-utils (Debian's qemu-utils has qemu-img)",
  'qemu-io': "apt-get install qemu-utils (Debian's qemu-utils has qemu-io)",
  go: 'install Go 1.25 or later (the test Go programs are a module in test/go.mod)',
  tar: 'apt-get install tar',
};

/** Runs a command and throws with its output unless it exits 0. */
export function ok(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const made: string[] = [];

/** A fresh temp dir, removed by {@link removeTmpDirs}. */
export function tmpDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kkp-images-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every temp dir this test file made (call from afterAll). */
export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A data pattern written into a test image with qemu-io: `length` bytes of byte `pattern` at `offset`. */
export interface Write {
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
}

/** Creates a real QCOW2 image with qemu-img and writes the given data into it with qemu-io. */
export function makeQcow2(file: string, sizeBytes: number, writes: readonly Write[] = []): string {
  ok('qemu-img', ['create', '-q', '-f', 'qcow2', file, String(sizeBytes)]);
  if (writes.length) {
    const cmds = writes.flatMap((w) => ['-c', `write -P 0x${w.pattern.toString(16)} ${w.offset} ${w.length}`]);
    ok('qemu-io', ['-f', 'qcow2', ...cmds, file]);
  }
  return file;
}

export interface QemuInfoJson {
  format: string;
  'virtual-size': number;
  'format-specific'?: { type: string; data: { 'create-type'?: string; extents?: Array<{ compressed?: boolean }> } };
}

export function qemuInfo(file: string, format?: string): QemuInfoJson {
  return JSON.parse(ok('qemu-img', ['info', '--output=json', ...(format ? ['-f', format] : []), file])) as QemuInfoJson;
}

/** Builds test/ovfcheck (govmomi's simulator and ovf package, pinned in test/go.mod) once. */
export function ovfcheck(): string {
  return buildGoProgram('ovfcheck');
}

/** The CLI as users run it: the compiled bin. Builds lib/ as `npm run build` does (tsc, then the bin's execute bit). */
export function buildCli(): string {
  ok(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: REPO });
  ok(process.execPath, [path.join(REPO, 'scripts', 'bin-executable.js')], { cwd: REPO });
  return path.join(REPO, 'lib', 'cli', 'main.js');
}
