// KKP's vSphere operations on the deployed example (examples/kkp-seed as it ships, KKP 2.31, profile kkp-2.26),
// run as the users its credentials Secrets name, against the simulator with privilege enforcement on
// (VCSIM_ENFORCE_PRIVILEGES=1: a call whose user lacks a privilege vCenter requires is refused with NoPermission).
//
// The example is deployed as test/e2e/example.test.ts deploys it (Deployment of test/e2e/support.ts: the real vSphere
// provider against the simulator, the real kubernetes provider against a real kube-apiserver for the credentials
// Secrets, both templates imported). Then, logged in as each principal (user and password read back from the
// credentials Secret the stack wrote, as KKP reads them), test/kkpops runs each component's operations for each user
// cluster: all pass (the example grants the network role on the port groups and on their distributed switch). Then,
// for each single permission of the stack: the admin removes it through vCenter's API, the operations run again, the
// permission is restored; exactly the operations the model in src/facts/kkp-operations predicts fail, with
// NoPermission on an object and privilege the model names.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { KkpSeedStack } from '../../examples/kkp-seed/main';
import { PermissionIndex } from '../../src/facts';
import { convertImage } from '../../src/tools/images';
import { makeQcow2, removeTmpDirs, tmpDir } from '../images/tools';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { Vcsim, startVcsim } from '../support/vcsim';
import { Deployment } from '../e2e/support';
import { OpResult, OpsRun, Scenario, clusterRuns, mismatches, runKkpops, stackPermissions, worksOf } from './support';

jest.setTimeout(900_000);

type Json = Record<string, any>;
const MiB = 2 ** 20;
const STACK = 'kkp-seed';
const SWITCH = '/dc-1/network/dvs-1';

const PASSWORDS: Record<string, string> = {
  kkp_storage_password: 'st "q" \\ ${x} <&> ä',
  kkp_machine_controller_password: 'mc %{if} ✓ \'s\'',
  vsphere_x7q2mm9wkp_password: 'x7 \\" ${z}',
};
/** The example's principals and the variable holding each one's password (what its Secrets say: checked below). */
const PRINCIPALS: Record<string, string> = {
  'VSPHERE.LOCAL\\kkp-machine-controller': 'kkp_machine_controller_password',
  'VSPHERE.LOCAL\\kkp-storage': 'kkp_storage_password',
  'VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp': 'vsphere_x7q2mm9wkp_password',
};

const IMAGE_SERVER = `
const http = require('node:http'), fs = require('node:fs');
const [file] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  if (req.url !== '/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova') return void res.writeHead(404).end();
  res.writeHead(200, { 'Content-Length': fs.statSync(file).size });
  fs.createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0));
`;

let sim: Vcsim;
let kube: KubeApiServer;
let server: ChildProcess;
let appDir: string;
let tf: Json;
const figures: string[] = [];
let runs: OpsRun[];
/** Env prefix → user and password, read back from the credentials Secrets. */
const credentials = new Map<string, { user: string; password: string }>();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  const started = Date.now();
  process.env.VCSIM_USERS = JSON.stringify(Object.fromEntries(Object.entries(PRINCIPALS).map(([p, v]) => [p, PASSWORDS[v]])));
  process.env.VCSIM_ENFORCE_PRIVILEGES = '1';
  try {
    [sim, kube] = await Promise.all([startVcsim({ tls: true, inventory: 'kkp-example' }), startKubeApiServer()]);
  } finally {
    delete process.env.VCSIM_USERS;
    delete process.env.VCSIM_ENFORCE_PRIVILEGES;
  }
  await kube.ensureNamespace('kubermatic');

  // The two templates' images, as test/e2e/example.test.ts makes them: Rocky Linux converted from a small QCOW2 into
  // KKP_IMAGE_DIR, Ubuntu as an OVA served on loopback and named by KKP_UBUNTU_OVA_URL.
  appDir = tmpDir('ops-example-app');
  const imageDir = path.join(appDir, 'images');
  const scratch = tmpDir('ops-example-images');
  await convertImage({
    input: makeQcow2(path.join(scratch, 'rocky.qcow2'), 8 * MiB, [{ offset: 0, length: MiB, pattern: 0x52 }]),
    outDir: imageDir, name: 'kkp-rockylinux-9', guestOs: 'rhel9_64Guest',
  });
  const ubuntu = await convertImage({
    input: makeQcow2(path.join(scratch, 'ubuntu.qcow2'), 8 * MiB, [{ offset: MiB, length: MiB, pattern: 0x55 }]),
    outDir: path.join(scratch, 'ubuntu'), name: 'ubuntu-22.04-server-cloudimg-amd64', guestOs: 'ubuntu64Guest', ova: true,
  });
  server = spawn(process.execPath, ['-e', IMAGE_SERVER, ubuntu.ovaPath!], { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim())));

  // cdktf synth from the app's directory, as a user runs it; the seed's kubeconfig where the example reads it.
  const cwd = process.cwd();
  process.chdir(appDir);
  process.env.KKP_IMAGE_DIR = imageDir;
  process.env.KKP_UBUNTU_OVA_URL = `http://127.0.0.1:${port}/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova`;
  try {
    const app = new App({ outdir: 'cdktf.out' });
    new KkpSeedStack(app, STACK);
    app.synth();
  } finally {
    process.chdir(cwd);
    delete process.env.KKP_IMAGE_DIR;
    delete process.env.KKP_UBUNTU_OVA_URL;
  }
  const stackDir = path.join(appDir, 'cdktf.out', 'stacks', STACK);
  kube.writeKubeconfig(path.join(stackDir, 'kubeconfigs', 'seed'));
  tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  const deployment = new Deployment(undefined, sim, Object.fromEntries(Object.entries(PASSWORDS).map(([k, v]) => [`TF_VAR_${k}`, v])), stackDir);
  const result = await deployment.deploy();
  expect(result.plan).toBe(0);
  figures.push(`deploy of the example: plan ${secs(result.planMillis)}, apply ${secs(result.millis)}, ${result.added} resources; before it ${secs(Date.now() - started - result.millis - result.planMillis - result.replanMillis)} (simulator, kube-apiserver, images, synth)`);

  // Whom KKP logs in as: the credentials Secrets as deployed, read back through the API as KKP reads them.
  const envOf = new Map<string, string>();
  for (const s of Object.values<Json>(tf.resource.kubernetes_secret)) {
    const data = (await kube.secretData('kubermatic', s.metadata.name))!;
    for (const [userKey, passwordKey] of [['username', 'password'], ['infraManagementUserUsername', 'infraManagementUserPassword']]) {
      const user = data[userKey]?.toString('utf8');
      if (!user) continue;
      const password = data[passwordKey].toString('utf8');
      expect([user, password]).toEqual([user, PASSWORDS[PRINCIPALS[user]]]);
      if (!envOf.has(user.toLowerCase())) {
        const env = `KKPOPS_P${envOf.size}`;
        envOf.set(user.toLowerCase(), env);
        credentials.set(env, { user, password });
      }
    }
  }
  // The example's port groups are distributed ones on the switch dvs-1 (the simulator's inventory, as a platform
  // team's vCenter has them; the example grants it), which the clusters' metadata does not name: the model's need of
  // System.Read on the switch is asked there.
  runs = worksOf(tf)
    .map((meta) => ({ ...meta, objects: { ...meta.objects, distributedSwitch: [{ path: SWITCH }] } }))
    .flatMap((meta) => clusterRuns(meta, (p) => envOf.get(p.toLowerCase())!));
}, 600_000);

