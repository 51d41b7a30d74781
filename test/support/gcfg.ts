// Reads a cloud-config with gopkg.in/gcfg.v1 (the parser of the vSphere cloud provider and CSI driver)
// through the small Go program in test/gcfg/, built once per source version from the Go module in test/
// (gopkg.in/gcfg.v1 pinned in test/go.mod) into node_modules/.cache/cdktf-kkp-vsphere/gcfg/.
import { spawnSync } from 'child_process';
import { buildGoProgram } from './go-program';

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

function build(): string {
  return buildGoProgram('gcfg');
}

/** What the Go program read from a `csi-vsphere.conf` (the upstream vSphere CSI driver's dialect). */
export interface GcfgCsiConfig {
  global: { clusterId: string; clusterDistribution: string; caFile: string; thumbprint: string };
  virtualCenter: Record<string, { user: string; password: string; port: string; insecureFlag: boolean; datacenters: string }> | null;
}

/** Parses a `csi-vsphere.conf` with gcfg into the driver's fields; unknown keys are refused. */
export function parseCsiWithGcfg(ini: string): GcfgCsiConfig {
  return run(ini, ['csi']) as GcfgCsiConfig;
}

/** Parses `ini` with gcfg; throws {@link GcfgParseError} with gcfg's message when it refuses the file. */
export function parseWithGcfg(ini: string): GcfgCloudConfig {
  return run(ini, []) as GcfgCloudConfig;
}

function run(ini: string, args: string[]): unknown {
  const result = spawnSync(build(), args, { input: ini, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 1) throw new GcfgParseError(result.stderr.trim());
  if (result.status !== 0) throw new Error(`test/gcfg failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}
