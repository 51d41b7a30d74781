// One user cluster's VM folder below KKP's root folder, created by the stack (so its permissions are the stack's).
import { Construct } from 'constructs';
import { stackSlot, stackState } from '../core/stack-state';
import { VsphereInventory, checkRelativePath } from '../core/inventory';
import { KkpRoles } from './kkp-roles';
import { Grant, Principal } from '../core/permissions';
import { VmFolder } from './vm-folder';
import { describeValue } from '../base/validation';
import { InputRef, inputError } from '../base/errors';

/** Props of {@link UserClusterFolder}. */
export interface UserClusterFolderProps {
  /** The inventory of the datacenter. */
  readonly inventory: VsphereInventory;
  /**
   * KKP's VM root folder (the datacenter spec's `rootPath`), a folder of this stack.
   * @default - the datacenter's VM folder `/<datacenter>/vm`, KKP's default rootPath
   */
  readonly rootFolder?: VmFolder;
  /** The KKP user cluster's id (its `metadata.name`, e.g. `kh8dfp2rz6`). */
  readonly clusterId: string;
  /**
   * The folder's path below the root folder; missing intermediate folders are created once per stack and shared.
   * It must not be, or pass through, the folder KKP creates and later destroys for the cluster: `<rootPath>/<clusterId>`,
   * or `<rootPath>/<basePath>/<clusterId>` with `basePath`.
   * @default `clusters/<clusterId>`
   */
  readonly path?: string;
  /**
   * The cluster's `spec.cloud.vsphere.basePath` (KKP 2.24+), when it has one: KKP's own folder for the cluster is then
   * `<rootPath>/<basePath>/<clusterId>` (relative basePath) or `<basePath>/<clusterId>` (absolute), and the guard
   * keeps this folder off that path.
   * @default - none: KKP's folder is `<rootPath>/<clusterId>`
   */
  readonly basePath?: string;
  /** The KKP roles. */
  readonly roles: KkpRoles;
  /** machine-controller's principal for this cluster: gets `k8c-user-folder-propagate` here, propagated. */
  readonly machineControllerPrincipal: Principal | string;
  /**
   * The cluster's own storage principal: gets `k8c-storage-vmfolder-propagate` here, propagated.
   * @default - none: the seed's storage principal reaches the folder through its grant on the root folder
   */
  readonly storagePrincipal?: Principal | string;
}

interface FolderRegistry {
  /** Every folder the user-cluster folders created or reuse, by absolute path. */
  readonly folders: Map<string, { folder: VmFolder; clusterId?: string }>;
  /** `<rootPath>/<clusterId>` of every user cluster: paths KKP would adopt and destroy. */
  readonly kkpPaths: Map<string, string>;
}

const FOLDER_REGISTRY = stackSlot<FolderRegistry>('user-cluster-folders', () => ({ folders: new Map(), kkpPaths: new Map() }));

/**
 * A VM folder for one KKP user cluster (`vsphere_folder`, path relative to the datacenter's VM folder, parents
 * created first). Its {@link folderPath} is what goes into the cluster's `spec.cloud.vsphere.folder`: with it set,
 * KKP neither creates its own folder `<rootPath>/<clusterId>` nor deletes this one with the cluster.
 *
 * The folder is owned: the grants of the cluster's principals on it are the only permissions it carries
 * (inherited ones from the root folder still apply).
 */
export class UserClusterFolder extends VmFolder {
  public readonly clusterId: string;
  /** The value of the cluster's `spec.cloud.vsphere.folder`: the folder's absolute inventory path. */
  public readonly folderPath: string;
  /** The grants made on this folder. */
  public readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: UserClusterFolderProps) {
    const placement = place(scope, id, props);
    super(scope, id, { inventory: props.inventory, path: placement.name, parent: placement.parent });
    placement.register(this);
    this.clusterId = props.clusterId;
    this.folderPath = this.inventoryPath;
    const where = InputRef.of(this, 'UserClusterFolder');
    const machineController = Principal.of(props.machineControllerPrincipal, where.at('machineControllerPrincipal'));
    // Propagation as the role table says (KkpRoles.grant reads it).
    const grants = [props.roles.grant('user-folder', machineController, this)];
    if (props.storagePrincipal !== undefined) {
      const storage = Principal.of(props.storagePrincipal, where.at('storagePrincipal'));
      grants.push(props.roles.grant('storage-vmfolder', storage, this));
    }
    this.grants = grants;
  }
}

