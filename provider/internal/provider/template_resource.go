package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	vim "github.com/vmware/govmomi/vim25/types"
)

// ownerKey is the extraConfig key that marks a VM as imported by this provider (the same key the package's CLI
// importer writes). Its value names the (folder, name) target, so a leftover of an interrupted import of the same
// resource is recognised on the next apply, and a VM that does not carry it is never touched.
const ownerKey = "cdktf-kkp-vsphere.importedBy"

// templateResource imports an OVA/OVF as a VM template through the NFC lease (ImportVApp, disk upload,
// HttpNfcLeaseComplete), never powers it on, sets disk.enableUUID=TRUE and the vApp properties machine-controller
// fills in, marks it as a template, and deletes it on destroy. The VM is imported under a temporary name and
// renamed when complete, so the template name never stands for a half import.
type templateResource struct {
	conn *connection
}

func newTemplateResource() resource.Resource { return &templateResource{} }

var (
	_ resource.ResourceWithConfigure      = (*templateResource)(nil)
	_ resource.ResourceWithValidateConfig = (*templateResource)(nil)
	_ resource.ResourceWithImportState    = (*templateResource)(nil)
)

type templateModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	Folder             types.String `tfsdk:"folder"`
	ResourcePool       types.String `tfsdk:"resource_pool"`
	Datastore          types.String `tfsdk:"datastore"`
	Network            types.String `tfsdk:"network"`
	OvfNetwork         types.String `tfsdk:"ovf_network"`
	Host               types.String `tfsdk:"host"`
	Source             types.String `tfsdk:"source"`
	AllowUnverifiedSrc types.Bool   `tfsdk:"allow_unverified_source_ssl"`
	DiskProvisioning   types.String `tfsdk:"disk_provisioning"`
	VAppProperties     types.List   `tfsdk:"vapp_properties"`
	Timeout            types.String `tfsdk:"timeout"`
	UUID               types.String `tfsdk:"uuid"`
	InventoryPath      types.String `tfsdk:"inventory_path"`
	Owner              types.String `tfsdk:"owner"`
	SourceQuery        types.String `tfsdk:"source_query"`
	SourceUserinfo     types.String `tfsdk:"source_userinfo"`
}

