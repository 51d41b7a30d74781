// What each KKP component calls on vSphere, on which object, and the privileges vCenter requires for it. Pure data.
//
// Calls read in the repositories at the tags named in `calledIn` (the newest release's pins: kubermatic/kubermatic
// v2.31.0, kubermatic/machine-controller v1.66.2, kubernetes-sigs/vsphere-csi-driver v3.7.1 as KKP 2.31 ships it in
// addons/csi/vsphere/Kustomization, kubernetes/cloud-provider-vsphere v1.33.1); `presentFrom` says from which KKP
// release the call exists (checked with `git grep` at the tags of every profile boundary, see `presence`).
// Privileges: the vSphere Web Services API reference's "Required privileges" of the method (source `api-reference`),
// the vSphere CSI driver's own role table (source `csi-roles`), or, where neither names it, the KKP documentation page
// that grants it for this purpose (source `kkp-docs`), said as such.
import type { KkpRelease } from '../kkp/releases';
import type { KkpComponentId, SourceRef } from './components';

/** The objects KKP's components touch, as the stack knows them for one user cluster. */
export type KkpObject =
  | 'vcenter'
  | 'datacenter'
  | 'cluster'
  | 'resourcePool'
  | 'host'
  | 'datastore'
  | 'network'
  /** The distributed switch of a distributed port group in `network` (none for standard port groups). */
  | 'distributedSwitch'
  | 'rootFolder'
  | 'templateVm'
  | 'clusterFolder'
  | 'nodeVm';

/** Where a required privilege is documented. */
export type PrivilegeSource =
  | { readonly kind: 'api-reference'; readonly method: string; readonly url: string }
  | { readonly kind: 'csi-roles'; readonly ref: SourceRef; readonly role: string }
  | { readonly kind: 'kkp-docs'; readonly note: string }
  | { readonly kind: 'visibility'; readonly note: string };

/** Privileges one operation needs on one object. */
export interface PrivilegeNeed {
  readonly object: KkpObject;
  readonly privileges: readonly string[];
  readonly source: PrivilegeSource;
  /**
   * The object exists only in some inventories (a distributed switch, for distributed port groups only): where the
   * stack names none, the need is not checked and not warned about (the constructs that grant on it warn instead).
   * @default false
   */
  readonly onlyWhereKnown?: boolean;
  /**
   * The component finds the object by its inventory path (a Finder lookup), which walks the path from the
   * datacenter's folder down: every folder on the way must be visible too (System.Read), not only the object.
   * @default false
   */
  readonly byPath?: boolean;
}

/** When an operation runs beyond every cluster's life cycle. */
export type KkpOperationCondition =
  /** The cluster's spec.cloud.vsphere.folder is empty: KKP creates and deletes `<rootPath>/<clusterId>` itself. */
  | 'kkp-creates-folder'
  /** The cluster spec carries vSphere tags (KKP 2.23+). */
  | 'tags'
  /** A Flatcar node: Ignition through vApp guestinfo instead of a cloud-init ISO. */
  | 'flatcar'
  /** A node with a cloud-init ISO (Ubuntu, RHEL, Rocky Linux, CentOS). */
  | 'cloud-init'
  /** The datacenter or the cluster names a storage policy, which the CSI driver's storage class uses. */
  | 'storage-policy';

/** One call a component makes. */
export interface KkpOperation {
  /** `<component>/<verb>`, stable. */
  readonly id: string;
  readonly component: KkpComponentId;
  readonly title: string;
  /** The vSphere API method (vim25 managed object method, or the CNS / HTTP call). */
  readonly method: string;
  readonly calledIn: SourceRef;
  /** First KKP release whose component makes the call. */
  readonly presentFrom: KkpRelease;
  readonly when?: KkpOperationCondition;
  readonly needs: readonly PrivilegeNeed[];
}

