// One KKP user cluster in one construct: its VM folder, the grants on it, and the credentials KKP needs for it
// (KKP 2.13+: a Secret on the seed named by the cluster's credentialsReference; 2.12: the cloud-config Secrets).
import { stackSlot, stackState } from '../core/stack-state';
import { Construct } from 'constructs';
import { TerraformOutput, TerraformVariable, Token } from '../framework/core';
import { ITerraformProviderRef, ITerraformVariableRef, providerOf, variableOf } from '../framework/refs';
import { Secret } from '../framework/providers/kubernetes/secret';
import { renderVsphereCloudConfig, vsphereCloudConfig } from '../facts/cloud-config/vsphere';
import { gcfgQuote } from '../facts/cloud-config/gcfg';
import { CloudConfigSecret, KkpCloudConfigSecretProps, gcfgCarriable } from './cloud-config-secret';
import { IVsphereEntity } from '../core/inventory';
import { KkpDatacenterSpec, terraformLiteral } from './kkp-datacenter-spec';
import { registerKkpUserCluster, stackKkpRelease } from '../core/stack-release';
import { KkpRoles } from './kkp-roles';
import { KkpCredentialsReference, KkpRelease, kkpReleaseFacts, renderKkpClusterCloudSpec } from '../facts/kkp';
import { Grant, Principal } from '../core/permissions';
import { expectKind } from '../core/permissions/expect';
import { requireSecretInput } from '../core/synth-checks';
import { KkpClusterFacts, clusterWorksMetadata, declareKkpPrincipal, kkpPrincipalKinds, registerKkpClusterCheck, stackNodeHosts, StackObjects } from '../core/kkp-works-check';
import { PlainSynthValue } from '../core/permissions/synth-value';
import type { ClusterCase, KkpOperationCondition, LoginPrincipal, ObjectRef } from '../facts/kkp-operations';
import { UserClusterFolder, checkClusterId } from './user-cluster-folder';
import { describeValue } from '../base/validation';
import { InputRef, KkpValidationError, rendererError } from '../base/errors';

/**
 * The data keys of the credentials Secret KKP reads through a cluster's `credentialsReference`, as KKP names them
 * (kubermatic/kubermatic pkg/resources/resources.go: VsphereUsername, VspherePassword,
 * VsphereInfraManagementUserUsername, VsphereInfraManagementUserPassword; the same in every release from 2.12).
 */
export const KKP_VSPHERE_CREDENTIAL_KEYS = {
  username: 'username',
  password: 'password',
  infraManagementUserUsername: 'infraManagementUserUsername',
  infraManagementUserPassword: 'infraManagementUserPassword',
} as const;

/** The namespace KKP keeps cluster credentials in on the seed (pkg/resources/resources.go KubermaticNamespace). */
export const KKP_CREDENTIALS_NAMESPACE = 'kubermatic';

