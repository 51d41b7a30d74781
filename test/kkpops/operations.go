package main

// The operations, one function each, written from the KKP component's source (file and tag in the comment). Each
// runs as the run's user; `fallback` is what the admin does instead when the user was refused, so that the next step
// of the machine's life can still be tried as the user.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/cns"
	cnstypes "github.com/vmware/govmomi/cns/types"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/pbm"
	pbmtypes "github.com/vmware/govmomi/pbm/types"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// runState is one run: its user, and the node VM and volume as the machine's life goes on.
type runState struct {
	in          *input
	admin, user *conn
	scenario    string
	run         *run
	name        string // base name of what the run creates
	vm          *types.ManagedObjectReference
	vmDatastore *object.Datastore // where the node VM's files are
	isoUploaded bool
	volume      *cnstypes.CnsVolumeId
	attached    bool
	out         *json.Encoder
	tagCategory string
}

func (s *runState) object(kind string) (string, error) {
	paths := s.run.Objects[kind]
	if len(paths) == 0 {
		return "", fmt.Errorf("the run names no %s", kind)
	}
	return paths[0], nil
}

func runRuns(ctx context.Context, in *input, admin *conn, si int, out *json.Encoder) error {
	sc := in.Scenarios[si]
	states := make([]*runState, len(sc.Runs))
	for ri := range sc.Runs {
		r := &sc.Runs[ri]
		user, password, err := credentials(r.Env)
		if err != nil {
			return err
		}
		c, err := login(ctx, in, user, password)
		if err != nil {
			return err
		}
		defer c.logout(ctx)
		states[ri] = &runState{in: in, admin: admin, user: c, scenario: sc.ID, run: r, out: out, name: fmt.Sprintf("kkpops-%d-%d-%s", si, ri, r.Cluster)}
	}
	// KKP creates the cluster folder before anything else happens in it, and deletes it last.
	for _, s := range states {
		if err := s.do(ctx, "kkp-seed-provider/create-cluster-folder"); err != nil {
			return err
		}
	}
	for _, s := range states {
		for _, id := range s.run.Ops {
			if id == "kkp-seed-provider/create-cluster-folder" || id == "kkp-seed-provider/delete-cluster-folder" {
				continue
			}
			if err := s.do(ctx, id); err != nil {
				return err
			}
		}
		if err := s.cleanup(ctx); err != nil {
			return err
		}
	}
	for _, s := range states {
		if err := s.do(ctx, "kkp-seed-provider/delete-cluster-folder"); err != nil {
			return err
		}
	}
	return nil
}

type operation struct {
	// run as the user; an error is the operation's result
	call func(ctx context.Context, s *runState) error
	// run as the admin when the user was refused (nil: nothing later depends on it)
	fallback func(ctx context.Context, s *runState) error
	// set up what the operation needs, as the admin, before it runs (nil: nothing)
	setup func(ctx context.Context, s *runState) error
}

var operations = map[string]operation{
	"kkp-seed-provider/validate-credentials":   {call: validateCredentials},
	"kkp-seed-provider/validate-cloud-spec":    {call: validateCloudSpec},
	"kkp-seed-provider/create-cluster-folder":  {call: createClusterFolder, setup: removeEmptyClusterFolder, fallback: createClusterFolderAsAdmin},
	"kkp-seed-provider/delete-cluster-folder":  {call: deleteClusterFolder, setup: ensureClusterFolder, fallback: deleteClusterFolderAsAdmin},
	"kkp-seed-provider/tag-folder":             {call: tagFolder, setup: ensureTagCategory},
	"kkp-seed-provider/create-delete-tags":     {call: createDeleteTags, setup: ensureTagCategory},
	"kkp-api/list-folders":                     {call: listFolders},
	"kkp-api/list-networks":                    {call: listNetworks},
	"machine-controller/find-template":         {call: findTemplate},
	"machine-controller/clone-template":        {call: cloneTemplate, fallback: cloneTemplateAsAdmin},
	"machine-controller/reconfigure-vm":        {call: reconfigureVM, setup: ensureNode, fallback: reconfigureVMAsAdmin},
	"machine-controller/set-guestinfo":         {call: setGuestinfo, setup: ensureNodeWithVApp},
	"machine-controller/upload-cloud-init-iso": {call: uploadISO, setup: ensureNode, fallback: uploadISOAsAdmin},
	"machine-controller/insert-iso":            {call: insertISO, setup: ensureNodeWithCdrom},
	"machine-controller/power-on":              {call: powerOn, setup: ensureNode, fallback: powerOnAsAdmin},
	"machine-controller/power-off":             {call: powerOff, setup: ensurePoweredOn, fallback: powerOffAsAdmin},
	"machine-controller/destroy-vm":            {call: destroyVM, setup: ensurePoweredOff, fallback: destroyVMAsAdmin},
	"machine-controller/delete-vm-files":       {call: deleteVMFiles, setup: ensureVMFiles, fallback: deleteVMFilesAsAdmin},
	"vsphere-ccm/find-node-vm":                 {call: findNodeVM, setup: ensureNode},
	"vsphere-csi/create-volume":                {call: createVolume, fallback: createVolumeAsAdmin},
	"vsphere-csi/resolve-storage-policy":       {call: resolveStoragePolicy},
	"vsphere-csi/attach-volume":                {call: attachVolume, setup: ensureVolumeAndNode, fallback: attachVolumeAsAdmin},
	"vsphere-csi/detach-volume":                {call: detachVolume, setup: ensureAttached, fallback: detachVolumeAsAdmin},
	"vsphere-csi/delete-volume":                {call: deleteVolume, setup: ensureDetachedVolume, fallback: deleteVolumeAsAdmin},
	"vsphere-csi/read-topology":                {call: readTopology},
}

