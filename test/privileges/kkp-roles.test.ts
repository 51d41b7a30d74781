// Every KKP role profile held against its documentation page (kubermatic/docs, content/kubermatic/<version>/...).
// The tables below are transcribed from the pages by hand, independently of src/facts/privileges/kkp-role-profiles.ts:
// role name, the objects it is granted on, propagation, and its privilege IDs. For the pages that print `govc role.ls`
// output (2.18 and later) the IDs are that output without the implicit System.* lines; for 2.12 and 2.14, which print
// none, they are the IDs of the UI labels.
import {
  KKP_ROLE_PROFILES,
  VSPHERE_VERSIONS,
  VsphereVersion,
  kkpRoleProfile,
  kkpRoles,
  privilegeCatalog,
  resolveKkpRole,
} from '../../src/facts/privileges';
import { KKP_RELEASES, KkpRelease } from '../../src/facts/kkp';

const sorted = (list: readonly string[]) => [...list].sort();
const ids = (name: string, version: VsphereVersion, release: KkpRelease) =>
  resolveKkpRole(name as any, version, release).privileges.map((p) => p.id);

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
/** The folder role's groups as the 2.18 page's govc output lists them (with Unlock, without SuspendToMemory). */
const FOLDER_GROUPS_GOVC = [...VM_CONFIG_67, ...VM_INVENTORY, ...VM_GUEST_OPS, ...VM_INTERACT_67, ...VM_PROVISIONING, ...VM_SNAPSHOTS];
const TAGGING = (names: string[]) => names.map((n) => `InventoryService.Tagging.${n}`);

interface PageRole {
  readonly name: string;
  readonly grantedOn: string;
  readonly propagate: boolean;
  readonly optional?: boolean;
  /** IDs without the groups of the folder role. */
  readonly ids: readonly string[];
  /** The folder role: its whole groups are expanded per vSphere version. */
  readonly folderGroups?: true;
}

interface PageTable {
  readonly releases: readonly KkpRelease[];
  readonly page: string;
  readonly readOnlyOn: readonly string[];
  readonly roles: readonly PageRole[];
}

