// VmTemplate deployed for real: the synthesized stack (kkpvsphere_vm_template of the kkpvsphere provider, built from
// provider/ and installed from its filesystem mirror) goes through `terraform apply`, a second apply, and `terraform
// destroy` against the govmomi vCenter simulator (HTTPS, with the credentials in VSPHERE_* as both providers read
// them). Sources: a Flatcar OVA served over HTTP on loopback whose server wants a token (supplied by a sensitive
// variable at apply time, to the provider's write-only source_query), and a converted local OVF. Everything is
// read back through our SOAP client: templates powered off and never powered on (events), one disk,
// disk.enableUUID, the network mapped, Flatcar's vApp properties; a foreign VM of the same name is refused and kept.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { VmTemplate, VmTemplateSource, VsphereInventory } from '../src';
import { convertImage, ConvertedImage } from '../src/tools/images';
import { VcenterClient, ManagedObjectReference, asArray, asMoRef, asObject, text, xmlElement, xmlMoRef } from '../src/tools/vcenter';
import { makeQcow2, removeTmpDirs, tmpDir } from './images/tools';
import { TerraformWorkspace } from './support/terraform';
import { Vcsim, startVcsim } from './support/vcsim';

const MiB = 2 ** 20;
const TOKEN = 'sig=Zm9vYmFy&expires=99999999999';

let sim: Vcsim;
let client: VcenterClient;
let server: ChildProcess;
let ovaUrl: string;
let requests: string[] = [];
let flatcar: ConvertedImage;
let ubuntu: ConvertedImage;
/** The cdktf app's directory, as a user's checkout: images/ (convert-image output) and cdktf.out/ in it. */
let appDir: string;
const workspaces: TerraformWorkspace[] = [];

const IMAGE_SERVER = `
const http = require('node:http'), fs = require('node:fs');
const [file, query] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  process.stderr.write(req.url + '\\n');
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/images/flatcar.ova') return void res.writeHead(404).end();
  if (url.search !== query) return void res.writeHead(403).end();
  res.writeHead(200, { 'Content-Length': fs.statSync(file).size });
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
`;

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  const dir = tmpDir('vmtemplate-sim');
  flatcar = await convertImage({
    input: makeQcow2(path.join(dir, 'flatcar.qcow2'), 8 * MiB, [{ offset: 0, length: MiB, pattern: 0x46 }]),
    outDir: path.join(dir, 'flatcar'),
    guestOs: 'other5xLinux64Guest',
    ova: true,
  });
  appDir = tmpDir('vmtemplate-app');
  ubuntu = await convertImage({
    input: makeQcow2(path.join(dir, 'ubuntu.qcow2'), 16 * MiB, [{ offset: MiB, length: MiB, pattern: 0x55 }]),
    outDir: path.join(appDir, 'images'),
    guestOs: 'ubuntu64Guest',
  });
  // The image server: it serves the OVA only with the token query, as a signed URL would. A process of its own:
  // this one blocks in spawnSync while terraform runs. It logs each request path on stderr.
  server = spawn(process.execPath, ['-e', IMAGE_SERVER, flatcar.ovaPath!, `?${TOKEN}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr!.on('data', (c: Buffer) => requests.push(...c.toString().trim().split('\n')));
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim())));
  ovaUrl = `http://127.0.0.1:${port}/images/flatcar.ova`;
  // The template folder exists already (a stack of the platform team; here made through the API).
  const vmFolder = asMoRef((await client.properties((await client.findByInventoryPath('/DC0'))!, ['vmFolder'])).vmFolder)!;
  await client.invoke('CreateFolder', vmFolder, xmlElement('name', 'kkp-templates'));
}, 600_000);

afterAll(async () => {
  for (const ws of workspaces) ws.remove();
  await client?.logout().catch(() => undefined);
  await sim?.stop();
  server?.kill();
  removeTmpDirs();
});

/**
 * Synthesizes a stack of the app in appDir as `cdktf synth` does (from the app's directory, into ./cdktf.out) and
 * runs terraform where `cdktf deploy` runs it: in cdktf.out/stacks/<stack>, where the local image's relative path
 * resolves.
 */
