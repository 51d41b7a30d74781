// kkpops: the vSphere operations of KKP's components, run logged in as the users a stack's credentials name, against a
// vCenter (the test simulator). It answers, per operation, whether vCenter let that user do it, and if not, the fault
// (for NoPermission: the object and the privilege vCenter names).
//
// Input (stdin, JSON): the vCenter URL, the datacenter, and scenarios. A scenario optionally removes one permission
// (as the admin, through AuthorizationManager.RemoveEntityPermission), runs its runs, and puts the permission back
// exactly as it was (SetEntityPermissions with the same role and propagation), then checks that it is back. A run is
// one principal's operations for one user cluster: the operation ids of src/facts/kkp-operations
// (`<component>/<verb>`) and the cluster's objects by kind (inventory paths, as the cluster's `//.kkp.works` metadata
// has them). Credentials come from the environment only: KKPOPS_ADMIN_USER / KKPOPS_ADMIN_PASSWORD, and per run
// <env>_USER / <env>_PASSWORD, where <env> is the run's `env`.
//
// Output (stdout): one JSON line per operation run,
//
//	{"scenario","cluster","id","principal","ok","fault","object","privilege","missing","message"}
//
// `fault` is the vSphere fault type (NoPermission, NotFound, ...); for NoPermission, `object` is the inventory path
// of the object vCenter names and `privilege` its privilege id (`missing` lists missingPrivileges, vSphere 8.0+).
//
// How the calls are made: machine-controller's own Go package (k8c.io/machine-controller) pulls in Kubernetes and
// its controller runtime, so its vSphere calls are written here from its source, each with the file and tag it was
// read at (kubermatic/machine-controller v1.66.2, commit d28a9b4552f1b7dd98dcadebf733a14981cb6d49). KKP's own calls
// likewise (kubermatic/kubermatic v2.31.0, commit 4ecf778d527b9d736c2bae0f502d2684f7cc874b). The same govmomi
// calls, through the govmomi version of test/go.mod.
//
// Operations run in KKP's order for a machine's life (clone, reconfigure, ISO, power on, power off, destroy, delete
// files). When one step is refused, the admin performs it instead (a "fallback", never reported as the user's), so
// that every later step is still tried as the user: each operation is judged on its own.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type input struct {
	URL        string `json:"url"`
	Insecure   bool   `json:"insecure"`
	Datacenter string `json:"datacenter"`
	// Template VMs the admin makes first when absent (for stacks whose templates are not imported by the stack).
	Templates []template `json:"templates,omitempty"`
	Scenarios []scenario `json:"scenarios"`
}

type template struct {
	Path         string `json:"path"`
	Datastore    string `json:"datastore"`
	ResourcePool string `json:"resourcePool"`
}

type scenario struct {
	ID     string         `json:"id"`
	Remove *permissionRef `json:"remove,omitempty"`
	Runs   []run          `json:"runs"`
}

type permissionRef struct {
	Object    string `json:"object"`
	Principal string `json:"principal"`
	Group     bool   `json:"group"`
}

type run struct {
	Principal string `json:"principal"`
	Env       string `json:"env"`
	Cluster   string `json:"cluster"`
	// Objects by kind of src/facts/kkp-operations (KkpObject): inventory paths.
	Objects map[string][]string `json:"objects"`
	Ops     []string            `json:"ops"`
}

type missing struct {
	Object     string   `json:"object"`
	Privileges []string `json:"privileges"`
}

type result struct {
	Scenario  string    `json:"scenario"`
	Cluster   string    `json:"cluster"`
	ID        string    `json:"id"`
	Principal string    `json:"principal"`
	OK        bool      `json:"ok"`
	Fault     string    `json:"fault,omitempty"`
	Object    string    `json:"object,omitempty"`
	Privilege string    `json:"privilege,omitempty"`
	Missing   []missing `json:"missing,omitempty"`
	Message   string    `json:"message,omitempty"`
}

