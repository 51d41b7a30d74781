// KkpUserCluster: folder, grants and credentials for one user cluster. KKP 2.12 (the library's first page): the
// cloud-config Secrets in the user cluster, as before. KKP 2.13+ (default: the newest): the credentials Secret on the
// seed with KKP's keys, the credentialsReference, no Secret KKP reconciles, and the cloud-config KKP will render as a
// credential-free output. Secret data evaluated by the real terraform binary, cloud-configs read back by real gcfg.
import { AnnotationMetadataEntryType, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { parse } from 'yaml';
import { renderVsphereCloudConfig, vsphereCloudConfig } from '../src/facts/cloud-config';
import { CloudConfigSecret, KkpDatacenterSpec, KkpRoles, KkpUserCluster, KkpUserClusterProps, VmFolder, SeedPermissions, UserClusterPermissions } from '../src/constructs';
import { VsphereInventory } from '../src/core';
import { KkpRelease } from '../src/facts/kkp';
import { Principal, VspherePermissions } from '../src/core/permissions';
import { newStack, permissionsOn, synthJson } from './permissions/support';
import { parseWithGcfg } from './support/gcfg';
import { terraformEval } from './support/terraform-eval';

const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const OWN = 'VSPHERE.LOCAL\\kkp-storage-bbbbbbbbbb';

function setup(kkpRelease: KkpRelease = '2.12', stack: TerraformStack = newStack()) {
  new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
  const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const kkpRoot = new VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-', kkpRelease });
  const datacenter = new KkpDatacenterSpec(stack, 'Datacenter', {
    name: 'vsphere-hamburg',
    inventory,
    endpoint: 'https://vcenter.example.com',
    datastore: inventory.datastore('ds-ssd-1'),
    cluster: inventory.computeCluster('cluster-1'),
    rootFolder: kkpRoot,
    templates: { ubuntu: 'ubuntu-22.04-kkp' },
  });
  const base = (clusterId: string, change: Partial<KkpUserClusterProps> = {}): KkpUserClusterProps => ({
    datacenter, roles, clusterId, machineControllerPrincipal: MC, ...change,
  });
  return { stack, inventory, kkpRoot, roles, datacenter, base };
}

/** KKP 2.12: shared storage user, own storage principal, a team folder, a network and its own provider. */
function threeClusters() {
  const s = setup();
  const { stack, inventory, base } = s;
  const sharedPassword = new TerraformVariable(stack, 'storage_password', { type: 'string', sensitive: true });
  const a = new KkpUserCluster(stack, 'A', base('aaaaaaaaaa', { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: sharedPassword.stringValue }));
  const b = new KkpUserCluster(stack, 'B', base('bbbbbbbbbb', { storagePrincipal: OWN }));
  const cProvider = new KubernetesProvider(stack, 'kubernetes-c', { alias: 'c', configPath: '~/.kube/c' });
  const c = new KkpUserCluster(stack, 'C', base('cccccccccc', {
    networks: [inventory.network('kkp-workers')], kubernetesProvider: cProvider,
    folderPath: 'team-c/cccccccccc', cloudConfigPassword: sharedPassword.stringValue, cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage',
  }));
  for (const shared of [inventory.datacenter, inventory.datastore('ds-ssd-1')]) {
    VspherePermissions.manageAuthoritatively(shared, { keep: [] });
  }
  return { ...s, a, b, c };
}

function secrets(json: any): [string, any][] {
  return Object.entries(json.resource.kubernetes_secret);
}

describe('KkpUserCluster, KKP 2.12: today\'s output', () => {
  test('three clusters: a folder each, one cloud-config and one cloud-config-csi Secret each, roles created once', () => {
    const { stack, a, b, c } = threeClusters();
    const json = synthJson(stack);
    const folderPaths = Object.values(json.resource.vsphere_folder).map((f: any) => f.path).sort();
    expect(folderPaths).toEqual(['kkp', 'kkp/clusters', 'kkp/clusters/aaaaaaaaaa', 'kkp/clusters/bbbbbbbbbb', 'kkp/team-c', 'kkp/team-c/cccccccccc']);
    expect([a, b, c].map((x) => x.folder.folderPath)).toEqual([
      '/dc-1/vm/kkp/clusters/aaaaaaaaaa', '/dc-1/vm/kkp/clusters/bbbbbbbbbb', '/dc-1/vm/kkp/team-c/cccccccccc',
    ]);
    const all = secrets(json).map(([, s]) => `${s.metadata.namespace}/${s.metadata.name}`).sort();
    expect(all).toEqual(['kube-system/cloud-config', 'kube-system/cloud-config', 'kube-system/cloud-config', 'kube-system/cloud-config-csi', 'kube-system/cloud-config-csi', 'kube-system/cloud-config-csi']);
    // Cluster C's Secrets go to its own cluster through its provider alias.
    const cIds = [stack.getLogicalId(c.cloudConfig!.secret), stack.getLogicalId(c.cloudConfig!.csiSecret!)];
    for (const [id, s] of secrets(json)) expect(s.provider).toBe(cIds.includes(id) ? 'kubernetes.c' : undefined);
    expect(Object.values(json.resource.vsphere_role).map((r: any) => r.name).sort()).toEqual([
      'kkp-k8c-storage-datastore-propagate', 'kkp-k8c-storage-vmfolder-propagate', 'kkp-k8c-user-folder-propagate',
    ]);
    // Only cluster B declares variables (A and C share the caller's); its user is its principal.
    expect(Object.keys(json.variable).sort()).toEqual(['storage_password', 'vsphere_bbbbbbbbbb_password']);
  });

  test('the own storage principal gets its folder, the datastore and Read-only on the datacenter, nothing else', () => {
    const { stack, a, b, c } = threeClusters();
    const json = synthJson(stack);
    const holds = (path: string) => permissionsOn(json, path)['//'].kkp.permissions.map((p: any) => `${p.principal} ${p.role} ${p.propagate}`);
    expect(holds(b.folder.folderPath)).toEqual([`${MC} kkp-k8c-user-folder-propagate true`, `${OWN} kkp-k8c-storage-vmfolder-propagate true`]);
    expect(holds('/dc-1/datastore/ds-ssd-1')).toEqual([`${OWN} kkp-k8c-storage-datastore-propagate true`]);
    expect(holds('/dc-1')).toEqual([`${OWN} Read-only false`]);
    expect(permissionsOn(json, '/dc-1')).toEqual(expect.objectContaining({ permissions: [expect.objectContaining({ role_id: '-2', propagate: false })] }));
    for (const other of [a, c]) expect(holds(other.folder.folderPath)).toEqual([`${MC} kkp-k8c-user-folder-propagate true`]);
    const everywhere = Object.values(json.resource.vsphere_entity_permissions).map((p: any) => p['//'].kkp.entity);
    const withOwn = Object.values(json.resource.vsphere_entity_permissions)
      .filter((p: any) => p.permissions.some((x: any) => x.user_or_group === OWN)).map((p: any) => p['//'].kkp.entity).sort();
    expect(withOwn).toEqual(['/dc-1', '/dc-1/datastore/ds-ssd-1', b.folder.folderPath]);
    expect(everywhere).not.toContain('/dc-1/vm/kkp');
  });

  test('the cluster spec output as KKP 2.12 reads it: folder, vmNetName; no credentials', () => {
    const { stack, a } = threeClusters();
    const json = synthJson(stack);
    expect(parse(json.output.kkp_cluster_aaaaaaaaaa.value)).toEqual({ vsphere: { folder: '/dc-1/vm/kkp/clusters/aaaaaaaaaa' } });
    expect(parse(json.output.kkp_cluster_cccccccccc.value)).toEqual({
      vsphere: { vmNetName: 'kkp-workers', folder: '/dc-1/vm/kkp/team-c/cccccccccc' },
    });
    expect(a.cloudSpecYaml).toBe(json.output.kkp_cluster_aaaaaaaaaa.value);
    expect(JSON.stringify(json.output)).not.toMatch(/password|username/i);
  });

  test('no credential literal in cdk.tf.json: every password in the Secret data is a Terraform expression', () => {
    const { stack } = threeClusters();
    const json = synthJson(stack);
    for (const [, s] of secrets(json)) {
      const passwordLines = (s.data.config as string).split('\n').filter((l) => l.startsWith('password = '));
      expect(passwordLines).toHaveLength(2);
      for (const line of passwordLines) expect(line).toMatch(/^password = "\$\{replace\(replace\(sensitive\(var\.(storage_password|vsphere_bbbbbbbbbb_password)\)/);
    }
    expect(json.variable.vsphere_bbbbbbbbbb_password).toEqual(expect.objectContaining({ sensitive: true }));
  });

  test('terraform renders each cluster config in KKP format with hostile passwords intact, and gcfg reads it back', () => {
    const { stack, a, b, c } = threeClusters();
    const json = synthJson(stack);
    const shared = 'p"a\\ss${x}%{y}w#rd;ü😀 ';
    const own = '\\"\\\\"end\\';
    const config = (cluster: KkpUserCluster) => json.resource.kubernetes_secret[stack.getLogicalId(cluster.cloudConfig!.secret)].data.config;
    const { values } = terraformEval({
      synthesized: json,
      outputs: { a: config(a), b: config(b), c: config(c) },
      env: { storage_password: shared, vsphere_bbbbbbbbbb_password: own },
    });
    const expected = (clusterId: string, folder: string, datastore: string, user: string, password: string) =>
      renderVsphereCloudConfig(vsphereCloudConfig({ server: 'vcenter.example.com', port: 443, datacenter: 'dc-1', user, password, datastore, folder, clusterId }));
    expect(values.a).toBe(expected('aaaaaaaaaa', '/dc-1/vm/kkp/clusters/aaaaaaaaaa', 'ds-ssd-1', 'VSPHERE.LOCAL\\kkp-storage', shared));
    expect(values.b).toBe(expected('bbbbbbbbbb', '/dc-1/vm/kkp/clusters/bbbbbbbbbb', 'ds-ssd-1', OWN, own));
    expect(values.c).toBe(expected('cccccccccc', '/dc-1/vm/kkp/team-c/cccccccccc', 'ds-ssd-1', 'VSPHERE.LOCAL\\kkp-storage', shared));
    const read = parseWithGcfg(values.b as string);
    expect(read.global).toEqual(expect.objectContaining({ user: OWN, password: own, datastore: 'ds-ssd-1', clusterId: 'bbbbbbbbbb', server: 'vcenter.example.com' }));
    expect(read.workspace.folder).toBe('/dc-1/vm/kkp/clusters/bbbbbbbbbb');
  });

  test('a group as storage principal cannot log in: the user comes from a variable', () => {
    const { stack, base } = setup();
    new KkpUserCluster(stack, 'G', base('gggggggggg', { storagePrincipal: Principal.group('VSPHERE.LOCAL\\kkp-storage-g') }));
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.variable).sort()).toEqual(['vsphere_gggggggggg_password', 'vsphere_gggggggggg_user']);
  });

  test('bad inputs are refused with the input named', () => {
    const { stack, inventory, base } = setup();
    expect(() => new KkpUserCluster(stack, 'A', base('Not-An-Id'))).toThrow(/KkpUserCluster test\/A clusterId: "Not-An-Id" is not a KKP cluster id/);
    expect(() => new KkpUserCluster(stack, 'B', base('bbbbbbbbbb', { datastore: inventory.network('net') }))).toThrow(
      /KkpUserCluster test\/B datastore: \/dc-1\/network\/net is a network, but this role is granted on a datastore or datastoreCluster/,
    );
    expect(() => new KkpUserCluster(stack, 'C', base('cccccccccc', { networks: [inventory.datastore('ds')] }))).toThrow(
      /KkpUserCluster test\/C networks\[0\]: \/dc-1\/datastore\/ds is a datastore/,
    );
    expect(() => new KkpUserCluster(stack, 'D', base('dddddddddd', { cloudConfigPassword: 'literal-S3cret' }))).toThrow(
      /KkpUserCluster test\/D cloudConfigPassword: a literal password would be written into cdk.tf.json/,
    );
    expect(() => new KkpUserCluster(stack, 'E', base('eeeeeeeeee', { folderPath: 'eeeeeeeeee' }))).toThrow(/^KkpUserCluster test\/E folderPath: "eeeeeeeeee" is \/dc-1\/vm\/kkp\/eeeeeeeeee: the folder KKP creates/);
    new KkpUserCluster(stack, 'F', base('ffffffffff'));
    expect(() => new KkpUserCluster(stack, 'F2', base('ffffffffff', { folderPath: 'x/ffffffffff' }))).toThrow(/^KkpUserCluster test\/F2 clusterId: "ffffffffff" is already the id of another user cluster in this stack/);
  });
});