// sessionless: the operations whose component does not open its vSphere session with Finder.Datacenter. Every other
// one runs in such a session (machine-controller pkg/cloudprovider/provider/vsphere/client.go NewSession, v1.66.2;
// KKP pkg/provider/cloud/vsphere/session.go newSession, v2.31.0; the CSI driver's and the CCM's datacenter lookups),
// so it fails when the user cannot see the datacenter, whatever it holds on the objects it works on. KKP's tags go
// through a vSphere Automation session opened before the SOAP one (provider.go reconcileCluster: newRESTSession,
// reconcileTags, then newSession); the CSI driver's CNS and SPBM calls name no datacenter.
var sessionless = map[string]bool{
	"kkp-seed-provider/create-delete-tags": true,
	"vsphere-csi/create-volume":            true,
	"vsphere-csi/resolve-storage-policy":   true,
	"vsphere-csi/attach-volume":            true,
	"vsphere-csi/detach-volume":            true,
	"vsphere-csi/delete-volume":            true,
}

// do runs one operation if the run asks for it, and prints its result.
func (s *runState) do(ctx context.Context, id string) error {
	asked := false
	for _, o := range s.run.Ops {
		asked = asked || o == id
	}
	if !asked {
		return nil
	}
	op, ok := operations[id]
	if !ok {
		return fmt.Errorf("unknown operation %s", id)
	}
	if op.setup != nil {
		if err := op.setup(ctx, s); err != nil {
			return fmt.Errorf("setting up %s: %w", id, err)
		}
	}
	res := result{Scenario: s.scenario, Cluster: s.run.Cluster, ID: id, Principal: s.run.Principal, OK: true}
	call := op.call
	if s.user.dcErr != nil && !sessionless[id] {
		call = func(context.Context, *runState) error { return s.user.dcErr }
	}
	if err := call(ctx, s); err != nil {
		res.OK = false
		s.classify(ctx, err, &res)
		if op.fallback != nil {
			if ferr := op.fallback(ctx, s); ferr != nil {
				return fmt.Errorf("%s as the admin after %s was refused: %w", id, s.run.Principal, ferr)
			}
		}
	}
	return s.out.Encode(res)
}

// classify names the fault of a refused call; for NoPermission the object (as an inventory path) and privilege.
func (s *runState) classify(ctx context.Context, err error, res *result) {
	res.Message = err.Error()
	var np *types.NoPermission
	if _, ok := fault.As(err, &np); ok {
		res.Fault = "NoPermission"
		if np.Object != nil {
			res.Object = s.pathOf(ctx, *np.Object)
		}
		res.Privilege = np.PrivilegeId
		for _, m := range np.MissingPrivileges {
			res.Missing = append(res.Missing, missing{Object: s.pathOf(ctx, m.Entity), Privileges: m.PrivilegeIds})
		}
		return
	}
	var base types.BaseMethodFault
	if _, ok := fault.As(err, &base); ok {
		res.Fault = reflect.TypeOf(base).Elem().Name()
		return
	}
	var hidden *hiddenError
	if errors.As(err, &hidden) {
		res.Fault = "NotFound (hidden)"
		res.Object = hidden.path
		return
	}
	var notFound *find.NotFoundError
	if errors.As(err, &notFound) {
		res.Fault = "NotFound (finder)"
		if s.user.dcErr != nil && errors.Is(err, s.user.dcErr) {
			res.Object = "/" + s.in.Datacenter
		}
		return
	}
	if strings.Contains(err.Error(), "403 Forbidden") || strings.Contains(err.Error(), "unauthorized") {
		res.Fault = "Unauthorized (REST)"
		return
	}
	res.Fault = "Error"
}

func (s *runState) pathOf(ctx context.Context, ref types.ManagedObjectReference) string {
	if ref == s.admin.client.ServiceContent.RootFolder {
		return "/"
	}
	p, err := find.InventoryPath(ctx, s.admin.client, ref)
	if err != nil || p == "" {
		return ref.String()
	}
	return p
}

// ---- KKP's seed controllers: kubermatic/kubermatic pkg/provider/cloud/vsphere, v2.31.0 ----

// credentials.go ValidateCredentials: newSession (the finder set to the datacenter), then Finder.DefaultFolder.
func validateCredentials(ctx context.Context, s *runState) error {
	_, err := s.user.finder.DefaultFolder(ctx)
	return err
}

// provider.go ValidateCloudSpec: Finder.Datastore of the effective datastore (the cluster's, else the datacenter's default).
func validateCloudSpec(ctx context.Context, s *runState) error {
	ds, err := s.object("datastore")
	if err != nil {
		return err
	}
	_, err = s.user.finder.Datastore(ctx, ds)
	return err
}

