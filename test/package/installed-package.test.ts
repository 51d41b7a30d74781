// The library as a user gets it: `npm pack`, installed into a fresh cdktf TypeScript app outside the repository,
// compiled with the app's own tsc (CommonJS and moduleResolution node10, as `cdktf init` sets up; then node16) and
// synthesized. The app imports the constructs from the package root and the rest from its other entry points
// (package.json "exports" for Node and node16, "typesVersions" for node10's type lookup).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const devVersion = (name: string) => require(path.join(repo, 'package.json')).devDependencies[name] as string;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
}

const APP = `
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, SeedPermissions, VmFolder, VsphereInventory, VspherePermissions } from 'cdktf-kkp-vsphere';
import { readFileSync, writeFileSync } from 'fs';
import { kkpRoles } from 'cdktf-kkp-vsphere/facts';
import { KkpMetadata, readKkpMetadata } from 'cdktf-kkp-vsphere/contracts';
import { readSynthOutput, renderReportMarkdown } from 'cdktf-kkp-vsphere/report';
import { ConvertedImageFiles, convertedImageFiles } from 'cdktf-kkp-vsphere/images';

class Seed extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const password = new TerraformVariable(this, 'vsphere_password', { type: 'string', sensitive: true });
    new VsphereProvider(this, 'vsphere', { user: 'terraform@vsphere.local', password: password.stringValue });
    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const root = new VmFolder(this, 'Root', { inventory, path: 'kkp' });
    const datastore = inventory.datastore('ds-1');
    new SeedPermissions(this, 'Seed', {
      roles: new KkpRoles(this, 'Roles', { kkpRelease: '2.12', vsphereVersion: '7.0u2' }),
      inventory,
      storagePrincipal: 'VSPHERE.LOCAL\\\\k8c-storage',
      folders: [root],
      datastores: [datastore],
    });
    VspherePermissions.manageAuthoritatively(inventory.datacenter, { keep: [] });
    VspherePermissions.manageAuthoritatively(datastore, { keep: [] });
  }
}

const app = new App();
new Seed(app, 'installed');
app.synth();

// The other entry points, as an app's own tooling uses them on what it synthesized.
const report = readSynthOutput('cdktf.out');
const tf = JSON.parse(readFileSync('cdktf.out/stacks/installed/cdk.tf.json', 'utf8'));
const metadata: (KkpMetadata | undefined)[] = Object.values<unknown>(tf.resource.vsphere_role).map(readKkpMetadata);
const files: ConvertedImageFiles = convertedImageFiles('ubuntu');
writeFileSync('entry-points.json', JSON.stringify({
  reportRoles: report.stacks[0].roles.map((r) => r.name),
  markdown: renderReportMarkdown(report).includes('k8c-storage-datastore-propagate'),
  metadataTypes: metadata.map((m) => m?.type),
  storageRole: kkpRoles('7.0u2', '2.12').find((r) => r.name === 'k8c-storage-datastore-propagate')?.privileges.length,
  ova: files.ova,
}));
`;

test('npm pack output installs into a fresh cdktf app, compiles and synthesizes', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-installed-'));
  try {
    const packed = run('npm', ['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').pop()!;
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'installed-app',
        private: true,
        dependencies: {
          'cdktf-kkp-vsphere': `file:${path.join(work, packed)}`,
          cdktf: devVersion('cdktf'),
          constructs: devVersion('constructs'),
          '@cdktf/provider-vsphere': devVersion('@cdktf/provider-vsphere'),
          '@cdktf/provider-kubernetes': devVersion('@cdktf/provider-kubernetes'),
        },
        devDependencies: { typescript: devVersion('typescript'), '@types/node': devVersion('@types/node') },
      }),
    );
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2020', module: 'CommonJS', strict: true, skipLibCheck: true, outDir: 'dist' }, include: ['main.ts'] }),
    );
    fs.writeFileSync(path.join(app, 'main.ts'), APP);

    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    const tsc = path.join(app, 'node_modules/typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    // The same app type-checks with node16 resolution, which reads the "types" conditions of package.json "exports".
    run(process.execPath, [tsc, '-p', 'tsconfig.json', '--module', 'node16', '--moduleResolution', 'node16', '--noEmit'], app);
    // A subpath the package does not export is refused by both (tsc resolves nothing, so the import is an error).
    fs.writeFileSync(path.join(app, 'internal.ts'), `import { VcenterClient } from 'cdktf-kkp-vsphere/tools/vcenter';\nexport const c = VcenterClient;\n`);
    const refused = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'CommonJS', 'internal.ts'], { cwd: app, encoding: 'utf8' });
    expect(refused.stdout).toMatch(/internal\.ts.*error TS2307: Cannot find module 'cdktf-kkp-vsphere\/tools\/vcenter'/);
    run(process.execPath, ['dist/main.js'], app);

    const json = JSON.parse(fs.readFileSync(path.join(app, 'cdktf.out/stacks/installed/cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(json.resource.vsphere_role).map((r) => r.name).sort()).toEqual([
      'k8c-storage-datastore-propagate',
      'k8c-storage-vmfolder-propagate',
    ]);
    expect(Object.keys(json.resource.vsphere_entity_permissions)).toHaveLength(3);
    expect(JSON.stringify(json)).not.toMatch(/password"\s*:\s*"[^$]/);
    const entryPoints = JSON.parse(fs.readFileSync(path.join(app, 'entry-points.json'), 'utf8'));
    expect(entryPoints).toEqual({
      // The two custom roles, then the predefined Read-only role the seed's grants reference.
      reportRoles: ['k8c-storage-datastore-propagate', 'k8c-storage-vmfolder-propagate', 'Read-only'],
      markdown: true,
      metadataTypes: ['role', 'role'],
      storageRole: expect.any(Number),
      ova: 'ubuntu.ova',
    });
    expect(entryPoints.storageRole).toBeGreaterThan(0);

    // The CLI is installed as a bin.
    expect(run(path.join(app, 'node_modules/.bin/cdktf-kkp-vsphere'), ['--help'], app)).toContain('Usage: cdktf-kkp-vsphere');

    // No provisioner (grants on shared objects and templates are kkpvsphere provider resources, whose bindings ship in
    // the package): terraform apply needs no Node and no cdktf-kkp-vsphere.
    expect(JSON.stringify(json)).not.toMatch(/local-exec|provisioner/);
    const help = run(path.join(app, 'node_modules/.bin/cdktf-kkp-vsphere'), ['--help'], app);
    expect(help).not.toMatch(/template-import|template-remove/);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 600_000);
