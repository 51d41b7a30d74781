// KKP on vSphere, the seed side: roles, grants and folders for one datacenter.
// Synthesize with `cdktf synth` here, or `npm run synth` at the repository root. No vCenter is needed to synthesize.
// `npx cdktf deploy` takes the vCenter and the credentials from the vSphere provider's own environment variables
// (VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_ALLOW_UNVERIFIED_SSL). The additive grants' commands read
// the same variables, and no credential is ever written into cdk.tf.json.
import { App, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VsphereProvider } from '@cdktf/provider-vsphere/lib/provider';
import { KkpRoles, SeedPermissions, UserClusterPermissions, VmFolder, VsphereInventory } from 'cdktf-kkp-vsphere';
import { UserClusterLine, addUserClusters } from './user-clusters';
import { addVmTemplates } from './vm-templates';

/** What differs between installations of this seed (all optional: the defaults are the example's own). */
export interface KkpSeedStackProps {
  /** The user clusters; default USER_CLUSTERS in user-clusters.ts. */
  readonly userClusters?: readonly UserClusterLine[];
  /** The port groups the node VMs use, workers first (the templates are mapped to it); default kkp-workers, kkp-storage. */
  readonly networks?: readonly [string, ...string[]];
}

export class KkpSeedStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: KkpSeedStackProps = {}) {
    super(scope, id);
    // null: the provider reads VSPHERE_USER and VSPHERE_PASSWORD, as the grant and revoke commands do.
    const fromEnvironment = Token.asString(Token.nullValue());
    new VsphereProvider(this, 'vsphere', { user: fromEnvironment, password: fromEnvironment });

    const inventory = new VsphereInventory(this, 'Inventory', { datacenter: 'dc-1' });
    const cluster = inventory.computeCluster('cluster-1');
    const datastores = [inventory.datastore('ds-ssd-1'), inventory.datastore('ds-ssd-2')];
    const networks = (props.networks ?? ['kkp-workers', 'kkp-storage']).map((name) => inventory.network(name));
    // The port groups are distributed ones, on the platform team's switch dvs-1: KKP's page grants the network role on
    // the switch too ("distributed switch + network"), else machine-controller's user cannot see the switch to build a
    // VM's NICs and KKP lists no networks. (Standard port groups: leave distributedSwitches out.)
    const distributedSwitches = [inventory.distributedSwitch('dvs-1')];
    const hosts = [inventory.host('esxi-01.dc-1.example.com', cluster), inventory.host('esxi-02.dc-1.example.com', cluster)];

    // KKP's VM root folder (the datacenter spec's rootPath) and a folder for the VM templates, both owned by this stack.
    const kkpRoot = new VmFolder(this, 'KkpRoot', { inventory, path: 'kkp' });
    const templates = new VmFolder(this, 'Templates', { inventory, path: 'templates', parent: kkpRoot });

    // Ubuntu from its OVA URL (or a mirror: KKP_UBUNTU_OVA_URL) and Rocky Linux from a converted QCOW2, in the template folder.
    const vmTemplates = addVmTemplates(this, { inventory, templateFolder: templates, cluster, network: networks[0] });

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
      distributedSwitches,
      datastores,
      folders: [kkpRoot, templates],
    });

    // KKP's datacenter spec and the user clusters: a folder, grants and the cloud-config Secrets for each.
    addUserClusters(this, { inventory, roles, kkpRoot, cluster, datastores, networks, templates: vmTemplates, clusters: props.userClusters });

    // The folders are the stack's own: one vsphere_entity_permissions each holds exactly the grants above. The vCenter
    // root, the datacenter, the cluster, the hosts, the datastores, the networks and the distributed switch are shared
    // with other teams: the grants there are additive (each principal's permission is set and removed on its own;
    // nothing else is touched).
  }
}

// `cdktf synth` runs this file; tests import KkpSeedStack without synthesizing to disk.
if (require.main === module) {
  const app = new App();
  new KkpSeedStack(app, 'kkp-seed');
  app.synth();
}
