package main

// The simulator's privilege enforcement (enforce.go, enforce_http.go, visibility.go), one rule per test: a user who
// holds the privilege vCenter requires succeeds; without it the call fails with NoPermission naming the object and
// the privilege. Each test names the vSphere reference the rule follows. Run by test/vcsim/go-vcsim.test.ts (jest).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/cns"
	cnstypes "github.com/vmware/govmomi/cns/types"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	testAdmin    = "admin@vsphere.local"
	testAdminPw  = "admin-pw&<"
	testUserPw   = "user-pw\"'"
	alice        = `VSPHERE.LOCAL\alice`
	bob          = `VSPHERE.LOCAL\bob`
	noPermString = "Permission to perform this operation was denied."
)

type env struct {
	t      *testing.T
	ctx    context.Context
	url    *url.URL
	admin  *govmomi.Client
	finder *find.Finder
	roles  int
}

// start serves the default inventory as main does, with enforcement on (or off) and the users alice and bob.
func start(t *testing.T, enforce bool) *env {
	t.Helper()
	model, finish, err := newModel("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Remove)
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	if err := finish(model); err != nil {
		t.Fatal(err)
	}
	installFaithfulAuthorization(model)
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(testAdmin, testAdminPw)}
	model.Service.RegisterEndpoints = true
	cfg := enforcementConfig{Enforce: enforce, Admin: testAdmin, Users: map[string]string{normalPrincipal(alice): testUserPw, normalPrincipal(bob): testUserPw}}
	e := installEnforcement(model, cfg, testAdminPw)
	server := model.Service.NewServer()
	if e != nil {
		server.Config.Handler = e.wrapHTTP(server.Config.Handler)
	}
	t.Cleanup(server.Close)
	t.Cleanup(func() { enforcer = nil })
	ctx := context.Background()
	u := *server.URL
	u.User = nil
	ev := &env{t: t, ctx: ctx, url: &u}
	ev.admin = ev.login(testAdmin, testAdminPw)
	ev.finder = find.NewFinder(ev.admin.Client, false)
	dc, err := ev.finder.Datacenter(ctx, "DC0")
	if err != nil {
		t.Fatal(err)
	}
	ev.finder.SetDatacenter(dc)
	return ev
}

