// `cdktf-kkp-vsphere template-import` / `template-remove` (the built CLI, run as the provisioners run it: the spec, the
// owner id and the vCenter credentials in the environment) against the govmomi simulator, with the disk upload going
// through a loopback TCP server that this test controls: it forwards to the simulator, or answers 200 before it has
// read the disk and never reads the rest, or never answers. A provisioner must always end, with a clear error when it
// fails, and leave nothing half-made; a run that was killed must be recoverable by the next run (a new terraform_data
// id, as terraform makes after losing or tainting the old one) and removable by template-remove.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { convertImage } from '../../src/tools/images';
import { VcenterClient, asArray, asMoRef, asObject, text, xmlElement, xmlMoRef } from '../../src/tools/vcenter';
import { makeQcow2, ok, removeTmpDirs, tmpDir } from '../images/tools';
import { buildCli, cliEnv } from '../support/cli';
import { Vcsim, startVcsim } from '../support/vcsim';

const MiB = 2 ** 20;
const FOLDER = '/DC0/vm/kkp-templates';

let sim: Vcsim;
let client: VcenterClient;
let small: string;
let large: string;
let largeDisk: number;

// ---- the upload path: a loopback server between the CLI and the simulator's NFC endpoint ------------------------

type Mode = 'forward' | 'early-200' | 'never-answer';
let mode: Mode = 'forward';
let nfc: net.Server;
const uploads: Mode[] = [];
const held: net.Socket[] = [];

function startNfcServer(target: URL): Promise<number> {
  nfc = net.createServer((socket) => {
    const current = mode;
    uploads.push(current);
    if (current === 'forward') {
      const upstream = net.connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      return;
    }
    held.push(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      // Read the request head (and whatever came with it), then nothing more: the client's writes stop draining.
      socket.pause();
      if (current === 'early-200') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n');
    });
  });
  return new Promise((resolve) => nfc.listen(0, '127.0.0.1', () => resolve((nfc.address() as net.AddressInfo).port)));
}

// ---- the CLI as a provisioner runs it ----------------------------------------------------------------------------

function spec(ovf: string, template: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    template,
    os: 'ubuntu',
    source_kind: 'file',
    source: ovf,
    allow_unverified_ssl_cert: false,
    datacenter: '/DC0',
    folder: FOLDER,
    datastore: '/DC0/datastore/LocalDS_0',
    resource_pool: '/DC0/host/DC0_C0/Resources',
    host: '',
    network: '/DC0/network/VM Network',
    ovf_network: 'VM Network',
    disk_provisioning: 'thin',
    enable_disk_uuid: true,
    vapp_properties: [],
    power_on: false,
    mark_as_template: true,
    ...extra,
  });
}

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

function start(command: 'template-import' | 'template-remove', templateSpec: string, owner: string, extra: Record<string, string> = {}): Run {
  const started = Date.now();
  const child = spawn(process.execPath, [buildCli().main, command], {
    env: cliEnv({
      VSPHERE_SERVER: sim.url, // http://127.0.0.1:port: the simulator without TLS
      VSPHERE_USER: sim.user,
      VSPHERE_PASSWORD: sim.password,
      CDKTF_KKP_VSPHERE_TEMPLATE: templateSpec,
      CDKTF_KKP_VSPHERE_OWNER: owner,
      ...extra,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - started })),
  );
  return { child, done };
}

/** Waits for the run to end on its own within `limitMs`; if it does not, kills it and says so (the hang). */
async function finish(run: Run, limitMs: number) {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), limitMs);
  const r = await run.done;
  clearTimeout(timer);
  const secret = sim.password;
  expect(r.stdout).not.toContain(secret);
  expect(r.stderr).not.toContain(secret);
  return { ...r, hung: r.signal === 'SIGKILL' };
}

const OWNER_A = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const OWNER_B = '6fa459ea-ee8a-3ca4-894e-db77e160355e';
const OWNER_C = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';

