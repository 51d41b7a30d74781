// The gaps a reviewer hit with `report` (issue 13) and the report's bad inputs (issue 12), each on real synth outputs
// and the built CLI, the Markdown read back as GitHub renders it.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { EntityPermissions } from '@cdktf/provider-vsphere/lib/entity-permissions';
import { Folder } from '@cdktf/provider-vsphere/lib/folder';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Secret } from '@cdktf/provider-kubernetes/lib/secret';
import { KkpRoles, PredefinedRole, Principal, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory, VspherePermissions } from '../../src';
import { diffReports, readSynthOutput, renderDiffMarkdown, renderReportMarkdown } from '../../src/tools/report';
import { renderHtml, runCli, synthToDisk, tablesOf } from './support';

const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const ADMINS = 'VSPHERE.LOCAL\\Administrators';

/** Per user cluster: a kubernetes provider aliased by its id and the two cloud-config Secrets KKP's docs name. */
class ClusterSecretsStack extends TerraformStack {
  constructor(scope: Construct, id: string, clusters: readonly string[]) {
    super(scope, id);
    for (const c of clusters) {
      const provider = new KubernetesProvider(this, `k8s-${c}`, { alias: c, configPath: `kubeconfigs/${c}` });
      for (const name of ['cloud-config', 'cloud-config-csi']) {
        new Secret(this, `${c}-${name}`, { provider, metadata: { name, namespace: 'kube-system' }, data: { config: 'not-shown' } });
      }
    }
  }
}

const secretAddresses = (dir: string, stack: string) =>
  Object.keys(JSON.parse(readFileSync(join(dir, `stacks/${stack}/cdk.tf.json`), 'utf8')).resource.kubernetes_secret).map((k) => `kubernetes_secret.${k}`);

describe('secrets are told apart by address and provider', () => {
  const base = synthToDisk((app) => new ClusterSecretsStack(app, 'secrets', ['kh8dfp2rz6']));
  const head = synthToDisk((app) => new ClusterSecretsStack(app, 'secrets', ['kh8dfp2rz6', 'x7q2mm9wkp', 'p4n8c2vd7t']));

  test('an added user cluster shows its new Secrets, although others with the same namespace and name exist', () => {
    const diff = diffReports(readSynthOutput(base), readSynthOutput(head));
    const expected = secretAddresses(head, 'secrets').filter((a) => !secretAddresses(base, 'secrets').includes(a));
    expect(expected).toHaveLength(4);
    expect(diff.secrets.added.map((s) => s.address).sort()).toEqual(expected.sort());
    expect(diff.secrets.added.map((s) => `${s.provider} ${s.namespace}/${s.name}`).sort()).toEqual([
      'kubernetes.p4n8c2vd7t kube-system/cloud-config',
      'kubernetes.p4n8c2vd7t kube-system/cloud-config-csi',
      'kubernetes.x7q2mm9wkp kube-system/cloud-config',
      'kubernetes.x7q2mm9wkp kube-system/cloud-config-csi',
    ]);
    const md = renderDiffMarkdown(diff);
    for (const a of expected) expect(md).toContain(a);
    expect(md).toContain('kube-system/cloud-config via kubernetes.x7q2mm9wkp (kubeconfig kubeconfigs/x7q2mm9wkp)');
    expect(md).not.toContain('not-shown');
  });

  test('the full report gives each of the identical-looking Secrets its own row: provider, cluster and address', () => {
    const rows = tablesOf(renderReportMarkdown(readSynthOutput(head))).get('Kubernetes secrets')!;
    expect(rows[0]).toEqual(['Provider (cluster)', 'Namespace', 'Name', 'Type', 'Data keys', 'Terraform address']);
    const cloudConfig = rows.slice(1).filter((r) => r[2] === 'cloud-config');
    expect(cloudConfig).toHaveLength(3);
    expect(new Set(cloudConfig.map((r) => r[0])).size).toBe(3);
    expect(new Set(rows.slice(1).map((r) => r[5])).size).toBe(6);
    expect(cloudConfig[0][0]).toBe('kubernetes.kh8dfp2rz6 (kubeconfig kubeconfigs/kh8dfp2rz6)');
  });
});

/** The example's shape; `network` is what the rename changes. */
class SeedStack extends TerraformStack {
  constructor(scope: Construct, id: string, network: string) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = [inventory.datastore('ds-ssd-1')];
    const networks = [inventory.network(network)];
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const roles = new KkpRoles(this, 'Roles', { kkpRelease: '2.12', vsphereVersion: '8.0', namePrefix: 'kkp-' });
    new SeedPermissions(this, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores });
    new UserClusterPermissions(this, 'Mc', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
    const admins = { principal: Principal.group(ADMINS), role: PredefinedRole.ADMINISTRATOR, propagate: true };
    for (const shared of [inventory.vcenter(), inventory.datacenter, cluster, ...datastores, ...networks]) {
      VspherePermissions.manageAuthoritatively(shared, { keep: [admins] });
    }
  }
}