// The data keys KKP reads from a cluster's credentials Secret, transcribed from kubermatic/kubermatic
// pkg/resources/resources.go (VsphereUsername, VspherePassword, VsphereInfraManagementUserUsername,
// VsphereInfraManagementUserPassword) and the namespace of its cluster credentials (KubermaticNamespace).
const KKP_KEYS = { username: 'username', password: 'password', infraUser: 'infraManagementUserUsername', infraPassword: 'infraManagementUserPassword' };
const KKP_NAMESPACE = 'kubermatic';

describe('KkpUserCluster messages that used to mislead', () => {
  const synthError = (stack: TerraformStack): string => {
    try {
      Testing.synth(stack);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('synth passed');
  };

  test('a password token that carries a literal is one problem, named as cloudConfigPassword, for 2.12 (handed to the cloud-config Secret) too', () => {
    const { stack, base } = setup('2.12');
    const hidden = 'hidden-S3cret';
    new KkpUserCluster(stack, 'A', base('aaaaaaaaaa', { cloudConfigPassword: `${hidden}${new TerraformVariable(stack, 'x', { type: 'string', sensitive: true }).stringValue}` }));
    const message = synthError(stack);
    const lines = message.split('\n').slice(1);
    expect(lines).toEqual([expect.stringMatching(/^ {2}\[test\/A\] KkpUserCluster prop cloudConfigPassword mixes literal text with a Terraform value/)]);
    expect(message).not.toContain(hidden);
  });

  test('cluster id "clusters": the suggested folder path is one that is accepted', () => {
    const { stack, base } = setup('2.28');
    let message = '';
    expect(() => new KkpUserCluster(stack, 'A', base('clusters'))).toThrow();
    try {
      new KkpUserCluster(stack, 'B', base('clusters'));
    } catch (e) {
      message = (e as Error).message;
    }
    const suggested = /e\.g\. "([^"]+)"/.exec(message)![1];
    expect(suggested).toBe('cluster-folders/clusters');
    expect(message).not.toContain('e.g. "clusters/clusters"');
    expect(() => new KkpUserCluster(stack, 'C', base('clusters', { folderPath: suggested }))).not.toThrow();
  });

  test('one cluster id in two datacenters says what to do, and mentions no variablePrefix (KkpUserCluster has none)', () => {
    const { stack, base, roles } = setup('2.12');
    const inventory2 = new VsphereInventory(stack, 'Inventory2', { datacenter: 'dc-2' });
    const dc2 = new KkpDatacenterSpec(stack, 'Datacenter2', {
      name: 'vsphere-berlin', inventory: inventory2, endpoint: 'https://vcenter.example.com', datastore: 'ds-2', cluster: 'cluster-2', templates: { ubuntu: 'ubuntu-22.04-kkp' },
    });
    new KkpUserCluster(stack, 'A', base('aaaaaaaaaa'));
    let message = '';
    try {
      new KkpUserCluster(stack, 'B', { ...base('aaaaaaaaaa'), datacenter: dc2, roles });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^KkpUserCluster test\/B clusterId: "aaaaaaaaaa" is already the id of another user cluster in this stack \(its folder: test\/A\/Folder\)\..*give this cluster its own id/);
    expect(message).not.toMatch(/variablePrefix/);
  });

  test('an error of the inner folder names the KkpUserCluster and its prop, not only the inner "Folder"', () => {
    const { stack, base } = setup('2.28');
    expect(() => new KkpUserCluster(stack, 'ClusterA', base('aaaaaaaaaa', { folderPath: 'x//y' }))).toThrow(/^KkpUserCluster test\/ClusterA folderPath: "x\/\/y" has an empty path segment/);
    expect(() => new KkpUserCluster(stack, 'ClusterB', base('bbbbbbbbbb', { basePath: '../x' }))).toThrow(/^KkpUserCluster test\/ClusterB basePath: /);
    expect(() => new KkpUserCluster(stack, 'ClusterC', base('cccccccccc', { storagePrincipal: 'nodomain' }))).toThrow(/^KkpUserCluster test\/ClusterC storagePrincipal: principal "nodomain" is not of the form DOMAIN\\name/);
  });
});

