// The vSphere roles of KKP's vSphere documentation, as data a reviewer can hold against the page.
// Source: shared/seed/kkp-vsphere-provider-docs.txt ("The vsphere user has to have to following permissions").
import { VsphereVersion, expandPrivilegeGroup, privilegeCatalog } from './catalog';

/** The kind of vSphere object a role is granted on. */
export type GrantTarget = 'vcenter' | 'datacenter' | 'cluster' | 'datastore' | 'datastoreCluster' | 'network' | 'folder';

/** Which KKP principal a role is for. */
export type KkpPrincipalKind =
  /** "Seed Cluster" roles: the storage user of the vSphere cloud provider / CSI driver (its credentials go into the cloud-config). */
  | 'storage'
  /** "User Cluster" roles: the user machine-controller uses to create worker VMs. */
  | 'machineController';

/** One privilege, with the documentation's UI label it came from. */
export interface LabelledPrivilege {
  readonly id: string;
  readonly label: string;
}

/** A privilege entry of the documentation: one privilege, or a whole group named without children. */
export type PrivilegeEntry = { readonly id: string; readonly label: string } | { readonly group: string; readonly label: string };

/** Names of the custom KKP roles, as the documentation spells them. */
export type KkpCustomRoleName =
  | 'k8c-storage-vmfolder-propagate'
  | 'k8c-storage-datastore-propagate'
  | 'k8c-user-vcenter'
  | 'k8c-user-datacenter'
  | 'k8c-user-cluster-propagate'
  | 'k8s-network-attach'
  | 'k8c-user-datastore-propagate'
  | 'k8c-user-folder-propagate';

/** A KKP role as the documentation describes it. */
export interface KkpRoleDefinition {
  readonly name: KkpCustomRoleName;
  readonly principal: KkpPrincipalKind;
  readonly grantedOn: readonly GrantTarget[];
  readonly propagate: boolean;
  /** Why KKP needs it, where the documentation says. */
  readonly purpose?: string;
  readonly privileges: readonly PrivilegeEntry[];
}

const VM = 'Virtual machine';