// folder.go ensureVMFolder: Finder.Folder(rootPath), then Folder.CreateFolder(<clusterId>) when it does not exist.
func createClusterFolder(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	rootPath, name := path.Split(full)
	root, err := s.user.finder.Folder(ctx, strings.TrimSuffix(rootPath, "/"))
	if err != nil {
		return err
	}
	if _, err := s.user.finder.Folder(ctx, full); err == nil {
		return nil
	}
	_, err = root.CreateFolder(ctx, name)
	return err
}

func createClusterFolderAsAdmin(ctx context.Context, s *runState) error {
	return ensureClusterFolder(ctx, s)
}

func ensureClusterFolder(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	if _, err := s.admin.finder.Folder(ctx, full); err == nil {
		return nil
	}
	rootPath, name := path.Split(full)
	root, err := s.admin.finder.Folder(ctx, strings.TrimSuffix(rootPath, "/"))
	if err != nil {
		return err
	}
	_, err = root.CreateFolder(ctx, name)
	return err
}

// Before KKP creates the cluster folder it does not exist: an empty one left by an earlier scenario is removed.
func removeEmptyClusterFolder(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	folder, err := s.admin.finder.Folder(ctx, full)
	if err != nil {
		return nil
	}
	children, err := folder.Children(ctx)
	if err != nil {
		return err
	}
	if len(children) > 0 {
		return fmt.Errorf("%s exists and is not empty: KKP would not create it", full)
	}
	return destroyAndWait(ctx, folder.Common)
}

// folder.go deleteVMFolder: Finder.Folder(folderPath), then Destroy_Task.
func deleteClusterFolder(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	folder, err := s.user.finder.Folder(ctx, full)
	if err != nil {
		return err
	}
	return destroyAndWait(ctx, folder.Common)
}

func deleteClusterFolderAsAdmin(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	folder, err := s.admin.finder.Folder(ctx, full)
	if err != nil {
		return nil
	}
	return destroyAndWait(ctx, folder.Common)
}

func destroyAndWait(ctx context.Context, c object.Common) error {
	task, err := c.Destroy(ctx)
	if err != nil {
		return err
	}
	return task.WaitEx(ctx)
}

// The tag category the cluster spec names (KKP never creates categories: spec.cloud.vsphere.tags.categoryID).
func ensureTagCategory(ctx context.Context, s *runState) error {
	if s.tagCategory != "" {
		return nil
	}
	rc, err := s.admin.restClient(ctx)
	if err != nil {
		return err
	}
	m := tags.NewManager(rc)
	if c, err := m.GetCategory(ctx, "kkpops"); err == nil {
		s.tagCategory = c.ID
		return nil
	}
	id, err := m.CreateCategory(ctx, &tags.Category{Name: "kkpops", Cardinality: "MULTIPLE", AssociableTypes: []string{"Folder", "VirtualMachine"}})
	if err != nil {
		return err
	}
	s.tagCategory = id
	return nil
}

// tags.go createTag (Tag.create in the cluster's category) and syncDeletedClusterTags (Tag.delete).
func createDeleteTags(ctx context.Context, s *runState) error {
	rc, err := s.user.restClient(ctx)
	if err != nil {
		return err
	}
	m := tags.NewManager(rc)
	name := s.name + "-tag"
	id, err := m.CreateTag(ctx, &tags.Tag{Name: name, CategoryID: s.tagCategory})
	var created error
	if err != nil {
		created = err
		arc, aerr := s.admin.restClient(ctx)
		if aerr != nil {
			return aerr
		}
		if id, aerr = tags.NewManager(arc).CreateTag(ctx, &tags.Tag{Name: name, CategoryID: s.tagCategory}); aerr != nil {
			return fmt.Errorf("%v; the admin could not create the tag either: %w", err, aerr)
		}
	}
	if err := m.DeleteTag(ctx, &tags.Tag{ID: id}); err != nil {
		arc, _ := s.admin.restClient(ctx)
		_ = tags.NewManager(arc).DeleteTag(ctx, &tags.Tag{ID: id})
		return errors.Join(created, err)
	}
	return created
}

// folder.go ensureFolderTags: TagAssociation.attach of the cluster's tags to its folder.
func tagFolder(ctx context.Context, s *runState) error {
	full, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	arc, err := s.admin.restClient(ctx)
	if err != nil {
		return err
	}
	am := tags.NewManager(arc)
	id, err := am.CreateTag(ctx, &tags.Tag{Name: s.name + "-folder-tag", CategoryID: s.tagCategory})
	if err != nil {
		return fmt.Errorf("the admin creating the cluster's tag: %w", err)
	}
	defer func() { _ = am.DeleteTag(ctx, &tags.Tag{ID: id}) }()
	folder, err := s.user.finder.Folder(ctx, full)
	if err != nil {
		return err
	}
	rc, err := s.user.restClient(ctx)
	if err != nil {
		return err
	}
	if err := tags.NewManager(rc).AttachTag(ctx, id, folder.Reference()); err != nil {
		return err
	}
	return am.DetachTag(ctx, id, folder.Reference())
}

// ---- KKP's API: folder.go GetVMFolders (Finder.FolderList "*"), network.go getPossibleVMNetworks ----

