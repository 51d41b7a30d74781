// examples/kkp-seed deployed for real, as it ships: the example's KkpSeedStack synthesized the way `cdktf synth` does
// (from the app's directory into ./cdktf.out, KKP_IMAGE_DIR and KKP_UBUNTU_OVA_URL set as a user on an air-gapped
// site sets them), then `terraform init` / `apply` with the real vSphere provider against the simulator with the
// example's inventory (dc-1, cluster-1, esxi-01/02, ds-ssd-1/2, kkp-workers, kkp-storage: test/vcsim/inventory.go).
// Roles, folders, owned-folder permissions, additive grants (one kkpvsphere_permissions of the kkpvsphere provider per
// shared object, listing the stack's principals there), the two VM
// templates (Rocky from a converted local OVF, Ubuntu from an OVA served on 127.0.0.1) and the credentials Secret of
// each user cluster (kubernetes_secret in namespace kubermatic, through the example's seed provider) are applied in one
// dependency graph by both real providers: vmware/vsphere against the simulator, hashicorp/kubernetes against a real
// kube-apiserver (test/support/kube-apiserver.ts) that the example's kubeconfigs/seed names, written into the stack's
// directory after each synth as a user (or the plan-review workflow) puts it there. Nothing is targeted: plain
// terraform plan / apply / destroy. Other teams' permissions are planted on every shared object, other teams' Secrets
// in kubermatic, and both must be as before after every step.
//
// What KKP reads (kubermatic/kubermatic pkg/provider/types.go SecretKeySelectorValueFuncFactory, keys of
// pkg/resources/resources.go): `secret.Data[key]` of the Secret named by spec.cloud.vsphere.credentialsReference,
// keys username, password, infraManagementUserUsername, infraManagementUserPassword. They are read back through the
// API (the test's admin token) and compared byte for byte with the variables' values.
//
// Figures (API server start and memory, apply/destroy wall times, resources, re-plan exit codes, the Secrets read
// back, the foreign-permission table) are printed.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { parse } from 'yaml';
import { KkpSeedStack, KkpSeedStackProps } from '../../examples/kkp-seed/main';
import { USER_CLUSTERS } from '../../examples/kkp-seed/user-clusters';
import { convertImage } from '../../src/tools/images';
import { VcenterClient, resolveObject, asMoRef, text } from '../../src/tools/vcenter';
import { makeQcow2, removeTmpDirs, tmpDir } from '../images/tools';
import { parseWithGcfg } from '../support/gcfg';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { Vcsim, startVcsim } from '../support/vcsim';
import { DeployResult, Deployment, PermissionLine, additiveLines, permissionsByObject, withoutHash } from './support';

jest.setTimeout(900_000);

type Json = Record<string, any>;
const MiB = 2 ** 20;
const STACK = 'kkp-seed';

/** Every object of the inventory the stack grants on (and the port group the network change moves to). */
const SHARED = [
  '/',
  '/dc-1',
  '/dc-1/host/cluster-1',
  '/dc-1/host/cluster-1/esxi-01.dc-1.example.com',
  '/dc-1/host/cluster-1/esxi-02.dc-1.example.com',
  '/dc-1/datastore/ds-ssd-1',
  '/dc-1/datastore/ds-ssd-2',
  '/dc-1/network/kkp-workers',
  '/dc-1/network/kkp-storage',
  '/dc-1/network/kkp-storage-v2',
  '/dc-1/network/dvs-1',
];

/** The example's principals all start with kkp- (VSPHERE.LOCAL\kkp-machine-controller, ...\kkp-storage-<id>). */
const isStack = (line: PermissionLine) => /^(user|group) VSPHERE\.LOCAL\\kkp-/i.test(line);
const others = (lines: readonly PermissionLine[]) => lines.filter((l) => !isStack(l));

let sim: Vcsim;
let kube: KubeApiServer;
let vc: VcenterClient;
let appDir: string;
let imageDir: string;
let ovaUrl: string;
let server: ChildProcess;
let requests: string[] = [];
let deployment: Deployment;
let foreignBefore: Map<string, PermissionLine[]>;
const figures: string[] = [];
/** The variables of every terraform run (TF_VAR_<name>): the passwords the credentials Secrets carry. */
const variables: Record<string, string> = {};
/** Every Secret in the API server before the first apply (`namespace/name`): what destroy must leave. */
let secretsBefore: string[];

/**
 * Other teams' Secrets in the namespace the stack writes to, one of them named as KKP names its own credentials
 * (kkp-vsphere-<cluster id>) for a cluster the stack does not manage.
 */
