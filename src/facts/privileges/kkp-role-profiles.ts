// The vSphere roles of KKP's documentation, one profile per generation of the vSphere page whose role set differs.
// Each profile is transcribed from its page (kubermatic/docs): role names, the UI labels of every privilege, the
// objects a role is granted on and its propagation. Where a page's `govc role.ls` output lists an ID that its UI list
// does not, the ID is kept with `source: 'govc'` (the role KKP tested had it). Pure data: no cdktf.
//
// Boundaries, found by comparing the permission sections of every page (content/kubermatic/<version>/...):
//   2.12-2.13  requirements/cloud_provider/vsphere.en.md (2.13 changes no permission)
//   2.14-2.17  + "Profile-driven storage view" on the vCenter, network role "distributed switch + network"
//   2.18-2.20  CCM/CSI roles renamed k8c-ccm-storage-*, k8s-network-attach renamed k8c-network-attach, CNS Searchable,
//              "Storage partition configuration"; govc output adds ObjectAttachable and Folder.Create; tested on 7.0.U2
//   2.21       + optional k8c-user-tags-category and k8c-user-tags on the datacenter, propagated
//   2.22       k8c-user-tags reworked (create/delete tag, attach), k8c-user-tags-category gone
//   2.23-2.25  tagging folded into the roles, AutoDeploy rules, "Modify cluster"; a separate infrastructure
//              management user; tested with vSphere 8.0.2
//   2.26-2.31  + k8c-ccm-storage-cns on the vCenter, Read-only also on every host that runs node VMs
import type { KkpRelease } from '../kkp/releases';
import type { VsphereVersion } from './catalog';

/** The kind of vSphere object a role is granted on. */
export type GrantTarget =
  | 'vcenter'
  | 'datacenter'
  | 'cluster'
  | 'host'
  | 'datastore'
  | 'datastoreCluster'
  | 'network'
  | 'distributedSwitch'
  | 'folder';

/** Which KKP principal a role is for. */
export type KkpPrincipalKind =
  /**
   * The user of the vSphere cloud controller manager and CSI driver ("Seed Cluster" on the 2.12 page, "Cloud
   * Controller Manager (CCM) / CSI" later): its credentials reach the user cluster.
   */
  | 'storage'
  /** The user KKP and machine-controller create VMs, folders and tags with ("User Cluster", later "Infrastructure Management"). */
  | 'machineController';

/** What a role does, stable across the renames of the pages: the constructs ask for roles by key. */
export type KkpRoleKey =
  | 'storage-vmfolder'
  | 'storage-datastore'
  | 'storage-cns'
  | 'user-vcenter'
  | 'user-datacenter'
  | 'user-cluster'
  | 'network-attach'
  | 'user-datastore'
  | 'user-folder'
  | 'user-tags-category'
  | 'user-tags';

/** A privilege entry of a page: one privilege, or a whole group named without children. */
export type PrivilegeEntry =
  | {
      readonly id: string;
      readonly label: string;
      /** `govc`: only the page's `govc role.ls` output lists it, not its UI list. @default - the UI list */
      readonly source?: 'govc';
    }
  | { readonly group: string; readonly label: string };

/** Names of the custom roles on the pages. */
export type KkpCustomRoleName =
  | 'k8c-storage-vmfolder-propagate'
  | 'k8c-storage-datastore-propagate'
  | 'k8c-ccm-storage-vmfolder-propagate'
  | 'k8c-ccm-storage-datastore-propagate'
  | 'k8c-ccm-storage-cns'
  | 'k8c-user-vcenter'
  | 'k8c-user-datacenter'
  | 'k8c-user-cluster-propagate'
  | 'k8s-network-attach'
  | 'k8c-network-attach'
  | 'k8c-user-datastore-propagate'
  | 'k8c-user-folder-propagate'
  | 'k8c-user-tags-category'
  | 'k8c-user-tags';

/** A KKP role as one page describes it. */
export interface KkpRoleDefinition {
  readonly key: KkpRoleKey;
  readonly name: KkpCustomRoleName;
  readonly principal: KkpPrincipalKind;
  readonly grantedOn: readonly GrantTarget[];
  readonly propagate: boolean;
  /** The page marks the role optional (granted only when the feature is used). @default false */
  readonly optional?: boolean;
  /** Why KKP needs it, where the page says. */
  readonly purpose?: string;
  readonly privileges: readonly PrivilegeEntry[];
}

