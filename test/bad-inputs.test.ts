// Bad and hostile inputs, one table across the constructs, the pure renderers and the CLI. Every row must fail with a
// message that names the input (the construct path and prop, or the CLI argument) and says what to do; a row that
// carries a secret must not show it in the message, in anything written to the output directory, or in the report of
// that directory. Each construct row synthesizes with a real App into a copy of an earlier good synth output, which
// must be left byte for byte as it was: a failing app writes nothing.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Lazy, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import {
  CloudConfigSecret,
  KkpDatacenterSpec,
  KkpRoles,
  KkpUserCluster,
  KkpVspherePreset,
  UserClusterFolder,
  VsphereRole,
  Principal,
  SeedPermissions,
  UserClusterPermissions,
  VmFolder,
  VmTemplate,
  VmTemplateSource,
  VsphereInventory,
  VspherePermissions,
  KkpValidationError,
} from '../src';
import { checkPrivileges, parseVsphereEndpoint, vsphereCloudConfig } from '../src/facts';
import { readSynthOutput, renderReportMarkdown } from '../src/tools/report';
import { runCli } from './report/support';

const SECRET = 'Sup3r-S3cret-77';

/** The world of a row: the stack `kkp-seed` (provider, inventory of dc-1, KKP roles, root folder) in a fresh App. */
interface World {
  readonly app: App;
  readonly stack: TerraformStack;
  readonly inventory: VsphereInventory;
  readonly roles: KkpRoles;
  readonly root: VmFolder;
  /** Another stack of the same app, `kkp-user`, created on first use (after kkp-seed, so synthesized second). */
  other(password?: string): { stack: TerraformStack; inventory: VsphereInventory; roles: KkpRoles };
}

function seedStack(app: App, id: string, password?: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  const variable = new TerraformVariable(stack, 'vsphere_password', { type: 'string', sensitive: true });
  new VsphereProvider(stack, 'vsphere', { user: 'terraform@vsphere.local', password: password ?? variable.stringValue });
  return stack;
}