// kubermatic/docs content/kubermatic/v2.12/requirements/cloud_provider/vsphere.en.md ("Seed Cluster", "User Cluster").
const PAGE_2_12: PageTable = {
  releases: ['2.12', '2.13'],
  page: 'v2.12/requirements/cloud_provider/vsphere.en.md',
  readOnlyOn: ['datacenter'],
  roles: [
    { name: 'k8c-storage-vmfolder-propagate', grantedOn: 'folder', propagate: true, ids: ['VirtualMachine.Config.AddExistingDisk', 'VirtualMachine.Config.AddNewDisk', 'VirtualMachine.Config.AddRemoveDevice', 'VirtualMachine.Config.RemoveDisk', 'Folder.Create', 'Folder.Delete'] },
    { name: 'k8c-storage-datastore-propagate', grantedOn: 'datastore', propagate: true, ids: ['Datastore.AllocateSpace', 'Datastore.FileManagement'] },
    { name: 'k8c-user-vcenter', grantedOn: 'vcenter', propagate: false, ids: ['VirtualMachine.Provisioning.ModifyCustSpecs', 'VirtualMachine.Provisioning.ReadCustSpecs'] },
    { name: 'k8c-user-datacenter', grantedOn: 'datacenter', propagate: false, ids: ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.FileManagement', 'Datastore.DeleteFile', 'VApp.ApplicationConfig', 'VApp.InstanceConfig', 'VirtualMachine.Config.CPUCount', 'VirtualMachine.Config.Memory', 'VirtualMachine.Config.Settings', 'VirtualMachine.Inventory.CreateFromExisting'] },
    { name: 'k8c-user-cluster-propagate', grantedOn: 'cluster', propagate: true, ids: ['Host.Config.SystemManagement', 'Host.Local.ReconfigVM', 'Resource.AssignVMToPool', 'Resource.ColdMigrate', 'Resource.HotMigrate', 'VApp.ApplicationConfig', 'VApp.InstanceConfig'] },
    { name: 'k8s-network-attach', grantedOn: 'network', propagate: false, ids: ['Network.Assign'] },
    { name: 'k8c-user-datastore-propagate', grantedOn: 'datastore|datastoreCluster', propagate: true, ids: ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.FileManagement'] },
    { name: 'k8c-user-folder-propagate', grantedOn: 'folder', propagate: true, ids: ['Folder.Create', 'Folder.Delete', 'Global.SetCustomField'], folderGroups: true },
  ],
};

// v2.14/requirements/cloud_provider/vsphere.en.md: "Profile-driven storage view" on the vCenter, network role on
// "distributed switch + network". v2.15, v2.16 and v2.17 print the same permissions.
const PAGE_2_14: PageTable = {
  releases: ['2.14', '2.15', '2.16', '2.17'],
  page: 'v2.14/requirements/cloud_provider/vsphere.en.md',
  readOnlyOn: ['datacenter'],
  roles: PAGE_2_12.roles.map((r) =>
    r.name === 'k8c-user-vcenter' ? { ...r, ids: [...r.ids, 'StorageProfile.View'] }
      : r.name === 'k8s-network-attach' ? { ...r, grantedOn: 'network|distributedSwitch' } : r),
};

// v2.18/architecture/requirements/support_policy/provider_support_matrix/vSphere/vSphere.en.md, govc output.
const GOVC_2_18: readonly PageRole[] = [
  { name: 'k8c-ccm-storage-vmfolder-propagate', grantedOn: 'folder', propagate: true, ids: ['Folder.Create', 'Folder.Delete', 'VirtualMachine.Config.AddExistingDisk', 'VirtualMachine.Config.AddNewDisk', 'VirtualMachine.Config.AddRemoveDevice', 'VirtualMachine.Config.RemoveDisk'] },
  { name: 'k8c-ccm-storage-datastore-propagate', grantedOn: 'datastore', propagate: true, ids: ['Datastore.AllocateSpace', 'Datastore.FileManagement'] },
  { name: 'k8c-user-vcenter', grantedOn: 'vcenter', propagate: false, ids: ['Cns.Searchable', 'InventoryService.Tagging.ObjectAttachable', 'StorageProfile.View', 'VirtualMachine.Provisioning.ModifyCustSpecs', 'VirtualMachine.Provisioning.ReadCustSpecs'] },
  { name: 'k8c-user-datacenter', grantedOn: 'datacenter', propagate: false, ids: ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.DeleteFile', 'Datastore.FileManagement', 'InventoryService.Tagging.ObjectAttachable', 'VApp.ApplicationConfig', 'VApp.InstanceConfig', 'VirtualMachine.Config.CPUCount', 'VirtualMachine.Config.Memory', 'VirtualMachine.Config.Settings', 'VirtualMachine.Inventory.CreateFromExisting'] },
  { name: 'k8c-user-cluster-propagate', grantedOn: 'cluster', propagate: true, ids: ['Folder.Create', 'Host.Config.Storage', 'Host.Config.SystemManagement', 'Host.Local.ReconfigVM', 'Resource.AssignVMToPool', 'Resource.ColdMigrate', 'Resource.HotMigrate', 'VApp.ApplicationConfig', 'VApp.InstanceConfig'] },
  { name: 'k8c-network-attach', grantedOn: 'network|distributedSwitch', propagate: false, ids: ['Network.Assign'] },
  { name: 'k8c-user-datastore-propagate', grantedOn: 'datastore|datastoreCluster', propagate: true, ids: ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.FileManagement'] },
  { name: 'k8c-user-folder-propagate', grantedOn: 'folder', propagate: true, ids: ['Folder.Create', 'Folder.Delete', 'Global.SetCustomField', 'InventoryService.Tagging.ObjectAttachable'], folderGroups: true },
];
const PAGE_2_18: PageTable = { releases: ['2.18', '2.19', '2.20'], page: 'v2.18 .../vSphere/vSphere.en.md', readOnlyOn: ['datacenter'], roles: GOVC_2_18 };

// v2.21/architecture/supported-providers/vSphere/vSphere.en.md: two optional roles "at datacenter level, propagated".
const PAGE_2_21: PageTable = {
  releases: ['2.21'],
  page: 'v2.21/architecture/supported-providers/vSphere/vSphere.en.md',
  readOnlyOn: ['datacenter'],
  roles: [
    ...GOVC_2_18,
    { name: 'k8c-user-tags-category', grantedOn: 'datacenter', propagate: true, optional: true, ids: TAGGING(['CreateCategory', 'CreateTag', 'DeleteCategory', 'DeleteTag']) },
    { name: 'k8c-user-tags', grantedOn: 'datacenter', propagate: true, optional: true, ids: TAGGING(['AttachTag', 'ObjectAttachable']) },
  ],
};

// v2.22/architecture/supported-providers/vsphere/vsphere.en.md: one tagging role, not marked optional.
const PAGE_2_22: PageTable = {
  releases: ['2.22'],
  page: 'v2.22/architecture/supported-providers/vsphere/vsphere.en.md',
  readOnlyOn: ['datacenter'],
  roles: [...GOVC_2_18, { name: 'k8c-user-tags', grantedOn: 'datacenter', propagate: true, ids: TAGGING(['AttachTag', 'CreateTag', 'DeleteTag', 'ObjectAttachable']) }],
};

// v2.23/architecture/supported-providers/vsphere/vsphere.en.md (v2.24, v2.25 the same), govc output.
const GOVC_2_23: readonly PageRole[] = [
  GOVC_2_18[0],
  GOVC_2_18[1],
  { name: 'k8c-user-vcenter', grantedOn: 'vcenter', propagate: false, ids: ['Cns.Searchable', ...TAGGING(['AttachTag', 'CreateCategory', 'CreateTag', 'DeleteCategory', 'DeleteTag', 'EditCategory', 'EditTag', 'ModifyUsedByForCategory', 'ModifyUsedByForTag', 'ObjectAttachable']), 'StorageProfile.View', 'VirtualMachine.Provisioning.ModifyCustSpecs', 'VirtualMachine.Provisioning.ReadCustSpecs'] },
  { name: 'k8c-user-datacenter', grantedOn: 'datacenter', propagate: false, ids: GOVC_2_18[3].ids },
  { name: 'k8c-user-cluster-propagate', grantedOn: 'cluster', propagate: true, ids: ['AutoDeploy.Rule.Create', 'AutoDeploy.Rule.Delete', 'AutoDeploy.Rule.Edit', 'Folder.Create', 'Host.Config.Storage', 'Host.Config.SystemManagement', 'Host.Inventory.EditCluster', 'Host.Local.ReconfigVM', 'InventoryService.Tagging.ObjectAttachable', 'Resource.AssignVMToPool', 'Resource.ColdMigrate', 'Resource.HotMigrate', 'VApp.ApplicationConfig', 'VApp.InstanceConfig'] },
  { name: 'k8c-network-attach', grantedOn: 'network|distributedSwitch', propagate: false, ids: ['InventoryService.Tagging.ObjectAttachable', 'Network.Assign'] },
  { name: 'k8c-user-datastore-propagate', grantedOn: 'datastore|datastoreCluster', propagate: true, ids: ['Datastore.AllocateSpace', 'Datastore.Browse', 'Datastore.FileManagement', 'InventoryService.Tagging.ObjectAttachable'] },
  { name: 'k8c-user-folder-propagate', grantedOn: 'folder', propagate: true, ids: ['Folder.Create', 'Folder.Delete', 'Global.SetCustomField', ...TAGGING(['CreateTag', 'DeleteTag', 'AttachTag', 'ObjectAttachable'])], folderGroups: true },
];
const PAGE_2_23: PageTable = { releases: ['2.23', '2.24', '2.25'], page: 'v2.23/architecture/supported-providers/vsphere/vsphere.en.md', readOnlyOn: ['datacenter'], roles: GOVC_2_23 };

// v2.26/architecture/supported-providers/vsphere/_index.en.md (v2.27 to v2.31 the same): k8c-ccm-storage-cns "at vcenter
// level, not propagated"; Read-only on the datacenter and "All hosts where the nodes VMs reside".
const PAGE_2_26: PageTable = {
  releases: ['2.26', '2.27', '2.28', '2.29', '2.30', '2.31'],
  page: 'v2.26/architecture/supported-providers/vsphere/_index.en.md',
  readOnlyOn: ['datacenter', 'host'],
  roles: [GOVC_2_23[0], GOVC_2_23[1], { name: 'k8c-ccm-storage-cns', grantedOn: 'vcenter', propagate: false, ids: ['Cns.Searchable'] }, ...GOVC_2_23.slice(2)],
};

const PAGES = [PAGE_2_12, PAGE_2_14, PAGE_2_18, PAGE_2_21, PAGE_2_22, PAGE_2_23, PAGE_2_26];

describe('KKP role profiles against the documentation pages', () => {
  test('the pages cover every known release once, and each release maps to the profile of its page', () => {
    expect(PAGES.flatMap((p) => p.releases)).toEqual([...KKP_RELEASES]);
    for (const page of PAGES) {
      const profiles = new Set(page.releases.map((r) => kkpRoleProfile(r).name));
      expect(profiles.size).toBe(1);
    }
    expect(KKP_ROLE_PROFILES.map((p) => `${p.first}-${p.last}`)).toEqual(PAGES.map((p) => `${p.releases[0]}-${p.releases[p.releases.length - 1]}`));
  });

  for (const page of PAGES) {
    const release = page.releases[0];
    // The pages from 2.18 on are for vSphere 7.0.2 and later; the older ones were tested with 6.7.
    const versions: VsphereVersion[] = release >= '2.18' ? ['7.0u2', '8.0'] : [...VSPHERE_VERSIONS];

    test(`KKP ${release}: role names, objects, propagation and Read-only as on ${page.page}`, () => {
      const profile = kkpRoleProfile(release);
      const shape = (r: { name: string; grantedOn: readonly string[] | string; propagate: boolean; optional?: boolean }) =>
        `${r.name} on ${typeof r.grantedOn === 'string' ? r.grantedOn : r.grantedOn.join('|')} ${r.propagate ? 'propagated' : 'not propagated'}${r.optional ? ' optional' : ''}`;
      expect(profile.roles.map(shape)).toEqual(page.roles.map(shape));
      expect(profile.readOnlyOn).toEqual(page.readOnlyOn);
    });

    for (const version of versions) {
      test(`KKP ${release} on vSphere ${version}: every role has exactly the page's privilege IDs`, () => {
        for (const role of page.roles) {
          const resolved = ids(role.name, version, release);
          if (!role.folderGroups) {
            expect({ role: role.name, ids: resolved }).toEqual({ role: role.name, ids: sorted(role.ids) });
            continue;
          }
          // Whole groups follow the version's catalog: Unlock up to 6.7, SuspendToMemory from 7.0U2.
          const groups = FOLDER_GROUPS_GOVC.filter((id) => version === '6.7' || id !== 'VirtualMachine.Config.Unlock');
          const suspend = version === '7.0u2' || version === '8.0' ? ['VirtualMachine.Interact.SuspendToMemory'] : [];
          expect({ role: role.name, ids: resolved }).toEqual({ role: role.name, ids: sorted([...role.ids, ...groups, ...suspend]) });
        }
      });
    }
  }

  test('the folder role differs from the 2.18 govc output exactly where the page contradicts vSphere 7.0U2 (Unlock, SuspendToMemory)', () => {
    const govc = sorted([...GOVC_2_18[7].ids, ...FOLDER_GROUPS_GOVC]);
    const resolved = ids('k8c-user-folder-propagate', '7.0u2', '2.18');
    expect(govc.filter((id) => !resolved.includes(id))).toEqual(['VirtualMachine.Config.Unlock']);
    expect(resolved.filter((id) => !govc.includes(id))).toEqual(['VirtualMachine.Interact.SuspendToMemory']);
    expect(kkpRoleProfile('2.18').notes.join(' ')).toMatch(/Unlock and not VirtualMachine\.Interact\.SuspendToMemory/);
  });

  test('IDs only the govc output lists are marked as such, with a label', () => {
    const vcenter = resolveKkpRole('user-vcenter', '8.0', '2.18').privileges;
    expect(vcenter.find((p) => p.id === 'InventoryService.Tagging.ObjectAttachable')).toEqual({
      id: 'InventoryService.Tagging.ObjectAttachable', label: 'vSphere Tagging > Assign or Unassign vSphere Tag on Object', source: 'govc',
    });
    expect(resolveKkpRole('user-cluster', '8.0', '2.18').privileges.find((p) => p.id === 'Folder.Create')!.source).toBe('govc');
    expect(resolveKkpRole('user-cluster', '8.0', '2.23').privileges.find((p) => p.id === 'Folder.Create')!.source).toBeUndefined();
  });

  test('labels read like the pages', () => {
    const labels = resolveKkpRole('k8c-user-cluster-propagate', '6.7', '2.12').privileges.map((p) => `${p.id} = ${p.label}`);
    expect(labels).toContain('Host.Local.ReconfigVM = Host > Local operations > Reconfigure virtual machine');
    expect(resolveKkpRole('k8c-user-folder-propagate', '8.0', '2.12').privileges.find((p) => p.id === 'VirtualMachine.State.CreateSnapshot')!.label).toBe(
      'Virtual machine > Snapshot management (CreateSnapshot)',
    );
    expect(resolveKkpRole('user-cluster', '8.0', '2.31').privileges.find((p) => p.id === 'Host.Inventory.EditCluster')!.label).toBe('Host > Inventory > Modify cluster');
    expect(resolveKkpRole('user-datacenter', '8.0', '2.31').privileges.find((p) => p.id === 'VirtualMachine.Config.Memory')!.label).toBe(
      'Virtual Machine > Change Configuration > Change Memory',
    );
  });

  test.each(VSPHERE_VERSIONS)('2.12 and 2.14 roles on %s: every privilege is in the catalog, none is System.*', (version) => {
    for (const release of ['2.12', '2.14'] as KkpRelease[]) {
      for (const role of kkpRoles(version, release)) {
        for (const p of role.privileges) {
          expect(privilegeCatalog(version).has(p.id)).toBe(true);
          expect(p.id.startsWith('System.')).toBe(false);
          expect(p.label).toMatch(/^[A-Za-z -]+ > /);
        }
      }
    }
  });

  test('a role by the name another page gave it resolves to this release\'s role of the same key', () => {
    expect(resolveKkpRole('k8c-storage-vmfolder-propagate', '8.0', '2.31').name).toBe('k8c-ccm-storage-vmfolder-propagate');
    expect(resolveKkpRole('k8s-network-attach', '8.0', '2.31').name).toBe('k8c-network-attach');
    expect(() => resolveKkpRole('storage-cns', '8.0', '2.25')).toThrow(
      /KKP role "storage-cns" is not on the vSphere page of KKP 2\.25 \(profile kkp-2\.23\)\. It is on the pages of KKP 2\.26-2\.31\./,
    );
  });

  test('the 2.18+ roles on vSphere 6.7 fail with the page\'s minimum and why the 6.7 catalog cannot tell', () => {
    expect(() => kkpRoles('6.7', '2.31')).toThrow(
      /KKP role "k8c-ccm-storage-cns" \(KKP 2\.26-2\.31\) lists Cns\.Searchable, which the privilege catalog of vSphere 6\.7 does not hold\. The vSphere 6\.7 catalog is an ESXi 6\.5U1 host capture, not a vCenter 6\.7 catalog.*no authoritative vCenter 6\.7 catalog is available.*The page of KKP 2\.26-2\.31 says its roles are for vSphere 7\.0u2 and later \("tested with vSphere 8\.0\.2"\)\. The catalogs of vSphere 7\.0, 7\.0u2, 8\.0 hold it/,
    );
  });

  test('the 2.14 vCenter role on 6.7 holds StorageProfile.View, which the ESXi capture lacks and the catalog adds with evidence', () => {
    expect(ids('user-vcenter', '6.7', '2.14')).toContain('StorageProfile.View');
  });
});
