// `cdktf-kkp-vsphere report`: real synth outputs on disk, the real CLI, Markdown read back by a GFM parser.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { EntityPermissions } from '@cdktf/provider-vsphere/lib/entity-permissions';
import { DataVsphereRole } from '@cdktf/provider-vsphere/lib/data-vsphere-role';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Secret } from '@cdktf/provider-kubernetes/lib/secret';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { KkpSeedStack } from '../../examples/kkp-seed/main';
import {
  CloudConfigSecret,
  KkpRoles,
  PredefinedRole,
  Principal,
  SeedPermissions,
  UserClusterPermissions,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
  VsphereVersion,
} from '../../src';
import { kkpRoles } from '../../src/facts';
import { diffReports, hasChanges, readSynthOutput, renderDiffMarkdown, renderReportMarkdown } from '../../src/tools/report';
import { fencesOf, renderHtml, runCli, synthToDisk, tablesOf } from './support';

const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const ADMINS = 'VSPHERE.LOCAL\\Administrators';

function exampleDir(): string {
  return synthToDisk((app) => new KkpSeedStack(app, 'kkp-seed'));
}

/** The rows of the grants table of the bundled example: object, type, principal, role, propagate, management. */
// The example targets the newest KKP release (2.31): its roles carry that page's names.
const EXAMPLE_GRANTS: string[][] = [
  ['/', 'Folder', MC, 'kkp-k8c-user-vcenter', 'no', 'additive'],
  ['/', 'Folder', STORAGE, 'kkp-k8c-ccm-storage-cns', 'no', 'additive'],
  ['/dc-1', 'Datacenter', MC, 'kkp-k8c-user-datacenter', 'no', 'additive'],
  ['/dc-1', 'Datacenter', STORAGE, 'Read-only', 'no', 'additive'],
  ...['ds-ssd-1', 'ds-ssd-2'].flatMap((ds) => [
    [`/dc-1/datastore/${ds}`, 'Datastore', MC, 'kkp-k8c-user-datastore-propagate', 'yes', 'additive'],
    [`/dc-1/datastore/${ds}`, 'Datastore', STORAGE, 'kkp-k8c-ccm-storage-datastore-propagate', 'yes', 'additive'],
  ]),
  ['/dc-1/host/cluster-1', 'ClusterComputeResource', MC, 'kkp-k8c-user-cluster-propagate', 'yes', 'additive'],
  ...['kkp-storage', 'kkp-workers'].flatMap((net) => [
    [`/dc-1/network/${net}`, 'network (type read at plan)', MC, 'kkp-k8c-network-attach', 'no', 'additive'],
  ]),
  ...['/dc-1/vm/kkp', '/dc-1/vm/kkp/templates'].flatMap((folder) => [
    [folder, 'Folder', MC, 'kkp-k8c-user-folder-propagate', 'yes', 'owned'],
    [folder, 'Folder', STORAGE, 'kkp-k8c-ccm-storage-vmfolder-propagate', 'yes', 'owned'],
  ]),
];