/** Props of {@link KkpUserCluster}. */
export interface KkpUserClusterProps {
  /** The KKP datacenter the cluster runs in: vCenter, datacenter, default datastore and root folder come from it. */
  readonly datacenter: KkpDatacenterSpec;
  /** The KKP roles (shared by every cluster of the stack: each role is created once). Their KKP release is the stack's. */
  readonly roles: KkpRoles;
  /** The KKP user cluster's id (its `metadata.name`, e.g. `kh8dfp2rz6`). */
  readonly clusterId: string;
  /** machine-controller's principal: gets `k8c-user-folder-propagate` on the cluster's folder. */
  readonly machineControllerPrincipal: Principal | string;
  /**
   * The cluster's own storage (CCM/CSI) principal (recommended: its credentials reach the user cluster). It gets exactly
   * the storage roles it needs: the storage folder role on this cluster's folder, the storage datastore role on its
   * datastore (both propagated) and Read-only on the datacenter; from KKP 2.26 also `k8c-ccm-storage-cns` on the
   * vCenter and Read-only on every node host, as the seed's storage user. Nothing on other clusters' folders.
   * @default - none: the seed's shared storage principal serves the cluster
   */
  readonly storagePrincipal?: Principal | string;
  /**
   * KKP 2.26+, with a `storagePrincipal`: the ESXi hosts that run the cluster's node VMs, on which the own storage
   * principal gets Read-only (not propagated), as the release's page grants the storage user.
   * @default - the hosts of the stack's SeedPermissions (create it before the clusters)
   */
  readonly hosts?: readonly IVsphereEntity[];
  /**
   * The folder's path below KKP's root folder (see {@link UserClusterFolderProps.path}).
   * @default `clusters/<clusterId>`
   */
  readonly folderPath?: string;
  /**
   * The cluster's `spec.cloud.vsphere.basePath` (KKP 2.24+), when the cluster has one: it is written into the cluster
   * spec output, and the folder guard keeps the cluster's folder off `<rootPath>/<basePath>/<clusterId>`, the folder KKP
   * creates and destroys itself.
   * @default - none
   */
  readonly basePath?: string;
  /**
   * The datastore or datastore cluster of the cluster's VMs and volumes (`inventory.datastore(...)` or
   * `inventory.datastoreCluster(...)`).
   * @default - the datacenter spec's datastore
   */
  readonly datastore?: IVsphereEntity;
  /** Networks the worker VMs attach to, for the cluster spec output (one before KKP 2.24). @default - none listed */
  readonly networks?: readonly IVsphereEntity[];
  /** Resource pool path, for the cluster spec output (KKP 2.18+). @default - none */
  readonly resourcePool?: string;
  /** Storage policy, for the cluster spec output (KKP 2.18+). @default - the datacenter spec's */
  readonly storagePolicy?: string;
  /**
   * The vSphere user KKP puts into the cluster's cloud-config: a literal or a token. KKP 2.13+: the credentials
   * Secret's `username`; 2.12: written into the cloud-config Secrets.
   * @default - the own storage principal's name (vCenter accepts `DOMAIN\user` logins) when it is a user; otherwise a
   * sensitive variable `vsphere_<clusterId>_user`
   */
  readonly cloudConfigUser?: string;
  /**
   * That user's password: a sensitive `TerraformVariable` (shared by the clusters that use the same user: its value
   * and plan-time check are then built once for all of them, which keeps synth of many clusters cheap), or a token.
   * @default - a sensitive variable `vsphere_<clusterId>_password` (set `TF_VAR_vsphere_<clusterId>_password`)
   */
  readonly cloudConfigPassword?: string | ITerraformVariableRef;
  /**
   * KKP 2.13+: the password of machine-controller's principal, as a token. When given, the credentials Secret also
   * carries `infraManagementUserUsername` (the principal's name) and `infraManagementUserPassword`, and KKP creates the
   * cluster's VMs, folders and tags as that user instead of the cloud-config user.
   * @default - no infrastructure management user in the Secret: KKP uses the Seed datacenter's `infraManagementUser`
   * when it has one, else the cloud-config user
   */
  readonly infraManagementUserPassword?: string;
  /**
   * KKP 2.13+: the Kubernetes provider of the seed cluster, where KKP reads cluster credentials.
   * @default - the stack's default kubernetes provider
   */
  readonly seedKubernetesProvider?: ITerraformProviderRef;
  /**
   * KKP 2.13+: write the credentials Secret. `false` when the credentials come from elsewhere (a KKP `Preset`, or a
   * Secret the platform team manages otherwise): nothing is written and no variable is declared.
   * @default true
   */
  readonly credentialsSecret?: boolean;
  /**
   * KKP 2.13+: name of the credentials Secret in namespace `kubermatic` on the seed. Not KKP's own name
   * `credential-vsphere-<clusterId>`: KKP writes that Secret when a cluster is created with inline credentials and
   * deletes it with the cluster (pkg/clusterdeletion/secret.go), which would take the stack's Secret with it.
   * @default `kkp-vsphere-<clusterId>`
   */
  readonly credentialsSecretName?: string;
  /**
   * KKP 2.12 only: the Kubernetes provider of the user cluster the `cloud-config` Secrets are written to.
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: ITerraformProviderRef;
  /**
   * Emit Terraform outputs `kkp_cluster_<clusterId>` (the cluster's `spec.cloud.vsphere` as YAML) and, for KKP 2.13+,
   * `kkp_cloud_config_<clusterId>` (the cloud-config KKP will render, password redacted).
   * @default true
   */
  readonly output?: boolean;
}

