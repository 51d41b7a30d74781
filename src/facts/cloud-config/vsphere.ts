// The vSphere cloud-config as KKP writes it (k8c.io/kubermatic/v2/pkg/resources/cloudconfig/vsphere:
// CloudConfig, ForCluster and String): the same sections, keys, key order and quoting. Pure: no cdktf.
import { redactUrl } from '../../base/validation';
import { GcfgQuote, GcfgSection, GcfgValueError, gcfgQuote, renderGcfg } from './gcfg';

/** `[Global]`: KKP writes every key, empty or not; `ip-family` only when set. */
export interface VsphereGlobalOptions {
  readonly user: string;
  readonly password: string;
  /** The vCenter port, a string as KKP writes it (`port = "443"`). */
  readonly port: string;
  readonly insecureFlag: boolean;
  readonly workingDir: string;
  readonly datacenter: string;
  readonly datastore: string;
  /** The vCenter host name, without scheme or port. */
  readonly server: string;
  readonly clusterId: string;
  /**
   * `ipv4,ipv6` for dual-stack clusters.
   * @default - key omitted
   */
  readonly ipFamily?: string;
}

/** `[Disk]`. */
export interface VsphereDiskOptions {
  readonly scsiControllerType: string;
}

/** `[Workspace]`. */
export interface VsphereWorkspaceOptions {
  readonly server: string;
  readonly datacenter: string;
  readonly folder: string;
  readonly defaultDatastore: string;
  readonly resourcePoolPath: string;
}

/** One `[VirtualCenter "<host>"]` section. */
export interface VsphereVirtualCenterOptions {
  readonly user: string;
  readonly password: string;
  readonly port: string;
  readonly datacenters: string;
  /**
   * `ipv4,ipv6` for dual-stack clusters.
   * @default - key omitted
   */
  readonly ipFamily?: string;
}

/** The whole file, field for field KKP's `CloudConfig`. */
export interface VsphereCloudConfig {
  readonly global: VsphereGlobalOptions;
  readonly disk: VsphereDiskOptions;
  readonly workspace: VsphereWorkspaceOptions;
  /** Keyed by vCenter host; rendered sorted by host like KKP does. */
  readonly virtualCenters: Readonly<Record<string, VsphereVirtualCenterOptions>>;
}

/** The inputs KKP derives the cloud-config from (datacenter spec, cluster spec, credentials). */
export interface VsphereCloudConfigInput {
  /**
   * vCenter host name or IP (KKP: the host of the datacenter's `endpoint`). `host:port` and `[ipv6]:port` are split:
   * the host goes into the file, the port into `port`.
   */
  readonly server: string;
  /**
   * vCenter port: an integer from 1 to 65535 (or its decimal string).
   * @default - the port in `server`, else 443
   */
  readonly port?: number | string;
  /**
   * Skip TLS verification of vCenter (KKP: datacenter `allowInsecure`).
   * @default false
   */
  readonly insecure?: boolean;
  /** User of the vSphere cloud provider and CSI driver. */
  readonly user: string;
  /** That user's password. */
  readonly password: string;
  /** Datacenter name (KKP: datacenter `datacenter`). */
  readonly datacenter: string;
  /** Default datastore or datastore cluster for volumes (KKP: cluster `datastore`, else datacenter `datastore`). */
  readonly datastore: string;
  /**
   * VM folder of the user cluster (KKP: cluster `spec.cloud.vsphere.folder`).
   * @default ''
   */
  readonly folder?: string;
  /**
   * Resource pool path (`[Workspace] resourcepool-path`). KKP itself always writes it empty.
   * @default ''
   */
  readonly resourcePoolPath?: string;
  /** `cluster-id`: the user cluster's name (KKP's default for new clusters), or the vSphere compute cluster name for old ones. */
  readonly clusterId: string;
  /**
   * `working-dir` (KKP: the user cluster's name).
   * @default - the clusterId
   */
  readonly workingDir?: string;
  /**
   * `ip-family`, e.g. `ipv4,ipv6` for dual-stack clusters with the external cloud provider.
   * @default - key omitted
   */
  readonly ipFamily?: string;
}

/** KKP's fixed SCSI controller type. */
export const VSPHERE_SCSI_CONTROLLER_TYPE = 'pvscsi';

// A Terraform expression (a cdktf token is one): known only at apply time, so the caller quotes and checks it there.
const isDeferred = (value: string) => value.includes('${');

/**
 * The port as KKP writes it: a decimal string from 1 to 65535. A Terraform expression (a cdktf token) passes through
 * for the caller to quote.
 */
export function vspherePort(port: number | string | undefined): string {
  if (port === undefined) return '443';
  if (typeof port === 'string' && isDeferred(port)) return port;
  const text = typeof port === 'number' ? String(port) : port;
  const value = typeof port === 'number' ? port : /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new GcfgValueError(
      `port ${typeof port === 'string' ? JSON.stringify(text) : text} is not a TCP port; use an integer from 1 to 65535 (vCenter listens on 443).`,
    );
  }
  return String(value);
}

/**
 * The vCenter host and port for the cloud-config from `server` (a host name, an IP address, `host:port` or
 * `[ipv6]:port`) and `port`. KKP writes the host alone (`server`, `[VirtualCenter "<host>"]`) and the port apart, so a
 * port inside `server` moves to `port`; two different ports are an error. A Terraform expression passes unparsed.
 */