func (e *env) login(user, password string) *govmomi.Client {
	e.t.Helper()
	u := *e.url
	u.User = url.UserPassword(user, password)
	c, err := govmomi.NewClient(e.ctx, &u, true)
	if err != nil {
		e.t.Fatalf("login %s: %v", user, err)
	}
	e.t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

func (e *env) user(name string) *govmomi.Client { return e.login(name, testUserPw) }

// ref finds an inventory object by path as the administrator.
func (e *env) ref(path string) types.ManagedObjectReference {
	e.t.Helper()
	o, err := e.finder.ManagedObjectList(e.ctx, path)
	if err != nil || len(o) != 1 {
		e.t.Fatalf("%s: %v (%d found)", path, err, len(o))
	}
	return o[0].Object.Reference()
}

// grant gives principal a role of privs on the object at path (as the administrator).
func (e *env) grant(principal, path string, propagate bool, privs ...string) {
	e.t.Helper()
	am := object.NewAuthorizationManager(e.admin.Client)
	e.roles++
	id, err := am.AddRole(e.ctx, fmt.Sprintf("role-%d", e.roles), privs)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := am.SetEntityPermissions(e.ctx, e.ref(path), []types.Permission{{Principal: principal, RoleId: id, Propagate: propagate}}); err != nil {
		e.t.Fatal(err)
	}
}

// readOnly gives principal the Read-only role (System.* only) on path.
func (e *env) readOnly(principal, path string, propagate bool) {
	e.t.Helper()
	am := object.NewAuthorizationManager(e.admin.Client)
	if err := am.SetEntityPermissions(e.ctx, e.ref(path), []types.Permission{{Principal: principal, RoleId: -2, Propagate: propagate}}); err != nil {
		e.t.Fatal(err)
	}
}

// refused asserts err is vCenter's NoPermission for privilege on obj.
func refused(t *testing.T, err error, obj types.ManagedObjectReference, privilege string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded; want NoPermission %s on %s", privilege, obj)
	}
	if !soap.IsSoapFault(err) {
		t.Fatalf("%v; want NoPermission %s on %s", err, privilege, obj)
	}
	f := soap.ToSoapFault(err)
	var np *types.NoPermission
	switch v := f.VimFault().(type) {
	case types.NoPermission:
		np = &v
	case *types.NoPermission:
		np = v
	default:
		t.Fatalf("fault %T (%v); want NoPermission %s on %s", f.VimFault(), err, privilege, obj)
	}
	if np.Object == nil || *np.Object != obj || np.PrivilegeId != privilege {
		t.Fatalf("NoPermission %s on %v; want %s on %s", np.PrivilegeId, np.Object, privilege, obj)
	}
	found := false
	for _, m := range np.MissingPrivileges {
		if m.Entity == obj && contains(m.PrivilegeIds, privilege) {
			found = true
		}
	}
	if !found {
		t.Fatalf("missingPrivileges %+v does not list %s on %s", np.MissingPrivileges, privilege, obj)
	}
	if f.String != noPermString {
		t.Fatalf("faultstring %q; want vCenter's %q", f.String, noPermString)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) vm(c *govmomi.Client, path string) *object.VirtualMachine {
	return object.NewVirtualMachine(c.Client, e.ref(path))
}

// Folder.CreateFolder, "Required privileges: Folder.Create" on the parent folder.
func TestEnforceCreateFolder(t *testing.T) {
	e := start(t, true)
	_, err := object.NewFolder(e.admin.Client, e.ref("/DC0/vm")).CreateFolder(e.ctx, "kkp")
	ok(t, err)
	e.grant(alice, "/DC0/vm/kkp", true, "Folder.Create")
	parent := e.ref("/DC0/vm/kkp")
	_, err = object.NewFolder(e.user(alice).Client, parent).CreateFolder(e.ctx, "by-alice")
	ok(t, err)
	_, err = object.NewFolder(e.user(bob).Client, parent).CreateFolder(e.ctx, "by-bob")
	refused(t, err, parent, "Folder.Create")
}

// ManagedEntity.Destroy_Task on a folder: Folder.Delete; vSphere Security, Folder Privileges: "a user or group must
// have this privilege assigned in both the object and its parent object".
func TestEnforceDestroyFolder(t *testing.T) {
	e := start(t, true)
	parent := object.NewFolder(e.admin.Client, e.ref("/DC0/vm"))
	top, err := parent.CreateFolder(e.ctx, "kkp")
	ok(t, err)
	_, err = top.CreateFolder(e.ctx, "a")
	ok(t, err)
	_, err = top.CreateFolder(e.ctx, "b")
	ok(t, err)
	// bob: Folder.Delete on the folder itself only: refused on the parent.
	e.grant(bob, "/DC0/vm/kkp/b", false, "Folder.Delete")
	err = wait(object.NewFolder(e.user(bob).Client, e.ref("/DC0/vm/kkp/b")).Destroy(e.ctx))
	refused(t, err, top.Reference(), "Folder.Delete")
	// alice: Folder.Delete propagating from the parent: allowed.
	e.grant(alice, "/DC0/vm/kkp", true, "Folder.Delete")
	ok(t, wait(object.NewFolder(e.user(alice).Client, e.ref("/DC0/vm/kkp/a")).Destroy(e.ctx)))
	// without any permission on it
	err = wait(object.NewFolder(e.user(bob).Client, top.Reference()).Destroy(e.ctx))
	refused(t, err, top.Reference(), "Folder.Delete")
}

// VirtualMachine.PowerOnVM_Task / PowerOffVM_Task: "Required privileges: VirtualMachine.Interact.PowerOn" /
// "VirtualMachine.Interact.PowerOff" on the VM.
func TestEnforcePowerOnOff(t *testing.T) {
	e := start(t, true)
	const path = "/DC0/vm/DC0_H0_VM0"
	vm := e.ref(path)
	e.grant(alice, path, false, "VirtualMachine.Interact.PowerOff", "VirtualMachine.Interact.PowerOn")
	e.grant(bob, path, false, "VirtualMachine.Interact.PowerOn")
	refused(t, wait(e.vm(e.user(bob), path).PowerOff(e.ctx)), vm, "VirtualMachine.Interact.PowerOff")
	ok(t, wait(e.vm(e.user(alice), path).PowerOff(e.ctx)))
	e.grant(bob, path, false, "VirtualMachine.Interact.PowerOff")
	refused(t, wait(e.vm(e.user(bob), path).PowerOn(e.ctx)), vm, "VirtualMachine.Interact.PowerOn")
	ok(t, wait(e.vm(e.user(alice), path).PowerOn(e.ctx)))
}

// ManagedEntity.Destroy_Task on a VM: VirtualMachine.Inventory.Delete; vSphere Security, Virtual Machine Inventory
// Privileges, Remove: on the VM and on its parent folder. (The VM is moved into a folder of its own first: a
// datacenter's vm folder takes no permission.)
func TestEnforceDestroyVM(t *testing.T) {
	e := start(t, true)
	folder, err := object.NewFolder(e.admin.Client, e.ref("/DC0/vm")).CreateFolder(e.ctx, "kkp")
	ok(t, err)
	ok(t, wait(folder.MoveInto(e.ctx, []types.ManagedObjectReference{e.ref("/DC0/vm/DC0_H0_VM0")})))
	const path = "/DC0/vm/kkp/DC0_H0_VM0"
	vm := e.ref(path)
	ok(t, wait(e.vm(e.admin, path).PowerOff(e.ctx)))
	// bob: the privilege on the VM only, refused on its folder.
	e.grant(bob, path, false, "VirtualMachine.Inventory.Delete")
	refused(t, wait(e.vm(e.user(bob), path).Destroy(e.ctx)), folder.Reference(), "VirtualMachine.Inventory.Delete")
	// bob: the privilege propagating from the folder, but a permission of his own on the VM without it (the nearer
	// one wins): refused on the VM.
	e.grant(bob, path, false, "System.Anonymous")
	e.grant(bob, "/DC0/vm/kkp", true, "VirtualMachine.Inventory.Delete")
	refused(t, wait(e.vm(e.user(bob), path).Destroy(e.ctx)), vm, "VirtualMachine.Inventory.Delete")
	e.grant(alice, "/DC0/vm/kkp", true, "VirtualMachine.Inventory.Delete")
	ok(t, wait(e.vm(e.user(alice), path).Destroy(e.ctx)))
}

// VirtualMachine.CloneVM_Task of a template into a folder: DeployTemplate on the template, CreateFromExisting on the
// folder, Resource.AssignVMToPool on the pool, Datastore.AllocateSpace on the datastore, Network.Assign on the
// network a NIC of the spec joins. With all: the clone exists; without any one: NoPermission naming it.
func TestEnforceCloneTemplate(t *testing.T) {
	e := start(t, true)
	const template = "/DC0/vm/DC0_C0_RP0_VM1"
	vm := e.vm(e.admin, template)
	ok(t, wait(vm.PowerOff(e.ctx)))
	ok(t, vm.MarkAsTemplate(e.ctx))
	folder, err := object.NewFolder(e.admin.Client, e.ref("/DC0/vm")).CreateFolder(e.ctx, "cluster")
	ok(t, err)
	pool := e.ref("/DC0/host/DC0_C0/Resources")
	ds := e.ref("/DC0/datastore/LocalDS_0")
	network := e.ref("/DC0/network/DC0_DVPG0")
	type grant struct {
		path, priv string
		obj        types.ManagedObjectReference
	}
	grants := []grant{
		{template, "VirtualMachine.Provisioning.DeployTemplate", vm.Reference()},
		{"/DC0/vm/cluster", "VirtualMachine.Inventory.CreateFromExisting", folder.Reference()},
		{"/DC0/host/DC0_C0/Resources", "Resource.AssignVMToPool", pool},
		{"/DC0/datastore/LocalDS_0", "Datastore.AllocateSpace", ds},
		{"/DC0/network/DC0_DVPG0", "Network.Assign", network},
	}
	nic := &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{VirtualDevice: types.VirtualDevice{
		Key: -1,
		Backing: &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{Port: types.DistributedVirtualSwitchPortConnection{
			PortgroupKey: network.Value,
		}},
	}}}}
	spec := types.VirtualMachineCloneSpec{
		Location: types.VirtualMachineRelocateSpec{Pool: &pool, Datastore: &ds},
		Config:   &types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nic}}},
	}
	for _, missing := range grants {
		t.Run("without "+missing.priv, func(t *testing.T) {
			// bob holds every grant but this one (on a fresh folder each time).
			e := start(t, true)
			prepareClone(t, e, template)
			for _, g := range grants {
				if g.priv != missing.priv {
					e.grant(bob, g.path, false, g.priv)
				}
			}
			src := e.vm(e.user(bob), template)
			_, err := src.Clone(e.ctx, object.NewFolder(e.admin.Client, e.ref("/DC0/vm/cluster")), "node", spec)
			refused(t, err, e.ref(missing.path), missing.priv)
		})
	}
	for _, g := range grants {
		e.grant(alice, g.path, false, g.priv)
	}
	task, err := e.vm(e.user(alice), template).Clone(e.ctx, folder, "node", spec)
	ok(t, wait(task, err))
	clone := e.ref("/DC0/vm/cluster/node")
	if clone.Type != "VirtualMachine" {
		t.Fatalf("clone %v", clone)
	}
}

