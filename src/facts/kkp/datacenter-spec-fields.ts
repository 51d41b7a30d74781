// KKP's vSphere datacenter spec (Seed `spec.datacenters.<name>`) and a user cluster's `spec.cloud.vsphere`, as YAML,
// as one KKP release reads them. Field names and order follow that release's DatacenterSpecVSphere and
// VSphereCloudSpec (see ./releases.ts for where they are): snake_case Seed fields up to 2.18, camelCase from 2.19;
// `vmNetName` before 2.24, `networks` and `basePath` from 2.24. The legacy `datacenters.yaml` (read up to KKP 2.13,
// api/cmd/*/options.go) is snake_case with a `seed` per datacenter. Pure: no cdktf.
import {
  KkpRelease,
  NEWEST_KKP_RELEASE,
  assertKkpRelease,
  isKkpTemplateKey,
  kkpReleaseAtLeast,
  kkpReleaseFacts,
} from './releases';
import { checkAbsoluteInventoryPath, checkInventoryName, quoteForMessage, redactUrl } from '../../base/validation';

/** Anything that names a template VM for one operating system (a `VmTemplate` does). */
export interface IKkpTemplate {
  /** The operating-system key, e.g. `ubuntu`. */
  readonly osKey: string;
  /** The template VM's name, which machine-controller looks up among the inventory VMs. */
  readonly templateName: string;
}

/** Templates per operating system: a plain map `{ ubuntu: 'ubuntu-22.04' }`, or a list of template objects. */
export type KkpTemplates = Readonly<Record<string, string>> | readonly IKkpTemplate[];

/** Which YAML dialect to write: a Seed resource's `spec`, or the `datacenters.yaml` KKP read up to 2.13. */
export type KkpSpecFormat = 'seed' | 'legacy';

/** Which KKP release, and which of its dialects, a spec is rendered for. */
export interface KkpSpecOptions {
  /** @default - the newest release the library knows */
  readonly kkpRelease?: KkpRelease;
  /** @default 'seed' */
  readonly format?: KkpSpecFormat;
}

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
  /** Networks the worker VMs attach to: `networks` from KKP 2.24, `vmNetName` (one network) before. @default - omitted */
  readonly networks?: readonly string[];
  /**
   * `basePath` (KKP 2.24+): the folder KKP creates the cluster's folder in, relative to the datacenter's rootPath or
   * absolute. KKP's own folder is then `<rootPath>/<basePath>/<cluster>`. @default - omitted
   */
  readonly basePath?: string;
  /** `credentialsReference`: the Secret on the seed that holds the cluster's vSphere credentials. @default - omitted */
  readonly credentialsReference?: KkpCredentialsReference;
  /** Resource pool path. @default - omitted */
  readonly resourcePool?: string;
  /** Storage policy. @default - omitted: the datacenter's */
  readonly storagePolicy?: string;
}

/**
 * A cluster's `spec.cloud.vsphere.credentialsReference`: machine-controller's GlobalSecretKeySelector (an inline
 * ObjectReference plus `key`). KKP writes name and namespace only and reads each credential by its own key.
 */
export interface KkpCredentialsReference {
  readonly name: string;
  readonly namespace: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Normalizes `templates` to a map sorted by OS key; throws on unknown keys, duplicates and empty names. */
export function kkpTemplateMap(templates: KkpTemplates, input = 'templates', release: KkpRelease = NEWEST_KKP_RELEASE): Record<string, string> {
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
    if (!isKkpTemplateKey(os, release)) {
      const facts = kkpReleaseFacts(release);
      const elsewhere = isKkpTemplateKey(os) ? ` ("${os}" is a key of other KKP releases: check kkpRelease)` : '';
      throw new Error(
        `${input}: operating system "${os}" is not a template key of KKP ${release} on vSphere${elsewhere}; its keys are ` +
          `${facts.operatingSystems.join(', ')} (machine-controller ${facts.machineController}).`,
      );
    }
    if (os in map) {
      throw new Error(`${input}: two templates for "${os}" ("${map[os]}" and "${name}"); KKP takes one per operating system.`);
    }
    // machine-controller finds the template VM by this name: the vSphere name rule applies.
    map[os] = checkInventoryName(name, `${input}.${os}`);
  }
  return Object.fromEntries(Object.keys(map).sort().map((os) => [os, map[os]]));
}

