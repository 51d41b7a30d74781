// Layer 2: typed references to vSphere inventory objects, each looked up once per stack.
import { Construct } from 'constructs';
import { Fn, Token } from '../framework/core';
import { DataVsphereComputeCluster } from '../framework/providers/vsphere/data-vsphere-compute-cluster';
import { DataVsphereDatacenter } from '../framework/providers/vsphere/data-vsphere-datacenter';
import { DataVsphereDatastore } from '../framework/providers/vsphere/data-vsphere-datastore';
import type { DataVsphereDatastoreCluster } from '../framework/providers/vsphere/data-vsphere-datastore-cluster';
import type { DataVsphereDistributedVirtualSwitch } from '../framework/providers/vsphere/data-vsphere-distributed-virtual-switch';
import { DataVsphereFolder } from '../framework/providers/vsphere/data-vsphere-folder';
import { DataVsphereHost } from '../framework/providers/vsphere/data-vsphere-host';
import { DataVsphereNetwork } from '../framework/providers/vsphere/data-vsphere-network';
import type { DataVsphereResourcePool } from '../framework/providers/vsphere/data-vsphere-resource-pool';
import type { GrantTarget } from '../facts/privileges';
import { enableSynthChecks, refuseTemplateSyntax } from './synth-checks';
import { stackSlot, stackState } from './stack-state';
import { checkInventoryName, checkRelativeInventoryPath } from '../base/validation';
import { InputRef } from '../base/errors';

/** The kind of an inventory object, in KKP's vocabulary: the kinds the KKP role tables grant on (one home). */
export type EntityKind = GrantTarget;

/**
 * Whether the stack created the object (`owned`: its permissions are the stack's to manage) or found it
 * (`shared`: other teams may hold permissions on it that the stack must never remove).
 */
export type Ownership = 'owned' | 'shared';

/** A vSphere inventory object that permissions can be granted on. */
export interface IVsphereEntity {
  /** What the object is. */
  readonly kind: EntityKind;
  /** The managed object id (a Terraform token). */
  readonly entityId: string;
  /**
   * The vSphere managed object type for `vsphere_entity_permissions`: `Folder`, `Datacenter`,
   * `ClusterComputeResource`, `Datastore`, `StoragePod`, or (a token from the network data source)
   * `Network` / `DistributedVirtualPortgroup` / `OpaqueNetwork`.
   */
  readonly entityType: string;
  /** The inventory path a human reads, e.g. `/dc-1/datastore/ds-1`; unique per vCenter. */
  readonly inventoryPath: string;
  readonly ownership: Ownership;
  /** A construct in the stack the object belongs to. */
  readonly scope: Construct;
}

/** An object the stack looked up (and so does not own). */
export class SharedEntity implements IVsphereEntity {
  public readonly ownership: Ownership = 'shared';
  /** @internal */
  constructor(
    public readonly scope: Construct,
    public readonly kind: EntityKind,
    public readonly entityId: string,
    public readonly entityType: string,
    public readonly inventoryPath: string,
  ) {}
}

/** A compute cluster: an entity plus the id of its root resource pool. */
export class ComputeClusterEntity extends SharedEntity {
  /** @internal */
  constructor(scope: Construct, entityId: string, inventoryPath: string, public readonly resourcePoolId: string) {
    super(scope, 'cluster', entityId, 'ClusterComputeResource', inventoryPath);
  }
}

/** A datastore cluster (storage pod): an entity plus, on demand, the id of one of its member datastores. */
export class DatastoreClusterEntity extends SharedEntity {
  private memberId?: string;
  /** @internal */
  constructor(
    scope: Construct,
    entityId: string,
    inventoryPath: string,
    private readonly lookup: DataVsphereDatastoreCluster,
    private readonly datacenterId: string,
  ) {
    super(scope, 'datastoreCluster', entityId, 'StoragePod', inventoryPath);
  }

  /**
   * The id of the cluster's first member datastore by name, for imports that need one datastore (an OVF deploy
   * takes `datastore_id` and conflicts with `datastore_cluster_id` in provider 2.15.0). Looked up once.
   */
  public get firstMemberDatastoreId(): string {
    if (this.memberId === undefined) {
      this.memberId = new DataVsphereDatastore(this.lookup.node.scope!, `${this.lookup.node.id}-FirstMember`, {
        name: Fn.element(Fn.sort(this.lookup.datastores), 0),
        datacenterId: this.datacenterId,
      }).id;
    }
    return this.memberId;
  }
}