// folder.go GetVMFolders: Finder.FolderList("*") (every folder of the datacenter the user can see, recursively),
// then only rootPath and the folders below it. A hidden folder is no error, it is left out of the dashboard's list:
// the operation fails when rootPath is not in the list (KKP's user cannot pick a folder there).
func listFolders(ctx context.Context, s *runState) error {
	root, err := s.object("rootFolder")
	if err != nil {
		return err
	}
	folders, err := s.user.finder.FolderList(ctx, "*")
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.InventoryPath == root {
			return nil
		}
	}
	return &hiddenError{path: root}
}

// network.go GetNetworks, getPossibleVMNetworks: Finder.NetworkList("*"), each network's EthernetCardBackingInfo
// (a network whose backing cannot be made, e.g. a distributed port group whose switch the user cannot read, is
// skipped), then its Finder.Element (its path). A hidden network is left out of the list: the operation fails when
// one of the cluster's networks is not in it.
func listNetworks(ctx context.Context, s *runState) error {
	networks, err := s.user.finder.NetworkList(ctx, "*")
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	skipped := map[types.ManagedObjectReference]error{}
	for _, n := range networks {
		if _, err := n.EthernetCardBackingInfo(ctx); err != nil {
			skipped[n.Reference()] = err
			continue
		}
		e, err := s.user.finder.Element(ctx, n.Reference())
		if err != nil {
			return err
		}
		listed[e.Path] = true
	}
	for _, want := range s.run.Objects["network"] {
		if listed[want] {
			continue
		}
		// Listed by the finder but skipped for its backing: say why, as the backing's error.
		if ref, err := s.admin.finder.Network(ctx, want); err == nil {
			if berr, ok := skipped[ref.Reference()]; ok {
				return s.backingError(ctx, want, berr)
			}
		}
		return &hiddenError{path: want}
	}
	return nil
}

// backingError: a distributed port group's NIC backing could not be made because the user cannot read its switch
// (vCenter leaves config.distributedVirtualSwitch unset; govmomi's EthernetCardBackingInfo then fails naming it):
// reported as the switch hidden from the user, the switch found by the admin.
func (s *runState) backingError(ctx context.Context, network string, err error) error {
	if !strings.Contains(err.Error(), "config.distributedVirtualSwitch") {
		return err
	}
	ref, ferr := s.admin.finder.Network(ctx, network)
	if ferr != nil {
		return err
	}
	var pg mo.DistributedVirtualPortgroup
	if perr := property.DefaultCollector(s.admin.client).RetrieveOne(ctx, ref.Reference(), []string{"config.distributedVirtualSwitch"}, &pg); perr != nil || pg.Config.DistributedVirtualSwitch == nil {
		return err
	}
	return &hiddenError{path: s.pathOf(ctx, *pg.Config.DistributedVirtualSwitch)}
}

// ---- machine-controller: kubermatic/machine-controller pkg/cloudprovider/provider/vsphere, v1.66.2 ----

// helper.go createClonedVM, first line: Finder.VirtualMachine(config.TemplateVMName).
func findTemplate(ctx context.Context, s *runState) error {
	p, err := s.object("templateVm")
	if err != nil {
		return err
	}
	_, err = s.user.finder.VirtualMachine(ctx, p)
	return err
}

// helper.go createClonedVM: the template, the target folder (Finder.Folder(config.Folder)), the relocate spec
// (DiskMoveType moveAllDiskBackingsAndConsolidate, Folder), the datastore (resolveDatastoreRef: Finder.Datastore) and
// resource pool (resolveResourcePoolRef: Finder.ResourcePool), CloneSpec{PowerOn: false, Template: false},
// VirtualMachine.Clone(folder, name, spec), Task.WaitEx, then Finder.VirtualMachine(name).
func cloneAs(ctx context.Context, s *runState, c *conn) error {
	tplPath, err := s.object("templateVm")
	if err != nil {
		return err
	}
	folderPath, err := s.object("clusterFolder")
	if err != nil {
		return err
	}
	dsPath, err := s.object("datastore")
	if err != nil {
		return err
	}
	tpl, err := c.finder.VirtualMachine(ctx, tplPath)
	if err != nil {
		return err
	}
	folder, err := c.finder.Folder(ctx, folderPath)
	if err != nil {
		return err
	}
	relocate := types.VirtualMachineRelocateSpec{
		DiskMoveType: string(types.VirtualMachineRelocateDiskMoveOptionsMoveAllDiskBackingsAndConsolidate),
		Folder:       types.NewReference(folder.Reference()),
		Disk:         []types.VirtualMachineRelocateSpecDiskLocator{},
	}
	spec := types.VirtualMachineCloneSpec{PowerOn: false, Template: false, Location: relocate}
	ds, err := c.finder.Datastore(ctx, dsPath)
	if err != nil {
		return err
	}
	spec.Location.Datastore = types.NewReference(ds.Reference())
	if pools := s.run.Objects["resourcePool"]; len(pools) > 0 {
		pool, err := c.finder.ResourcePool(ctx, pools[0])
		if err != nil {
			return err
		}
		spec.Location.Pool = types.NewReference(pool.Reference())
	}
	task, err := tpl.Clone(ctx, folder, s.name, spec)
	if err != nil {
		return err
	}
	if err := task.WaitEx(ctx); err != nil {
		return err
	}
	vm, err := c.finder.VirtualMachine(ctx, folderPath+"/"+s.name)
	if err != nil {
		return err
	}
	ref := vm.Reference()
	s.vm = &ref
	s.vmDatastore = object.NewDatastore(s.admin.client, ds.Reference())
	s.vmDatastore.InventoryPath = dsPath
	return nil
}