func (r *templateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vm_template"
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a Go duration such as 30m or 1h30m, at least 1s"
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !known(req.ConfigValue) {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < time.Second {
		resp.Diagnostics.AddAttributeError(req.Path, "invalid timeout",
			fmt.Sprintf("%q is not a duration of at least 1s (e.g. 30m, 1h30m).", req.ConfigValue.ValueString()))
	}
}

func (r *templateResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceUnlessImported(func(ctx context.Context, r planmodifier.StringRequest) (bool, diag.Diagnostics) {
		return importedAndUnset(ctx, r.Private, r.StateValue.IsNull())
	}), "Replaces the template (unless an imported template learns its configuration).", "")}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A VM template imported from an OVA or OVF (URL or local file) through the NFC lease. The VM is " +
			"never powered on; it gets exactly one disk (required), disk.enableUUID=TRUE and the listed vApp properties, " +
			"and is marked as a template. A failed or timed-out import leaves nothing behind.",
		Attributes: map[string]schema.Attribute{
			"id":   schema.StringAttribute{Computed: true, Description: "Managed object id of the template VM.", PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true, PlanModifiers: replace, Description: "Template name (machine-controller's templateVMName).", Validators: []validator.String{stringvalidator.LengthBetween(1, 60)}},
			"folder": schema.StringAttribute{Required: true, PlanModifiers: replace,
				Description: "Inventory path of the VM folder, e.g. /DC0/vm or /DC0/vm/templates."},
			"resource_pool": schema.StringAttribute{Required: true, PlanModifiers: replace,
				Description: "Inventory path of the resource pool, e.g. /DC0/host/DC0_C0/Resources."},
			"datastore": schema.StringAttribute{Required: true, PlanModifiers: replace,
				Description: "Inventory path of the datastore (or datastore cluster: its first datastore by name), e.g. /DC0/datastore/LocalDS_0."},
			"network": schema.StringAttribute{Required: true, PlanModifiers: replace,
				Description: "Inventory path of the network the OVF network maps to, e.g. /DC0/network/VM Network."},
			"ovf_network": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				Description: "Name of the OVF network to map; default: the OVF's only network."},
			"host": schema.StringAttribute{Optional: true, PlanModifiers: replace,
				Description: "Name of a host of the resource pool's cluster to import on (default: vCenter chooses)."},
			"source": schema.StringAttribute{Required: true, PlanModifiers: replace,
				Description: "The OVA or OVF: an http(s) URL, or a local path (an .ovf with its disk files beside it, or an .ova). Stored in state: no credentials in it."},
			"source_query": schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
				Description: "The secret query of an http(s) source (a signed URL's token, without '?'), used for the descriptor and " +
					"the files beside it. Write-only: never stored in the plan or the state (Terraform 1.11+); give it from a " +
					"sensitive or ephemeral variable. A change does not replace the template."},
			"source_userinfo": schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
				Description: "user:password for HTTP basic authentication to an http(s) source. Write-only, as source_query."},
			"allow_unverified_source_ssl": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplaceIf(func(ctx context.Context, r planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
					skip, diags := importedAndUnset(ctx, r.Private, r.StateValue.IsNull())
					resp.Diagnostics.Append(diags...)
					resp.RequiresReplace = !skip
				}, "Replaces the template (unless an imported template learns its configuration).", "")},
				Description:   "Accept an https source whose certificate does not verify."},
			"disk_provisioning": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("thin"), PlanModifiers: replace,
				Validators:  []validator.String{stringvalidator.OneOf("thin", "thick", "eagerZeroedThick", "flat", "monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "seSparse", "sparse")},
				Description: "Disk provisioning of the imported disk (OvfCreateImportSpecParams.diskProvisioning). Default thin."},
			"vapp_properties": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplaceIf(func(ctx context.Context, r planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
					skip, diags := importedAndUnset(ctx, r.Private, r.StateValue.IsNull())
					resp.Diagnostics.Append(diags...)
					resp.RequiresReplace = !skip
				}, "Replaces the template (unless an imported template learns its configuration).", "")},
				Description: "vApp property ids the template must carry (added empty, user-configurable, with the com.vmware.guestInfo " +
					"transport), e.g. Flatcar's guestinfo.ignition.config.data and guestinfo.ignition.config.data.encoding."},
			"timeout": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("30m"),
				Validators:  []validator.String{durationValidator{}},
				Description: "How long the whole import may take before it fails (and removes what it made). Default 30m."},
			"uuid":           schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"inventory_path": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"owner": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Description: "The import mark (extraConfig " + ownerKey + ") this resource wrote."},
		},
	}
}

func (r *templateResource) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.conn = req.ProviderData.(*connection)
	}
}

func (r *templateResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m templateModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known(m.Source) {
		if err := validateSource(m.Source.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "invalid source", err.Error()+".")
		}
	}
	for _, a := range []struct {
		name string
		v    types.String
	}{{"folder", m.Folder}, {"resource_pool", m.ResourcePool}, {"datastore", m.Datastore}, {"network", m.Network}} {
		if known(a.v) && !strings.HasPrefix(a.v.ValueString(), "/") {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "not an inventory path",
				fmt.Sprintf("%s %q must be an absolute inventory path such as /DC0/...", a.name, a.v.ValueString()))
		}
	}
	if known(m.Name) && strings.ContainsAny(m.Name.ValueString(), "/\\%") {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "invalid template name", "the template name must not contain /, \\ or %.")
	}
}

// ownerOf is the import mark of a (folder, name) target.
func ownerOf(folder, name string) string {
	sum := sha256.Sum256([]byte("kkpvsphere_vm_template\x00" + strings.TrimSuffix(folder, "/") + "\x00" + name))
	return "kkpvsphere:" + hex.EncodeToString(sum[:8])
}

// tempName is the name of an import in progress: recognisable, unique per target, within vSphere's 80 characters.
func tempName(name, owner string) string {
	suffix := ".importing-" + strings.TrimPrefix(owner, "kkpvsphere:")[:12]
	if len(name) > 80-len(suffix) {
		name = name[:80-len(suffix)]
	}
	return name + suffix
}