// conn is one logged-in user: a SOAP session with a finder set to the datacenter, as machine-controller's NewSession
// makes it (pkg/cloudprovider/provider/vsphere/client.go, v1.66.2: soap.NewClient of <url>/sdk, vim25.NewClient,
// SessionManager.Login, find.NewFinder(client, true), Finder.Datacenter, SetDatacenter).
type conn struct {
	user, password string
	client         *vim25.Client
	sm             *session.Manager
	finder         *find.Finder
	dc             *object.Datacenter
	// dcErr: the datacenter could not be found as this user (it cannot read it). The user is logged in; every call
	// made in a session the component opens with Finder.Datacenter fails with this error (see sessionOps).
	dcErr error
	rest  *rest.Client
}

func login(ctx context.Context, in *input, user, password string) (*conn, error) {
	u, err := url.Parse(in.URL)
	if err != nil {
		return nil, err
	}
	soapClient := soap.NewClient(u.JoinPath("/sdk"), in.Insecure)
	client, err := vim25.NewClient(ctx, soapClient)
	if err != nil {
		return nil, err
	}
	sm := session.NewManager(client)
	if err := sm.Login(ctx, url.UserPassword(user, password)); err != nil {
		return nil, fmt.Errorf("login as %s: %w", user, err)
	}
	finder := find.NewFinder(client, true)
	c := &conn{user: user, password: password, client: client, sm: sm, finder: finder}
	dc, err := finder.Datacenter(ctx, in.Datacenter)
	if err != nil {
		c.dcErr = fmt.Errorf("datacenter %s as %s: %w", in.Datacenter, user, err)
		return c, nil
	}
	finder.SetDatacenter(dc)
	c.dc = dc
	return c, nil
}

// restClient is a vSphere Automation session of the same user, as KKP's newRESTSession and machine-controller's
// NewRESTSession open it (rest.NewClient(vim25Client).Login).
func (c *conn) restClient(ctx context.Context) (*rest.Client, error) {
	if c.rest != nil {
		return c.rest, nil
	}
	rc := rest.NewClient(c.client)
	if err := rc.Login(ctx, url.UserPassword(c.user, c.password)); err != nil {
		return nil, err
	}
	c.rest = rc
	return rc, nil
}

func (c *conn) logout(ctx context.Context) {
	if c.rest != nil {
		_ = c.rest.Logout(ctx)
	}
	_ = c.sm.Logout(ctx)
}