func cloneTemplate(ctx context.Context, s *runState) error        { return cloneAs(ctx, s, s.user) }
func cloneTemplateAsAdmin(ctx context.Context, s *runState) error { return cloneAs(ctx, s, s.admin) }

// A node VM for the operations that act on one: the one the run cloned, else one the admin clones the same way (into
// the cluster folder, which the admin makes first when KKP's seed controller is not part of the run).
func ensureNode(ctx context.Context, s *runState) error {
	if s.vm != nil {
		return nil
	}
	if err := ensureClusterFolder(ctx, s); err != nil {
		return err
	}
	return cloneAs(ctx, s, s.admin)
}

func (s *runState) vmAs(c *conn) *object.VirtualMachine {
	return object.NewVirtualMachine(c.client, *s.vm)
}

// helper.go createClonedVM after the clone: Device(), the disk resized (getDisksFromVM, validateDiskResizing: exactly
// one disk, the new size not smaller), network.go GetNetworkSpecs (every NIC removed, a vmxnet3 NIC added per network
// with Finder.Network(net).EthernetCardBackingInfo), Flags.DiskUuidEnabled, NumCPUs, MemoryMB, Reconfigure,
// WaitEx; then removeFloppyDevice (RemoveDevice of a floppy, if any).
func reconfigureAs(ctx context.Context, s *runState, c *conn) error {
	vm := s.vmAs(c)
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	var specs []types.BaseVirtualDeviceConfigSpec
	disks := devices.SelectByType((*types.VirtualDisk)(nil))
	if len(disks) == 1 {
		disk := disks[0].(*types.VirtualDisk)
		disk.CapacityInBytes += 1 << 30
		disk.CapacityInKB = 0
		specs = append(specs, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: disk})
	}
	for _, dev := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		specs = append(specs, &types.VirtualDeviceConfigSpec{Device: dev, Operation: types.VirtualDeviceConfigSpecOperationRemove})
	}
	key := int32(-100)
	for _, net := range s.run.Objects["network"] {
		ref, err := c.finder.Network(ctx, net)
		if err != nil {
			return err
		}
		backing, err := ref.EthernetCardBackingInfo(ctx)
		if err != nil {
			return s.backingError(ctx, net, err)
		}
		dev, err := object.EthernetCardTypes().CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return err
		}
		dev.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().Key = key
		key--
		specs = append(specs, &types.VirtualDeviceConfigSpec{Device: dev, Operation: types.VirtualDeviceConfigSpecOperationAdd})
	}
	uuid := true
	task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
		DeviceChange: specs,
		Flags:        &types.VirtualMachineFlagInfo{DiskUuidEnabled: &uuid},
		NumCPUs:      2,
		MemoryMB:     2048,
	})
	if err != nil {
		return err
	}
	if err := task.WaitEx(ctx); err != nil {
		return err
	}
	devices, err = vm.Device(ctx)
	if err != nil {
		return err
	}
	if floppy, err := devices.FindFloppy(""); err == nil {
		return vm.RemoveDevice(ctx, false, floppy)
	}
	return nil
}

func reconfigureVM(ctx context.Context, s *runState) error { return reconfigureAs(ctx, s, s.user) }
func reconfigureVMAsAdmin(ctx context.Context, s *runState) error {
	return reconfigureAs(ctx, s, s.admin)
}

// helper.go createClonedVM, Flatcar: the vApp properties guestinfo.ignition.config.data(.encoding) edited by key.
func setGuestinfo(ctx context.Context, s *runState) error {
	vm := s.vmAs(s.user)
	var mvm mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config", "config.vAppConfig", "config.vAppConfig.property"}, &mvm); err != nil {
		return err
	}
	if mvm.Config == nil || mvm.Config.VAppConfig == nil || mvm.Config.VAppConfig.GetVmConfigInfo() == nil {
		return fmt.Errorf("the template has no vApp properties (not a Flatcar template)")
	}
	var props []types.VAppPropertySpec
	for _, item := range mvm.Config.VAppConfig.GetVmConfigInfo().Property {
		value := ""
		switch item.Id {
		case "guestinfo.ignition.config.data":
			value = "e30K"
		case "guestinfo.ignition.config.data.encoding":
			value = "base64"
		default:
			continue
		}
		props = append(props, types.VAppPropertySpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit}, Info: &types.VAppPropertyInfo{Key: item.Key, Id: item.Id, Value: value}})
	}
	task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{Property: props}})
	if err != nil {
		return err
	}
	return task.WaitEx(ctx)
}

// The node VM as a clone of a Flatcar template has the template's guestinfo vApp properties. The simulator's
// CloneVM_Task does not copy config.vAppConfig (govmomi v0.56.0 simulator/virtual_machine.go CloneVMTask), so the admin
// adds them to the clone when they are missing, before machine-controller's call edits them.
func ensureNodeWithVApp(ctx context.Context, s *runState) error {
	if err := ensureNode(ctx, s); err != nil {
		return err
	}
	vm := s.vmAs(s.admin)
	var mvm mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.vAppConfig"}, &mvm); err != nil {
		return err
	}
	if mvm.Config != nil && mvm.Config.VAppConfig != nil && len(mvm.Config.VAppConfig.GetVmConfigInfo().Property) > 0 {
		return nil
	}
	return addFlatcarProperties(ctx, vm)
}