const API = 'https://developer.broadcom.com/xapis/vsphere-web-services-api/latest';
const api = (managedObject: string, method: string): PrivilegeSource => ({
  kind: 'api-reference',
  method: `${managedObject}.${method}`,
  url: `${API}/vim.${managedObject}.html`,
});
const visible = (note: string): PrivilegeSource => ({ kind: 'visibility', note });
const kkpDocs = (note: string): PrivilegeSource => ({ kind: 'kkp-docs', note });
const CSI_ROLES: SourceRef = { repo: 'kubernetes-sigs/vsphere-csi-driver', path: 'tests/e2e/config_secret_utils.go', ref: 'v3.7.1', symbol: 'userRoleMap, createTestUserAndAssignRolesPrivileges' };
const csiRole = (role: string): PrivilegeSource => ({ kind: 'csi-roles', ref: CSI_ROLES, role });

const KKP = 'kubermatic/kubermatic';
const MC = 'kubermatic/machine-controller';
const kkp = (path: string, symbol: string): SourceRef => ({ repo: KKP, path: `pkg/provider/cloud/vsphere/${path}`, ref: 'v2.31.0', symbol });
const mc = (path: string, symbol: string): SourceRef => ({ repo: MC, path: `pkg/cloudprovider/provider/vsphere/${path}`, ref: 'v1.66.2', symbol });
const csi = (symbol: string): SourceRef => ({ repo: 'kubernetes-sigs/vsphere-csi-driver', path: 'pkg/common/cns-lib/volume/manager.go', ref: 'v3.7.1', symbol });
const ccm = (symbol: string): SourceRef => ({ repo: 'kubernetes/cloud-provider-vsphere', path: 'pkg/common/vclib/datacenter.go', ref: 'v1.33.1', symbol });

// System.Read: vCenter hides every object on which the user holds no permission (every role, Read-only included,
// carries System.Anonymous, System.Read and System.View); a finder or PropertyCollector call then finds nothing.
const READ = ['System.Read']; // a requirement, implicit in every role (effective.ts IMPLICIT_PRIVILEGES): never granted

// KKP's seed controllers and API, and machine-controller, make every SOAP call in a session they open by finding the
// datacenter (kubermatic/kubermatic pkg/provider/cloud/vsphere/session.go newSession, v2.31.0; kubermatic/machine-controller
// pkg/cloudprovider/provider/vsphere/client.go NewSession, v1.66.2: Finder.Datacenter, then SetDatacenter): a user who
// cannot read the datacenter gets no session, whatever it holds on the objects the call works on. KKP's tags go through
// a vSphere Automation session opened before that one (provider.go reconcileCluster: newRESTSession, reconcileTags,
// then newSession), so they need no datacenter.
const SESSION_COMPONENTS: readonly KkpComponentId[] = ['kkp-seed-provider', 'kkp-api', 'machine-controller'];
const NO_SESSION: readonly string[] = ['kkp-seed-provider/create-delete-tags'];
const SESSION_NEED: PrivilegeNeed = {
  object: 'datacenter',
  privileges: READ,
  source: visible('the component finds the datacenter before any call (newSession / NewSession): it must be visible'),
};
const inSession = (ops: readonly KkpOperation[]): readonly KkpOperation[] =>
  ops.map((op) =>
    !SESSION_COMPONENTS.includes(op.component) || NO_SESSION.includes(op.id) || op.needs.some((n) => n.object === 'datacenter' && n.privileges.includes(READ[0]))
      ? op
      : { ...op, needs: [SESSION_NEED, ...op.needs] },
  );

