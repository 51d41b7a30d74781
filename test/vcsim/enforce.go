package main

// Privilege enforcement: with VCSIM_ENFORCE_PRIVILEGES=1 the simulator refuses a call whose session user lacks a
// privilege vCenter requires for it, with the NoPermission fault vCenter answers (vim.fault.NoPermission: object,
// privilegeId and, since vSphere 8.0, missingPrivileges), before any task is created. The stock simulator lets every
// session call every method.
//
// Who is checked: every session except the administrator's (VCSIM_USER, the login the provider and the tests' setup
// use, which stays unrestricted as vCenter's Administrator@vsphere.local is). The other users log in with the
// passwords of VCSIM_USERS, a JSON object {"DOMAIN\\name": "password", ...} (names match case-insensitively, as
// DOMAIN\name or name@domain); their groups come from VCSIM_GROUP_MEMBERS (privileges.go).
//
// What they hold: the effective privileges of privileges.go (nearest permission, propagation, user over groups, a VM
// inheriting from its folder and its resource pool, System.Anonymous/Read/View in every role but No access).
//
// Which privileges each method requires: soapRules below, each with the vSphere reference it follows; the vAPI
// tagging calls and datastore file access over HTTP in enforce_http.go; what the user may see (PropertyCollector,
// SearchIndex) in visibility.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"

	cnssim "github.com/vmware/govmomi/cns/simulator"
	cnstypes "github.com/vmware/govmomi/cns/types"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// noPermissionMessage is vCenter's fault string for NoPermission.
const noPermissionMessage = "Permission to perform this operation was denied."

// need is one privilege a call requires on one object.
type need struct {
	obj  types.ManagedObjectReference
	priv string
}

// enforcement holds what the checks need beside the request: the inventory, the permissions, who is exempt, and the
// sessions' users for the HTTP endpoints (which do not go through the SOAP dispatcher).
type enforcement struct {
	vim   *simulator.Registry
	auth  *faithfulAuthorizationManager
	admin string // normalPrincipal of VCSIM_USER
	// rootFolder: the vCenter root, where vCenter-wide privileges (tagging, CNS search) are checked
	rootFolder types.ManagedObjectReference
	content    types.ServiceContent

	mu   sync.Mutex
	soap map[string]string // SOAP session key (the vmware_soap_session cookie) -> user
	rest map[string]string // vAPI session id -> user
}

// enforcer is set when enforcement is on; the per-session PropertyCollector and SearchIndex (visibility.go) use it.
var enforcer *enforcement

// enforcementConfig is what main reads from the environment.
type enforcementConfig struct {
	Enforce bool
	Admin   string
	Users   map[string]string // normalPrincipal -> password
}

func enforcementFromEnv() (enforcementConfig, error) {
	cfg := enforcementConfig{Enforce: os.Getenv("VCSIM_ENFORCE_PRIVILEGES") == "1", Admin: os.Getenv("VCSIM_USER")}
	if raw := os.Getenv("VCSIM_USERS"); raw != "" {
		users := map[string]string{}
		if err := json.Unmarshal([]byte(raw), &users); err != nil {
			return cfg, fmt.Errorf("VCSIM_USERS must be a JSON object of user name to password: %v", err)
		}
		cfg.Users = map[string]string{}
		for name, password := range users {
			if password == "" {
				return cfg, fmt.Errorf("VCSIM_USERS: %s has an empty password", name)
			}
			cfg.Users[normalPrincipal(name)] = password
		}
	}
	if (cfg.Enforce || cfg.Users != nil) && cfg.Admin == "" {
		return cfg, fmt.Errorf("VCSIM_ENFORCE_PRIVILEGES and VCSIM_USERS need VCSIM_USER and VCSIM_PASSWORD (the unrestricted administrator)")
	}
	return cfg, nil
}

