// KkpUserCluster's Kubernetes objects applied for real, in the same terraform runs as its vSphere objects: the real
// vSphere provider against the vCenter simulator and the real kubernetes provider against a real kube-apiserver.
//
// What KKP reads, and so what is compared byte for byte (kubermatic/kubermatic):
// - KKP 2.13+: the Secret named by spec.cloud.vsphere.credentialsReference, read by SecretKeySelectorValueFuncFactory
//   (pkg/provider/types.go): `secret.Data[key]` as a string, keys `username`, `password`, `infraManagementUserUsername`,
//   `infraManagementUserPassword` (pkg/resources/resources.go VsphereUsername ...; precedence in
//   pkg/provider/cloud/vsphere/credentials.go getUsernameAndPassword). KKP renders the user cluster's cloud-config from
//   those values (pkg/resources/cloudconfig/vsphere): the stack's review output with the values KKP read put in.
// - KKP 2.12: the Secrets `cloud-config` and `cloud-config-csi` in the user cluster's kube-system, data key `config`,
//   the INI as KKP writes it; read again by gcfg (the vSphere cloud provider's and CSI driver's parser).
// Other teams' Secrets are planted first; destroy must leave exactly them.
import { TerraformStack, TerraformVariable, Token } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { parse } from 'yaml';
import { KkpDatacenterSpec, KkpRoles, KkpUserCluster, VmFolder, VsphereInventory } from '../../src';
import { KkpRelease } from '../../src/facts/kkp';
import { VcenterClient } from '../../src/tools/vcenter';
import { parseWithGcfg } from '../support/gcfg';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { TerraformWorkspace } from '../support/terraform';
import { Vcsim, startVcsim } from '../support/vcsim';
import { plannedChanges, vsphereEnv } from '../support/vsphere-provider';
import { Timings, applySavedPlan, destroySerially, stateAddresses, synthStack, withEnv } from './support';

const STORAGE_USER = 'VSPHERE.LOCAL\\kkp-storage';
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
// Every character a careless encoder breaks: gcfg's quote and backslash, Terraform's template openers, XML, non-ASCII.
const PASSWORD_1 = 'p@ss"w\\rd ${x} %{y} <&> äöü€';
const PASSWORD_2 = 'rotated "2" \\\\ ${z} ✓';
const MC_PASSWORD = 'mc-pass "q" \\ %{if}';
const B_USER = 'VSPHERE.LOCAL\\kkp-storage-bbbbbbbbbb';
const B_PASSWORD = 'b-pass \\"';
const C_PASSWORD = 'c-pass';

let kube: KubeApiServer;
let sim: Vcsim;
let vc: VcenterClient;
let kubeconfig: string;
const workspaces: TerraformWorkspace[] = [];
const timings = new Timings();

/** Secrets of other teams (and one KKP wrote itself) in the namespaces the stacks write to. */
const FOREIGN = [
  { namespace: 'kubermatic', name: 'credential-vsphere-zzzzzzzzzz', data: { username: 'other', password: 'other-pass' } },
  { namespace: 'kubermatic', name: 'team-b-token', data: { token: 'abc' } },
  { namespace: 'kube-system', name: 'cloud-config-other', data: { config: '[Global]\n' } },
];

beforeAll(async () => {
  [kube, sim] = await Promise.all([startKubeApiServer(), startVcsim({ tls: true })]);
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  kubeconfig = kube.writeKubeconfig();
  // KKP's namespace exists on a seed (the KKP operator makes it); the stack writes into it, never creates it.
  await kube.ensureNamespace('kubermatic');
  for (const s of FOREIGN) {
    await kube.must('POST', `/api/v1/namespaces/${s.namespace}/secrets`, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name, namespace: s.namespace }, type: 'Opaque', stringData: s.data,
    });
  }
  console.log(`kube-apiserver (binaries from ${kube.binariesFrom}) ready in ${kube.startMillis} ms; memory ${JSON.stringify(kube.memory())}`);
}, 300_000);

afterAll(async () => {
  timings.print('kkp-user-cluster.test.ts terraform wall times');
  if (kube) console.log(`kube-apiserver memory at the end: ${JSON.stringify(kube.memory())}`);
  for (const ws of workspaces) ws.remove();
  await vc?.logout().catch(() => undefined);
  await Promise.all([kube?.stop(), sim?.stop()]);
});

interface ClusterLine {
  id: string;
  shared?: boolean;
  infra?: boolean;
}