describe('a removed kept permission is the loudest thing in the report', () => {
  const base = synthToDisk((app) => new SeedStack(app, 'kkp-seed', 'kkp-workers'));
  const head = synthToDisk((app) => new SeedStack(app, 'kkp-seed', 'kkp-workers-v2'));
  const diff = diffReports(readSynthOutput(base), readSynthOutput(head));
  const md = renderDiffMarkdown(diff);

  test('a network rename loses the old object\'s kept Administrators entry and whatever else it holds', () => {
    expect(diff.lostPermissions.map((l) => [l.object, l.principal ?? '(everything else)', l.reason])).toEqual([
      ['/dc-1/network/kkp-workers', ADMINS, 'kept'],
      ['/dc-1/network/kkp-workers', '(everything else)', 'unlisted'],
    ]);
    expect(diff.lostPermissions[0].why).toMatch(/^vsphere_entity_permissions\.\S+ is destroyed: the provider removes every permission it holds in state, kept ones included$/);
  });

  test('the caution comes first, right below the heading, before the counts and every table', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('## vSphere permissions review: changes against the base');
    expect(lines[2]).toBe('> [!CAUTION]');
    expect(lines[3]).toMatch(/^> \*\*2 permissions that this stack did not grant will be removed\.\*\*/);
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('grants added'));
    expect(renderHtml(md)).toContain(`<strong>/dc-1/network/kkp-workers</strong>: ${ADMINS} (group) (Administrator) (kept)`);
  });

  test('the same change through the CLI', () => {
    const cli = runCli(['report', head, '--base', base]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toBe(md);
  });
});

/** A template whose datastore is picked by Terraform from a datastore cluster, and a variable with a secret default. */
class WordsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const pod = inventory.datastoreCluster('pod-1');
    const templates = new VmFolder(this, 'Templates', { inventory, path: 'templates' });
    const suffix = new TerraformVariable(this, 'template_suffix', { type: 'string', description: 'appended to template names' });
    // Written as a raw override: the library's synth checks refuse a sensitive TerraformVariable with a default.
    this.addOverride('variable.import_token', { type: 'string', sensitive: true, default: 'hunter2-default' });
    new VirtualMachine(this, 'Ubuntu', {
      name: `ubuntu-${suffix.stringValue}`,
      folder: templates.relativePath,
      datacenterId: inventory.datacenterId,
      datastoreId: pod.firstMemberDatastoreId,
      resourcePoolId: inventory.computeCluster('cluster-1').resourcePoolId,
      ovfDeploy: { localOvfPath: '/images/ubuntu.ovf' },
    });
  }
}