describe('KkpUserCluster, KKP 2.13 and later: credentials for KKP, no Secret KKP reconciles', () => {
  function newest() {
    const s = setup('2.31');
    const seed = new KubernetesProvider(s.stack, 'kubernetes-seed', { alias: 'seed', configPath: '~/.kube/seed' });
    const sharedPassword = new TerraformVariable(s.stack, 'storage_password', { type: 'string', sensitive: true });
    const mcPassword = new TerraformVariable(s.stack, 'mc_password', { type: 'string', sensitive: true });
    const a = new KkpUserCluster(s.stack, 'A', s.base('aaaaaaaaaa', {
      cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: sharedPassword.stringValue, seedKubernetesProvider: seed,
      datastore: s.inventory.datastoreCluster('dsc-1'), networks: [s.inventory.network('kkp-workers'), s.inventory.network('kkp-storage')],
    }));
    const b = new KkpUserCluster(s.stack, 'B', s.base('bbbbbbbbbb', {
      storagePrincipal: OWN, seedKubernetesProvider: seed, infraManagementUserPassword: mcPassword.stringValue, basePath: 'kkp-managed',
      hosts: [s.inventory.host('esxi-01', s.inventory.computeCluster('cluster-1'))],
    }));
    for (const shared of [s.inventory.datacenter, s.inventory.datastore('ds-ssd-1')]) VspherePermissions.manageAuthoritatively(shared, { keep: [] });
    return { ...s, a, b, sharedPassword, mcPassword };
  }

  test('writes one credentials Secret per cluster on the seed, with KKP\'s keys, and nothing into the user clusters', () => {
    const { stack, a, b } = newest();
    const json = synthJson(stack);
    const all = secrets(json).map(([, s]) => ({ at: `${s.metadata.namespace}/${s.metadata.name}`, keys: Object.keys(s.data), provider: s.provider }));
    expect(all).toEqual([
      { at: `${KKP_NAMESPACE}/kkp-vsphere-aaaaaaaaaa`, keys: [KKP_KEYS.username, KKP_KEYS.password, KKP_KEYS.infraUser, KKP_KEYS.infraPassword], provider: 'kubernetes.seed' },
      { at: `${KKP_NAMESPACE}/kkp-vsphere-bbbbbbbbbb`, keys: [KKP_KEYS.username, KKP_KEYS.password, KKP_KEYS.infraUser, KKP_KEYS.infraPassword], provider: 'kubernetes.seed' },
    ]);
    expect(all.map((x) => x.at).filter((at) => /kube-system|cloud-config/.test(at))).toEqual([]);
    expect([a.cloudConfig, b.cloudConfig]).toEqual([undefined, undefined]);
    const bData = json.resource.kubernetes_secret[stack.getLogicalId(b.credentialsSecret!)].data;
    expect(bData.username).toBe(OWN);
    expect(bData.infraManagementUserUsername).toBe(MC);
    expect(bData.password).toBe('${var.vsphere_bbbbbbbbbb_password}');
    expect(bData.infraManagementUserPassword).toBe('${var.mc_password}');
    expect(JSON.stringify(json)).not.toMatch(/S3cr3t/);
  });

  test('the cluster spec output carries the credentialsReference and the 2.24+ fields', () => {
    const { stack, a } = newest();
    const json = synthJson(stack);
    expect(a.credentialsReference).toEqual({ name: 'kkp-vsphere-aaaaaaaaaa', namespace: KKP_NAMESPACE });
    expect(parse(json.output.kkp_cluster_aaaaaaaaaa.value)).toEqual({
      vsphere: {
        credentialsReference: { name: 'kkp-vsphere-aaaaaaaaaa', namespace: KKP_NAMESPACE },
        networks: ['kkp-workers', 'kkp-storage'],
        folder: '/dc-1/vm/kkp/clusters/aaaaaaaaaa',
        datastoreCluster: 'dsc-1',
      },
    });
    expect(parse(json.output.kkp_cluster_bbbbbbbbbb.value).vsphere).toEqual({
      credentialsReference: { name: 'kkp-vsphere-bbbbbbbbbb', namespace: KKP_NAMESPACE },
      folder: '/dc-1/vm/kkp/clusters/bbbbbbbbbb',
      basePath: 'kkp-managed',
    });
  });

  test('the cloud-config KKP will render is an output without the password, and gcfg reads it', () => {
    const { stack, a, b } = newest();
    const json = synthJson(stack);
    const review = json.output.kkp_cloud_config_bbbbbbbbbb.value as string;
    expect(review).toBe(b.reviewCloudConfig);
    const read = parseWithGcfg(review);
    expect(read.global).toEqual(expect.objectContaining({
      user: OWN, password: `<redacted: Secret ${KKP_NAMESPACE}/kkp-vsphere-bbbbbbbbbb, key password>`, datastore: 'ds-ssd-1', clusterId: 'bbbbbbbbbb',
    }));
    expect(read.workspace.folder).toBe('/dc-1/vm/kkp/clusters/bbbbbbbbbb');
    expect(parseWithGcfg(a.reviewCloudConfig!).global.datastore).toBe('dsc-1');
    expect(json.output.kkp_cloud_config_bbbbbbbbbb.sensitive).toBeUndefined();
    expect(json.output.kkp_cloud_config_bbbbbbbbbb.description).toMatch(/KKP 2\.31 renders into Secret cloud-config-csi of user cluster bbbbbbbbbb, password redacted/);
  });

  test('terraform renders the Secret data with hostile passwords intact; each token value gets a plan-time gcfg check', () => {
    const { stack, b } = newest();
    const json = synthJson(stack);
    const data = json.resource.kubernetes_secret[stack.getLogicalId(b.credentialsSecret!)].data;
    const hostile = 'p"a\\ss${x}%{y}w#rd;ü😀 ';
    const { values } = terraformEval({
      synthesized: json,
      outputs: { password: data.password, infra: data.infraManagementUserPassword },
      env: { vsphere_bbbbbbbbbb_password: hostile, mc_password: 'mc-pw', storage_password: 'x' },
    });
    expect(values).toEqual({ password: hostile, infra: 'mc-pw' });
    expect(json.resource.kubernetes_secret[stack.getLogicalId(b.credentialsSecret!)].lifecycle.precondition).toHaveLength(2);
  });

  test('credentialsSecret false writes nothing and names no Secret; a Preset or another Secret serves the cluster', () => {
    const s = setup('2.31');
    const c = new KkpUserCluster(s.stack, 'C', s.base('cccccccccc', { credentialsSecret: false }));
    const json = synthJson(s.stack);
    expect(json.resource.kubernetes_secret).toBeUndefined();
    expect(json.variable).toBeUndefined();
    expect(parse(c.cloudSpecYaml)).toEqual({ vsphere: { folder: '/dc-1/vm/kkp/clusters/cccccccccc' } });
  });

  test('refuses what would write KKP\'s Secrets or its credential Secret, a literal password, and 2.12-only props', () => {
    const s = setup('2.31');
    const provider = new KubernetesProvider(s.stack, 'kubernetes-user', { alias: 'user', configPath: '~/.kube/user' });
    expect(() => new KkpUserCluster(s.stack, 'A', s.base('aaaaaaaaaa', { kubernetesProvider: provider }))).toThrow(
      /KkpUserCluster test\/A kubernetesProvider: from KKP 2\.13 KKP writes the user cluster's cloud-config Secrets itself \(the stack's release is 2\.31\)/,
    );
    expect(() => new KkpUserCluster(s.stack, 'B', s.base('bbbbbbbbbb', { credentialsSecretName: 'credential-vsphere-bbbbbbbbbb' }))).toThrow(
      /is the Secret KKP itself writes for clusters created with inline credentials and deletes with the cluster/,
    );
    expect(() => new KkpUserCluster(s.stack, 'C', s.base('cccccccccc', { cloudConfigPassword: 'S3cr3t' }))).toThrow(
      /KkpUserCluster test\/C cloudConfigPassword: a literal password would be written into cdk.tf.json/,
    );
    const old = setup('2.12');
    expect(() => new KkpUserCluster(old.stack, 'D', old.base('dddddddddd', { infraManagementUserPassword: 'x' }))).toThrow(
      /KkpUserCluster test\/D infraManagementUserPassword: KKP 2\.12 takes no credentials Secret from the stack/,
    );
  });

  test('a CloudConfigSecret aimed at a KkpUserCluster of the stack is refused at synth, with the reason', () => {
    const s = setup('2.31');
    new KkpUserCluster(s.stack, 'A', s.base('aaaaaaaaaa', { credentialsSecret: false }));
    const password = new TerraformVariable(s.stack, 'pw', { type: 'string', sensitive: true });
    new CloudConfigSecret(s.stack, 'Cc', {
      server: 'vcenter.example.com', datacenter: 'dc-1', datastore: 'ds', clusterId: 'aaaaaaaaaa', user: 'u', password: password.stringValue,
      kkpUserCluster: false, namespace: 'other', name: 'other',
    });
    expect(() => synthJson(s.stack)).toThrow(
      /CloudConfigSecret "test\/Cc": cluster "aaaaaaaaaa" is a KkpUserCluster of this stack \(KKP 2\.31\); from KKP 2\.13 KKP's user-cluster controller writes and reconciles/,
    );
  });
});

