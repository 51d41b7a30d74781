// A real vSphere API for tests: the govmomi vCenter simulator (module version in test/go.mod), with vCenter's own
// permission semantics (test/vcsim/authorization.go), built from test/vcsim and started fresh for each test file, with
// the default inventory or the one of examples/kkp-seed (test/vcsim/inventory.go).
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildGoProgram } from './go-program';

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
  /**
   * The inventory: the simulator's default (datacenter `DC0`, cluster `DC0_C0`, datastore `LocalDS_0`, ...), or
   * `kkp-example`, the names examples/kkp-seed uses (datacenter `dc-1`, cluster `cluster-1` with hosts
   * `esxi-01.dc-1.example.com` and `esxi-02.dc-1.example.com`, datastores `ds-ssd-1` and `ds-ssd-2`, port groups
   * `kkp-workers` and `kkp-storage` on switch `dvs-1`; test/vcsim/inventory.go).
   * @default 'default'
   */
  readonly inventory?: 'default' | 'kkp-example';
}

/** Builds the simulator if needed and starts a fresh one; call `stop()` in afterAll. */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const binary = await buildVcsim();
  const user = 'kkp-test@vsphere.local';
  // Random, and with every XML metacharacter, so that a client that does not escape cannot log in.
  const password = `${randomBytes(9).toString('base64url')}&<>"'`;
  const child = spawn(binary, [], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      VCSIM_USER: user,
      VCSIM_PASSWORD: password,
      VCSIM_TLS: options.tls ? '1' : '',
      VCSIM_INVENTORY: options.inventory === 'kkp-example' ? 'kkp-example' : '',
    },
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
  return buildGoProgram('vcsim');
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