// prepareClone makes the template and the destination folder in a fresh simulator.
func prepareClone(t *testing.T, e *env, template string) {
	vm := e.vm(e.admin, template)
	ok(t, wait(vm.PowerOff(e.ctx)))
	ok(t, vm.MarkAsTemplate(e.ctx))
	_, err := object.NewFolder(e.admin.Client, e.ref("/DC0/vm")).CreateFolder(e.ctx, "cluster")
	ok(t, err)
}

// VirtualMachine.ReconfigVM_Task: each ConfigSpec property requires its "Reconfigure privilege" (vSphere Web Services
// API, VirtualMachineConfigSpec, VmConfigSpec, VAppPropertyInfo; ReconfigVM_Task for device changes).
func TestEnforceReconfigure(t *testing.T) {
	const path = "/DC0/vm/DC0_H0_VM0"
	nicOn := func(e *env, netPath string) types.BaseVirtualDevice {
		net := e.ref(netPath)
		return &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{VirtualDevice: types.VirtualDevice{
			Key:     -1,
			Backing: &types.VirtualEthernetCardNetworkBackingInfo{Network: &net, VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"}},
		}}}}
	}
	cases := []struct {
		name string
		priv string
		on   string // path of the object the privilege is required on
		spec func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec
	}{
		{"numCPUs", "VirtualMachine.Config.CPUCount", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{NumCPUs: 4}
		}},
		{"memoryMB", "VirtualMachine.Config.Memory", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{MemoryMB: 4096}
		}},
		{"extraConfig", "VirtualMachine.Config.AdvancedConfig", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: "disk.enableUUID", Value: "TRUE"}}}
		}},
		{"flags", "VirtualMachine.Config.Settings", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{Flags: &types.VirtualMachineFlagInfo{DiskUuidEnabled: types.NewBool(true)}}
		}},
		{"annotation", "VirtualMachine.Config.Rename", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{Annotation: "node"}
		}},
		{"disk grown", "VirtualMachine.Config.DiskExtend", path, func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			devices, err := vm.Device(e.ctx)
			ok(e.t, err)
			disk := devices.SelectByType((*types.VirtualDisk)(nil))[0].(*types.VirtualDisk)
			disk.CapacityInKB *= 2
			disk.CapacityInBytes *= 2
			return types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: disk}}}
		}},
		{"NIC added", "VirtualMachine.Config.AddRemoveDevice", path, func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nicOn(e, "/DC0/network/VM Network")}}}
		}},
		{"NIC on a network", "Network.Assign", "/DC0/network/VM Network", func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nicOn(e, "/DC0/network/VM Network")}}}
		}},
		{"NIC removed", "VirtualMachine.Config.AddRemoveDevice", path, func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			devices, err := vm.Device(e.ctx)
			ok(e.t, err)
			nic := devices.SelectByType((*types.VirtualEthernetCard)(nil))[0]
			return types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationRemove, Device: nic}}}
		}},
		{"CD-ROM media", "VirtualMachine.Interact.SetCDMedia", path, func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			devices, err := vm.Device(e.ctx)
			ok(e.t, err)
			cdrom, err := devices.FindCdrom("")
			ok(e.t, err)
			edited := devices.InsertIso(cdrom, "[LocalDS_0] DC0_H0_VM0/cloud-init.iso")
			return types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{&types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: edited}}}
		}},
		{"vApp property value", "VApp.InstanceConfig", path, func(e *env, vm *object.VirtualMachine) types.VirtualMachineConfigSpec {
			// the property whose value is set exists (defined by the administrator, as an OVA's properties are)
			var mvm mo.VirtualMachine
			ok(e.t, vm.Properties(e.ctx, vm.Reference(), []string{"config.vAppConfig"}, &mvm))
			if mvm.Config == nil || mvm.Config.VAppConfig == nil || len(mvm.Config.VAppConfig.GetVmConfigInfo().Property) == 0 {
				ok(e.t, wait(vm.Reconfigure(e.ctx, types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{Property: []types.VAppPropertySpec{{
					ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd}, Info: &types.VAppPropertyInfo{Key: 0, Id: "guestinfo.ignition.config.data", Type: "string"},
				}}}})))
			}
			return types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{Property: []types.VAppPropertySpec{{
				ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit}, Info: &types.VAppPropertyInfo{Key: 0, Value: "ignition"},
			}}}}
		}},
		{"vApp property defined", "VApp.ApplicationConfig", path, func(*env, *object.VirtualMachine) types.VirtualMachineConfigSpec {
			return types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{Property: []types.VAppPropertySpec{{
				ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd}, Info: &types.VAppPropertyInfo{Key: 1, Id: "guestinfo.ignition.config.data"},
			}}}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := start(t, true)
			every := []string{"VirtualMachine.Config.CPUCount", "VirtualMachine.Config.Memory", "VirtualMachine.Config.AdvancedConfig", "VirtualMachine.Config.Settings",
				"VirtualMachine.Config.Rename", "VirtualMachine.Config.DiskExtend", "VirtualMachine.Config.AddRemoveDevice", "VirtualMachine.Interact.SetCDMedia",
				"VApp.InstanceConfig", "VApp.ApplicationConfig", "Network.Assign", "VirtualMachine.Config.EditDevice", "VirtualMachine.Interact.DeviceConnection"}
			var others []string
			for _, p := range every {
				if p != c.priv {
					others = append(others, p)
				}
			}
			e.grant(bob, "/DC0", true, others...)
			e.grant(alice, "/DC0", true, every...)
			refused(t, wait(e.vm(e.user(bob), path).Reconfigure(e.ctx, c.spec(e, e.vm(e.admin, path)))), e.ref(c.on), c.priv)
			ok(t, wait(e.vm(e.user(alice), path).Reconfigure(e.ctx, c.spec(e, e.vm(e.admin, path)))))
		})
	}
}

