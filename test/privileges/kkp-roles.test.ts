// Every KKP role's privileges, held against the documentation (shared/seed/kkp-vsphere-provider-docs.txt), per version.
// The expected IDs are written out here by hand from the documentation, independently of src/privileges/kkp-roles.ts.
import {
  KKP_ROLE_DEFINITIONS,
  VSPHERE_VERSIONS,
  VsphereVersion,
  kkpRoles,
  privilegeCatalog,
  resolveKkpRole,
} from '../../src/privileges';

const ids = (name: Parameters<typeof resolveKkpRole>[0], version: VsphereVersion) =>
  resolveKkpRole(name, version).privileges.map((p) => p.id);

// "Virtual machine > Change Configuration / Edit Inventory / Guest operations / Interaction / Provisioning /
// Snapshot management" as vSphere 6.7 lists them (VirtualMachine.Config.Unlock exists up to 6.7).
const VM_CONFIG_67 = [
  'AddExistingDisk', 'AddNewDisk', 'AddRemoveDevice', 'AdvancedConfig', 'Annotation', 'CPUCount', 'ChangeTracking',
  'DiskExtend', 'DiskLease', 'EditDevice', 'HostUSBDevice', 'ManagedBy', 'Memory', 'MksControl', 'QueryFTCompatibility',
  'QueryUnownedFiles', 'RawDevice', 'ReloadFromPath', 'RemoveDisk', 'Rename', 'ResetGuestInfo', 'Resource', 'Settings',
  'SwapPlacement', 'ToggleForkParent', 'Unlock', 'UpgradeVirtualHardware',
].map((p) => `VirtualMachine.Config.${p}`);
const VM_INVENTORY = ['Create', 'CreateFromExisting', 'Delete', 'Move', 'Register', 'Unregister'].map((p) => `VirtualMachine.Inventory.${p}`);
const VM_GUEST_OPS = ['Execute', 'Modify', 'ModifyAliases', 'Query', 'QueryAliases'].map((p) => `VirtualMachine.GuestOperations.${p}`);
const VM_INTERACT_67 = [
  'AnswerQuestion', 'Backup', 'ConsoleInteract', 'CreateScreenshot', 'CreateSecondary', 'DefragmentAllDisks',
  'DeviceConnection', 'DisableSecondary', 'DnD', 'EnableSecondary', 'GuestControl', 'MakePrimary', 'Pause', 'PowerOff',
  'PowerOn', 'PutUsbScanCodes', 'Record', 'Replay', 'Reset', 'SESparseMaintenance', 'SetCDMedia', 'SetFloppyMedia',
  'Suspend', 'TerminateFaultTolerantVM', 'ToolsInstall', 'TurnOffFaultTolerance',
].map((p) => `VirtualMachine.Interact.${p}`);
const VM_PROVISIONING = [
  'Clone', 'CloneTemplate', 'CreateTemplateFromVM', 'Customize', 'DeployTemplate', 'DiskRandomAccess', 'DiskRandomRead',
  'FileRandomAccess', 'GetVmFiles', 'MarkAsTemplate', 'MarkAsVM', 'ModifyCustSpecs', 'PromoteDisks', 'PutVmFiles',
  'ReadCustSpecs',
].map((p) => `VirtualMachine.Provisioning.${p}`);
const VM_SNAPSHOTS = ['CreateSnapshot', 'RemoveSnapshot', 'RenameSnapshot', 'RevertToSnapshot'].map((p) => `VirtualMachine.State.${p}`);

const sorted = (list: string[]) => [...list].sort();