// helper.go getDatastoreFromVM: summary.config.vmPathName's datastore, by Finder.Datastore.
func datastoreOfVM(ctx context.Context, s *runState, c *conn) (*object.Datastore, error) {
	var props mo.VirtualMachine
	vm := s.vmAs(c)
	if err := vm.Properties(ctx, vm.Reference(), []string{"summary.config.vmPathName"}, &props); err != nil {
		return nil, err
	}
	var p object.DatastorePath
	if !p.FromString(props.Summary.Config.VmPathName) {
		return nil, fmt.Errorf("cannot parse %q", props.Summary.Config.VmPathName)
	}
	return c.finder.Datastore(ctx, p.Datastore)
}

// What the run uploads as cloud-init.iso: bytes, not an ISO image (vCenter stores the file; no guest reads it here).
var isoBytes = []byte("kkpops cloud-init.iso stand-in\n")

// helper.go uploadAndAttachISO: Datastore.UploadFile of the generated ISO to <vm name>/cloud-init.iso (HTTP PUT /folder).
func uploadAs(ctx context.Context, s *runState, c *conn) error {
	ds, err := datastoreOfVM(ctx, s, c)
	if err != nil {
		return err
	}
	p := soap.DefaultUpload
	if err := ds.Upload(ctx, bytes.NewReader(isoBytes), s.name+"/cloud-init.iso", &p); err != nil {
		return err
	}
	s.isoUploaded = true
	return nil
}

func uploadISO(ctx context.Context, s *runState) error        { return uploadAs(ctx, s, s.user) }
func uploadISOAsAdmin(ctx context.Context, s *runState) error { return uploadAs(ctx, s, s.admin) }

// KKP's templates carry a CD-ROM drive (machine-controller fails without one: "failed to find cdrom device"); a
// template imported without one gets one from the admin on the node VM.
func ensureNodeWithCdrom(ctx context.Context, s *runState) error {
	if err := ensureNode(ctx, s); err != nil {
		return err
	}
	vm := s.vmAs(s.admin)
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	if _, err := devices.FindCdrom(""); err == nil {
		return nil
	}
	ide, err := devices.FindIDEController("")
	if err != nil {
		if err := vm.AddDevice(ctx, &types.VirtualIDEController{}); err != nil {
			return err
		}
		if devices, err = vm.Device(ctx); err != nil {
			return err
		}
		if ide, err = devices.FindIDEController(""); err != nil {
			return err
		}
	}
	cdrom, err := devices.CreateCdrom(ide)
	if err != nil {
		return err
	}
	return vm.AddDevice(ctx, cdrom)
}

// helper.go uploadAndAttachISO: Device(), FindCdrom(""), StartConnected, EditDevice(InsertIso(cdrom, [ds] <vm>/cloud-init.iso)).
func insertISO(ctx context.Context, s *runState) error {
	vm := s.vmAs(s.user)
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	cdrom, err := devices.FindCdrom("")
	if err != nil {
		return err
	}
	cdrom.Connectable.StartConnected = true
	return vm.EditDevice(ctx, devices.InsertIso(cdrom, s.vmDatastore.Path(s.name+"/cloud-init.iso")))
}

func powerState(ctx context.Context, vm *object.VirtualMachine) (types.VirtualMachinePowerState, error) {
	return vm.PowerState(ctx)
}

func powerAs(ctx context.Context, s *runState, c *conn, on bool) error {
	vm := s.vmAs(c)
	var task *object.Task
	var err error
	if on {
		task, err = vm.PowerOn(ctx)
	} else {
		task, err = vm.PowerOff(ctx)
	}
	if err != nil {
		return err
	}
	return task.WaitEx(ctx)
}

// provider.go create: PowerOn, WaitEx.
func powerOn(ctx context.Context, s *runState) error        { return powerAs(ctx, s, s.user, true) }
func powerOnAsAdmin(ctx context.Context, s *runState) error { return powerAs(ctx, s, s.admin, true) }

func ensurePoweredOn(ctx context.Context, s *runState) error {
	if err := ensureNode(ctx, s); err != nil {
		return err
	}
	state, err := powerState(ctx, s.vmAs(s.admin))
	if err != nil || state == types.VirtualMachinePowerStatePoweredOn {
		return err
	}
	return powerOnAsAdmin(ctx, s)
}

// provider.go Cleanup: PowerState, PowerOff unless powered off, WaitEx.
func powerOff(ctx context.Context, s *runState) error        { return powerAs(ctx, s, s.user, false) }
func powerOffAsAdmin(ctx context.Context, s *runState) error { return powerAs(ctx, s, s.admin, false) }

func ensurePoweredOff(ctx context.Context, s *runState) error {
	if err := ensureNode(ctx, s); err != nil {
		return err
	}
	state, err := powerState(ctx, s.vmAs(s.admin))
	if err != nil || state == types.VirtualMachinePowerStatePoweredOff {
		return err
	}
	return powerOffAsAdmin(ctx, s)
}