// vCenter shows a user only the objects it holds System.Read on: a finder (PropertyCollector) leaves the others out,
// SearchIndex.FindByInventoryPath answers null. alice reads the datacenter without propagation (as KKP's pages grant
// Read-only on the parents of what a user works on; its hidden vm folder is seen with it) and one VM below it.
func TestEnforceVisibility(t *testing.T) {
	e := start(t, true)
	e.readOnly(alice, "/DC0", false)
	e.readOnly(alice, "/DC0/vm/DC0_H0_VM0", false)
	c := e.user(alice)
	f := find.NewFinder(c.Client, false)
	dc, err := f.Datacenter(e.ctx, "DC0")
	ok(t, err)
	f.SetDatacenter(dc)
	vms, err := f.VirtualMachineList(e.ctx, "*")
	ok(t, err)
	if len(vms) != 1 || vms[0].Reference() != e.ref("/DC0/vm/DC0_H0_VM0") {
		t.Fatalf("alice sees %v; want only DC0_H0_VM0", vms)
	}
	all, err := e.finder.VirtualMachineList(e.ctx, "*")
	ok(t, err)
	if len(all) < 2 {
		t.Fatalf("the administrator sees %d VMs", len(all))
	}
	si := object.NewSearchIndex(c.Client)
	seen, err := si.FindByInventoryPath(e.ctx, "/DC0/vm/DC0_H0_VM0")
	ok(t, err)
	if seen == nil {
		t.Fatal("FindByInventoryPath hides a VM alice can read")
	}
	hidden, err := si.FindByInventoryPath(e.ctx, "/DC0/vm/DC0_C0_RP0_VM0")
	ok(t, err)
	if hidden != nil {
		t.Fatalf("FindByInventoryPath found %v, which alice cannot read", hidden)
	}
	var props []mo.VirtualMachine
	err = c.RetrieveOne(e.ctx, e.ref("/DC0/vm/DC0_C0_RP0_VM0"), []string{"name"}, &props)
	if err == nil && len(props) > 0 {
		t.Fatalf("RetrieveProperties returned a VM alice cannot read: %+v", props)
	}
	// bob, with no permission at all, finds no datacenter.
	if _, err := find.NewFinder(e.user(bob).Client, false).Datacenter(e.ctx, "DC0"); err == nil {
		t.Fatal("bob finds DC0 without any permission")
	}
}