/** A seed stack: roles, KKP's root folder, the datacenter spec, and one KkpUserCluster per line. */
function seedStack(release: KkpRelease, clusters: ClusterLine[]): string {
  return synthStack('seed', (stack: TerraformStack) => {
    // null, as examples/kkp-seed writes it: the provider reads VSPHERE_USER and VSPHERE_PASSWORD.
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
    new KubernetesProvider(stack, 'kubernetes', { configPath: kubeconfig });
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
    const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: `kkp-${release.replace('.', '-')}` });
    const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: `k8s-${release}-`, kkpRelease: release });
    const datacenter = new KkpDatacenterSpec(stack, 'Datacenter', {
      name: 'vsphere-dc0',
      inventory,
      endpoint: 'https://vcenter.dc0.example.com',
      datastore: inventory.datastore('LocalDS_0'),
      cluster: inventory.computeCluster('DC0_C0'),
      rootFolder: kkpRoot,
      templates: { ubuntu: 'ubuntu-22.04' },
    });
    const shared = new TerraformVariable(stack, 'kkp_storage_password', { type: 'string', sensitive: true, nullable: false });
    const mc = new TerraformVariable(stack, 'kkp_mc_password', { type: 'string', sensitive: true, nullable: false });
    for (const line of clusters) {
      new KkpUserCluster(stack, `Cluster-${line.id}`, {
        datacenter,
        roles,
        clusterId: line.id,
        machineControllerPrincipal: MC,
        ...(line.shared ? { cloudConfigUser: STORAGE_USER, cloudConfigPassword: shared } : {}),
        ...(line.infra ? { infraManagementUserPassword: mc.stringValue } : {}),
      });
    }
  });
}

function workspace(json: string, env: Record<string, string>): TerraformWorkspace {
  const ws = TerraformWorkspace.create(json, { ...vsphereEnv(sim), ...env });
  workspaces.push(ws);
  return ws;
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** The cluster's `spec.cloud.vsphere` as the stack outputs it (YAML). */
function cloudSpec(ws: TerraformWorkspace, id: string): any {
  return parse(ws.run(['output', '-raw', `kkp_cluster_${id}`]).stdout).vsphere;
}

/** gcfg's quoting, as KKP's template writes a string value. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The cloud-config KKP renders for a cluster of this stack (pkg/resources/cloudconfig/vsphere), written out by hand. */
function kkpIni(id: string, folder: string, user: string, password: string): string {
  return `[Global]
user = ${q(user)}
password = ${q(password)}
port = "443"
insecure-flag = false
working-dir = "${id}"
datacenter = "DC0"
datastore = "LocalDS_0"
server = "vcenter.dc0.example.com"
cluster-id = "${id}"

[Disk]
scsicontrollertype = "pvscsi"

[Workspace]
server = "vcenter.dc0.example.com"
datacenter = "DC0"
folder = "${folder}"
default-datastore = "LocalDS_0"
resourcepool-path = ""

[VirtualCenter "vcenter.dc0.example.com"]
user = ${q(user)}
password = ${q(password)}
port = "443"
datacenters = "DC0"
`;
}

async function foreignIntact(): Promise<void> {
  for (const s of FOREIGN) {
    const data = await kube.secretData(s.namespace, s.name);
    expect(data).toEqual(Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, utf8(v)])));
  }
}