/** Every modelled operation, component by component. */
export const KKP_OPERATIONS: readonly KkpOperation[] = inSession([
  // ---- KKP's seed controllers: vSphere cloud provider ----
  {
    id: 'kkp-seed-provider/validate-credentials',
    component: 'kkp-seed-provider',
    title: 'validate the credentials (find the default VM folder of the datacenter)',
    method: 'PropertyCollector.RetrievePropertiesEx (Finder.DefaultFolder)',
    calledIn: kkp('credentials.go', 'ValidateCredentials'),
    presentFrom: '2.12',
    needs: [{ object: 'datacenter', privileges: READ, source: visible('the datacenter must be visible to find its VM folder') }],
  },
  {
    id: 'kkp-seed-provider/validate-cloud-spec',
    component: 'kkp-seed-provider',
    title: "validate the cluster's datastore",
    method: 'PropertyCollector.RetrievePropertiesEx (Finder.Datastore / DatastoreCluster)',
    calledIn: kkp('provider.go', 'ValidateCloudSpec'),
    presentFrom: '2.18',
    needs: [{ object: 'datastore', privileges: READ, source: visible('Finder.Datastore finds only visible datastores'), byPath: true }],
  },
  {
    id: 'kkp-seed-provider/create-cluster-folder',
    component: 'kkp-seed-provider',
    title: 'create the cluster folder <rootPath>/<clusterId>',
    method: 'Folder.CreateFolder',
    calledIn: kkp('folder.go', 'ensureVMFolder'),
    presentFrom: '2.12',
    when: 'kkp-creates-folder',
    needs: [{ object: 'rootFolder', privileges: ['Folder.Create'], source: api('Folder', 'CreateFolder'), byPath: true }],
  },
  {
    id: 'kkp-seed-provider/delete-cluster-folder',
    component: 'kkp-seed-provider',
    title: 'delete the cluster folder when the cluster is deleted',
    method: 'ManagedEntity.Destroy_Task (Folder)',
    calledIn: kkp('folder.go', 'deleteVMFolder'),
    presentFrom: '2.12',
    when: 'kkp-creates-folder',
    needs: [{ object: 'clusterFolder', privileges: ['Folder.Delete'], source: api('ManagedEntity', 'Destroy_Task'), byPath: true }],
  },
  {
    id: 'kkp-seed-provider/tag-folder',
    component: 'kkp-seed-provider',
    title: "attach the cluster's vSphere tags to its folder",
    method: 'com.vmware.cis.tagging.TagAssociation.attach (REST)',
    calledIn: kkp('folder.go', 'ensureFolderTags'),
    presentFrom: '2.26',
    when: 'tags',
    needs: [{ object: 'clusterFolder', privileges: ['InventoryService.Tagging.ObjectAttachable'], source: kkpDocs('KKP 2.23+ page: "Assign or Unassign vSphere Tag on Object" in the folder role'), byPath: true }],
  },
  {
    id: 'kkp-seed-provider/create-delete-tags',
    component: 'kkp-seed-provider',
    title: "create the cluster's tags, delete them with the cluster",
    method: 'com.vmware.cis.tagging.Tag.create / delete (REST)',
    calledIn: kkp('tags.go', 'createTag, syncDeletedClusterTags'),
    presentFrom: '2.23',
    when: 'tags',
    needs: [{ object: 'vcenter', privileges: ['InventoryService.Tagging.CreateTag', 'InventoryService.Tagging.DeleteTag'], source: kkpDocs('KKP 2.23+ page: "Create vSphere Tag", "Delete vSphere Tag" in the vCenter role') }],
  },
  // ---- KKP's API: what the dashboard lists ----
  {
    id: 'kkp-api/list-folders',
    component: 'kkp-api',
    title: 'list the VM folders below rootPath',
    method: 'PropertyCollector.RetrievePropertiesEx (Finder.FolderList "*")',
    calledIn: kkp('folder.go', 'GetVMFolders'),
    presentFrom: '2.12',
    needs: [{ object: 'rootFolder', privileges: READ, source: visible('folders the user cannot read are left out of the list') }],
  },
  {
    id: 'kkp-api/list-networks',
    component: 'kkp-api',
    title: 'list the networks VMs can attach to',
    method: 'PropertyCollector.RetrievePropertiesEx (Finder.NetworkList "*", EthernetCardBackingInfo)',
    calledIn: kkp('network.go', 'GetNetworks, getPossibleVMNetworks'),
    presentFrom: '2.12',
    needs: [
      { object: 'network', privileges: READ, source: visible('networks the user cannot read are left out of the list') },
      // getPossibleVMNetworks skips a network whose EthernetCardBackingInfo fails: a distributed port group whose
      // switch the user cannot read.
      { object: 'distributedSwitch', privileges: READ, source: visible("a distributed port group whose switch the user cannot read is left out of the list"), onlyWhereKnown: true },
    ],
  },
  // ---- machine-controller ----
  {
    id: 'machine-controller/find-template',
    component: 'machine-controller',
    title: 'find the template VM by name',
    method: 'PropertyCollector.RetrievePropertiesEx (Finder.VirtualMachine)',
    calledIn: mc('helper.go', 'createClonedVM'),
    presentFrom: '2.12',
    needs: [{ object: 'templateVm', privileges: READ, source: visible('the finder finds only visible VMs'), byPath: true }],
  },
  {
    id: 'machine-controller/clone-template',
    component: 'machine-controller',
    title: 'clone the template into the cluster folder',
    method: 'VirtualMachine.CloneVM_Task',
    calledIn: mc('helper.go', 'createClonedVM'),
    presentFrom: '2.12',
    needs: [
      { object: 'templateVm', privileges: ['VirtualMachine.Provisioning.DeployTemplate'], source: api('VirtualMachine', 'CloneVM_Task'), byPath: true },
      { object: 'clusterFolder', privileges: ['VirtualMachine.Inventory.CreateFromExisting'], source: api('VirtualMachine', 'CloneVM_Task'), byPath: true },
      { object: 'resourcePool', privileges: ['Resource.AssignVMToPool'], source: api('VirtualMachine', 'CloneVM_Task'), byPath: true },
      { object: 'datastore', privileges: ['Datastore.AllocateSpace'], source: api('VirtualMachine', 'CloneVM_Task'), byPath: true },
    ],
  },
  {
    id: 'machine-controller/reconfigure-vm',
    component: 'machine-controller',
    title: 'set CPUs, memory, disk UUID, disk size and the network cards of the new VM',
    method: 'VirtualMachine.ReconfigVM_Task',
    calledIn: mc('helper.go', 'createClonedVM (network.go GetNetworkSpecs)'),
    presentFrom: '2.12',
    needs: [
      {
        object: 'nodeVm',
        privileges: ['VirtualMachine.Config.AddRemoveDevice', 'VirtualMachine.Config.CPUCount', 'VirtualMachine.Config.DiskExtend', 'VirtualMachine.Config.Memory', 'VirtualMachine.Config.Settings'],
        source: api('VirtualMachine', 'ReconfigVM_Task'),
      },
      { object: 'network', privileges: ['Network.Assign'], source: api('VirtualMachine', 'ReconfigVM_Task'), byPath: true },
      // network.go GetNetworkSpecs: Finder.Network, then EthernetCardBackingInfo, which for a distributed port group
      // reads its config.distributedVirtualSwitch and that switch's uuid (govmomi v0.43.0, machine-controller's pin,
      // object/distributed_virtual_portgroup.go). The reference of DVPortgroupConfigInfo.distributedVirtualSwitch: set
      // unless the user lacks System.Read on the switch; the NIC cannot be built without it.
      {
        object: 'distributedSwitch',
        privileges: READ,
        source: visible("the NIC's backing names the port group's distributed switch by its uuid, read from the switch: it must be visible"),
        onlyWhereKnown: true,
      },
    ],
  },
  {
    id: 'machine-controller/set-guestinfo',
    component: 'machine-controller',
    title: 'write the Ignition config into vApp guestinfo properties',
    method: 'VirtualMachine.ReconfigVM_Task (vAppConfig)',
    calledIn: mc('helper.go', 'createClonedVM'),
    presentFrom: '2.12',
    when: 'flatcar',
    needs: [{ object: 'nodeVm', privileges: ['VApp.ApplicationConfig', 'VApp.InstanceConfig'], source: kkpDocs('the cluster role of every KKP page: "defining the Ignition config into Guestinfo"') }],
  },
  {
    id: 'machine-controller/upload-cloud-init-iso',
    component: 'machine-controller',
    title: 'upload cloud-init.iso next to the VM on its datastore',
    method: 'HTTP PUT /folder (datastore file access)',
    calledIn: mc('helper.go', 'uploadAndAttachISO'),
    presentFrom: '2.12',
    when: 'cloud-init',
    needs: [{ object: 'datastore', privileges: ['Datastore.FileManagement'], source: kkpDocs('every KKP page grants "Low level file operations" on the datastore for it'), byPath: true }],
  },
  {
    id: 'machine-controller/insert-iso',
    component: 'machine-controller',
    title: "insert cloud-init.iso into the VM's CD-ROM",
    method: 'VirtualMachine.ReconfigVM_Task (edit CD-ROM)',
    calledIn: mc('helper.go', 'uploadAndAttachISO'),
    presentFrom: '2.12',
    when: 'cloud-init',
    // EditDevice of the CD-ROM with an ISO backing and startConnected set (uploadAndAttachISO: Connectable.StartConnected,
    // InsertIso). ReconfigVM_Task's reference: "VirtualMachine.Interact.SetCDMedia if changing the backing of a CD-ROM
    // device", "VirtualMachine.Interact.DeviceConnection if changing the runtime connection state of a device as
    // embodied by the Connectable property"; VirtualMachine.Config.EditDevice is for other device settings.
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Interact.DeviceConnection', 'VirtualMachine.Interact.SetCDMedia'], source: api('VirtualMachine', 'ReconfigVM_Task') }],
  },
  {
    id: 'machine-controller/power-on',
    component: 'machine-controller',
    title: 'power the VM on',
    method: 'VirtualMachine.PowerOnVM_Task',
    calledIn: mc('provider.go', 'Create'),
    presentFrom: '2.12',
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Interact.PowerOn'], source: api('VirtualMachine', 'PowerOnVM_Task') }],
  },
  {
    id: 'machine-controller/power-off',
    component: 'machine-controller',
    title: 'power the VM off before deleting it',
    method: 'VirtualMachine.PowerOffVM_Task',
    calledIn: mc('provider.go', 'Cleanup'),
    presentFrom: '2.12',
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Interact.PowerOff'], source: api('VirtualMachine', 'PowerOffVM_Task') }],
  },
  {
    id: 'machine-controller/destroy-vm',
    component: 'machine-controller',
    title: 'delete the VM',
    method: 'ManagedEntity.Destroy_Task (VirtualMachine)',
    calledIn: mc('provider.go', 'Cleanup'),
    presentFrom: '2.12',
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Inventory.Delete'], source: api('ManagedEntity', 'Destroy_Task') }],
  },
  {
    id: 'machine-controller/delete-vm-files',
    component: 'machine-controller',
    title: "delete the VM's folder on the datastore (the cloud-init ISO)",
    method: 'FileManager.DeleteDatastoreFile_Task',
    calledIn: mc('provider.go', 'Cleanup'),
    presentFrom: '2.12',
    when: 'cloud-init',
    needs: [
      { object: 'datacenter', privileges: ['System.View'], source: api('FileManager', 'DeleteDatastoreFile_Task') }, // implicit, never granted
      // The reference: "Requires Datastore.FileManagement privilege on the datastore" (and System.View on the
      // datacenter parameter).
      { object: 'datastore', privileges: ['Datastore.FileManagement'], source: api('FileManager', 'DeleteDatastoreFile_Task') },
    ],
  },
  // ---- vSphere cloud controller manager ----
  {
    id: 'vsphere-ccm/find-node-vm',
    component: 'vsphere-ccm',
    title: "find each node's VM by its UUID in the datacenter",
    method: 'SearchIndex.FindByUuid',
    calledIn: ccm('GetVMByUUID'),
    presentFrom: '2.12',
    needs: [
      { object: 'datacenter', privileges: READ, source: visible('the search runs in the datacenter, which must be visible') },
      { object: 'nodeVm', privileges: READ, source: visible('FindByUuid returns only VMs the user can read') },
    ],
  },
  // ---- vSphere CSI driver with CNS ----
  {
    id: 'vsphere-csi/create-volume',
    component: 'vsphere-csi',
    title: 'create a volume (CNS) on the datastore, with its storage policy',
    method: 'CnsVolumeManager.CnsCreateVolume',
    calledIn: csi('CreateVolume'),
    presentFrom: '2.18',
    needs: [
      { object: 'vcenter', privileges: ['Cns.Searchable'], source: csiRole('CNS-SEARCH-AND-SPBM on the vCenter root') },
      { object: 'datastore', privileges: ['Datastore.FileManagement'], source: csiRole('CNS-DATASTORE on each datastore') },
    ],
  },
  {
    id: 'vsphere-csi/resolve-storage-policy',
    component: 'vsphere-csi',
    title: "resolve the storage class's storage policy (SPBM)",
    method: 'PbmProfileProfileManager.PbmQueryProfile / PbmRetrieveContent',
    calledIn: csi('CreateVolume'),
    presentFrom: '2.18',
    when: 'storage-policy',
    needs: [{ object: 'vcenter', privileges: ['StorageProfile.View'], source: csiRole('CNS-SEARCH-AND-SPBM on the vCenter root') }],
  },
  {
    id: 'vsphere-csi/attach-volume',
    component: 'vsphere-csi',
    title: "attach a volume to a node's VM",
    method: 'CnsVolumeManager.CnsAttachVolume',
    calledIn: csi('AttachVolume'),
    presentFrom: '2.18',
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Config.AddExistingDisk', 'VirtualMachine.Config.AddRemoveDevice'], source: csiRole('CNS-VM on the node VMs') }],
  },
  {
    id: 'vsphere-csi/detach-volume',
    component: 'vsphere-csi',
    title: "detach a volume from a node's VM",
    method: 'CnsVolumeManager.CnsDetachVolume',
    calledIn: csi('DetachVolume'),
    presentFrom: '2.18',
    needs: [{ object: 'nodeVm', privileges: ['VirtualMachine.Config.AddRemoveDevice'], source: csiRole('CNS-VM on the node VMs') }],
  },
  {
    id: 'vsphere-csi/delete-volume',
    component: 'vsphere-csi',
    title: 'delete a volume',
    method: 'CnsVolumeManager.CnsDeleteVolume',
    calledIn: csi('DeleteVolume'),
    presentFrom: '2.18',
    needs: [
      { object: 'vcenter', privileges: ['Cns.Searchable'], source: csiRole('CNS-SEARCH-AND-SPBM on the vCenter root') },
      { object: 'datastore', privileges: ['Datastore.FileManagement'], source: csiRole('CNS-DATASTORE on each datastore') },
    ],
  },
  {
    id: 'vsphere-csi/read-topology',
    component: 'vsphere-csi',
    title: 'read the datacenter and the hosts of the node VMs',
    method: 'PropertyCollector.RetrievePropertiesEx',
    calledIn: csi('QueryVolume'),
    presentFrom: '2.26',
    needs: [
      { object: 'datacenter', privileges: READ, source: csiRole('ReadOnly on each datacenter') },
      { object: 'host', privileges: READ, source: csiRole('ReadOnly on each host') },
    ],
  },
]);

/** The tags at which each call's presence was checked with `git grep` (the `presentFrom` of each operation). */
export const KKP_OPERATIONS_CHECKED_AT: Readonly<Record<string, readonly string[]>> = {
  'kubermatic/machine-controller': ['v1.5.8', 'v1.14.1', 'v1.27.1', 'v1.35.2', 'v1.45.0', 'v1.54.0', 'v1.57.0', 'v1.60.0', 'v1.66.2'],
  'kubermatic/kubermatic': ['v2.12.0', 'v2.14.0', 'v2.18.0', 'v2.21.0', 'v2.23.0', 'v2.26.0', 'v2.31.0'],
  'kubernetes-sigs/vsphere-csi-driver': ['v3.7.1'],
  'kubernetes/cloud-provider-vsphere': ['v1.33.1'],
};
