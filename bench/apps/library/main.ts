// The benchmark's library app: the bundled example's seed (examples/kkp-seed) with N user clusters, written as a
// user writes a cdktf app. `npm run bench` runs it precompiled (tsc) and, at 10 clusters, as the default
// `cdktf init` TypeScript app runs it (`npx ts-node main.ts`, tsconfig.json here is cdktf init's).
// Usage: node main.js [N]   (N user clusters, default 3 = the example)
import * as path from 'path';
import { App, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import {
  KkpDatacenterSpec,
  KkpRoles,
  KkpUserCluster,
  SeedPermissions,
  UserClusterPermissions,
  VmFolder,
  VmTemplate,
  VmTemplateSource,
  VsphereInventory,
} from 'cdktf-kkp-vsphere';

interface UserClusterLine {
  readonly clusterId: string;
  readonly storagePrincipal?: string;
  readonly folderPath?: string;
  readonly datastore?: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const scenario = require('../scenario') as {
  userClusters(n: number): UserClusterLine[];
  clusterCount(argv: string[]): number;
  IMAGE_DIR: string;
};

class KkpSeedStack extends TerraformStack {
  constructor(scope: Construct, id: string, clusters: readonly UserClusterLine[]) {
    super(scope, id);
    // null: the provider reads VSPHERE_USER and VSPHERE_PASSWORD, as the grant and revoke commands do.
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(this, 'vsphere', { user: fromEnvironment, password: fromEnvironment });

    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = [inventory.datastore('ds-ssd-1'), inventory.datastore('ds-ssd-2')];
    const networks = [inventory.network('kkp-workers'), inventory.network('kkp-storage')];
    // The port groups are distributed ones, on the switch dvs-1: granted too, as the example does.
    const distributedSwitches = [inventory.distributedSwitch('dvs-1')];
    const hosts = [inventory.host('esxi-01.dc-1.example.com', cluster), inventory.host('esxi-02.dc-1.example.com', cluster)];
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const templateFolder = new VmFolder(this, 'Templates', { inventory, path: 'templates', parent: kkpRoot });

    const common = {
      inventory,
      folder: templateFolder,
      network: inventory.network('kkp-workers'),
      datastore: inventory.datastore('ds-ssd-1'),
      resourcePool: cluster,
      host: 'esxi-01.dc-1.example.com',
    };
    const templates = [
      new VmTemplate(this, 'UbuntuTemplate', { ...common, source: VmTemplateSource.preset('ubuntu-22.04') }),
      new VmTemplate(this, 'RockyTemplate', {
        ...common,
        source: VmTemplateSource.localOvf(path.join(scenario.IMAGE_DIR, 'kkp-rockylinux-9.ovf'), { os: 'rockylinux' }),
      }),
    ];

    const roles = new KkpRoles(this, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
    new SeedPermissions(this, 'Seed', { roles, inventory, storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage', folders: [kkpRoot, templateFolder], datastores, hosts });
    new UserClusterPermissions(this, 'MachineController', {
      roles,
      inventory,
      principal: 'VSPHERE.LOCAL\\kkp-machine-controller',
      cluster,
      networks,
      distributedSwitches,
      datastores,
      folders: [kkpRoot, templateFolder],
    });

    const datacenter = new KkpDatacenterSpec(this, 'KkpDatacenter', {
      name: 'vsphere-dc-1',
      inventory,
      endpoint: 'https://vcenter.dc-1.example.com',
      datastore: datastores[0],
      cluster,
      rootFolder: kkpRoot,
      templates,
      location: 'Hamburg',
      country: 'DE',
    });
    const sharedPassword = new TerraformVariable(this, 'kkp_storage_password', {
      type: 'string',
      sensitive: true,
      description: 'Password of VSPHERE.LOCAL\\kkp-storage, written into the credentials Secret of clusters without their own storage user',
    });
    // From KKP 2.27 machine-controller logs in as the credentials' infra-management user (as in examples/kkp-seed).
    const machineControllerPassword = new TerraformVariable(this, 'kkp_machine_controller_password', {
      type: 'string',
      sensitive: true,
      description: 'Password of VSPHERE.LOCAL\\kkp-machine-controller, the infra-management user of every cluster\'s credentials Secret',
    }).stringValue;
    const seed = new KubernetesProvider(this, 'kubernetes-seed', { alias: 'seed', configPath: 'kubeconfigs/seed' });
    for (const line of clusters) {
      const shared = line.storagePrincipal === undefined
        ? { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: sharedPassword }
        : {};
      new KkpUserCluster(this, `UserCluster-${line.clusterId}`, {
        datacenter,
        roles,
        clusterId: line.clusterId,
        machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-machine-controller',
        storagePrincipal: line.storagePrincipal,
        folderPath: line.folderPath,
        datastore: line.datastore === undefined ? undefined : datastores[line.datastore],
        networks: [networks[0]],
        seedKubernetesProvider: seed,
        infraManagementUserPassword: machineControllerPassword,
        ...shared,
      });
    }
    // The vCenter root, datacenter, cluster, hosts, datastores and networks are shared: their grants are additive.
  }
}

const app = new App();
new KkpSeedStack(app, 'kkp-seed', scenario.userClusters(scenario.clusterCount(process.argv.slice(2))));
app.synth();
