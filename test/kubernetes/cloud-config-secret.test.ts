// CloudConfigSecret applied for real with the kubernetes provider to a real kube-apiserver, for a cluster KKP does not
// manage (the seed's own cloud provider and CSI driver): KKP's dialect (`cloud-config` and `cloud-config-csi` in
// kube-system, key `config`) and the upstream driver's (`vsphere-config-secret` in vmware-system-csi, key
// `csi-vsphere.conf`). The Secrets read back hold the files byte for byte as written out by hand here, and gcfg (the
// parser of the cloud provider and the driver) reads back the exact credentials. Re-plan is clean; a rotated password
// changes exactly its Secret; destroy leaves other teams' Secrets. And the contrast to kubernetes_manifest: a new
// Secret plans without the API server, a deployed one does not (its state is refreshed).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { CloudConfigSecret } from '../../src';
import { parseCsiWithGcfg, parseWithGcfg } from '../support/gcfg';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { TerraformWorkspace } from '../support/terraform';
import { plannedChanges } from '../support/vsphere-provider';
import { Timings, applySavedPlan, stateAddresses, synthStack, withEnv } from './support';

const USER = 'VSPHERE.LOCAL\\kkp-seed-storage';
const PASSWORD = 'seed "pw" \\ ${x} %{y} äö€';
const CSI_USER = 'VSPHERE.LOCAL\\seed-csi';
const CSI_PASSWORD_1 = 'csi-pw "1" \\\\';
const CSI_PASSWORD_2 = 'csi-pw rotated ✓';

let kube: KubeApiServer;
let kubeconfig: string;
const workspaces: TerraformWorkspace[] = [];
const timings = new Timings();
const FOREIGN = [
  { namespace: 'kube-system', name: 'cloud-config-team-b', data: { config: '[Global]\n' } },
  { namespace: 'vmware-system-csi', name: 'other-driver-config', data: { 'csi-vsphere.conf': '[Global]\n' } },
];