/** Every VM in the datacenter by name (only those that still exist). */
async function vms(): Promise<Map<string, { template: boolean; extra: Record<string, string> }>> {
  const view = asMoRef(
    await client.invoke(
      'CreateContainerView',
      client.manager('viewManager'),
      xmlMoRef('container', client.rootFolder) + xmlElement('type', 'VirtualMachine') + xmlElement('recursive', true),
    ),
  )!;
  const refs = asArray(asObject((await client.properties(view, ['view'])).view)?.ManagedObjectReference).map(asMoRef);
  await client.invoke('DestroyView', view);
  const out = new Map<string, { template: boolean; extra: Record<string, string> }>();
  for (const ref of refs) {
    const p = await client.properties(ref!, ['name', 'config.template', 'config.extraConfig']).catch(() => undefined);
    if (!p) continue;
    const extra: Record<string, string> = {};
    for (const o of asArray(asObject(p['config.extraConfig'])?.OptionValue).map(asObject)) extra[text(o?.key) ?? ''] = text(o?.value) ?? '';
    out.set(text(p.name) ?? '', { template: text(p['config.template']) === 'true', extra });
  }
  return out;
}

/** The names of VMs that belong to imports of `template` (the template itself and temporary `.importing-` ones). */
async function importsOf(template: string): Promise<string[]> {
  return [...(await vms()).keys()].filter((n) => n === template || n.startsWith(`${template}.importing-`)).sort();
}

async function until(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  buildCli();
  sim = await startVcsim();
  client = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: false });
  const dir = tmpDir('import-hang');
  small = (
    await convertImage({
      input: makeQcow2(path.join(dir, 'small.qcow2'), 8 * MiB, [{ offset: 0, length: MiB, pattern: 0x55 }]),
      outDir: path.join(dir, 'small'),
      guestOs: 'ubuntu64Guest',
    })
  ).ovfPath;
  // Random data does not compress: a stream-optimized disk of about 48 MiB, more than loopback's socket buffers hold,
  // so a server that stops reading really stops the client's writes.
  const raw = path.join(dir, 'large.raw');
  const fd = fs.openSync(raw, 'w');
  for (let i = 0; i < 48; i++) fs.writeSync(fd, randomBytes(MiB));
  fs.closeSync(fd);
  ok('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, path.join(dir, 'large.qcow2')]);
  const converted = await convertImage({ input: path.join(dir, 'large.qcow2'), outDir: path.join(dir, 'large'), guestOs: 'ubuntu64Guest' });
  large = converted.ovfPath;
  largeDisk = fs.readdirSync(path.dirname(large))
    .filter((f) => f.endsWith('.vmdk'))
    .reduce((sum, f) => sum + fs.statSync(path.join(path.dirname(large), f)).size, 0);
  expect(largeDisk).toBeGreaterThan(40 * MiB);

  // The simulator hands out NFC upload URLs under its option vcsim.server.url: point them at the loopback server.
  const port = await startNfcServer(new URL(sim.url));
  const content = asObject(await client.invoke('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' }));
  const optionManager = asMoRef(content?.setting)!;
  await client.invoke(
    'UpdateOptions',
    optionManager,
    `<changedValue>${xmlElement('key', 'vcsim.server.url')}<value xsi:type="xsd:string">http://127.0.0.1:${port}</value></changedValue>`,
  );
  const vmFolder = asMoRef((await client.properties((await client.findByInventoryPath('/DC0'))!, ['vmFolder'])).vmFolder)!;
  await client.invoke('CreateFolder', vmFolder, xmlElement('name', 'kkp-templates'));
}, 600_000);

afterAll(async () => {
  for (const s of held) s.destroy();
  nfc?.close();
  await client?.logout().catch(() => undefined);
  await sim?.stop();
  removeTmpDirs();
});

beforeEach(() => {
  mode = 'forward';
  uploads.length = 0;
});

