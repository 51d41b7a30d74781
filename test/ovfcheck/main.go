// ovfcheck deploys an OVF or OVA into the govmomi vCenter simulator the way terraform-provider-vsphere's
// ovf_deploy does (read the descriptor, CreateImportSpec, ImportVApp, upload every file item through the
// NFC lease, complete) and prints what vSphere made of it as JSON. Tests of convert-image run it as an
// independent reader of our descriptors.
//
// Build: cd test && go build -o ovfcheck ./ovfcheck (test/support/go-program.ts does it for the tests)
// Run:   ovfcheck PATH.ovf|PATH.ova [NETWORK_NAME]
package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type fileItem struct {
	Path     string `json:"path"`
	Size     int64  `json:"size"`
	DeviceID string `json:"deviceId"`
	Uploaded int64  `json:"uploadedBytes"`
}

type device struct {
	Type           string `json:"type"`
	GoType         string `json:"goType"`
	Label          string `json:"label"`
	Controller     string `json:"controller,omitempty"`
	UnitNumber     int32  `json:"unitNumber"`
	CapacityKB     int64  `json:"capacityKB,omitempty"`
	Network        string `json:"network,omitempty"`
	StartConnected *bool  `json:"startConnected,omitempty"`
}

type result struct {
	Envelope   *ovf.Envelope `json:"envelope"`
	Errors     []string      `json:"errors"`
	Warnings   []string      `json:"warnings"`
	FileItems  []fileItem    `json:"fileItems"`
	VM         *vmInfo       `json:"vm"`
	Descriptor string        `json:"descriptor"`
}

type vmInfo struct {
	Name     string   `json:"name"`
	GuestID  string   `json:"guestId"`
	Version  string   `json:"version"`
	NumCPU   int32    `json:"numCPU"`
	MemoryMB int32    `json:"memoryMB"`
	Devices  []device `json:"devices"`
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "ovfcheck: "+format+"\n", a...)
	os.Exit(1)
}

// readDescriptor follows the provider: a .ova is a tar whose first *.ovf entry is the descriptor.
func readDescriptor(p string) (string, string) {
	if !strings.HasSuffix(p, ".ova") {
		b, err := ioutil.ReadFile(p)
		if err != nil {
			fail("%v", err)
		}
		return string(b), filepath.Base(p)
	}
	f, err := os.Open(p)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			fail("no .ovf entry in %s", p)
		}
		if err != nil {
			fail("%v", err)
		}
		if strings.HasSuffix(h.Name, ".ovf") {
			b, _ := ioutil.ReadAll(tr)
			return string(b), h.Name
		}
	}
}