// The administrator (VCSIM_USER) is never restricted; without VCSIM_ENFORCE_PRIVILEGES nobody is.
func TestEnforceAdminAndOff(t *testing.T) {
	e := start(t, true)
	ok(t, wait(e.vm(e.admin, "/DC0/vm/DC0_H0_VM0").PowerOff(e.ctx)))
	off := start(t, false)
	ok(t, wait(off.vm(off.user(bob), "/DC0/vm/DC0_H0_VM0").PowerOff(off.ctx)))
	// A wrong password is refused either way.
	u := *off.url
	u.User = url.UserPassword(bob, "wrong")
	if _, err := govmomi.NewClient(off.ctx, &u, true); err == nil {
		t.Fatal("bob logged in with a wrong password")
	}
}

// CNS (vSphere CSI driver roles): CnsCreateVolume and CnsDeleteVolume need Cns.Searchable on the vCenter root and
// Datastore.FileManagement on the datastore; CnsAttachVolume needs VirtualMachine.Config.AddExistingDisk and
// AddRemoveDevice on the VM, CnsDetachVolume AddRemoveDevice.
func TestEnforceCns(t *testing.T) {
	e := start(t, true)
	root := e.admin.ServiceContent.RootFolder
	ds := e.ref("/DC0/datastore/LocalDS_0")
	vm := e.ref("/DC0/vm/DC0_H0_VM0")
	spec := func(name string) []cnstypes.CnsVolumeCreateSpec {
		return []cnstypes.CnsVolumeCreateSpec{{
			Name: name, VolumeType: "BLOCK", Datastores: []types.ManagedObjectReference{ds},
			BackingObjectDetails: &cnstypes.CnsBlockBackingDetails{CnsBackingObjectDetails: cnstypes.CnsBackingObjectDetails{CapacityInMb: 16}},
		}}
	}
	client := func(name string) *cns.Client {
		c, err := cns.NewClient(e.ctx, e.user(name).Client)
		ok(t, err)
		return c
	}
	e.grant(bob, "/", false, "Cns.Searchable")
	_, err := client(bob).CreateVolume(e.ctx, spec("b"))
	refused(t, err, ds, "Datastore.FileManagement")
	e.grant(bob, "/", false, "System.Anonymous")
	e.grant(bob, "/DC0/datastore/LocalDS_0", false, "Datastore.FileManagement")
	_, err = client(bob).CreateVolume(e.ctx, spec("b"))
	refused(t, err, root, "Cns.Searchable")

	e.grant(alice, "/", false, "Cns.Searchable")
	e.grant(alice, "/DC0/datastore/LocalDS_0", false, "Datastore.FileManagement")
	ca := client(alice)
	task, err := ca.CreateVolume(e.ctx, spec("a"))
	ok(t, err)
	info, err := cns.GetTaskInfo(e.ctx, task)
	ok(t, err)
	res, err := cns.GetTaskResult(e.ctx, info)
	ok(t, err)
	if res.GetCnsVolumeOperationResult().Fault != nil {
		t.Fatalf("create: %+v", res.GetCnsVolumeOperationResult().Fault)
	}
	id := res.GetCnsVolumeOperationResult().VolumeId
	attach := []cnstypes.CnsVolumeAttachDetachSpec{{VolumeId: id, Vm: vm}}
	_, err = ca.AttachVolume(e.ctx, attach)
	refused(t, err, vm, "VirtualMachine.Config.AddExistingDisk")
	e.grant(alice, "/DC0/vm/DC0_H0_VM0", false, "VirtualMachine.Config.AddExistingDisk", "VirtualMachine.Config.AddRemoveDevice")
	_, err = ca.AttachVolume(e.ctx, attach)
	ok(t, err)
	_, err = client(bob).DetachVolume(e.ctx, attach)
	refused(t, err, vm, "VirtualMachine.Config.AddRemoveDevice")
	_, err = ca.DetachVolume(e.ctx, attach)
	ok(t, err)
	_, err = client(bob).DeleteVolume(e.ctx, []cnstypes.CnsVolumeId{id}, true)
	refused(t, err, root, "Cns.Searchable")
	_, err = ca.DeleteVolume(e.ctx, []cnstypes.CnsVolumeId{id}, true)
	ok(t, err)
}

