// Reads a cloud-config with gopkg.in/gcfg.v1 (the parser of the vSphere cloud provider and CSI driver)
// through the small Go program in test/gcfg/, built once per source version from Debian's
// golang-go and golang-gopkg-gcfg.v1-dev (GO111MODULE=off, GOPATH=/usr/share/gocode) into
// node_modules/.cache/cdktf-kkp-vsphere/gcfg/, named by a hash of the source.
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'fs';
import { join } from 'path';
import { spawnSync } from 'child_process';

const SOURCE_DIR = join(__dirname, '..', 'gcfg');
const CACHE_DIR = join(__dirname, '..', '..', 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'gcfg');
const GOPATH = '/usr/share/gocode';

/** What the Go program read, with its JSON field names. */
export interface GcfgCloudConfig {
  global: {
    user: string; password: string; port: string; insecureFlag: boolean; workingDir: string;
    datacenter: string; datastore: string; server: string; clusterId: string; ipFamily: string;
  };
  disk: { scsiControllerType: string };
  workspace: { server: string; datacenter: string; folder: string; defaultDatastore: string; resourcePoolPath: string };
  virtualCenter: Record<string, { user: string; password: string; port: string; datacenters: string; ipFamily: string }> | null;
}

/** gcfg refused the file: `message` is its error. */
export class GcfgParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GcfgParseError';
  }
}

let binary: string | undefined;

function build(): string {
  if (binary !== undefined) return binary;
  const source = readFileSync(join(SOURCE_DIR, 'main.go'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const out = join(CACHE_DIR, `gcfg-parse-${hash}`);
  if (!existsSync(out)) {
    if (!existsSync(join(GOPATH, 'src', 'gopkg.in', 'gcfg.v1'))) {
      throw new Error(
        `gopkg.in/gcfg.v1 is not in ${GOPATH}: install the Debian packages golang-go and ` +
        'golang-gopkg-gcfg.v1-dev; the cloud-config tests read their output with it.',
      );
    }
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${out}.${process.pid}.tmp`;
    const result = spawnSync('go', ['build', '-o', partial, '.'], {
      cwd: SOURCE_DIR,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '' },
    });
    if (result.error || result.status !== 0) {
      throw new Error(
        'building test/gcfg failed; install the Debian packages golang-go and golang-gopkg-gcfg.v1-dev. ' +
        `${result.error?.message ?? ''}${result.stderr ?? ''}`,
      );
    }
    // Parallel jest workers may build at once: the rename makes the last one win atomically.
    renameSync(partial, out);
  }
  binary = out;
  return out;
}

/** Parses `ini` with gcfg; throws {@link GcfgParseError} with gcfg's message when it refuses the file. */
export function parseWithGcfg(ini: string): GcfgCloudConfig {
  const result = spawnSync(build(), [], { input: ini, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 1) throw new GcfgParseError(result.stderr.trim());
  if (result.status !== 0) throw new Error(`test/gcfg failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as GcfgCloudConfig;
}