/** Checks the path against KKP's own folder and the stack's other clusters, and creates missing parents. */
function place(scope: Construct, id: string, props: UserClusterFolderProps) {
  // Runs before the folder exists: its path is the scope's plus the id.
  const where = InputRef.beforeCreation(scope, id, 'UserClusterFolder');
  checkConstructProps(where, props);
  const clusterId = checkClusterId(props.clusterId, where.at('clusterId'));
  const relative = checkRelativePath(props.path ?? `clusters/${clusterId}`, where.at('path'));
  const root = props.rootFolder;
  if (root && root.inventory.datacenterName !== props.inventory.datacenterName) {
    throw where.at('rootFolder').error(`${root.inventoryPath} is not in datacenter "${props.inventory.datacenterName}".`);
  }
  const rootPath = root ? root.inventoryPath : `/${props.inventory.datacenterName}/vm`;
  const segments = relative.split('/');
  if (segments.some((s) => s === '.' || s === '..')) {
    throw where.at('path').error(`"${relative}" has a "." or ".." segment; vSphere folder paths are literal, give the folder names.`);
  }
  const kkpPath = kkpClusterFolderPath(rootPath, clusterId, props.basePath, where.at('basePath'));
  const chainOf = (segs: readonly string[]) => segs.map((_, i) => `${rootPath}/${segs.slice(0, i + 1).join('/')}`);
  const chain = chainOf(segments);
  const own = chain[chain.length - 1];
  if (chain.includes(kkpPath)) {
    // Suggest a path that does not meet KKP's folder itself (for cluster id "clusters", "clusters/clusters" would).
    const suggestion = ['clusters', 'cluster-folders', 'kkp-cluster-folders']
      .map((group) => `${group}/${clusterId}`)
      .find((candidate) => !chainOf(candidate.split('/')).includes(kkpPath));
    throw where.at('path').error(
      `"${relative}" ${own === kkpPath ? 'is' : 'passes through'} ${kkpPath}: the folder KKP creates for this ` +
        `cluster itself${props.basePath === undefined ? '' : ` (rootPath/basePath/clusterId with basePath "${props.basePath}")`} and ` +
        `destroys with it. Use another path, e.g. "${suggestion}".`,
    );
  }
  const registry = registryOf(scope);
  if ([...registry.kkpPaths.values()].includes(clusterId)) {
    const other = [...registry.folders.values()].find((f) => f.clusterId === clusterId);
    throw where.at('clusterId').error(
      `"${clusterId}" is already the id of another user cluster in this stack` +
        `${other ? ` (its folder: ${other.folder.node.path})` : ''}. A KKP cluster id is one cluster's metadata.name, unique in the KKP installation even across ` +
        'datacenters: give this cluster its own id (the metadata.name KKP gave it), or, if it is the same cluster, declare one KkpUserCluster for it.',
    );
  }
  const owner = registry.folders.get(own);
  if (owner) {
    throw where.error(
      `${own} is already ${owner.clusterId ? `the folder of user cluster "${owner.clusterId}"` : 'a parent folder of another user cluster'}; ` +
        'give each user cluster its own path.',
    );
  }
  for (const path of chain) {
    const other = registry.kkpPaths.get(path);
    if (other !== undefined) {
      throw where.error(
        `${path} is where KKP creates (and on deletion destroys) the folder of user cluster "${other}"; ` +
          'choose a path that does not pass through it.',
      );
    }
  }
  const taken = registry.folders.get(kkpPath);
  if (taken) {
    throw where.at('clusterId').error(
      `this stack creates ${kkpPath}${taken.clusterId ? ` (the folder of user cluster "${taken.clusterId}")` : ''}, ` +
        `which is where KKP would create and destroy the folder of user cluster "${clusterId}". Change that folder's path.`,
    );
  }
  // Parents are created once per stack and shared by every cluster folder below them.
  let parent = root;
  for (const path of chain.slice(0, -1)) {
    let entry = registry.folders.get(path);
    if (!entry) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const host: Construct = root ?? props.inventory;
      entry = { folder: new VmFolder(host, uniqueId(host, `Group-${path.slice(rootPath.length + 1)}`), { inventory: props.inventory, path: name, parent }) };
      registry.folders.set(path, entry);
    }
    parent = entry.folder;
  }
  return {
    name: segments[segments.length - 1],
    parent,
    register: (folder: VmFolder) => {
      registry.folders.set(own, { folder, clusterId });
      registry.kkpPaths.set(kkpPath, clusterId);
    },
  };
}