const FOREIGN_SECRETS = [
  { name: 'kkp-vsphere-zzzzzzzzzz', data: { username: 'VSPHERE.LOCAL\\other', password: 'other-pass' } },
  { name: 'team-b-token', data: { token: 'abc' } },
];

// Every character a careless encoder breaks: gcfg's quote and backslash, Terraform's template openers, XML, non-ASCII.
const PASSWORDS: Record<string, string> = {
  kkp_storage_password: 'p@ss"w\\rd ${x} %{y} <&> äöü€',
  kkp_machine_controller_password: 'mc "q" \\ %{if} ✓',
  vsphere_x7q2mm9wkp_password: 'x7 \\" ${z}',
  vsphere_m3v6z8qw1c_password: 'm3-pass \'single\' ÿ',
};

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** The cluster-wide list of Secrets, as `namespace/name`. */
async function allSecrets(): Promise<string[]> {
  const list = await kube.must('GET', '/api/v1/secrets');
  return (list.items as Json[]).map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();
}

/** The stack's Secrets as its configuration says they are, with the variables' values: `namespace/name` → data. */
function configuredSecrets(tf: Json): Map<string, Record<string, Buffer>> {
  const out = new Map<string, Record<string, Buffer>>();
  for (const r of Object.values<Json>(tf.resource.kubernetes_secret ?? {})) {
    expect(r.provider).toBe('kubernetes.seed');
    const data: Record<string, Buffer> = {};
    for (const [key, value] of Object.entries<string>(r.data)) {
      const variable = /^\$\{var\.(\w+)\}$/.exec(value);
      if (variable && !(variable[1] in variables)) throw new Error(`no value for var.${variable[1]}`);
      data[key] = utf8(variable ? variables[variable[1]] : value);
    }
    out.set(`${r.metadata.namespace}/${r.metadata.name}`, data);
  }
  return out;
}

/** uid and resourceVersion of every Secret in kubermatic: a Secret an apply does not change keeps both. */
async function secretVersions(): Promise<Map<string, string>> {
  const list = await kube.must('GET', '/api/v1/namespaces/kubermatic/secrets');
  return new Map((list.items as Json[]).map((s) => [s.metadata.name, `${s.metadata.uid}@${s.metadata.resourceVersion}`]));
}
let versionsBefore: Map<string, string> = new Map();

/**
 * The Secrets of the stack and of others as they must be: exactly the configured Secrets (data read through the API,
 * base64-decoded once as every client does, byte for byte), the foreign Secrets untouched, nothing else in
 * kubermatic, and every Secret that was there before the step and still is unchanged (no step here updates a Secret).
 */
async function checkSecrets(step: string, tf: Json): Promise<void> {
  const configured = configuredSecrets(tf);
  const names = [...configured.keys()].map((k) => k.replace(/^kubermatic\//, ''));
  expect([...configured.keys()].every((k) => k.startsWith('kubermatic/'))).toBe(true);
  expect(await kube.secretNames('kubermatic')).toEqual([...names, ...FOREIGN_SECRETS.map((s) => s.name)].sort());
  for (const [key, data] of configured) {
    const [namespace, name] = key.split('/');
    expect([key, await kube.secretData(namespace, name)]).toEqual([key, data]);
  }
  await foreignSecretsIntact();
  const now = await secretVersions();
  for (const [name, version] of versionsBefore) if (now.has(name)) expect([name, now.get(name)]).toEqual([name, version]);
  versionsBefore = now;
  figures.push(`${step}: Secrets in kubermatic read back: ${[...now.keys()].sort().join(', ')}`);
}

async function foreignSecretsIntact(): Promise<void> {
  for (const s of FOREIGN_SECRETS) {
    expect([s.name, await kube.secretData('kubermatic', s.name)]).toEqual([s.name, Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, utf8(v)]))]);
  }
}

/** Milliseconds as seconds with one decimal. */
const secs = (millis: number) => `${(millis / 1000).toFixed(1)} s`;

/** One deploy's figure line: wall times of plan, apply of the saved plan and re-plan, and what the apply did. */
function applyFigure(step: string, r: DeployResult): string {
  const kube = r.providerActions.filter((a) => / kubernetes_/.test(a));
  const vsphere = r.providerActions.length - kube.length;
  return `${step}: plan ${secs(r.planMillis)}, apply of the saved plan ${secs(r.millis)}, re-plan ${secs(r.replanMillis)} (exit ${r.plan}); ` +
    `${r.added} added, ${r.changed} changed, ${r.destroyed} destroyed: ${r.grantObjects.length} kkpvsphere_permissions (${r.actions.length} principals), ` +
    `${vsphere} other vSphere-side ` +
    `resources, Kubernetes: ${kube.join(', ') || 'none'}`;
}