type placement struct {
	folder    *object.Folder
	vmRoot    vim.ManagedObjectReference
	pool      *object.ResourcePool
	datastore vim.ManagedObjectReference
	network   vim.ManagedObjectReference
	host      *object.HostSystem
}

func resolvePlacement(ctx context.Context, c *vim25.Client, m *templateModel) (*placement, error) {
	folderRef, err := mustFindByPath(ctx, c, m.Folder.ValueString(), "VM folder", "Folder")
	if err != nil {
		return nil, err
	}
	pc := property.DefaultCollector(c)
	// The datacenter above the folder, whose vmFolder is where VM names are looked up.
	var dcRef *vim.ManagedObjectReference
	for cur := folderRef; dcRef == nil; {
		var e mo.ManagedEntity
		if err := pc.RetrieveOne(ctx, cur, []string{"parent"}, &e); err != nil {
			return nil, err
		}
		if e.Parent == nil {
			return nil, fmt.Errorf("%s is not inside a datacenter", m.Folder.ValueString())
		}
		if e.Parent.Type == "Datacenter" {
			dcRef = e.Parent
		}
		cur = *e.Parent
	}
	var dc mo.Datacenter
	if err := pc.RetrieveOne(ctx, *dcRef, []string{"vmFolder"}, &dc); err != nil {
		return nil, err
	}
	poolRef, err := mustFindByPath(ctx, c, m.ResourcePool.ValueString(), "resource pool", "ResourcePool", "VirtualApp")
	if err != nil {
		return nil, err
	}
	ds, err := mustFindByPath(ctx, c, m.Datastore.ValueString(), "datastore", "Datastore", "StoragePod")
	if err != nil {
		return nil, err
	}
	if ds.Type == "StoragePod" {
		var pod mo.StoragePod
		if err := pc.RetrieveOne(ctx, ds, []string{"childEntity"}, &pod); err != nil {
			return nil, err
		}
		var members []mo.Datastore
		if len(pod.ChildEntity) > 0 {
			if err := pc.Retrieve(ctx, pod.ChildEntity, []string{"name"}, &members); err != nil {
				return nil, err
			}
		}
		if len(members) == 0 {
			return nil, fmt.Errorf("the datastore cluster %s has no datastore", m.Datastore.ValueString())
		}
		sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
		ds = members[0].Self
	}
	net, err := mustFindByPath(ctx, c, m.Network.ValueString(), "network", "Network", "DistributedVirtualPortgroup", "OpaqueNetwork")
	if err != nil {
		return nil, err
	}
	p := &placement{
		folder:    object.NewFolder(c, folderRef),
		vmRoot:    dc.VmFolder,
		pool:      object.NewResourcePool(c, poolRef),
		datastore: ds,
		network:   net,
	}
	if known(m.Host) {
		var pool mo.ResourcePool
		if err := pc.RetrieveOne(ctx, poolRef, []string{"owner"}, &pool); err != nil {
			return nil, err
		}
		var cr mo.ComputeResource
		if err := pc.RetrieveOne(ctx, pool.Owner, []string{"host"}, &cr); err != nil {
			return nil, err
		}
		var hosts []mo.HostSystem
		if len(cr.Host) > 0 {
			if err := pc.Retrieve(ctx, cr.Host, []string{"name"}, &hosts); err != nil {
				return nil, err
			}
		}
		for _, h := range hosts {
			if h.Name == m.Host.ValueString() {
				p.host = object.NewHostSystem(c, h.Self)
			}
		}
		if p.host == nil {
			return nil, fmt.Errorf("the host %q is not a host of the cluster of %s", m.Host.ValueString(), m.ResourcePool.ValueString())
		}
	}
	return p, nil
}

type foundVM struct {
	ref   vim.ManagedObjectReference
	name  string
	owner string
}