/** Props of {@link VsphereInventory}. */
export interface VsphereInventoryProps {
  /** Name of the vSphere datacenter KKP uses (the seed datacenter spec's `datacenter`). */
  readonly datacenter: string;
}

/**
 * Looks up the vSphere objects of one datacenter. Every object is looked up once per stack, however many
 * constructs ask for it, so the plan stays small and each grant points at the same data source.
 */
export class VsphereInventory extends Construct {
  /** The datacenter's name. */
  public readonly datacenterName: string;
  private readonly cache: Map<string, unknown>;
  private readonly where: InputRef;

  constructor(scope: Construct, id: string, props: VsphereInventoryProps) {
    super(scope, id);
    this.where = InputRef.of(this, 'VsphereInventory');
    this.datacenterName = checkName(props?.datacenter, this.where.at('datacenter'));
    this.cache = stackCache(this);
    enableSynthChecks(this);
  }

  /** The datacenter itself. */
  public get datacenter(): SharedEntity {
    return this.lookup(`/${this.datacenterName}`, 'Datacenter', () => {
      const ds = new DataVsphereDatacenter(this, 'Datacenter', { name: this.datacenterName });
      return new SharedEntity(this, 'datacenter', ds.id, 'Datacenter', `/${this.datacenterName}`);
    });
  }

  /** The datacenter's Terraform id (a token). */
  public get datacenterId(): string {
    return this.datacenter.entityId;
  }

  /** The vCenter level: the root folder (`/`), where vCenter-wide roles are granted. */
  public vcenter(): SharedEntity {
    return this.lookup('/', 'RootFolder', () => {
      const ds = new DataVsphereFolder(this, 'RootFolder', { path: '/' });
      return new SharedEntity(this, 'vcenter', ds.id, 'Folder', '/');
    });
  }

  /** A compute cluster of the datacenter, by name. */
  public computeCluster(name: string): ComputeClusterEntity {
    const path = `/${this.datacenterName}/host/${checkName(name, this.where.at('computeCluster(name)'))}`;
    return this.lookup(path, 'ComputeCluster', (id) => {
      const ds = new DataVsphereComputeCluster(this, id, { name, datacenterId: this.datacenterId });
      return new ComputeClusterEntity(this, ds.id, path, ds.resourcePoolId);
    });
  }

  /** A datastore of the datacenter, by name. */
  public datastore(name: string): SharedEntity {
    const path = `/${this.datacenterName}/datastore/${checkName(name, this.where.at('datastore(name)'))}`;
    return this.lookup(path, 'Datastore', (id) => {
      const ds = new DataVsphereDatastore(this, id, { name, datacenterId: this.datacenterId });
      return new SharedEntity(this, 'datastore', ds.id, 'Datastore', path);
    });
  }

  /** A datastore cluster (storage pod) of the datacenter, by name. */
  public datastoreCluster(name: string): DatastoreClusterEntity {
    const path = `/${this.datacenterName}/datastore/${checkName(name, this.where.at('datastoreCluster(name)'))}`;
    return this.lookup(path, 'DatastoreCluster', (id) => {
      // Loaded where used: a synth loads only the provider modules its stack needs.
      const { DataVsphereDatastoreCluster } = require('../framework/providers/vsphere/data-vsphere-datastore-cluster') as
        typeof import('../framework/providers/vsphere/data-vsphere-datastore-cluster');
      const ds: DataVsphereDatastoreCluster = new DataVsphereDatastoreCluster(this, id, { name, datacenterId: this.datacenterId });
      return new DatastoreClusterEntity(this, ds.id, path, ds, this.datacenterId);
    });
  }

  /** The Terraform id of an ESXi host of the datacenter, by name (as vCenter lists it). */
  public hostId(name: string): string {
    const host = checkName(name, this.where.at('hostId(name)'));
    return this.lookup(`/${this.datacenterName}/host#${host}`, 'Host', (id) => {
      return new DataVsphereHost(this, id, { name: host, datacenterId: this.datacenterId }).id;
    });
  }

  /** A network (standard port group, distributed port group or opaque network) of the datacenter, by name. */
  public network(name: string): SharedEntity {
    const path = `/${this.datacenterName}/network/${checkName(name, this.where.at('network(name)'))}`;
    return this.lookup(path, 'Network', (id) => {
      const ds = new DataVsphereNetwork(this, id, { name, datacenterId: this.datacenterId });
      // The data source's `type` is the managed object type vsphere_entity_permissions needs.
      return new SharedEntity(this, 'network', ds.id, ds.type, path);
    });
  }