/** The roles of one generation of KKP's vSphere page. */
export interface KkpRoleProfile {
  /** `kkp-<first release>`, e.g. `kkp-2.26`. */
  readonly name: string;
  /** First and last KKP release whose page has exactly these roles. */
  readonly first: KkpRelease;
  readonly last: KkpRelease;
  /** Where the table was transcribed from. */
  readonly source: string;
  /** The page's own words on the vSphere version it was tested with. */
  readonly testedWith: string;
  /**
   * The oldest vSphere version the page's roles are for, where the page says so.
   * @default - no minimum stated
   */
  readonly minimumVsphere?: VsphereVersion;
  /** The page's heading for each principal's roles. */
  readonly principals: Readonly<Record<KkpPrincipalKind, string>>;
  /** Objects the storage principal gets the predefined Read-only role on, not propagated. */
  readonly readOnlyOn: readonly GrantTarget[];
  readonly roles: readonly KkpRoleDefinition[];
  /** Where the page contradicts itself, and what the profile does about it. */
  readonly notes: readonly string[];
}

const VM = 'Virtual machine';
const DOCS = 'kubermatic/docs content/kubermatic';

// Rows that several pages share word for word.
const STORAGE_FOLDER: readonly PrivilegeEntry[] = [
  { id: 'VirtualMachine.Config.AddExistingDisk', label: `${VM} > Change Configuration > Add existing disk` },
  { id: 'VirtualMachine.Config.AddNewDisk', label: `${VM} > Change Configuration > Add new disk` },
  { id: 'VirtualMachine.Config.AddRemoveDevice', label: `${VM} > Change Configuration > Add or remove device` },
  { id: 'VirtualMachine.Config.RemoveDisk', label: `${VM} > Change Configuration > Remove disk` },
  { id: 'Folder.Create', label: 'Folder > Create folder' },
  { id: 'Folder.Delete', label: 'Folder > Delete folder' },
];
const STORAGE_DATASTORE: readonly PrivilegeEntry[] = [
  { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
  { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
];
const CUST_SPECS: readonly PrivilegeEntry[] = [
  { id: 'VirtualMachine.Provisioning.ModifyCustSpecs', label: 'VirtualMachine > Provisioning > Modify customization specification' },
  { id: 'VirtualMachine.Provisioning.ReadCustSpecs', label: 'VirtualMachine > Provisioning > Read customization specifications' },
];
const STORAGE_PROFILE_VIEW: PrivilegeEntry = { id: 'StorageProfile.View', label: 'Profile-driven storage > Profile-driven storage view' };
const CNS_SEARCHABLE: PrivilegeEntry = { id: 'Cns.Searchable', label: 'CNS > Searchable' };
const DATACENTER_DATASTORE: readonly PrivilegeEntry[] = [
  { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
  { id: 'Datastore.Browse', label: 'Datastore > Browse datastore' },
  { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
  { id: 'Datastore.DeleteFile', label: 'Datastore > Remove file' },
  { id: 'VApp.ApplicationConfig', label: 'vApp > vApp application configuration' },
  { id: 'VApp.InstanceConfig', label: 'vApp > vApp instance configuration' },
];
const DATACENTER_VM_OLD: readonly PrivilegeEntry[] = [
  { id: 'VirtualMachine.Config.CPUCount', label: 'Virtual Machine > Change CPU count' },
  { id: 'VirtualMachine.Config.Memory', label: 'Virtual Machine > Memory' },
  { id: 'VirtualMachine.Config.Settings', label: 'Virtual Machine > Settings' },
  { id: 'VirtualMachine.Inventory.CreateFromExisting', label: 'Virtual Machine > Inventory > Create from existing' },
];
const DATACENTER_VM_NEW: readonly PrivilegeEntry[] = [
  { id: 'VirtualMachine.Config.CPUCount', label: 'Virtual Machine > Change Configuration > Change CPU count' },
  { id: 'VirtualMachine.Config.Memory', label: 'Virtual Machine > Change Configuration > Change Memory' },
  { id: 'VirtualMachine.Config.Settings', label: 'Virtual Machine > Change Configuration > Change Settings' },
  { id: 'VirtualMachine.Inventory.CreateFromExisting', label: 'Virtual Machine > Edit Inventory > Create from existing' },
];
const CLUSTER_BASE: readonly PrivilegeEntry[] = [
  { id: 'Host.Config.SystemManagement', label: 'Host > Configuration > System Management' },
  { id: 'Host.Local.ReconfigVM', label: 'Host > Local operations > Reconfigure virtual machine' },
  { id: 'Resource.AssignVMToPool', label: 'Resource > Assign virtual machine to resource pool' },
  { id: 'Resource.ColdMigrate', label: 'Resource > Migrate powered off virtual machine' },
  { id: 'Resource.HotMigrate', label: 'Resource > Migrate powered on virtual machine' },
  { id: 'VApp.ApplicationConfig', label: 'vApp > vApp application configuration' },
  { id: 'VApp.InstanceConfig', label: 'vApp > vApp instance configuration' },
];
const HOST_STORAGE: PrivilegeEntry = { id: 'Host.Config.Storage', label: 'Host > Configuration > Storage partition configuration' };
const NETWORK_ASSIGN: PrivilegeEntry = { id: 'Network.Assign', label: 'Network > Assign network' };
const USER_DATASTORE: readonly PrivilegeEntry[] = [
  { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
  { id: 'Datastore.Browse', label: 'Datastore > Browse datastore' },
  { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
];
const USER_FOLDER: readonly PrivilegeEntry[] = [
  { id: 'Folder.Create', label: 'Folder > Create folder' },
  { id: 'Folder.Delete', label: 'Folder > Delete folder' },
  { id: 'Global.SetCustomField', label: 'Global > Set custom attribute' },
  { group: 'VirtualMachine.Config', label: `${VM} > Change Configuration` },
  { group: 'VirtualMachine.Inventory', label: `${VM} > Edit Inventory` },
  { group: 'VirtualMachine.GuestOperations', label: `${VM} > Guest operations` },
  { group: 'VirtualMachine.Interact', label: `${VM} > Interaction` },
  { group: 'VirtualMachine.Provisioning', label: `${VM} > Provisioning` },
  { group: 'VirtualMachine.State', label: `${VM} > Snapshot management` },
];
const TAG = 'vSphere Tagging';
const OBJECT_ATTACHABLE: PrivilegeEntry = { id: 'InventoryService.Tagging.ObjectAttachable', label: `${TAG} > Assign or Unassign vSphere Tag on Object` };
const ATTACH_TAG: PrivilegeEntry = { id: 'InventoryService.Tagging.AttachTag', label: `${TAG} > Assign or Unassign vSphere Tag` };
const CREATE_TAG: PrivilegeEntry = { id: 'InventoryService.Tagging.CreateTag', label: `${TAG} > Create vSphere Tag` };
const DELETE_TAG: PrivilegeEntry = { id: 'InventoryService.Tagging.DeleteTag', label: `${TAG} > Delete vSphere Tag` };
const govc = (entry: PrivilegeEntry): PrivilegeEntry => ({ ...entry, source: 'govc' }) as PrivilegeEntry;

const PURPOSE = {
  vcenter: 'Needed to customize VM during provisioning',
  datacenter: 'Needed for cloning the template VM (obviously this is not done in a folder at this time)',
  clusterOld: 'Needed for upload of cloud-init.iso (Ubuntu and CentOS) or defining the Ignition config into Guestinfo (CoreOS)',
  clusterNew: 'Needed for upload of cloud-init.iso (Ubuntu) or defining the Ignition config into Guestinfo (CoreOS)',
  network: 'Granted for each network that should be used',
  networkDvs: 'Granted for each network that should be used (distributed switch + network)',
  folder: 'Needed for managing the node VMs',
};

type RoleShape = Omit<KkpRoleDefinition, 'privileges' | 'purpose' | 'name'>;
const SHAPE: Record<KkpRoleKey, RoleShape> = {
  'storage-vmfolder': { key: 'storage-vmfolder', principal: 'storage', grantedOn: ['folder'], propagate: true },
  'storage-datastore': { key: 'storage-datastore', principal: 'storage', grantedOn: ['datastore'], propagate: true },
  'storage-cns': { key: 'storage-cns', principal: 'storage', grantedOn: ['vcenter'], propagate: false },
  'user-vcenter': { key: 'user-vcenter', principal: 'machineController', grantedOn: ['vcenter'], propagate: false },
  'user-datacenter': { key: 'user-datacenter', principal: 'machineController', grantedOn: ['datacenter'], propagate: false },
  'user-cluster': { key: 'user-cluster', principal: 'machineController', grantedOn: ['cluster'], propagate: true },
  'network-attach': { key: 'network-attach', principal: 'machineController', grantedOn: ['network'], propagate: false },
  'user-datastore': { key: 'user-datastore', principal: 'machineController', grantedOn: ['datastore', 'datastoreCluster'], propagate: true },
  'user-folder': { key: 'user-folder', principal: 'machineController', grantedOn: ['folder'], propagate: true },
  'user-tags-category': { key: 'user-tags-category', principal: 'machineController', grantedOn: ['datacenter'], propagate: true },
  'user-tags': { key: 'user-tags', principal: 'machineController', grantedOn: ['datacenter'], propagate: true },
};
const role = (key: KkpRoleKey, name: KkpCustomRoleName, privileges: readonly PrivilegeEntry[], more: Partial<KkpRoleDefinition> = {}): KkpRoleDefinition => ({
  ...SHAPE[key],
  name,
  ...more,
  privileges,
});

/** KKP 2.12 and 2.13: the page the library started from. */
const KKP_2_12: KkpRoleProfile = {
  name: 'kkp-2.12',
  first: '2.12',
  last: '2.13',
  source: `${DOCS}/v2.12/requirements/cloud_provider/vsphere.en.md (v2.13: same permissions)`,
  testedWith: 'vSphere 6.7',
  principals: { storage: 'Seed Cluster', machineController: 'User Cluster' },
  readOnlyOn: ['datacenter'],
  roles: [
    role('storage-vmfolder', 'k8c-storage-vmfolder-propagate', STORAGE_FOLDER),
    role('storage-datastore', 'k8c-storage-datastore-propagate', STORAGE_DATASTORE),
    role('user-vcenter', 'k8c-user-vcenter', CUST_SPECS, { purpose: PURPOSE.vcenter }),
    role('user-datacenter', 'k8c-user-datacenter', [...DATACENTER_DATASTORE, ...DATACENTER_VM_OLD], { purpose: PURPOSE.datacenter }),
    role('user-cluster', 'k8c-user-cluster-propagate', CLUSTER_BASE, { purpose: PURPOSE.clusterOld }),
    role('network-attach', 'k8s-network-attach', [NETWORK_ASSIGN], { purpose: PURPOSE.network }),
    role('user-datastore', 'k8c-user-datastore-propagate', USER_DATASTORE),
    role('user-folder', 'k8c-user-folder-propagate', USER_FOLDER, { purpose: PURPOSE.folder }),
  ],
  notes: ['"Folder > Delete dolder" in the storage folder role is a typo on the page for Delete folder (Folder.Delete).'],
};

/** KKP 2.14 to 2.17: Profile-driven storage view on the vCenter, the network role also on the distributed switch. */
const KKP_2_14: KkpRoleProfile = {
  name: 'kkp-2.14',
  first: '2.14',
  last: '2.17',
  source: `${DOCS}/v2.14/requirements/cloud_provider/vsphere.en.md (v2.15, v2.16 same permissions; v2.17 architecture/requirements/support_policy/provider_support_matrix/vSphere/vSphere.en.md same)`,
  testedWith: 'vSphere 6.7',
  principals: { storage: 'Seed Cluster (technical user e.g. cust-seed-cluster)', machineController: 'User Cluster (technical user e.g. cust-user-cluster)' },
  readOnlyOn: ['datacenter'],
  roles: [
    role('storage-vmfolder', 'k8c-storage-vmfolder-propagate', STORAGE_FOLDER),
    role('storage-datastore', 'k8c-storage-datastore-propagate', STORAGE_DATASTORE),
    role('user-vcenter', 'k8c-user-vcenter', [STORAGE_PROFILE_VIEW, ...CUST_SPECS], { purpose: PURPOSE.vcenter }),
    role('user-datacenter', 'k8c-user-datacenter', [...DATACENTER_DATASTORE, ...DATACENTER_VM_OLD], { purpose: PURPOSE.datacenter }),
    role('user-cluster', 'k8c-user-cluster-propagate', CLUSTER_BASE, { purpose: PURPOSE.clusterOld }),
    role('network-attach', 'k8s-network-attach', [NETWORK_ASSIGN], { grantedOn: ['network', 'distributedSwitch'], purpose: PURPOSE.networkDvs }),
    role('user-datastore', 'k8c-user-datastore-propagate', USER_DATASTORE),
    role('user-folder', 'k8c-user-folder-propagate', USER_FOLDER, { purpose: PURPOSE.folder }),
  ],
  notes: ['"Folder > Delete dolder" in the storage folder role is a typo on the page for Delete folder (Folder.Delete).'],
};

const CCM_ROLES = [
  role('storage-vmfolder', 'k8c-ccm-storage-vmfolder-propagate', STORAGE_FOLDER),
  role('storage-datastore', 'k8c-ccm-storage-datastore-propagate', STORAGE_DATASTORE),
];
const ROLES_2_18: readonly KkpRoleDefinition[] = [
  ...CCM_ROLES,
  role('user-vcenter', 'k8c-user-vcenter', [CNS_SEARCHABLE, STORAGE_PROFILE_VIEW, ...CUST_SPECS, govc(OBJECT_ATTACHABLE)], { purpose: PURPOSE.vcenter }),
  role('user-datacenter', 'k8c-user-datacenter', [...DATACENTER_DATASTORE, ...DATACENTER_VM_OLD, govc(OBJECT_ATTACHABLE)], { purpose: PURPOSE.datacenter }),
  role('user-cluster', 'k8c-user-cluster-propagate', [HOST_STORAGE, ...CLUSTER_BASE, govc({ id: 'Folder.Create', label: 'Folder > Create folder' })], {
    purpose: PURPOSE.clusterOld,
  }),
  role('network-attach', 'k8c-network-attach', [NETWORK_ASSIGN], { grantedOn: ['network', 'distributedSwitch'], purpose: PURPOSE.networkDvs }),
  role('user-datastore', 'k8c-user-datastore-propagate', USER_DATASTORE),
  role('user-folder', 'k8c-user-folder-propagate', [...USER_FOLDER, govc(OBJECT_ATTACHABLE)], { purpose: PURPOSE.folder }),
];
const NOTES_2_18 = [
  'The govc output lists InventoryService.Tagging.ObjectAttachable in k8c-user-vcenter, k8c-user-datacenter and ' +
    'k8c-user-folder-propagate and Folder.Create in k8c-user-cluster-propagate, which the UI lists omit; the profile grants them (source govc).',
  'The govc output of k8c-user-folder-propagate lists VirtualMachine.Config.Unlock and not VirtualMachine.Interact.SuspendToMemory ' +
    'although the page was tested with 7.0.U2; the profile expands the UI list\'s whole groups against the privilege catalog of the ' +
    'vsphereVersion you give instead (see the catalog notes).',
  '"Folder > Delete dolder" in the storage folder role is a typo on the page for Delete folder (Folder.Delete).',
];

/** KKP 2.18 to 2.20: CCM/CSI roles renamed, CNS, storage partition configuration. */
const KKP_2_18: KkpRoleProfile = {
  name: 'kkp-2.18',
  first: '2.18',
  last: '2.20',
  source: `${DOCS}/v2.18/architecture/requirements/support_policy/provider_support_matrix/vSphere/vSphere.en.md (v2.19, v2.20 same permissions)`,
  testedWith: 'vSphere 7.0.U2',
  minimumVsphere: '7.0u2',
  principals: { storage: 'User Cluster Cloud Controller Manager / CSI (technical user e.g. cust-ccm-cluster)', machineController: 'User Cluster (technical user e.g. cust-user-cluster)' },
  readOnlyOn: ['datacenter'],
  roles: ROLES_2_18,
  notes: NOTES_2_18,
};

/** KKP 2.21: two optional tagging roles on the datacenter. */
const KKP_2_21: KkpRoleProfile = {
  name: 'kkp-2.21',
  first: '2.21',
  last: '2.21',
  source: `${DOCS}/v2.21/architecture/supported-providers/vSphere/vSphere.en.md`,
  testedWith: 'vSphere 7.0.U2',
  minimumVsphere: '7.0u2',
  principals: KKP_2_18.principals,
  readOnlyOn: ['datacenter'],
  roles: [
    ...ROLES_2_18,
    role('user-tags-category', 'k8c-user-tags-category', [
      { id: 'InventoryService.Tagging.CreateCategory', label: `${TAG} > Create vSphere Tag Category` },
      { id: 'InventoryService.Tagging.DeleteCategory', label: `${TAG} > Delete vSphere Tag Category` },
      CREATE_TAG,
      DELETE_TAG,
    ], { optional: true, purpose: 'Optional: needed only for handling tags and tag categories (KKP seed controller manager)' }),
    role('user-tags', 'k8c-user-tags', [ATTACH_TAG, OBJECT_ATTACHABLE], {
      optional: true,
      purpose: 'Optional: needed only for attaching tags on VMs (machine controller)',
    }),
  ],
  notes: NOTES_2_18,
};

/** KKP 2.22: one tagging role on the datacenter. */
const KKP_2_22: KkpRoleProfile = {
  name: 'kkp-2.22',
  first: '2.22',
  last: '2.22',
  source: `${DOCS}/v2.22/architecture/supported-providers/vsphere/vsphere.en.md`,
  testedWith: 'vSphere 7.0.U2',
  minimumVsphere: '7.0u2',
  principals: KKP_2_18.principals,
  readOnlyOn: ['datacenter'],
  roles: [
    ...ROLES_2_18,
    role('user-tags', 'k8c-user-tags', [CREATE_TAG, DELETE_TAG, { ...OBJECT_ATTACHABLE, label: `${TAG} > Assign or Unassign vSphere Tag on an Object` }, govc(ATTACH_TAG)], {
      purpose: 'Provides permission to create vSphere tags for a dedicated category, which are required by KKP seed controller manager',
    }),
  ],
  notes: [...NOTES_2_18, 'The govc output of k8c-user-tags adds InventoryService.Tagging.AttachTag to the UI list; the profile grants it (source govc).'],
};

const ROLES_2_23: readonly KkpRoleDefinition[] = [
  ...CCM_ROLES,
  role('user-vcenter', 'k8c-user-vcenter', [
    CNS_SEARCHABLE,
    STORAGE_PROFILE_VIEW,
    ...CUST_SPECS,
    ATTACH_TAG,
    OBJECT_ATTACHABLE,
    CREATE_TAG,
    { id: 'InventoryService.Tagging.CreateCategory', label: `${TAG} > Create vSphere Tag Category` },
    DELETE_TAG,
    { id: 'InventoryService.Tagging.DeleteCategory', label: `${TAG} > Delete vSphere Tag Category` },
    { id: 'InventoryService.Tagging.EditTag', label: `${TAG} > Edit vSphere Tag` },
    { id: 'InventoryService.Tagging.EditCategory', label: `${TAG} > Edit vSphere Tag Category` },
    { id: 'InventoryService.Tagging.ModifyUsedByForCategory', label: `${TAG} > Modify UsedBy Field For Category` },
    { id: 'InventoryService.Tagging.ModifyUsedByForTag', label: `${TAG} > Modify UsedBy Field For Tag` },
  ], { purpose: PURPOSE.vcenter }),
  role('user-datacenter', 'k8c-user-datacenter', [...DATACENTER_DATASTORE, ...DATACENTER_VM_NEW, OBJECT_ATTACHABLE], { purpose: PURPOSE.datacenter }),
  role('user-cluster', 'k8c-user-cluster-propagate', [
    { id: 'AutoDeploy.Rule.Create', label: 'AutoDeploy > Rule > Create' },
    { id: 'AutoDeploy.Rule.Delete', label: 'AutoDeploy > Rule > Delete' },
    { id: 'AutoDeploy.Rule.Edit', label: 'AutoDeploy > Rule > Edit' },
    { id: 'Folder.Create', label: 'Folder > Create folder' },
    HOST_STORAGE,
    ...CLUSTER_BASE.slice(0, 2),
    { id: 'Host.Inventory.EditCluster', label: 'Host > Inventory > Modify cluster' },
    ...CLUSTER_BASE.slice(2),
    OBJECT_ATTACHABLE,
  ], { purpose: PURPOSE.clusterOld }),
  role('network-attach', 'k8c-network-attach', [NETWORK_ASSIGN, OBJECT_ATTACHABLE], { grantedOn: ['network', 'distributedSwitch'], purpose: PURPOSE.networkDvs }),
  role('user-datastore', 'k8c-user-datastore-propagate', [...USER_DATASTORE, { ...OBJECT_ATTACHABLE, label: `${TAG} > Assign or Unassign vSphere Tag on an Object` }], {
    purpose: 'Also provides permission to create vSphere tags for a dedicated category, which are required by KKP seed controller manager',
  }),
  role('user-folder', 'k8c-user-folder-propagate', [
    ...USER_FOLDER,
    ATTACH_TAG,
    { ...OBJECT_ATTACHABLE, label: `${TAG} > Assign or Unassign vSphere Tag on an Object` },
    CREATE_TAG,
    DELETE_TAG,
  ], { purpose: PURPOSE.folder }),
];
const NOTES_2_23 = [
  'The govc output of k8c-user-folder-propagate still lists VirtualMachine.Config.Unlock (with the tagging lines inserted by hand, out of ' +
    'govc\'s sort order) although the page says "tested with vSphere 8.0.2", and vCenter 8 does not know Unlock; the profile expands the ' +
    'UI list\'s whole groups against the catalog of the vsphereVersion you give.',
  '"Folder > Delete dolder" in the storage folder role is a typo on the page for Delete folder (Folder.Delete).',
];

/** KKP 2.23 to 2.25: tagging in every infrastructure role, a separate infrastructure management user. */
const KKP_2_23: KkpRoleProfile = {
  name: 'kkp-2.23',
  first: '2.23',
  last: '2.25',
  source: `${DOCS}/v2.23/architecture/supported-providers/vsphere/vsphere.en.md (v2.24, v2.25 _index.en.md same permissions)`,
  testedWith: 'vSphere 8.0.2',
  minimumVsphere: '7.0u2',
  principals: { storage: 'Cloud Controller Manager (CCM) / CSI (e.g. cust-ccm-cluster)', machineController: 'Infrastructure Management (e.g. cust-infra-user-cluster)' },
  readOnlyOn: ['datacenter'],
  roles: ROLES_2_23,
  notes: NOTES_2_23,
};

/** KKP 2.26 and later: CNS search at the vCenter level for the CCM/CSI user, Read-only on the node VMs' hosts. */
const KKP_2_26: KkpRoleProfile = {
  name: 'kkp-2.26',
  first: '2.26',
  last: '2.31',
  source: `${DOCS}/v2.26/architecture/supported-providers/vsphere/_index.en.md (v2.27 to v2.31 and main: same permissions)`,
  testedWith: 'vSphere 8.0.2',
  minimumVsphere: '7.0u2',
  principals: KKP_2_23.principals,
  readOnlyOn: ['datacenter', 'host'],
  roles: [
    ...CCM_ROLES,
    role('storage-cns', 'k8c-ccm-storage-cns', [CNS_SEARCHABLE]),
    // The 2.26 page drops CentOS from the cluster role's purpose; the privileges are 2.23's.
    ...ROLES_2_23.slice(2).map((r) => (r.key === 'user-cluster' ? { ...r, purpose: PURPOSE.clusterNew } : r)),
  ],
  notes: NOTES_2_23,
};

/** Every profile, oldest first; together they cover every release in KKP_RELEASES without gaps. */
export const KKP_ROLE_PROFILES: readonly KkpRoleProfile[] = [KKP_2_12, KKP_2_14, KKP_2_18, KKP_2_21, KKP_2_22, KKP_2_23, KKP_2_26];

/** The eight custom roles of the 2.12 page, in the page's order (the library's first table). */
export const KKP_ROLE_DEFINITIONS: readonly KkpRoleDefinition[] = KKP_2_12.roles;