function workspace(name: string, build: (stack: TerraformStack, inventory: VsphereInventory) => void): { ws: TerraformWorkspace; json: string } {
  const cwd = process.cwd();
  process.chdir(appDir);
  let app: App;
  try {
    app = new App({ outdir: 'cdktf.out' });
    const stack = new TerraformStack(app, name);
    // State beside the configuration: cdktf's default backend would write the app's absolute path (README).
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    build(stack, new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' }));
    app.synth();
  } finally {
    process.chdir(cwd);
  }
  const stackDir = path.join(appDir, 'cdktf.out', 'stacks', name);
  const json = readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
  const ws = TerraformWorkspace.open(stackDir, { ...simEnv(), TF_VAR_flatcar_ova_token: TOKEN });
  workspaces.push(ws);
  ws.init();
  return { ws, json };
}

/** Lets the image server's request log (an event stream) catch up after a synchronous terraform run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** The vCenter credentials as the vSphere provider reads them. */
function simEnv(): Record<string, string> {
  return {
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
}

function templatesStack(stack: TerraformStack, inventory: VsphereInventory): void {
  const token = new TerraformVariable(stack, 'flatcar_ova_token', { type: 'string', sensitive: true });
  const common = { inventory, folder: 'kkp-templates', datastore: 'LocalDS_0', resourcePool: 'DC0_C0/Resources' };
  new VmTemplate(stack, 'Flatcar', {
    ...common,
    name: 'kkp-flatcar',
    network: 'VM Network',
    source: VmTemplateSource.ovaUrl(ovaUrl, { os: 'flatcar', urlSecret: { variable: token, part: 'query' } }),
  });
  new VmTemplate(stack, 'Ubuntu', {
    ...common,
    name: 'kkp-ubuntu',
    network: 'DC0_DVPG0',
    host: 'DC0_C0_H1',
    source: VmTemplateSource.convertedImage(ubuntu, { os: 'ubuntu' }),
  });
}

interface ReadBack {
  ref: ManagedObjectReference;
  template: boolean;
  powerState?: string;
  bootTime?: string;
  extraConfig: Record<string, string>;
  disks: number;
  nics: Array<{ type: string; network?: string; portgroupKey?: string }>;
  vappProperties: string[];
  transports: string[];
  events: string[];
}

async function readBack(inventoryPath: string): Promise<ReadBack | undefined> {
  const ref = await client.findByInventoryPath(inventoryPath);
  if (!ref) return undefined;
  const p = await client.properties(ref, [
    'config.template',
    'runtime.powerState',
    'runtime.bootTime',
    'config.extraConfig',
    'config.hardware.device',
    'config.vAppConfig',
    'network',
  ]);
  const extraConfig: Record<string, string> = {};
  for (const o of asArray(asObject(p['config.extraConfig'])?.OptionValue).map(asObject)) extraConfig[text(o?.key) ?? ''] = text(o?.value) ?? '';
  const devices = asArray(asObject(p['config.hardware.device'])?.VirtualDevice).map(asObject);
  const nics = devices
    .filter((d) => asObject(d?.backing) && /Ethernet|Vmxnet|E1000/.test(text(d?.['@_xsiType']) ?? ''))
    .map((d) => {
      const backing = asObject(d?.backing);
      return {
        type: text(backing?.['@_xsiType']) ?? '',
        network: text(backing?.deviceName),
        portgroupKey: text(asObject(backing?.port)?.portgroupKey),
      };
    });
  const vapp = asObject(p['config.vAppConfig']);
  const filter = `<filter><entity>${xmlMoRef('entity', ref)}<recursion>self</recursion></entity></filter>`;
  const events = asArray(await client.invoke('QueryEvents', client.manager('eventManager'), filter)).map(
    (e) => text(asObject(e)?.['@_type']) ?? '?',
  );
  return {
    ref,
    template: text(p['config.template']) === 'true',
    powerState: text(p['runtime.powerState']),
    bootTime: text(p['runtime.bootTime']),
    extraConfig,
    disks: devices.filter((d) => text(d?.['@_xsiType']) === 'VirtualDisk').length,
    nics,
    vappProperties: asArray(vapp?.property).map((x) => text(asObject(x)?.id) ?? ''),
    transports: asArray(vapp?.ovfEnvironmentTransport).map((t) => text(t) ?? ''),
    events,
  };
}

async function vmNames(): Promise<string[]> {
  const view = asMoRef(
    await client.invoke(
      'CreateContainerView',
      client.manager('viewManager'),
      xmlMoRef('container', client.rootFolder) + xmlElement('type', 'VirtualMachine') + xmlElement('recursive', true),
    ),
  )!;
  const vms = asArray(asObject((await client.properties(view, ['view'])).view)?.ManagedObjectReference).map(asMoRef);
  await client.invoke('DestroyView', view);
  const names: string[] = [];
  // The simulator's container view may still list a VM destroyed a moment ago: only VMs that exist count.
  for (const vm of vms) {
    const name = await client.properties(vm!, ['name']).then((p) => text(p.name), () => undefined);
    if (name !== undefined) names.push(name);
  }
  return names.sort();
}

describe('terraform apply, second apply and destroy of two VmTemplates against the simulator', () => {
  let ws: TerraformWorkspace;
  let json: string;
  let applyOutput: string;
  let before: string[];

  beforeAll(async () => {
    before = await vmNames();
    ({ ws, json } = workspace('templates', templatesStack));
    requests = [];
    applyOutput = ws.apply().stdout;
    await settle();
  }, 300_000);

  test('the local OVF is written relative to the stack directory (no path of this machine), and imported from there', () => {
    const template = Object.values<any>(JSON.parse(json).resource.kkpvsphere_vm_template).find((r) => r.name === 'kkp-ubuntu');
    expect(template.source).toBe('../../../images/ubuntu.ovf');
    expect(json).not.toContain(appDir);
    expect(applyOutput).toMatch(/kkpvsphere_vm_template\.Ubuntu_Template_[A-F0-9]+: Creation complete after/);
    // terraform apply of the stack starts no Node process: nothing in it runs a command
    expect(json).not.toMatch(/local-exec|provisioner/);
  });

  test('the token is in neither cdk.tf.json, the plan, the state nor the apply output; the server saw it', () => {
    expect(json).not.toContain('Zm9vYmFy');
    expect(json).toContain('"source_query": "${var.flatcar_ova_token}"');
    expect(applyOutput).not.toContain('Zm9vYmFy');
    // write-only: not in the state (nor in the plan: terraform never stores it)
    expect(JSON.stringify(ws.state())).not.toContain('Zm9vYmFy');
    expect(readFileSync(path.join(ws.dir, 'terraform.tfstate'), 'utf8')).not.toContain('Zm9vYmFy');
    expect(requests).toContain(`/images/flatcar.ova?${TOKEN}`);
  });

  test.each(['kkp-flatcar', 'kkp-ubuntu'])('%s: a template, powered off, never powered on, one disk, disk.enableUUID=TRUE', async (name) => {
    const vm = (await readBack(`/DC0/vm/kkp-templates/${name}`))!;
    expect(vm).toBeDefined();
    expect(vm.template).toBe(true);
    expect(vm.powerState).toBe('poweredOff');
    expect(vm.bootTime).toBeUndefined();
    expect(vm.events.filter((e) => /PoweredOn|Starting/.test(e))).toEqual([]);
    expect(vm.disks).toBe(1);
    expect(vm.extraConfig['disk.enableUUID']).toBe('TRUE');
    expect(vm.extraConfig['cdktf-kkp-vsphere.importedBy']).toMatch(/^kkpvsphere:[0-9a-f]{16}$/);
  });

  test('the events query sees power-ons where there were some (the check above can fail)', async () => {
    const running = (await readBack('/DC0/vm/DC0_C0_RP0_VM0'))!;
    expect(running.powerState).toBe('poweredOn');
    expect(running.events.filter((e) => /PoweredOn/.test(e)).length).toBeGreaterThan(0);
  });

  test('Flatcar: the Ignition vApp properties machine-controller fills in, over the guestinfo transport; NIC on VM Network', async () => {
    const vm = (await readBack('/DC0/vm/kkp-templates/kkp-flatcar'))!;
    expect(vm.vappProperties.sort()).toEqual(['guestinfo.ignition.config.data', 'guestinfo.ignition.config.data.encoding']);
    // The importer also sets ovfEnvironmentTransport = com.vmware.guestInfo; govmomi's simulator (v0.56.0,
    // updateVAppProperty) applies vAppConfig.property and .product only, so that part cannot be read back here.
    expect(vm.nics).toEqual([expect.objectContaining({ type: 'VirtualEthernetCardNetworkBackingInfo', network: 'VM Network' })]);
  });

  test('Ubuntu: no vApp properties added; the OVF network mapped to the distributed port group DC0_DVPG0', async () => {
    const vm = (await readBack('/DC0/vm/kkp-templates/kkp-ubuntu'))!;
    expect(vm.vappProperties).toEqual([]);
    const pg = await client.findByInventoryPath('/DC0/network/DC0_DVPG0');
    const key = text((await client.properties(pg!, ['key'])).key);
    expect(vm.nics).toEqual([expect.objectContaining({ type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo', portgroupKey: key })]);
  });

  test('a second apply changes nothing and imports nothing', async () => {
    expect(ws.planExitCode()).toBe(0);
    requests = [];
    const again = ws.apply().stdout;
    await settle();
    expect(again).toMatch(/0 added, 0 changed, 0 destroyed/);
    expect(requests).toEqual([]);
  });

  test('destroy removes both templates and nothing else', async () => {
    const out = ws.destroy().stdout;
    // the two templates and the local image's digest (a terraform_data without provisioners)
    expect(out).toMatch(/Destroy complete! Resources: 3 destroyed/);
    expect(await client.findByInventoryPath('/DC0/vm/kkp-templates/kkp-flatcar')).toBeUndefined();
    expect(await client.findByInventoryPath('/DC0/vm/kkp-templates/kkp-ubuntu')).toBeUndefined();
    expect(await vmNames()).toEqual(before);
  });
});

test('a template name that an existing VM has already: apply fails naming it, the VM is untouched, destroy keeps it', async () => {
  // Someone else's VM anywhere in the datacenter, renamed to the template name.
  const foreign = (await client.findByInventoryPath('/DC0/vm/DC0_H0_VM1'))!;
  await client.waitForTask(asMoRef(await client.invoke('Rename_Task', foreign, xmlElement('newName', 'kkp-taken')))!, 'Rename_Task');
  const stateBefore = await readBack('/DC0/vm/kkp-taken');
  const { ws } = workspace('taken', (stack, inventory) => {
    new VmTemplate(stack, 'Taken', {
      inventory,
      folder: 'kkp-templates',
      name: 'kkp-taken',
      datastore: 'LocalDS_0',
      resourcePool: 'DC0_C0/Resources',
      network: 'VM Network',
      source: VmTemplateSource.localOvf(ubuntu.ovfPath, { os: 'ubuntu' }),
    });
  });
  const r = ws.run(['apply', '-auto-approve', '-input=false', '-no-color'], [1]);
  expect(r.stderr.replace(/\s+/g, ' ')).toMatch(/a VM named "kkp-taken" already exists at \/DC0\/vm\/kkp-taken and was not imported by this resource \(it carries no import mark\); it is left untouched/);
  const after = (await readBack('/DC0/vm/kkp-taken'))!;
  expect(after.ref).toEqual(foreign);
  expect(after.template).toBe(false);
  expect(after.powerState).toBe(stateBefore!.powerState);
  expect(await client.findByInventoryPath('/DC0/vm/kkp-templates/kkp-taken')).toBeUndefined();
  // The template was not created: destroy removes only the local image's digest (a terraform_data); the foreign VM stays.
  expect(ws.destroy().stdout).toMatch(/Destroy complete! Resources: 1 destroyed/);
  expect(await client.findByInventoryPath('/DC0/vm/kkp-taken')).toEqual(foreign);
}, 300_000);
