// Builds one of our small Go test programs (test/vcsim, test/gcfg, test/ovfcheck) from the Go module in test/
// (versions pinned in test/go.mod and test/go.sum), once per source version, into
// node_modules/.cache/cdktf-kkp-vsphere/<name>/. Parallel jest workers are safe: a mkdir lock lets one build while
// the others wait, and the rename makes a binary appear whole or not at all.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const MODULE_DIR = path.join(ROOT, 'test');

/** Path of the binary of test/<name> for its current source and module versions; builds it if needed. */
export function buildGoProgram(name: string): string {
  const sourceDir = path.join(MODULE_DIR, name);
  const hash = createHash('sha256');
  // The key covers the program's own files and the module's pinned versions.
  for (const file of ['go.mod', 'go.sum']) hash.update(file).update(fs.readFileSync(path.join(MODULE_DIR, file)));
  for (const f of fs.readdirSync(sourceDir).filter((f) => f.endsWith('.go')).sort()) {
    hash.update(f).update(fs.readFileSync(path.join(sourceDir, f)));
  }
  const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', name);
  const binary = path.join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(binary)) return binary;

  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(`test/${name} is a Go program and "go version" failed: install Go 1.25 or later (bash .ci/run checks for it).`);
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const lock = `${binary}.lock`;
  while (!fs.existsSync(binary) && !tryLock(lock)) sleep(250);
  try {
    if (!fs.existsSync(binary)) {
      const partial = `${binary}.${process.pid}.tmp`;
      const result = spawnSync('go', ['build', '-mod=readonly', '-o', partial, `./${name}`], {
        cwd: MODULE_DIR,
        encoding: 'utf8',
        // Module mode with the versions of test/go.sum (downloaded through the Go module proxy on first use);
        // no cgo, so no C compiler is needed.
        env: { ...process.env, GO111MODULE: 'on', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        maxBuffer: 16 * 1024 * 1024,
      });
      if (result.error || result.status !== 0) {
        throw new Error(
          `building test/${name} failed (the modules of test/go.mod come from the Go module proxy; "cd test && go mod download" fetches them):\n` +
            `${result.error?.message ?? ''}${result.stderr ?? ''}`,
        );
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