// vAPI tagging: creating and deleting tags needs InventoryService.Tagging.CreateTag / DeleteTag (vCenter-wide, checked
// on the root folder); attaching a tag needs InventoryService.Tagging.ObjectAttachable on the object. Refusals are
// HTTP 403 com.vmware.vapi.std.errors.unauthorized naming the privilege and the object.
func TestEnforceTagging(t *testing.T) {
	e := start(t, true)
	restAs := func(user, password string) *tags.Manager {
		c := rest.NewClient(e.admin.Client)
		ok(t, c.Login(e.ctx, url.UserPassword(user, password)))
		return tags.NewManager(c)
	}
	admin := restAs(testAdmin, testAdminPw)
	category, err := admin.CreateCategory(e.ctx, &tags.Category{Name: "kkp", Cardinality: "MULTIPLE"})
	ok(t, err)
	_, err = object.NewFolder(e.admin.Client, e.ref("/DC0/vm")).CreateFolder(e.ctx, "kkp")
	ok(t, err)
	e.grant(alice, "/", true, "InventoryService.Tagging.CreateTag", "InventoryService.Tagging.DeleteTag")
	e.grant(alice, "/DC0/vm/kkp", true, "InventoryService.Tagging.ObjectAttachable")
	e.readOnly(bob, "/", true)
	am, bm := restAs(alice, testUserPw), restAs(bob, testUserPw)

	_, err = bm.CreateTag(e.ctx, &tags.Tag{Name: "by-bob", CategoryID: category})
	if !rest.IsStatusError(err, http.StatusForbidden) {
		t.Fatalf("bob's CreateTag: %v; want 403", err)
	}
	restRefused(t, e, bob, http.MethodPost, "tag", map[string]any{"create_spec": map[string]any{"name": "by-bob", "category_id": category}},
		"InventoryService.Tagging.CreateTag", e.admin.ServiceContent.RootFolder)
	tag, err := am.CreateTag(e.ctx, &tags.Tag{Name: "cluster-1", CategoryID: category})
	ok(t, err)

	folder := e.ref("/DC0/vm/kkp")
	ok(t, am.AttachTag(e.ctx, tag, folder))
	if err := bm.AttachTag(e.ctx, tag, folder); !rest.IsStatusError(err, http.StatusForbidden) {
		t.Fatalf("bob's AttachTag: %v; want 403", err)
	}
	attach := func(obj types.ManagedObjectReference) map[string]any {
		return map[string]any{"object_id": map[string]any{"id": obj.Value, "type": obj.Type}}
	}
	restRefused(t, e, bob, http.MethodPost, "tag-association/id:"+tag+"?~action=attach", attach(folder), "InventoryService.Tagging.ObjectAttachable", folder)
	host := e.ref("/DC0/host/DC0_H0")
	restRefused(t, e, alice, http.MethodPost, "tag-association/id:"+tag+"?~action=attach", attach(host), "InventoryService.Tagging.ObjectAttachable", host)

	restRefused(t, e, bob, http.MethodDelete, "tag/id:"+tag, nil, "InventoryService.Tagging.DeleteTag", e.admin.ServiceContent.RootFolder)
	ok(t, am.DeleteTag(e.ctx, &tags.Tag{ID: tag}))
}