afterAll(async () => {
  console.log(`KKP operations on the deployed example, figures:\n\n${figures.join('\n\n')}`);
  await Promise.all([sim?.stop(), kube?.stop()]);
  server?.kill();
  removeTmpDirs();
});

/** `id as principal: NoPermission object privilege` lines of the failed operations. */
const failedLines = (results: readonly OpResult[]) =>
  results.filter((r) => !r.ok).map((r) => `${r.cluster} ${r.id} as ${r.principal}: ${r.fault} ${r.object ?? ''} ${r.privilege ?? ''}`.trim());

describe('examples/kkp-seed deployed, KKP 2.31: the operations of KKP\'s components as its users', () => {
  // The example grants machine-controller's user the network role on its port groups and on their distributed switch
  // (UserClusterPermissions distributedSwitches), so that user reads dvs-1: it builds the NICs of a new VM, and KKP's
  // network list has both port groups.
  test('with the stack\'s grants every operation passes as each principal the credentials name', () => {
    expect(runs.map((r) => `${r.cluster} ${r.principal}`).sort()).toEqual([
      'kh8dfp2rz6 VSPHERE.LOCAL\\kkp-machine-controller',
      'kh8dfp2rz6 VSPHERE.LOCAL\\kkp-storage',
      'p4n8c2vd7t VSPHERE.LOCAL\\kkp-machine-controller',
      'p4n8c2vd7t VSPHERE.LOCAL\\kkp-storage',
      'x7q2mm9wkp VSPHERE.LOCAL\\kkp-machine-controller',
      'x7q2mm9wkp VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp',
    ]);
    const { results, millis } = runKkpops(sim, { datacenter: 'dc-1', scenarios: [{ id: 'stack', runs }] }, credentials);
    figures.push(`with the stack's grants: ${results.length} operations in ${secs(millis)}:\n` +
      runs.map((r) => `  ${r.cluster} as ${r.principal}: ${r.ops.join(', ')}`).join('\n'));
    expect(results).toHaveLength(runs.reduce((n, r) => n + r.ops.length, 0));
    expect(mismatches(new PermissionIndex(stackPermissions(path.join(appDir, 'cdktf.out'))), runs, results, 'stack')).toEqual([]);
    expect(failedLines(results)).toEqual([]);
    // The switch's grant is the stack's own (removing it is one of the next test's scenarios).
    expect(stackPermissions(path.join(appDir, 'cdktf.out')).filter((p) => p.path === SWITCH).map((p) => `${p.principal} ${p.role} ${p.propagate}`))
      .toEqual(['VSPHERE.LOCAL\\kkp-machine-controller kkp-k8c-network-attach false']);
  });

  test('with any single permission of the stack removed, exactly the operations the model says need it fail with NoPermission', () => {
    const permissions = stackPermissions(path.join(appDir, 'cdktf.out'));
    const scenarios: Scenario[] = permissions.map((p, i) => ({
      id: `${i}`,
      remove: { object: p.path, principal: p.principal, group: p.isGroup },
      runs,
    }));
    const { results, millis } = runKkpops(sim, { datacenter: 'dc-1', scenarios }, credentials);
    const rows: string[] = [];
    const wrong: string[] = [];
    permissions.forEach((p, i) => {
      const index = new PermissionIndex(permissions.filter((q) => q !== p));
      const mine = results.filter((r) => r.scenario === `${i}`);
      wrong.push(...mismatches(index, runs, mine, `${i}`));
      const failed = failedLines(mine);
      rows.push(`| ${p.path} | ${p.principal} | ${p.role} | ${failed.length ? failed.join('<br>') : 'none'} |`);
    });
    figures.push(`${permissions.length} permissions removed one at a time, ${results.length} operations in ${secs(millis)}:\n` +
      '| object | principal | role | operations refused |\n|---|---|---|---|\n' + rows.join('\n'));
    expect(wrong).toEqual([]);
    // Not vacuous: some removals are predicted to break operations, and did.
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
  });
});