describe('Does KKP work with it? The synth check of issue 19', () => {
  const warnings = (stack: TerraformStack) => stack.node.findAll().flatMap((c) => c.node.metadata)
    .filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
  const synthError = (stack: TerraformStack) => {
    try {
      Testing.synth(stack);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  /** The README's set-up: the seed's storage user, machine-controller's user, and clusters (KKP 2.31 unless given). */
  function seedStack(release: KkpRelease = '2.31') {
    const s = setup(release);
    const cluster = s.inventory.computeCluster('cluster-1');
    const datastores = [s.inventory.datastore('ds-ssd-1')];
    const hosts = s.roles.profile.readOnlyOn.includes('host') ? [s.inventory.host('esxi-01', cluster)] : undefined;
    new SeedPermissions(s.stack, 'Seed', { roles: s.roles, inventory: s.inventory, storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage', folders: [s.kkpRoot], datastores, hosts });
    new UserClusterPermissions(s.stack, 'Mc', { roles: s.roles, inventory: s.inventory, principal: MC, cluster, networks: [s.inventory.network('kkp-workers')], datastores, folders: [s.kkpRoot] });
    const storagePassword = new TerraformVariable(s.stack, 'storage_password', { type: 'string', sensitive: true });
    const mcPassword = new TerraformVariable(s.stack, 'mc_password', { type: 'string', sensitive: true });
    return { ...s, cluster, storagePassword, mcPassword };
  }

  test('defect 1: credentials whose username is the storage user and no infra-management user fail synth (KKP 2.31), naming the fix', () => {
    const s = seedStack();
    new KkpUserCluster(s.stack, 'A', s.base('aaaaaaaaaa', { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: s.storagePassword.stringValue }));
    const message = synthError(s.stack);
    expect(message).toContain('[test/A] KKP 2.31: machine-controller (worker VMs) logs in as VSPHERE.LOCAL\\kkp-storage (the credentials\' username) and clone the template into the cluster folder (VirtualMachine.CloneVM_Task, operation machine-controller/clone-template) needs VirtualMachine.Inventory.CreateFromExisting on clusterFolder /dc-1/vm/kkp/clusters/aaaaaaaaaa, which it lacks.');
    expect(message).toContain('Fix: name machine-controller\'s user in the credentials: set infraManagementUserPassword on the KkpUserCluster');
    expect(message).not.toContain('vsphere-csi');
  });

  test('defect 1: with infraManagementUserPassword the Secret names machine-controller\'s user and synth passes', () => {
    const s = seedStack();
    new KkpUserCluster(s.stack, 'A', s.base('aaaaaaaaaa', {
      cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: s.storagePassword.stringValue, infraManagementUserPassword: s.mcPassword.stringValue,
    }));
    new KkpUserCluster(s.stack, 'B', s.base('bbbbbbbbbb', { storagePrincipal: OWN, infraManagementUserPassword: s.mcPassword.stringValue }));
    expect(synthError(s.stack)).toBe('');
  });

  test('defect 1 for KKP 2.24: machine-controller logs in with username, so a storage-only username fails with that reason', () => {
    const s = seedStack('2.24');
    new KkpUserCluster(s.stack, 'B', s.base('bbbbbbbbbb', { storagePrincipal: OWN }));
    expect(synthError(s.stack)).toMatch(/KKP 2\.24 logs machine-controller in with username, which is VSPHERE\.LOCAL\\kkp-storage-bbbbbbbbbb, a storage user: use one user for both .* or kkpRelease '2\.27' or later/);
  });

  test('defect 2: from KKP 2.26 an own storage principal gets k8c-ccm-storage-cns on the vCenter and Read-only on the node hosts', () => {
    const s = seedStack('2.26');
    const b = new KkpUserCluster(s.stack, 'B', s.base('bbbbbbbbbb', { storagePrincipal: OWN, cloudConfigUser: MC }));
    expect(b.grants.map((g) => [g.role.roleName, g.entity.inventoryPath, g.propagate])).toEqual(expect.arrayContaining([
      ['kkp-k8c-ccm-storage-cns', '/', false],
      ['Read-only', '/dc-1/host/cluster-1/esxi-01', false],
    ]));
    const older = seedStack('2.25');
    const c = new KkpUserCluster(older.stack, 'C', older.base('cccccccccc', { storagePrincipal: OWN }));
    expect(c.grants.map((g) => g.entity.inventoryPath)).not.toContain('/');
    const alone = setup('2.31');
    expect(() => new KkpUserCluster(alone.stack, 'D', alone.base('dddddddddd', { storagePrincipal: OWN })))
      .toThrow(/^KkpUserCluster test\/D hosts: KKP 2\.31's page grants the storage user Read-only on every host that runs node VMs.*Give hosts/);
  });

  test('defect 3: networks granted without distributed switches get a word (synth cannot tell a distributed port group)', () => {
    const s = seedStack();
    expect(warnings(s.stack).some((w) => /UserClusterPermissions test\/Mc distributedSwitches: none given\. If any of \/dc-1\/network\/kkp-workers is a distributed port group/.test(w))).toBe(true);
  });

  test('defect 4: a cluster without seedKubernetesProvider in a stack without a default kubernetes provider gets a word', () => {
    const stack = newStack();
    const inventory = new VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
    const roles = new KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
    const datacenter = new KkpDatacenterSpec(stack, 'Datacenter', {
      name: 'dc', inventory, endpoint: 'https://vcenter.example.com', datastore: inventory.datastore('ds-1'), cluster: inventory.computeCluster('c'), templates: { ubuntu: 'u' },
    });
    new KkpUserCluster(stack, 'A', { datacenter, roles, clusterId: 'aaaaaaaaaa', machineControllerPrincipal: MC });
    Testing.synth(stack);
    expect(warnings(stack).some((w) => w.includes('1 KkpUserCluster (e.g. test/A) write their credentials Secret through the default kubernetes provider, which this stack does not configure'))).toBe(true);
    const withProvider = setup('2.31');
    new KkpUserCluster(withProvider.stack, 'A', withProvider.base('aaaaaaaaaa'));
    Testing.synth(withProvider.stack);
    expect(warnings(withProvider.stack).some((w) => w.includes('default kubernetes provider'))).toBe(false);
  });

  test('a gap shared by many clusters is one line naming them; synth of the check stays linear in the clusters', () => {
    const s = seedStack();
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) {
      new KkpUserCluster(s.stack, id, s.base(id, { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: s.storagePassword.stringValue }));
    }
    const lines = synthError(s.stack).split('\n').filter((l) => l.includes('operation machine-controller/power-on'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[test/a1] (and 4 more clusters: test/a2, test/a3, test/a4, ...)');
  });
});