// provider.go Cleanup: Destroy, WaitEx.
func destroyAs(ctx context.Context, s *runState, c *conn) error {
	if err := destroyAndWait(ctx, s.vmAs(c).Common); err != nil {
		return err
	}
	s.vm = nil
	return nil
}

func destroyVM(ctx context.Context, s *runState) error        { return destroyAs(ctx, s, s.user) }
func destroyVMAsAdmin(ctx context.Context, s *runState) error { return destroyAs(ctx, s, s.admin) }

// The node VM's folder on its datastore holds the uploaded cloud-init.iso when machine-controller deletes it.
func ensureVMFiles(ctx context.Context, s *runState) error {
	if s.vmDatastore == nil {
		return fmt.Errorf("no node VM was made in this run")
	}
	ds := object.NewDatastore(s.admin.client, s.vmDatastore.Reference())
	p := soap.DefaultUpload
	return ds.Upload(ctx, bytes.NewReader(isoBytes), s.name+"/cloud-init.iso", &p)
}

// provider.go Cleanup (not Flatcar): datastore.NewFileManager(session.Datacenter, false).Delete(<vm name>); a "was
// not found" error counts as done.
func deleteFilesAs(ctx context.Context, s *runState, c *conn) error {
	ds := object.NewDatastore(c.client, s.vmDatastore.Reference())
	ds.InventoryPath = s.vmDatastore.InventoryPath
	err := ds.NewFileManager(c.dc, false).Delete(ctx, s.name)
	var nf *types.FileNotFound
	if _, ok := fault.As(err, &nf); ok {
		return nil
	}
	return err
}

func deleteVMFiles(ctx context.Context, s *runState) error { return deleteFilesAs(ctx, s, s.user) }
func deleteVMFilesAsAdmin(ctx context.Context, s *runState) error {
	return deleteFilesAs(ctx, s, s.admin)
}

// ---- vSphere cloud controller manager: kubernetes/cloud-provider-vsphere pkg/common/vclib/datacenter.go, v1.33.1 ----

// GetVMByUUID: SearchIndex.FindByUuid(datacenter, uuid, vmSearch true, instanceUuid nil).
func findNodeVM(ctx context.Context, s *runState) error {
	uuid := s.vmAs(s.admin).UUID(ctx)
	ref, err := object.NewSearchIndex(s.user.client).FindByUuid(ctx, s.user.dc, uuid, true, nil)
	if err != nil {
		return err
	}
	if ref == nil {
		return &find.NotFoundError{}
	}
	return nil
}

// ---- vSphere CSI driver: kubernetes-sigs/vsphere-csi-driver pkg/common/cns-lib/volume/manager.go, v3.7.1 ----

func cnsTask(ctx context.Context, task *object.Task, err error) (cnstypes.BaseCnsVolumeOperationResult, error) {
	if err != nil {
		return nil, err
	}
	info, err := cns.GetTaskInfo(ctx, task)
	if err != nil {
		return nil, err
	}
	res, err := cns.GetTaskResult(ctx, info)
	if err != nil {
		return nil, err
	}
	if f := res.GetCnsVolumeOperationResult().Fault; f != nil {
		return nil, soap.WrapVimFault(f.Fault)
	}
	return res, nil
}

// CreateVolume: CnsCreateVolume of a BLOCK volume on the cluster's datastore, with the container cluster's metadata.
// The driver holds the datastore's reference from its own discovery (the shared datastores of the node VMs' hosts,
// matched by URL), not from a lookup by path: the reference is resolved by the admin, as read-topology's hosts are,
// and the user makes the CNS call only.
func createVolumeAs(ctx context.Context, s *runState, c *conn) error {
	dsPath, err := s.object("datastore")
	if err != nil {
		return err
	}
	ds, err := s.admin.finder.Datastore(ctx, dsPath)
	if err != nil {
		return err
	}
	client, err := cns.NewClient(ctx, c.client)
	if err != nil {
		return err
	}
	spec := cnstypes.CnsVolumeCreateSpec{
		Name:       s.name + "-pvc",
		VolumeType: "BLOCK",
		Datastores: []types.ManagedObjectReference{ds.Reference()},
		Metadata: cnstypes.CnsVolumeMetadata{ContainerCluster: cnstypes.CnsContainerCluster{
			ClusterType: "KUBERNETES", ClusterId: s.run.Cluster, VSphereUser: c.user, ClusterFlavor: "VANILLA",
		}},
		BackingObjectDetails: &cnstypes.CnsBlockBackingDetails{CnsBackingObjectDetails: cnstypes.CnsBackingObjectDetails{CapacityInMb: 16}},
	}
	task, err := client.CreateVolume(ctx, []cnstypes.CnsVolumeCreateSpec{spec})
	res, err := cnsTask(ctx, task, err)
	if err != nil {
		return err
	}
	id := res.GetCnsVolumeOperationResult().VolumeId
	s.volume = &id
	s.attached = false
	return nil
}

func createVolume(ctx context.Context, s *runState) error { return createVolumeAs(ctx, s, s.user) }
func createVolumeAsAdmin(ctx context.Context, s *runState) error {
	return createVolumeAs(ctx, s, s.admin)
}