/**
 * Everything the vSphere side needs for one KKP user cluster: a {@link UserClusterFolder} with the grants of the
 * cluster's principals, the own storage principal's grants, and the credentials KKP needs. For KKP 2.13 and later, a
 * Secret on the seed (`username`, `password`, optionally the infrastructure management user's) and the
 * `credentialsReference` that names it; KKP renders the cloud-config Secrets itself, and the construct outputs that
 * cloud-config, credential-free, for review. For KKP 2.12, the {@link CloudConfigSecret} in the user cluster, as before.
 */
export class KkpUserCluster extends Construct {
  public readonly clusterId: string;
  /** The stack's KKP release. */
  public readonly kkpRelease: KkpRelease;
  public readonly folder: UserClusterFolder;
  /** KKP 2.12: the cloud-config Secrets. */
  public readonly cloudConfig?: CloudConfigSecret;
  /** KKP 2.13+: the credentials Secret on the seed. */
  public readonly credentialsSecret?: Secret;
  /** KKP 2.13+: the cluster's `spec.cloud.vsphere.credentialsReference`, when the construct writes the Secret. */
  public readonly credentialsReference?: KkpCredentialsReference;
  /** The cluster's own storage principal, when it has one. */
  public readonly storagePrincipal?: Principal;
  /** The datastore (or datastore cluster) of the cluster. */
  public readonly datastore: IVsphereEntity;
  /** The cluster's `spec.cloud.vsphere` as YAML (no credentials). */
  public readonly cloudSpecYaml: string;
  /** KKP 2.13+: the cloud-config KKP will render for the cluster, with the password redacted. */
  public readonly reviewCloudConfig?: string;
  /** Every grant this construct made. */
  public readonly grants: readonly Grant[];
  public readonly output?: TerraformOutput;
  /** KKP 2.13+: the output holding {@link reviewCloudConfig}. */
  public readonly cloudConfigOutput?: TerraformOutput;
  /** The variable declared for the cloud-config user's password, when none was passed. */
  public readonly passwordVariable?: TerraformVariable;