// findVMs returns every VM below root with one of the names, with its import mark.
func findVMs(ctx context.Context, c *vim25.Client, root vim.ManagedObjectReference, names ...string) ([]foundVM, error) {
	m := view.NewManager(c)
	v, err := m.CreateContainerView(ctx, root, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, err
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "config.extraConfig"}, &vms); err != nil {
		return nil, err
	}
	var out []foundVM
	for _, vm := range vms {
		name := decodeName(vm.Name)
		for _, n := range names {
			if name != n {
				continue
			}
			f := foundVM{ref: vm.Self, name: name}
			if vm.Config != nil {
				f.owner = extraConfigValue(vm.Config.ExtraConfig, ownerKey)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func extraConfigValue(opts []vim.BaseOptionValue, key string) string {
	for _, o := range opts {
		if ov := o.GetOptionValue(); ov != nil && ov.Key == key {
			if s, ok := ov.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// decodeName undoes vSphere's escaping of %, / and \ in names.
func decodeName(s string) string {
	r := strings.NewReplacer("%25", "%", "%2f", "/", "%2F", "/", "%5c", "\\", "%5C", "\\")
	return r.Replace(s)
}

func destroyVM(ctx context.Context, c *vim25.Client, ref vim.ManagedObjectReference) error {
	vm := object.NewVirtualMachine(c, ref)
	state, err := vm.PowerState(ctx)
	if isObjectGone(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if state != vim.VirtualMachinePowerStatePoweredOff {
		task, err := vm.PowerOff(ctx)
		if err != nil {
			return err
		}
		if err := task.Wait(ctx); err != nil {
			return err
		}
	}
	task, err := vm.Destroy(ctx)
	if isObjectGone(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := task.Wait(ctx); err != nil && !isObjectGone(err) {
		return err
	}
	return nil
}

// stage names the step an import is in, for the timeout message.
type stage struct{ s string }

func (s *stage) set(format string, a ...any) { s.s = fmt.Sprintf(format, a...) }

func (r *templateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m, cfg templateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	// write-only values are in the configuration only
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	secret := sourceSecret{query: cfg.SourceQuery.ValueString(), userinfo: cfg.SourceUserinfo.ValueString()}
	m.SourceQuery, m.SourceUserinfo = types.StringNull(), types.StringNull()
	timeout, _ := time.ParseDuration(m.Timeout.ValueString())
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	var props []string
	resp.Diagnostics.Append(m.VAppProperties.ElementsAs(ctx, &props, true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st := &stage{"starting"}
	start := time.Now()
	vm, warnings, err := r.importTemplate(ictx, c, &m, props, secret, st)
	for _, w := range warnings {
		resp.Diagnostics.AddWarning("template import", w)
	}
	if err != nil {
		if errors.Is(ictx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("the import of %s did not finish within the timeout of %s (it was %s after %s); what it had made "+
				"was removed. Raise `timeout` for a large image or a slow link, or check that the source and vCenter's "+
				"hosts are reachable: %w", m.Source.ValueString(), timeout, st.s, time.Since(start).Round(time.Second), err)
		}
		resp.Diagnostics.AddError("template import failed", err.Error())
		return
	}
	m.ID = types.StringValue(vm.Value)
	r.readInto(ctx, c, &m, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// importTemplate does the import; on any failure it removes the VM it created before returning.
func (r *templateResource) importTemplate(ctx context.Context, c *vim25.Client, m *templateModel, props []string, secret sourceSecret, st *stage) (_ vim.ManagedObjectReference, warnings []string, err error) {
	var none vim.ManagedObjectReference
	name := m.Name.ValueString()
	st.set("resolving the folder, resource pool, datastore and network")
	p, err := resolvePlacement(ctx, c, m)
	if err != nil {
		return none, nil, err
	}
	owner := ownerOf(m.Folder.ValueString(), name)
	m.Owner = types.StringValue(owner)
	temp := tempName(name, owner)

	st.set("looking for VMs named %q", name)
	found, err := findVMs(ctx, c, p.vmRoot, name, temp)
	if err != nil {
		return none, nil, err
	}
	for _, vm := range found {
		if vm.name == name {
			where, _ := inventoryPath(ctx, c, vm.ref)
			if vm.owner == owner {
				return none, nil, fmt.Errorf("a template %s (%s) imported for this folder and name already exists but is not in this "+
					"Terraform state (state lost, or a second resource for the same template). Remove it in vCenter, or rename this "+
					"template", where, vm.ref.Value)
			}
			mark := "it carries no import mark"
			if vm.owner != "" {
				mark = "it was imported by " + vm.owner
			}
			return none, nil, fmt.Errorf("a VM named %q already exists at %s and was not imported by this resource (%s); it is left "+
				"untouched. machine-controller finds templates by name in the whole datacenter, so two VMs of one name would break "+
				"it: choose another name, or rename or remove that VM yourself", name, where, mark)
		}
	}
	for _, vm := range found {
		if vm.owner != owner {
			return none, nil, fmt.Errorf("a VM named %q exists (%s) but does not carry this resource's import mark; it is left untouched: remove it yourself", vm.name, vm.ref.Value)
		}
		st.set("removing %s, left by an interrupted import", vm.name)
		warnings = append(warnings, fmt.Sprintf("removed %s (%s), left by an interrupted import of this template.", vm.name, vm.ref.Value))
		if err := destroyVM(ctx, c, vm.ref); err != nil {
			return none, warnings, fmt.Errorf("removing the leftover %s: %w", vm.name, err)
		}
	}

	src, err := openSource(m.Source.ValueString(), m.AllowUnverifiedSrc.ValueBool(), secret)
	if err != nil {
		return none, warnings, err
	}
	st.set("reading the OVF descriptor of %s", src.shown())
	desc, err := src.descriptor(ctx)
	if err != nil {
		return none, warnings, err
	}
	env, err := ovf.Unmarshal(bytes.NewReader(desc))
	if err != nil {
		return none, warnings, fmt.Errorf("%s is not a valid OVF descriptor: %w", src.shown(), err)
	}
	if env.VirtualSystem == nil {
		return none, warnings, fmt.Errorf("%s describes no single VirtualSystem (a vApp of several VMs is not a template)", src.shown())
	}
	disks := 0
	if env.Disk != nil {
		disks = len(env.Disk.Disks)
	}
	if disks != 1 {
		return none, warnings, fmt.Errorf("%s declares %d disks; machine-controller needs a template with exactly one", src.shown(), disks)
	}
	var networks []string
	if env.Network != nil {
		for _, n := range env.Network.Networks {
			networks = append(networks, n.Name)
		}
	}
	ovfNet := m.OvfNetwork.ValueString()
	switch {
	case ovfNet == "" && len(networks) == 1:
		ovfNet = networks[0]
	case ovfNet == "" && len(networks) > 1:
		return none, warnings, fmt.Errorf("%s declares the OVF networks %q: set ovf_network to the one to map to %s", src.shown(), networks, m.Network.ValueString())
	case ovfNet != "" && !contains(networks, ovfNet):
		return none, warnings, fmt.Errorf("%s declares the OVF networks %q, not %q: set ovf_network to one of them", src.shown(), networks, ovfNet)
	}

	st.set("creating the import spec")
	cisp := vim.OvfCreateImportSpecParams{
		OvfManagerCommonParams: vim.OvfManagerCommonParams{Locale: "US"},
		EntityName:             temp,
		DiskProvisioning:       m.DiskProvisioning.ValueString(),
	}
	if ovfNet != "" {
		cisp.NetworkMapping = []vim.OvfNetworkMapping{{Name: ovfNet, Network: p.network}}
	}
	spec, err := ovf.NewManager(c).CreateImportSpec(ctx, string(desc), p.pool, p.datastore, &cisp)
	if err != nil {
		return none, warnings, fmt.Errorf("CreateImportSpec for %s: %w", src.shown(), err)
	}
	if len(spec.Error) > 0 {
		var msgs []string
		for _, e := range spec.Error {
			msgs = append(msgs, e.LocalizedMessage)
		}
		return none, warnings, fmt.Errorf("vCenter cannot import %s: %s", src.shown(), strings.Join(msgs, "; "))
	}
	for _, w := range spec.Warning {
		warnings = append(warnings, "vCenter: "+w.LocalizedMessage)
	}
	vmSpec, ok := spec.ImportSpec.(*vim.VirtualMachineImportSpec)
	if !ok {
		return none, warnings, fmt.Errorf("%s imports as a %T, not as one VM", src.shown(), spec.ImportSpec)
	}
	// The mark from birth: a VM left by a process killed mid-import is recognised by it (and its temporary name).
	vmSpec.ConfigSpec.ExtraConfig = append(vmSpec.ConfigSpec.ExtraConfig,
		&vim.OptionValue{Key: ownerKey, Value: owner},
		&vim.OptionValue{Key: "disk.enableUUID", Value: "TRUE"})

	st.set("starting the import (ImportVApp)")
	lease, err := p.pool.ImportVApp(ctx, vmSpec, p.folder, p.host)
	if err != nil {
		return none, warnings, fmt.Errorf("ImportVApp: %w", err)
	}
	var made *vim.ManagedObjectReference
	completed := false
	defer func() {
		if err == nil {
			return
		}
		// Clean up with a context of its own: the import's may be what expired.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if !completed {
			_ = lease.Abort(cctx, nil)
		}
		refs := []vim.ManagedObjectReference{}
		if made != nil {
			refs = append(refs, *made)
		} else if left, ferr := findVMs(cctx, c, p.vmRoot, temp); ferr == nil {
			for _, l := range left {
				if l.owner == owner {
					refs = append(refs, l.ref)
				}
			}
		}
		for _, ref := range refs {
			if derr := destroyVM(cctx, c, ref); derr != nil {
				err = fmt.Errorf("%w; removing the half-imported VM %s failed too (%v): it carries the import mark and is removed on the next apply", err, ref.Value, derr)
			}
		}
	}()

	st.set("waiting for the NFC lease")
	info, err := lease.Wait(ctx, spec.FileItem)
	if err != nil {
		return none, warnings, fmt.Errorf("the import lease failed: %w", err)
	}
	made = &info.Entity
	updater := lease.StartUpdater(ctx, info)
	for _, item := range info.Items {
		st.set("uploading %s", item.Path)
		tflog.Info(ctx, "uploading", map[string]any{"file": item.Path, "size": item.Size})
		if err = upload(ctx, lease, src, item); err != nil {
			updater.Done()
			return none, warnings, err
		}
	}
	updater.Done()
	st.set("completing the lease")
	if err = lease.Complete(ctx); err != nil {
		return none, warnings, fmt.Errorf("HttpNfcLeaseComplete: %w", err)
	}
	completed = true

	vm := object.NewVirtualMachine(c, info.Entity)
	st.set("checking the imported VM")
	power, err := vm.PowerState(ctx)
	if err != nil {
		return none, warnings, err
	}
	if power != vim.VirtualMachinePowerStatePoweredOff {
		return none, warnings, fmt.Errorf("the imported VM is %s, not poweredOff", power)
	}
	st.set("configuring disk.enableUUID and vApp properties")
	if err = configureTemplate(ctx, c, vm, owner, props); err != nil {
		return none, warnings, err
	}
	if err = verifyTemplate(ctx, c, vm, props); err != nil {
		return none, warnings, err
	}
	st.set("marking as template")
	if err = vm.MarkAsTemplate(ctx); err != nil {
		return none, warnings, fmt.Errorf("MarkAsTemplate: %w", err)
	}
	st.set("renaming to %q", name)
	task, err := vm.Rename(ctx, name)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		return none, warnings, fmt.Errorf("renaming the imported VM to %q: %w", name, err)
	}
	return info.Entity, warnings, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func upload(ctx context.Context, lease *nfc.Lease, src imageSource, item nfc.FileItem) error {
	f, size, err := src.open(ctx, item.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lease.Upload(ctx, item, f, soap.Upload{ContentLength: size}); err != nil {
		// The lease URL names the lease's session: show the host only.
		var ue *url.Error
		if errors.As(err, &ue) {
			host := ue.URL
			if u, perr := url.Parse(ue.URL); perr == nil {
				host = u.Host
			}
			err = fmt.Errorf("%s to %s: %w", ue.Op, host, ue.Err)
		}
		return fmt.Errorf("uploading %s to the import lease: %w", item.Path, err)
	}
	return nil
}

// configureTemplate sets disk.enableUUID, the import mark and the vApp properties machine-controller writes (Flatcar
// Ignition through guestinfo), with the com.vmware.guestInfo transport.
func configureTemplate(ctx context.Context, c *vim25.Client, vm *object.VirtualMachine, owner string, props []string) error {
	spec := vim.VirtualMachineConfigSpec{ExtraConfig: []vim.BaseOptionValue{
		&vim.OptionValue{Key: "disk.enableUUID", Value: "TRUE"},
		&vim.OptionValue{Key: ownerKey, Value: owner},
	}}
	if len(props) > 0 {
		var cur mo.VirtualMachine
		if err := property.DefaultCollector(c).RetrieveOne(ctx, vm.Reference(), []string{"config.vAppConfig"}, &cur); err != nil {
			return err
		}
		have := map[string]bool{}
		var transports []string
		key := int32(-1)
		if cur.Config != nil && cur.Config.VAppConfig != nil {
			info := cur.Config.VAppConfig.GetVmConfigInfo()
			for _, p := range info.Property {
				have[p.Id] = true
				if p.Key > key {
					key = p.Key
				}
			}
			transports = info.OvfEnvironmentTransport
		}
		vapp := &vim.VmConfigSpec{}
		for _, id := range props {
			if have[id] {
				continue
			}
			key++
			vapp.Property = append(vapp.Property, vim.VAppPropertySpec{
				ArrayUpdateSpec: vim.ArrayUpdateSpec{Operation: vim.ArrayUpdateOperationAdd},
				Info:            &vim.VAppPropertyInfo{Key: key, Id: id, Type: "string", UserConfigurable: vim.NewBool(true), Value: ""},
			})
		}
		if !contains(transports, "com.vmware.guestInfo") {
			vapp.OvfEnvironmentTransport = append(append([]string{}, transports...), "com.vmware.guestInfo")
		}
		spec.VAppConfig = vapp
	}
	task, err := vm.Reconfigure(ctx, spec)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		return fmt.Errorf("ReconfigVM (disk.enableUUID, vApp properties): %w", err)
	}
	return nil
}

// verifyTemplate reads back what machine-controller relies on: one disk, disk.enableUUID=TRUE, the vApp properties.
func verifyTemplate(ctx context.Context, c *vim25.Client, vm *object.VirtualMachine, props []string) error {
	var v mo.VirtualMachine
	if err := property.DefaultCollector(c).RetrieveOne(ctx, vm.Reference(), []string{"config.hardware.device", "config.extraConfig", "config.vAppConfig"}, &v); err != nil {
		return err
	}
	if v.Config == nil {
		return errors.New("the imported VM has no configuration")
	}
	disks := object.VirtualDeviceList(v.Config.Hardware.Device).SelectByType((*vim.VirtualDisk)(nil))
	if len(disks) != 1 {
		return fmt.Errorf("the imported VM has %d disks; machine-controller needs exactly one", len(disks))
	}
	if got := extraConfigValue(v.Config.ExtraConfig, "disk.enableUUID"); !strings.EqualFold(got, "TRUE") {
		return fmt.Errorf("disk.enableUUID of the imported VM is %q after reconfiguring, not TRUE", got)
	}
	have := map[string]bool{}
	if v.Config.VAppConfig != nil {
		for _, p := range v.Config.VAppConfig.GetVmConfigInfo().Property {
			have[p.Id] = true
		}
	}
	for _, id := range props {
		if !have[id] {
			return fmt.Errorf("the vApp property %s is missing from the imported VM after reconfiguring", id)
		}
	}
	return nil
}

// readInto fills the computed attributes from vCenter; false when the VM is gone.
func (r *templateResource) readInto(ctx context.Context, c *vim25.Client, m *templateModel, diags *diag.Diagnostics) bool {
	ref := vim.ManagedObjectReference{Type: "VirtualMachine", Value: m.ID.ValueString()}
	var v mo.VirtualMachine
	err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"name", "config.uuid", "config.template", "config.extraConfig"}, &v)
	if isObjectGone(err) {
		return false
	}
	if err != nil {
		diags.AddError("reading the template", err.Error())
		return true
	}
	m.Name = types.StringValue(decodeName(v.Name))
	if v.Config != nil {
		m.UUID = types.StringValue(v.Config.Uuid)
		if o := extraConfigValue(v.Config.ExtraConfig, ownerKey); o != "" {
			m.Owner = types.StringValue(o)
		}
		if !v.Config.Template {
			diags.AddWarning("no longer a template", fmt.Sprintf("%s (%s) was converted to a VM in vCenter; machine-controller clones it all the same, "+
				"but it may have been powered on since. Taint this resource to import it again.", v.Name, ref.Value))
		}
	}
	if known(m.Owner) && m.Owner.ValueString() == "" {
		m.Owner = types.StringNull()
	}
	if p, err := inventoryPath(ctx, c, ref); err == nil {
		m.InventoryPath = types.StringValue(p)
	}
	return true
}

func (r *templateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m templateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if !r.readInto(ctx, c, &m, &resp.Diagnostics) {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update changes only `timeout` (everything else replaces the template), and records the configuration of an
// imported template (nothing changes in vCenter).
func (r *templateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior templateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID, m.UUID, m.InventoryPath, m.Owner = prior.ID, prior.UUID, prior.InventoryPath, prior.Owner
	m.SourceQuery, m.SourceUserinfo = types.StringNull(), types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	// from now on a change of the configuration replaces the template, as for one this resource imported
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

// importedKey marks, in the resource's private state, a template adopted by `terraform import` whose configuration
// (source, placement) the state does not know yet: the first plan fills it in place instead of replacing the template.
const importedKey = "imported"

func replaceUnlessImported(f func(context.Context, planmodifier.StringRequest) (bool, diag.Diagnostics)) stringplanmodifier.RequiresReplaceIfFunc {
	return func(ctx context.Context, r planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		skip, diags := f(ctx, r)
		resp.Diagnostics.Append(diags...)
		resp.RequiresReplace = !skip
	}
}

type privateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// importedAndUnset: the attribute is unknown to an imported template's state, so configuring it changes nothing.
func importedAndUnset(ctx context.Context, private privateReader, stateNull bool) (bool, diag.Diagnostics) {
	if !stateNull || private == nil {
		return false, nil
	}
	v, diags := private.GetKey(ctx, importedKey)
	return len(v) > 0, diags
}

// ImportState adopts an existing template by its inventory path (e.g. /dc-1/vm/kkp/templates/kkp-ubuntu-22.04): one
// imported by the provisioner version of the library, or by hand. Its name, folder, mark and ids are read from
// vCenter; what vCenter does not know (the source, the placement) comes from the configuration at the next plan, as
// an in-place update that changes nothing in vCenter. Destroy then deletes it only while it carries the mark it had.
func (r *templateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	p := strings.TrimSuffix(req.ID, "/")
	if !strings.HasPrefix(p, "/") || strings.Count(p, "/") < 3 {
		resp.Diagnostics.AddError("invalid import ID", fmt.Sprintf("import ID %q is not the inventory path of a template VM, e.g. /dc-1/vm/kkp/templates/kkp-ubuntu-22.04.", req.ID))
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ref, err := findByPath(ctx, c, p)
	if err != nil {
		resp.Diagnostics.AddError("vCenter look-up failed", err.Error())
		return
	}
	if ref == nil || ref.Type != "VirtualMachine" {
		resp.Diagnostics.AddError("no such template", fmt.Sprintf("vCenter has no VM at %s.", p))
		return
	}
	var v mo.VirtualMachine
	if err := property.DefaultCollector(c).RetrieveOne(ctx, *ref, []string{"config.template"}, &v); err != nil {
		resp.Diagnostics.AddError("reading the VM", err.Error())
		return
	}
	if v.Config == nil || !v.Config.Template {
		resp.Diagnostics.AddError("not a template", fmt.Sprintf("%s (%s) is a VM, not a template: machine-controller would clone a VM that may "+
			"have booted. Import only templates.", p, ref.Value))
		return
	}
	i := strings.LastIndex(p, "/")
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), ref.Value)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), p[i+1:])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("folder"), p[:i])...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

func (r *templateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m templateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ref := vim.ManagedObjectReference{Type: "VirtualMachine", Value: m.ID.ValueString()}
	var v mo.VirtualMachine
	err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"config.extraConfig"}, &v)
	if isObjectGone(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("reading the template", err.Error())
		return
	}
	if v.Config != nil && known(m.Owner) && extraConfigValue(v.Config.ExtraConfig, ownerKey) != m.Owner.ValueString() {
		resp.Diagnostics.AddError("not removing a VM this resource did not import", fmt.Sprintf(
			"%s no longer carries this resource's import mark %s; it is left untouched (remove it from the state with terraform state rm).",
			ref.Value, m.Owner.ValueString()))
		return
	}
	if err := destroyVM(ctx, c, ref); err != nil {
		resp.Diagnostics.AddError("removing the template", fmt.Sprintf("%s: %s", ref.Value, err))
	}
}
