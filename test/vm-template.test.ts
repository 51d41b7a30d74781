// VmTemplate at synth: the kkpvsphere_vm_template it writes (what a reviewer reads in the plan: every object by
// inventory path, the source, the vApp properties), OVA URLs and their secrets (the provider's write-only attributes),
// local images identified by content, per-network templates and every validation message. The import itself runs
// against the simulator in vm-template.vcsim.test.ts (and in provider/'s Go tests).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { PredefinedRole, VmFolder, VsphereInventory, VspherePermissions } from '../src';
import { VmTemplate, VmTemplateProps, VmTemplateSource } from '../src/constructs';
import { VM_IMAGE_PRESETS } from '../src/facts';
import { convertImage } from '../src/tools/images';
import { KkpSeedStack } from '../examples/kkp-seed/main';
import { newStack, synthJson } from './permissions/support';

const sha256sum = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Fixture {
  stack: TerraformStack;
  inventory: VsphereInventory;
  folder: VmFolder;
  base: Omit<VmTemplateProps, 'source'>;
}

function fixture(): Fixture {
  const stack = newStack();
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const kkp = new VmFolder(stack, 'Kkp', { inventory, path: 'kkp' });
  const folder = new VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkp });
  const base = {
    inventory,
    folder,
    network: inventory.network('kkp-workers'),
    datastore: inventory.datastore('ds-ssd-1'),
    resourcePool: inventory.computeCluster('cluster-1'),
    host: 'esxi-01.example.com',
  };
  return { stack, inventory, folder, base };
}

function imports(json: any): any[] {
  return Object.values<any>(json.resource?.kkpvsphere_vm_template ?? {});
}

function only(json: any): any {
  const all = imports(json);
  if (all.length !== 1) throw new Error(`expected one kkpvsphere_vm_template, found ${all.length}`);
  return all[0];
}

/** The image digests a local source's template is replaced by (its ImageDigest terraform_data's input). */
function digestOf(json: any, template: any): any {
  const [ref] = template.lifecycle.replace_triggered_by;
  // a bare address: Terraform's JSON syntax refuses "${...}" there
  const name = /^terraform_data\.([^.${}]+)$/.exec(ref)![1];
  return json.resource.terraform_data[name].input;
}

const UBUNTU_URL = 'https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.ova';