func credentials(env string) (string, string, error) {
	user, password := os.Getenv(env+"_USER"), os.Getenv(env+"_PASSWORD")
	if user == "" || password == "" {
		return "", "", fmt.Errorf("%s_USER and %s_PASSWORD must be set", env, env)
	}
	return user, password, nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("kkpops: ")
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		log.Fatalf("reading the input: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	user, password, err := credentials("KKPOPS_ADMIN")
	if err != nil {
		log.Fatal(err)
	}
	admin, err := login(ctx, &in, user, password)
	if err == nil {
		err = admin.dcErr
	}
	if err != nil {
		log.Fatal(err)
	}
	defer admin.logout(ctx)
	for _, t := range in.Templates {
		if err := ensureTemplate(ctx, admin, t); err != nil {
			log.Fatalf("template %s: %v", t.Path, err)
		}
	}
	out := json.NewEncoder(os.Stdout)
	for si := range in.Scenarios {
		if err := runScenario(ctx, &in, admin, si, out); err != nil {
			log.Fatalf("scenario %s: %v", in.Scenarios[si].ID, err)
		}
	}
}

// ---- permissions (the admin) ----

func (c *conn) entity(ctx context.Context, p string) (types.ManagedObjectReference, error) {
	if p == "/" {
		return c.client.ServiceContent.RootFolder, nil
	}
	ref, err := object.NewSearchIndex(c.client).FindByInventoryPath(ctx, p)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	if ref == nil {
		return types.ManagedObjectReference{}, fmt.Errorf("no object at %s", p)
	}
	return ref.Reference(), nil
}

func samePrincipal(a, b string) bool { return strings.EqualFold(a, b) }

func runScenario(ctx context.Context, in *input, admin *conn, si int, out *json.Encoder) error {
	sc := in.Scenarios[si]
	am := object.NewAuthorizationManager(admin.client)
	var removed *types.Permission
	var entity types.ManagedObjectReference
	if sc.Remove != nil {
		var err error
		entity, err = admin.entity(ctx, sc.Remove.Object)
		if err != nil {
			return err
		}
		perms, err := am.RetrieveEntityPermissions(ctx, entity, false)
		if err != nil {
			return err
		}
		for i := range perms {
			if samePrincipal(perms[i].Principal, sc.Remove.Principal) && perms[i].Group == sc.Remove.Group {
				removed = &perms[i]
			}
		}
		if removed == nil {
			return fmt.Errorf("no permission of %s on %s to remove", sc.Remove.Principal, sc.Remove.Object)
		}
		if err := am.RemoveEntityPermission(ctx, entity, removed.Principal, removed.Group); err != nil {
			return fmt.Errorf("removing the permission of %s on %s: %w", sc.Remove.Principal, sc.Remove.Object, err)
		}
	}
	runErr := runRuns(ctx, in, admin, si, out)
	if removed != nil {
		restore := types.Permission{Principal: removed.Principal, Group: removed.Group, RoleId: removed.RoleId, Propagate: removed.Propagate}
		if err := am.SetEntityPermissions(ctx, entity, []types.Permission{restore}); err != nil {
			return fmt.Errorf("restoring the permission of %s on %s: %w", sc.Remove.Principal, sc.Remove.Object, err)
		}
		perms, err := am.RetrieveEntityPermissions(ctx, entity, false)
		if err != nil {
			return err
		}
		back := false
		for _, p := range perms {
			back = back || (samePrincipal(p.Principal, removed.Principal) && p.Group == removed.Group && p.RoleId == removed.RoleId && p.Propagate == removed.Propagate)
		}
		if !back {
			return fmt.Errorf("the permission of %s on %s is not back after restoring it", sc.Remove.Principal, sc.Remove.Object)
		}
	}
	return runErr
}

// ensureTemplate makes a small template VM at t.Path, as the admin, unless one is there: one 1 GiB disk on a SCSI
// controller and a CD-ROM (as KKP's cloud-init templates have), and the vApp properties of Flatcar's OVA that
// machine-controller writes the Ignition config into (guestinfo.ignition.config.data and its .encoding).
func ensureTemplate(ctx context.Context, admin *conn, t template) error {
	if _, err := admin.finder.VirtualMachine(ctx, t.Path); err == nil {
		return nil
	}
	folder, err := admin.finder.Folder(ctx, path.Dir(t.Path))
	if err != nil {
		return err
	}
	pool, err := admin.finder.ResourcePool(ctx, t.ResourcePool)
	if err != nil {
		return err
	}
	ds, err := admin.finder.Datastore(ctx, t.Datastore)
	if err != nil {
		return err
	}
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return err
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(), "")
	disk.CapacityInKB = 1 << 20
	devices = append(devices, disk)
	ide, err := devices.CreateIDEController()
	if err != nil {
		return err
	}
	devices = append(devices, ide)
	cdrom, err := devices.CreateCdrom(ide.(*types.VirtualIDEController))
	if err != nil {
		return err
	}
	devices = append(devices, cdrom)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return err
	}
	name := path.Base(t.Path)
	task, err := folder.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name: name, GuestId: "ubuntu64Guest", NumCPUs: 1, MemoryMB: 512, DeviceChange: changes,
		Files: &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name())},
	}, pool, nil)
	if err != nil {
		return err
	}
	info, err := task.WaitForResultEx(ctx)
	if err != nil {
		return err
	}
	vm := object.NewVirtualMachine(admin.client, info.Result.(types.ManagedObjectReference))
	if err := addFlatcarProperties(ctx, vm); err != nil {
		return err
	}
	return vm.MarkAsTemplate(ctx)
}

// addFlatcarProperties adds the vApp properties of Flatcar's OVA that machine-controller writes the Ignition config into.
func addFlatcarProperties(ctx context.Context, vm *object.VirtualMachine) error {
	add := func(key int32, id string) types.VAppPropertySpec {
		return types.VAppPropertySpec{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info:            &types.VAppPropertyInfo{Key: key, Id: id, Type: "string", UserConfigurable: types.NewBool(true)},
		}
	}
	task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{VAppConfig: &types.VmConfigSpec{Property: []types.VAppPropertySpec{
		add(0, "guestinfo.ignition.config.data"), add(1, "guestinfo.ignition.config.data.encoding"),
	}}})
	if err != nil {
		return err
	}
	return task.WaitEx(ctx)
}