describe('KKP 2.31: the credentials Secret on the seed', () => {
  const release: KkpRelease = '2.31';
  let ws: TerraformWorkspace;
  const env = (storage: string) => ({
    TF_VAR_kkp_storage_password: storage,
    TF_VAR_kkp_mc_password: MC_PASSWORD,
    TF_VAR_vsphere_bbbbbbbbbb_user: B_USER,
    TF_VAR_vsphere_bbbbbbbbbb_password: B_PASSWORD,
    TF_VAR_vsphere_cccccccccc_user: 'VSPHERE.LOCAL\\kkp-storage-cccccccccc',
    TF_VAR_vsphere_cccccccccc_password: C_PASSWORD,
  });
  const two: ClusterLine[] = [{ id: 'aaaaaaaaaa', shared: true, infra: true }, { id: 'bbbbbbbbbb' }];

  test('apply: each Secret holds exactly the keys KKP reads, with the exact bytes; the credentialsReference names it', async () => {
    const json = seedStack(release, two);
    for (const secret of [PASSWORD_1, MC_PASSWORD, B_PASSWORD, B_USER]) expect(json).not.toContain(secret);
    ws = workspace(json, env(PASSWORD_1));
    timings.add('init', ws.init().millis);
    timings.add('apply (roles, 3 folders, 3 folder permissions, 2 Secrets)', ws.apply().millis);

    const a = cloudSpec(ws, 'aaaaaaaaaa');
    expect(a.credentialsReference).toEqual({ name: 'kkp-vsphere-aaaaaaaaaa', namespace: 'kubermatic' });
    expect(await kube.secretData('kubermatic', a.credentialsReference.name)).toEqual({
      username: utf8(STORAGE_USER),
      password: utf8(PASSWORD_1),
      infraManagementUserUsername: utf8(MC),
      infraManagementUserPassword: utf8(MC_PASSWORD),
    });
    const b = cloudSpec(ws, 'bbbbbbbbbb');
    // No infrastructure management user: its keys are there and empty. KKP reads them first and fails on an absent key
    // ("secret ... has no key ..."); an empty one falls through to username.
    expect(await kube.secretData(b.credentialsReference.namespace, b.credentialsReference.name)).toEqual({
      username: utf8(B_USER),
      password: utf8(B_PASSWORD),
      infraManagementUserUsername: utf8(''),
      infraManagementUserPassword: utf8(''),
    });
    const raw = await kube.must('GET', '/api/v1/namespaces/kubermatic/secrets/kkp-vsphere-aaaaaaaaaa');
    expect(raw.type).toBe('Opaque');

    // The cloud-config KKP renders from what it read: the stack's review output with those values is KKP's file, and
    // gcfg reads back the very bytes of the Secret.
    const data = (await kube.secretData('kubermatic', 'kkp-vsphere-bbbbbbbbbb'))!;
    const review = ws.run(['output', '-raw', 'kkp_cloud_config_bbbbbbbbbb']).stdout;
    expect(review).not.toContain(B_PASSWORD);
    const rendered = review
      .replace(/"<redacted: Secret kubermatic\/kkp-vsphere-bbbbbbbbbb, key password>"/g, q(data.password.toString('utf8')))
      .replace(/"<from Secret kubermatic\/kkp-vsphere-bbbbbbbbbb, key username>"/g, q(data.username.toString('utf8')));
    expect(rendered).toBe(kkpIni('bbbbbbbbbb', b.folder, B_USER, B_PASSWORD));
    const parsed = parseWithGcfg(rendered);
    expect(utf8(parsed.global.password)).toEqual(data.password);
    expect(utf8(parsed.global.user)).toEqual(data.username);

    // The vSphere side of the same run: the clusters' folders exist where the spec says.
    for (const spec of [a, b]) expect(await vc.findByInventoryPath(spec.folder)).toBeDefined();
    timings.add('re-plan', ws.run(['plan', '-detailed-exitcode', '-input=false', '-no-color']).millis);
    expect(ws.planExitCode()).toBe(0);
    await foreignIntact();
  });

  test('a rotated password variable: the plan updates that one Secret in place, the apply does exactly that', async () => {
    const rotated = withEnv(ws, { ...vsphereEnv(sim), ...env(PASSWORD_2) });
    const before = await kube.must('GET', '/api/v1/namespaces/kubermatic/secrets/kkp-vsphere-aaaaaaaaaa');
    const plan = rotated.planJson();
    expect(plannedChanges(plan)).toEqual([expect.stringMatching(/^kubernetes_secret\.Cluster-aaaaaaaaaa_Credentials_[0-9A-F]{8} update$/)]);
    // The saved plan file holds the variables' values (Terraform keeps them to apply it); what a reviewer reads does not.
    expect(rotated.run(['show', '-no-color', 'tfplan']).stdout).not.toContain(PASSWORD_2);
    timings.add('apply of the saved plan (password rotated)', applySavedPlan(rotated));
    const after = await kube.must('GET', '/api/v1/namespaces/kubermatic/secrets/kkp-vsphere-aaaaaaaaaa');
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect((await kube.secretData('kubermatic', 'kkp-vsphere-aaaaaaaaaa'))!.password).toEqual(utf8(PASSWORD_2));
    expect((await kube.secretData('kubermatic', 'kkp-vsphere-bbbbbbbbbb'))!.password).toEqual(utf8(B_PASSWORD));
    expect(rotated.planExitCode()).toBe(0);
    ws = rotated;
  });

  test('a cluster added, then removed: the plans create and delete exactly its folder, permissions and Secret', async () => {
    ws.write(seedStack(release, [...two, { id: 'cccccccccc' }]));
    const add = plannedChanges(ws.planJson());
    expect(add.filter((c) => c.startsWith('kubernetes_'))).toEqual([expect.stringMatching(/^kubernetes_secret\.Cluster-cccccccccc_Credentials_[0-9A-F]{8} create$/)]);
    expect(add.every((c) => c.endsWith(' create') && /cccccccccc/.test(c))).toBe(true);
    timings.add('apply of the saved plan (cluster added)', applySavedPlan(ws));
    expect(await kube.secretData('kubermatic', 'kkp-vsphere-cccccccccc')).toEqual({
      username: utf8('VSPHERE.LOCAL\\kkp-storage-cccccccccc'),
      password: utf8(C_PASSWORD),
      infraManagementUserUsername: utf8(''),
      infraManagementUserPassword: utf8(''),
    });
    expect(ws.planExitCode()).toBe(0);

    ws.write(seedStack(release, two));
    const remove = plannedChanges(ws.planJson());
    expect(remove.map((c) => c.replace(/ .*/, '').replace(/\..*/, ''))).toEqual(add.map((c) => c.replace(/ .*/, '').replace(/\..*/, '')));
    expect(remove.every((c) => c.endsWith(' delete'))).toBe(true);
    timings.add('apply of the saved plan (cluster removed)', applySavedPlan(ws));
    expect(await kube.secretData('kubermatic', 'kkp-vsphere-cccccccccc')).toBeUndefined();
    expect(await kube.secretData('kubermatic', 'kkp-vsphere-aaaaaaaaaa')).toBeDefined();
    expect(ws.planExitCode()).toBe(0);
    await foreignIntact();
  });

  test('destroy removes every object of the stack and nothing else', async () => {
    timings.add('destroy', destroySerially(ws));
    expect(stateAddresses(ws)).toEqual([]);
    expect(await kube.secretNames('kubermatic')).toEqual(['credential-vsphere-zzzzzzzzzz', 'team-b-token']);
    expect(await vc.findByInventoryPath('/DC0/vm/kkp-2-31')).toBeUndefined();
    expect((await vc.roleList()).filter((r) => r.name.startsWith('k8s-2.31-'))).toEqual([]);
    await foreignIntact();
  });
});