/** The API server's memory, in MiB with one decimal. */
function memoryFigure(): string {
  const m = kube.memory();
  const f = (n: number) => n.toFixed(1);
  return `RSS kube-apiserver ${f(m.apiserverMiB)} MiB (peak ${f(m.apiserverPeakMiB)}), etcd ${f(m.etcdMiB)} MiB (peak ${f(m.etcdPeakMiB)})`;
}

/** gcfg's quoting, as KKP's template writes a string value. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A cluster's `spec.cloud.vsphere` as the stack outputs it (YAML). */
const cloudSpec = (id: string): Json => parse(deployment.ws.run(['output', '-raw', `kkp_cluster_${id}`]).stdout).vsphere;

const IMAGE_SERVER = `
const http = require('node:http'), fs = require('node:fs');
const [file] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  process.stderr.write(req.url + '\\n');
  if (req.url !== '/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova') return void res.writeHead(404).end();
  res.writeHead(200, { 'Content-Length': fs.statSync(file).size });
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
`;

/**
 * `cdktf synth` of the example: from the app's directory, into ./cdktf.out, with the environment a user sets. The
 * stack keeps cdktf's default local backend, so the state lies in the app's directory as it does for a user.
 */
function synthExample(props: KkpSeedStackProps = {}): Json {
  const cwd = process.cwd();
  const saved = { KKP_IMAGE_DIR: process.env.KKP_IMAGE_DIR, KKP_UBUNTU_OVA_URL: process.env.KKP_UBUNTU_OVA_URL };
  process.chdir(appDir);
  process.env.KKP_IMAGE_DIR = imageDir;
  process.env.KKP_UBUNTU_OVA_URL = ovaUrl;
  try {
    const app = new App({ outdir: 'cdktf.out' });
    new KkpSeedStack(app, STACK, props);
    app.synth();
    // The seed's kubeconfig where the example's kubernetes provider reads it (config_path kubeconfigs/seed, relative to
    // the stack's directory, where terraform runs).
    kube.writeKubeconfig(path.join(stackDir(), 'kubeconfigs', 'seed'));
  } finally {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return JSON.parse(fs.readFileSync(path.join(stackDir(), 'cdk.tf.json'), 'utf8'));
}

const stackDir = () => path.join(appDir, 'cdktf.out', 'stacks', STACK);

/** Role names by their Terraform reference (`${vsphere_role.X.id}`), and Read-only (-2). */
function roleName(tf: Json, roleId: string): string {
  const m = /^\$\{vsphere_role\.([^.]+)\.id\}$/.exec(roleId);
  if (m) return tf.resource.vsphere_role[m[1]].name;
  if (roleId === '-2') return 'Read-only';
  throw new Error(`unexpected role_id ${roleId}`);
}

/** What the stack's owned folders must hold, from its vsphere_entity_permissions: path → lines. */
function ownedLines(tf: Json): Map<string, PermissionLine[]> {
  const out = new Map<string, PermissionLine[]>();
  for (const r of Object.values<Json>(tf.resource.vsphere_entity_permissions)) {
    expect(r['//'].kkp.management).toBe('owned');
    out.set(
      r['//'].kkp.entity,
      r.permissions
        .map((p: Json) => `${p.is_group ? 'group' : 'user'} ${p.user_or_group} ${roleName(tf, p.role_id)} ${p.propagate ? 'propagate' : 'no-propagate'}`)
        .sort(),
    );
  }
  return out;
}

/** The stack's custom roles as vCenter holds them: name → privilege IDs (vCenter's own System.* left out). */
async function stackRoles(): Promise<Record<string, string[]>> {
  const roles = (await vc.roleList()).filter((r) => r.name.startsWith('kkp-'));
  return Object.fromEntries(roles.map((r) => [r.name, r.privileges.filter((p) => !p.startsWith('System.')).sort()]));
}

async function folderPaths(under: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const ref = await vc.findByInventoryPath(p);
    if (!ref) return;
    out.push(p);
    const children = await vc.properties(ref, ['childEntity']);
    const refs = ([] as any[]).concat((children.childEntity as any)?.ManagedObjectReference ?? []).map((c) => asMoRef(c)!);
    for (const child of refs.filter((c) => c.type === 'Folder')) {
      await walk(`${p}/${text((await vc.properties(child, ['name'])).name)}`);
    }
  };
  await walk(under);
  return out.sort();
}