// restRefused sends one tagging request as user (a vAPI session of its own) and asserts vCenter's refusal: HTTP 403,
// com.vmware.vapi.std.errors.unauthorized, the message naming the privilege and the object.
func restRefused(t *testing.T, e *env, user, method, path string, body any, privilege string, obj types.ManagedObjectReference) {
	t.Helper()
	c := rest.NewClient(e.admin.Client)
	ok(t, c.Login(e.ctx, url.UserPassword(user, testUserPw)))
	u := c.URL()
	u.Path = "/rest/com/vmware/cis/tagging/" + path
	if i := strings.Index(u.Path, "?"); i >= 0 {
		u.RawQuery = u.Path[i+1:]
		u.Path = u.Path[:i]
	}
	var payload io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		ok(t, err)
		payload = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, u.String(), payload)
	ok(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("vmware-api-session-id", c.SessionID())
	var status int
	var answer []byte
	ok(t, c.Client.Do(e.ctx, req, func(res *http.Response) error {
		status = res.StatusCode
		answer, err = io.ReadAll(res.Body)
		return err
	}))
	text := string(answer)
	if status != http.StatusForbidden || !strings.Contains(text, "com.vmware.vapi.std.errors.unauthorized") ||
		!strings.Contains(text, privilege) || !strings.Contains(text, obj.Type+":"+obj.Value) {
		t.Fatalf("%s %s as %s: %d %s; want 403 unauthorized naming %s on %s", method, path, user, status, text, privilege, obj)
	}
}

// Datastore file access over HTTP (/folder): writing a file needs Datastore.FileManagement ("Low level file
// operations") on the datastore.
func TestEnforceDatastoreUpload(t *testing.T) {
	e := start(t, true)
	ds := e.ref("/DC0/datastore/LocalDS_0")
	upload := func(c *govmomi.Client) error {
		store := object.NewDatastore(c.Client, ds)
		store.DatacenterPath = "DC0"
		store.InventoryPath = "/DC0/datastore/LocalDS_0"
		return store.Upload(e.ctx, bytes.NewReader([]byte("iso")), "node/cloud-init.iso", &soap.DefaultUpload)
	}
	e.grant(alice, "/DC0/datastore/LocalDS_0", false, "Datastore.FileManagement")
	e.readOnly(bob, "/DC0/datastore/LocalDS_0", false)
	ok(t, upload(e.user(alice)))
	err := upload(e.user(bob))
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("bob's upload: %v; want 403 Forbidden", err)
	}
}

// FileManager.DeleteDatastoreFile_Task: "Requires Datastore.FileManagement privilege on the datastore" (and
// System.View on the datacenter parameter): machine-controller's cleanup of a VM's folder on its datastore.
func TestEnforceDeleteDatastoreFile(t *testing.T) {
	e := start(t, true)
	ds := e.ref("/DC0/datastore/LocalDS_0")
	dc := object.NewDatacenter(e.admin.Client, e.ref("/DC0"))
	store := object.NewDatastore(e.admin.Client, ds)
	store.DatacenterPath = "DC0"
	store.InventoryPath = "/DC0/datastore/LocalDS_0"
	for _, dir := range []string{"node-a", "node-b"} {
		ok(t, store.Upload(e.ctx, bytes.NewReader([]byte("iso")), dir+"/cloud-init.iso", &soap.DefaultUpload))
	}
	remove := func(c *govmomi.Client, dir string) error {
		s := object.NewDatastore(c.Client, ds)
		s.InventoryPath = "/DC0/datastore/LocalDS_0"
		return s.NewFileManager(object.NewDatacenter(c.Client, dc.Reference()), false).Delete(e.ctx, dir)
	}
	for _, u := range []string{alice, bob} {
		e.readOnly(u, "/DC0", false)
	}
	e.grant(alice, "/DC0/datastore/LocalDS_0", false, "Datastore.FileManagement")
	e.grant(bob, "/DC0/datastore/LocalDS_0", false, "Datastore.AllocateSpace", "Datastore.Browse")
	ok(t, remove(e.user(alice), "node-a"))
	refused(t, remove(e.user(bob), "node-b"), ds, "Datastore.FileManagement")
}