  constructor(scope: Construct, id: string, props: KkpUserClusterProps) {
    super(scope, id);
    const where = InputRef.of(this, 'KkpUserCluster');
    checkProps(where, props);
    const dc = props.datacenter;
    const cloudConfigPassword = variableValue(props.cloudConfigPassword, String(where));
    this.clusterId = checkClusterId(props.clusterId, where.at('clusterId'));
    // Named here, under this construct's props, before the folder and the Secrets check them again.
    Principal.of(props.machineControllerPrincipal, where.at('machineControllerPrincipal'));
    this.kkpRelease = stackKkpRelease(this, undefined, where);
    const facts = kkpReleaseFacts(this.kkpRelease);
    if (props.datastore !== undefined) {
      expectKind(props.datastore, ['datastore', 'datastoreCluster'], where.at('datastore'));
    }
    props.networks?.forEach((n, i) => expectKind(n, ['network'], where.at(`networks[${i}]`)));
    this.datastore = props.datastore ?? dc.datastore;
    this.checkReleaseProps(where, props);
    this.checkPasswords(where, props, cloudConfigPassword);
    registerKkpUserCluster(this, this.clusterId);

    try {
      this.folder = new UserClusterFolder(this, 'Folder', {
        inventory: dc.inventory,
        rootFolder: dc.rootFolder,
        clusterId: this.clusterId,
        path: props.folderPath,
        basePath: props.basePath,
        roles: props.roles,
        machineControllerPrincipal: props.machineControllerPrincipal,
        storagePrincipal: props.storagePrincipal,
      });
    } catch (e) {
      // The folder's props are this construct's: name them as the user wrote them (path is folderPath here).
      if (!KkpValidationError.isKkpValidationError(e) || e.constructPath !== `${this.node.path}/Folder`) throw e;
      if (e.prop === undefined) throw where.error(e.problem);
      throw where.at(e.prop.replace(/^path\b/, 'folderPath')).error(e.problem);
    }
    const grants = [...this.folder.grants];
    if (props.storagePrincipal !== undefined) {
      const principal = Principal.of(props.storagePrincipal, where.at('storagePrincipal'));
      this.storagePrincipal = principal;
      const roles = props.roles;
      // Where each role is granted and whether it propagates: the role table's (KkpRoles.grant reads it).
      grants.push(roles.grant('storage-datastore', principal, this.datastore), roles.grantReadOnly(principal, dc.inventory.datacenter));
      // The cluster's CSI driver makes the seed storage user's CNS calls with this user: the same vCenter and host grants.
      if (roles.has('storage-cns')) {
        grants.push(roles.grant('storage-cns', principal, dc.inventory.vcenter()));
      }
      if (roles.profile.readOnlyOn.includes('host')) {
        const hosts = props.hosts ?? stackNodeHosts(this);
        if (!hosts.length) {
          throw where.at('hosts').error(
            `KKP ${this.kkpRelease}'s page grants the storage user Read-only on every host that runs node VMs, and ` +
              `storagePrincipal ${principal.name} is this cluster's storage user. Give hosts: [inventory.host(name, cluster), ...], or ` +
              'create the SeedPermissions (with its hosts) before the clusters.',
          );
        }
        hosts.forEach((h, i) => expectKind(h, ['host'], where.at(`hosts[${i}]`)));
        grants.push(...hosts.map((h) => roles.grantReadOnly(principal, h)));
      }
      declareKkpPrincipal(this, principal, 'storage');
    } else if (props.hosts !== undefined) {
      throw where.at('hosts').error(`only a cluster with its own storagePrincipal gets grants on hosts; leave hosts out or give storagePrincipal.`);
    }
    this.grants = grants;

    const datastoreName = lastSegment(this.datastore.inventoryPath);
    const user = props.cloudConfigUser ?? (this.storagePrincipal && !this.storagePrincipal.isGroup ? this.storagePrincipal.name : undefined);
    const variablePrefix = `vsphere_${this.clusterId.replace(/-/g, '_')}`;
    const isCluster = this.datastore.kind === 'datastoreCluster';

    if (facts.cloudConfigOwner === 'stack') {
      // KKP 2.12 kept the cloud-config in the seed only: the library writes it into the user cluster, as it always has.
      this.cloudConfig = this.cloudConfigSecret(where, {
        server: dc.server,
        port: dc.port,
        insecure: dc.allowInsecure,
        datacenter: dc.inventory.datacenterName,
        datastore: datastoreName,
        folder: this.folder.folderPath,
        clusterId: this.clusterId,
        user,
        password: cloudConfigPassword,
        variablePrefix,
        provider: props.kubernetesProvider === undefined ? undefined : providerOf(props.kubernetesProvider, String(where), 'kubernetesProvider'),
      });
    } else if (props.credentialsSecret ?? true) {
      const secret = this.writeCredentials(where, props, user, cloudConfigPassword, variablePrefix);
      this.credentialsSecret = secret.secret;
      this.credentialsReference = secret.reference;
      this.passwordVariable = secret.passwordVariable;
      this.reviewCloudConfig = withPath(where, () => renderVsphereCloudConfig(
        vsphereCloudConfig({
          server: dc.server,
          port: dc.port,
          insecure: dc.allowInsecure,
          user: user !== undefined && !Token.isUnresolved(user) ? user : `<from Secret ${KKP_CREDENTIALS_NAMESPACE}/${secret.reference.name}, key username>`,
          password: `<redacted: Secret ${KKP_CREDENTIALS_NAMESPACE}/${secret.reference.name}, key password>`,
          datacenter: dc.inventory.datacenterName,
          datastore: datastoreName,
          folder: this.folder.folderPath,
          clusterId: this.clusterId,
        }),
        gcfgQuote,
      ));
    }

    this.cloudSpecYaml = withPath(where, () => renderKkpClusterCloudSpec(
      {
        folder: this.folder.folderPath,
        ...(isCluster ? { datastoreCluster: datastoreName } : props.datastore ? { datastore: datastoreName } : {}),
        networks: props.networks?.map((n) => lastSegment(n.inventoryPath)),
        basePath: props.basePath,
        resourcePool: props.resourcePool,
        storagePolicy: props.storagePolicy,
        credentialsReference: this.credentialsReference,
      },
      this.kkpRelease,
    ));
    this.registerCheck(where, props, user);
    if (props.output ?? true) {
      const suffix = this.clusterId.replace(/-/g, '_');
      this.output = new TerraformOutput(this, 'CloudSpec', {
        value: terraformLiteral(this.cloudSpecYaml),
        description: `spec.cloud of KKP ${this.kkpRelease} user cluster ${this.clusterId} (no credentials` +
          `${this.credentialsReference ? ': credentialsReference names the Secret on the seed' : ''}).`,
      });
      this.output.overrideLogicalId(`kkp_cluster_${suffix}`);
      if (this.reviewCloudConfig !== undefined) {
        this.cloudConfigOutput = new TerraformOutput(this, 'CloudConfigReview', {
          value: terraformLiteral(this.reviewCloudConfig),
          description: `The cloud-config KKP ${this.kkpRelease} renders into Secret ${facts.kkpCloudConfigSecrets.join(', ')} of ` +
            `user cluster ${this.clusterId}, password redacted (KKP writes it; this stack does not).`,
        });
        this.cloudConfigOutput.overrideLogicalId(`kkp_cloud_config_${suffix}`);
      }
    }
  }