test('the upload path works: a forwarded import succeeds and the process ends by itself', async () => {
  const r = await finish(start('template-import', spec(small, 'kkp-fwd'), OWNER_A), 60_000);
  expect({ status: r.status, hung: r.hung, stderr: r.stderr }).toEqual({ status: 0, hung: false, stderr: '' });
  expect(r.stdout).toContain(`${FOLDER}/kkp-fwd: imported (vm-`);
  expect(uploads).toEqual(['forward']);
  expect(await importsOf('kkp-fwd')).toEqual(['kkp-fwd']);
});

test('the server answers 200 before it has the disk and never reads the rest: the import fails within seconds, names the upload, and leaves no VM', async () => {
  mode = 'early-200';
  const r = await finish(start('template-import', spec(large, 'kkp-early'), OWNER_A), 60_000);
  expect(uploads).toEqual(['early-200']);
  expect(r.hung).toBe(false);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /^cdktf-kkp-vsphere: the upload of large-disk1\.vmdk to http:\/\/127\.0\.0\.1:\d+ answered HTTP 200 after only \d+ of \d+ bytes were sent; the import is incomplete and was removed\. Check the vCenter\/ESXi host and any proxy between, then apply again\.\n$/,
  );
  expect(r.ms).toBeLessThan(30_000);
  expect(await importsOf('kkp-early')).toEqual([]);
}, 120_000);

test('an upload that never gets an answer: the overall timeout (CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT) ends it with an error that says what to do, and removes the partial VM', async () => {
  mode = 'never-answer';
  const r = await finish(start('template-import', spec(large, 'kkp-stall'), OWNER_A, { CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT: '4s' }), 60_000);
  expect(r.hung).toBe(false);
  expect([r.status, r.stderr]).toEqual([
    1,
    `cdktf-kkp-vsphere: template-import of ${FOLDER}/kkp-stall did not finish within 4s (CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT); it was ` +
      'stopped and what it had made is removed. If the image is large or the link slow, set CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT ' +
      "(e.g. 2h) in terraform's environment and apply again; if the upload made no progress, check the network path to the ESXi hosts.\n",
  ]);
  expect(r.ms).toBeGreaterThanOrEqual(4_000);
  expect(r.ms).toBeLessThan(30_000);
  expect(await importsOf('kkp-stall')).toEqual([]);
}, 120_000);

test('a malformed timeout is an error naming the variable, before anything is done', async () => {
  const r = await finish(start('template-import', spec(small, 'kkp-bad-timeout'), OWNER_A, { CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT: 'soon' }), 60_000);
  expect([r.status, r.stderr]).toEqual([
    1,
    'cdktf-kkp-vsphere: CDKTF_KKP_VSPHERE_IMPORT_TIMEOUT must be a duration of at least one second such as 90s, 45m or 2h (plain numbers are seconds), got "soon".\n',
  ]);
  expect(uploads).toEqual([]);
});

