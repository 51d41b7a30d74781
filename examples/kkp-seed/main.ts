// KKP on vSphere, the seed side: roles, grants and folders for one datacenter.
// Synthesize with `cdktf synth` here, or `npm run synth` at the repository root. No vCenter is needed to synthesize.
// `cdktf deploy` takes the vCenter from VSPHERE_SERVER and the credentials from TF_VAR_vsphere_user and
// TF_VAR_vsphere_password: sensitive variables, so no credential is ever written into cdk.tf.json.
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import {
  KkpRoles,
  PredefinedRole,
  Principal,
  SeedPermissions,
  UserClusterPermissions,
  VmFolder,
  VsphereInventory,
  VspherePermissions,
} from 'cdktf-kkp-vsphere';
import { addUserClusters } from './user-clusters';
import { addVmTemplates } from './vm-templates';

export class KkpSeedStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const user = new TerraformVariable(this, 'vsphere_user', { type: 'string', sensitive: true, description: 'vCenter user that applies this stack' });
    const password = new TerraformVariable(this, 'vsphere_password', { type: 'string', sensitive: true, description: 'its password' });
    new VsphereProvider(this, 'vsphere', { user: user.stringValue, password: password.stringValue });

    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = [inventory.datastore('ds-ssd-1'), inventory.datastore('ds-ssd-2')];
    const networks = [inventory.network('kkp-workers'), inventory.network('kkp-storage')];
    const hosts = [inventory.host('esxi-01.dc-1.example.com', cluster), inventory.host('esxi-02.dc-1.example.com', cluster)];

    // KKP's VM root folder (the datacenter spec's rootPath) and a folder for the VM templates, both owned by this stack.
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const templates = new VmFolder(this, 'Templates', { inventory, path: 'templates', parent: kkpRoot });

    // Ubuntu from its OVA URL and Rocky Linux from a converted QCOW2, in the template folder.
    const vmTemplates = addVmTemplates(this, { inventory, templateFolder: templates, cluster });

    const roles = new KkpRoles(this, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });

    new SeedPermissions(this, 'Seed', {
      roles,
      inventory,
      storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage',
      folders: [kkpRoot, templates],
      datastores,
      // KKP 2.26+: Read-only on every host that runs node VMs.
      hosts,
    });

    new UserClusterPermissions(this, 'MachineController', {
      roles,
      inventory,
      principal: 'VSPHERE.LOCAL\\kkp-machine-controller',
      cluster,
      networks,
      datastores,
      folders: [kkpRoot, templates],
    });

    // KKP's datacenter spec and the user clusters: a folder, grants and the cloud-config Secrets for each.
    addUserClusters(this, { inventory, roles, kkpRoot, cluster, datastores, networks, templates: vmTemplates });

    // The folders are the stack's own. The other objects are shared with other teams: this stack may only manage
    // their permissions because it lists, for each, what must stay (here: the vSphere admins group).
    const admins = { principal: Principal.group('VSPHERE.LOCAL\\Administrators'), role: PredefinedRole.ADMINISTRATOR, propagate: true };
    for (const shared of [inventory.vcenter(), inventory.datacenter, cluster, ...hosts, ...datastores, ...networks]) {
      VspherePermissions.manageAuthoritatively(shared, { keep: [admins] });
    }
  }
}

// `cdktf synth` runs this file; tests import KkpSeedStack without synthesizing to disk.
if (require.main === module) {
  const app = new App();
  new KkpSeedStack(app, 'kkp-seed');
  app.synth();
}
