// Builds one of our small Go test programs (test/vcsim, test/gcfg, test/ovfcheck) against Debian's Go source tree,
// once per source version, into node_modules/.cache/cdktf-kkp-vsphere/<name>/. Parallel jest workers are safe:
// a mkdir lock lets one build while the others wait, and the rename makes a binary appear whole or not at all.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
/** Debian installs Go library sources here (golang-*-dev packages). */
export const GOPATH = '/usr/share/gocode';

export interface GoProgram {
  /** Folder below test/ holding the program's .go files, e.g. `vcsim`. */
  readonly name: string;
  /** Import paths below GOPATH/src the program needs, checked before building. */
  readonly needs: readonly string[];
  /** The Debian packages that provide Go and those sources, named in every error. */
  readonly debianPackages: readonly string[];
}

/** Path of the program's binary for its current source; builds it if needed. */
export function buildGoProgram(program: GoProgram): string {
  const sourceDir = path.join(ROOT, 'test', program.name);
  const files = fs.readdirSync(sourceDir).filter((f) => f.endsWith('.go')).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(fs.readFileSync(path.join(sourceDir, f)));
  const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', program.name);
  const binary = path.join(cacheDir, `${program.name}-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(binary)) return binary;

  const install = `install the Debian packages ${program.debianPackages.join(' ')} (.ci/run does)`;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(`test/${program.name} needs Go, and "go version" failed: ${install}.`);
  }
  for (const need of program.needs) {
    if (!fs.existsSync(path.join(GOPATH, 'src', need))) {
      throw new Error(`test/${program.name} needs ${need}, which is not in ${GOPATH}/src: ${install}.`);
    }
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const lock = `${binary}.lock`;
  while (!fs.existsSync(binary) && !tryLock(lock)) sleep(250);
  try {
    if (!fs.existsSync(binary)) {
      const partial = `${binary}.${process.pid}.tmp`;
      const result = spawnSync('go', ['build', '-o', partial, '.'], {
        cwd: sourceDir,
        encoding: 'utf8',
        // GOPATH mode against Debian's source tree; no cgo, so no C compiler is needed.
        env: { ...process.env, GO111MODULE: 'off', GOPATH, CGO_ENABLED: '0', GOFLAGS: '' },
        maxBuffer: 16 * 1024 * 1024,
      });
      if (result.error || result.status !== 0) {
        throw new Error(`building test/${program.name} failed (${install}):\n${result.error?.message ?? ''}${result.stderr ?? ''}`);
      }
      fs.renameSync(partial, binary);
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  return binary;
}

// mkdir is atomic; the owner's pid inside lets a waiter break the lock of a worker that died mid-build.
function tryLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let owner = NaN;
  try {
    owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // the owner is between mkdir and writing its pid
  }
  if (Number.isInteger(owner) && !isAlive(owner)) fs.rmSync(lock, { recursive: true, force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