async function vmState(p: string): Promise<{ template: boolean; powerState?: string } | undefined> {
  const ref = await vc.findByInventoryPath(p);
  if (!ref) return undefined;
  const props = await vc.properties(ref, ['config.template', 'runtime.powerState']);
  return { template: text(props['config.template']) === 'true', powerState: text(props['runtime.powerState']) };
}

/**
 * Reads back everything the stack made and checks it against its configuration: the credentials Secrets, roles with
 * their exact privilege IDs, folders, each owned folder's permissions, each additive grant, the templates; other
 * teams as before.
 */
async function checkDeployed(step: string, tf: Json): Promise<void> {
  await checkSecrets(step, tf);
  const expectedRoles = Object.fromEntries(Object.values<Json>(tf.resource.vsphere_role).map((r) => [r.name, [...r.role_privileges].sort()]));
  expect(Object.keys(expectedRoles)).toHaveLength(9);
  expect(await stackRoles()).toEqual(expectedRoles);

  const folders = Object.values<Json>(tf.resource.vsphere_folder).map((f) => `/dc-1/vm/${f.path}`).sort();
  expect(await folderPaths('/dc-1/vm/kkp')).toEqual(folders);

  const owned = ownedLines(tf);
  expect([...(await permissionsByObject(vc, [...owned.keys()])).entries()]).toEqual([...owned.entries()]);

  const additive = additiveLines(tf);
  const now = await permissionsByObject(vc, SHARED);
  for (const p of SHARED) expect([p, now.get(p)!.filter(isStack)]).toEqual([p, additive.get(p) ?? []]);

  for (const name of ['kkp-ubuntu-22.04', 'kkp-rockylinux-9']) {
    expect([name, await vmState(`/dc-1/vm/kkp/templates/${name}`)]).toEqual([name, { template: true, powerState: 'poweredOff' }]);
  }
  await checkForeign(step, now);
}

/** Other teams' permissions on every shared object, compared with before the first apply; prints the table. */
async function checkForeign(step: string, now?: Map<string, PermissionLine[]>): Promise<void> {
  now ??= await permissionsByObject(vc, SHARED);
  const rows = SHARED.map((p) => {
    const b = others(foreignBefore.get(p)!);
    const a = others(now!.get(p)!);
    const same = JSON.stringify(a) === JSON.stringify(b) ? 'yes' : 'NO';
    return `| ${p} | ${b.length} | ${a.length} | ${same} | ${now!.get(p)!.filter(isStack).length} |`;
  });
  figures.push(`${step}\n| object | foreign before | foreign after | identical | stack's grants |\n|---|---|---|---|---|\n${rows.join('\n')}`);
  for (const p of SHARED) expect([p, others(now.get(p)!)]).toEqual([p, others(foreignBefore.get(p)!)]);
}

