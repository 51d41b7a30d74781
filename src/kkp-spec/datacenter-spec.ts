// KKP's vSphere datacenter spec (Seed `spec.datacenters.<name>`) and a user cluster's `spec.cloud.vsphere`, as YAML.
// Field names and order follow k8c.io/kubermatic/v2/pkg/apis/kubermatic/v1 (DatacenterSpecVSphere, VSphereCloudSpec);
// the legacy `datacenters.yaml` used snake_case. Pure: no cdktf, so a reviewer can test it without a stack.
import { stringify } from 'yaml';

/** Operating systems KKP offers on vSphere: the keys of the datacenter spec's `templates`. */
export const KKP_VSPHERE_OPERATING_SYSTEMS = ['centos', 'flatcar', 'rhel', 'rockylinux', 'ubuntu'] as const;

/** An operating-system key of the datacenter spec's `templates`. */
export type KkpOperatingSystem = (typeof KKP_VSPHERE_OPERATING_SYSTEMS)[number];

/** Whether `value` is one of KKP's operating-system keys on vSphere. */
export function isKkpOperatingSystem(value: unknown): value is KkpOperatingSystem {
  return typeof value === 'string' && (KKP_VSPHERE_OPERATING_SYSTEMS as readonly string[]).includes(value);
}

/** Anything that names a template VM for one operating system (a `VmTemplate` does). */
export interface IKkpTemplate {
  /** The operating-system key, e.g. `ubuntu`. */
  readonly osKey: string;
  /** The template VM's name, which machine-controller looks up among the inventory VMs. */
  readonly templateName: string;
}

/** Templates per operating system: a plain map `{ ubuntu: 'ubuntu-22.04' }`, or a list of template objects. */
export type KkpTemplates = Readonly<Record<string, string>> | readonly IKkpTemplate[];

/** Which YAML dialect to write. */
export type KkpSpecFormat = 'seed' | 'legacy';

/** The inputs of one KKP vSphere datacenter. No credentials: KKP takes those from presets or cluster secrets. */
export interface KkpVsphereDatacenterInput {
  /** The datacenter's key in KKP (`spec.datacenters.<name>`), e.g. `vsphere-hamburg`. */
  readonly name: string;
  /** vCenter URL with scheme and no path, e.g. `https://vcenter.example.com`. */
  readonly endpoint: string;
  /** Skip TLS verification of vCenter. @default false */
  readonly allowInsecure?: boolean;
  /** vSphere datacenter name. */
  readonly datacenter: string;
  /** Default datastore name for volumes and VMs. */
  readonly datastore: string;
  /** vSphere compute cluster name (used by the CSI driver). */
  readonly cluster: string;
  /** Absolute path of the folder KKP creates per-cluster folders in. @default - omitted: KKP uses `/<datacenter>/vm` */
  readonly rootPath?: string;
  /** Template VM name per operating system; at least one. */
  readonly templates: KkpTemplates;
  /** Storage policy of the user clusters' default storage class. @default - omitted */
  readonly storagePolicy?: string;
  /** Whether IPv6 is enabled for the datacenter. @default - omitted */
  readonly ipv6Enabled?: boolean;
  /** Default vSphere tag category id for clusters. @default - omitted: KKP creates one per cluster */
  readonly defaultTagCategoryID?: string;
  /** Human-readable location shown in the dashboard, e.g. `Hamburg`. @default - omitted */
  readonly location?: string;
  /** ISO 3166 two-letter country code, e.g. `DE`. @default - omitted */
  readonly country?: string;
  /** The seed this datacenter belongs to: the legacy format's `seed` key. @default - omitted */
  readonly seed?: string;
}