describe('VmTemplate synthesizes one kkpvsphere_vm_template: what is imported, in words', () => {
  test('the Ubuntu preset: every object by inventory path, the URL, thin disks, the default timeout; the provider beside the vSphere one', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Ubuntu', { ...base, source: VmTemplateSource.preset('ubuntu-22.04') });
    expect([t.templateName, t.osKey, t.inventoryPath]).toEqual(['kkp-ubuntu-22.04', 'ubuntu', '/dc-1/vm/kkp/templates/kkp-ubuntu-22.04']);
    const json = synthJson(stack);
    const r = only(json);
    const { '//': meta, depends_on: dependsOn, ...attributes } = r;
    expect(attributes).toEqual({
      name: 'kkp-ubuntu-22.04',
      folder: '/dc-1/vm/kkp/templates',
      resource_pool: '/dc-1/host/cluster-1/Resources',
      datastore: '/dc-1/datastore/ds-ssd-1',
      network: '/dc-1/network/kkp-workers',
      ovf_network: 'VM Network',
      host: 'esxi-01.example.com',
      source: UBUNTU_URL,
      disk_provisioning: 'thin',
      timeout: '30m',
    });
    // the folder the stack creates exists before the import
    expect(dependsOn).toEqual([expect.stringMatching(/^vsphere_folder\.Templates_Folder_/)]);
    expect(meta.kkp).toMatchObject({ template: 'kkp-ubuntu-22.04', os: 'ubuntu', folder: '/dc-1/vm/kkp/templates', sourceKind: 'url', source: UBUNTU_URL, preset: 'ubuntu-22.04' });
    expect(json.terraform.required_providers.kkpvsphere.source).toBe('cdktf-kkp-vsphere/kkpvsphere');
    expect(json.provider.kkpvsphere).toEqual([{ user: '${var.u}', password: '${var.p}' }]);
    // no provisioner anywhere: terraform apply starts no Node process
    expect(JSON.stringify(json)).not.toMatch(/local-exec|cdktf-kkp-vsphere template-/);
  });

  test('no vsphere_virtual_machine, no data source of its own: objects are resolved by path at plan time', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
    new VmTemplate(stack, 'T', {
      inventory,
      folder: 'kkp/templates',
      network: 'kkp-workers',
      datastore: 'ds-1',
      resourcePool: 'cluster-1/Resources/templates',
      source: VmTemplateSource.preset('ubuntu-22.04'),
    });
    const json = synthJson(stack);
    expect(json.data).toBeUndefined();
    expect(Object.keys(json.resource)).toEqual(['kkpvsphere_vm_template']);
    const r = only(json);
    expect(r).toMatchObject({ folder: '/dc-1/vm/kkp/templates', resource_pool: '/dc-1/host/cluster-1/Resources/templates' });
    expect(r.host).toBeUndefined();
  });

  test('Flatcar: the Ignition vApp properties machine-controller fills in are part of the import', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Flatcar', { ...base, source: VmTemplateSource.preset('flatcar-stable') });
    expect([t.osKey, t.templateName]).toEqual(['flatcar', 'kkp-flatcar-stable']);
    expect(only(synthJson(stack)).vapp_properties).toEqual(['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding']);
  });

  test('any other OVA URL: its OS key, name from the file name, OVF network, disk provisioning, TLS option, timeout', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Custom', {
      ...base,
      source: VmTemplateSource.ovaUrl('https://images.example.com/ubuntu/noble%20custom.ova', { os: 'ubuntu', ovfNetworkName: 'nat' }),
      diskProvisioning: 'eagerZeroedThick',
      allowUnverifiedSslCert: true,
      importTimeout: '2h',
    });
    expect(t.templateName).toBe('noble custom');
    expect(only(synthJson(stack))).toMatchObject({
      source: 'https://images.example.com/ubuntu/noble%20custom.ova',
      ovf_network: 'nat',
      disk_provisioning: 'eagerZeroedThick',
      allow_unverified_source_ssl: true,
      timeout: '2h',
    });
  });

  test('the provisioner version\'s props are refused with what to do: markAsTemplate false, command; a bad timeout', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'A', { ...base, markAsTemplate: false, source: VmTemplateSource.preset('ubuntu-22.04') } as any)).toThrow(
      'VmTemplate test/A markAsTemplate: the kkpvsphere provider always marks the import as a template',
    );
    expect(() => new VmTemplate(stack, 'B', { ...base, command: 'node main.js', source: VmTemplateSource.preset('ubuntu-22.04') } as any)).toThrow(
      'VmTemplate test/B command: templates are imported by the kkpvsphere provider, not by a command; remove command.',
    );
    expect(() => new VmTemplate(stack, 'C', { ...base, importTimeout: '30 minutes', source: VmTemplateSource.preset('ubuntu-22.04') })).toThrow(
      'VmTemplate test/C importTimeout: "30 minutes" is not a duration; give one such as "90m" or "2h".',
    );
  });

  test('moving from the provisioner version: the old terraform_data forgotten, the template imported by its inventory path', () => {
    const { stack, base } = fixture();
    new VmTemplate(stack, 'Ubuntu', { ...base, source: VmTemplateSource.preset('ubuntu-22.04') });
    const before = synthJson(stack);
    expect(before.import).toBeUndefined();
    expect(before.removed).toBeUndefined();
    VspherePermissions.migrateFromProvisioners(stack);
    const json = synthJson(stack);
    const [name] = Object.keys(json.resource.kkpvsphere_vm_template);
    expect(json.import).toEqual([{ to: `kkpvsphere_vm_template.${name}`, id: '/dc-1/vm/kkp/templates/kkp-ubuntu-22.04' }]);
    // the address the provisioner version gave the template's terraform_data (the construct <template>/Import)
    // (and the additive grants' block: forgetting an address that is not in the state changes nothing)
    expect(json.removed).toEqual([
      { from: expect.stringMatching(/^terraform_data\.KkpVspherePermissions_AdditiveGrants_[0-9A-F]{8}$/), lifecycle: { destroy: false } },
      { from: expect.stringMatching(/^terraform_data\.Ubuntu_Import_[0-9A-F]{8}$/), lifecycle: { destroy: false } },
    ]);
  });

  test('templates and additive grants share one kkpvsphere provider', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
    new VmTemplate(stack, 'T', { inventory, folder: '', network: 'n', datastore: 'd', resourcePool: 'c/Resources', source: VmTemplateSource.preset('ubuntu-22.04') });
    VspherePermissions.grant({ principal: 'A\\mc', role: PredefinedRole.READ_ONLY, entity: inventory.datastore('d'), propagate: false });
    const json = synthJson(stack);
    expect(json.provider.kkpvsphere).toHaveLength(1);
    expect(Object.keys(json.resource).sort()).toEqual(['kkpvsphere_permissions', 'kkpvsphere_vm_template']);
    // both on the stack's one (unaliased) kkpvsphere provider
    expect([...Object.values<any>(json.resource.kkpvsphere_permissions), ...Object.values<any>(json.resource.kkpvsphere_vm_template)].map((r) => r.provider)).toEqual([undefined, undefined]);
    expect(only(json).folder).toBe('/dc-1/vm');
  });

  test('a datastore cluster and entities from the inventory give their inventory paths', () => {
    const { stack, base, inventory } = fixture();
    new VmTemplate(stack, 'U', { ...base, datastore: undefined, datastoreCluster: inventory.datastoreCluster('pod-1'), source: VmTemplateSource.preset('ubuntu-22.04') });
    expect(only(synthJson(stack))).toMatchObject({ datastore: '/dc-1/datastore/pod-1', network: '/dc-1/network/kkp-workers' });
  });
});