  /**
   * Hands the synth check (src/core/kkp-works-check.ts) what this cluster's components log in as and which objects they
   * touch; it is evaluated once per stack, when every grant is made.
   */
  private registerCheck(where: InputRef, props: KkpUserClusterProps, user: string | undefined): void {
    const dc = props.datacenter;
    const release = this.kkpRelease;
    const releaseFacts = kkpReleaseFacts(release);
    const mc = Principal.of(props.machineControllerPrincipal, where.at('machineControllerPrincipal'));
    const writesCredentials = releaseFacts.cloudConfigOwner === 'stack' || (props.credentialsSecret ?? true);
    const hasInfraUser = releaseFacts.cloudConfigOwner === 'kkp' && props.infraManagementUserPassword !== undefined;
    const dcPath = `/${dc.inventory.datacenterName}`;
    const clusterPath = Token.isUnresolved(dc.clusterName) ? undefined : `${dcPath}/host/${dc.clusterName}`;
    const pool = props.resourcePool === undefined
      ? clusterPath && `${clusterPath}/Resources`
      : Token.isUnresolved(props.resourcePool) ? undefined : props.resourcePool.startsWith('/') ? props.resourcePool : `${dcPath}/host/${props.resourcePool}`;
    const folderPath = this.folder.folderPath;
    const datastorePath = this.datastore.inventoryPath;
    const networks = (props.networks ?? []).map((n) => ({ path: n.inventoryPath }));
    const ownHosts = props.hosts;
    const storagePolicy = props.storagePolicy ?? dc.storagePolicy;
    const storage = this.storagePrincipal;
    const scope = this;
    const login = (name: string | undefined, isGroup: boolean): LoginPrincipal => {
      if (name === undefined || Token.isUnresolved(name)) return { isGroup, setUp: false };
      const principal = vcenterPrincipal(name);
      return { name: principal, isGroup, setUp: (kkpPrincipalKinds(scope, principal)?.size ?? 0) > 0 };
    };
    const facts: KkpClusterFacts = {
      where: this.node.path,
      release,
      machineControllerPrincipal: mc,
      hasInfraUser,
      defaultSeedProvider: releaseFacts.cloudConfigOwner === 'kkp' && writesCredentials && props.seedKubernetesProvider === undefined,
      case: (stack: StackObjects): ClusterCase => {
        const hosts = (ownHosts ?? stackNodeHosts(scope)).map((h) => ({ path: h.inventoryPath }));
        const conditions = new Set<KkpOperationCondition>();
        const osKeys = stack.templates.map((t) => t.osKey);
        if (!osKeys.length || osKeys.some((k) => k !== 'flatcar')) conditions.add('cloud-init');
        if (!osKeys.length || osKeys.includes('flatcar')) conditions.add('flatcar');
        if (storagePolicy !== undefined) conditions.add('storage-policy');
        const objects: Record<string, ObjectRef[]> = {
          vcenter: [{ path: '/' }],
          datacenter: [{ path: dcPath }],
          datastore: [{ path: datastorePath }],
          rootFolder: [{ path: dc.rootPath }],
          clusterFolder: [{ path: folderPath }],
          nodeVm: [{ path: `${folderPath}/<node VM>`, ...(pool ? { alsoBelow: [pool] } : {}) }],
        };
        if (clusterPath) objects.cluster = [{ path: clusterPath }];
        if (pool) objects.resourcePool = [{ path: pool }];
        if (hosts.length) objects.host = hosts;
        if (networks.length) objects.network = networks;
        if (stack.templates.length) objects.templateVm = stack.templates.map((t) => ({ path: t.path }));
        const username = login(user, user === undefined && storage !== undefined ? storage.isGroup : false);
        return {
          where: this.node.path,
          clusterId: this.clusterId,
          release,
          objects,
          unknown: {
            templateVm: 'the template VMs are not VmTemplates of this stack',
            network: 'the cluster lists no networks',
            host: 'no hosts are listed (SeedPermissions hosts, or the cluster\'s hosts)',
            resourcePool: 'the resource pool is a Terraform value',
          },
          conditions,
          credentials: writesCredentials ? { username, ...(hasInfraUser ? { infra: login(mc.name, false) } : {}) } : undefined,
          components: releaseFacts.cloudConfigOwner === 'stack'
            ? { ids: ['vsphere-ccm'], why: `with KKP ${release} the stack writes the CCM's cloud-config only; this component's credentials come from the cluster spec` }
            : undefined,
        };
      },
    };
    registerKkpClusterCheck(this, facts);
    // What `cdktf-kkp-vsphere preflight` asks vCenter for this cluster, as review metadata (no credential in it).
    this.folder.resource.addOverride('//.kkp.works', new PlainSynthValue(() => clusterWorksMetadata(this, facts)));
  }