export function vsphereServer(server: string, port?: number | string): { host: string; port: string } {
  const example = 'e.g. "vcenter.example.com" (and the port in port)';
  if (typeof server !== 'string' || server.trim() === '') {
    throw new GcfgValueError(`server: must be the vCenter host name, got ${JSON.stringify(server)}; give it, ${example}.`);
  }
  if (isDeferred(server)) return { host: server, port: vspherePort(port) };
  if (server.includes('@')) {
    // Never echo it: what stands before "@" is a user and maybe a password.
    throw new GcfgValueError(`server: the value holds a user or password before "@"; give the vCenter host name only, ${example}, and the credentials as user and password.`);
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(server) || /[/\s?#\\"]/.test(server)) {
    throw new GcfgValueError(`server: "${redactUrl(server)}" is not a host name (no scheme, path, query, quotes or spaces); give the host only, ${example}.`);
  }
  let host = server;
  let serverPort: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(server);
  if (bracketed) {
    host = bracketed[1];
    serverPort = bracketed[2];
  } else if ((server.match(/:/g) ?? []).length === 1) {
    [host, serverPort] = server.split(':');
  }
  if (host === '') throw new GcfgValueError(`server: "${server}" has no host name; give one, ${example}.`);
  if (serverPort === undefined) return { host, port: vspherePort(port) };
  const fromServer = vspherePort(serverPort);
  if (port !== undefined && !(typeof port === 'string' && isDeferred(port)) && vspherePort(port) !== fromServer) {
    throw new GcfgValueError(
      `server "${server}" names port ${fromServer} but port is ${vspherePort(port)}; give the port once: server "${host}" and port ${fromServer}.`,
    );
  }
  return { host, port: fromServer };
}

/** Fills the cloud-config from flat inputs the way KKP's `ForCluster` does. */
export function vsphereCloudConfig(input: VsphereCloudConfigInput): VsphereCloudConfig {
  const { host: server, port } = vsphereServer(input.server, input.port);
  const ipFamily = input.ipFamily === undefined ? {} : { ipFamily: input.ipFamily };
  return {
    global: {
      user: input.user,
      password: input.password,
      port,
      insecureFlag: input.insecure ?? false,
      workingDir: input.workingDir ?? input.clusterId,
      datacenter: input.datacenter,
      datastore: input.datastore,
      server,
      clusterId: input.clusterId,
      ...ipFamily,
    },
    disk: { scsiControllerType: VSPHERE_SCSI_CONTROLLER_TYPE },
    workspace: {
      server,
      datacenter: input.datacenter,
      folder: input.folder ?? '',
      defaultDatastore: input.datastore,
      resourcePoolPath: input.resourcePoolPath ?? '',
    },
    virtualCenters: {
      [server]: {
        user: input.user,
        password: input.password,
        port,
        datacenters: input.datacenter,
        ...ipFamily,
      },
    },
  };
}

/** The cloud-config as gcfg sections, in KKP's section and key order. */
export function vsphereCloudConfigSections(config: VsphereCloudConfig): GcfgSection[] {
  const g = config.global;
  const w = config.workspace;
  return [
    {
      name: 'Global',
      entries: [
        { key: 'user', value: g.user },
        { key: 'password', value: g.password },
        { key: 'port', value: g.port },
        { key: 'insecure-flag', bool: g.insecureFlag },
        { key: 'working-dir', value: g.workingDir },
        { key: 'datacenter', value: g.datacenter },
        { key: 'datastore', value: g.datastore },
        { key: 'server', value: g.server },
        { key: 'cluster-id', value: g.clusterId },
        ...(g.ipFamily ? [{ key: 'ip-family', value: g.ipFamily }] : []),
      ],
    },
    { name: 'Disk', entries: [{ key: 'scsicontrollertype', value: config.disk.scsiControllerType }] },
    {
      name: 'Workspace',
      entries: [
        { key: 'server', value: w.server },
        { key: 'datacenter', value: w.datacenter },
        { key: 'folder', value: w.folder },
        { key: 'default-datastore', value: w.defaultDatastore },
        { key: 'resourcepool-path', value: w.resourcePoolPath },
      ],
    },
    ...Object.keys(config.virtualCenters).sort(compareUtf8).map((host) => {
      const vc = config.virtualCenters[host];
      return {
        name: 'VirtualCenter',
        subsection: host,
        entries: [
          { key: 'user', value: vc.user },
          { key: 'password', value: vc.password },
          { key: 'port', value: vc.port },
          { key: 'datacenters', value: vc.datacenters },
          ...(vc.ipFamily ? [{ key: 'ip-family', value: vc.ipFamily }] : []),
        ],
      };
    }),
  ];
}

/**
 * Renders the cloud-config INI exactly as KKP writes it. Every string value goes through `quote`:
 * the default quotes literals and rejects what gcfg cannot carry.
 */
export function renderVsphereCloudConfig(config: VsphereCloudConfig, quote: GcfgQuote = gcfgQuote): string {
  return renderGcfg(vsphereCloudConfigSections(config), quote);
}

// Go sorts map keys by bytes; comparing code points gives the same order as comparing UTF-8 bytes.
function compareUtf8(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}