beforeAll(async () => {
  kube = await startKubeApiServer();
  kubeconfig = kube.writeKubeconfig();
  // The driver's manifests create its namespace; the stack only writes the Secret into it.
  await kube.ensureNamespace('vmware-system-csi');
  for (const s of FOREIGN) {
    await kube.must('POST', `/api/v1/namespaces/${s.namespace}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name }, stringData: s.data });
  }
}, 300_000);

afterAll(async () => {
  timings.print('cloud-config-secret.test.ts terraform wall times');
  for (const ws of workspaces) ws.remove();
  await kube?.stop();
});

function seedStack(config = kubeconfig): string {
  return synthStack('seed-secrets', (stack: TerraformStack) => {
    new KubernetesProvider(stack, 'kubernetes', { configPath: config });
    new CloudConfigSecret(stack, 'Kkp', {
      kkpUserCluster: false,
      server: 'vcenter.dc0.example.com',
      datacenter: 'DC0',
      datastore: 'LocalDS_0',
      folder: '/DC0/vm/kkp-seed',
      clusterId: 'kkp-seed',
      user: USER,
    });
    new CloudConfigSecret(stack, 'Csi', {
      format: 'csi-vsphere-conf',
      server: 'vcenter.dc0.example.com',
      insecure: true,
      datacenters: ['DC0'],
      clusterId: 'kkp-seed',
      clusterDistribution: 'KKP-seed',
      variablePrefix: 'seed_csi',
    });
  });
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const KKP_INI = `[Global]
user = ${q(USER)}
password = ${q(PASSWORD)}
port = "443"
insecure-flag = false
working-dir = "kkp-seed"
datacenter = "DC0"
datastore = "LocalDS_0"
server = "vcenter.dc0.example.com"
cluster-id = "kkp-seed"

[Disk]
scsicontrollertype = "pvscsi"

[Workspace]
server = "vcenter.dc0.example.com"
datacenter = "DC0"
folder = "/DC0/vm/kkp-seed"
default-datastore = "LocalDS_0"
resourcepool-path = ""

[VirtualCenter "vcenter.dc0.example.com"]
user = ${q(USER)}
password = ${q(PASSWORD)}
port = "443"
datacenters = "DC0"
`;

/** The upstream driver's file (kubernetes-sigs/vsphere-csi-driver docs: csi-vsphere.conf), booleans bare as gcfg reads them. */
const csiConf = (password: string) => `[Global]
cluster-id = "kkp-seed"
cluster-distribution = "KKP-seed"

[VirtualCenter "vcenter.dc0.example.com"]
insecure-flag = true
user = ${q(CSI_USER)}
password = ${q(password)}
port = "443"
datacenters = "DC0"
`;

const env = (csiPassword: string) => ({
  TF_VAR_vsphere_cloud_config_password: PASSWORD,
  TF_VAR_seed_csi_user: CSI_USER,
  TF_VAR_seed_csi_password: csiPassword,
});

async function unreachableKubeconfig(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(p));
    });
  });
  const file = path.join(path.dirname(kubeconfig), 'unreachable-kubeconfig');
  const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8'));
  config.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('CloudConfigSecret for the seed cluster, both dialects', () => {
  let ws: TerraformWorkspace;

  test('a new stack of Secrets plans without the API server (nothing to refresh yet)', async () => {
    const offline = TerraformWorkspace.create(seedStack(await unreachableKubeconfig()), env(CSI_PASSWORD_1));
    workspaces.push(offline);
    offline.init();
    expect(offline.planExitCode()).toBe(2);
  });

  test('apply: the Secrets hold the files byte for byte; gcfg reads back the exact credentials; re-plan is clean', async () => {
    const json = seedStack();
    for (const secret of [PASSWORD, CSI_PASSWORD_1]) expect(json).not.toContain(secret);
    ws = TerraformWorkspace.create(json, env(CSI_PASSWORD_1));
    workspaces.push(ws);
    timings.add('init', ws.init().millis);
    timings.add('apply (3 Secrets)', ws.apply().millis);
    for (const name of ['cloud-config', 'cloud-config-csi']) {
      const data = await kube.secretData('kube-system', name);
      expect(Object.keys(data!)).toEqual(['config']);
      expect(data!.config).toEqual(Buffer.from(KKP_INI, 'utf8'));
    }
    const read = parseWithGcfg(KKP_INI);
    expect(read.global.password).toBe(PASSWORD);
    expect(read.virtualCenter!['vcenter.dc0.example.com'].user).toBe(USER);

    const csi = await kube.secretData('vmware-system-csi', 'vsphere-config-secret');
    expect(Object.keys(csi!)).toEqual(['csi-vsphere.conf']);
    expect(csi!['csi-vsphere.conf']).toEqual(Buffer.from(csiConf(CSI_PASSWORD_1), 'utf8'));
    const driver = parseCsiWithGcfg(csi!['csi-vsphere.conf'].toString('utf8'));
    expect(driver.virtualCenter!['vcenter.dc0.example.com']).toEqual({ user: CSI_USER, password: CSI_PASSWORD_1, port: '443', insecureFlag: true, datacenters: 'DC0' });
    expect(ws.planExitCode()).toBe(0);
  });

  test('a rotated password changes exactly its Secret, as planned; a deployed stack cannot plan without the API server', async () => {
    const rotated = withEnv(ws, env(CSI_PASSWORD_2));
    const plan = rotated.planJson();
    expect(plannedChanges(plan)).toEqual([expect.stringMatching(/^kubernetes_secret\.Csi_secret_[0-9A-F]{8} update$/)]);
    // The saved plan file holds the variables' values (Terraform keeps them to apply it); what a reviewer reads does not.
    expect(rotated.run(['show', '-no-color', 'tfplan']).stdout).not.toContain(CSI_PASSWORD_2);
    timings.add('apply of the saved plan (password rotated)', applySavedPlan(rotated));
    expect((await kube.secretData('vmware-system-csi', 'vsphere-config-secret'))!['csi-vsphere.conf']).toEqual(Buffer.from(csiConf(CSI_PASSWORD_2), 'utf8'));
    expect((await kube.secretData('kube-system', 'cloud-config'))!.config).toEqual(Buffer.from(KKP_INI, 'utf8'));
    expect(rotated.planExitCode()).toBe(0);

    // The same configuration with the API server out of reach: the refresh of the Secrets in state fails the plan.
    rotated.write(seedStack(await unreachableKubeconfig()));
    const offline = rotated.run(['plan', '-input=false', '-no-color'], [0, 1, 2]);
    expect(offline.status).toBe(1);
    expect(offline.stderr).toMatch(/connection refused/);
    rotated.write(seedStack());
    ws = rotated;
  });

  test('destroy removes the three Secrets and nothing else', async () => {
    timings.add('destroy', ws.destroy().millis);
    expect(stateAddresses(ws)).toEqual([]);
    expect(await kube.secretNames('vmware-system-csi')).toEqual(['other-driver-config']);
    expect(await kube.secretData('kube-system', 'cloud-config')).toBeUndefined();
    expect(await kube.secretData('kube-system', 'cloud-config-csi')).toBeUndefined();
    for (const s of FOREIGN) {
      expect(await kube.secretData(s.namespace, s.name)).toEqual(Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v)])));
    }
  });
});