/** What a user cluster puts in `spec.cloud.vsphere`. No credentials: use `credentialsReference` in KKP. */
export interface KkpVsphereClusterCloudInput {
  /** Absolute inventory path of the cluster's VM folder. */
  readonly folder: string;
  /** Datastore name for the cluster's VMs. @default - omitted: the datacenter's datastore */
  readonly datastore?: string;
  /** Datastore cluster name, exclusive with `datastore`. @default - omitted */
  readonly datastoreCluster?: string;
  /** Networks the worker VMs attach to. @default - omitted */
  readonly networks?: readonly string[];
  /** Resource pool path. @default - omitted */
  readonly resourcePool?: string;
  /** Storage policy. @default - omitted: the datacenter's */
  readonly storagePolicy?: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Normalizes `templates` to a map sorted by OS key; throws on unknown keys, duplicates and empty names. */
export function kkpTemplateMap(templates: KkpTemplates, input = 'templates'): Record<string, string> {
  const entries: [string, string][] = Array.isArray(templates)
    ? (templates as readonly IKkpTemplate[]).map((t, i) => {
        if (!t || typeof t.osKey !== 'string' || typeof t.templateName !== 'string') {
          throw new Error(`${input}[${i}]: expected { osKey, templateName } (e.g. a VmTemplate), got ${JSON.stringify(t)}.`);
        }
        return [t.osKey, t.templateName];
      })
    : templates && typeof templates === 'object'
      ? Object.entries(templates as Record<string, string>)
      : [];
  if (entries.length === 0) {
    throw new Error(`${input}: give at least one template VM name, e.g. { ubuntu: 'ubuntu-22.04-kkp' }; KKP requires one.`);
  }
  const map: Record<string, string> = {};
  for (const [os, name] of entries) {
    if (!isKkpOperatingSystem(os)) {
      throw new Error(`${input}: unknown operating system "${os}"; KKP's keys on vSphere are ${KKP_VSPHERE_OPERATING_SYSTEMS.join(', ')}.`);
    }
    if (os in map) {
      throw new Error(`${input}: two templates for "${os}" ("${map[os]}" and "${name}"); KKP takes one per operating system.`);
    }
    map[os] = checkText(name, `${input}.${os}`);
  }
  return Object.fromEntries(Object.keys(map).sort().map((os) => [os, map[os]]));
}

/** Parses and checks a vCenter endpoint URL; returns its host and port for the cloud-config. */
export function parseVsphereEndpoint(endpoint: string, input = 'endpoint'): { url: string; host: string; port: number } {
  const example = 'e.g. "https://vcenter.example.com"';
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) {
    throw new Error(`${input}: "${endpoint}" is not a URL with scheme; give the vCenter URL, ${example}.`);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`${input}: "${endpoint}" is not a valid URL; give the vCenter URL, ${example}.`);
  }
  if (url.username || url.password) {
    // Never echo the value: it holds a credential.
    throw new Error(`${input}: the URL contains a user or password; credentials never go into the datacenter spec, give ${example}.`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`${input}: "${endpoint}" has a path, query or fragment; KKP appends /sdk itself, give ${example}.`);
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // KKP joins `<endpoint>/sdk`: a trailing slash would give `//sdk`.
  return { url: `${url.protocol}//${url.host}`, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The datacenter entry as a plain object in the chosen format: `{ datacenters: { <name>: {...} } }`. */
export function kkpDatacenterObject(input: KkpVsphereDatacenterInput, format: KkpSpecFormat = 'seed'): Record<string, unknown> {
  if (format !== 'seed' && format !== 'legacy') {
    throw new Error(`format: "${format}" is neither "seed" (Seed resource, camelCase) nor "legacy" (datacenters.yaml, snake_case).`);
  }
  const legacy = format === 'legacy';
  const name = checkText(input.name, 'name');
  const datacenter = checkText(input.datacenter, 'datacenter');
  const endpoint = parseVsphereEndpoint(input.endpoint).url;
  const rootPath = input.rootPath === undefined ? undefined : checkRootPath(input.rootPath, datacenter);
  if (input.country !== undefined && !/^[A-Z]{2}$/.test(input.country)) {
    throw new Error(`country: "${input.country}" is not an ISO 3166 two-letter code in capitals, e.g. "DE".`);
  }
  if (legacy) {
    for (const key of ['storagePolicy', 'ipv6Enabled', 'defaultTagCategoryID'] as const) {
      if (input[key] !== undefined) {
        throw new Error(`${key}: the legacy datacenters.yaml has no such field; use format "seed" or leave ${key} out.`);
      }
    }
  } else if (input.seed !== undefined) {
    throw new Error('seed: only the legacy datacenters.yaml names the seed per datacenter; in a Seed resource the datacenter sits inside its seed. Leave seed out or use format "legacy".');
  }
  const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
  const vsphere = {
    endpoint,
    ...(legacy ? { allow_insecure: input.allowInsecure ?? false } : input.allowInsecure ? { allowInsecure: true } : {}),
    datastore: checkText(input.datastore, 'datastore'),
    datacenter,
    cluster: checkText(input.cluster, 'cluster'),
    ...optional('storagePolicy', input.storagePolicy === undefined ? undefined : checkText(input.storagePolicy, 'storagePolicy')),
    ...optional(legacy ? 'root_path' : 'rootPath', rootPath),
    templates: kkpTemplateMap(input.templates),
    ...optional('ipv6Enabled', input.ipv6Enabled),
    ...optional('defaultTagCategoryID', input.defaultTagCategoryID === undefined ? undefined : checkText(input.defaultTagCategoryID, 'defaultTagCategoryID')),
  };
  const entry = {
    ...optional('location', input.location === undefined ? undefined : checkText(input.location, 'location')),
    ...optional('seed', input.seed === undefined ? undefined : checkText(input.seed, 'seed')),
    ...optional('country', input.country),
    spec: { vsphere },
  };
  return { datacenters: { [name]: entry } };
}

/**
 * The datacenter as YAML: `datacenters:` with one entry. Format `seed` is the content of a Seed resource's `spec`
 * (camelCase); `legacy` is the old `datacenters.yaml` (snake_case). Deterministic: templates sorted by OS key.
 */
export function renderKkpDatacenterSpec(input: KkpVsphereDatacenterInput, format: KkpSpecFormat = 'seed'): string {
  return toYaml(kkpDatacenterObject(input, format));
}

/** A user cluster's `spec.cloud.vsphere` block as a plain object: `{ vsphere: {...} }`. */
export function kkpClusterCloudObject(input: KkpVsphereClusterCloudInput): Record<string, unknown> {
  if (typeof input.folder !== 'string' || !input.folder.startsWith('/')) {
    throw new Error(`folder: "${input.folder}" is not an absolute inventory path such as "/dc-1/vm/kkp/clusters/abc".`);
  }
  if (input.datastore !== undefined && input.datastoreCluster !== undefined) {
    throw new Error('datastore and datastoreCluster are both set; KKP takes one of them, remove the other.');
  }
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: checkText(value, key) });
  const networks = input.networks?.map((n, i) => checkText(n, `networks[${i}]`));
  return {
    vsphere: {
      folder: checkText(input.folder, 'folder'),
      ...optional('datastore', input.datastore),
      ...optional('datastoreCluster', input.datastoreCluster),
      ...(networks && networks.length ? { networks } : {}),
      ...optional('resourcePool', input.resourcePool),
      ...optional('storagePolicy', input.storagePolicy),
    },
  };
}