// installEnforcement adds the VCSIM_USERS logins and, when cfg.Enforce, the privilege checks; call it after
// installFaithfulAuthorization and before the server starts. The returned value wraps the HTTP handler (wrapHTTP).
func installEnforcement(model *simulator.Model, cfg enforcementConfig, adminPassword string) *enforcement {
	registry := model.Map()
	if cfg.Users != nil {
		registry.SessionManager().ValidLogin = func(req *types.Login) bool {
			if req.UserName == cfg.Admin && req.Password == adminPassword {
				return true
			}
			password, ok := cfg.Users[normalPrincipal(req.UserName)]
			return ok && req.Password == password
		}
	}
	if !cfg.Enforce {
		return nil
	}
	e := &enforcement{
		vim:        registry,
		auth:       registry.Get(*model.ServiceContent.AuthorizationManager).(*faithfulAuthorizationManager),
		admin:      normalPrincipal(cfg.Admin),
		rootFolder: model.ServiceContent.RootFolder,
		content:    model.ServiceContent,
		soap:       map[string]string{},
		rest:       map[string]string{},
	}
	enforcer = e
	registry.Handler = e.soapHook
	// The CNS endpoint (/vsan) has its own registry: register it now with the hook, the simulator's endpoint
	// registration then adds its CnsVolumeManager to this registry.
	cns := cnssim.New()
	cns.Handler = e.soapHook
	model.Service.RegisterSDK(cns)
	return e
}

func (e *enforcement) exempt(user string) bool {
	return normalPrincipal(user) == e.admin
}

// ctx is a context on the vim25 inventory for privilege computations (any endpoint).
func (e *enforcement) ctx() *simulator.Context {
	return &simulator.Context{Context: context.Background(), Map: e.vim}
}