beforeAll(async () => {
  [sim, kube] = await Promise.all([startVcsim({ tls: true, inventory: 'kkp-example' }), startKubeApiServer()]);
  figures.push(`kube-apiserver + etcd (binaries from ${kube.binariesFrom}): ready in ${secs(kube.startMillis)}; at start ${memoryFigure()}`);
  // The seed's namespace exists (the KKP operator makes it; the stack writes into it, never creates it), and other
  // teams' Secrets are in it.
  await kube.ensureNamespace('kubermatic');
  for (const s of FOREIGN_SECRETS) {
    await kube.must('POST', '/api/v1/namespaces/kubermatic/secrets', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name, namespace: 'kubermatic' }, type: 'Opaque', stringData: s.data,
    });
  }
  secretsBefore = await allSecrets();
  versionsBefore = await secretVersions();
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });

  // The images: Rocky Linux 9 converted from a (small, real) QCOW2 into the app's KKP_IMAGE_DIR, as the example's
  // header says; Ubuntu 22.04 as an OVA on a mirror (an HTTP server on loopback) named by KKP_UBUNTU_OVA_URL.
  appDir = tmpDir('example-app');
  imageDir = path.join(appDir, 'images');
  const scratch = tmpDir('example-images');
  await convertImage({
    input: makeQcow2(path.join(scratch, 'rocky.qcow2'), 8 * MiB, [{ offset: 0, length: MiB, pattern: 0x52 }]),
    outDir: imageDir,
    name: 'kkp-rockylinux-9',
    guestOs: 'rhel9_64Guest',
  });
  const ubuntu = await convertImage({
    input: makeQcow2(path.join(scratch, 'ubuntu.qcow2'), 8 * MiB, [{ offset: MiB, length: MiB, pattern: 0x55 }]),
    outDir: path.join(scratch, 'ubuntu'),
    name: 'ubuntu-22.04-server-cloudimg-amd64',
    guestOs: 'ubuntu64Guest',
    ova: true,
  });
  server = spawn(process.execPath, ['-e', IMAGE_SERVER, ubuntu.ovaPath!], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr!.on('data', (c: Buffer) => requests.push(...c.toString().trim().split('\n')));
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim())));
  ovaUrl = `http://127.0.0.1:${port}/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova`;

  // The network change moves the storage grant to another port group, which the vSphere admins made beforehand.
  const dvs = (await vc.findByInventoryPath('/dc-1/network/dvs-1'))!;
  const spec = '<spec><name>kkp-storage-v2</name><type>earlyBinding</type><numPorts>8</numPorts></spec>';
  await vc.waitForTask(asMoRef(await vc.invoke('AddDVPortgroup_Task', dvs, spec))!, 'AddDVPortgroup_Task');

  // Other teams on every shared object: a backup group with a custom role (propagated), a monitoring user (Read-only).
  const backupRole = (await vc.addRole('corp-backup', ['Datastore.Browse', 'VirtualMachine.State.CreateSnapshot'])).id;
  for (const p of SHARED) {
    await vc.setEntityPermissions((await resolveObject(vc, p))!, [
      { principal: 'CORP\\backup-team', group: true, roleId: backupRole, propagate: true },
      { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false },
    ]);
  }
  foreignBefore = await permissionsByObject(vc, SHARED);

  // The credentials Secrets' passwords: sensitive variables, from the environment as a user's pipeline passes them.
  Object.assign(variables, PASSWORDS);
  synthExample();
  deployment = new Deployment(undefined, sim, Object.fromEntries(Object.entries(variables).map(([k, v]) => [`TF_VAR_${k}`, v])), stackDir());
}, 300_000);

afterAll(async () => {
  if (kube) figures.push(`kube-apiserver + etcd at the end: ${memoryFigure()}`);
  console.log(`examples/kkp-seed on the simulator and a kube-apiserver, figures:\n\n${figures.join('\n\n')}`);
  await vc?.logout().catch(() => undefined);
  await Promise.all([sim?.stop(), kube?.stop()]);
  server?.kill();
  removeTmpDirs();
});