  /** KKP 2.12's cloud-config Secrets; an error about a prop the user gave names it as this construct's prop. */
  private cloudConfigSecret(where: InputRef, props: KkpCloudConfigSecretProps): CloudConfigSecret {
    try {
      return new CloudConfigSecret(this, 'CloudConfig', props);
    } catch (e) {
      const renamed: Record<string, string> = { user: 'cloudConfigUser', password: 'cloudConfigPassword' };
      const ours = KkpValidationError.isKkpValidationError(e) && e.constructPath === `${this.node.path}/CloudConfig`;
      if (ours && e.prop !== undefined && renamed[e.prop]) throw where.at(renamed[e.prop]).errorContinuing(e.problem);
      throw where.error((e as Error).message);
    }
  }

  private checkReleaseProps(where: InputRef, props: KkpUserClusterProps): void {
    const release = this.kkpRelease;
    if (kkpReleaseFacts(release).cloudConfigOwner === 'kkp') {
      if (props.kubernetesProvider !== undefined) {
        throw where.at('kubernetesProvider').error(
          `from KKP 2.13 KKP writes the user cluster's cloud-config Secrets itself (the stack's ` +
            `release is ${release}), so nothing is written into the user cluster. Give seedKubernetesProvider (the seed ` +
            `cluster's provider) for the credentials Secret instead.`,
        );
      }
      return;
    }
    const only13 = (['seedKubernetesProvider', 'credentialsSecret', 'credentialsSecretName', 'infraManagementUserPassword'] as const).filter(
      (k) => props[k] !== undefined,
    );
    if (only13.length) {
      throw where.at(only13.join(', ')).error(
        `KKP ${release} takes no credentials Secret from the stack (the library writes the ` +
          `cloud-config Secrets into the user cluster for 2.12); leave ${only13.length > 1 ? 'them' : 'it'} out or use kkpRelease 2.13 or later.`,
      );
    }
  }