// check answers nil when user holds every need, else the NoPermission fault for the first one missing, with every
// missing privilege in missingPrivileges. Needs on objects that do not exist (or are not entities) are left to the
// method, which answers ManagedObjectNotFound as before.
func (e *enforcement) check(user string, needs []need) *types.NoPermission {
	ctx := e.ctx()
	held := map[types.ManagedObjectReference]map[string]bool{}
	var first *need
	var missing []types.NoPermissionEntityPrivileges
	index := map[types.ManagedObjectReference]int{}
	for i := range needs {
		n := needs[i]
		if _, ok := e.vim.Get(n.obj).(mo.Entity); !ok {
			continue
		}
		set, ok := held[n.obj]
		if !ok {
			set = map[string]bool{}
			for _, p := range e.auth.effective(ctx, n.obj, user) {
				set[p] = true
			}
			held[n.obj] = set
		}
		if set[n.priv] {
			continue
		}
		if first == nil {
			first = &n
		}
		j, ok := index[n.obj]
		if !ok {
			j = len(missing)
			index[n.obj] = j
			missing = append(missing, types.NoPermissionEntityPrivileges{Entity: n.obj})
		}
		if !contains(missing[j].PrivilegeIds, n.priv) {
			missing[j].PrivilegeIds = append(missing[j].PrivilegeIds, n.priv)
		}
	}
	if first == nil {
		return nil
	}
	obj := first.obj
	return &types.NoPermission{Object: &obj, PrivilegeId: first.priv, MissingPrivileges: missing}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// visible: vCenter shows an entity to a user who holds System.Read on it (every role but No access carries it). A
// datacenter's own vm, host, datastore and network folders take no permission (authorization.go); the simulator shows
// them to whoever reads the datacenter, so that a Read-only permission on the datacenter that does not propagate (as
// KKP's and the vSphere CSI driver's pages grant it) lets a user walk the inventory paths below it.
func (e *enforcement) visible(user string, ref types.ManagedObjectReference) bool {
	entity, ok := e.vim.Get(ref).(mo.Entity)
	if !ok {
		return true // not an inventory object (managers, views, tasks): not subject to permissions here
	}
	if ref == e.rootFolder {
		return true // the vCenter root: every logged-in user sees it (the top of every inventory path)
	}
	if parent := entity.Entity().Parent; ref.Type == "Folder" && parent != nil && parent.Type == "Datacenter" {
		ref = *parent
	}
	return e.check(user, []need{{ref, "System.Read"}}) == nil
}

// soapHook runs before every SOAP method (vim25 and CNS): it refuses the call with NoPermission when a rule says so,
// and gives the session its filtering PropertyCollector and SearchIndex (visibility.go).
func (e *enforcement) soapHook(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	if ctx.Session == nil {
		return nil, nil
	}
	user := ctx.Session.UserName
	e.mu.Lock()
	e.soap[ctx.Session.Key] = user
	e.mu.Unlock()
	// The simulator's own in-process calls (the finder of its /folder handler) run in its internal session, which
	// has no user: they are the server's, not a client's.
	if e.exempt(user) || user == "" {
		return nil, nil
	}
	e.installVisibility(ctx)
	rule, ok := soapRules[m.Name]
	if !ok {
		return nil, nil
	}
	if fault := e.check(user, rule(e, m.This, m.Body)); fault != nil {
		return nil, fault
	}
	return nil, nil
}

// soapRules: method name -> the privileges the call requires, read from the request and the inventory.
var soapRules = map[string]func(e *enforcement, this types.ManagedObjectReference, body any) []need{
	// vSphere Web Services API, Folder.CreateFolder: "Required privileges: Folder.Create" (on the folder).
	"CreateFolder": func(e *enforcement, this types.ManagedObjectReference, _ any) []need {
		return []need{{this, "Folder.Create"}}
	},
	// Folder.CreateVM_Task: "Required privileges: VirtualMachine.Inventory.Create" on the folder, and
	// Resource.AssignVMToPool on the pool parameter.
	"CreateVM_Task": func(e *enforcement, this types.ManagedObjectReference, body any) []need {
		req := body.(*types.CreateVM_Task)
		needs := []need{{this, "VirtualMachine.Inventory.Create"}, {req.Pool, "Resource.AssignVMToPool"}}
		return append(needs, e.deviceNeeds(nil, req.Config.DeviceChange)...)
	},
	// ManagedEntity.Destroy_Task: the privilege of the entity's kind. vSphere Security, "Folder Privileges" (Delete
	// folder) and "Virtual Machine Inventory Privileges" (Remove): "a user or group must have this privilege
	// assigned in both the object and its parent object".
	"Destroy_Task": func(e *enforcement, this types.ManagedObjectReference, _ any) []need {
		var priv string
		switch this.Type {
		case "VirtualMachine":
			priv = "VirtualMachine.Inventory.Delete"
		case "Folder":
			priv = "Folder.Delete"
		case "ResourcePool":
			priv = "Resource.DeletePool"
		case "Datacenter":
			priv = "Datacenter.Delete"
		default:
			return nil
		}
		needs := []need{{this, priv}}
		if entity, ok := e.vim.Get(this).(mo.Entity); ok && entity.Entity().Parent != nil {
			needs = append(needs, need{*entity.Entity().Parent, priv})
		}
		return needs
	},
	// VirtualMachine.PowerOnVM_Task / PowerOffVM_Task: "Required privileges: VirtualMachine.Interact.PowerOn" /
	// "VirtualMachine.Interact.PowerOff" (on the VM).
	"PowerOnVM_Task": func(e *enforcement, this types.ManagedObjectReference, _ any) []need {
		return []need{{this, "VirtualMachine.Interact.PowerOn"}}
	},
	"PowerOffVM_Task": func(e *enforcement, this types.ManagedObjectReference, _ any) []need {
		return []need{{this, "VirtualMachine.Interact.PowerOff"}}
	},
	// FileManager.DeleteDatastoreFile_Task: "Requires Datastore.FileManagement privilege on the datastore", and
	// System.View on the datacenter parameter (the datastore path "[name] path" names the datastore in it).
	"DeleteDatastoreFile_Task": func(e *enforcement, _ types.ManagedObjectReference, body any) []need {
		req := body.(*types.DeleteDatastoreFile_Task)
		var needs []need
		dc := ""
		if req.Datacenter != nil {
			needs = append(needs, need{*req.Datacenter, "System.View"})
			if entity, ok := e.vim.Get(*req.Datacenter).(mo.Entity); ok {
				dc = entity.Entity().Name
			}
		}
		var p object.DatastorePath
		if !p.FromString(req.Name) {
			return needs
		}
		for _, ds := range e.vim.All("Datastore") {
			if ds.Entity().Name == p.Datastore && (dc == "" || e.under(ds, dc)) {
				needs = append(needs, need{ds.Reference(), "Datastore.FileManagement"})
			}
		}
		return needs
	},
	"CloneVM_Task": func(e *enforcement, this types.ManagedObjectReference, body any) []need {
		return e.cloneNeeds(this, body.(*types.CloneVM_Task))
	},
	"ReconfigVM_Task": func(e *enforcement, this types.ManagedObjectReference, body any) []need {
		return e.reconfigNeeds(this, &body.(*types.ReconfigVM_Task).Spec)
	},
	// CNS: the vSphere Container Storage Plug-in's role table (vsphere-csi-driver, "vSphere Roles and Privileges":
	// CNS-SEARCH-AND-SPBM with Cns.Searchable on the vCenter root, CNS-DATASTORE with Datastore.FileManagement on the
	// datastores, CNS-VM with VirtualMachine.Config.AddExistingDisk and AddRemoveDevice on the node VMs); the CNS API
	// reference names no privileges.
	"CnsCreateVolume": func(e *enforcement, _ types.ManagedObjectReference, body any) []need {
		needs := []need{{e.root(), "Cns.Searchable"}}
		for _, spec := range body.(*cnstypes.CnsCreateVolume).CreateSpecs {
			for _, ds := range spec.Datastores {
				needs = append(needs, need{ds, "Datastore.FileManagement"})
			}
		}
		return needs
	},
	"CnsDeleteVolume": func(e *enforcement, _ types.ManagedObjectReference, body any) []need {
		needs := []need{{e.root(), "Cns.Searchable"}}
		for _, id := range body.(*cnstypes.CnsDeleteVolume).VolumeIds {
			if ds, ok := e.volumeDatastore(id.Id); ok {
				needs = append(needs, need{ds, "Datastore.FileManagement"})
			}
		}
		return needs
	},
	"CnsAttachVolume": func(e *enforcement, _ types.ManagedObjectReference, body any) []need {
		var needs []need
		for _, spec := range body.(*cnstypes.CnsAttachVolume).AttachSpecs {
			needs = append(needs, need{spec.Vm, "VirtualMachine.Config.AddExistingDisk"}, need{spec.Vm, "VirtualMachine.Config.AddRemoveDevice"})
		}
		return needs
	},
	"CnsDetachVolume": func(e *enforcement, _ types.ManagedObjectReference, body any) []need {
		var needs []need
		for _, spec := range body.(*cnstypes.CnsDetachVolume).DetachSpecs {
			needs = append(needs, need{spec.Vm, "VirtualMachine.Config.AddRemoveDevice"})
		}
		return needs
	},
}

func (e *enforcement) root() types.ManagedObjectReference {
	return e.rootFolder
}

// volumeDatastore finds the datastore of a CNS volume (a first-class disk of the same id).
func (e *enforcement) volumeDatastore(id string) (types.ManagedObjectReference, bool) {
	for ds, objects := range e.vim.VStorageObjectManager().Catalog() {
		for objID := range objects {
			if objID.Id == id {
				return ds, true
			}
		}
	}
	return types.ManagedObjectReference{}, false
}

// cloneNeeds follows the vSphere Web Services API, VirtualMachine.CloneVM_Task: on the source, by source and
// destination kind, VirtualMachine.Provisioning.Clone (VM to VM), CreateTemplateFromVM (VM to template),
// DeployTemplate (template to VM) or CloneTemplate (template to template), and Provisioning.Customize with a
// customization spec; VirtualMachine.Inventory.CreateFromExisting on the destination folder; Resource.AssignVMToPool
// on the resource pool unless the destination is a template; Datastore.AllocateSpace on every datastore the clone is
// created on; Network.Assign on each network a virtual NIC of the spec connects to.
func (e *enforcement) cloneNeeds(this types.ManagedObjectReference, req *types.CloneVM_Task) []need {
	vm, _ := e.vim.Get(this).(*simulator.VirtualMachine)
	template := vm != nil && vm.Config != nil && vm.Config.Template
	var source string
	switch {
	case template && req.Spec.Template:
		source = "VirtualMachine.Provisioning.CloneTemplate"
	case template:
		source = "VirtualMachine.Provisioning.DeployTemplate"
	case req.Spec.Template:
		source = "VirtualMachine.Provisioning.CreateTemplateFromVM"
	default:
		source = "VirtualMachine.Provisioning.Clone"
	}
	needs := []need{{this, source}}
	if req.Spec.Customization != nil {
		needs = append(needs, need{this, "VirtualMachine.Provisioning.Customize"})
	}
	needs = append(needs, need{req.Folder, "VirtualMachine.Inventory.CreateFromExisting"})
	loc := req.Spec.Location
	if !req.Spec.Template {
		pool := loc.Pool
		if pool == nil && vm != nil {
			pool = vm.ResourcePool
		}
		if pool != nil {
			needs = append(needs, need{*pool, "Resource.AssignVMToPool"})
		}
	}
	var datastores []types.ManagedObjectReference
	if loc.Datastore != nil {
		datastores = append(datastores, *loc.Datastore)
	} else if vm != nil {
		datastores = append(datastores, vm.Datastore...)
	}
	for _, disk := range loc.Disk {
		datastores = append(datastores, disk.Datastore)
	}
	for _, ds := range datastores {
		needs = append(needs, need{ds, "Datastore.AllocateSpace"})
	}
	changes := loc.DeviceChange
	if req.Spec.Config != nil {
		changes = append(changes, req.Spec.Config.DeviceChange...)
	}
	for _, change := range changes {
		if net, ok := e.nicNetwork(change.GetVirtualDeviceConfigSpec().Device); ok {
			needs = append(needs, need{net, "Network.Assign"})
		}
	}
	return needs
}

// reconfigNeeds follows the vSphere Web Services API, VirtualMachine.ReconfigVM_Task and VirtualMachineConfigSpec
// ("Reconfigure privilege" of each property): every property the spec sets requires its privilege on the VM.
func (e *enforcement) reconfigNeeds(this types.ManagedObjectReference, spec *types.VirtualMachineConfigSpec) []need {
	vm, _ := e.vim.Get(this).(*simulator.VirtualMachine)
	var privs []string
	add := func(set bool, priv string) {
		if set && !contains(privs, priv) {
			privs = append(privs, priv)
		}
	}
	add(spec.Name != "" || spec.Annotation != "", "VirtualMachine.Config.Rename")
	add(spec.NumCPUs != 0 || spec.NumCoresPerSocket != nil, "VirtualMachine.Config.CPUCount")
	add(spec.MemoryMB != 0, "VirtualMachine.Config.Memory")
	add(len(spec.ExtraConfig) > 0, "VirtualMachine.Config.AdvancedConfig")
	add(spec.AlternateGuestName != "" || spec.GuestId != "" || spec.Flags != nil || spec.Tools != nil || spec.BootOptions != nil ||
		spec.PowerOpInfo != nil || spec.ConsolePreferences != nil || spec.CpuHotAddEnabled != nil || spec.CpuHotRemoveEnabled != nil ||
		spec.MemoryHotAddEnabled != nil || spec.NestedHVEnabled != nil || spec.Firmware != "", "VirtualMachine.Config.Settings")
	add(spec.CpuAllocation != nil || spec.MemoryAllocation != nil || spec.CpuAffinity != nil || spec.MemoryAffinity != nil ||
		spec.LatencySensitivity != nil, "VirtualMachine.Config.Resource")
	add(spec.SwapPlacement != "", "VirtualMachine.Config.SwapPlacement")
	add(spec.ChangeTrackingEnabled != nil, "VirtualMachine.Config.ChangeTracking")
	add(spec.ManagedBy != nil, "VirtualMachine.Config.ManagedBy")
	// vApp options (VmConfigSpec, VAppPropertyInfo, VAppIPAssignmentInfo): a property's value is instance
	// configuration (VApp.InstanceConfig); defining or removing properties, products, EULAs, OVF sections and
	// transports is application configuration (VApp.ApplicationConfig).
	if v := spec.VAppConfig; v != nil {
		vapp := v.GetVmConfigSpec()
		add(len(vapp.Product) > 0 || len(vapp.Eula) > 0 || len(vapp.OvfSection) > 0 || len(vapp.OvfEnvironmentTransport) > 0 ||
			vapp.InstallBootRequired != nil || vapp.InstallBootStopDelay != 0, "VApp.ApplicationConfig")
		for _, p := range vapp.Property {
			if p.Operation == types.ArrayUpdateOperationRemove {
				add(true, "VApp.ApplicationConfig")
				continue
			}
			if p.Info == nil {
				continue
			}
			i := p.Info
			add(i.Value != "", "VApp.InstanceConfig")
			add(i.Id != "" || i.Label != "" || i.Type != "" || i.TypeReference != "" || i.DefaultValue != "" || i.Description != "" ||
				i.Category != "" || i.ClassId != "" || i.InstanceId != "" || i.UserConfigurable != nil, "VApp.ApplicationConfig")
		}
		if ip := vapp.IpAssignment; ip != nil {
			add(ip.IpAllocationPolicy != "" || ip.IpProtocol != "", "VApp.InstanceConfig")
			add(len(ip.SupportedAllocationScheme) > 0 || len(ip.SupportedIpProtocol) > 0, "VApp.ApplicationConfig")
		}
	}
	add(spec.VAppConfigRemoved != nil && *spec.VAppConfigRemoved, "VApp.ApplicationConfig")
	var needs []need
	for _, p := range privs {
		needs = append(needs, need{this, p})
	}
	return append(needs, e.deviceNeeds(vm, spec.DeviceChange)...)
}

// deviceNeeds: the device changes of a ConfigSpec (ReconfigVM_Task's list): a disk added with a new file
// VirtualMachine.Config.AddNewDisk (and Datastore.AllocateSpace on its datastore), with an existing file
// AddExistingDisk, removed RemoveDisk, grown DiskExtend; any other device added or removed AddRemoveDevice; a CD-ROM
// or floppy given another backing VirtualMachine.Interact.SetCDMedia / SetFloppyMedia; a device connected or
// disconnected VirtualMachine.Interact.DeviceConnection; any other edit VirtualMachine.Config.EditDevice; a virtual
// NIC attached to a network Network.Assign on that network.
func (e *enforcement) deviceNeeds(vm *simulator.VirtualMachine, changes []types.BaseVirtualDeviceConfigSpec) []need {
	var needs []need
	var self types.ManagedObjectReference
	if vm != nil {
		self = vm.Self
	}
	on := func(priv string) {
		if vm != nil {
			needs = append(needs, need{self, priv})
		}
	}
	for _, c := range changes {
		change := c.GetVirtualDeviceConfigSpec()
		device := change.Device
		if device == nil {
			continue
		}
		current := currentDevice(vm, device.GetVirtualDevice().Key)
		switch d := device.(type) {
		case *types.VirtualDisk:
			switch change.Operation {
			case types.VirtualDeviceConfigSpecOperationAdd:
				if change.FileOperation == types.VirtualDeviceConfigSpecFileOperationCreate {
					on("VirtualMachine.Config.AddNewDisk")
					if ds, ok := diskDatastore(d, vm); ok {
						needs = append(needs, need{ds, "Datastore.AllocateSpace"})
					}
				} else {
					on("VirtualMachine.Config.AddExistingDisk")
				}
			case types.VirtualDeviceConfigSpecOperationRemove:
				on("VirtualMachine.Config.RemoveDisk")
			case types.VirtualDeviceConfigSpecOperationEdit:
				if old, ok := current.(*types.VirtualDisk); ok && (d.CapacityInKB > old.CapacityInKB || d.CapacityInBytes > old.CapacityInBytes) {
					on("VirtualMachine.Config.DiskExtend")
				} else {
					on("VirtualMachine.Config.EditDevice")
				}
			}
		default:
			switch change.Operation {
			case types.VirtualDeviceConfigSpecOperationAdd, types.VirtualDeviceConfigSpecOperationRemove:
				on("VirtualMachine.Config.AddRemoveDevice")
			case types.VirtualDeviceConfigSpecOperationEdit:
				if connectionChanged(device, current) {
					on("VirtualMachine.Interact.DeviceConnection")
				}
				backingChanged := current == nil || !reflect.DeepEqual(device.GetVirtualDevice().Backing, current.GetVirtualDevice().Backing)
				switch device.(type) {
				case *types.VirtualCdrom:
					if backingChanged {
						on("VirtualMachine.Interact.SetCDMedia")
					}
				case *types.VirtualFloppy:
					if backingChanged {
						on("VirtualMachine.Interact.SetFloppyMedia")
					}
				default:
					on("VirtualMachine.Config.EditDevice")
				}
			}
		}
		if change.Operation != types.VirtualDeviceConfigSpecOperationRemove {
			if net, ok := e.nicNetwork(device); ok {
				if old, had := e.nicNetwork(current); !had || old != net || change.Operation == types.VirtualDeviceConfigSpecOperationAdd {
					needs = append(needs, need{net, "Network.Assign"})
				}
			}
		}
	}
	return needs
}

func currentDevice(vm *simulator.VirtualMachine, key int32) types.BaseVirtualDevice {
	if vm == nil || vm.Config == nil {
		return nil
	}
	for _, d := range vm.Config.Hardware.Device {
		if d.GetVirtualDevice().Key == key {
			return d
		}
	}
	return nil
}

func connectionChanged(device, current types.BaseVirtualDevice) bool {
	next := device.GetVirtualDevice().Connectable
	if next == nil {
		return false
	}
	if current == nil || current.GetVirtualDevice().Connectable == nil {
		return next.Connected || next.StartConnected
	}
	old := current.GetVirtualDevice().Connectable
	return next.Connected != old.Connected || next.StartConnected != old.StartConnected
}

// diskDatastore: the datastore named in a new disk's file name ("[name] path"), else the VM's first datastore.
func diskDatastore(d *types.VirtualDisk, vm *simulator.VirtualMachine) (types.ManagedObjectReference, bool) {
	if b, ok := d.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
		info := b.GetVirtualDeviceFileBackingInfo()
		if info.Datastore != nil {
			return *info.Datastore, true
		}
	}
	if vm != nil && len(vm.Datastore) > 0 {
		return vm.Datastore[0], true
	}
	return types.ManagedObjectReference{}, false
}