describe('KKP 2.12: the cloud-config Secrets in the user cluster', () => {
  const release: KkpRelease = '2.12';
  let ws: TerraformWorkspace;

  test('apply: cloud-config and cloud-config-csi hold KKP\'s INI byte for byte; re-plan is clean; destroy leaves the rest', async () => {
    const json = seedStack(release, [{ id: 'dddddddddd', shared: true }]);
    expect(json).not.toContain(PASSWORD_1);
    ws = workspace(json, { TF_VAR_kkp_storage_password: PASSWORD_1, TF_VAR_kkp_mc_password: MC_PASSWORD });
    ws.init();
    timings.add('apply 2.12 (roles, folders, permissions, 2 Secrets)', ws.apply().millis);
    const folder = cloudSpec(ws, 'dddddddddd').folder;
    expect(folder).toBe('/DC0/vm/kkp-2-12/clusters/dddddddddd');
    const expected = kkpIni('dddddddddd', folder, STORAGE_USER, PASSWORD_1);
    for (const name of ['cloud-config', 'cloud-config-csi']) {
      const data = await kube.secretData('kube-system', name);
      expect(Object.keys(data!)).toEqual(['config']);
      expect(data!.config.toString('utf8')).toBe(expected);
      expect(data!.config).toEqual(utf8(expected));
    }
    const parsed = parseWithGcfg((await kube.secretData('kube-system', 'cloud-config'))!.config.toString('utf8'));
    expect(parsed.global.password).toBe(PASSWORD_1);
    expect(parsed.virtualCenter!['vcenter.dc0.example.com'].user).toBe(STORAGE_USER);
    expect(ws.planExitCode()).toBe(0);

    // The password rotated: both Secrets (and nothing else) change.
    const rotated = withEnv(ws, { ...vsphereEnv(sim), TF_VAR_kkp_storage_password: PASSWORD_2, TF_VAR_kkp_mc_password: MC_PASSWORD });
    expect(plannedChanges(rotated.planJson())).toEqual([
      expect.stringMatching(/^kubernetes_secret\.Cluster-dddddddddd_CloudConfig_[\w-]+ update$/),
      expect.stringMatching(/^kubernetes_secret\.Cluster-dddddddddd_CloudConfig_[\w-]+ update$/),
    ]);
    applySavedPlan(rotated);
    expect((await kube.secretData('kube-system', 'cloud-config-csi'))!.config.toString('utf8')).toBe(kkpIni('dddddddddd', folder, STORAGE_USER, PASSWORD_2));

    timings.add('destroy 2.12', destroySerially(rotated));
    expect(await kube.secretData('kube-system', 'cloud-config')).toBeUndefined();
    expect(await kube.secretData('kube-system', 'cloud-config-csi')).toBeUndefined();
    expect(await vc.findByInventoryPath('/DC0/vm/kkp-2-12')).toBeUndefined();
    await foreignIntact();
  });
});