describe('examples/kkp-seed, as it ships, on the example inventory', () => {
  test('other teams hold permissions on every shared object before the first apply', () => {
    for (const p of SHARED) {
      expect(others(foreignBefore.get(p)!)).toEqual(
        expect.arrayContaining(['group CORP\\backup-team corp-backup propagate', 'user CORP\\monitoring Read-only no-propagate']),
      );
      expect(foreignBefore.get(p)!.filter(isStack)).toEqual([]);
    }
  });

  test('apply: roles, folders, owned-folder permissions, additive grants, both templates and the credentials Secrets in one graph; re-plan exits 0', async () => {
    const text = fs.readFileSync(path.join(stackDir(), 'cdk.tf.json'), 'utf8');
    const tf = JSON.parse(text);
    // No credential in the configuration: the passwords come from TF_VAR_*, the API server's token from kubeconfigs/seed.
    for (const secret of Object.values(PASSWORDS)) expect(text).not.toContain(secret);
    expect(tf.provider.kubernetes).toEqual([{ alias: 'seed', config_path: 'kubeconfigs/seed' }]);
    // The template images as a user's app has them: the OVF relative to the stack's directory, the OVA by URL.
    const inputs = Object.values<Json>(tf.resource.kkpvsphere_vm_template).map((r) => [r.name, r.source]);
    expect(inputs.sort()).toEqual([
      ['kkp-rockylinux-9', '../../../images/kkp-rockylinux-9.ovf'],
      ['kkp-ubuntu-22.04', ovaUrl],
    ]);
    const result = await deployment.deploy();
    figures.push(applyFigure('first apply', result));
    expect(result.providerActions.filter((a) => a.includes('kubernetes_'))).toEqual([
      'create kubernetes_secret.UserCluster-kh8dfp2rz6_Credentials',
      'create kubernetes_secret.UserCluster-p4n8c2vd7t_Credentials',
      'create kubernetes_secret.UserCluster-x7q2mm9wkp_Credentials',
    ]);
    // 9 roles, 7 folders, 5 owned-folder permission sets, 2 templates (and the local image's digest), 3 credentials
    // Secrets, and one kkpvsphere_permissions per shared object that holds grants (all but kkp-storage-v2), listing
    // the 19 additive grants' principals.
    expect(tf.resource.kkpvsphere_permission).toBeUndefined();
    const objects = Object.values<Json>(tf.resource.kkpvsphere_permissions);
    expect(objects.map((r) => r['//'].kkp.entity).sort()).toEqual(SHARED.filter((p) => p !== '/dc-1/network/kkp-storage-v2').sort());
    expect(result.grantObjects).toEqual(objects.map((r) => `create ${r['//'].kkp.entity}`).sort());
    const grants = objects.reduce((n, r) => n + Object.keys(r.permissions).length, 0);
    expect([grants, result.actions.length]).toEqual([19, 19]);
    expect(result.added).toBe(9 + 7 + 5 + 2 + 1 + 3 + objects.length);
    // terraform apply ran no Node process (no provisioner, no CLI)
    expect([result.plan, result.nodeCalls]).toEqual([0, []]);
    expect(deployment.stateAddresses().filter((a) => a.startsWith('kubernetes_')).map(withoutHash)).toEqual([
      'kubernetes_secret.UserCluster-kh8dfp2rz6_Credentials',
      'kubernetes_secret.UserCluster-p4n8c2vd7t_Credentials',
      'kubernetes_secret.UserCluster-x7q2mm9wkp_Credentials',
    ]);
    await checkDeployed('after the first apply', tf);

    // What KKP reads, written out here (not from the configuration): the Secret credentialsReference names, the four
    // keys with KKP's names, each value the exact bytes given to Terraform.
    const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
    const expected: Record<string, { username: string; password: string }> = {
      kh8dfp2rz6: { username: 'VSPHERE.LOCAL\\kkp-storage', password: PASSWORDS.kkp_storage_password },
      x7q2mm9wkp: { username: 'VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp', password: PASSWORDS.vsphere_x7q2mm9wkp_password },
      p4n8c2vd7t: { username: 'VSPHERE.LOCAL\\kkp-storage', password: PASSWORDS.kkp_storage_password },
    };
    const readBack: string[] = [];
    for (const [id, { username, password }] of Object.entries(expected)) {
      const spec = cloudSpec(id);
      expect(spec.credentialsReference).toEqual({ name: `kkp-vsphere-${id}`, namespace: 'kubermatic' });
      const data = await kube.secretData('kubermatic', spec.credentialsReference.name);
      expect(data).toEqual({
        username: utf8(username),
        password: utf8(password),
        infraManagementUserUsername: utf8(MC),
        infraManagementUserPassword: utf8(PASSWORDS.kkp_machine_controller_password),
      });
      // On the wire, each value is base64 of the bytes once (a double encoding would decode to base64 text).
      const raw = await kube.must('GET', `/api/v1/namespaces/kubermatic/secrets/kkp-vsphere-${id}`);
      expect(raw.type).toBe('Opaque');
      expect(raw.data.password).toBe(utf8(password).toString('base64'));
      // The cloud-config KKP renders from what it read: the stack's review output with the Secret's password put in
      // is read by gcfg (the CSI driver's parser) as the very bytes of the Secret.
      const review = deployment.ws.run(['output', '-raw', `kkp_cloud_config_${id}`]).stdout;
      expect(review).not.toContain(password);
      const rendered = review.replace(new RegExp(`"<redacted: Secret kubermatic/kkp-vsphere-${id}, key password>"`, 'g'), q(data!.password.toString('utf8')));
      const parsed = parseWithGcfg(rendered);
      expect([id, utf8(parsed.global.user), utf8(parsed.global.password)]).toEqual([id, data!.username, data!.password]);
      expect(parsed.virtualCenter!['vcenter.dc-1.example.com'].password).toBe(password);
      // The folder the spec names is the one the same apply made.
      expect(await vc.findByInventoryPath(spec.folder)).toBeDefined();
      readBack.push(`kubermatic/kkp-vsphere-${id} {${Object.keys(data!).join(', ')}} (${Object.values(data!).map((b) => b.length).join('+')} bytes)`);
    }
    figures.push(`Secrets read back through the API after the first apply, byte for byte as KKP reads them:\n  ${readBack.join('\n  ')}`);
    // The OVA came from the mirror (the provider reads its descriptor, then streams it). The request
    // log is an event stream: let it catch up after the synchronous run.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests.length).toBeGreaterThan(0);
    expect([...new Set(requests)]).toEqual(['/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova']);
  });

  test('add a user cluster with its own storage user: its folder, its folder permissions, its five grants and its Secret', async () => {
    const tf = synthExample({ userClusters: [...USER_CLUSTERS, { clusterId: 'm3v6z8qw1c', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-m3v6z8qw1c' }] });
    const result = await deployment.deploy();
    figures.push(applyFigure('add a user cluster', result));
    expect(result.providerActions).toEqual([
      'create kubernetes_secret.UserCluster-m3v6z8qw1c_Credentials',
      'create vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-dc-1_vm_kkp_clusters_m3v6z8qw1c',
      'create vsphere_folder.UserCluster-m3v6z8qw1c_Folder',
    ]);
    expect(await kube.secretData('kubermatic', 'kkp-vsphere-m3v6z8qw1c')).toEqual({
      username: utf8('VSPHERE.LOCAL\\kkp-storage-m3v6z8qw1c'),
      password: utf8(PASSWORDS.vsphere_m3v6z8qw1c_password),
      infraManagementUserUsername: utf8('VSPHERE.LOCAL\\kkp-machine-controller'),
      infraManagementUserPassword: utf8(PASSWORDS.kkp_machine_controller_password),
    });
    // A cluster's own storage user: vCenter-level CNS role, Read-only on the datacenter and the node hosts, the datastore.
    expect(result.actions).toEqual([
      'create / user vsphere.local\\kkp-storage-m3v6z8qw1c',
      'create /dc-1 user vsphere.local\\kkp-storage-m3v6z8qw1c',
      'create /dc-1/datastore/ds-ssd-1 user vsphere.local\\kkp-storage-m3v6z8qw1c',
      'create /dc-1/host/cluster-1/esxi-01.dc-1.example.com user vsphere.local\\kkp-storage-m3v6z8qw1c',
      'create /dc-1/host/cluster-1/esxi-02.dc-1.example.com user vsphere.local\\kkp-storage-m3v6z8qw1c',
    ]);
    // added in place to the five objects' kkpvsphere_permissions: no grant resource created
    expect(result.grantObjects).toEqual([
      'update /',
      'update /dc-1',
      'update /dc-1/datastore/ds-ssd-1',
      'update /dc-1/host/cluster-1/esxi-01.dc-1.example.com',
      'update /dc-1/host/cluster-1/esxi-02.dc-1.example.com',
    ]);
    expect([result.added, result.changed, result.destroyed, result.plan, result.nodeCalls]).toEqual([3, 5, 0, 0, []]);
    await checkDeployed('after adding user cluster m3v6z8qw1c', tf);
  });

  test('remove a user cluster: its folder, folder permissions, grants and Secret go, nothing else', async () => {
    const clusters = [...USER_CLUSTERS, { clusterId: 'm3v6z8qw1c', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-m3v6z8qw1c' }].filter((c) => c.clusterId !== 'x7q2mm9wkp');
    const tf = synthExample({ userClusters: clusters });
    const result = await deployment.deploy();
    figures.push(applyFigure('remove a user cluster', result));
    expect(result.providerActions).toEqual([
      'delete kubernetes_secret.UserCluster-x7q2mm9wkp_Credentials',
      'delete vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-dc-1_vm_kkp_clusters_x7q2mm9wkp',
      'delete vsphere_folder.UserCluster-x7q2mm9wkp_Folder',
    ]);
    expect(result.actions).toEqual([
      'delete / user vsphere.local\\kkp-storage-x7q2mm9wkp',
      'delete /dc-1 user vsphere.local\\kkp-storage-x7q2mm9wkp',
      'delete /dc-1/datastore/ds-ssd-1 user vsphere.local\\kkp-storage-x7q2mm9wkp',
      'delete /dc-1/host/cluster-1/esxi-01.dc-1.example.com user vsphere.local\\kkp-storage-x7q2mm9wkp',
      'delete /dc-1/host/cluster-1/esxi-02.dc-1.example.com user vsphere.local\\kkp-storage-x7q2mm9wkp',
    ]);
    // removed in place from the five objects' kkpvsphere_permissions, whose other principals stay
    expect(result.grantObjects).toEqual([
      'update /',
      'update /dc-1',
      'update /dc-1/datastore/ds-ssd-1',
      'update /dc-1/host/cluster-1/esxi-01.dc-1.example.com',
      'update /dc-1/host/cluster-1/esxi-02.dc-1.example.com',
    ]);
    expect([result.added, result.changed, result.destroyed, result.plan, result.nodeCalls]).toEqual([0, 5, 3, 0, []]);
    expect(await kube.secretData('kubermatic', 'kkp-vsphere-x7q2mm9wkp')).toBeUndefined();
    await checkDeployed('after removing user cluster x7q2mm9wkp', tf);
  });

  test('rename a user cluster (a new id): the old folder and Secret go, the new ones come with its permissions', async () => {
    const clusters = [
      USER_CLUSTERS[0],
      { clusterId: 'q9r5t1zz3m', folderPath: 'team-payments/q9r5t1zz3m', datastore: 1 },
      { clusterId: 'm3v6z8qw1c', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-m3v6z8qw1c' },
    ];
    const tf = synthExample({ userClusters: clusters });
    const result = await deployment.deploy();
    figures.push(applyFigure('rename a user cluster', result));
    expect(result.providerActions).toEqual([
      'create kubernetes_secret.UserCluster-q9r5t1zz3m_Credentials',
      'create vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-dc-1_vm_kkp_team-payments_q9r5t1zz3m',
      'create vsphere_folder.UserCluster-q9r5t1zz3m_Folder',
      'delete kubernetes_secret.UserCluster-p4n8c2vd7t_Credentials',
      'delete vsphere_entity_permissions.KkpVspherePermissions_Perms-folder-dc-1_vm_kkp_team-payments_p4n8c2vd7t',
      'delete vsphere_folder.UserCluster-p4n8c2vd7t_Folder',
    ]);
    // p4n8c2vd7t used the shared storage user: no grant of its own to move.
    expect([result.actions, result.grantObjects]).toEqual([[], []]);
    expect(result.plan).toBe(0);
    await checkDeployed('after renaming user cluster p4n8c2vd7t to q9r5t1zz3m', tf);
  });

  test('a network renamed (kkp-storage → kkp-storage-v2): the network grant moves, both port groups keep their other teams, no Secret changes', async () => {
    const clusters = [
      USER_CLUSTERS[0],
      { clusterId: 'q9r5t1zz3m', folderPath: 'team-payments/q9r5t1zz3m', datastore: 1 },
      { clusterId: 'm3v6z8qw1c', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-m3v6z8qw1c' },
    ];
    const tf = synthExample({ userClusters: clusters, networks: ['kkp-workers', 'kkp-storage-v2'] });
    const result = await deployment.deploy();
    figures.push(applyFigure('rename a network', result));
    expect(result.providerActions).toEqual([]);
    expect(result.actions).toEqual([
      'create /dc-1/network/kkp-storage-v2 user vsphere.local\\kkp-machine-controller',
      'delete /dc-1/network/kkp-storage user vsphere.local\\kkp-machine-controller',
    ]);
    // machine-controller was the stack's only principal on each port group: one kkpvsphere_permissions created, one destroyed
    expect(result.grantObjects).toEqual(['create /dc-1/network/kkp-storage-v2', 'delete /dc-1/network/kkp-storage']);
    expect([result.plan, result.nodeCalls]).toEqual([0, []]);
    await checkDeployed('after renaming network kkp-storage to kkp-storage-v2', tf);
  });

  test('destroy: no role, folder, template, permission or Secret of the stack is left; other teams as before', async () => {
    const inState = deployment.stateAddresses();
    expect(inState.filter((a) => a.startsWith('kubernetes_')).map(withoutHash)).toEqual([
      'kubernetes_secret.UserCluster-kh8dfp2rz6_Credentials',
      'kubernetes_secret.UserCluster-m3v6z8qw1c_Credentials',
      'kubernetes_secret.UserCluster-q9r5t1zz3m_Credentials',
    ]);
    const result = await deployment.destroy();
    figures.push(`destroy: ${result.destroyed} of ${inState.length} resources destroyed in ${secs(result.millis)} wall; stalled folder deletes recovered: ${result.stalls}` +
        (result.removedFromState.length ? ` (removed from the state as already deleted: ${result.removedFromState.join(', ')})` : ''));
    if (result.stalls === 0) expect(result.destroyed).toBe(inState.length);
    expect(result.nodeCalls).toEqual([]);
    expect(deployment.stateAddresses()).toEqual([]);
    // The API server: exactly the Secrets that were there before the first apply, the other teams' as they were.
    expect(await allSecrets()).toEqual(secretsBefore);
    expect(await kube.secretNames('kubermatic')).toEqual(FOREIGN_SECRETS.map((s) => s.name).sort());
    await foreignSecretsIntact();
    // vCenter.
    expect(await stackRoles()).toEqual({});
    expect(await vc.findByInventoryPath('/dc-1/vm/kkp')).toBeUndefined();
    const now = await permissionsByObject(vc, SHARED);
    for (const p of SHARED) expect([p, now.get(p)!.filter(isStack)]).toEqual([p, []]);
    await checkForeign('after destroy', now);
    expect((await vc.roleList()).map((r) => r.name)).toContain('corp-backup');
  });
});