function registryOf(scope: Construct): FolderRegistry {
  return stackState(scope, FOLDER_REGISTRY);
}

function uniqueId(host: Construct, wanted: string): string {
  const base = wanted.replace(/[^A-Za-z0-9_-]+/g, '_');
  let id = base;
  for (let i = 2; host.node.tryFindChild(id); i++) id = `${base}-${i}`;
  return id;
}

/**
 * The folder KKP creates (and on deletion destroys) for a cluster whose `spec.cloud.vsphere.folder` is empty or that
 * path: `<rootPath>/<clusterId>`, or with `basePath` `<rootPath>/<basePath>/<clusterId>` (relative) or
 * `<basePath>/<clusterId>` (absolute). Source: kubermatic/kubermatic pkg/provider/cloud/vsphere/provider.go
 * (reconcileCluster, 2.24+; before 2.24 only rootPath).
 */
export function kkpClusterFolderPath(rootPath: string, clusterId: string, basePath: string | undefined, input: string | InputRef): string {
  if (basePath === undefined) return `${rootPath}/${clusterId}`;
  if (typeof basePath !== 'string' || basePath.trim() === '' || /[\u0000-\u001f]/.test(basePath)) {
    throw inputError(input, `${JSON.stringify(basePath)} is not a folder path; give e.g. "team-a" (below rootPath) or "/dc-1/vm/team-a".`);
  }
  const absolute = basePath.startsWith('/');
  const segments = basePath.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..' || s !== s.trim())) {
    throw inputError(input, `"${basePath}" has an empty, ".", ".." or space-padded segment; give the folder names.`);
  }
  return absolute ? `/${segments.join('/')}/${clusterId}` : `${rootPath}/${segments.join('/')}/${clusterId}`;
}

/** The props a user-cluster folder cannot do without, checked so that a missing one is named instead of a TypeError. */
function checkConstructProps(where: InputRef, props: UserClusterFolderProps): void {
  if (!props || typeof props !== 'object') {
    throw where.error(`props are missing; give inventory, clusterId, roles and machineControllerPrincipal.`);
  }
  if (!(props.inventory instanceof VsphereInventory)) {
    throw where.at('inventory').error(`expected the VsphereInventory of the datacenter, got ${describeValue(props.inventory)}; pass new VsphereInventory(this, 'Inventory', { datacenter }).`);
  }
  if (!(props.roles instanceof KkpRoles)) {
    throw where.at('roles').error(`expected the stack's KkpRoles, got ${describeValue(props.roles)}; pass new KkpRoles(this, 'Roles', { vsphereVersion }).`);
  }
  if (props.rootFolder !== undefined && !(props.rootFolder instanceof VmFolder)) {
    throw where.at('rootFolder').error(`expected a VmFolder of this stack, got ${describeValue(props.rootFolder)}; pass the VmFolder of KKP's root folder, or leave rootFolder out for /<datacenter>/vm.`);
  }
}

// KKP cluster ids are Kubernetes object names (KKP generates 10 lower-case letters and digits).
const CLUSTER_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates a KKP user cluster id; returns it unchanged. */
export function checkClusterId(clusterId: string, input: string | InputRef): string {
  if (typeof clusterId !== 'string' || !CLUSTER_ID.test(clusterId) || clusterId.length > 55) {
    throw inputError(input,
      `${JSON.stringify(clusterId)} is not a KKP cluster id; give the cluster's metadata.name (lower-case letters, ` +
        'digits and "-", at most 55 characters, e.g. "kh8dfp2rz6").',
    );
  }
  return clusterId;
}