/** A user cluster's `spec.cloud.vsphere` as YAML (`vsphere:` with its fields), to paste under `spec.cloud`. */
export function renderKkpClusterCloudSpec(input: KkpVsphereClusterCloudInput): string {
  return toYaml(kkpClusterCloudObject(input));
}

function toYaml(value: unknown): string {
  // Long names stay on one line; plain scalars are used only where YAML reads them back as the same string.
  return stringify(value, { lineWidth: 0, indent: 2 });
}

function checkText(value: string, input: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${input}: must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  if (value !== value.trim()) {
    throw new Error(`${input}: "${value}" has leading or trailing white space; vSphere and KKP match names exactly.`);
  }
  if (CONTROL.test(value)) {
    throw new Error(`${input}: ${JSON.stringify(value)} contains a control character.`);
  }
  return value;
}

function checkRootPath(rootPath: string, datacenter: string): string {
  const vmFolder = `/${datacenter}/vm`;
  const path = checkText(rootPath, 'rootPath').replace(/\/+$/, '');
  if (path !== vmFolder && !path.startsWith(`${vmFolder}/`)) {
    throw new Error(
      `rootPath: "${rootPath}" is not below the datacenter's VM folder "${vmFolder}"; give an absolute path such as "${vmFolder}/kkp".`,
    );
  }
  if (path.split('/').slice(1).some((s) => s === '')) {
    throw new Error(`rootPath: "${rootPath}" has an empty path segment ("//").`);
  }
  return path;
}