describe('report of the bundled example (examples/kkp-seed)', () => {
  const dir = exampleDir();
  const report = readSynthOutput(dir);
  const markdown = renderReportMarkdown(report);
  const tables = tablesOf(markdown);

  // The example grows (user clusters, templates): exact expectations come from its synthesized Terraform, read
  // here without the report's code, plus the literal rows of the documented seed set-up.
  const tf = JSON.parse(readFileSync(join(dir, 'stacks/kkp-seed/cdk.tf.json'), 'utf8'));
  const rawPermissions: any[] = Object.values(tf.resource.vsphere_entity_permissions);
  // The shared objects' grants are additive: one kkpvsphere_permissions per object, each principal it lists one grant,
  // named in its metadata (management additive).
  const additive: any[] = Object.entries<any>(tf.resource.kkpvsphere_permissions).flatMap(([name, r]) =>
    r['//'].kkp.permissions.map((p: any) => ({ ...p, object: r['//'].kkp.entity, address: `kkpvsphere_permissions.${name}` })),
  );

  test('names every KKP role with its vSphere version and its exact privileges', () => {
    const expected = kkpRoles('8.0').map((r) => ({ name: `kkp-${r.name}`, privileges: r.privileges.map((p) => p.id).sort() }));
    expect(expected).toHaveLength(9);
    const custom = report.stacks[0].roles.filter((r) => r.origin === 'custom');
    for (const r of expected) {
      const found = custom.find((c) => c.name === r.name);
      expect({ name: r.name, privileges: found?.privileges, vsphereVersion: found?.vsphereVersion }).toEqual({ ...r, vsphereVersion: '8.0' });
    }
    const roleRows = new Map(tables.get('Roles')!.slice(1).map((row) => [row[0], row]));
    for (const r of expected) expect(roleRows.get(r.name)!.slice(0, 3)).toEqual([r.name, '8.0', String(r.privileges.length)]);
    // Each role's privileges in a collapsible block, every ID listed.
    const html = renderHtml(markdown);
    for (const r of expected) {
      const block = new RegExp(`<details><summary>${r.name}: ${r.privileges.length} privileges?</summary>([\\s\\S]*?)</details>`).exec(html);
      expect(block).not.toBeNull();
      expect([...block![1].matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1])).toEqual(r.privileges);
    }
    expect(markdown).toMatch(/Referenced, not created: Read-only \(predefined, id -2\)/);
  });

  test('lists every grant in one table with the right object, type, principal, role, propagation and management', () => {
    const grants = tables.get('Grants')!;
    expect(grants[0]).toEqual(['Object', 'Type', 'Principal', 'Role', 'Propagate', 'Management', 'Terraform address']);
    expect(grants.slice(1).map((r) => r.slice(0, 6))).toEqual(expect.arrayContaining(EXAMPLE_GRANTS));
    // Each row names the resource that writes it: the one whose metadata says that object.
    const addressOf = new Map(Object.entries<any>(tf.resource.vsphere_entity_permissions).map(([k, r]) => [r['//'].kkp.entity, `vsphere_entity_permissions.${k}`]));
    const instanceOf = (object: string, principal: string) => additive.find((g) => g.object === object && g.principal === principal)?.address;
    for (const r of grants.slice(1)) expect(r[6]).toBe(r[5] === 'additive' ? instanceOf(r[0], r[2]) : addressOf.get(r[0]));
    const roleNames: Record<string, string> = { '-1': 'Administrator', '-2': 'Read-only' };
    for (const [id, r] of Object.entries<any>(tf.resource.vsphere_role)) roleNames[`\${vsphere_role.${id}.id}`] = r.name;
    const expected = rawPermissions.flatMap((res) =>
      res.permissions.map((p: any) => [
        res['//'].kkp.entity,
        `${p.user_or_group}${p.is_group ? ' (group)' : ''}`,
        roleNames[p.role_id],
        p.propagate ? 'yes' : 'no',
      ]),
    );
    for (const g of additive) {
      expected.push([g.object, `${g.principal}${g.isGroup ? ' (group)' : ''}`, g.role, g.propagate ? 'yes' : 'no']);
    }
    const sort = (rows: string[][]) => rows.map((r) => r.join('\u0000')).sort();
    expect(sort(grants.slice(1).map((r) => [r[0], r[2], r[3], r[4]]))).toEqual(sort(expected));
  });

  test('takes no shared object over (no authoritative warning) and warns about grants on the vCenter root', () => {
    const warnings = report.stacks[0].warnings;
    expect(rawPermissions.filter((r) => r['//'].kkp.management === 'authoritative')).toEqual([]);
    expect(warnings.filter((w) => w.kind === 'authoritative-shared')).toEqual([]);
    const onRoot = additive.filter((g) => g.object === '/');
    expect(warnings.filter((w) => w.kind === 'vcenter-root').map((w) => w.message)).toEqual(
      onRoot.map((p: any) => `${p.principal} gets "${p.role}" on the vCenter root folder (/), not propagated (the root object only).`),
    );
    expect(onRoot.map((p: any) => p.principal)).toContain(MC);
    // GitHub renders the warnings as an alert; the principal keeps its single backslash.
    const html = renderHtml(markdown);
    expect(html).toContain('[!WARNING]');
    expect(html).toContain(`${MC} gets &quot;kkp-k8c-user-vcenter&quot; on the vCenter root folder (/)`);
  });

  test('lists the folders the stack creates', () => {
    const folders = tables.get('Folders')!;
    expect(folders[0]).toEqual(['Folder', 'Type', 'Terraform address']);
    expect(folders.slice(1).map((r) => r.slice(0, 2))).toEqual(expect.arrayContaining([['/dc-1/vm/kkp', 'vm'], ['/dc-1/vm/kkp/templates', 'vm']]));
    expect(folders.slice(1).map((r) => r[2]).sort()).toEqual(Object.keys(tf.resource.vsphere_folder).map((k) => `vsphere_folder.${k}`).sort());
    expect(folders).toHaveLength(1 + Object.keys(tf.resource.vsphere_folder).length);
  });

  test('draws one arrow per permission, principal → object labelled with the role: no path implies a grant that does not exist', () => {
    const [diagram] = fencesOf(markdown, 'mermaid');
    const labels = new Map<string, string>();
    for (const m of diagram.matchAll(/^ {2}([po]\d+)[[(]+"([^"]*)"[\])]+$/gm)) labels.set(m[1], m[2]);
    const edges = [...diagram.matchAll(/^ {2}(\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$/gm)].map(
      (m) => `${labels.get(m[1])} ${m[2]} ${m[3]} ${labels.get(m[4])}`,
    );
    const expected = report.stacks[0].grants
      .filter((x) => !x.kept)
      .map((g) => `${g.principal}${g.isGroup ? ' (group)' : ''} ${g.propagate ? '-->' : '-.->'} ${g.role} ${g.object}`);
    expect(edges.sort()).toEqual(expected.sort());
    // Every line of the diagram is a node or one of those edges: no role node that two principals share.
    expect(diagram.split('\n').filter((l) => l.startsWith('  ')).length).toBe(labels.size + edges.length);
    expect(edges).toContain(`${STORAGE} -.-> Read-only /dc-1`);
    // The storage user reaches exactly the objects it is granted on, never another principal's.
    const storageObjects = edges.filter((e) => e.startsWith(`${STORAGE} `)).map((e) => e.split(' ').pop());
    expect(storageObjects.sort()).toEqual(report.stacks[0].grants.filter((g) => g.principal === STORAGE && !g.kept).map((g) => g.object).sort());
  });

  test('is deterministic', () => {
    expect(renderReportMarkdown(readSynthOutput(exampleDir()))).toBe(markdown);
  });

  test('the built CLI prints the same Markdown, JSON with --format json, and reads ./cdktf.out by default', () => {
    const md = runCli(['report', dir]);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(markdown);

    const json = runCli(['report', dir, '--format', 'json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(report)));

    const parent = mkdtempSync(join(tmpdir(), 'kkp-report-cwd-'));
    const out = join(parent, 'cdktf.out');
    mkdirSync(out);
    for (const f of ['manifest.json', 'stacks/kkp-seed/cdk.tf.json']) {
      mkdirSync(join(out, f, '..'), { recursive: true });
      writeFileSync(join(out, f), readFileSync(join(dir, f)));
    }
    const byDefault = runCli(['report'], parent);
    expect(byDefault.status).toBe(0);
    expect(byDefault.stdout).toBe(markdown);
  });

  test('the CLI does not load cdktf or a provider package at run time', () => {
    const { buildCli } = require('./support') as typeof import('./support');
    const probe = require('child_process').spawnSync(
      process.execPath,
      ['-e', `process.argv=[process.argv[0],'x','report',${JSON.stringify(dir)}];require(${JSON.stringify(buildCli())});` +
        `process.on('exit',()=>process.stderr.write(JSON.stringify(Object.keys(require.cache).filter(k=>/node_modules[\\\\/](cdktf|@cdktf|constructs)[\\\\/]/.test(k)))))`],
      { encoding: 'utf8' },
    );
    expect(probe.status).toBe(0);
    expect(JSON.parse(probe.stderr)).toEqual([]);
  });
});

interface Variant {
  readonly vsphereVersion: VsphereVersion;
  readonly datastores: string[];
  readonly networks: string[];
  readonly auditors?: boolean;
}

/** The example's shape with the parts a change touches made variable. */
class VariantStack extends TerraformStack {
  constructor(scope: Construct, id: string, v: Variant) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = v.datastores.map((d) => inventory.datastore(d));
    const networks = v.networks.map((n) => inventory.network(n));
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const roles = new KkpRoles(this, 'Roles', { kkpRelease: '2.12', vsphereVersion: v.vsphereVersion, namePrefix: 'kkp-' });
    new SeedPermissions(this, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot], datastores });
    new UserClusterPermissions(this, 'Mc', { roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot] });
    if (v.auditors) {
      VspherePermissions.grant({
        principal: Principal.group('VSPHERE.LOCAL\\kkp-auditors'),
        role: PredefinedRole.READ_ONLY,
        entity: inventory.datacenter,
        propagate: false,
      });
    }
    const admins = { principal: Principal.group(ADMINS), role: PredefinedRole.ADMINISTRATOR, propagate: true };
    for (const shared of [inventory.vcenter(), inventory.datacenter, cluster, ...datastores, ...networks]) {
      VspherePermissions.manageAuthoritatively(shared, { keep: [admins] });
    }
  }
}

