// VmTemplate: the synthesized ovf_deploy import (OVA URL and converted QCOW2), per-network templates, the snapshot
// option and every validation message. The QCOW2 path converts a real image with qemu-img.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { VmFolder, VsphereInventory } from '../src';
import { VmTemplate, VmTemplateProps, VmTemplateSource } from '../src/vm-template';
import { VM_IMAGE_PRESETS } from '../src/vm-template-presets';
import { convertImage, verifyConvertedImage } from '../src/images';
import { KkpSeedStack } from '../examples/kkp-seed/main';
import { newStack, resources, synthJson } from './permissions/support';

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

function only(json: any, kind: 'resource' | 'data', type: string): any {
  const all = Object.values(json[kind]?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${kind} ${type}, found ${all.length}`);
  return all[0];
}

const ref = (type: string, attr = 'id') => expect.stringMatching(new RegExp(`^\\$\\{${type.replace(/\./g, '\\.')}\\.[A-Za-z0-9_-]+\\.${attr}\\}$`));

describe('VmTemplate from an OVA URL', () => {
  test('the Ubuntu preset: ovf_deploy from the URL into the relative template folder, hardware from the OVF, KKP settings', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Ubuntu', { ...base, source: VmTemplateSource.preset('ubuntu-22.04') });
    expect(t.templateName).toBe('kkp-ubuntu-22.04');
    expect(t.osKey).toBe('ubuntu');
    expect(t.inventoryPath).toBe('/dc-1/vm/kkp/templates/kkp-ubuntu-22.04');

    const json = synthJson(stack);
    const vm = only(json, 'resource', 'vsphere_virtual_machine');
    const url = 'https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.ova';
    const networkId = ref('data.vsphere_network');
    expect(vm).toMatchObject({
      name: 'kkp-ubuntu-22.04',
      folder: 'kkp/templates',
      datacenter_id: ref('data.vsphere_datacenter'),
      datastore_id: ref('data.vsphere_datastore'),
      resource_pool_id: ref('data.vsphere_compute_cluster', 'resource_pool_id'),
      host_system_id: ref('data.vsphere_host'),
      enable_disk_uuid: true,
      wait_for_guest_net_timeout: 0,
      wait_for_guest_ip_timeout: 0,
      num_cpus: ref('data.vsphere_ovf_vm_template', 'num_cpus'),
      num_cores_per_socket: ref('data.vsphere_ovf_vm_template', 'num_cores_per_socket'),
      memory: ref('data.vsphere_ovf_vm_template', 'memory'),
      guest_id: ref('data.vsphere_ovf_vm_template', 'guest_id'),
      firmware: ref('data.vsphere_ovf_vm_template', 'firmware'),
      scsi_type: ref('data.vsphere_ovf_vm_template', 'scsi_type'),
      network_interface: [{ network_id: networkId, adapter_type: 'vmxnet3' }],
      cdrom: [{ client_device: true }],
      ovf_deploy: {
        remote_ovf_url: url,
        disk_provisioning: 'thin',
        ovf_network_map: { 'VM Network': networkId },
        allow_unverified_ssl_cert: false,
      },
      depends_on: [expect.stringMatching(/^vsphere_folder\.Templates_Folder_/)],
      lifecycle: { ignore_changes: ['disk', 'vapp', 'host_system_id'] },
    });
    // No vapp block (the image's properties stay, Flatcar needs them), no disk block (the image's one disk stays),
    // no extra_config (ignored on OVF imports).
    expect(vm).not.toHaveProperty('vapp');
    expect(vm).not.toHaveProperty('disk');
    expect(vm).not.toHaveProperty('extra_config');
    expect(vm).not.toHaveProperty('local_ovf_path');
    expect(vm['//'].kkp).toMatchObject({ template: 'kkp-ubuntu-22.04', os: 'ubuntu', folder: '/dc-1/vm/kkp/templates', network: '/dc-1/network/kkp-workers', datastore: '/dc-1/datastore/ds-ssd-1' });

    // The data source computes the hardware for the same import (the same source, datastore, pool and network map).
    const { '//': _meta, ...ovf } = only(json, 'data', 'vsphere_ovf_vm_template');
    expect(ovf).toEqual({
      name: 'kkp-ubuntu-22.04',
      remote_ovf_url: url,
      resource_pool_id: vm.resource_pool_id,
      host_system_id: vm.host_system_id,
      datastore_id: vm.datastore_id,
      disk_provisioning: 'thin',
      ovf_network_map: { 'VM Network': networkId },
      allow_unverified_ssl_cert: false,
    });
    expect(only(json, 'data', 'vsphere_host')).toMatchObject({ name: 'esxi-01.example.com', datacenter_id: ref('data.vsphere_datacenter') });
    expect(resources(json, 'vsphere_virtual_machine_snapshot')).toHaveLength(0);
  });

  test('Flatcar preset: its OS key, CD-ROM and no vApp override, so guestinfo.ignition.* of the OVA stay', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Flatcar', { ...base, source: VmTemplateSource.preset('flatcar-stable') });
    expect([t.osKey, t.templateName]).toEqual(['flatcar', 'kkp-flatcar-stable']);
    const vm = only(synthJson(stack), 'resource', 'vsphere_virtual_machine');
    expect(vm.ovf_deploy.remote_ovf_url).toBe('https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_vmware_ova.ova');
    expect(vm.cdrom).toEqual([{ client_device: true }]);
    expect(vm).not.toHaveProperty('vapp');
    expect(vm.lifecycle.ignore_changes).toContain('vapp');
  });

  test('any other OVA URL with its OS key; name from the file name; disk provisioning and TLS option selectable', () => {
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Custom', {
      ...base,
      source: VmTemplateSource.ovaUrl('https://images.example.com/ubuntu/noble%20custom.ova', { os: 'ubuntu', ovfNetworkName: 'nat' }),
      diskProvisioning: 'eagerZeroedThick',
      allowUnverifiedSslCert: true,
      networkAdapterType: 'e1000e',
    });
    expect(t.templateName).toBe('noble custom');
    const json = synthJson(stack);
    const vm = only(json, 'resource', 'vsphere_virtual_machine');
    expect(vm.ovf_deploy).toEqual({
      remote_ovf_url: 'https://images.example.com/ubuntu/noble%20custom.ova',
      disk_provisioning: 'eagerZeroedThick',
      ovf_network_map: { nat: ref('data.vsphere_network') },
      allow_unverified_ssl_cert: true,
    });
    expect(vm.network_interface[0].adapter_type).toBe('e1000e');
    expect(only(json, 'data', 'vsphere_ovf_vm_template').disk_provisioning).toBe('eagerZeroedThick');
  });

  test('a resource pool by path and a datastore by name are looked up in the datacenter', () => {
    const { stack, base } = fixture();
    new VmTemplate(stack, 'U', {
      ...base,
      source: VmTemplateSource.preset('ubuntu-20.04'),
      datastore: 'ds-ssd-2',
      resourcePool: 'cluster-1/Resources/templates',
      network: 'kkp-templates',
    });
    const json = synthJson(stack);
    const vm = only(json, 'resource', 'vsphere_virtual_machine');
    expect(vm.resource_pool_id).toEqual(ref('data.vsphere_resource_pool'));
    expect(resources({ resource: json.data }, 'vsphere_resource_pool')).toEqual([
      expect.objectContaining({ name: '/dc-1/host/cluster-1/Resources/templates' }),
    ]);
    expect(Object.values(json.data.vsphere_datastore)).toContainEqual(expect.objectContaining({ name: 'ds-ssd-2' }));
    expect(Object.values(json.data.vsphere_network)).toContainEqual(expect.objectContaining({ name: 'kkp-templates' }));
  });

  test('a datastore cluster: the import goes to its first member datastore by name (ovf_deploy needs a datastore)', () => {
    const { stack, base, inventory } = fixture();
    new VmTemplate(stack, 'U', {
      ...base,
      datastore: undefined,
      datastoreCluster: inventory.datastoreCluster('pod-1'),
      source: VmTemplateSource.preset('ubuntu-22.04'),
    });
    const json = synthJson(stack);
    const vm = only(json, 'resource', 'vsphere_virtual_machine');
    expect(vm).not.toHaveProperty('datastore_cluster_id');
    const member = Object.entries<any>(json.data.vsphere_datastore).find(([k]) => k.includes('FirstMember'))!;
    expect(vm.datastore_id).toBe(`\${data.vsphere_datastore.${member[0]}.id}`);
    expect(member[1].name).toMatch(/^\$\{element\(sort\(tolist\(data\.vsphere_datastore_cluster\.[A-Za-z0-9_-]+\.datastores\)\), 0\)\}$/);
    expect(only(json, 'data', 'vsphere_ovf_vm_template').datastore_id).toBe(vm.datastore_id);
    expect(vm['//'].kkp.datastore).toBe('first datastore (by name) of /dc-1/datastore/pod-1');
  });

  test('snapshot option: a vsphere_virtual_machine_snapshot of the imported VM, without memory', () => {
    const { stack, base } = fixture();
    new VmTemplate(stack, 'U', { ...base, source: VmTemplateSource.preset('ubuntu-22.04'), snapshot: true });
    const snap = only(synthJson(stack), 'resource', 'vsphere_virtual_machine_snapshot');
    expect(snap).toMatchObject({
      virtual_machine_uuid: ref('vsphere_virtual_machine'),
      snapshot_name: 'kkp-imported',
      memory: false,
      quiesce: false,
    });
  });
});

describe('VmTemplate per network and per OS', () => {
  test('one line gives a template per network, each named after its network and on it', () => {
    const { stack, base, inventory } = fixture();
    const { network: _n, ...rest } = base;
    const templates = VmTemplate.perNetwork(stack, 'Ubuntu', {
      ...rest,
      source: VmTemplateSource.preset('ubuntu-22.04'),
      networks: [inventory.network('team-a'), 'team b'],
    });
    expect(templates.map((t) => [t.templateName, t.osKey])).toEqual([
      ['kkp-ubuntu-22.04-team-a', 'ubuntu'],
      ['kkp-ubuntu-22.04-team b', 'ubuntu'],
    ]);
    const json = synthJson(stack);
    const vms = resources(json, 'vsphere_virtual_machine');
    expect(vms.map((vm) => vm.name)).toEqual(['kkp-ubuntu-22.04-team-a', 'kkp-ubuntu-22.04-team b']);
    const networkIdByName = Object.fromEntries(
      Object.entries<any>(json.data.vsphere_network).map(([k, v]) => [v.name, `\${data.vsphere_network.${k}.id}`]),
    );
    expect(vms.map((vm) => vm.network_interface[0].network_id)).toEqual([networkIdByName['team-a'], networkIdByName['team b']]);
    expect(vms.map((vm) => vm.ovf_deploy.ovf_network_map['VM Network'])).toEqual([networkIdByName['team-a'], networkIdByName['team b']]);
    // One host lookup serves every template.
    expect(Object.keys(json.data.vsphere_host)).toHaveLength(1);
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

  test('missing datastore', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, datastore: undefined, source: ubuntu() })).toThrow(
      'VmTemplate T: datastore is missing; give datastore (or datastoreCluster) for the template\'s disk.',
    );
  });

  test('both datastore and datastore cluster', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, datastoreCluster: 'pod-1', source: ubuntu() })).toThrow(
      'VmTemplate T: both datastore and datastoreCluster are set; give one of them.',
    );
  });

  test('missing resource pool', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, resourcePool: undefined as any, source: ubuntu() })).toThrow(
      'VmTemplate T: resourcePool is missing; give the compute cluster (inventory.computeCluster(name)) or a pool path such as "cluster-1/Resources".',
    );
  });

  test('missing host', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, host: '', source: ubuntu() })).toThrow(
      'VmTemplate T: host is missing; give the name of an ESXi host of the cluster (vsphere_ovf_vm_template needs one).',
    );
  });

  test.each([
    ['ftp://mirror.example.com/ubuntu.ova', 'VmTemplateSource.ovaUrl: "ftp://mirror.example.com/ubuntu.ova" uses ftp; only http and https URLs can be imported (for a file on this machine use VmTemplateSource.localOvf).'],
    ['file:///srv/ubuntu.ova', 'VmTemplateSource.ovaUrl: "file:///srv/ubuntu.ova" uses file; only http and https URLs can be imported'],
    ['cloud-images.ubuntu.com/ubuntu.ova', 'VmTemplateSource.ovaUrl: "cloud-images.ubuntu.com/ubuntu.ova" is not a URL; give an http(s) URL of an .ova or .ovf file.'],
    ['https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud.qcow2', 'is a disk image, not an OVF package; convert it with `cdktf-kkp-vsphere convert-image <image> --out <dir>`'],
    ['https://example.com/ubuntu.ova?token=1', 'must end in ".ova" or ".ovf" (lower case, no query string): the provider chooses OVA or OVF handling by that suffix.'],
  ])('URL %s is refused', (url, message) => {
    expect(() => VmTemplateSource.ovaUrl(url, { os: 'ubuntu' })).toThrow(message);
  });

  test('unknown OS key', () => {
    const { stack, base } = fixture();
    expect(
      () => new VmTemplate(stack, 'T', { ...base, source: VmTemplateSource.ovaUrl('https://example.com/win.ova', { os: 'windows' as any }) }),
    ).toThrow('VmTemplate T: os "windows" is not a KKP operating-system key; use one of centos, flatcar, rhel, rockylinux, ubuntu.');
  });

  test('no OS key for a source that is not a preset', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, source: VmTemplateSource.ovaUrl('https://example.com/x.ova') })).toThrow(
      'VmTemplate T: os is required for a source that is not a preset; use one of centos, flatcar, rhel, rockylinux, ubuntu.',
    );
  });

  test('an OS key that contradicts the preset', () => {
    const { stack, base } = fixture();
    expect(() => new VmTemplate(stack, 'T', { ...base, os: 'flatcar', source: ubuntu() })).toThrow(
      'VmTemplate T: os "flatcar" contradicts the preset "ubuntu-22.04", which is "ubuntu"; drop os.',
    );
  });

  test('an unknown preset and a QCOW2 preset name the way forward', () => {
    expect(() => VmTemplateSource.preset('debian-12' as any)).toThrow(
      'Unknown image preset "debian-12": use one of ubuntu-20.04, ubuntu-22.04, flatcar-stable, centos-7, rockylinux-8, rockylinux-9, rhel-8, rhel-9, or VmTemplateSource.ovaUrl(url, { os }) for any other OVA.',
    );
    expect(() => VmTemplateSource.preset('rockylinux-9')).toThrow(
      'Image preset "rockylinux-9" is published as QCOW2, which vSphere cannot import: download https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2, run `cdktf-kkp-vsphere convert-image <file>.qcow2 --out <dir> --guest-os rhel9_64Guest`',
    );
    expect(() => VmTemplateSource.preset('rhel-9')).toThrow('download it from https://access.redhat.com/downloads/content/479/ver=/rhel---9/');
  });

  test('a template name clash in the datacenter, even across folders', () => {
    const { stack, base, inventory } = fixture();
    new VmTemplate(stack, 'A', { ...base, source: ubuntu() });
    const other = new VmFolder(stack, 'Other', { inventory, path: 'other-templates' });
    expect(() => new VmTemplate(stack, 'B', { ...base, folder: other, source: ubuntu() })).toThrow(
      'VmTemplate B: template name "kkp-ubuntu-22.04" is already used by test/A in datacenter "dc-1"; machine-controller finds templates by name among all VMs of the datacenter, so give each template its own name.',
    );
    // Another datacenter may reuse the name.
    const dc2 = new VsphereInventory(stack, 'Dc2', { datacenter: 'dc-2' });
    const f2 = new VmFolder(stack, 'F2', { inventory: dc2, path: 'templates' });
    expect(() => new VmTemplate(stack, 'C', { ...base, inventory: dc2, folder: f2, network: dc2.network('n'), datastore: dc2.datastore('d'), resourcePool: dc2.computeCluster('c'), source: ubuntu() })).not.toThrow();
  });

  test('a template name clash inside one perNetwork call is impossible, across calls it is caught', () => {
    const { stack, base } = fixture();
    const { network: _n, ...rest } = base;
    VmTemplate.perNetwork(stack, 'A', { ...rest, source: ubuntu(), networks: ['n1', 'n2'] });
    expect(() => VmTemplate.perNetwork(stack, 'B', { ...rest, source: ubuntu(), networks: ['n2'] })).toThrow(
      'VmTemplate B-n2: template name "kkp-ubuntu-22.04-n2" is already used by test/A-n2 in datacenter "dc-1"',
    );
  });

  test('bad names, disk provisioning, entities of the wrong kind, a folder of another datacenter', () => {
    const { stack, base, inventory } = fixture();
    expect(() => new VmTemplate(stack, 'N', { ...base, name: 'a/b', source: ubuntu() })).toThrow('VmTemplate N name: "a/b" contains "/"');
    expect(() => new VmTemplate(stack, 'L', { ...base, name: 'x'.repeat(81), source: ubuntu() })).toThrow('has 81 characters; vSphere names have at most 80');
    expect(() => new VmTemplate(stack, 'D', { ...base, diskProvisioning: 'sparse' as any, source: ubuntu() })).toThrow(
      'VmTemplate D: diskProvisioning "sparse" is invalid; use one of thin, thick, eagerZeroedThick.',
    );
    expect(() => new VmTemplate(stack, 'K', { ...base, network: inventory.datastore('ds'), source: ubuntu() })).toThrow(
      'VmTemplate K network: expected a network (from VsphereInventory), got a datastore.',
    );
    const dc2 = new VsphereInventory(stack, 'Dc2', { datacenter: 'dc-2' });
    expect(() => new VmTemplate(stack, 'X', { ...base, inventory: dc2, source: ubuntu() })).toThrow(
      'VmTemplate X: folder /dc-1/vm/kkp/templates is in datacenter "dc-1", not "dc-2"; put the template in a folder of its own datacenter.',
    );
    expect(() => VmTemplate.perNetwork(stack, 'P', { ...base, source: ubuntu(), networks: [] })).toThrow(
      'VmTemplate.perNetwork P: networks is empty; give at least one network.',
    );
  });

  test('local sources: a disk image or a URL is refused, a relative path becomes absolute, a missing file warns', () => {
    expect(() => VmTemplateSource.localOvf('images/CentOS-7.qcow2', { os: 'centos' })).toThrow('is a disk image, not an OVF package');
    expect(() => VmTemplateSource.localOvf('https://example.com/a.ova')).toThrow('is a URL; use VmTemplateSource.ovaUrl for it.');
    const { stack, base } = fixture();
    const t = new VmTemplate(stack, 'Local', { ...base, source: VmTemplateSource.localOvf('out/centos.ovf', { os: 'centos' }) });
    expect(t.templateName).toBe('centos');
    const vm = only(synthJson(stack), 'resource', 'vsphere_virtual_machine');
    expect(vm.ovf_deploy).toEqual({
      local_ovf_path: path.resolve('out/centos.ovf'),
      disk_provisioning: 'thin',
      ovf_network_map: { 'VM Network': ref('data.vsphere_network') },
    });
    const warnings = t.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
    expect(warnings).toEqual([expect.stringContaining(`${path.resolve('out/centos.ovf')} does not exist on this machine`)]);
  });
});

describe('VmTemplate from a real QCOW2 converted by convert-image', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vm-template-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function makeQcow2(file: string): void {
    try {
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M']);
      // Some guest data, so the streamOptimized disk is not empty.
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 1M 2M', file], { stdio: 'ignore' });
    } catch (err) {
      throw new Error(`qemu-img/qemu-io (Debian package qemu-utils) is needed for this test: ${(err as Error).message}`);
    }
  }

  test('the converter output passes its own checks and deploys through ovf_deploy.local_ovf_path', async () => {
    const qcow2 = path.join(dir, 'CentOS-7-x86_64-GenericCloud.qcow2');
    makeQcow2(qcow2);
    const image = await convertImage({
      input: qcow2,
      outDir: path.join(dir, 'out'),
      name: 'centos-7-kkp',
      guestOs: VM_IMAGE_PRESETS['centos-7'].guestOs,
      ova: true,
    });
    const summary = await verifyConvertedImage(image.ovfPath, { expectedCapacity: 64 * 1024 * 1024 });
    expect(summary.disks).toHaveLength(1);
    expect(summary.networks).toEqual(['VM Network']);
    expect(summary.guestOs).toBe('centos7_64Guest');

    const { stack, base } = fixture();
    const fromOvf = new VmTemplate(stack, 'CentOS', { ...base, source: VmTemplateSource.convertedImage(image, { os: 'centos' }) });
    const fromOva = new VmTemplate(stack, 'CentOSOva', {
      ...base,
      name: 'centos-7-kkp-ova',
      source: VmTemplateSource.convertedImage(image, { os: 'centos', useOva: true }),
    });
    expect([fromOvf.templateName, fromOvf.osKey]).toEqual(['centos-7-kkp', 'centos']);
    expect(fromOvf.node.metadata.filter((m) => m.type === '@cdktf/warn')).toEqual([]);
    expect(fromOva.node.metadata.filter((m) => m.type === '@cdktf/warn')).toEqual([]);

    const json = synthJson(stack);
    const [vmOvf, vmOva] = resources(json, 'vsphere_virtual_machine');
    expect(vmOvf).toMatchObject({
      name: 'centos-7-kkp',
      folder: 'kkp/templates',
      datacenter_id: ref('data.vsphere_datacenter'),
      datastore_id: ref('data.vsphere_datastore'),
      enable_disk_uuid: true,
      wait_for_guest_net_timeout: 0,
      wait_for_guest_ip_timeout: 0,
      cdrom: [{ client_device: true }],
      ovf_deploy: { local_ovf_path: image.ovfPath, disk_provisioning: 'thin', ovf_network_map: { [image.networkName]: ref('data.vsphere_network') } },
    });
    expect(vmOvf.ovf_deploy).not.toHaveProperty('allow_unverified_ssl_cert');
    expect(vmOva.ovf_deploy.local_ovf_path).toBe(image.ovaPath);
    expect(path.isAbsolute(vmOvf.ovf_deploy.local_ovf_path)).toBe(true);
    const ovfData = Object.values<any>(json.data.vsphere_ovf_vm_template).map((d) => d.local_ovf_path);
    expect(ovfData).toEqual([image.ovfPath, image.ovaPath]);
  });
});

describe('examples/kkp-seed templates', () => {
  test('the example synthesizes an Ubuntu OVA template and a converted-QCOW2 Rocky Linux template in the template folder', () => {
    const json = synthJson(new KkpSeedStack(Testing.app(), 'kkp-seed'));
    const vms = Object.fromEntries(resources(json, 'vsphere_virtual_machine').map((vm) => [vm.name, vm]));
    expect(Object.keys(vms).sort()).toEqual(['kkp-rockylinux-9', 'kkp-ubuntu-22.04']);
    expect(vms['kkp-ubuntu-22.04'].ovf_deploy.remote_ovf_url).toBe(VM_IMAGE_PRESETS['ubuntu-22.04'].url);
    expect(vms['kkp-rockylinux-9'].ovf_deploy.local_ovf_path).toMatch(/\/kkp-rockylinux-9\.ovf$/);
    for (const vm of Object.values<any>(vms)) {
      expect(vm).toMatchObject({ folder: 'kkp/templates', enable_disk_uuid: true, wait_for_guest_net_timeout: 0, wait_for_guest_ip_timeout: 0 });
      expect(vm['//'].kkp.folder).toBe('/dc-1/vm/kkp/templates');
    }
  });
});