/** Parses and checks a vCenter endpoint URL; returns its host and port for the cloud-config. */
export function parseVsphereEndpoint(endpoint: string, input = 'endpoint'): { url: string; host: string; port: number } {
  const example = 'e.g. "https://vcenter.example.com"';
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    throw new Error(`${input}: must be the vCenter URL, got ${typeof endpoint === 'string' ? '""' : String(endpoint)}; give it, ${example}.`);
  }
  // Every message shows the value with its user info and query redacted: they can hold a password or a token.
  const shown = quoteForMessage(redactUrl(endpoint), 80);
  const authority = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/?#]*)/.exec(endpoint)![1];
  if (authority.includes('@')) {
    throw new Error(
      `${input}: ${shown} holds a user or password before "@"; credentials never go into the datacenter spec (KKP takes them ` +
        `from presets or the cluster's credentialsReference). Give the URL without them, ${example}.`,
    );
  }
  // The scheme is case-insensitive (RFC 3986): HTTPS:// is https://.
  if (!/^https?:\/\//i.test(endpoint)) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(endpoint)?.[1];
    throw new Error(
      `${input}: ${shown} ${scheme ? `has scheme "${scheme}"; vCenter is reached over https` : 'has no scheme'}; give the vCenter URL, ${example}.`,
    );
  }
  const port = /:(\d*)$/.exec(authority.replace(/^\[[^\]]*\]/, ''))?.[1];
  if (port !== undefined && (port === '' || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw new Error(`${input}: ${shown} has port "${port}", which is not a TCP port; give 1 to 65535, or leave the port out for the scheme's default (443 for https).`);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`${input}: ${shown} is not a valid URL; give the vCenter URL, ${example}.`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /[?#]/.test(endpoint)) {
    throw new Error(`${input}: ${shown} has a path, query or fragment; KKP appends /sdk itself, give ${example}.`);
  }
  const portNumber = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // KKP joins `<endpoint>/sdk`: a trailing slash would give `//sdk`. The URL API writes the scheme in lower case.
  return { url: `${url.protocol}//${url.host}`, host: url.hostname.replace(/^\[|\]$/g, ''), port: portNumber };
}

/** The datacenter entry as a plain object, as `options.kkpRelease` reads it: `{ datacenters: { <name>: {...} } }`. */
export function kkpDatacenterObject(input: KkpVsphereDatacenterInput, options: KkpSpecOptions = {}): Record<string, unknown> {
  const { release, format } = specOptions(options);
  const facts = kkpReleaseFacts(release);
  const legacy = format === 'legacy';
  if (legacy && kkpReleaseAtLeast(release, '2.14')) {
    throw new Error(
      `format: KKP ${release} reads datacenters from Seed resources only; the datacenters.yaml ("legacy") was read up to KKP 2.13. Use format "seed".`,
    );
  }
  const snake = facts.seedFieldCase === 'snake_case';
  const name = checkText(input.name, 'name');
  const datacenter = checkInventoryName(input.datacenter, 'datacenter');
  const endpoint = parseVsphereEndpoint(input.endpoint).url;
  const rootPath = input.rootPath === undefined ? undefined : checkRootPath(input.rootPath, datacenter);
  if (input.country !== undefined && !/^[A-Z]{2}$/.test(input.country)) {
    throw new Error(`country: "${input.country}" is not an ISO 3166 two-letter code in capitals, e.g. "DE".`);
  }
  const since: [keyof KkpVsphereDatacenterInput, boolean, string][] = [
    ['storagePolicy', facts.datacenterStoragePolicy, '2.18'],
    ['ipv6Enabled', facts.ipv6Enabled, '2.21'],
    ['defaultTagCategoryID', facts.defaultTagCategoryID, '2.22'],
  ];
  for (const [key, known, first] of since) {
    if (input[key] !== undefined && (!known || legacy)) {
      throw new Error(
        `${key}: KKP ${release}'s ${legacy ? 'datacenters.yaml' : 'DatacenterSpecVSphere'} has no such field (it came with ${first} in the Seed); ` +
          `leave ${key} out or use a newer kkpRelease.`,
      );
    }
  }
  if (!legacy && input.seed !== undefined) {
    throw new Error('seed: only the legacy datacenters.yaml names the seed per datacenter; in a Seed resource the datacenter sits inside its seed. Leave seed out or use format "legacy".');
  }
  if (legacy && input.seed === undefined) {
    throw new Error('seed: the datacenters.yaml of KKP 2.12 and 2.13 requires the seed of every node datacenter; give seed (the seed datacenter\'s key).');
  }
  const field = (camel: string, snakeName: string) => (snake ? snakeName : camel);
  const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
  const vsphere = {
    endpoint,
    // snake_case `allow_insecure` has no omitempty: written always; camelCase only when set.
    ...(snake ? { allow_insecure: input.allowInsecure ?? false } : input.allowInsecure ? { allowInsecure: true } : {}),
    datastore: checkInventoryName(input.datastore, 'datastore'),
    datacenter,
    cluster: checkInventoryName(input.cluster, 'cluster'),
    ...optional(field('storagePolicy', 'storage_policy'), input.storagePolicy === undefined ? undefined : checkText(input.storagePolicy, 'storagePolicy')),
    ...optional(field('rootPath', 'root_path'), rootPath),
    templates: kkpTemplateMap(input.templates, 'templates', release),
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
 * The datacenter as YAML: `datacenters:` with one entry, as `options.kkpRelease` reads it. Format `seed` is the content
 * of a Seed resource's `spec`; `legacy` is the `datacenters.yaml` of KKP 2.12 and 2.13. Deterministic: templates sorted
 * by OS key.
 */
export function renderKkpDatacenterSpec(input: KkpVsphereDatacenterInput, options: KkpSpecOptions = {}): string {
  return toYaml(kkpDatacenterObject(input, options));
}

/** A user cluster's `spec.cloud.vsphere` block as a plain object, as `kkpRelease` reads it: `{ vsphere: {...} }`. */
export function kkpClusterCloudObject(input: KkpVsphereClusterCloudInput, kkpRelease: KkpRelease = NEWEST_KKP_RELEASE): Record<string, unknown> {
  assertKkpRelease(kkpRelease);
  const facts = kkpReleaseFacts(kkpRelease);
  const folder = checkAbsoluteInventoryPath(input.folder, 'folder');
  if (input.datastore !== undefined && input.datastoreCluster !== undefined) {
    throw new Error('datastore and datastoreCluster are both set; KKP takes one of them, remove the other.');
  }
  const unknownBefore = (key: keyof KkpVsphereClusterCloudInput, known: boolean, first: string) => {
    if (input[key] !== undefined && !known) {
      throw new Error(`${key}: KKP ${kkpRelease}'s VSphereCloudSpec has no ${key} (it came with ${first}); leave it out or use a newer kkpRelease.`);
    }
  };
  unknownBefore('datastore', facts.clusterDatastore, '2.15');
  unknownBefore('datastoreCluster', facts.clusterDatastore, '2.15');
  unknownBefore('storagePolicy', facts.clusterStoragePolicyAndResourcePool, '2.18');
  unknownBefore('resourcePool', facts.clusterStoragePolicyAndResourcePool, '2.18');
  unknownBefore('basePath', facts.clusterNetworkField === 'networks', '2.24');
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: checkText(value, key) });
  // Datastore, datastore cluster and network names are looked up in vSphere by name: the vSphere name rule applies.
  const named = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: checkInventoryName(value, key) });
  const networks = input.networks?.map((n, i) => checkInventoryName(n, `networks[${i}]`)) ?? [];
  if (facts.clusterNetworkField === 'vmNetName' && networks.length > 1) {
    throw new Error(
      `networks: KKP ${kkpRelease} takes one network per cluster (vmNetName; a list of networks came with 2.24), got ${networks.length}.`,
    );
  }
  const reference = input.credentialsReference;
  if (reference !== undefined) {
    checkText(reference.name, 'credentialsReference.name');
    checkText(reference.namespace, 'credentialsReference.namespace');
  }
  return {
    vsphere: {
      ...(reference ? { credentialsReference: { name: reference.name, namespace: reference.namespace } } : {}),
      ...(networks.length ? (facts.clusterNetworkField === 'networks' ? { networks } : { vmNetName: networks[0] }) : {}),
      folder,
      ...optional('basePath', input.basePath),
      ...named('datastore', input.datastore),
      ...named('datastoreCluster', input.datastoreCluster),
      ...optional('storagePolicy', input.storagePolicy),
      ...optional('resourcePool', input.resourcePool),
    },
  };
}