function world(app: App, password?: string): World {
  const stack = seedStack(app, 'kkp-seed', password);
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const roles = new KkpRoles(stack, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0' });
  const root = new VmFolder(stack, 'Root', { inventory, path: 'kkp' });
  let other: ReturnType<World['other']> | undefined;
  return {
    app, stack, inventory, roles, root,
    other: (pw) => {
      if (!other) {
        const s = seedStack(app, 'kkp-user', pw);
        other = { stack: s, inventory: new VsphereInventory(s, 'Inventory', { datacenter: 'dc-1' }), roles: new KkpRoles(s, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0' }) };
      }
      return other;
    },
  };
}

interface Row {
  /** Builds the bad input into the world; the error comes from construction or from app.synth(). */
  readonly build: (w: World) => unknown;
  /** The input as the message must name it. */
  readonly input: string;
  /** What to do, as the message must say it. */
  readonly fix: RegExp;
  /** A credential that must appear nowhere. @default SECRET is checked for every row anyway */
  readonly secret?: string;
  /** Build into a world whose VsphereProvider gets this password. */
  readonly providerPassword?: (stack: TerraformStack) => string;
}

const long = (n: number) => 'x'.repeat(n);
const sensitiveVar = (s: TerraformStack, name: string) => new TerraformVariable(s, name, { type: 'string', sensitive: true }).stringValue;

// Every vSphere inventory name passes one rule; these are the ways to break it.
const BAD_NAMES: [string, string, RegExp][] = [
  ['empty', '', /must be a non-empty name, got ""; give the object's name as the vSphere client shows it/],
  ['white space around it', ' dc-1', /has leading or trailing white space; vSphere matches names exactly, remove it/],
  ['a slash', 'dc/1', /contains "\/"; give the object's own name, not a path/],
  ['81 characters', long(81), /has 81 characters; vSphere names have at most 80, use a shorter name/],
  ['300 characters', long(300), /has 300 characters; vSphere names have at most 80/],
  ['a percent sign', 'dc%1', /contains "%", which vSphere stores escaped as "%25".*rename it without "%"/],
  ['a backslash', 'dc\\1', /contains "\\", which vSphere stores escaped as "%5c".*rename it without "\\"/],
  ['a line separator U+2028', 'dc\u20281', /contains a line separator \(U\+2028\); remove it from the name/],
  ['a paragraph separator U+2029', 'dc\u20291', /contains a paragraph separator \(U\+2029\)/],
  ['DEL', 'dc\u007f', /contains DEL \(U\+007F\); remove it/],
  ['a NUL', 'dc\u0000', /contains a control character \(U\+0000\)/],
  ['a tab', 'd\tc', /contains a control character \(U\+0009\)/],
  ['a C1 control', 'dc\u0085', /contains a control character \(U\+0085\)/],
  ['a right-to-left override', 'dc\u202e1', /contains an invisible formatting character \(U\+202E\)/],
  ['".."', '..', /is not a name: govmomi and vCenter read "." and ".."/],
  ['"."', '.', /is not a name/],
  ['a Terraform interpolation', 'dc-${var.vsphere_password}', /contains "\$\{", which Terraform evaluates as an interpolation.*Pass a Terraform value as a token/],
  ['a Terraform directive', 'dc-%{if true}x%{endif}', /contains "%\{", which Terraform evaluates as a template directive/],
];

const BAD_PATHS: [string, string, RegExp][] = [
  ['a ".." segment', 'kkp/../etc', /has a "\.\." segment; govmomi cleans such paths.*Give the folder names, without "\." or "\.\."/],
  ['a leading "." segment', './kkp', /has a "\." segment/],
  ['a trailing "." segment', 'kkp/.', /has a "\." segment/],
  ['".." alone', '..', /has a "\.\." segment/],
  ['an absolute path', '/dc-1/vm/kkp', /is absolute; give the path relative to the datacenter's folder/],
  ['an empty path', '', /must be a non-empty path, got ""; give folder names separated by "\/"/],
  ['an empty segment', 'kkp//x', /has an empty path segment \("\/\/"\); give folder names separated by one "\/"/],
  ['a 300-character segment', `kkp/${long(300)}`, /\(segment 2\): "x{20}…" has 300 characters; vSphere names have at most 80/],
  ['a percent sign', 'kkp/50%', /\(segment 2\): "50%" contains "%"/],
  ['a backslash', 'kkp\\x', /contains "\\"/],
  ['U+2028', 'kkp/a\u2028b', /contains a line separator \(U\+2028\)/],
  ['DEL', 'kkp/\u007f', /contains DEL \(U\+007F\)/],
  ['a newline', 'kkp/a\nb', /contains a control character \(U\+000A\)/],
  ['a password interpolation', 'kkp-${var.vsphere_password}', /contains "\$\{", which Terraform evaluates as an interpolation/],
];

const providerPasswords: [string, (s: TerraformStack) => string, RegExp][] = [
  ['a literal', () => SECRET, /password is a literal string/],
  ["Fn.join('', [literal])", () => Fn.join('', [SECRET]), /password holds a literal string inside a Terraform expression/],
  ['Fn.format of a literal', () => Fn.format('%s', [SECRET]), /password holds a literal string inside a Terraform expression/],
  ['Lazy.stringValue of a literal', () => Lazy.stringValue({ produce: () => SECRET }), /password resolves to a literal string at synth/],
  ['a literal concatenated with a token', (s) => `${SECRET}${sensitiveVar(s, 'suffix')}`, /password mixes literal text with a Terraform value/],
  ['a token concatenated with a literal', (s) => `${sensitiveVar(s, 'prefix')}${SECRET}`, /password mixes literal text with a Terraform value/],
  ['a variable with a default', (s) => new TerraformVariable(s, 'pw', { type: 'string', default: SECRET }).stringValue, /password takes variable "pw", which has a default value, so it would be written into cdk\.tf\.json/],
  ['a sensitive variable with a default', (s) => new TerraformVariable(s, 'pw', { type: 'string', sensitive: true, default: SECRET }).stringValue, /password takes variable "pw", which has a default value/],
  ['a TerraformLocal of a literal', (s) => new TerraformLocal(s, 'pw', SECRET).asString, /password takes local "pw", which is a literal string/],
  ['a local of a local of a literal', (s) => new TerraformLocal(s, 'outer', new TerraformLocal(s, 'inner', SECRET).asString).asString, /takes local "outer", which takes local "inner", which is a literal string/],
  ['a local of Fn.join of a literal', (s) => new TerraformLocal(s, 'pw', Fn.join('', [SECRET])).asString, /takes local "pw", which holds a literal string inside a Terraform expression/],
  ['Fn.sensitive of a literal', () => Fn.sensitive(SECRET), /password holds a literal string inside a Terraform expression/],
];

const ROWS: Record<string, Row> = {};
const add = (rows: Record<string, Row>) => Object.assign(ROWS, rows);

for (const [what, name, fix] of BAD_NAMES) {
  ROWS[`VsphereInventory datacenter: ${what}`] = {
    build: (w) => new VsphereInventory(w.stack, 'Dc2', { datacenter: name }),
    input: 'VsphereInventory kkp-seed/Dc2 datacenter',
    fix,
  };
}
for (const [method, name, fix] of [
  ['datastore', 'ds/1', /contains "\/"; give the object's own name, not a path/],
  ['datastore', '', /must be a non-empty name/],
  ['network', 'VM\u2028Network', /contains a line separator/],
  ['network', 'net-${var.x}', /contains "\$\{"/],
  ['computeCluster', long(81), /has 81 characters/],
  ['computeCluster', 'c\u007f', /contains DEL/],
  ['datastoreCluster', 'pod%1', /contains "%"/],
  ['hostId', 'esx\\1', /contains "\\"/],
  ['hostId', '..', /is not a name/],
] as [string, string, RegExp][]) {
  ROWS[`VsphereInventory ${method}(${JSON.stringify(name).slice(0, 30)})`] = {
    build: (w) => (w.inventory as any)[method](name),
    input: `VsphereInventory kkp-seed/Inventory ${method}(name)`,
    fix,
  };
}
for (const [method, p, fix] of [
  ['vmFolder', '../etc', /has a "\.\." segment/],
  ['vmFolder', '/dc-1/vm/kkp', /is absolute/],
  ['vmFolder', 'a/${var.x}', /contains "\$\{"/],
  ['resourcePoolId', 'cluster-1/Resources/../..', /has a "\.\." segment/],
  ['resourcePoolId', 'cluster-1//Resources', /empty path segment/],
] as [string, string, RegExp][]) {
  ROWS[`VsphereInventory ${method}(${JSON.stringify(p)})`] = {
    build: (w) => (w.inventory as any)[method](p),
    input: `VsphereInventory kkp-seed/Inventory ${method}(path)`,
    fix,
  };
}
for (const [what, p, fix] of BAD_PATHS) {
  ROWS[`VmFolder path: ${what}`] = {
    build: (w) => new VmFolder(w.stack, 'F', { inventory: w.inventory, path: p }),
    input: 'VmFolder kkp-seed/F path',
    fix,
  };
}
add({
  'VmFolder path: a path below a parent with ".."': {
    build: (w) => new VmFolder(w.stack, 'F', { inventory: w.inventory, path: '../../host', parent: w.root }),
    input: 'VmFolder kkp-seed/F path',
    fix: /has a "\.\." segment/,
  },
  'VmFolder: the same path twice in one stack': {
    build: (w) => new VmFolder(w.stack, 'Again', { inventory: w.inventory, path: 'kkp/' }),
    input: 'VmFolder kkp-seed/Again path',
    fix: /\/dc-1\/vm\/kkp is already created by kkp-seed\/Root in this stack; use that VmFolder/,
  },
  'VmFolder: the same path through a parent': {
    build: (w) => {
      new VmFolder(w.stack, 'T', { inventory: w.inventory, path: 'templates', parent: w.root });
      new VmFolder(w.stack, 'T2', { inventory: w.inventory, path: 'kkp/templates' });
    },
    input: 'VmFolder kkp-seed/T2 path',
    fix: /already created by kkp-seed\/T in this stack/,
  },
  'VmFolder: a parent from another datacenter': {
    build: (w) => {
      const other = new VsphereInventory(w.stack, 'Dc2', { datacenter: 'dc-2' });
      new VmFolder(w.stack, 'F', { inventory: other, path: 'x', parent: w.root });
    },
    input: 'VmFolder kkp-seed/F parent',
    fix: /a folder's parent must be in the same datacenter/,
  },
  'VmFolder: a parent that is not a VmFolder': {
    build: (w) => new VmFolder(w.stack, 'F', { inventory: w.inventory, path: 'x', parent: w.inventory.vmFolder('existing') as any }),
    input: 'VmFolder kkp-seed/F parent',
    fix: /expected a VmFolder of this stack, got the shared folder \/dc-1\/vm\/existing; .*give the whole path relative to the datacenter's VM folder instead/,
  },
  'VmFolder: no inventory': {
    build: (w) => new VmFolder(w.stack, 'F', { path: 'x' } as any),
    input: 'VmFolder kkp-seed/F inventory',
    fix: /pass new VsphereInventory/,
  },
});

for (const [what, password, fix] of providerPasswords) {
  ROWS[`VsphereProvider password: ${what}`] = {
    build: () => undefined,
    providerPassword: password,
    input: '[kkp-seed/vsphere] provider "vsphere" password',
    fix: new RegExp(`${fix.source}[\\s\\S]*without a default, pass its stringValue`),
  };
}
add({
  'KubernetesProvider token: a literal': {
    build: (w) => new KubernetesProvider(w.stack, 'k8s', { token: SECRET }),
    input: '[kkp-seed/k8s] provider "kubernetes" token',
    fix: /is a literal string.*TF_VAR_kubernetes_token/,
  },
  'KubernetesProvider password: Fn.join of a literal': {
    build: (w) => new KubernetesProvider(w.stack, 'k8s', { username: 'admin', password: Fn.join('', [SECRET]) }),
    input: '[kkp-seed/k8s] provider "kubernetes" password',
    fix: /holds a literal string inside a Terraform expression.*TF_VAR_kubernetes_password/,
  },
  'KubernetesProvider client_key: a literal PEM': {
    build: (w) => new KubernetesProvider(w.stack, 'k8s', { clientKey: `-----BEGIN PRIVATE KEY-----${SECRET}` }),
    input: '[kkp-seed/k8s] provider "kubernetes" client_key',
    fix: /is a literal string.*sensitive: true/,
  },
  'VsphereProvider vsphere_server: user and password without a scheme': {
    build: (w) => new VsphereProvider(w.stack, 'vsphere2', { alias: 'two', user: 'u', password: sensitiveVar(w.stack, 'pw2'), vsphereServer: `admin:${SECRET}@vc.example.com` }),
    input: '[kkp-seed/vsphere2] provider "vsphere" vsphere_server',
    fix: /"REDACTED@vc\.example\.com" holds a user or password before "@".*Give the host only/,
  },
  'VsphereProvider vsphere_server: a URL with credentials': {
    build: (w) => new VsphereProvider(w.stack, 'vsphere3', { alias: 'three', user: 'u', password: sensitiveVar(w.stack, 'pw3'), vsphereServer: `https://admin:${SECRET}@vc.example.com` }),
    input: '[kkp-seed/vsphere3] provider "vsphere" vsphere_server',
    fix: /"https:\/\/REDACTED@vc\.example\.com" holds a user or password/,
  },
  'a sensitive variable with a default': {
    build: (w) => new TerraformVariable(w.stack, 'storage_password', { type: 'string', sensitive: true, default: SECRET }),
    input: '[kkp-seed/storage_password] sensitive variable "storage_password"',
    fix: /has a default value, which is written into cdk\.tf\.json\. Remove the default and set TF_VAR_storage_password/,
  },
  'CloudConfigSecret password: a literal': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc.example.com', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', password: SECRET }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop password',
    fix: /Pass a token instead, e\.g\. the stringValue of a TerraformVariable with sensitive: true/,
  },
  'CloudConfigSecret server: a URL': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'https://vc.example.com', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server',
    fix: /give the vCenter host name only/,
  },
  'CloudConfigSecret name: upper case': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', name: 'Cloud_Config' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop name',
    fix: /not a Kubernetes object name \(lower-case letters, digits, "-" and "\."\)/,
  },
  'CloudConfigSecret namespace: a dot': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', namespace: 'kube.system' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop namespace',
    fix: /a Kubernetes namespace name/,
  },
  'CloudConfigSecret key: a slash': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', key: 'a/b' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop key',
    fix: /a Secret data key/,
  },
  'CloudConfigSecret csiSecretName: the same as name': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', csiSecretName: 'cloud-config' }),
    input: 'CloudConfigSecret "kkp-seed/cc": name and csiSecretName',
    fix: /give the CSI copy another name or set csiCopy: false/,
  },
  'CloudConfigSecret folder: a newline': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', folder: '/dc-1/vm/a\nb' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop folder',
    fix: /cannot carry; remove it/,
  },
  'CloudConfigSecret variablePrefix: not a Terraform name': {
    build: (w) => new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', variablePrefix: '1 x' }),
    input: 'CloudConfigSecret "kkp-seed/cc": variablePrefix',
    fix: /use letters, digits, "_" and "-"/,
  },
  'CloudConfigSecret: two in one stack with one variable prefix': {
    build: (w) => {
      for (const id of ['a', 'b']) new CloudConfigSecret(w.stack, id, { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: id });
    },
    input: 'CloudConfigSecret "kkp-seed/b"',
    fix: /give this one its own variablePrefix, or pass user and password as tokens/,
  },
  'a Terraform variable declared twice under one name': {
    build: (w) => {
      new CloudConfigSecret(w.stack, 'cc', { server: 'vc', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc' });
      new TerraformVariable(w.stack, 'mine', { type: 'string', sensitive: true }).overrideLogicalId('vsphere_cloud_config_password');
    },
    input: '[kkp-seed/mine] Terraform variable "vsphere_cloud_config_password"',
    fix: /is also declared by kkp-seed\/cc\/password-variable.*Give one of them a name/,
  },
  'two outputs under one name (dc-a and dc_a)': {
    build: (w) => {
      new TerraformOutput(w.stack, 'DcA', { value: 'a' }).overrideLogicalId('kkp_datacenter_dc_a');
      new TerraformOutput(w.stack, 'Dc_A', { value: 'b' }).overrideLogicalId('kkp_datacenter_dc_a');
    },
    input: '[kkp-seed/Dc_A] Terraform output "kkp_datacenter_dc_a"',
    fix: /is also declared by kkp-seed\/DcA.*Give one of them an output name \(e\.g\. KkpDatacenterSpec outputName, or another clusterId\)/,
  },
});

const datacenterSpec = (w: World, id: string, name: string) =>
  new KkpDatacenterSpec(w.stack, id, {
    name, inventory: w.inventory, endpoint: 'https://vc.example.com', datastore: 'ds-1', cluster: 'c-1', templates: { ubuntu: 'kkp-ubuntu' },
  });
add({
  'two KkpDatacenterSpecs with one name': {
    build: (w) => {
      datacenterSpec(w, 'A', 'vsphere-dc-1');
      datacenterSpec(w, 'B', 'vsphere-dc-1');
    },
    input: '[kkp-seed/B/Yaml] Terraform output "kkp_datacenter_vsphere_dc_1"',
    fix: /is also declared by kkp-seed\/A\/Yaml.*Give one of them an output name \(e\.g\. KkpDatacenterSpec outputName/,
  },
  'two KkpDatacenterSpecs named dc-a and dc_a': {
    build: (w) => {
      datacenterSpec(w, 'A', 'dc-a');
      datacenterSpec(w, 'B', 'dc_a');
    },
    input: '[kkp-seed/B/Yaml] Terraform output "kkp_datacenter_dc_a"',
    fix: /is also declared by kkp-seed\/A\/Yaml/,
  },
});

function seedPermissions(w: World, override: Record<string, unknown>, id = 'Seed') {
  return new SeedPermissions(w.stack, id, {
    roles: w.roles, inventory: w.inventory, storagePrincipal: 'VSPHERE.LOCAL\\k8c-storage', folders: [w.root], datastores: [w.inventory.datastore('ds-1')],
    ...override,
  } as any);
}
function userClusterPermissions(w: World, override: Record<string, unknown>) {
  return new UserClusterPermissions(w.stack, 'Mc', {
    roles: w.roles, inventory: w.inventory, principal: 'VSPHERE.LOCAL\\kkp-mc', cluster: w.inventory.computeCluster('c-1'),
    networks: [w.inventory.network('net')], datastores: [w.inventory.datastore('ds-1')], folders: [w.root],
    ...override,
  } as any);
}
add({
  'SeedPermissions storagePrincipal: user@domain': {
    build: (w) => seedPermissions(w, { storagePrincipal: 'k8c-storage@vsphere.local' }),
    input: 'SeedPermissions kkp-seed/Seed storagePrincipal',
    fix: /For "k8c-storage@vsphere\.local" that is "VSPHERE\.LOCAL\\k8c-storage"/,
  },
  'SeedPermissions storagePrincipal: not a string': {
    build: (w) => seedPermissions(w, { storagePrincipal: 42 }),
    input: 'SeedPermissions kkp-seed/Seed storagePrincipal',
    fix: /expected a principal such as/,
  },
  'SeedPermissions folders: empty': {
    build: (w) => seedPermissions(w, { folders: [] }),
    input: 'SeedPermissions kkp-seed/Seed folders',
    fix: /give at least one entry \(the KKP VM root folder and the template folder\)/,
  },
  'SeedPermissions datastores: a network': {
    build: (w) => seedPermissions(w, { datastores: [w.inventory.network('net')] }),
    input: 'SeedPermissions kkp-seed/Seed datastores[0]',
    fix: /is a network, but this role is granted on a datastore or datastoreCluster/,
  },
  'SeedPermissions folders: an undefined item': {
    build: (w) => seedPermissions(w, { folders: [undefined] }),
    input: 'SeedPermissions kkp-seed/Seed folders[0]',
    fix: /expected a vSphere object from VsphereInventory or a VmFolder/,
  },
  'UserClusterPermissions cluster: a datastore': {
    build: (w) => userClusterPermissions(w, { cluster: w.inventory.datastore('ds-1') }),
    input: 'UserClusterPermissions kkp-seed/Mc cluster',
    fix: /is a datastore, but this role is granted on a cluster/,
  },
  'UserClusterPermissions networks: empty': {
    build: (w) => userClusterPermissions(w, { networks: [] }),
    input: 'UserClusterPermissions kkp-seed/Mc networks',
    fix: /give at least one entry \(every network worker VMs attach to\)/,
  },
  'UserClusterPermissions principal: no domain': {
    build: (w) => userClusterPermissions(w, { principal: 'kkp-mc' }),
    input: 'UserClusterPermissions kkp-seed/Mc principal',
    fix: /is not of the form DOMAIN\\name; write it as DOMAIN\\name/,
  },
  'adopt on a grant to a folder the stack creates': {
    build: (w) => VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\k8c-storage', role: w.roles.role('k8c-storage-vmfolder-propagate'), entity: w.root, propagate: true, adopt: true }),
    input: '[kkp-seed/KkpVspherePermissions] The grant to VSPHERE.LOCAL\\k8c-storage on /dc-1/vm/kkp sets adopt',
    fix: /Remove adopt: it applies to additive grants on shared objects only/,
  },
  'Principal.group: empty': {
    build: () => Principal.group(''),
    input: 'Principal.group',
    fix: /the principal is empty; write it as DOMAIN\\name/,
  },
  'Principal.user: two backslashes': {
    build: () => Principal.user('A\\b\\c'),
    input: 'Principal.user: principal "A\\b\\c"',
    fix: /is not of the form DOMAIN\\name/,
  },
  'Principal.user: a control character': {
    build: () => Principal.user('VSPHERE.LOCAL\\k8c\u0007'),
    input: 'Principal.user',
    fix: /contains a control character; write it as DOMAIN\\name/,
  },
});

// Two stacks of one app: the first is written only after the second passed its checks.
const manage = (s: { inventory: VsphereInventory }) => {
  VspherePermissions.manageAuthoritatively(s.inventory.datastore('ds-1'), { keep: [] });
  VspherePermissions.manageAuthoritatively(s.inventory.datacenter, { keep: [] });
};
add({
  'two stacks create the same role': {
    build: (w) => {
      manage(w);
      seedPermissions(w, {});
      const o = w.other();
      manage(o);
      new SeedPermissions(o.stack, 'Seed', { roles: o.roles, inventory: o.inventory, storagePrincipal: 'VSPHERE.LOCAL\\k8c-storage-2', folders: [new VmFolder(o.stack, 'F', { inventory: o.inventory, path: 'kkp-2' })], datastores: [o.inventory.datastore('ds-2')] });
      VspherePermissions.manageAuthoritatively(o.inventory.datastore('ds-2'), { keep: [] });
    },
    input: 'stacks "kkp-seed" (kkp-seed/Roles/k8c-storage-vmfolder-propagate/Role) and "kkp-user" (kkp-user/Roles/k8c-storage-vmfolder-propagate/Role)',
    fix: /both create vSphere role "k8c-storage-vmfolder-propagate".*give each stack's KkpRoles its own namePrefix/,
  },
  'two stacks create the same folder': {
    build: (w) => {
      const o = w.other();
      new VmFolder(o.stack, 'Root', { inventory: o.inventory, path: 'kkp' });
    },
    input: 'stacks "kkp-seed" (kkp-seed/Root/Folder) and "kkp-user" (kkp-user/Root/Folder)',
    fix: /both create folder \/dc-1\/vm\/kkp.*look it up in the other with inventory\.vmFolder\(path\)/,
  },
  'two stacks manage the permissions of one datastore': {
    build: (w) => {
      manage(w);
      seedPermissions(w, {});
      const o = w.other();
      VspherePermissions.manageAuthoritatively(o.inventory.datastore('ds-1'), { keep: [] });
      VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\backup', role: o.roles.role('k8c-storage-datastore-propagate'), entity: o.inventory.datastore('ds-1'), propagate: true });
    },
    input: 'both manage the permissions of /dc-1/datastore/ds-1',
    fix: /Make every grant on it in one stack/,
  },
  'two stacks create the same template VM': {
    build: (w) => {
      const o = w.other();
      for (const [s, inventory, path] of [[w.stack, w.inventory, 'kkp/templates'], [o.stack, o.inventory, 'kkp-2']] as const) {
        new VmTemplate(s, 'Ubuntu', {
          inventory, folder: new VmFolder(s, 'Templates', { inventory, path }), network: 'VM Network', datastore: 'ds-1',
          resourcePool: 'c-1/Resources', host: 'esx-1', source: VmTemplateSource.preset('ubuntu-22.04'),
        });
      }
    },
    input: 'stacks "kkp-seed" (kkp-seed/Ubuntu/Template) and "kkp-user" (kkp-user/Ubuntu/Template)',
    fix: /both create template VM "[^"]+" in datacenter dc-1.*give each its own name/,
  },
  'the second stack has a literal provider password': {
    build: (w) => w.other(SECRET),
    input: '[kkp-user/vsphere] provider "vsphere" password',
    fix: /is a literal string/,
  },
  'the second stack fails cdktf validation': {
    build: (w) => {
      const o = w.other();
      const folder = new VmFolder(o.stack, 'Kkp', { inventory: o.inventory, path: 'kkp-user' });
      VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\x', role: o.roles.role('k8c-user-folder-propagate'), entity: folder, propagate: true, adopt: true });
    },
    input: '[kkp-user/KkpVspherePermissions] The grant to VSPHERE.LOCAL\\x on /dc-1/vm/kkp-user sets adopt',
    fix: /Remove adopt: it applies to additive grants on shared objects only/,
  },
});

// Inputs left open while the KKP-release work reworked their files: credentials of CloudConfigSecret and KkpUserCluster,
// cloud-config server and port, the datacenter spec's endpoint and root path, cluster ids, roles and privileges.
const cc = (w: World, props: Record<string, unknown>, id = 'cc') => {
  if (!w.stack.node.tryFindChild('k8s')) new KubernetesProvider(w.stack, 'k8s', {});
  return new CloudConfigSecret(w.stack, id, { server: 'vc.example.com', datacenter: 'dc-1', datastore: 'ds-1', clusterId: 'abc', ...props } as any);
};
// Ways a token can still carry a literal password; each is refused at synth without showing it.
const tokenPasswords: [string, (s: TerraformStack) => string, RegExp][] = [
  ["Fn.join('', [literal])", () => Fn.join('', [SECRET]), /holds a literal string inside a Terraform expression/],
  ['Lazy.stringValue of a literal', () => Lazy.stringValue({ produce: () => SECRET }), /resolves to a literal string at synth/],
  ['a literal around a token', (st) => `${SECRET}${sensitiveVar(st, 'pw_suffix')}`, /mixes literal text with a Terraform value/],
  ['a variable with a default', (st) => new TerraformVariable(st, 'pw_default', { type: 'string', default: SECRET }).stringValue, /takes variable "pw_default", which has a default value/],
  ['a TerraformLocal of a literal', (st) => new TerraformLocal(st, 'pw_local', SECRET).asString, /takes local "pw_local", which is a literal string/],
];
for (const [what, password, fix] of tokenPasswords) {
  ROWS[`CloudConfigSecret password: ${what}`] = {
    build: (w) => cc(w, { password: password(w.stack) }),
    input: '[kkp-seed/cc] CloudConfigSecret prop password',
    fix: new RegExp(`${fix.source}[^\\n]*, so it would be written into cdk\\.tf\\.json\\. Pass the stringValue of a TerraformVariable with sensitive: true and no default`),
  };
}

/** A second stack of the app on a KKP release whose clusters get a credentials Secret on the seed (2.13+). */
function newReleaseStack(w: World) {
  const s = seedStack(w.app, 'kkp-new');
  new KubernetesProvider(s, 'k8s', {});
  const inventory = new VsphereInventory(s, 'Inventory', { datacenter: 'dc-9' });
  const roles = new KkpRoles(s, 'Roles', { kkpRelease: '2.28', vsphereVersion: '8.0' });
  const datacenter = new KkpDatacenterSpec(s, 'Dc', {
    name: 'dc-9', inventory, endpoint: 'https://vc9.example.com', datastore: 'ds-9', cluster: 'c-9', templates: { ubuntu: 'kkp-ubuntu' },
  });
  return { stack: s, inventory, roles, datacenter };
}
const cluster = (w: World, override: Record<string, unknown>, id = 'C', datacenter?: KkpDatacenterSpec) => {
  if (!w.stack.node.tryFindChild('k8s')) new KubernetesProvider(w.stack, 'k8s', {});
  return new KkpUserCluster(w.stack, id, {
    datacenter: datacenter ?? datacenterSpec(w, `Dc-${id}`, `dc-${id.toLowerCase()}`), roles: w.roles, clusterId: 'kh8dfp2rz6',
    machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc', ...override,
  } as any);
};
for (const [what, password, fix] of tokenPasswords) {
  ROWS[`KkpUserCluster (2.12) cloudConfigPassword: ${what}`] = {
    build: (w) => cluster(w, { cloudConfigPassword: password(w.stack) }),
    input: '[kkp-seed/C] KkpUserCluster prop cloudConfigPassword',
    fix: new RegExp(`${fix.source}[^\\n]*, so it would be written into cdk\\.tf\\.json\\. Pass the stringValue of a TerraformVariable with sensitive: true and no default, or leave cloudConfigPassword out and set TF_VAR_vsphere_kh8dfp2rz6_password`),
  };
  ROWS[`KkpUserCluster (2.28) credentials Secret cloudConfigPassword: ${what}`] = {
    build: (w) => {
      const n = newReleaseStack(w);
      new KkpUserCluster(n.stack, 'C', { datacenter: n.datacenter, roles: n.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc', cloudConfigPassword: password(n.stack) });
    },
    input: '[kkp-new/C] KkpUserCluster prop cloudConfigPassword',
    fix: new RegExp(`${fix.source}[^\\n]*, so it would be written into cdk\\.tf\\.json`),
  };
  ROWS[`KkpUserCluster (2.28) infraManagementUserPassword: ${what}`] = {
    build: (w) => {
      const n = newReleaseStack(w);
      new KkpUserCluster(n.stack, 'C', {
        datacenter: n.datacenter, roles: n.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc',
        cloudConfigPassword: sensitiveVar(n.stack, 'cc_pw'), infraManagementUserPassword: password(n.stack),
      });
    },
    input: '[kkp-new/C] KkpUserCluster prop infraManagementUserPassword',
    fix: new RegExp(`${fix.source}[^\\n]*, so it would be written into cdk\\.tf\\.json\\. Pass the stringValue of a TerraformVariable with sensitive: true and no default`),
  };
}
add({
  'KkpUserCluster (2.12) cloudConfigPassword: a literal': {
    build: (w) => cluster(w, { cloudConfigPassword: SECRET }),
    input: 'KkpUserCluster kkp-seed/C cloudConfigPassword',
    fix: /a literal password would be written into cdk\.tf\.json; pass a token, e\.g\. the stringValue of a TerraformVariable with sensitive: true/,
  },
  'KkpUserCluster (2.28) infraManagementUserPassword: a literal': {
    build: (w) => {
      const n = newReleaseStack(w);
      new KkpUserCluster(n.stack, 'C', { datacenter: n.datacenter, roles: n.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc', infraManagementUserPassword: SECRET });
    },
    input: 'KkpUserCluster kkp-new/C infraManagementUserPassword',
    fix: /a literal password would be written into cdk\.tf\.json; pass a token/,
  },
  'KkpUserCluster (2.28) storagePrincipal without node hosts (issue 19, defect 2)': {
    build: (w) => {
      const n = newReleaseStack(w);
      new KkpUserCluster(n.stack, 'C', { datacenter: n.datacenter, roles: n.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc', storagePrincipal: 'VSPHERE.LOCAL\\kkp-own' });
    },
    input: 'KkpUserCluster kkp-new/C hosts',
    fix: /grants the storage user Read-only on every host that runs node VMs.*Give hosts: \[inventory\.host\(name, cluster\), \.\.\.\], or create the SeedPermissions \(with its hosts\) before the clusters/,
  },
  'KkpUserCluster (2.28) hosts without a storagePrincipal': {
    build: (w) => {
      const n = newReleaseStack(w);
      new KkpUserCluster(n.stack, 'C', { datacenter: n.datacenter, roles: n.roles, clusterId: 'kh8dfp2rz6', machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-mc', hosts: [] });
    },
    input: 'KkpUserCluster kkp-new/C hosts',
    fix: /only a cluster with its own storagePrincipal gets grants on hosts; leave hosts out or give storagePrincipal/,
  },
  'KkpUserCluster (2.12) cloudConfigUser: a newline': {
    build: (w) => cluster(w, { cloudConfigUser: 'VSPHERE.LOCAL\\ccm\nx' }),
    input: 'KkpUserCluster kkp-seed/C cloudConfigUser',
    fix: /contains a newline \(U\+000A\), which the gcfg cloud-config cannot carry; remove it/,
  },
  'KkpUserCluster clusterId "clusters": the suggested path is not the refused one': {
    build: (w) => cluster(w, { clusterId: 'clusters' }, 'C', datacenterSpec(w, 'Dc-C', 'dc-c')),
    input: 'KkpUserCluster kkp-seed/C folderPath',
    fix: /"clusters\/clusters" passes through \/dc-1\/vm\/clusters: the folder KKP creates for this cluster itself and destroys with it\. Use another path, e\.g\. "cluster-folders\/clusters"\./,
  },
  'KkpUserCluster folderPath: a ".." segment': {
    build: (w) => cluster(w, { folderPath: 'clusters/../x' }),
    input: 'KkpUserCluster kkp-seed/C folderPath',
    fix: /has a "\.\." segment; govmomi cleans such paths/,
  },
  'KkpUserCluster: one cluster id in two datacenters': {
    build: (w) => {
      const dc2 = new KkpDatacenterSpec(w.stack, 'Dc2', {
        name: 'dc-2', inventory: new VsphereInventory(w.stack, 'Inventory2', { datacenter: 'dc-2' }), endpoint: 'https://vc.example.com',
        datastore: 'ds-2', cluster: 'c-2', templates: { ubuntu: 'kkp-ubuntu' },
      });
      cluster(w, {}, 'A');
      cluster(w, { cloudConfigPassword: sensitiveVar(w.stack, 'b_pw') }, 'B', dc2);
    },
    input: 'KkpUserCluster kkp-seed/B clusterId',
    fix: /"kh8dfp2rz6" is already the id of another user cluster in this stack \(its folder: kkp-seed\/A\/Folder\)\. A KKP cluster id is one cluster's metadata\.name, unique in the KKP installation even across datacenters: give this cluster its own id/,
  },
  'KkpUserCluster machineControllerPrincipal: no domain': {
    build: (w) => cluster(w, { machineControllerPrincipal: 'kkp-mc' }),
    input: 'KkpUserCluster kkp-seed/C machineControllerPrincipal',
    fix: /is not of the form DOMAIN\\name; write it as DOMAIN\\name/,
  },
  'KkpUserCluster roles: undefined': {
    build: (w) => cluster(w, { roles: undefined }),
    input: 'KkpUserCluster kkp-seed/C roles',
    fix: /expected the stack's KkpRoles, got undefined; pass new KkpRoles/,
  },
  'KkpUserCluster datacenter: undefined': {
    build: (w) => new KkpUserCluster(w.stack, 'C', { datacenter: undefined, roles: w.roles, clusterId: 'abc', machineControllerPrincipal: 'VSPHERE.LOCAL\\mc' } as any),
    input: 'KkpUserCluster kkp-seed/C datacenter',
    fix: /expected a KkpDatacenterSpec, got undefined; pass the KkpDatacenterSpec of the datacenter the cluster runs in/,
  },
  'KkpUserCluster networks: a network name with "%"': {
    build: (w) => cluster(w, { networks: [w.inventory.network('VM%Network')] }),
    input: 'VsphereInventory kkp-seed/Inventory network(name)',
    fix: /contains "%", which vSphere stores escaped as "%25"/,
  },
  'UserClusterFolder roles: undefined': {
    build: (w) => new UserClusterFolder(w.stack, 'U', { inventory: w.inventory, clusterId: 'abc', roles: undefined, machineControllerPrincipal: 'VSPHERE.LOCAL\\mc' } as any),
    input: 'UserClusterFolder kkp-seed/U roles',
    fix: /expected the stack's KkpRoles, got undefined/,
  },
  'UserClusterFolder inventory: a string': {
    build: (w) => new UserClusterFolder(w.stack, 'U', { inventory: 'dc-1', clusterId: 'abc', roles: w.roles, machineControllerPrincipal: 'VSPHERE.LOCAL\\mc' } as any),
    input: 'UserClusterFolder kkp-seed/U inventory',
    fix: /expected the VsphereInventory of the datacenter, got a string; pass new VsphereInventory/,
  },
  'SeedPermissions roles: undefined': {
    build: (w) => seedPermissions(w, { roles: undefined }),
    input: 'SeedPermissions kkp-seed/Seed roles',
    fix: /expected the stack's KkpRoles, got undefined/,
  },
  'SeedPermissions inventory: undefined': {
    build: (w) => seedPermissions(w, { inventory: undefined }),
    input: 'SeedPermissions kkp-seed/Seed inventory',
    fix: /expected the VsphereInventory of the datacenter, got undefined/,
  },
  'UserClusterPermissions roles: a role instead of KkpRoles': {
    build: (w) => userClusterPermissions(w, { roles: w.roles.role('user-folder') }),
    input: 'UserClusterPermissions kkp-seed/Mc roles',
    fix: /expected the stack's KkpRoles, got a VsphereRole/,
  },
  'UserClusterPermissions inventory: undefined': {
    build: (w) => userClusterPermissions(w, { inventory: undefined }),
    input: 'UserClusterPermissions kkp-seed/Mc inventory',
    fix: /expected the VsphereInventory of the datacenter, got undefined/,
  },
  'KkpRoles role(undefined)': {
    build: (w) => w.roles.role(undefined as any),
    input: 'KkpRoles kkp-seed/Roles role(nameOrKey)',
    fix: /expected a role key such as "user-folder" or a role name such as "k8c-user-folder-propagate", got undefined; the keys of KKP 2\.12 are/,
  },
  'KkpRoles role of another release': {
    build: (w) => w.roles.role('storage-cns'),
    input: 'KkpRoles kkp-seed/Roles role("storage-cns")',
    fix: /is not on the vSphere page of KKP 2\.12.*Roles of 2\.12:/,
  },
  'KkpRoles namePrefix: Terraform interpolation': {
    build: (w) => new KkpRoles(w.stack, 'R2', { vsphereVersion: '8.0', namePrefix: '${var.vsphere_password}-' }),
    input: 'KkpRoles kkp-seed/R2 namePrefix',
    fix: /contains "\$\{" or "%\{", which Terraform would evaluate inside the role name; use plain text such as "prod-"/,
  },
  'KkpRoles vsphereVersion: unknown': {
    build: (w) => new KkpRoles(w.stack, 'R2', { vsphereVersion: '9.9' as any }),
    input: 'KkpRoles kkp-seed/R2 vsphereVersion',
    fix: /unknown vSphere version "9\.9"\. Use one of/,
  },
  'VsphereRole privileges: a string': {
    build: (w) => new VsphereRole(w.stack, 'Custom', { roleName: 'kkp-custom', privileges: 'Datastore.Browse' as any, vsphereVersion: '8.0' }),
    input: 'VsphereRole "kkp-seed/Custom": Role "kkp-custom" privileges',
    fix: /expected an array of privilege IDs .* got a string \(one ID as a string: write \["Datastore\.Browse"\]\)/,
  },
  'VsphereRole privileges: a null item': {
    build: (w) => new VsphereRole(w.stack, 'Custom', { roleName: 'kkp-custom', privileges: ['Datastore.Browse', null] as any, vsphereVersion: '8.0' }),
    input: 'VsphereRole "kkp-seed/Custom": Role "kkp-custom" privileges[1]',
    fix: /expected a privilege ID such as "Datastore\.Browse", got null; remove it or give the ID/,
  },
  'VsphereRole privileges: an unknown ID': {
    build: (w) => new VsphereRole(w.stack, 'Custom', { roleName: 'kkp-custom', privileges: ['Datastore.Nope'], vsphereVersion: '8.0' }),
    input: 'VsphereRole "kkp-seed/Custom": Role "kkp-custom": privilege "Datastore.Nope"',
    fix: /is not known to vSphere 8\.0\. Closest known IDs: Datastore\./,
  },
  'VsphereRole roleName: Terraform interpolation': {
    build: (w) => new VsphereRole(w.stack, 'Custom', { roleName: 'kkp-${var.vsphere_password}', privileges: ['Datastore.Browse'], vsphereVersion: '8.0' }),
    input: 'VsphereRole "kkp-seed/Custom" roleName',
    fix: /contains "\$\{", which Terraform evaluates as an interpolation; a role name is written into Terraform literally, so leave it out/,
  },
  'grant: role undefined': {
    build: (w) => VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp', role: undefined as any, entity: w.inventory.datacenter, propagate: false }),
    input: 'grant on /dc-1: role is undefined',
    fix: /pass a VsphereRole, a role of KkpRoles \(roles\.role\('k8c-user-datacenter'\)\) or a PredefinedRole/,
  },
  'grant: entity undefined': {
    build: (w) => VspherePermissions.grant({ principal: 'VSPHERE.LOCAL\\kkp', role: w.roles.role('k8c-user-datacenter'), entity: undefined as any, propagate: false }),
    input: 'grant of "k8c-user-datacenter": entity is undefined',
    fix: /pass an object from VsphereInventory \(e\.g\. inventory\.datacenter\) or a VmFolder/,
  },
  'checkPrivileges: undefined': {
    build: () => checkPrivileges('kkp-custom', undefined as any, '8.0'),
    input: 'Role "kkp-custom" privileges',
    fix: /expected an array of privilege IDs .* got undefined/,
  },
});

// CloudConfigSecret server and port: every error carries the construct path.
add({
  'CloudConfigSecret port: 70000': {
    build: (w) => cc(w, { port: 70000 }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop port 70000',
    fix: /is not a TCP port; use an integer from 1 to 65535/,
  },
  'CloudConfigSecret port: "443; x"': {
    build: (w) => cc(w, { port: '443; x' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop port "443; x"',
    fix: /is not a TCP port/,
  },
  'CloudConfigSecret server host:port against port': {
    build: (w) => cc(w, { server: 'vc.example.com:8443', port: 443 }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server "vc.example.com:8443"',
    fix: /names port 8443 but port is 443; give the port once: server "vc\.example\.com" and port 8443/,
  },
  'CloudConfigSecret server host:0': {
    build: (w) => cc(w, { server: 'vc.example.com:0' }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop port "0"',
    fix: /is not a TCP port/,
  },
  'CloudConfigSecret server: user and password without a scheme': {
    build: (w) => cc(w, { server: `admin:${SECRET}@vc.example.com` }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server',
    fix: /holds a user or password before "@"; give the vCenter host name only/,
  },
  'CloudConfigSecret server: a URL with user and password': {
    build: (w) => cc(w, { server: `https://admin:${SECRET}@vc.example.com` }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server',
    fix: /holds a user or password before "@"/,
  },
  'CloudConfigSecret server: a URL with a query token': {
    build: (w) => cc(w, { server: `https://vc.example.com/?token=${SECRET}` }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server is "https://vc.example.com/?…"',
    fix: /give the vCenter host name only/,
  },
  'CloudConfigSecret (csi-vsphere-conf) server host:port against port': {
    build: (w) => cc(w, { format: 'csi-vsphere-conf', server: 'vc.example.com:8443', port: 9443, datacenters: ['dc-1'] }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop server "vc.example.com:8443"',
    fix: /names port 8443 but port is 9443/,
  },
});

add({
  'CloudConfigSecret datastore: missing': {
    build: (w) => cc(w, { datastore: undefined }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop datastore is undefined',
    fix: /give it \(a literal or a token\)/,
  },
  'CloudConfigSecret (csi-vsphere-conf) datacenters: missing': {
    build: (w) => cc(w, { format: 'csi-vsphere-conf', datacenters: undefined }),
    input: 'CloudConfigSecret "kkp-seed/cc": prop datacenters',
    fix: /must name the vSphere datacenter\(s\) the driver serves, e.g. \['dc-1'\]/,
  },
  'KkpUserCluster networks: a string': {
    build: (w) => cluster(w, { networks: 'VM Network' }),
    input: 'KkpUserCluster kkp-seed/C networks',
    fix: /expected a list of networks, got a string; pass e\.g\. \[inventory\.network\('VM Network'\)\]/,
  },
});

// KkpDatacenterSpec endpoint, root folder and names: the message names the construct path and never the user info.
const dcSpec = (w: World, override: Record<string, unknown>) =>
  new KkpDatacenterSpec(w.stack, 'D', {
    name: 'vsphere-dc-1', inventory: w.inventory, endpoint: 'https://vc.example.com', datastore: 'ds-1', cluster: 'c-1', templates: { ubuntu: 'kkp-ubuntu' }, ...override,
  } as any);
for (const [what, override, input, fix] of [
  ['endpoint user:password@host without a scheme', { endpoint: `admin:${SECRET}@vc.example.com` }, 'endpoint: "REDACTED@vc.example.com"', /holds a user or password before "@"; credentials never go into the datacenter spec.*Give the URL without them/],
  ['endpoint ftp:// with user info', { endpoint: `ftp://u:${SECRET}@vc.example.com` }, 'endpoint: "ftp://REDACTED@vc.example.com"', /holds a user or password/],
  ['endpoint an invalid URL with credentials', { endpoint: `https://u:${SECRET}@vc example` }, 'endpoint: "https://REDACTED@vc example"', /holds a user or password/],
  ['endpoint a query token', { endpoint: `https://vc.example.com/?token=${SECRET}` }, 'endpoint: "https://vc.example.com/?…"', /has a path, query or fragment; KKP appends \/sdk itself/],
  ['endpoint a fragment', { endpoint: `https://vc.example.com/#${SECRET}` }, 'endpoint: "https://vc.example.com/"', /has a path, query or fragment/],
  ['endpoint port 0', { endpoint: 'https://vc.example.com:0' }, 'endpoint: "https://vc.example.com:0" has port "0"', /which is not a TCP port; give 1 to 65535/],
  ['endpoint port 65536', { endpoint: 'https://vc.example.com:65536' }, 'endpoint: "https://vc.example.com:65536" has port "65536"', /which is not a TCP port/],
  ['endpoint another scheme', { endpoint: 'ftp://vc.example.com' }, 'endpoint: "ftp://vc.example.com" has scheme "ftp"', /vCenter is reached over https; give the vCenter URL/],
  ['endpoint no scheme', { endpoint: 'vc.example.com' }, 'endpoint: "vc.example.com" has no scheme', /give the vCenter URL, e\.g\. "https:\/\/vcenter\.example\.com"/],
  ['rootFolder with ".." below the VM folder', { rootFolder: '/dc-1/vm/kkp/../../host' }, 'rootPath: "/dc-1/vm/kkp/../../host"', /has a "\.\." segment; govmomi cleans such paths.*without "\." or "\.\."/],
  ['rootFolder with "."', { rootFolder: '/dc-1/vm/./kkp' }, 'rootPath: "/dc-1/vm/./kkp"', /has a "\." segment/],
  ['rootFolder with a 300-character segment', { rootFolder: `/dc-1/vm/${long(300)}` }, 'rootPath (segment 3)', /has 300 characters; vSphere names have at most 80/],
  ['datastore with "%"', { datastore: 'ds%1' }, 'datastore: "ds%1"', /contains "%", which vSphere stores escaped as "%25".*or pass inventory\.datastore\(name\)/],
  ['cluster with a password interpolation', { cluster: 'c-${var.vsphere_password}' }, 'cluster: "c-${var.vsphere_password}"', /contains "\$\{", which Terraform evaluates as an interpolation/],
  ['template name with a password interpolation', { templates: { ubuntu: 'u-${var.vsphere_password}' } }, 'templates.ubuntu: "u-${var.vsphere_password}"', /contains "\$\{"/],
  ['template name of 81 characters', { templates: { ubuntu: long(81) } }, 'templates.ubuntu', /has 81 characters; vSphere names have at most 80/],
  ['template name with U+2028', { templates: { ubuntu: 'u\u2028x' } }, 'templates.ubuntu', /contains a line separator \(U\+2028\)/],
  ['inventory undefined', { inventory: undefined }, 'inventory', /expected the VsphereInventory of the datacenter, got undefined/],
] as [string, Record<string, unknown>, string, RegExp][]) {
  ROWS[`KkpDatacenterSpec ${what}`] = { build: (w) => dcSpec(w, override), input: `KkpDatacenterSpec kkp-seed/D ${input}`, fix };
}
ROWS['parseVsphereEndpoint: user info without a scheme'] = {
  build: () => parseVsphereEndpoint(`root:${SECRET}@vc.example.com`),
  input: 'endpoint: "REDACTED@vc.example.com"',
  fix: /holds a user or password before "@"/,
};

// The pure renderers: the input is the prop name.
const cloudConfigInput = { server: 'vc.example.com', user: 'u', password: 'p', datacenter: 'DC0', datastore: 'LocalDS_0', clusterId: 'c1' };
for (const [what, override, input, fix] of [
  ['port "443; x"', { port: '443; x' }, 'port "443; x"', /is not a TCP port; use an integer from 1 to 65535/],
  ['port "0"', { port: '0' }, 'port "0"', /is not a TCP port/],
  ['port 0', { port: 0 }, 'port 0', /is not a TCP port/],
  ['port 65536', { port: 65536 }, 'port 65536', /is not a TCP port/],
  ['server host:port against port 443', { server: 'vc.example.com:8443', port: 443 }, 'server "vc.example.com:8443"', /names port 8443 but port is 443; give the port once: server "vc\.example\.com" and port 8443/],
  ['server host:0', { server: 'vc.example.com:0' }, 'port "0"', /is not a TCP port/],
  ['server with a scheme', { server: 'https://vc.example.com' }, 'server: "https://vc.example.com"', /give the host only/],
  ['server with user and password', { server: `admin:${SECRET}@vc.example.com` }, 'server: the value holds a user or password', /give the vCenter host name only.*credentials as user and password/],
  ['server URL with user and password', { server: `https://admin:${SECRET}@vc.example.com` }, 'server: the value holds a user or password', /give the vCenter host name only/],
  ['server URL with a query token', { server: `https://vc.example.com/?token=${SECRET}` }, 'server: "https://vc.example.com/?…"', /give the host only/],
  ['server empty', { server: '' }, 'server: must be the vCenter host name', /give it, e\.g\. "vcenter\.example\.com"/],
  ['server with a space', { server: 'vc example' }, 'server: "vc example"', /no scheme, path, query, quotes or spaces/],
] as [string, object, string, RegExp][]) {
  ROWS[`vsphereCloudConfig ${what}`] = { build: () => vsphereCloudConfig({ ...cloudConfigInput, ...override }), input, fix };
}

// The CLI, as users run it.
const cli = (args: string[]) => () => {
  const r = runCli(args, os.tmpdir());
  if (r.status === 0) return r.stdout;
  throw new Error(`${r.stderr}${r.stdout}`);
};
add({
  'report: a missing output directory': {
    build: cli(['report', path.join(os.tmpdir(), 'no-such-cdktf-out')]),
    input: 'synth output directory',
    fix: /does not exist\. Run `cdktf synth` again/,
  },
  'report: an unknown format': {
    build: cli(['report', '--format', 'html']),
    input: "option '-f, --format <format>' argument 'html'",
    fix: /Allowed choices are markdown, json/,
  },
  'convert-image: --cpus not a number': {
    build: cli(['convert-image', 'x.qcow2', '--out', 'o', '--cpus', 'two']),
    input: "option '--cpus <n>' argument 'two'",
    fix: /expected a whole number/,
  },
  'convert-image: --cpus a URL with credentials': {
    build: cli(['convert-image', 'x.qcow2', '--out', 'o', '--cpus', `https://admin:${SECRET}@h/x?token=${SECRET}`]),
    input: "option '--cpus <n>' argument 'https://REDACTED@h/x?…'",
    fix: /expected a whole number/,
  },
  'convert-image: an unknown SCSI controller': {
    build: cli(['convert-image', 'x.qcow2', '--out', 'o', '--scsi-controller', 'buslogic']),
    input: "option '--scsi-controller <type>' argument 'buslogic'",
    fix: /Allowed choices are lsilogic, pvscsi/,
  },
  'convert-image: no --out': {
    build: cli(['convert-image', 'x.qcow2']),
    input: "required option '-o, --out <dir>'",
    fix: /not specified/,
  },
  'an unknown command': {
    build: cli(['deploy']),
    input: "unknown command 'deploy'",
    fix: /Usage: cdktf-kkp-vsphere/,
  },
});

// The report over synth outputs that cdktf did not write (the report's own checks, issue 13).
const reportDirs: string[] = [];
function outputDir(files: Record<string, string>, stackPath: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bad-report-'));
  reportDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { a: { name: 'a', synthesizedStackPath: stackPath } } }));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}
const outsideFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bad-outside-')), 'secret.json');
fs.writeFileSync(outsideFile, JSON.stringify({ password: SECRET }));
const reportRow = (dir: () => string, input: string, fix: RegExp): Row => ({ build: () => cli(['report', dir()])(), input, fix });
add({
  'report: another tool\'s JSON as a stack': reportRow(
    () => outputDir({ 'a.json': JSON.stringify({ name: 'pkg', scripts: { x: SECRET } }) }, 'a.json'),
    'stack "a":',
    /a\.json is not a Terraform JSON configuration.*Run `cdktf synth` again/,
  ),
  'report: a stack file that is not JSON and holds a secret': reportRow(
    () => outputDir({ 'a.json': `password=${SECRET}` }, 'a.json'),
    'stack "a"',
    /a\.json is not valid JSON.*Run `cdktf synth` again/,
  ),
  'report: a Terraform plan given as a stack': reportRow(
    () => outputDir({ 'a.json': JSON.stringify({ format_version: '1.2', planned_values: {} }) }, 'a.json'),
    'stack "a":',
    /is a Terraform plan \(terraform show -json\), not a synthesized stack: pass it with --plan/,
  ),
  'report: a manifest path outside the output directory (..)': reportRow(
    () => outputDir({}, path.relative(os.tmpdir(), outsideFile).replace(/^/, '../')),
    'stack "a" has a synthesizedStackPath outside the synth output directory',
    /Run `cdktf synth` again/,
  ),
  'report: an absolute manifest path outside the output directory': reportRow(
    () => outputDir({}, outsideFile),
    'stack "a" has a synthesizedStackPath outside the synth output directory',
    /cdktf writes stacks\/<name>\/cdk\.tf\.json inside it/,
  ),
  'report: a stack file that links outside': reportRow(
    () => {
      const dir = outputDir({}, 'a.json');
      fs.symlinkSync(outsideFile, path.join(dir, 'a.json'));
      return dir;
    },
    'a.json',
    /is a link to a file outside the synth output directory/,
  ),
});

// KkpVspherePreset: a KKP Preset on the master cluster (the stack kkp-master, newest release unless given).
type MasterStack = { stack: TerraformStack; inventory: VsphereInventory };
function masterStack(w: World, kkpRelease?: '2.17' | '2.23'): MasterStack {
  const s = seedStack(w.app, 'kkp-master');
  new KubernetesProvider(s, 'k8s', {});
  const inventory = new VsphereInventory(s, 'Inventory', { datacenter: 'dc-7' });
  if (kkpRelease) new KkpRoles(s, 'Roles', { kkpRelease, vsphereVersion: '8.0' });
  return { stack: s, inventory };
}
const preset = (w: World, props: Record<string, unknown> | ((m: MasterStack) => Record<string, unknown>), kkpRelease?: '2.17' | '2.23') => {
  const m = masterStack(w, kkpRelease);
  return new KkpVspherePreset(m.stack, 'P', { name: 'team-a', username: 'VSPHERE.LOCAL\\kkp-team-a', ...(typeof props === 'function' ? props(m) : props) } as any);
};
for (const [what, password, fix] of tokenPasswords) {
  ROWS[`KkpVspherePreset password: ${what}`] = {
    build: (w) => preset(w, (m) => ({ password: password(m.stack) })),
    input: '[kkp-master/P] KkpVspherePreset prop password',
    fix: new RegExp(`${fix.source}[^\\n]*, so it would be written into cdk\\.tf\\.json\\. Pass the stringValue of a TerraformVariable with sensitive: true and no default, or leave password out and set TF_VAR_kkp_preset_team_a_password`),
  };
}
add({
  'KkpVspherePreset password: a literal': {
    build: (w) => preset(w, { password: SECRET }),
    input: 'KkpVspherePreset kkp-master/P password',
    fix: /a literal password would be written into cdk\.tf\.json; pass a token, e\.g\. the stringValue of a TerraformVariable with sensitive: true/,
  },
  'KkpVspherePreset on KKP 2.12 (presets came from a file)': {
    build: (w) => new KkpVspherePreset(w.stack, 'P', { name: 'team-a', username: 'VSPHERE.LOCAL\\kkp-team-a' }),
    input: 'KkpVspherePreset kkp-seed/P',
    fix: /KKP 2\.12 reads presets only from a file given to kubermatic-api \(-presets\).*use kkpRelease 2\.13 or later/,
  },
  'KkpVspherePreset name: upper case and a space': {
    build: (w) => preset(w, { name: 'Team A' }),
    input: 'KkpVspherePreset kkp-master/P name',
    fix: /"Team A" is not a Kubernetes object name; give lower-case letters, digits, "-" and "\."/,
  },
  'KkpVspherePreset name: two presets of one name': {
    build: (w) => {
      const m = masterStack(w);
      new KkpVspherePreset(m.stack, 'A', { name: 'team-a', username: 'VSPHERE.LOCAL\\a' });
      new KkpVspherePreset(m.stack, 'B', { name: 'team-a', username: 'VSPHERE.LOCAL\\b' });
    },
    input: 'KkpVspherePreset kkp-master/B name',
    fix: /another KkpVspherePreset of this stack already writes Preset "team-a"; give each its own name/,
  },
  'KkpVspherePreset basePath on KKP 2.23': {
    build: (w) => preset(w, { basePath: 'team-a' }, '2.23'),
    input: 'KkpVspherePreset kkp-master/P basePath',
    fix: /KKP 2\.23's Preset has no spec\.vsphere\.basePath \(KKP 2\.24 and later has it\)\. Leave basePath out or use a KKP release that has it/,
  },
  'KkpVspherePreset requiredEmailDomain on KKP 2.31': {
    build: (w) => preset(w, { requiredEmailDomain: 'example.com' }),
    input: 'KkpVspherePreset kkp-master/P requiredEmailDomain',
    fix: /KKP 2\.31's Preset has no spec\.requiredEmailDomain \(KKP 2\.12 to 2\.19 has it\).*Use requiredEmails instead/,
  },
  'KkpVspherePreset requiredEmails on KKP 2.17': {
    build: (w) => preset(w, { requiredEmails: ['example.com'] }, '2.17'),
    input: 'KkpVspherePreset kkp-master/P requiredEmails',
    fix: /KKP 2\.17's Preset has no spec\.requiredEmails \(KKP 2\.18 and later has it\).*Use requiredEmailDomain \(one domain\) instead/,
  },
  'KkpVspherePreset networks: two on KKP 2.23': {
    build: (w) => preset(w, (m) => ({ networks: [m.inventory.network('a'), m.inventory.network('b')] }), '2.23'),
    input: 'KkpVspherePreset kkp-master/P networks',
    fix: /takes one network \(spec\.vsphere\.vmNetName\); a list \(networks\) arrives in 2\.24\. Give one network/,
  },
  'KkpVspherePreset datastore: a network': {
    build: (w) => preset(w, (m) => ({ datastore: m.inventory.network('a') })),
    input: 'KkpVspherePreset kkp-master/P datastore',
    fix: /\/dc-7\/network\/a is a network; pass inventory\.datastore\('\.\.\.'\) or inventory\.datastoreCluster\('\.\.\.'\)/,
  },
  'KkpVspherePreset projects: a name instead of a project id': {
    build: (w) => preset(w, { projects: ['Team A'] }),
    input: 'KkpVspherePreset kkp-master/P projects[0]',
    fix: /"Team A" is not a KKP project id/,
  },
  'KkpVspherePreset projects: an empty list': {
    build: (w) => preset(w, { projects: [] }),
    input: 'KkpVspherePreset kkp-master/P projects',
    fix: /expected a non-empty list.*leave projects out to set no limit/,
  },
  'KkpVspherePreset resourcePool: Terraform interpolation': {
    build: (w) => preset(w, { resourcePool: 'pool-${var.vsphere_password}' }),
    input: 'KkpVspherePreset kkp-master/P resourcePool',
    fix: /contains "\$\{", which Terraform evaluates as an interpolation/,
  },
  'KkpVspherePreset username: a newline': {
    build: (w) => preset(w, { username: 'VSPHERE.LOCAL\\kkp\nx' }),
    input: 'KkpVspherePreset kkp-master/P: prop username',
    fix: /contains .*which the gcfg cloud-config cannot carry; remove it/,
  },
  'KkpVspherePreset: props missing': {
    build: (w) => new KkpVspherePreset(masterStack(w).stack, 'P', undefined as any),
    input: 'KkpVspherePreset kkp-master/P',
    fix: /props are missing; give name and username/,
  },
});

// ---- the run ------------------------------------------------------------------------------------------------------

let baseline: string;
let baselineFiles: Map<string, string>;

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const file = path.join((e as any).parentPath ?? (e as any).path, e.name);
      files.set(path.relative(dir, file), fs.readFileSync(file, 'utf8'));
    }
  }
  return files;
}

beforeAll(() => {
  // An earlier good synth of the same stacks: what a failing synth must leave untouched.
  baseline = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bad-inputs-base-'));
  const app = new App({ outdir: baseline, stackTraces: false });
  const w = world(app);
  manage(w);
  seedPermissions(w, {});
  w.other();
  app.synth();
  baselineFiles = filesUnder(baseline);
  expect([...baselineFiles.keys()].sort()).toEqual(['manifest.json', 'stacks/kkp-seed/cdk.tf.json', 'stacks/kkp-user/cdk.tf.json']);
});

afterAll(() => {
  for (const dir of [baseline, path.dirname(outsideFile), ...reportDirs]) fs.rmSync(dir, { recursive: true, force: true });
});

const CONSTRUCT_INPUT = new RegExp(
  `^((${['VsphereInventory', 'VmFolder', 'KkpRoles', 'VsphereRole', 'SeedPermissions', 'UserClusterPermissions', 'UserClusterFolder',
    'CloudConfigSecret', 'VmTemplate', 'KkpDatacenterSpec', 'KkpUserCluster', 'KkpVspherePreset', 'KkpAdoption', 'AdoptedTemplate'].join('|')}) )`,
);

test('the table holds at least 100 bad inputs', () => {
  expect(Object.keys(ROWS).length).toBeGreaterThanOrEqual(100);
});

test.each(Object.entries(ROWS))('%s', (_name, row) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bad-inputs-'));
  try {
    fs.cpSync(baseline, outdir, { recursive: true });
    let error: Error | undefined;
    try {
      const app = new App({ outdir, stackTraces: false });
      const w = world(app);
      if (row.providerPassword) {
        // Replace the good provider by one with the bad password.
        w.stack.node.tryRemoveChild('vsphere');
        new VsphereProvider(w.stack, 'vsphere', { user: 'terraform@vsphere.local', password: row.providerPassword(w.stack) });
      }
      row.build(w);
      app.synth();
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    const message = error!.message;
    if (process.env.SHOW_MESSAGES) console.log(`${_name}\n${message}`);
    expect(message).toContain(row.input);
    expect(message).toMatch(row.fix);
    // A construct's error is the library's one error type (test/house/validation-errors.test.ts checks its fields).
    if (CONSTRUCT_INPUT.test(row.input)) expect([row.input, KkpValidationError.isKkpValidationError(error)]).toEqual([row.input, true]);
    for (const secret of [SECRET, row.secret].filter((s): s is string => !!s)) {
      expect(message).not.toContain(secret);
      // Nothing was written: the earlier output is as it was, so neither cdk.tf.json nor the report can show it.
      const after = filesUnder(outdir);
      expect(after).toEqual(baselineFiles);
      const report = readSynthOutput(outdir);
      expect(renderReportMarkdown(report)).not.toContain(secret);
      expect(JSON.stringify(report)).not.toContain(secret);
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
