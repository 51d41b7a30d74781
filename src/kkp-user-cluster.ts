// One KKP user cluster in one construct: its VM folder, the grants on it, its storage credentials and cloud-config.
import { Construct } from 'constructs';
import { TerraformOutput, TerraformProvider } from 'cdktf';
import { CloudConfigSecret } from './cloud-config-secret';
import { IVsphereEntity } from './inventory';
import { KkpDatacenterSpec, terraformLiteral } from './kkp-datacenter-spec';
import { KkpRoles } from './kkp-roles';
import { renderKkpClusterCloudSpec } from './kkp-spec';
import { Grant, PredefinedRole, Principal, VspherePermissions } from './permissions';
import { expectKind } from './permissions/expect';
import { UserClusterFolder, checkClusterId } from './user-cluster-folder';

/** Props of {@link KkpUserCluster}. */
export interface KkpUserClusterProps {
  /** The KKP datacenter the cluster runs in: vCenter, datacenter, default datastore and root folder come from it. */
  readonly datacenter: KkpDatacenterSpec;
  /** The KKP roles (shared by every cluster of the stack: each role is created once). */
  readonly roles: KkpRoles;
  /** The KKP user cluster's id (its `metadata.name`, e.g. `kh8dfp2rz6`). */
  readonly clusterId: string;
  /** machine-controller's principal: gets `k8c-user-folder-propagate` on the cluster's folder. */
  readonly machineControllerPrincipal: Principal | string;
  /**
   * The cluster's own storage principal (recommended: the cloud-config lands on every worker node). It gets exactly
   * the Seed Cluster roles it needs: `k8c-storage-vmfolder-propagate` on this cluster's folder,
   * `k8c-storage-datastore-propagate` on its datastore (both propagated) and Read-only on the datacenter, and nothing
   * on other clusters' folders.
   * @default - none: the seed's shared storage principal serves the cluster
   */
  readonly storagePrincipal?: Principal | string;
  /**
   * The folder's path below KKP's root folder (see {@link UserClusterFolderProps.path}).
   * @default `clusters/<clusterId>`
   */
  readonly folderPath?: string;
  /**
   * The datastore or datastore cluster of the cluster's VMs and volumes (`inventory.datastore(...)` or
   * `inventory.datastoreCluster(...)`).
   * @default - the datacenter spec's datastore
   */
  readonly datastore?: IVsphereEntity;
  /** Networks the worker VMs attach to, for the cluster spec output. @default - none listed */
  readonly networks?: readonly IVsphereEntity[];
  /** Resource pool path, for the cluster spec output. @default - none */
  readonly resourcePool?: string;
  /** Storage policy, for the cluster spec output. @default - the datacenter spec's */
  readonly storagePolicy?: string;
  /**
   * The vSphere user written into the cloud-config: a literal or a token.
   * @default - the own storage principal's name (vCenter accepts `DOMAIN\user` logins) when it is a user; otherwise a
   * sensitive variable `vsphere_<clusterId>_user`
   */
  readonly cloudConfigUser?: string;
  /**
   * That user's password, as a token (e.g. a sensitive `TerraformVariable`'s `stringValue`, shared by clusters that
   * use the same user).
   * @default - a sensitive variable `vsphere_<clusterId>_password` (set `TF_VAR_vsphere_<clusterId>_password`)
   */
  readonly cloudConfigPassword?: string;
  /**
   * The Kubernetes provider of the cluster the `cloud-config` Secrets are written to.
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: TerraformProvider;
  /**
   * Emit a Terraform output `kkp_cluster_<clusterId>` with the cluster's `spec.cloud.vsphere` as YAML.
   * @default true
   */
  readonly output?: boolean;
}

/**
 * Everything the vSphere side needs for one KKP user cluster: a {@link UserClusterFolder} with the grants of the
 * cluster's principals, the own storage principal's grants, and the {@link CloudConfigSecret} (`cloud-config` and
 * `cloud-config-csi`). A stack with many user clusters is a loop over a list: roles and inventory look-ups are shared.
 */
export class KkpUserCluster extends Construct {
  public readonly clusterId: string;
  public readonly folder: UserClusterFolder;
  public readonly cloudConfig: CloudConfigSecret;
  /** The cluster's own storage principal, when it has one. */
  public readonly storagePrincipal?: Principal;
  /** The datastore (or datastore cluster) of the cluster. */
  public readonly datastore: IVsphereEntity;
  /** The cluster's `spec.cloud.vsphere` as YAML (no credentials). */
  public readonly cloudSpecYaml: string;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];
  public readonly output?: TerraformOutput;

  constructor(scope: Construct, id: string, props: KkpUserClusterProps) {
    super(scope, id);
    const where = `KkpUserCluster ${id}`;
    const dc = props.datacenter;
    this.clusterId = checkClusterId(props.clusterId, `${where} clusterId`);
    if (props.datastore !== undefined) {
      expectKind(props.datastore, ['datastore', 'datastoreCluster'], `${where} datastore`);
    }
    props.networks?.forEach((n, i) => expectKind(n, ['network'], `${where} networks[${i}]`));
    this.datastore = props.datastore ?? dc.datastore;

    this.folder = new UserClusterFolder(this, 'Folder', {
      inventory: dc.inventory,
      rootFolder: dc.rootFolder,
      clusterId: this.clusterId,
      path: props.folderPath,
      roles: props.roles,
      machineControllerPrincipal: props.machineControllerPrincipal,
      storagePrincipal: props.storagePrincipal,
    });
    const grants = [...this.folder.grants];
    if (props.storagePrincipal !== undefined) {
      const principal = Principal.of(props.storagePrincipal, `${where} storagePrincipal`);
      this.storagePrincipal = principal;
      grants.push(
        VspherePermissions.grant({ principal, role: props.roles.role('k8c-storage-datastore-propagate'), entity: this.datastore, propagate: true }),
        VspherePermissions.grant({ principal, role: PredefinedRole.READ_ONLY, entity: dc.inventory.datacenter, propagate: false }),
      );
    }
    this.grants = grants;

    const datastoreName = lastSegment(this.datastore.inventoryPath);
    const user = props.cloudConfigUser ?? (this.storagePrincipal && !this.storagePrincipal.isGroup ? this.storagePrincipal.name : undefined);
    this.cloudConfig = new CloudConfigSecret(this, 'CloudConfig', {
      server: dc.server,
      port: dc.port,
      insecure: dc.allowInsecure,
      datacenter: dc.inventory.datacenterName,
      datastore: datastoreName,
      folder: this.folder.folderPath,
      clusterId: this.clusterId,
      user,
      password: props.cloudConfigPassword,
      variablePrefix: `vsphere_${this.clusterId.replace(/-/g, '_')}`,
      provider: props.kubernetesProvider,
    });

    const isCluster = this.datastore.kind === 'datastoreCluster';
    this.cloudSpecYaml = renderKkpClusterCloudSpec({
      folder: this.folder.folderPath,
      ...(isCluster ? { datastoreCluster: datastoreName } : props.datastore ? { datastore: datastoreName } : {}),
      networks: props.networks?.map((n) => lastSegment(n.inventoryPath)),
      resourcePool: props.resourcePool,
      storagePolicy: props.storagePolicy,
    });
    if (props.output ?? true) {
      this.output = new TerraformOutput(this, 'CloudSpec', {
        value: terraformLiteral(this.cloudSpecYaml),
        description: `spec.cloud of KKP user cluster ${this.clusterId} (no credentials: use credentialsReference).`,
      });
      this.output.overrideLogicalId(`kkp_cluster_${this.clusterId.replace(/-/g, '_')}`);
    }
  }
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