  /**
   * The passwords are credentials: a literal is refused now, and a token that carries one (Fn.join of text,
   * Lazy.stringValue, text around a token, a variable default, a local) at synth, without showing the value.
   */
  private checkPasswords(where: InputRef, props: KkpUserClusterProps, cloudConfigPassword: string | undefined): void {
    const prefix = `vsphere_${this.clusterId.replace(/-/g, '_')}`;
    const fixes = {
      cloudConfigPassword:
        `Pass the stringValue of a TerraformVariable with sensitive: true and no default, or leave cloudConfigPassword out ` +
        `and set TF_VAR_${prefix}_password for the variable the construct then declares.`,
      infraManagementUserPassword:
        'Pass the stringValue of a TerraformVariable with sensitive: true and no default (set its TF_VAR_ where you run cdktf).',
    };
    for (const prop of ['cloudConfigPassword', 'infraManagementUserPassword'] as const) {
      // A TerraformVariable given as cloudConfigPassword is checked as the token it was read into.
      const value = prop === 'cloudConfigPassword' ? cloudConfigPassword : props[prop];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !Token.isUnresolved(value)) {
        throw where.at(`${prop}`).error(
          `a literal password would be written into cdk.tf.json; pass a token, e.g. the stringValue of a ` +
            'TerraformVariable with sensitive: true.',
        );
      }
      requireSecretInput(this, `KkpUserCluster prop ${prop}`, value, fixes[prop]);
    }
  }

  private writeCredentials(where: InputRef, props: KkpUserClusterProps, user: string | undefined, cloudConfigPassword: string | undefined, prefix: string) {
    const name = props.credentialsSecretName ?? `kkp-vsphere-${this.clusterId}`;
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw where.at('credentialsSecretName').error(`"${name}" is not a Kubernetes object name (lower-case letters, digits, "-" and ".").`);
    }
    if (name === `credential-vsphere-${this.clusterId}`) {
      throw where.at('credentialsSecretName').error(
        `"${name}" is the Secret KKP itself writes for clusters created with inline credentials and ` +
          'deletes with the cluster; choose another name (the default is kkp-vsphere-<clusterId>).',
      );
    }
    const variable = (what: string, description: string) => {
      const v = new TerraformVariable(this, `${what}-variable`, { type: 'string', sensitive: true, nullable: false, description: `${description} (set TF_VAR_${prefix}_${what}).` });
      v.overrideLogicalId(`${prefix}_${what}`);
      return v;
    };
    const username = user ?? variable('user', `vSphere user KKP puts into the cloud-config of user cluster ${this.clusterId}`).stringValue;
    let passwordVariable: TerraformVariable | undefined;
    const password = cloudConfigPassword ??
      (passwordVariable = variable('password', `Password of the cloud-config user of KKP user cluster ${this.clusterId}, written into its credentials Secret on the seed`)).stringValue;
    // All four keys, the infrastructure management user's empty when there is none, as KKP's own migration writes them:
    // KKP reads the infra keys first (seed provider getUsernameAndPassword(..., true), GetVSphereCredentials), and its
    // reader fails on an absent key ("secret ... has no key ...") while an empty value falls through to `username`
    // (kubermatic/kubermatic pkg/provider/types.go SecretKeySelectorValueFuncFactory).
    const data: Record<string, string> = {
      [KKP_VSPHERE_CREDENTIAL_KEYS.username]: username,
      [KKP_VSPHERE_CREDENTIAL_KEYS.password]: password,
      [KKP_VSPHERE_CREDENTIAL_KEYS.infraManagementUserUsername]: '',
      [KKP_VSPHERE_CREDENTIAL_KEYS.infraManagementUserPassword]: '',
    };
    if (props.infraManagementUserPassword !== undefined) {
      const mc = Principal.of(props.machineControllerPrincipal, where.at('machineControllerPrincipal'));
      if (mc.isGroup) {
        throw where.at('infraManagementUserPassword').error(`machineControllerPrincipal is a group; KKP logs in as a user. Give the user.`);
      }
      data[KKP_VSPHERE_CREDENTIAL_KEYS.infraManagementUserUsername] = mc.name;
      data[KKP_VSPHERE_CREDENTIAL_KEYS.infraManagementUserPassword] = props.infraManagementUserPassword;
    }
    // KKP renders username and password into the gcfg cloud-config: a value gcfg cannot carry must fail the plan here.
    const preconditions = Object.entries(data)
      .map(([key, value]) => gcfgCarriable(where, `credentials key ${key}`, value))
      .filter((p) => p !== undefined);
    const secret = new Secret(this, 'Credentials', {
      metadata: { name, namespace: KKP_CREDENTIALS_NAMESPACE },
      type: 'Opaque',
      data,
      lifecycle: preconditions.length ? { precondition: preconditions } : undefined,
      provider: props.seedKubernetesProvider === undefined ? undefined : providerOf(props.seedKubernetesProvider, String(where), 'seedKubernetesProvider'),
    });
    checkUniqueSecret(this, name, where);
    return { secret, reference: { name, namespace: KKP_CREDENTIALS_NAMESPACE }, passwordVariable };
  }
}