/** A user cluster's `spec.cloud.vsphere` as YAML (`vsphere:` with its fields), to paste under `spec.cloud`. */
export function renderKkpClusterCloudSpec(input: KkpVsphereClusterCloudInput, kkpRelease: KkpRelease = NEWEST_KKP_RELEASE): string {
  return toYaml(kkpClusterCloudObject(input, kkpRelease));
}

function specOptions(options: KkpSpecOptions): { release: KkpRelease; format: KkpSpecFormat } {
  const release = options.kkpRelease ?? NEWEST_KKP_RELEASE;
  assertKkpRelease(release);
  const format = options.format ?? 'seed';
  if (format !== 'seed' && format !== 'legacy') {
    throw new Error(`format: "${format}" is neither "seed" (a Seed resource's spec) nor "legacy" (the datacenters.yaml of KKP 2.12 and 2.13).`);
  }
  return { release, format };
}

/**
 * The value as YAML, exactly as the `yaml` package writes it with `{ lineWidth: 0, indent: 2 }`: long names stay on
 * one line, and plain scalars are used only where YAML reads them back as the same string. Specs of names and paths
 * (everything but unusual text) are written here directly: loading `yaml` would cost every synth ~15 ms
 * (bench/RESULTS.md); anything else goes through `yaml`, loaded then.
 */