describe('OVA URLs never carry a secret into cdk.tf.json', () => {
  const SECRET = 's3cr3t-T0KEN';

  test.each([
    [`https://kkp:${SECRET}@images.example.com/flatcar.ova`, 'user-info (user:password@)', 'https://REDACTED@images.example.com/flatcar.ova'],
    [`https://images.example.com/flatcar.ova?X-Amz-Signature=${SECRET}`, 'a query (?...)', 'https://images.example.com/flatcar.ova?…'],
    [`https://images.example.com/flatcar.ova#${SECRET}`, 'a fragment (#...)', 'https://images.example.com/flatcar.ova'],
    [`https://u:${SECRET}@images.example.com/x.ova?t=${SECRET}#${SECRET}`, 'user-info (user:password@) and a query (?...) and a fragment (#...)', 'https://REDACTED@images.example.com/x.ova?…'],
  ])('%s is refused; the message is redacted and names the fix', (url, parts, shown) => {
    let message = '';
    try {
      VmTemplateSource.ovaUrl(url, { os: 'flatcar' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `VmTemplateSource.ovaUrl: "${shown}" carries ${parts}, which would be written into cdk.tf.json and the plan. Give the URL ` +
        "without them, and the secret part as a sensitive variable: VmTemplateSource.ovaUrl('https://host/path/image.ova', " +
        "{ os, urlSecret: { variable, part: 'query' | 'userinfo' } }) with new TerraformVariable(this, name, { type: \"string\", sensitive: true }).",
    );
    expect(message).not.toContain(SECRET);
  });

  test('other refused URLs are redacted too', () => {
    expect(() => VmTemplateSource.ovaUrl(`ftp://u:${SECRET}@host/x.ova`)).toThrow('"ftp://REDACTED@host/x.ova" uses ftp');
    expect(() => VmTemplateSource.ovaUrl(`u:${SECRET}@host/x.ova`)).toThrow('"REDACTED@host/x.ova" uses u; only http and https');
  });

  test('the secret part comes from a sensitive variable at apply time: the provider\'s write-only source_query / source_userinfo, never a value', () => {
    const { stack, base } = fixture();
    const token = new TerraformVariable(stack, 'flatcar_ova_token', { type: 'string', sensitive: true });
    new VmTemplate(stack, 'F', {
      ...base,
      source: VmTemplateSource.ovaUrl('https://images.example.com/flatcar.ova', { os: 'flatcar', urlSecret: { variable: token, part: 'query' } }),
    });
    const user = new TerraformVariable(stack, 'mirror_login', { type: 'string', sensitive: true });
    new VmTemplate(stack, 'U', {
      ...base,
      source: VmTemplateSource.ovaUrl('https://mirror.example.com/ubuntu.ova', { os: 'ubuntu', urlSecret: { variable: user, part: 'userinfo' } }),
    });
    const json = synthJson(stack);
    const [flatcar, ubuntu] = imports(json);
    expect(flatcar.source).toBe('https://images.example.com/flatcar.ova');
    expect(flatcar.source_query).toBe('${var.flatcar_ova_token}');
    expect(flatcar.source_userinfo).toBeUndefined();
    expect([ubuntu.source, ubuntu.source_userinfo, ubuntu.source_query]).toEqual(['https://mirror.example.com/ubuntu.ova', '${var.mirror_login}', undefined]);
    expect(json.variable.flatcar_ova_token).toEqual({ type: 'string', sensitive: true });
  });

  test('a variable that is not sensitive is refused', () => {
    const stack = newStack();
    const plain = new TerraformVariable(stack, 'token', { type: 'string' });
    expect(() => VmTemplateSource.ovaUrl('https://h/x.ova', { os: 'ubuntu', urlSecret: { variable: plain, part: 'userinfo' } })).toThrow(
      'VmTemplateSource.ovaUrl: urlSecret.variable test/token is not sensitive; declare it with sensitive: true so terraform keeps its value out of plans and logs.',
    );
  });
});

describe('VmTemplate per network and per OS', () => {
  test('one line gives a template per network, each named after its network and mapped to it', () => {
    const { stack, base, inventory } = fixture();
    const { network: _n, ...rest } = base;
    const templates = VmTemplate.perNetwork(stack, 'Ubuntu', { ...rest, source: VmTemplateSource.preset('ubuntu-22.04'), networks: [inventory.network('team-a'), 'team b'] });
    expect(templates.map((t) => [t.templateName, t.osKey])).toEqual([
      ['kkp-ubuntu-22.04-team-a', 'ubuntu'],
      ['kkp-ubuntu-22.04-team b', 'ubuntu'],
    ]);
    expect(imports(synthJson(stack)).map((r) => [r.name, r.network])).toEqual([
      ['kkp-ubuntu-22.04-team-a', '/dc-1/network/team-a'],
      ['kkp-ubuntu-22.04-team b', '/dc-1/network/team b'],
    ]);
  });

  test('templateName and osKey feed the datacenter spec: one template per OS key', () => {
    const { stack, base } = fixture();
    const all = [
      new VmTemplate(stack, 'U', { ...base, source: VmTemplateSource.preset('ubuntu-22.04') }),
      new VmTemplate(stack, 'F', { ...base, source: VmTemplateSource.preset('flatcar-stable') }),
    ];
    expect(Object.fromEntries(all.map((t) => [t.osKey, t.templateName]))).toEqual({ ubuntu: 'kkp-ubuntu-22.04', flatcar: 'kkp-flatcar-stable' });
  });

  test('every preset has a KKP OS key; OVA presets have an https URL ending in .ova', () => {
    for (const [name, p] of Object.entries(VM_IMAGE_PRESETS)) {
      expect(['ubuntu', 'flatcar', 'rhel', 'rockylinux', 'centos']).toContain(p.os);
      if (p.format === 'ova') expect(p.url).toMatch(/^https:\/\/.+\.ova$/);
      else expect(p.url ?? p.downloadPage).toMatch(/^https:\/\//);
      expect(p.defaultTemplateName).toContain(name.split('-')[0]);
    }
  });
});

describe('VmTemplate validation at synth', () => {
  const ubuntu = () => VmTemplateSource.preset('ubuntu-22.04');

  test('missing datastore, both datastores, missing resource pool, an empty host', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'A', { ...base, datastore: undefined, source: ubuntu() })).toThrow(
      "VmTemplate test/A: datastore is missing; give datastore (or datastoreCluster) for the template's disk.",
    );
    expect(() => new VmTemplate(stack, 'B', { ...base, datastoreCluster: 'pod-1', source: ubuntu() })).toThrow(
      'VmTemplate test/B: both datastore and datastoreCluster are set; give one of them.',
    );
    expect(() => new VmTemplate(stack, 'C', { ...base, resourcePool: undefined as any, source: ubuntu() })).toThrow(
      'VmTemplate test/C: resourcePool is missing; give the compute cluster (inventory.computeCluster(name)) or a pool path such as "cluster-1/Resources".',
    );
    expect(() => new VmTemplate(stack, 'D', { ...base, host: '', source: ubuntu() })).toThrow('VmTemplate test/D host: must be a non-empty name');
  });

  test.each([
    ['ftp://mirror.example.com/ubuntu.ova', 'VmTemplateSource.ovaUrl: "ftp://mirror.example.com/ubuntu.ova" uses ftp; only http and https URLs can be imported (for a file on this machine use VmTemplateSource.localOvf).'],
    ['cloud-images.ubuntu.com/ubuntu.ova', 'VmTemplateSource.ovaUrl: "cloud-images.ubuntu.com/ubuntu.ova" is not a URL; give an http(s) URL of an .ova or .ovf file.'],
    ['https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud.qcow2', 'is a disk image, not an OVF package; convert it with `cdktf-kkp-vsphere convert-image <image> --out <dir>`'],
    ['https://example.com/ubuntu.OVA', 'must end in ".ova" or ".ovf"'],
  ])('URL %s is refused', (url, message) => {
    expect(() => VmTemplateSource.ovaUrl(url, { os: 'ubuntu' })).toThrow(message);
  });

  test('OS keys: unknown, missing, contradicting the preset', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'A', { ...base, source: VmTemplateSource.ovaUrl('https://example.com/win.ova', { os: 'windows' as any }) })).toThrow(
      'VmTemplate test/A: os "windows" is not a KKP operating-system key; use one of centos, flatcar, rhel, rockylinux, ubuntu.',
    );
    expect(() => new VmTemplate(stack, 'B', { ...base, source: VmTemplateSource.ovaUrl('https://example.com/x.ova') })).toThrow(
      'VmTemplate test/B: os is required for a source that is not a preset; use one of centos, flatcar, rhel, rockylinux, ubuntu.',
    );
    expect(() => new VmTemplate(stack, 'C', { ...base, os: 'flatcar', source: ubuntu() })).toThrow(
      'VmTemplate test/C: os "flatcar" contradicts the preset "ubuntu-22.04", which is "ubuntu"; drop os.',
    );
  });

  test('an unknown preset and a QCOW2 preset name the way forward', () => {
    expect(() => VmTemplateSource.preset('debian-12' as any)).toThrow('Unknown image preset "debian-12": use one of ubuntu-20.04,');
    expect(() => VmTemplateSource.preset('rockylinux-9')).toThrow(
      'Image preset "rockylinux-9" is published as QCOW2, which vSphere cannot import: download https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2, run `cdktf-kkp-vsphere convert-image <file>.qcow2 --out <dir> --guest-os rhel9_64Guest`',
    );
  });

  test('a template name clash in the datacenter, even across folders; another datacenter may reuse it', () => {
    const { stack, base, inventory } = fixture();
    new VmTemplate(stack, 'A', { ...base, source: ubuntu() });
    const other = new VmFolder(stack, 'Other', { inventory, path: 'other-templates' });
    expect(() => new VmTemplate(stack, 'B', { ...base, folder: other, source: ubuntu() })).toThrow(
      'VmTemplate test/B: template name "kkp-ubuntu-22.04" is already used by test/A in datacenter "dc-1"; machine-controller finds templates by name among all VMs of the datacenter, so give each template its own name.',
    );
    const dc2 = new VsphereInventory(stack, 'Dc2', { datacenter: 'dc-2' });
    const f2 = new VmFolder(stack, 'F2', { inventory: dc2, path: 'templates' });
    expect(() => new VmTemplate(stack, 'C', { ...base, inventory: dc2, folder: f2, network: 'n', datastore: 'd', resourcePool: 'c/Resources', source: ubuntu() })).not.toThrow();
  });

  test('bad names, disk provisioning, entities of the wrong kind or datacenter, TLS option on a file', () => {
    const { stack, base, inventory } = fixture();
    expect(() => new VmTemplate(stack, 'N', { ...base, name: 'a/b', source: ubuntu() })).toThrow('VmTemplate test/N name: "a/b" contains "/"');
    expect(() => new VmTemplate(stack, 'L', { ...base, name: 'x'.repeat(61), source: ubuntu() })).toThrow('has 61 characters; the import runs under "<name>.importing-<id>" and vSphere VM names have at most 80, so a template name has at most 60.');
    expect(() => new VmTemplate(stack, 'D', { ...base, diskProvisioning: 'sparse' as any, source: ubuntu() })).toThrow(
      'VmTemplate test/D: diskProvisioning "sparse" is invalid; use one of thin, thick, eagerZeroedThick.',
    );
    expect(() => new VmTemplate(stack, 'K', { ...base, network: inventory.datastore('ds'), source: ubuntu() })).toThrow(
      'VmTemplate test/K network: expected a network (from VsphereInventory), got a datastore.',
    );
    const dc2 = new VsphereInventory(stack, 'Dc2', { datacenter: 'dc-2' });
    expect(() => new VmTemplate(stack, 'X', { ...base, inventory: dc2, source: ubuntu() })).toThrow(
      'VmTemplate test/X: folder /dc-1/vm/kkp/templates is in datacenter "dc-1", not "dc-2"; put the template in a folder of its own datacenter.',
    );
    expect(() => new VmTemplate(stack, 'Y', { ...base, inventory: dc2, folder: 't', source: ubuntu() })).toThrow(
      'VmTemplate test/Y: network /dc-1/network/kkp-workers is not in datacenter "dc-2"; give an object of the template\'s datacenter.',
    );
    expect(() => new VmTemplate(stack, 'Z', { ...base, allowUnverifiedSslCert: true, source: VmTemplateSource.localOvf('/x/a.ovf', { os: 'ubuntu' }) })).toThrow(
      'VmTemplate test/Z: allowUnverifiedSslCert applies to image URLs only; drop it for a local file.',
    );
    expect(() => VmTemplate.perNetwork(stack, 'P', { ...base, source: ubuntu(), networks: [] })).toThrow('VmTemplate test/P networks: give at least one network; perNetwork makes one template per network.');
  });

  test('local sources: a disk image or a URL is refused, a path is written for terraform\'s working directory, a missing file warns', () => {
    expect(() => VmTemplateSource.localOvf('images/CentOS-7.qcow2', { os: 'centos' })).toThrow('is a disk image, not an OVF package');
    expect(() => VmTemplateSource.localOvf('https://example.com/a.ova')).toThrow('is a URL; use VmTemplateSource.ovaUrl for it.');
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Local', { ...base, source: VmTemplateSource.localOvf('out/centos.ovf', { os: 'centos' }) });
    expect(t.templateName).toBe('centos');
    const json = synthJson(stack);
    const r = only(json);
    // Relative, and resolved from the stack's working directory (cdktf's <outdir>/stacks/<stack>, where terraform runs
    // the provider) it is the file.
    expect(path.isAbsolute(r.source)).toBe(false);
    expect(path.resolve(App.of(stack).outdir, 'stacks', 'test', r.source)).toBe(path.resolve('out/centos.ovf'));
    // Missing at synth: identified by its file name only, and the warning says so.
    expect(digestOf(json, r)).toEqual({ file: 'centos.ovf', sha256: {} });
    expect(r['//'].kkp).toMatchObject({ sourceKind: 'file', source: r.source, image: { file: 'centos.ovf', sha256: {} } });
    const warnings = t.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^VmTemplate test/Local: ${path.resolve('out/centos.ovf')} does not exist on this machine.*identified by its file name only`)),
    ]);
  });
});

describe('VmTemplate from a real QCOW2 converted by convert-image', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vm-template-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the converted .ovf (or .ova) is the file source, by its path from the stack directory and its SHA-256, with the converted network name', async () => {
    const qcow2 = path.join(dir, 'CentOS-7-x86_64-GenericCloud.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
    const image = await convertImage({ input: qcow2, outDir: path.join(dir, 'out'), name: 'centos-7-kkp', guestOs: VM_IMAGE_PRESETS['centos-7'].guestOs, ova: true, networkName: 'nat' });
    const { stack, base } = fixture();
    const fromOvf = new VmTemplate(stack, 'CentOS', { ...base, source: VmTemplateSource.convertedImage(image, { os: 'centos' }) });
    new VmTemplate(stack, 'CentOSOva', { ...base, name: 'centos-7-kkp-ova', source: VmTemplateSource.convertedImage(image, { os: 'centos', useOva: true }) });
    expect([fromOvf.templateName, fromOvf.osKey]).toEqual(['centos-7-kkp', 'centos']);
    expect(fromOvf.node.metadata.filter((m) => m.type === '@cdktf/warn')).toEqual([]);
    const workDir = path.resolve(App.of(stack).outdir, 'stacks', 'test');
    const json = synthJson(stack);
    const all = imports(json);
    expect(all.map((r) => [path.resolve(workDir, r.source), r.ovf_network])).toEqual([
      [image.ovfPath, 'nat'],
      [image.ovaPath, 'nat'],
    ]);
    // The image is identified by content: the descriptor and the manifest (which holds the disk's SHA-256), or the OVA.
    expect(all.map((r) => digestOf(json, r))).toEqual([
      { file: 'centos-7-kkp.ovf', sha256: { 'centos-7-kkp.ovf': image.sha256['centos-7-kkp.ovf'], 'centos-7-kkp.mf': sha256sum(image.manifestPath) } },
      { file: 'centos-7-kkp.ova', sha256: { 'centos-7-kkp.ova': sha256sum(image.ovaPath!) } },
    ]);
  });
});

describe('a local image: the same cdk.tf.json in every checkout; a changed image replaces the template', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  /** A checkout of an app at a new place: `<tmp>/<...>/app` with an images folder holding a converted package. */
  function checkout(manifest: string, depth = 1, imageDir = 'images'): string {
    const root = mkdtempSync(path.join(tmpdir(), 'vm-template-checkout-'));
    roots.push(root);
    const app = path.join(root, ...Array.from({ length: depth }, (_, i) => `level${i}`), 'app');
    mkdirSync(path.join(app, imageDir), { recursive: true });
    writeFileSync(path.join(app, imageDir, 'kkp-rockylinux-9.ovf'), '<Envelope/>\n');
    writeFileSync(path.join(app, imageDir, 'kkp-rockylinux-9.mf'), manifest);
    return app;
  }

  /** `cdktf synth` of the app, as the CLI runs it: in the app's directory, into ./cdktf.out. */
  function synthIn(app: string, file = path.join(app, 'images', 'kkp-rockylinux-9.ovf')): string {
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const cdktfApp = new App({ outdir: 'cdktf.out' });
      const stack = new TerraformStack(cdktfApp, 'templates');
      // cdktf's default local backend writes the state file's absolute path; a state path relative to the stack
      // directory keeps the rest of cdk.tf.json free of the checkout's location too.
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
      new VmTemplate(stack, 'Rocky', {
        inventory,
        folder: 'kkp/templates',
        network: 'kkp-workers',
        datastore: 'ds-1',
        resourcePool: 'cluster-1/Resources',
        // Absolute, as the example builds it from __dirname.
        source: VmTemplateSource.localOvf(file, { os: 'rockylinux' }),
      });
      cdktfApp.synth();
      return readFileSync(path.join(app, 'cdktf.out', 'stacks', 'templates', 'cdk.tf.json'), 'utf8');
    } finally {
      process.chdir(cwd);
    }
  }

  const MF = 'SHA256(kkp-rockylinux-9.ovf)= 00\nSHA256(kkp-rockylinux-9-disk1.vmdk)= 11\n';

  test('two checkouts at different places and depths give byte-identical cdk.tf.json, the path relative to the stack directory', () => {
    const a = checkout(MF, 1);
    const b = checkout(MF, 3);
    const [ja, jb] = [synthIn(a), synthIn(b)];
    expect(ja).toBe(jb);
    expect(ja).not.toContain(path.dirname(a));
    const json = JSON.parse(ja);
    const r = only(json);
    expect(r.source).toBe('../../../images/kkp-rockylinux-9.ovf');
    expect(digestOf(json, r)).toEqual({
      file: 'kkp-rockylinux-9.ovf',
      sha256: { 'kkp-rockylinux-9.ovf': sha256sum(path.join(a, 'images/kkp-rockylinux-9.ovf')), 'kkp-rockylinux-9.mf': sha256sum(path.join(a, 'images/kkp-rockylinux-9.mf')) },
    });
  });

  test('a file outside the project (a shared folder) is written as its absolute path', () => {
    const app = checkout(MF);
    const shared = mkdtempSync(path.join(tmpdir(), 'vm-template-shared-'));
    roots.push(shared);
    cpSync(path.join(app, 'images'), shared, { recursive: true });
    const r = only(JSON.parse(synthIn(app, path.join(shared, 'kkp-rockylinux-9.ovf'))));
    expect(r.source).toBe(path.join(shared, 'kkp-rockylinux-9.ovf'));
  });

  test('a changed image changes only the digest the template is replaced by (replace_triggered_by); the path stays', () => {
    const a = JSON.parse(synthIn(checkout(MF)));
    const b = JSON.parse(synthIn(checkout(MF.replace('= 11', '= 22'))));
    expect(only(b).source).toBe(only(a).source);
    expect(only(b).lifecycle).toEqual(only(a).lifecycle);
    expect(digestOf(b, only(b)).sha256['kkp-rockylinux-9.mf']).not.toBe(digestOf(a, only(a)).sha256['kkp-rockylinux-9.mf']);
  });
});

describe('examples/kkp-seed templates', () => {
  test('the example imports an Ubuntu OVA template and a converted-QCOW2 Rocky Linux template into the template folder', () => {
    const json = synthJson(new KkpSeedStack(Testing.app(), 'kkp-seed'));
    const byName = Object.fromEntries(imports(json).map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['kkp-rockylinux-9', 'kkp-ubuntu-22.04']);
    expect(byName['kkp-ubuntu-22.04']).toMatchObject({ source: VM_IMAGE_PRESETS['ubuntu-22.04'].url });
    expect(byName['kkp-rockylinux-9'].source).toMatch(/\/kkp-rockylinux-9\.ovf$/);
    for (const r of Object.values<any>(byName)) expect(r).toMatchObject({ folder: '/dc-1/vm/kkp/templates' });
    expect(json.resource.vsphere_virtual_machine).toBeUndefined();
  });
});