// A distributed port group's config.distributedVirtualSwitch is unset for a user who cannot read the switch (vSphere
// Web Services API, DVPortgroupConfigInfo.distributedVirtualSwitch: "This property should always be set unless the
// user's setting does not have System.Read privilege on the object referred to by this property"), so a client
// cannot build a NIC backing for the port group (govmomi EthernetCardBackingInfo) until the switch is readable.
func TestVisibilityPortgroupSwitch(t *testing.T) {
	e := start(t, true)
	e.readOnly(alice, "/DC0", false)
	e.grant(alice, "/DC0/network/DC0_DVPG0", false, "Network.Assign")
	backing := func() error {
		c := e.user(alice)
		f := find.NewFinder(c.Client, false)
		dc, err := f.Datacenter(e.ctx, "/DC0")
		if err != nil {
			return err
		}
		f.SetDatacenter(dc)
		net, err := f.Network(e.ctx, "/DC0/network/DC0_DVPG0")
		if err != nil {
			return err
		}
		_, err = net.EthernetCardBackingInfo(e.ctx)
		return err
	}
	if err := backing(); err == nil || !strings.Contains(err.Error(), "config.distributedVirtualSwitch") {
		t.Fatalf("backing without the switch readable: %v; want the unset config.distributedVirtualSwitch", err)
	}
	e.readOnly(alice, "/DC0/network/DVS0", false)
	ok(t, backing())
}

// vCenter creates a VMware distributed switch as a VmwareDistributedVirtualSwitch; in the kkp-example inventory the
// switch reads so to clients (a reference in any answer), and a request naming that type reaches the switch
// (vmware_switch.go): its properties, and a task on it.
func TestKkpExampleSwitchType(t *testing.T) {
	model, finish, err := newModel("kkp-example")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(model.Remove)
	ok(t, model.Create())
	ok(t, finish(model))
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(testAdmin, testAdminPw)}
	model.Service.RegisterEndpoints = true
	server := model.Service.NewServer()
	server.Config.Handler = vmwareSwitchTypes(server.Config.Handler)
	t.Cleanup(server.Close)
	u := *server.URL
	u.User = url.UserPassword(testAdmin, testAdminPw)
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, &u, true)
	ok(t, err)
	f := find.NewFinder(c.Client, false)
	net, err := f.Network(ctx, "/dc-1/network/dvs-1")
	ok(t, err)
	ref := net.Reference()
	if ref.Type != "VmwareDistributedVirtualSwitch" {
		t.Fatalf("dvs-1 is a %s; want VmwareDistributedVirtualSwitch", ref.Type)
	}
	var sw mo.VmwareDistributedVirtualSwitch
	ok(t, c.RetrieveOne(ctx, ref, []string{"name", "uuid", "config"}, &sw))
	policy, isNames := sw.Config.GetDVSConfigInfo().UplinkPortPolicy.(*types.DVSNameArrayUplinkPortPolicy)
	if sw.Name != "dvs-1" || sw.Uuid == "" || !isNames || len(policy.UplinkPortName) != 4 {
		t.Fatalf("dvs-1 read as %q uuid %q uplink policy %#v", sw.Name, sw.Uuid, sw.Config.GetDVSConfigInfo().UplinkPortPolicy)
	}
	pg, err := f.Network(ctx, "/dc-1/network/kkp-workers")
	ok(t, err)
	var mpg mo.DistributedVirtualPortgroup
	ok(t, c.RetrieveOne(ctx, pg.Reference(), []string{"config.distributedVirtualSwitch"}, &mpg))
	if mpg.Config.DistributedVirtualSwitch == nil || *mpg.Config.DistributedVirtualSwitch != ref {
		t.Fatalf("kkp-workers' switch %v; want %v", mpg.Config.DistributedVirtualSwitch, ref)
	}
	dvs := object.NewDistributedVirtualSwitch(c.Client, ref)
	ok(t, wait(dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{{Name: "kkp-extra", Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding), NumPorts: 8}})))
	_, err = f.Network(ctx, "/dc-1/network/kkp-extra")
	ok(t, err)
}