function variantDir(v: Variant): string {
  return synthToDisk((app) => new VariantStack(app, 'kkp-seed', v));
}

describe('report --base: only what changes between two synth outputs', () => {
  const baseDir = variantDir({ vsphereVersion: '6.7', datastores: ['ds-ssd-1', 'ds-ssd-2'], networks: ['kkp-workers'] });
  const headDir = variantDir({ vsphereVersion: '8.0', datastores: ['ds-ssd-1'], networks: ['kkp-workers', 'kkp-storage'], auditors: true });
  const diff = diffReports(readSynthOutput(baseDir), readSynthOutput(headDir));
  const markdown = renderDiffMarkdown(diff);
  const tables = tablesOf(markdown);

  test('lists exactly the added and removed grants', () => {
    const row = (g: { object: string; principal: string; role: string; propagate: boolean; kept: boolean }) =>
      [g.object, g.principal, g.role, g.propagate, g.kept];
    expect(diff.grants.added.map(row)).toEqual([
      ['/dc-1', 'VSPHERE.LOCAL\\kkp-auditors', 'Read-only', false, false],
      ['/dc-1/network/kkp-storage', ADMINS, 'Administrator', true, true],
      ['/dc-1/network/kkp-storage', MC, 'kkp-k8s-network-attach', false, false],
    ]);
    expect(diff.grants.removed.map(row)).toEqual([
      ['/dc-1/datastore/ds-ssd-2', ADMINS, 'Administrator', true, true],
      ['/dc-1/datastore/ds-ssd-2', MC, 'kkp-k8c-user-datastore-propagate', true, false],
      ['/dc-1/datastore/ds-ssd-2', STORAGE, 'kkp-k8c-storage-datastore-propagate', true, false],
    ]);
    expect(tables.get('Grants added')!.slice(1).map((r) => r.slice(0, 6))).toEqual([
      ['/dc-1', 'Datacenter', 'VSPHERE.LOCAL\\kkp-auditors (group)', 'Read-only', 'no', 'authoritative'],
      ['/dc-1/network/kkp-storage', 'network (type read at plan)', `${ADMINS} (group)`, 'Administrator', 'yes', 'authoritative, kept (existing)'],
      ['/dc-1/network/kkp-storage', 'network (type read at plan)', MC, 'kkp-k8s-network-attach', 'no', 'authoritative'],
    ]);
    expect(tables.get('Grants removed')!.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['/dc-1/datastore/ds-ssd-2', `${ADMINS} (group)`, 'Administrator'],
      ['/dc-1/datastore/ds-ssd-2', MC, 'kkp-k8c-user-datastore-propagate'],
      ['/dc-1/datastore/ds-ssd-2', STORAGE, 'kkp-k8c-storage-datastore-propagate'],
    ]);
  });

  test('lists exactly the privileges added and removed by the vSphere version change, before anything else', () => {
    expect(diff.privileges.filter((c) => c.added.length || c.removed.length)).toEqual([
      {
        stack: 'kkp-seed',
        role: 'kkp-k8c-user-folder-propagate',
        change: 'changed',
        vsphereVersion: '8.0',
        baseVsphereVersion: '6.7',
        added: ['VirtualMachine.Interact.SuspendToMemory'],
        removed: ['VirtualMachine.Config.Unlock'],
      },
    ]);
    expect(tables.get('Privileges added')!.slice(1)).toEqual([
      ['kkp-k8c-user-folder-propagate', 'changed (vSphere 6.7 → 8.0)', 'VirtualMachine.Interact.SuspendToMemory'],
    ]);
    expect(tables.get('Privileges removed')!.slice(1)).toEqual([
      ['kkp-k8c-user-folder-propagate', 'changed (vSphere 6.7 → 8.0)', 'VirtualMachine.Config.Unlock'],
    ]);
    expect(markdown).toContain('**3 grants added, 3 removed; 1 privilege added, 1 removed.**');
    const order = ['### Grants added', '### Grants removed', '### Privileges added', '### Privileges removed', '### vSphere version changed'];
    const at = order.map((h) => markdown.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The seven roles whose privileges did not change only changed version.
    expect(diff.privileges.filter((c) => !c.added.length && !c.removed.length).map((c) => [c.role, c.baseVsphereVersion, c.vsphereVersion])).toHaveLength(7);
    expect(markdown.split('\n').filter((l) => l.endsWith(': 6.7 → 8.0, same privileges'))).toHaveLength(7);
  });

  test('shows nothing but "no change" for identical outputs', () => {
    const same = diffReports(readSynthOutput(baseDir), readSynthOutput(baseDir));
    expect(hasChanges(same)).toBe(false);
    expect(renderDiffMarkdown(same)).toBe(
      '## vSphere permissions review: changes against the base\n\nNo change to vSphere roles, grants, folders, templates, Kubernetes secrets, variables or other resources.\n',
    );
  });

  test('the built CLI prints the diff with --base, as Markdown and as JSON', () => {
    const md = runCli(['report', headDir, '--base', baseDir]);
    expect(md.status).toBe(0);
    expect(md.stdout).toBe(markdown);
    const json = runCli(['report', headDir, '--base', baseDir, '--format', 'json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(diff)));
  });
});

const SECRET_VALUES = ['hunter2-literal-secret', 'aHVudGVyMi1iaW5hcnk=', 'pa55w0rd-in-url', 'sig-0123456789abcdef'];

/** Templates, secrets and hand-written permission resources, with secret values a report must never print. */
class TemplatesAndSecretsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new VsphereProvider(this, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    new KubernetesProvider(this, 'kubernetes', {});
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const templates = new VmFolder(this, 'Templates', { inventory, path: 'kkp-templates' });
    const network = inventory.network('kkp-workers');
    new VirtualMachine(this, 'Ubuntu', {
      name: 'ubuntu-22.04',
      folder: templates.relativePath,
      datacenterId: inventory.datacenterId,
      datastoreId: inventory.datastore('ds-ssd-1').entityId,
      resourcePoolId: cluster.resourcePoolId,
      networkInterface: [{ networkId: network.entityId }],
      ovfDeploy: {
        remoteOvfUrl: `https://builder:${SECRET_VALUES[2]}@images.example.com/ubuntu.ova?sig=${SECRET_VALUES[3]}`,
        ovfNetworkMap: { 'VM Network': network.entityId },
      },
    });
    new VirtualMachine(this, 'Flatcar', {
      name: 'flatcar',
      folder: templates.relativePath,
      datacenterId: inventory.datacenterId,
      datastoreId: inventory.datastore('ds-ssd-1').entityId,
      resourcePoolId: cluster.resourcePoolId,
      ovfDeploy: { localOvfPath: '/images/flatcar/flatcar.ovf' },
    });
    const password = new TerraformVariable(this, 'cloud_config_password', { type: 'string', sensitive: true });
    new CloudConfigSecret(this, 'CloudConfig', {
      server: 'vcenter.example.com',
      datacenter: 'dc-1',
      datastore: 'ds-ssd-1',
      clusterId: 'kkp-seed',
      user: 'VSPHERE.LOCAL\\kkp-storage',
      password: password.stringValue,
      kkpUserCluster: false, // the seed cluster: KKP does not write its cloud-config
    });
    new Secret(this, 'Token', {
      metadata: { name: 'vsphere-token', namespace: 'kubermatic' },
      data: { token: SECRET_VALUES[0], 'ca.crt': 'not-a-secret-but-a-value' },
      binaryData: { blob: SECRET_VALUES[1] },
    });
    new SecretV1(this, 'Computed', {
      metadata: { name: 'computed', namespace: 'kube-system' },
      data: '${var.whole_map}' as any,
    });
    // A hand-written permissions resource (no kkp metadata) on a looked-up folder, with a looked-up role.
    const existingRole = new DataVsphereRole(this, 'Backup', { label: 'backup-operator' });
    new EntityPermissions(this, 'HandWritten', {
      entityId: inventory.vmFolder('backups').entityId,
      entityType: 'Folder',
      permissions: [
        { userOrGroup: 'CORP\\backup|svc*_x', isGroup: false, propagate: true, roleId: existingRole.id },
        { userOrGroup: 'CORP\\auditors', isGroup: true, propagate: false, roleId: '-2' },
      ],
    });
  }
}

describe('templates, secrets and hand-written resources', () => {
  const dir = synthToDisk((app) => new TemplatesAndSecretsStack(app, 'extras'));
  const report = readSynthOutput(dir);
  const markdown = renderReportMarkdown(report);
  const tables = tablesOf(markdown);

  test('lists templates with folder, datastore, network and source, credentials in the URL redacted', () => {
    expect(tables.get('Templates')!.map((r) => r.slice(0, 5))).toEqual([
      ['Template', 'Folder', 'Datastore', 'Network', 'Source'],
      ['flatcar', '/dc-1/vm/kkp-templates', '/dc-1/datastore/ds-ssd-1', '', 'local file /images/flatcar/flatcar.ovf'],
      [
        'ubuntu-22.04',
        '/dc-1/vm/kkp-templates',
        '/dc-1/datastore/ds-ssd-1',
        'VM Network → /dc-1/network/kkp-workers',
        'URL https://REDACTED@images.example.com/ubuntu.ova?…',
      ],
    ]);
    expect(tables.get('Templates')!.map((r) => r[5])).toEqual(['Terraform address', 'vsphere_virtual_machine.Flatcar', 'vsphere_virtual_machine.Ubuntu']);
  });

  test('lists secrets by namespace, name and data keys, computed data marked', () => {
    const kube = 'kubernetes (configured from the environment)';
    expect(tables.get('Kubernetes secrets')!.map((r) => r.slice(0, 5))).toEqual([
      ['Provider (cluster)', 'Namespace', 'Name', 'Type', 'Data keys'],
      [kube, 'kube-system', 'cloud-config', 'Opaque', 'config'],
      [kube, 'kube-system', 'cloud-config-csi', 'Opaque', 'config'],
      [kube, 'kube-system', 'computed', 'Opaque', 'computed'],
      [kube, 'kubermatic', 'vsphere-token', 'Opaque', 'blob, ca.crt, token'],
    ]);
  });

  test('prints no secret value in Markdown, JSON, the diff or the CLI output', () => {
    const tf = readFileSync(join(dir, 'stacks/extras/cdk.tf.json'), 'utf8');
    // The values are really in the synthesized Terraform, so the assertions below can fail.
    for (const v of SECRET_VALUES) expect(tf).toContain(v);
    const cloudConfig = JSON.parse(tf).resource.kubernetes_secret;
    const iniTemplate = Object.values<any>(cloudConfig).find((s) => s.metadata.name === 'cloud-config').data.config as string;
    expect(iniTemplate).toContain('[Global]');

    const empty = synthToDisk((app) => {
      const s = new TerraformStack(app, 'extras');
      new VsphereProvider(s, 'vsphere', { user: '${var.u}', password: '${var.p}' });
    });
    const outputs = [
      markdown,
      JSON.stringify(report),
      renderDiffMarkdown(diffReports(readSynthOutput(empty), report)),
      renderDiffMarkdown(diffReports(report, readSynthOutput(empty))),
      JSON.stringify(diffReports(readSynthOutput(empty), report)),
      runCli(['report', dir]).stdout,
      runCli(['report', dir, '--format', 'json']).stdout,
      runCli(['report', dir, '--base', empty]).stdout,
    ];
    for (const out of outputs) {
      for (const v of [...SECRET_VALUES, 'not-a-secret-but-a-value', '[Global]', iniTemplate.slice(0, 40)]) {
        expect(out).not.toContain(v);
      }
    }
  });

  test('reads hand-written permissions: roles resolved, management unknown with a warning, cells escaped', () => {
    const grants = tables.get('Grants')!.slice(1).filter((r) => r[0] === '/dc-1/vm/backups').map((r) => r.slice(0, 6));
    expect(grants).toEqual([
      ['/dc-1/vm/backups', 'Folder', 'CORP\\auditors (group)', 'Read-only', 'no', 'unknown'],
      ['/dc-1/vm/backups', 'Folder', 'CORP\\backup|svc*_x', 'backup-operator', 'yes', 'unknown'],
    ]);
    expect(report.stacks[0].warnings.map((w) => [w.kind, w.object])).toEqual([['unknown-management', '/dc-1/vm/backups']]);
    expect(report.stacks[0].roles.map((r) => [r.name, r.origin])).toEqual([
      ['backup-operator', 'existing'],
      ['Read-only', 'predefined'],
    ]);
  });
});

describe('a missing or malformed synth output gives a clear error', () => {
  const good = exampleDir();
  const broken = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'kkp-report-bad-'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    return dir;
  };
  const manifest = (stacks: unknown) => JSON.stringify({ version: '0.21.0', stacks });
  const cases: [string, () => string, RegExp][] = [
    ['a directory that does not exist', () => join(good, 'nope'), /synth output directory .*nope does not exist\. Run `cdktf synth`/],
    ['a directory without manifest.json', () => broken({ 'x.txt': '' }), /has no manifest\.json, so it is not a cdktf synth output/],
    ['a stack directory instead of the output', () => join(good, 'stacks/kkp-seed'), /looks like one stack's directory; pass its parent/],
    ['a file', () => join(good, 'manifest.json'), /is a file, not a synth output directory/],
    ['manifest.json that is not JSON', () => broken({ 'manifest.json': '{"stacks": ' }), /manifest .*manifest\.json is not valid JSON/],
    ['a manifest without stacks', () => broken({ 'manifest.json': '{"version":"0.21.0"}' }), /has no "stacks" object/],
    ['a manifest with no stacks', () => broken({ 'manifest.json': manifest({}) }), /lists no stacks/],
    ['a stack without synthesizedStackPath', () => broken({ 'manifest.json': manifest({ a: { name: 'a' } }) }), /stack "a" has no synthesizedStackPath/],
    [
      'a stack file that is missing',
      () => broken({ 'manifest.json': manifest({ a: { name: 'a', synthesizedStackPath: 'stacks/a/cdk.tf.json' } }) }),
      /stack "a": .*cdk\.tf\.json \(its synthesizedStackPath\) does not exist/,
    ],
    [
      'a stack file that is not JSON',
      () => broken({ 'manifest.json': manifest({ a: { name: 'a', synthesizedStackPath: 'a.json' } }), 'a.json': 'resource {' }),
      /stack "a" .*a\.json is not valid JSON/,
    ],
    [
      'a stack file that is not an object',
      () => broken({ 'manifest.json': manifest({ a: { name: 'a', synthesizedStackPath: 'a.json' } }), 'a.json': '[]' }),
      /stack "a": .*a\.json is not a Terraform JSON configuration object/,
    ],
  ];

  test.each(cases)('%s', (_what, make, message) => {
    const dir = make();
    expect(() => readSynthOutput(dir)).toThrow(message);
    const cli = runCli(['report', dir]);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toMatch(/^cdktf-kkp-vsphere: /);
    expect(cli.stderr).toMatch(message);
  });

  test('a bad --base names the base directory, and a bad --format is refused', () => {
    const cli = runCli(['report', good, '--base', join(good, 'missing-base')]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/missing-base does not exist/);
    const fmt = runCli(['report', good, '--format', 'yaml']);
    expect(fmt.status).not.toBe(0);
    expect(fmt.stderr).toMatch(/Allowed choices are markdown, json/);
  });

  afterAll(() => rmSync(good, { recursive: true, force: true }));
});
