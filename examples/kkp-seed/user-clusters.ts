// The KKP datacenter spec and three user clusters, each with its own VM folder and its vSphere credentials handed to
// KKP. Adding a cluster is adding a line to USER_CLUSTERS (or passing another list as `clusters`, e.g. per
// environment): roles and inventory look-ups are shared, synth time grows linearly. The stack targets the newest KKP
// release (the KkpRoles default), so KKP writes each user cluster's cloud-config Secrets itself; the stack writes the
// credentials Secret KKP reads them from, on the seed.
//
// Credentials: the shared storage user's password comes from TF_VAR_kkp_storage_password; a cluster with its own
// storage principal gets its own variable, TF_VAR_vsphere_<clusterId>_password. None is written to cdk.tf.json.
// The credentials Secrets go to namespace kubermatic on the seed, through the seed's kubernetes provider
// (kubeconfigs/seed); each cluster's output kkp_cluster_<clusterId> names its Secret in credentialsReference.
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import {
  ComputeClusterEntity,
  IKkpTemplate,
  IVsphereEntity,
  KkpDatacenterSpec,
  KkpRoles,
  KkpUserCluster,
  VmFolder,
  VsphereInventory,
} from 'cdktf-kkp-vsphere';

/** What the user clusters need from the seed stack. */
export interface UserClustersInput {
  readonly inventory: VsphereInventory;
  readonly roles: KkpRoles;
  /** KKP's VM root folder: the datacenter spec's rootPath, parent of every cluster folder. */
  readonly kkpRoot: VmFolder;
  readonly cluster: ComputeClusterEntity;
  /** The first is the datacenter's default datastore. */
  readonly datastores: readonly IVsphereEntity[];
  readonly networks: readonly IVsphereEntity[];
  /** Template VMs (e.g. the VmTemplates of vm-templates.ts), or a plain `{ ubuntu: 'name' }` map. */
  readonly templates: readonly IKkpTemplate[] | Readonly<Record<string, string>>;
  /**
   * The user clusters.
   * @default USER_CLUSTERS
   */
  readonly clusters?: readonly UserClusterLine[];
}

/** One line per user cluster: its KKP id, and whatever differs from the defaults. */
export interface UserClusterLine {
  readonly clusterId: string;
  /** Its own storage user (recommended: the cloud-config lands on every worker node). */
  readonly storagePrincipal?: string;
  /** Its VM folder below KKP's root folder; default `clusters/<clusterId>`. */
  readonly folderPath?: string;
  /** Index into the stack's datastores; default the first. */
  readonly datastore?: number;
}

export const USER_CLUSTERS: readonly UserClusterLine[] = [
  { clusterId: 'kh8dfp2rz6' },
  { clusterId: 'x7q2mm9wkp', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp' },
  { clusterId: 'p4n8c2vd7t', folderPath: 'team-payments/p4n8c2vd7t', datastore: 1 },
];

/** Adds the datacenter spec (output `kkp_datacenter_vsphere_dc_1`) and the user clusters (USER_CLUSTERS unless `clusters` is given). */
export function addUserClusters(scope: Construct, input: UserClustersInput): { datacenter: KkpDatacenterSpec; clusters: KkpUserCluster[] } {
  const { inventory, roles, kkpRoot, cluster, datastores, networks, templates, clusters: lines = USER_CLUSTERS } = input;
  const datacenter = new KkpDatacenterSpec(scope, 'KkpDatacenter', {
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

  // The seed's shared storage user (SeedPermissions' storage principal) serves clusters without their own. Passed as the
  // variable itself, it is read once for all of them (cheaper to synthesize than its stringValue per cluster).
  const sharedPassword = new TerraformVariable(scope, 'kkp_storage_password', {
    type: 'string',
    sensitive: true,
    description: 'Password of VSPHERE.LOCAL\\kkp-storage, written into the credentials Secret of clusters without their own storage user',
  });

  // From KKP 2.27 machine-controller and KKP log in as the credentials' infra-management user, else as username (the
  // storage user): every cluster names the machine-controller user, its password from TF_VAR_kkp_machine_controller_password.
  const machineControllerPassword = new TerraformVariable(scope, 'kkp_machine_controller_password', {
    type: 'string',
    sensitive: true,
    description: 'Password of VSPHERE.LOCAL\\kkp-machine-controller, the infra-management user of every cluster\'s credentials Secret',
  }).stringValue;

  const seed = new KubernetesProvider(scope, 'kubernetes-seed', { alias: 'seed', configPath: 'kubeconfigs/seed' });
  const clusters = lines.map((line) => {
    const shared = line.storagePrincipal === undefined
      ? { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: sharedPassword }
      : {};
    return new KkpUserCluster(scope, `UserCluster-${line.clusterId}`, {
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
  });
  return { datacenter, clusters };
}