// nicNetwork: the network a virtual NIC's backing connects to (standard port group or distributed port group).
func (e *enforcement) nicNetwork(device types.BaseVirtualDevice) (types.ManagedObjectReference, bool) {
	if device == nil {
		return types.ManagedObjectReference{}, false
	}
	if _, ok := device.(types.BaseVirtualEthernetCard); !ok {
		return types.ManagedObjectReference{}, false
	}
	switch b := device.GetVirtualDevice().Backing.(type) {
	case *types.VirtualEthernetCardNetworkBackingInfo:
		if b.Network != nil {
			return *b.Network, true
		}
		if b.DeviceName != "" {
			for _, net := range e.vim.All("Network") {
				if net.Entity().Name == b.DeviceName {
					return net.Reference(), true
				}
			}
		}
	case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
		if b.Port.PortgroupKey != "" {
			// the simulator's port group key is its moref value
			return types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: b.Port.PortgroupKey}, true
		}
	}
	return types.ManagedObjectReference{}, false
}

// describe renders a NoPermission for logs and HTTP answers: "privilege X on Type:value (name)".
func (e *enforcement) describe(f *types.NoPermission) string {
	name := ""
	if entity, ok := e.vim.Get(*f.Object).(mo.Entity); ok {
		name = " (" + entity.Entity().Name + ")"
	}
	var all []string
	for _, m := range f.MissingPrivileges {
		all = append(all, m.Entity.Type+":"+m.Entity.Value+" "+strings.Join(m.PrivilegeIds, ","))
	}
	return fmt.Sprintf("privilege %s on %s:%s%s; missing: %s", f.PrivilegeId, f.Object.Type, f.Object.Value, name, strings.Join(all, "; "))
}
