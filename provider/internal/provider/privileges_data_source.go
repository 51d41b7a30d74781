package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/vmware/govmomi/object"
	vim "github.com/vmware/govmomi/vim25/types"
)

// privilegesDataSource answers AuthorizationManager.FetchUserPrivilegeOnEntities: the privileges a user holds on
// each object (direct, inherited and through groups, as vCenter computes them), for assertions in check blocks.
type privilegesDataSource struct {
	conn *connection
}

func newPrivilegesDataSource() datasource.DataSource { return &privilegesDataSource{} }

type privilegesModel struct {
	ID         types.String `tfsdk:"id"`
	User       types.String `tfsdk:"user"`
	Entities   types.List   `tfsdk:"entities"`
	Required   types.Set    `tfsdk:"required"`
	Privileges types.Map    `tfsdk:"privileges"`
	Missing    types.Map    `tfsdk:"missing"`
}

func (d *privilegesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_effective_privileges"
}

func (d *privilegesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The privileges a user effectively holds on each of a list of objects " +
			"(AuthorizationManager.FetchUserPrivilegeOnEntities). Use it in a `check` block to assert on every plan what " +
			"KKP's users can do.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true},
			"user": schema.StringAttribute{
				Required:    true,
				Description: "The user, e.g. VSPHERE.LOCAL\\kkp-storage.",
			},
			"entities": schema.ListAttribute{
				Required:    true,
				ElementType: types.StringType,
				Description: "Objects as <type>:<moid> (e.g. Folder:group-d1, Datacenter:datacenter-2).",
			},
			"required": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Privilege ids the user should hold on every listed object; `missing` lists what is lacking.",
			},
			"privileges": schema.MapAttribute{
				Computed:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				Description: "Per object (key <type>:<moid>), the sorted privilege ids the user holds there.",
			},
			"missing": schema.MapAttribute{
				Computed:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				Description: "Per object, the sorted ids of `required` the user lacks there (an empty list where nothing lacks).",
			},
		},
	}
}

func (d *privilegesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if req.ProviderData != nil {
		d.conn = req.ProviderData.(*connection)
	}
}

func parseEntityKey(s string) (vim.ManagedObjectReference, bool) {
	i := strings.Index(s, ":")
	if i <= 0 || i == len(s)-1 || strings.Count(s, ":") != 1 {
		return vim.ManagedObjectReference{}, false
	}
	return vim.ManagedObjectReference{Type: s[:i], Value: s[i+1:]}, true
}

func (d *privilegesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m privilegesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var keys, required []string
	resp.Diagnostics.Append(m.Entities.ElementsAs(ctx, &keys, false)...)
	if !m.Required.IsNull() {
		resp.Diagnostics.Append(m.Required.ElementsAs(ctx, &required, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var refs []vim.ManagedObjectReference
	for _, k := range keys {
		ref, ok := parseEntityKey(k)
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("entities"), "invalid entity",
				fmt.Sprintf("%q is not <type>:<moid>, e.g. Folder:group-d1.", k))
			return
		}
		refs = append(refs, ref)
	}
	c, diags := clientFrom(ctx, d.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	for _, ref := range refs {
		info, err := lookupEntity(ctx, c, ref)
		if err == nil && info == nil {
			err = fmt.Errorf("vCenter has no %s with id %s", ref.Type, ref.Value)
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("entities"), "no such object", err.Error()+".")
			return
		}
	}
	res, err := object.NewAuthorizationManager(c).FetchUserPrivilegeOnEntities(ctx, refs, m.User.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("FetchUserPrivilegeOnEntities failed", fmt.Sprintf("user %s: %s", m.User.ValueString(), err))
		return
	}
	held := map[string][]string{}
	for _, k := range keys {
		held[k] = []string{}
	}
	for _, r := range res {
		k := r.Entity.Type + ":" + r.Entity.Value
		if _, asked := held[k]; !asked {
			continue
		}
		p := append([]string(nil), r.Privileges...)
		sort.Strings(p)
		held[k] = p
	}
	missing := map[string][]string{}
	for k, p := range held {
		have := map[string]bool{}
		for _, id := range p {
			have[id] = true
		}
		lack := []string{}
		for _, id := range required {
			if !have[id] {
				lack = append(lack, id)
			}
		}
		sort.Strings(lack)
		missing[k] = lack
	}
	var dg = resp.Diagnostics
	m.Privileges, diags = types.MapValueFrom(ctx, types.ListType{ElemType: types.StringType}, held)
	dg.Append(diags...)
	m.Missing, diags = types.MapValueFrom(ctx, types.ListType{ElemType: types.StringType}, missing)
	dg.Append(diags...)
	resp.Diagnostics = dg
	m.ID = types.StringValue(m.User.ValueString() + "@" + strings.Join(keys, ","))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