// openItem follows the provider: OVF file items are read relative to the descriptor, OVA items are the
// tar entry with exactly the item's path as name.
func openItem(p string, item string) (io.Reader, func()) {
	if !strings.HasSuffix(p, ".ova") {
		f, err := os.Open(filepath.Join(filepath.Dir(p), item))
		if err != nil {
			fail("%v", err)
		}
		return f, func() { f.Close() }
	}
	f, err := os.Open(p)
	if err != nil {
		fail("%v", err)
	}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			fail("disk %s not found inside ova: %v", item, err)
		}
		if h.Name == item {
			return tr, func() { f.Close() }
		}
	}
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func run(ctx context.Context, c *vim25.Client, p string, network string) result {
	desc, descName := readDescriptor(p)
	env, err := ovf.Unmarshal(strings.NewReader(desc))
	if err != nil {
		fail("ovf.Unmarshal: %v", err)
	}
	out := result{Envelope: env, Descriptor: descName, Errors: []string{}, Warnings: []string{}, FileItems: []fileItem{}}

	finder := find.NewFinder(c)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		fail("%v", err)
	}
	finder.SetDatacenter(dc)
	// The VPX model has a cluster and a standalone host; deploy into the cluster, like a KKP set-up.
	pool, err := finder.ResourcePool(ctx, "DC0_C0/Resources")
	if err != nil {
		fail("%v", err)
	}
	ds, err := finder.DefaultDatastore(ctx)
	if err != nil {
		fail("%v", err)
	}
	hosts, err := finder.HostSystemList(ctx, "DC0_C0/*")
	if err != nil {
		fail("%v", err)
	}
	host := hosts[0]
	net, err := finder.Network(ctx, "VM Network")
	if err != nil {
		fail("%v", err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		fail("%v", err)
	}

	name := "ovfcheck-vm"
	hostRef := host.Reference()
	spec, err := ovf.NewManager(c).CreateImportSpec(ctx, desc, pool, ds, &types.OvfCreateImportSpecParams{
		EntityName:       name,
		HostSystem:       &hostRef,
		DiskProvisioning: "thin",
		NetworkMapping:   []types.OvfNetworkMapping{{Name: network, Network: net.Reference()}},
	})
	if err != nil {
		fail("CreateImportSpec: %v", err)
	}
	for _, e := range spec.Error {
		out.Errors = append(out.Errors, e.LocalizedMessage)
	}
	for _, w := range spec.Warning {
		out.Warnings = append(out.Warnings, w.LocalizedMessage)
	}
	if len(out.Errors) != 0 {
		return out
	}

	lease, err := pool.ImportVApp(ctx, spec.ImportSpec, folders.VmFolder, host)
	if err != nil {
		fail("ImportVApp: %v", err)
	}
	info, err := lease.Wait(ctx, spec.FileItem)
	if err != nil {
		fail("lease: %v", err)
	}
	// The updater drains the items' progress reports; without it Upload blocks.
	updater := lease.StartUpdater(ctx, info)
	for _, item := range info.Items {
		r, done := openItem(p, item.Path)
		cr := &counter{r: r}
		if err := lease.Upload(ctx, item, cr, soap.Upload{ContentLength: item.Size}); err != nil {
			fail("upload %s: %v", item.Path, err)
		}
		done()
		out.FileItems = append(out.FileItems, fileItem{Path: item.Path, Size: item.Size, DeviceID: item.DeviceId, Uploaded: cr.n})
	}
	updater.Done()
	if err := lease.Complete(ctx); err != nil {
		fail("lease complete: %v", err)
	}

	vm, err := finder.VirtualMachine(ctx, name)
	if err != nil {
		fail("imported VM not found: %v", err)
	}
	var m mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config"}, &m); err != nil {
		fail("%v", err)
	}
	devices := object.VirtualDeviceList(m.Config.Hardware.Device)
	vi := &vmInfo{Name: m.Config.Name, GuestID: m.Config.GuestId, Version: m.Config.Version,
		NumCPU: m.Config.Hardware.NumCPU, MemoryMB: m.Config.Hardware.MemoryMB, Devices: []device{}}
	for _, d := range devices {
		vd := d.GetVirtualDevice()
		dev := device{Type: devices.Type(d), GoType: fmt.Sprintf("%T", d), Label: devices.Name(d)}
		if vd.UnitNumber != nil {
			dev.UnitNumber = *vd.UnitNumber
		}
		if ctl := devices.FindByKey(vd.ControllerKey); ctl != nil {
			dev.Controller = devices.Type(ctl)
		}
		if disk, ok := d.(*types.VirtualDisk); ok {
			dev.CapacityKB = disk.CapacityInKB
		}
		if b, ok := vd.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
			dev.Network = b.DeviceName
		}
		if vd.Connectable != nil {
			sc := vd.Connectable.StartConnected
			dev.StartConnected = &sc
		}
		vi.Devices = append(vi.Devices, dev)
	}
	out.VM = vi
	return out
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: ovfcheck PATH.ovf|PATH.ova [NETWORK_NAME]")
	}
	network := "VM Network"
	if len(os.Args) > 2 {
		network = os.Args[2]
	}
	var out result
	simulator.Test(func(ctx context.Context, c *vim25.Client) {
		out = run(ctx, c, os.Args[1], network)
	})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail("%v", err)
	}
}