/** Runs a pure renderer and names this construct in its error (the renderers name only the field). */
function withPath<T>(where: InputRef, render: () => T): T {
  try {
    return render();
  } catch (e) {
    throw rendererError(where, e as Error);
  }
}

/** The props every cluster needs, checked so that a missing one is named instead of a TypeError. */
function checkProps(where: InputRef, props: KkpUserClusterProps): void {
  if (!props || typeof props !== 'object') {
    throw where.error(`props are missing; give datacenter, roles, clusterId and machineControllerPrincipal.`);
  }
  if (!(props.datacenter instanceof KkpDatacenterSpec)) {
    throw where.at('datacenter').error(`expected a KkpDatacenterSpec, got ${describeValue(props.datacenter)}; pass the KkpDatacenterSpec of the datacenter the cluster runs in.`);
  }
  if (!(props.roles instanceof KkpRoles)) {
    throw where.at('roles').error(`expected the stack's KkpRoles, got ${describeValue(props.roles)}; pass new KkpRoles(this, 'Roles', { vsphereVersion }).`);
  }
  if (props.networks !== undefined && !Array.isArray(props.networks)) {
    throw where.at('networks').error(`expected a list of networks, got ${describeValue(props.networks)}; pass e.g. [inventory.network('VM Network')].`);
  }
}

// Per variable, not per stack (so outside the stack state). A variable's stringValue is a new token on every read; read once, its token (and what is built from it, such as
// the plan-time gcfg check) is shared by every cluster the variable serves.
const variableValues = new WeakMap<TerraformVariable, string>();

function variableValue(value: string | ITerraformVariableRef | undefined, where: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  const variable = variableOf(value, where, 'cloudConfigPassword');
  if (variable === undefined) return value as unknown as string; // checked as a literal below
  let token = variableValues.get(variable);
  if (token === undefined) {
    token = variable.stringValue;
    variableValues.set(variable, token);
  }
  return token;
}

const CREDENTIALS_SECRETS = stackSlot<Set<string>>('kkp-credentials-secrets', () => new Set());
function checkUniqueSecret(scope: Construct, name: string, where: InputRef): void {
  const names = stackState(scope, CREDENTIALS_SECRETS);
  if (names.has(name)) {
    throw where.at('credentialsSecretName').error(`another KkpUserCluster of this stack already writes ${KKP_CREDENTIALS_NAMESPACE}/${name}; give each cluster its own.`);
  }
  names.add(name);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A vCenter login (`DOMAIN\\user` or `user@domain`) as the principal permissions name: `DOMAIN\\user`. */
function vcenterPrincipal(login: string): string {
  if (login.includes('\\')) return login;
  const at = login.lastIndexOf('@');
  return at > 0 ? `${login.slice(at + 1).toUpperCase()}\\${login.slice(0, at)}` : login;
}