// CreateVolume with a storage class naming a policy: PbmQueryProfile and PbmRetrieveContent.
func resolveStoragePolicy(ctx context.Context, s *runState) error {
	client, err := pbm.NewClient(ctx, s.user.client)
	if err != nil {
		return err
	}
	ids, err := client.QueryProfile(ctx, pbmtypes.PbmProfileResourceType{ResourceType: string(pbmtypes.PbmProfileResourceTypeEnumSTORAGE)}, "REQUIREMENT")
	if err != nil {
		return err
	}
	_, err = client.RetrieveContent(ctx, ids)
	return err
}

func ensureVolumeAndNode(ctx context.Context, s *runState) error {
	if err := ensureNode(ctx, s); err != nil {
		return err
	}
	if s.volume == nil {
		return createVolumeAsAdmin(ctx, s)
	}
	return nil
}

func attachAs(ctx context.Context, s *runState, c *conn, attach bool) error {
	client, err := cns.NewClient(ctx, c.client)
	if err != nil {
		return err
	}
	spec := []cnstypes.CnsVolumeAttachDetachSpec{{VolumeId: *s.volume, Vm: *s.vm}}
	var task *object.Task
	if attach {
		task, err = client.AttachVolume(ctx, spec)
	} else {
		task, err = client.DetachVolume(ctx, spec)
	}
	if _, err := cnsTask(ctx, task, err); err != nil {
		return err
	}
	s.attached = attach
	return nil
}

// AttachVolume: CnsAttachVolume of the volume to the node VM.
func attachVolume(ctx context.Context, s *runState) error { return attachAs(ctx, s, s.user, true) }
func attachVolumeAsAdmin(ctx context.Context, s *runState) error {
	return attachAs(ctx, s, s.admin, true)
}

func ensureAttached(ctx context.Context, s *runState) error {
	if err := ensureVolumeAndNode(ctx, s); err != nil {
		return err
	}
	if !s.attached {
		return attachVolumeAsAdmin(ctx, s)
	}
	return nil
}

// DetachVolume: CnsDetachVolume.
func detachVolume(ctx context.Context, s *runState) error { return attachAs(ctx, s, s.user, false) }
func detachVolumeAsAdmin(ctx context.Context, s *runState) error {
	return attachAs(ctx, s, s.admin, false)
}

func ensureDetachedVolume(ctx context.Context, s *runState) error {
	if s.volume == nil {
		return createVolumeAsAdmin(ctx, s)
	}
	if s.attached {
		return detachVolumeAsAdmin(ctx, s)
	}
	return nil
}

// DeleteVolume: CnsDeleteVolume with deleteDisk true.
func deleteVolumeAs(ctx context.Context, s *runState, c *conn) error {
	client, err := cns.NewClient(ctx, c.client)
	if err != nil {
		return err
	}
	task, err := client.DeleteVolume(ctx, []cnstypes.CnsVolumeId{*s.volume}, true)
	if _, err := cnsTask(ctx, task, err); err != nil {
		return err
	}
	s.volume = nil
	return nil
}

func deleteVolume(ctx context.Context, s *runState) error { return deleteVolumeAs(ctx, s, s.user) }
func deleteVolumeAsAdmin(ctx context.Context, s *runState) error {
	return deleteVolumeAs(ctx, s, s.admin)
}

// QueryVolume's topology: the datacenter's and the node hosts' names and parents through the PropertyCollector. The
// driver has the hosts' references from the node VMs (runtime.host), not from inventory paths: the admin resolves the
// paths here. An object the user cannot read is left out of the answer (vCenter hides it): that is a failure.
func readTopology(ctx context.Context, s *runState) error {
	pc := property.DefaultCollector(s.user.client)
	refs := []types.ManagedObjectReference{s.user.dc.Reference()}
	paths := []string{"/" + s.in.Datacenter}
	for _, h := range s.run.Objects["host"] {
		host, err := s.admin.finder.HostSystem(ctx, h)
		if err != nil {
			return err
		}
		refs = append(refs, host.Reference())
		paths = append(paths, h)
	}
	var entities []mo.ManagedEntity
	if err := pc.Retrieve(ctx, refs, []string{"name", "parent"}, &entities); err != nil {
		return err
	}
	for i, ref := range refs {
		seen := false
		for _, e := range entities {
			seen = seen || e.Self == ref
		}
		if !seen {
			return &hiddenError{path: paths[i]}
		}
	}
	return nil
}

// hiddenError: an object the user's PropertyCollector left out of its answer.
type hiddenError struct{ path string }

func (e *hiddenError) Error() string { return e.path + " is not visible to the user" }

// cleanup: what the run left, removed as the admin (volume, node VM, its files).
func (s *runState) cleanup(ctx context.Context) error {
	if s.volume != nil {
		if s.attached {
			if err := detachVolumeAsAdmin(ctx, s); err != nil {
				return err
			}
		}
		if err := deleteVolumeAsAdmin(ctx, s); err != nil {
			return err
		}
	}
	if s.vm != nil {
		if err := ensurePoweredOff(ctx, s); err != nil {
			return err
		}
		if err := destroyVMAsAdmin(ctx, s); err != nil {
			return err
		}
	}
	if s.vmDatastore != nil {
		if err := deleteVMFilesAsAdmin(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