function toYaml(value: Record<string, unknown>): string {
  const lines: string[] = [];
  if (writePlain(value, '', lines)) return lines.join('');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stringify } = require('yaml') as typeof import('yaml');
  return stringify(value, { lineWidth: 0, indent: 2 });
}

// A string YAML 1.2 (core schema) reads back as that string when written plain: it starts with a letter, `_` or `/`
// (never a number, `-`, `.`, a quote or an indicator), holds no white space, `#` or flow characters, and no `:`
// at its end; `true`, `null` and their spellings are the only words of another type.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./:@-]*$/;
const OTHER_TYPES = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL)$/;

function plain(text: string): boolean {
  return PLAIN.test(text) && !text.endsWith(':') && !OTHER_TYPES.test(text);
}

/** Appends the block mapping `map` at `indent`; false when some key or value needs `yaml`'s quoting rules. */
function writePlain(map: Record<string, unknown>, indent: string, lines: string[]): boolean {
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    if (!plain(key)) return false;
    if (typeof value === 'boolean') {
      lines.push(`${indent}${key}: ${value}\n`);
    } else if (typeof value === 'string') {
      if (!plain(value)) return false;
      lines.push(`${indent}${key}: ${value}\n`);
    } else if (Array.isArray(value)) {
      if (value.length === 0 || !value.every((item) => typeof item === 'string' && plain(item))) return false;
      lines.push(`${indent}${key}:\n`, ...value.map((item) => `${indent}  - ${item}\n`));
    } else if (value !== null && typeof value === 'object' && Object.values(value).some((v) => v !== undefined)) {
      lines.push(`${indent}${key}:\n`);
      if (!writePlain(value as Record<string, unknown>, `${indent}  `, lines)) return false;
    } else {
      return false;
    }
  }
  return true;
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
  // One rule for inventory paths: no ".", ".." or empty segments (govmomi cleans them, so "/dc-1/vm/kkp/../../host"
  // is /dc-1/host), every segment a vSphere name.
  const path = checkAbsoluteInventoryPath(checkText(rootPath, 'rootPath'), 'rootPath');
  if (path !== vmFolder && !path.startsWith(`${vmFolder}/`)) {
    throw new Error(
      `rootPath: "${rootPath}" is not below the datacenter's VM folder "${vmFolder}"; give an absolute path such as "${vmFolder}/kkp".`,
    );
  }
  return path;
}
