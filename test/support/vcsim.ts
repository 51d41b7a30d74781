// A real vSphere API for tests: the govmomi vCenter simulator, built from test/vcsim/main.go against Debian's
// govmomi source and started fresh for each test file.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'test', 'vcsim', 'main.go');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'vcsim');
const GOPATH = '/usr/share/gocode';
const GOVMOMI_SIMULATOR = path.join(GOPATH, 'src', 'github.com', 'vmware', 'govmomi', 'simulator');
const DEBIAN_PACKAGES = 'golang-go golang-github-vmware-govmomi-dev';
const MISSING_TOOLS =
  `The vCenter simulator tests need Go and the govmomi source: install the Debian packages ${DEBIAN_PACKAGES} ` +
  `(apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES}; .ci/run installs them).`;

/** A running simulator. */
export interface Vcsim {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the SOAP endpoint is `<url>/sdk`). */
  readonly url: string;
  /** The user the simulator accepts. */
  readonly user: string;
  /** The only password the simulator accepts; it holds XML metacharacters on purpose. */
  readonly password: string;
  /** Stops the simulator and waits for it to exit. */
  stop(): Promise<void>;
}

/** How to start a simulator. */
export interface VcsimOptions {
  /**
   * Serve HTTPS with the simulator's self-signed certificate.
   * @default false
   */
  readonly tls?: boolean;
}

/** Builds the simulator if needed and starts a fresh one; call `stop()` in afterAll. */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const binary = await buildVcsim();
  const user = 'kkp-test@vsphere.local';
  // Random, and with every XML metacharacter, so that a client that does not escape cannot log in.
  const password = `${randomBytes(9).toString('base64url')}&<>"'`;
  const child = spawn(binary, [], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, VCSIM_USER: user, VCSIM_PASSWORD: password, VCSIM_TLS: options.tls ? '1' : '' },
  });
  const url = await firstLine(child, 30_000);
  return {
    url,
    user,
    password,
    stop: () => stopChild(child),
  };
}

/** Path of the simulator binary for the current source, built once even when jest workers race. */
export async function buildVcsim(): Promise<string> {
  const source = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const binary = path.join(CACHE_DIR, `vcsim-${hash}`);
  if (fs.existsSync(binary)) {
    return binary;
  }
  await checkTools();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const lock = `${binary}.lock`;
  for (;;) {
    if (fs.existsSync(binary)) {
      return binary;
    }
    if (tryLock(lock)) {
      break;
    }
    await sleep(500);
  }
  try {
    if (!fs.existsSync(binary)) {
      const tmp = `${binary}.tmp-${process.pid}`;
      await goBuild(tmp);
      fs.renameSync(tmp, binary); // atomic: another worker sees no binary or a whole one
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  return binary;
}

async function checkTools(): Promise<void> {
  try {
    await execFileAsync('go', ['version']);
  } catch (err) {
    throw new Error(`${MISSING_TOOLS} Running "go version" failed: ${(err as Error).message}`);
  }
  if (!fs.existsSync(GOVMOMI_SIMULATOR)) {
    throw new Error(`${MISSING_TOOLS} ${GOVMOMI_SIMULATOR} does not exist.`);
  }
}

async function goBuild(output: string): Promise<void> {
  try {
    await execFileAsync('go', ['build', '-o', output, SOURCE], {
      cwd: ROOT,
      // GOPATH mode against Debian's source tree; no cgo so that no C compiler is needed.
      env: { ...process.env, GO111MODULE: 'off', GOPATH, CGO_ENABLED: '0', GOFLAGS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`Building the vCenter simulator from ${SOURCE} failed (${MISSING_TOOLS}):\n${e.stderr ?? e.message}`);
  }
}

// mkdir is atomic; the owner's pid inside lets a waiter break the lock of a worker that died mid-build.
function tryLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  let owner = NaN;
  try {
    owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // the owner is between mkdir and writing its pid
  }
  if (Number.isInteger(owner) && !isAlive(owner)) {
    fs.rmSync(lock, { recursive: true, force: true });
  }
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

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (why: string): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The vCenter simulator did not start: ${why}${stderr ? `\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no URL within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0 && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(stdout.slice(0, newline).trim());
      }
    });
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end(); // the simulator exits when its stdin closes
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