describe('a killed import is recoverable by the next run and removable by template-remove', () => {
  test('killed during the upload: the next run (a new terraform_data id) removes the half-made VM and imports', async () => {
    mode = 'never-answer';
    const killed = start('template-import', spec(large, 'kkp-killed'), OWNER_A);
    await until('the upload to begin', async () => uploads.length > 0);
    await until('the temporary VM', async () => (await importsOf('kkp-killed')).length > 0);
    killed.child.kill('SIGKILL');
    await killed.done;
    const left = await importsOf('kkp-killed');
    expect(left).toEqual([expect.stringMatching(/^kkp-killed\.importing-[0-9a-f]{12}$/)]);

    mode = 'forward';
    const next = await finish(start('template-import', spec(large, 'kkp-killed'), OWNER_B), 120_000);
    expect([next.status, next.stderr]).toEqual([0, '']);
    expect(next.stdout).toContain(`removing ${left[0]} (vm-`);
    expect(next.stdout).toContain('left by an interrupted import of this template.');
    expect(await importsOf('kkp-killed')).toEqual(['kkp-killed']);
    expect((await vms()).get('kkp-killed')!.extra['cdktf-kkp-vsphere.importedBy']).toBe(OWNER_B);

    const removed = await finish(start('template-remove', spec(large, 'kkp-killed'), OWNER_B), 60_000);
    expect([removed.status, removed.stderr]).toEqual([0, '']);
    expect(await importsOf('kkp-killed')).toEqual([]);
  }, 300_000);

  test('killed during the upload, then destroyed: template-remove (whatever resource id runs it) removes the half-made VM', async () => {
    mode = 'never-answer';
    const killed = start('template-import', spec(small, 'kkp-killed-2'), OWNER_A);
    await until('the temporary VM', async () => uploads.length > 0 && (await importsOf('kkp-killed-2')).length > 0);
    killed.child.kill('SIGKILL');
    await killed.done;
    expect(await importsOf('kkp-killed-2')).toEqual([expect.stringMatching(/^kkp-killed-2\.importing-/)]);
    const removed = await finish(start('template-remove', spec(small, 'kkp-killed-2'), OWNER_C), 60_000);
    expect([removed.status, removed.stderr]).toEqual([0, '']);
    expect(removed.stdout).toMatch(/\/DC0\/vm\/kkp-templates\/kkp-killed-2\.importing-[0-9a-f]{12}: removed \(vm-\d+\)\./);
    expect(await importsOf('kkp-killed-2')).toEqual([]);
  }, 300_000);

  test('finished, but terraform never recorded it (killed after the import, state lost): the next run takes it over, template-remove removes it', async () => {
    const first = await finish(start('template-import', spec(small, 'kkp-lost'), OWNER_A), 60_000);
    expect(first.status).toBe(0);
    const before = (await vms()).get('kkp-lost')!;
    expect(before.template).toBe(true);

    // The next apply: a new terraform_data (new id) with the same configuration.
    const next = await finish(start('template-import', spec(small, 'kkp-lost'), OWNER_B), 60_000);
    expect([next.status, next.stderr]).toEqual([0, '']);
    expect(next.stdout).toMatch(
      new RegExp(
        `^${FOLDER}/kkp-lost: already imported for this same configuration by an earlier run \\(resource ${OWNER_A}, vm-\\d+\\) ` +
          'that terraform did not record; this resource takes it over, nothing to import\\.\\n$',
      ),
    );
    expect(uploads).toEqual(['forward']); // only the first run uploaded
    expect(await importsOf('kkp-lost')).toEqual(['kkp-lost']);

    const removed = await finish(start('template-remove', spec(small, 'kkp-lost'), OWNER_B), 60_000);
    expect([removed.status, removed.stderr]).toEqual([0, '']);
    expect(await importsOf('kkp-lost')).toEqual([]);
  }, 300_000);

  test('a template of the same name imported for another configuration is not ours: refused and left by both commands', async () => {
    const other = spec(small, 'kkp-other', { disk_provisioning: 'thick' });
    expect((await finish(start('template-import', other, OWNER_A), 60_000)).status).toBe(0);

    const ours = spec(small, 'kkp-other');
    const refused = await finish(start('template-import', ours, OWNER_B), 60_000);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^cdktf-kkp-vsphere: a VM named "kkp-other" already exists at ${FOLDER}/kkp-other and was not imported by this resource ` +
          `\\(it was imported by ${OWNER_A} for another configuration \\(import key [0-9a-f]{32}\\)\\); it is left untouched\\.`,
      ),
    );
    const left = await finish(start('template-remove', ours, OWNER_B), 60_000);
    expect([left.status, left.stdout]).toEqual([0, `${FOLDER}/kkp-other: not imported by this resource; left untouched.\n`]);
    expect(await importsOf('kkp-other')).toEqual(['kkp-other']);
    // Its own resource still removes it.
    expect((await finish(start('template-remove', other, OWNER_A), 60_000)).status).toBe(0);
    expect(await importsOf('kkp-other')).toEqual([]);
  }, 300_000);
});