  /**
   * An ESXi host of a compute cluster, by name as vCenter lists it: KKP 2.26+ grants the CCM/CSI user Read-only on every
   * host that runs node VMs.
   */
  public host(name: string, cluster: ComputeClusterEntity): SharedEntity {
    const path = `${cluster.inventoryPath}/${checkName(name, 'host name')}`;
    return this.lookup(path, 'HostEntity', (id) => {
      const ds = new DataVsphereHost(this, id, { name, datacenterId: this.datacenterId });
      return new SharedEntity(this, 'host', ds.id, 'HostSystem', path);
    });
  }

  /**
   * A distributed switch of the datacenter, by name: from KKP 2.14 the network role is granted on the switch of each
   * distributed port group too.
   */
  public distributedSwitch(name: string): SharedEntity {
    const path = `/${this.datacenterName}/network/${checkName(name, 'distributedSwitch name')}`;
    return this.lookup(path, 'DistributedSwitch', (id) => {
      const { DataVsphereDistributedVirtualSwitch } = require('../framework/providers/vsphere/data-vsphere-distributed-virtual-switch') as
        typeof import('../framework/providers/vsphere/data-vsphere-distributed-virtual-switch');
      const ds: DataVsphereDistributedVirtualSwitch = new DataVsphereDistributedVirtualSwitch(this, id, { name, datacenterId: this.datacenterId });
      return new SharedEntity(this, 'distributedSwitch', ds.id, 'VmwareDistributedVirtualSwitch', path);
    });
  }

  /** An existing VM folder the stack does not create, by path relative to the datacenter's VM folder. */
  public vmFolder(path: string): SharedEntity {
    const relative = checkRelativePath(path, this.where.at('vmFolder(path)'));
    const absolute = `/${this.datacenterName}/vm/${relative}`;
    return this.lookup(absolute, 'VmFolder', (id) => {
      const ds = new DataVsphereFolder(this, id, { path: absolute });
      return new SharedEntity(this, 'folder', ds.id, 'Folder', absolute);
    });
  }

  /**
   * The Terraform id of a resource pool, by its path below the datacenter's host folder
   * (`cluster-1/Resources/pool-a`), or of a cluster's root pool (`cluster-1/Resources`).
   */
  public resourcePoolId(path: string): string {
    const relative = checkRelativePath(path, this.where.at('resourcePoolId(path)'));
    const absolute = `/${this.datacenterName}/host/${relative}`;
    return this.lookup(`${absolute}#pool`, 'ResourcePool', (id) => {
      const { DataVsphereResourcePool } = require('../framework/providers/vsphere/data-vsphere-resource-pool') as
        typeof import('../framework/providers/vsphere/data-vsphere-resource-pool');
      const ds: DataVsphereResourcePool = new DataVsphereResourcePool(this, id, { name: absolute, datacenterId: this.datacenterId });
      return ds.id;
    });
  }

  private lookup<T>(key: string, kind: string, create: (constructId: string) => T): T {
    const cacheKey = `${kind} ${key}`;
    if (!this.cache.has(cacheKey)) {
      // Names that differ only in characters a construct id cannot hold ("ds 1", "ds_1") get distinct ids.
      const base = `${kind}-${key.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
      let id = base;
      for (let i = 2; this.node.tryFindChild(id); i++) id = `${base}-${i}`;
      this.cache.set(cacheKey, create(id));
    }
    return this.cache.get(cacheKey) as T;
  }
}

/** Inventory look-ups of the stack (data sources by kind and name), shared by every VsphereInventory of it. */
const LOOKUPS = stackSlot<Map<string, unknown>>('inventory-lookups', () => new Map());

function stackCache(scope: Construct): Map<string, unknown> {
  return stackState(scope, LOOKUPS);
}

/**
 * Validates an inventory object name (one rule for folders, VMs, datastores, networks, clusters, hosts, datacenters;
 * see `inventoryNameProblem`); returns it unchanged. A token is taken as is: its value is only known at plan time.
 */
export function checkName(name: string, input: string | InputRef): string {
  if (typeof name === 'string' && Token.isUnresolved(name)) {
    refuseTemplateSyntax(name, input);
    return name;
  }
  return checkInventoryName(name, input);
}

/**
 * Validates a relative inventory path (`a/b/c`): every segment a name, no `.`, `..` or empty segment. Returns it
 * without a trailing slash.
 */
export function checkRelativePath(path: string, input: string | InputRef): string {
  if (typeof path === 'string' && Token.isUnresolved(path)) {
    refuseTemplateSyntax(path, input);
    return path;
  }
  return checkRelativeInventoryPath(path, input);
}
