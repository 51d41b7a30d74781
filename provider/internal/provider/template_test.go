package provider

import (
	"archive/tar"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// ovfDescriptor is an OVF 1.0 envelope like the package's convert-image writes: one streamOptimized disk per
// entry of disks, an IDE CD-ROM, one vmxnet3 NIC on the OVF network "VM Network".
func ovfDescriptor(name string, disks map[string]int64) string {
	var refs, diskSec, items strings.Builder
	i := 0
	for file, size := range disks {
		i++
		fmt.Fprintf(&refs, `    <File ovf:href="%s" ovf:id="file%d" ovf:size="%d"/>`+"\n", file, i, size)
		fmt.Fprintf(&diskSec, `    <Disk ovf:capacity="64" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk%d" ovf:fileRef="file%d" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`+"\n", i, i)
		fmt.Fprintf(&items, `      <Item>
        <rasd:AddressOnParent>%d</rasd:AddressOnParent>
        <rasd:ElementName>Hard disk %d</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk%d</rasd:HostResource>
        <rasd:InstanceID>%d</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
`, i-1, i, i, 10+i)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References>
` + refs.String() + `  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
` + diskSec.String() + `  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network"><Description>The VM Network network</Description></Network>
  </NetworkSection>
  <VirtualSystem ovf:id="` + name + `">
    <Info>A virtual machine</Info>
    <Name>` + name + `</Name>
    <OperatingSystemSection ovf:id="101" vmw:osType="ubuntu64Guest"><Info>Guest OS</Info></OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>` + name + `</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>2048MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>2048</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
` + items.String() + `      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>7</rasd:InstanceID>
        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`
}

// makeDisk writes a real streamOptimized VMDK (what an OVF carries) with qemu-img (Debian qemu-utils).
func makeDisk(t *testing.T, file string) int64 {
	t.Helper()
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=streamOptimized", file, "64M").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img (Debian qemu-utils) making %s: %v\n%s", file, err, out)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// makeOVF writes name.ovf with its disks beside it in a new directory and returns the descriptor's path.
func makeOVF(t *testing.T, name string, diskFiles ...string) string {
	t.Helper()
	dir := t.TempDir()
	disks := map[string]int64{}
	for _, d := range diskFiles {
		disks[d] = makeDisk(t, filepath.Join(dir, d))
	}
	p := filepath.Join(dir, name+".ovf")
	if err := os.WriteFile(p, []byte(ovfDescriptor(name, disks)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeOVA packs an OVF and its disk into an OVA (a tar, descriptor first).
func makeOVA(t *testing.T, ovfPath, disk string) string {
	t.Helper()
	ova := strings.TrimSuffix(ovfPath, ".ovf") + ".ova"
	f, err := os.Create(ova)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, name := range []string{filepath.Base(ovfPath), disk} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(ovfPath), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return ova
}

// vmsNamed lists the VMs of DC0 whose names start with prefix (the template and any temporary import VM).
func vmsNamed(prefix string) ([]mo.VirtualMachine, error) {
	ctx := context.Background()
	vms, err := find.NewFinder(simAdmin).VirtualMachineList(ctx, "/DC0/vm/...")
	if err != nil && !strings.Contains(err.Error(), "not found") {
		return nil, err
	}
	var refs []types.ManagedObjectReference
	for _, vm := range vms {
		if strings.HasPrefix(vm.Name(), prefix) {
			refs = append(refs, vm.Reference())
		}
	}
	var out []mo.VirtualMachine
	if len(refs) > 0 {
		err = property.DefaultCollector(simAdmin).Retrieve(ctx, refs, []string{"name", "config", "runtime", "summary.runtime"}, &out)
	}
	return out, err
}

func noVMs(prefix string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		vms, err := vmsNamed(prefix)
		if err != nil {
			return err
		}
		if len(vms) > 0 {
			var names []string
			for _, vm := range vms {
				names = append(names, vm.Name+" ("+vm.Self.Value+")")
			}
			return fmt.Errorf("VMs left behind: %s", strings.Join(names, ", "))
		}
		return nil
	}
}

// checkTemplate asserts what machine-controller needs and that the VM never ran: a template, powered off, no boot
// time, no power-on or starting event, exactly one disk, disk.enableUUID=TRUE, the vApp properties.
func checkTemplate(name string, vappProps ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		vms, err := vmsNamed(name)
		if err != nil {
			return err
		}
		if len(vms) != 1 || vms[0].Name != name {
			return fmt.Errorf("want exactly one VM named %s, found %d", name, len(vms))
		}
		vm := vms[0]
		var problems []string
		if !vm.Config.Template {
			problems = append(problems, "not marked as template")
		}
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
			problems = append(problems, "runtime.powerState "+string(vm.Runtime.PowerState))
		}
		if vm.Runtime.BootTime != nil || vm.Summary.Runtime.BootTime != nil {
			problems = append(problems, "has a boot time")
		}
		if n := len(object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil))); n != 1 {
			problems = append(problems, fmt.Sprintf("%d disks", n))
		}
		if v := extraConfigValue(vm.Config.ExtraConfig, "disk.enableUUID"); v != "TRUE" {
			problems = append(problems, "disk.enableUUID="+v)
		}
		have := map[string]bool{}
		if vm.Config.VAppConfig != nil {
			info := vm.Config.VAppConfig.GetVmConfigInfo()
			for _, p := range info.Property {
				have[p.Id] = true
			}
			// ovfEnvironmentTransport is not asserted: govmomi's simulator drops it on import and on ReconfigVM.
		}
		for _, id := range vappProps {
			if !have[id] {
				problems = append(problems, "no vApp property "+id)
			}
		}
		// The VM's events: created and reconfigured, never starting or powered on.
		events, err := event.NewManager(simAdmin).QueryEvents(context.Background(), types.EventFilterSpec{
			Entity: &types.EventFilterSpecByEntity{Entity: vm.Self, Recursion: types.EventFilterSpecRecursionOptionSelf},
		})
		if err != nil {
			return err
		}
		kinds := map[string]bool{}
		for _, e := range events {
			kind := fmt.Sprintf("%T", e)
			kinds[kind] = true
			if strings.Contains(kind, "PoweredOn") || strings.Contains(kind, "Starting") {
				problems = append(problems, "event "+kind)
			}
		}
		if len(events) == 0 {
			problems = append(problems, "no events recorded for the VM (the power-on check would prove nothing)")
		}
		if len(problems) > 0 {
			return fmt.Errorf("template %s (%s): %s (events: %v)", name, vm.Self.Value, strings.Join(problems, "; "), kinds)
		}
		return nil
	}
}

const flatcarProps = `["guestinfo.ignition.config.data", "guestinfo.ignition.config.data.encoding"]`

func templateConfig(name, source, extra string) string {
	return providerBlock + fmt.Sprintf(`
resource "kkpvsphere_vm_template" "t" {
  name          = %q
  folder        = "/DC0/vm"
  resource_pool = "/DC0/host/DC0_C0/Resources"
  datastore     = "/DC0/datastore/LocalDS_0"
  network       = "/DC0/network/VM Network"
  source        = %q
  %s
}
`, name, source, extra)
}

// A local .ovf with its disk beside it (convert-image's output), Flatcar's vApp properties: a template that never ran.
func TestTemplateFromLocalOVF(t *testing.T) {
	ovfPath := makeOVF(t, "flatcar-src", "flatcar-disk1.vmdk")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: templateConfig("flatcar-tpl", ovfPath, "vapp_properties = "+flatcarProps),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTemplate("flatcar-tpl", "guestinfo.ignition.config.data", "guestinfo.ignition.config.data.encoding"),
					resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "inventory_path", "/DC0/vm/flatcar-tpl"),
					resource.TestMatchResourceAttr("kkpvsphere_vm_template.t", "id", regexp.MustCompile(`^vm-`)),
					resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "owner", ownerOf("/DC0/vm", "flatcar-tpl")),
				),
			},
			{
				// only the timeout changes: no re-import
				Config: templateConfig("flatcar-tpl", ovfPath, "vapp_properties = "+flatcarProps+"\n  timeout = \"45m\""),
				Check:  checkTemplate("flatcar-tpl", "guestinfo.ignition.config.data", "guestinfo.ignition.config.data.encoding"),
			},
		},
		CheckDestroy: noVMs("flatcar-tpl"),
	})
}

// An OVA over http: downloaded, imported, a template.
func TestTemplateFromOVAURL(t *testing.T) {
	ovfPath := makeOVF(t, "ubuntu-src", "ubuntu-disk1.vmdk")
	ova := makeOVA(t, ovfPath, "ubuntu-disk1.vmdk")
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(ova))))
	defer srv.Close()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: templateConfig("ubuntu-tpl", srv.URL+"/"+filepath.Base(ova), ""),
			Check:  checkTemplate("ubuntu-tpl"),
		}},
		CheckDestroy: noVMs("ubuntu-tpl"),
	})
}

// A remote .ovf that needs a token query and basic authentication, given as the write-only source_query and
// source_userinfo from variables: the descriptor and the disk beside it are fetched with both, and neither is in the
// plan or the state.
func TestTemplateSecretSourceWriteOnly(t *testing.T) {
	ovfPath := makeOVF(t, "secret-src", "secret-disk1.vmdk")
	files := http.FileServer(http.Dir(filepath.Dir(ovfPath)))
	var served, refused int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if r.URL.Query().Get("token") != "t0ken-77" || !ok || user != "img" || pass != "s3cret-88" {
			refused++
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		served++
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	vars := `
variable "q" {
  type      = string
  sensitive = true
}
variable "u" {
  type      = string
  sensitive = true
}
`
	t.Setenv("TF_VAR_q", "token=t0ken-77")
	t.Setenv("TF_VAR_u", "img:s3cret-88")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: vars + templateConfig("secret-tpl", srv.URL+"/"+filepath.Base(ovfPath), "source_query = var.q\n  source_userinfo = var.u"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkTemplate("secret-tpl"),
				resource.TestCheckNoResourceAttr("kkpvsphere_vm_template.t", "source_query"),
				resource.TestCheckNoResourceAttr("kkpvsphere_vm_template.t", "source_userinfo"),
				func(st *terraform.State) error {
					for _, rs := range st.RootModule().Resources {
						for k, v := range rs.Primary.Attributes {
							if strings.Contains(v, "t0ken-77") || strings.Contains(v, "s3cret-88") {
								return fmt.Errorf("state attribute %s holds the secret", k)
							}
						}
					}
					if served < 2 {
						return fmt.Errorf("the server served %d files with the secrets (descriptor and disk expected)", served)
					}
					return nil
				},
			),
		}},
		CheckDestroy: noVMs("secret-tpl"),
	})
	if served == 0 {
		t.Fatalf("nothing was downloaded with the secrets (%d refused)", refused)
	}
}

// A source that stops sending mid-disk: the import fails within its timeout with a clear message and leaves no VM.
func TestTemplateStalledImportTimesOut(t *testing.T) {
	ovfPath := makeOVF(t, "stall-src", "stall-disk1.vmdk")
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".ovf") {
			http.ServeFile(w, r, ovfPath)
			return
		}
		b, _ := os.ReadFile(filepath.Join(filepath.Dir(ovfPath), "stall-disk1.vmdk"))
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		select { // never finishes on its own
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	var started time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig:   func() { started = time.Now() },
			Config:      templateConfig("stall-tpl", srv.URL+"/stall.ovf", `timeout = "4s"`),
			ExpectError: regexp.MustCompile(words(`did not finish within the timeout of 4s (it was uploading stall-disk1.vmdk after 4s); what it had made was removed.`)),
		}},
	})
	if took := time.Since(started); took > 30*time.Second {
		t.Errorf("the stalled import took %s to fail (timeout 4s)", took)
	}
	if err := noVMs("stall-tpl")(nil); err != nil {
		t.Error(err)
	}
}

// An OVF with two disks is refused before anything is created.
func TestTemplateTwoDisksRefused(t *testing.T) {
	ovfPath := makeOVF(t, "two-src", "two-disk1.vmdk", "two-disk2.vmdk")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config:      templateConfig("two-tpl", ovfPath, ""),
			ExpectError: regexp.MustCompile(words(`declares 2 disks; machine-controller needs a template with exactly one`)),
		}},
	})
	if err := noVMs("two-tpl")(nil); err != nil {
		t.Error(err)
	}
}

func createVM(t *testing.T, name string, extra map[string]string) types.ManagedObjectReference {
	t.Helper()
	ctx := tctx(t)
	finder := find.NewFinder(simAdmin)
	folder, err := finder.Folder(ctx, "/DC0/vm")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := finder.ResourcePool(ctx, "/DC0/host/DC0_C0/Resources")
	if err != nil {
		t.Fatal(err)
	}
	spec := types.VirtualMachineConfigSpec{Name: name, GuestId: "otherGuest", Files: &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"}}
	for k, v := range extra {
		spec.ExtraConfig = append(spec.ExtraConfig, &types.OptionValue{Key: k, Value: v})
	}
	task, err := folder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatalf("creating VM %s: %v", name, err)
	}
	return info.Result.(types.ManagedObjectReference)
}

// A leftover of this resource's interrupted import (its temporary name and mark) is removed and the import done; a
// VM of the template's name that is not ours is never touched.
func TestTemplateLeftoverAndForeignVM(t *testing.T) {
	ovfPath := makeOVF(t, "left-src", "left-disk1.vmdk")
	owner := ownerOf("/DC0/vm", "left-tpl")
	leftover := createVM(t, tempName("left-tpl", owner), map[string]string{ownerKey: owner})
	foreign := createVM(t, "foreign-tpl", nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config:      templateConfig("foreign-tpl", ovfPath, ""),
				ExpectError: regexp.MustCompile(words(`a VM named "foreign-tpl" already exists at /DC0/vm/foreign-tpl and was not imported by this resource (it carries no import mark); it is left untouched.`)),
			},
			{
				Config: templateConfig("left-tpl", ovfPath, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTemplate("left-tpl"),
					func(*terraform.State) error {
						if info, _ := lookupEntity(context.Background(), simAdmin, leftover); info != nil {
							return fmt.Errorf("the leftover %s is still there", leftover.Value)
						}
						return nil
					},
				),
			},
		},
		CheckDestroy: noVMs("left-tpl"),
	})
	if info, _ := lookupEntity(context.Background(), simAdmin, foreign); info == nil {
		t.Error("the foreign VM foreign-tpl was removed")
	}
}

// A template that exists already (here: one the library's provisioner version imported, carrying its CLI's mark) is
// adopted by an import block by inventory path: the plan imports it and fills in its configuration in place (no
// replacement, no new import), the VM keeps its id, the next plan is empty, and destroy deletes it (it still carries
// the mark it was imported with).
func TestTemplateImportByPath(t *testing.T) {
	ctx := tctx(t)
	const oldMark = "0f5c2a3e-1d2b-4c5d-8e9f-a0b1c2d3e4f5" // the provisioner version wrote its terraform_data's id
	src := object.NewVirtualMachine(simAdmin, pathRef(t, "/DC0/vm/DC0_H0_VM0"))
	folder := object.NewFolder(simAdmin, pathRef(t, "/DC0/vm"))
	task, err := src.Clone(ctx, folder, "adopt-tpl", types.VirtualMachineCloneSpec{
		Template: true,
		Config:   &types.VirtualMachineConfigSpec{ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: ownerKey, Value: oldMark}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moid := info.Result.(types.ManagedObjectReference).Value
	ovfPath := makeOVF(t, "adopt-src", "adopt-disk1.vmdk") // named in the configuration; never read: nothing is imported again
	importBlock := "\nimport {\n  to = kkpvsphere_vm_template.t\n  id = \"/DC0/vm/adopt-tpl\"\n}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: templateConfig("adopt-tpl", ovfPath, "") + importBlock,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("kkpvsphere_vm_template.t", plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "id", moid),
				resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "owner", oldMark),
				resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "inventory_path", "/DC0/vm/adopt-tpl"),
				resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "source", ovfPath),
			),
		}, {
			// the configuration is known now: a new source replaces the template as for one this resource imported
			// (the adopted one is deleted: it still carries its mark)
			Config: templateConfig("adopt-tpl", makeOVF(t, "adopt-src2", "adopt2-disk1.vmdk"), ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("kkpvsphere_vm_template.t", plancheck.ResourceActionDestroyBeforeCreate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkTemplate("adopt-tpl"),
				resource.TestCheckResourceAttr("kkpvsphere_vm_template.t", "owner", ownerOf("/DC0/vm", "adopt-tpl")),
				func(st *terraform.State) error {
					if id := st.RootModule().Resources["kkpvsphere_vm_template.t"].Primary.ID; id == moid {
						return fmt.Errorf("the template was not replaced (still %s)", moid)
					}
					return nil
				},
			),
		}},
		CheckDestroy: noVMs("adopt-tpl"),
	})
}