describe('KKP roles against the documentation', () => {
  // Roles whose privileges are the same in every version.
  const fixed: Record<string, string[]> = {
    'k8c-storage-vmfolder-propagate': [
      'Folder.Create', 'Folder.Delete', 'VirtualMachine.Config.AddExistingDisk', 'VirtualMachine.Config.AddNewDisk',
      'VirtualMachine.Config.AddRemoveDevice', 'VirtualMachine.Config.RemoveDisk',
    ],
    'k8c-storage-datastore-propagate': ['Datastore.AllocateSpace', 'Datastore.FileManagement'],
    'k8c-user-vcenter': ['VirtualMachine.Provisioning.ModifyCustSpecs', 'VirtualMachine.Provisioning.ReadCustSpecs'],
    'k8c-user-datacenter': [
      'Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.DeleteFile', 'Datastore.FileManagement',
      'VApp.ApplicationConfig', 'VApp.InstanceConfig', 'VirtualMachine.Config.CPUCount', 'VirtualMachine.Config.Memory',
      'VirtualMachine.Config.Settings', 'VirtualMachine.Inventory.CreateFromExisting',
    ],
    'k8c-user-cluster-propagate': [
      'Host.Config.SystemManagement', 'Host.Local.ReconfigVM', 'Resource.AssignVMToPool', 'Resource.ColdMigrate',
      'Resource.HotMigrate', 'VApp.ApplicationConfig', 'VApp.InstanceConfig',
    ],
    'k8s-network-attach': ['Network.Assign'],
    'k8c-user-datastore-propagate': ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.FileManagement'],
  };

  for (const version of VSPHERE_VERSIONS) {
    for (const [name, expected] of Object.entries(fixed)) {
      test(`${name} on vSphere ${version} has exactly the documented privileges`, () => {
        expect(ids(name as any, version)).toEqual(sorted(expected));
      });
    }
  }

  const folderRoleBase = ['Folder.Create', 'Folder.Delete', 'Global.SetCustomField', ...VM_INVENTORY, ...VM_GUEST_OPS, ...VM_PROVISIONING, ...VM_SNAPSHOTS];

  test('k8c-user-folder-propagate on 6.7 expands whole groups with VirtualMachine.Config.Unlock and without SuspendToMemory', () => {
    expect(ids('k8c-user-folder-propagate', '6.7')).toEqual(sorted([...folderRoleBase, ...VM_CONFIG_67, ...VM_INTERACT_67]));
  });

  test('k8c-user-folder-propagate on 7.0 (before Update 2) has neither Unlock nor SuspendToMemory', () => {
    const configWithoutUnlock = VM_CONFIG_67.filter((id) => id !== 'VirtualMachine.Config.Unlock');
    expect(ids('k8c-user-folder-propagate', '7.0')).toEqual(sorted([...folderRoleBase, ...configWithoutUnlock, ...VM_INTERACT_67]));
  });

  test.each(['7.0u2', '8.0'] as VsphereVersion[])('k8c-user-folder-propagate on %s gains SuspendToMemory and loses Unlock', (version) => {
    const configWithoutUnlock = VM_CONFIG_67.filter((id) => id !== 'VirtualMachine.Config.Unlock');
    expect(ids('k8c-user-folder-propagate', version)).toEqual(
      sorted([...folderRoleBase, ...configWithoutUnlock, ...VM_INTERACT_67, 'VirtualMachine.Interact.SuspendToMemory']),
    );
  });

  test('grant targets and propagation follow the documentation', () => {
    const where = Object.fromEntries(KKP_ROLE_DEFINITIONS.map((d) => [d.name, `${d.grantedOn.join('|')} ${d.propagate ? 'propagated' : 'not propagated'}`]));
    expect(where).toEqual({
      'k8c-storage-vmfolder-propagate': 'folder propagated',
      'k8c-storage-datastore-propagate': 'datastore propagated',
      'k8c-user-vcenter': 'vcenter not propagated',
      'k8c-user-datacenter': 'datacenter not propagated',
      'k8c-user-cluster-propagate': 'cluster propagated',
      'k8s-network-attach': 'network not propagated',
      'k8c-user-datastore-propagate': 'datastore|datastoreCluster propagated',
      'k8c-user-folder-propagate': 'folder propagated',
    });
    expect(KKP_ROLE_DEFINITIONS.filter((d) => d.principal === 'storage').map((d) => d.name)).toEqual([
      'k8c-storage-vmfolder-propagate',
      'k8c-storage-datastore-propagate',
    ]);
  });

  test.each(VSPHERE_VERSIONS)('on %s every privilege is in the catalog, none is System.*, each keeps its documentation label', (version) => {
    const catalog = privilegeCatalog(version);
    for (const role of kkpRoles(version)) {
      for (const p of role.privileges) {
        expect(catalog.has(p.id)).toBe(true);
        expect(p.id.startsWith('System.')).toBe(false);
        expect(p.label).toMatch(/^[A-Za-z ]+ > /);
      }
    }
  });

  test('labels read like the documentation', () => {
    const labels = resolveKkpRole('k8c-user-cluster-propagate', '6.7').privileges.map((p) => `${p.id} = ${p.label}`);
    expect(labels).toContain('Host.Local.ReconfigVM = Host > Local operations > Reconfigure virtual machine');
    const folder = resolveKkpRole('k8c-user-folder-propagate', '8.0').privileges;
    expect(folder.find((p) => p.id === 'VirtualMachine.State.CreateSnapshot')!.label).toBe(
      'Virtual machine > Snapshot management (CreateSnapshot)',
    );
  });
});