describe('expressions in words, and the variables a stack needs', () => {
  const dir = synthToDisk((app) => new WordsStack(app, 'words'));
  const report = readSynthOutput(dir);
  const md = renderReportMarkdown(report);

  test('the template table says how the datastore and the name are computed, with no raw ${...}', () => {
    const tf = readFileSync(join(dir, 'stacks/words/cdk.tf.json'), 'utf8');
    expect(tf).toMatch(/\$\{element\(sort\(tolist\(data\.vsphere_datastore_cluster\./); // raw in the JSON
    expect(md).not.toContain('${');
    const [, row] = tablesOf(md).get('Templates')!;
    expect(row[0]).toBe('"ubuntu-" followed by the value of Terraform variable template_suffix (TF_VAR_template_suffix)');
    expect(row[2]).toBe('the datastore whose name is computed by Terraform (element, sort, tolist) from the datastores of datastore cluster /dc-1/datastore/pod-1');
  });

  test('the variables table lists each TF_VAR_ with type, sensitivity and whether it is required; never a default', () => {
    expect(tablesOf(md).get('Terraform variables')).toEqual([
      ['Environment variable', 'Type', 'Sensitive', 'Required', 'Description'],
      ['TF_VAR_import_token', 'string', 'yes', 'no (has a default)', ''],
      ['TF_VAR_template_suffix', 'string', 'no', 'yes', 'appended to template names'],
    ]);
    for (const out of [md, JSON.stringify(report)]) expect(out).not.toContain('hunter2-default');
  });
});

/** Two stacks of one app writing permissions on the same datastore and creating the same folder, by hand. */
class Overlapping extends TerraformStack {
  constructor(scope: Construct, id: string, principal: string) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    new EntityPermissions(this, 'DsPerms', {
      entityId: inventory.datastore('ds-ssd-1').entityId,
      entityType: 'Datastore',
      permissions: [{ userOrGroup: principal, isGroup: false, propagate: true, roleId: '-2' }],
    });
    new Folder(this, 'Shared', { path: 'kkp-shared', type: 'vm', datacenterId: inventory.datacenterId });
  }
}

describe('two stacks touching the same object', () => {
  const dir = synthToDisk((app) => {
    new Overlapping(app, 'prod', 'VSPHERE.LOCAL\\kkp-prod');
    new Overlapping(app, 'staging', 'VSPHERE.LOCAL\\kkp-staging');
  });
  const report = readSynthOutput(dir);

  test('are named with both stacks, their management and their addresses, as a caution', () => {
    expect(report.crossStack.map((c) => [c.kind, c.name, c.stacks.map((s) => `${s.stack}:${s.management ?? '-'}`)])).toEqual([
      ['folder', '/dc-1/vm/kkp-shared', ['prod:-', 'staging:-']],
      ['object', '/dc-1/datastore/ds-ssd-1', ['prod:unknown', 'staging:unknown']],
    ]);
    const md = renderReportMarkdown(report);
    expect(md.indexOf('> [!CAUTION]')).toBeLessThan(md.indexOf('### Grants'));
    expect(md).toContain('> Touched by more than one stack: each apply or destroy of one can undo the other.');
    expect(renderHtml(md)).toMatch(/permissions on \/dc-1\/datastore\/ds-ssd-1: <code>prod<\/code> \(unknown\) vsphere_entity_permissions\.DsPerms; <code>staging<\/code>/);
  });
});

describe('bad report inputs (issue 12): clear errors, nothing of a file echoed, the title plain text', () => {
  const good = synthToDisk((app) => new ClusterSecretsStack(app, 'secrets', ['a']));
  const dirWith = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'kkp-report-bad-'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    return dir;
  };
  const manifest = (path: string) => JSON.stringify({ version: '0.21.0', stacks: { a: { name: 'a', synthesizedStackPath: path } } });
  const outside = mkdtempSync(join(tmpdir(), 'kkp-outside-'));
  writeFileSync(join(outside, 'secret.json'), '{"password": "hunter2-outside"}');
  writeFileSync(join(outside, 'notjson.txt'), 'hunter2-not-json');

  const cases: [string, () => string, RegExp][] = [
    ['another tool\'s JSON as a stack', () => dirWith({ 'manifest.json': manifest('a.json'), 'a.json': '{"name":"pkg","scripts":{"x":"hunter2-script"}}' }), /not a Terraform JSON configuration: 2 of its 2 top-level keys are not Terraform's/],
    ['Terraform JSON without cdktf metadata', () => dirWith({ 'manifest.json': manifest('a.json'), 'a.json': '{"resource":{}}' }), /has no cdktf metadata/],
    ['a plan given as a stack', () => dirWith({ 'manifest.json': manifest('a.json'), 'a.json': '{"format_version":"1.2","planned_values":{}}' }), /is a Terraform plan \(terraform show -json\), not a synthesized stack: pass it with --plan/],
    ['synthesizedStackPath outside the output (..)', () => dirWith({ 'manifest.json': manifest(join('..', outside.split('/').pop()!, 'secret.json')) }), /synthesizedStackPath outside the synth output directory/],
    ['synthesizedStackPath absolute', () => dirWith({ 'manifest.json': manifest(join(outside, 'notjson.txt')) }), /synthesizedStackPath outside the synth output directory/],
    [
      'a stack file that links outside',
      () => {
        const d = dirWith({ 'manifest.json': manifest('stacks/a/cdk.tf.json') });
        mkdirSync(join(d, 'stacks/a'), { recursive: true });
        symlinkSync(join(outside, 'secret.json'), join(d, 'stacks/a/cdk.tf.json'));
        return d;
      },
      /is a link to a file outside the synth output directory/,
    ],
    ['a stack file that is not JSON, with a secret in it', () => dirWith({ 'manifest.json': manifest('a.json'), 'a.json': 'password=hunter2-inline' }), /is not valid JSON \(invalid JSON/],
  ];

  test.each(cases)('%s', (_what, make, message) => {
    const dir = make();
    expect(() => readSynthOutput(dir)).toThrow(message);
    const cli = runCli(['report', dir]);
    expect({ status: cli.status, stdout: cli.stdout }).toEqual({ status: 1, stdout: '' });
    expect(cli.stderr).toMatch(message);
    expect(cli.stderr).not.toMatch(/hunter2/);
  });

  test('--title is printed as plain text: no HTML, comment marker, alert, link, mention or second line gets through', () => {
    const title = '<!-- cdktf-kkp-vsphere:plan-review -->\n> [!CAUTION]\n</details><img src=x onerror=alert(1)> [x](https://evil.example) @org/admins **bold** # h';
    const cli = runCli(['report', good, '--title', title]);
    expect(cli.status).toBe(0);
    const first = cli.stdout.split('\n')[0];
    expect(first.startsWith('## ')).toBe(true);
    expect(cli.stdout.split('\n')[1]).toBe('');
    const html = renderHtml(cli.stdout);
    const h2 = /<h2>(.*)<\/h2>/.exec(html)![1];
    // The heading's text is exactly the title, folded onto one line; no tag, link or alert was created.
    expect(h2.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')).toBe(title.replace(/\n/g, ' '));
    expect(html).not.toMatch(/<img|<a |<!--|<\/details>|<strong>bold/);
    expect(cli.stdout).not.toContain('[!CAUTION]\n');
  });
});