/** The eight custom roles, in the documentation's order. */
export const KKP_ROLE_DEFINITIONS: readonly KkpRoleDefinition[] = [
  {
    name: 'k8c-storage-vmfolder-propagate',
    principal: 'storage',
    grantedOn: ['folder'],
    propagate: true,
    privileges: [
      { id: 'VirtualMachine.Config.AddExistingDisk', label: `${VM} > Change Configuration > Add existing disk` },
      { id: 'VirtualMachine.Config.AddNewDisk', label: `${VM} > Change Configuration > Add new disk` },
      { id: 'VirtualMachine.Config.AddRemoveDevice', label: `${VM} > Change Configuration > Add or remove device` },
      { id: 'VirtualMachine.Config.RemoveDisk', label: `${VM} > Change Configuration > Remove disk` },
      { id: 'Folder.Create', label: 'Folder > Create folder' },
      { id: 'Folder.Delete', label: 'Folder > Delete folder' },
    ],
  },
  {
    name: 'k8c-storage-datastore-propagate',
    principal: 'storage',
    grantedOn: ['datastore'],
    propagate: true,
    privileges: [
      { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
      { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
    ],
  },
  {
    name: 'k8c-user-vcenter',
    principal: 'machineController',
    grantedOn: ['vcenter'],
    propagate: false,
    purpose: 'Needed to customize VM during provisioning',
    privileges: [
      { id: 'VirtualMachine.Provisioning.ModifyCustSpecs', label: 'VirtualMachine > Provisioning > Modify customization specification' },
      { id: 'VirtualMachine.Provisioning.ReadCustSpecs', label: 'VirtualMachine > Provisioning > Read customization specifications' },
    ],
  },
  {
    name: 'k8c-user-datacenter',
    principal: 'machineController',
    grantedOn: ['datacenter'],
    propagate: false,
    purpose: 'Needed for cloning the template VM (obviously this is not done in a folder at this time)',
    privileges: [
      { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
      { id: 'Datastore.Browse', label: 'Datastore > Browse datastore' },
      { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
      { id: 'Datastore.DeleteFile', label: 'Datastore > Remove file' },
      { id: 'VApp.ApplicationConfig', label: 'vApp > vApp application configuration' },
      { id: 'VApp.InstanceConfig', label: 'vApp > vApp instance configuration' },
      { id: 'VirtualMachine.Config.CPUCount', label: 'Virtual Machine > Change CPU count' },
      { id: 'VirtualMachine.Config.Memory', label: 'Virtual Machine > Memory' },
      { id: 'VirtualMachine.Config.Settings', label: 'Virtual Machine > Settings' },
      { id: 'VirtualMachine.Inventory.CreateFromExisting', label: 'Virtual Machine > Inventory > Create from existing' },
    ],
  },
  {
    name: 'k8c-user-cluster-propagate',
    principal: 'machineController',
    grantedOn: ['cluster'],
    propagate: true,
    purpose: 'Needed for upload of cloud-init.iso (Ubuntu and CentOS) or defining the Ignition config into Guestinfo (CoreOS)',
    privileges: [
      { id: 'Host.Config.SystemManagement', label: 'Host > Configuration > System Management' },
      { id: 'Host.Local.ReconfigVM', label: 'Host > Local operations > Reconfigure virtual machine' },
      { id: 'Resource.AssignVMToPool', label: 'Resource > Assign virtual machine to resource pool' },
      { id: 'Resource.ColdMigrate', label: 'Resource > Migrate powered off virtual machine' },
      { id: 'Resource.HotMigrate', label: 'Resource > Migrate powered on virtual machine' },
      { id: 'VApp.ApplicationConfig', label: 'vApp > vApp application configuration' },
      { id: 'VApp.InstanceConfig', label: 'vApp > vApp instance configuration' },
    ],
  },
  {
    name: 'k8s-network-attach',
    principal: 'machineController',
    grantedOn: ['network'],
    propagate: false,
    purpose: 'Granted for each network that should be used',
    privileges: [{ id: 'Network.Assign', label: 'Network > Assign network' }],
  },
  {
    name: 'k8c-user-datastore-propagate',
    principal: 'machineController',
    grantedOn: ['datastore', 'datastoreCluster'],
    propagate: true,
    privileges: [
      { id: 'Datastore.AllocateSpace', label: 'Datastore > Allocate space' },
      { id: 'Datastore.Browse', label: 'Datastore > Browse datastore' },
      { id: 'Datastore.FileManagement', label: 'Datastore > Low level file operations' },
    ],
  },
  {
    name: 'k8c-user-folder-propagate',
    principal: 'machineController',
    grantedOn: ['folder'],
    propagate: true,
    purpose: 'Needed for managing the node VMs',
    privileges: [
      { id: 'Folder.Create', label: 'Folder > Create folder' },
      { id: 'Folder.Delete', label: 'Folder > Delete folder' },
      { id: 'Global.SetCustomField', label: 'Global > Set custom attribute' },
      { group: 'VirtualMachine.Config', label: `${VM} > Change Configuration` },
      { group: 'VirtualMachine.Inventory', label: `${VM} > Edit Inventory` },
      { group: 'VirtualMachine.GuestOperations', label: `${VM} > Guest operations` },
      { group: 'VirtualMachine.Interact', label: `${VM} > Interaction` },
      { group: 'VirtualMachine.Provisioning', label: `${VM} > Provisioning` },
      { group: 'VirtualMachine.State', label: `${VM} > Snapshot management` },
    ],
  },
];

/** The predefined Read-only role: referenced by id, never created. */
export const READ_ONLY_ROLE = {
  name: 'Read-only',
  id: '-2',
  principal: 'storage' as KkpPrincipalKind,
  grantedOn: ['datacenter'] as readonly GrantTarget[],
  propagate: false,
} as const;

/** A KKP role resolved for one vSphere version: exact, sorted privilege IDs with their labels. */
export interface ResolvedKkpRole extends Omit<KkpRoleDefinition, 'privileges'> {
  readonly vsphereVersion: VsphereVersion;
  /** Sorted by ID; a whole group expands to every privilege of that group in the version. */
  readonly privileges: readonly LabelledPrivilege[];
}

/** The definition of one custom KKP role. */
export function kkpRoleDefinition(name: KkpCustomRoleName): KkpRoleDefinition {
  const def = KKP_ROLE_DEFINITIONS.find((d) => d.name === name);
  if (!def) {
    throw new Error(
      `Unknown KKP role "${name}". Known roles: ${KKP_ROLE_DEFINITIONS.map((d) => d.name).join(', ')}.`,
    );
  }
  return def;
}

/** One KKP role with the exact privilege IDs of `version`. */
export function resolveKkpRole(name: KkpCustomRoleName, version: VsphereVersion): ResolvedKkpRole {
  const def = kkpRoleDefinition(name);
  const catalog = privilegeCatalog(version);
  const byId = new Map<string, LabelledPrivilege>();
  for (const entry of def.privileges) {
    if ('group' in entry) {
      for (const id of expandPrivilegeGroup(entry.group, version)) {
        if (!byId.has(id)) byId.set(id, { id, label: `${entry.label} (${id.slice(entry.group.length + 1)})` });
      }
    } else {
      if (!catalog.has(entry.id)) {
        throw new Error(`KKP role "${name}" lists ${entry.id}, which vSphere ${version} does not know.`);
      }
      if (!byId.has(entry.id)) byId.set(entry.id, { id: entry.id, label: entry.label });
    }
  }
  const privileges = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...def, vsphereVersion: version, privileges };
}

/** Every custom KKP role for `version`, in the documentation's order. */
export function kkpRoles(version: VsphereVersion): ResolvedKkpRole[] {
  return KKP_ROLE_DEFINITIONS.map((def) => resolveKkpRole(def.name, version));
}
