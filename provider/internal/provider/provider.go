// Package provider is the kkpvsphere Terraform provider: per-principal vSphere permissions, never-booted VM
// templates imported from OVA/OVF, and a user's effective privileges.
package provider

import (
	"context"
	"os"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Address is the provider's registry source address (see README.md for why this one).
const Address = "registry.terraform.io/cdktf-kkp-vsphere/kkpvsphere"

type kkpProvider struct {
	version string
}

// New returns the provider factory the plugin server and the tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &kkpProvider{version: version} }
}

type providerModel struct {
	Server             types.String `tfsdk:"vsphere_server"`
	User               types.String `tfsdk:"user"`
	Password           types.String `tfsdk:"password"`
	AllowUnverifiedSSL types.Bool   `tfsdk:"allow_unverified_ssl"`
}

func (p *kkpProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "kkpvsphere"
	resp.Version = p.version
}

func (p *kkpProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Configured as the vmware/vsphere provider is: the same arguments and the same `VSPHERE_*` " +
			"environment variables. One vCenter session per provider instance, opened on first use.",
		Attributes: map[string]schema.Attribute{
			"vsphere_server": schema.StringAttribute{
				Optional:    true,
				Description: "vCenter host name (or host:port, or https URL). Default: VSPHERE_SERVER.",
			},
			"user": schema.StringAttribute{
				Optional:    true,
				Description: "vCenter user name. Default: VSPHERE_USER.",
			},
			"password": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "vCenter password. Default: VSPHERE_PASSWORD.",
			},
			"allow_unverified_ssl": schema.BoolAttribute{
				Optional:    true,
				Description: "Accept a vCenter certificate that does not verify. Default: VSPHERE_ALLOW_UNVERIFIED_SSL, else false.",
			},
		},
	}
}

func (p *kkpProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pick := func(v types.String, env string) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		return os.Getenv(env)
	}
	conn := &connection{
		server:   pick(cfg.Server, "VSPHERE_SERVER"),
		user:     pick(cfg.User, "VSPHERE_USER"),
		password: pick(cfg.Password, "VSPHERE_PASSWORD"),
	}
	if !cfg.AllowUnverifiedSSL.IsNull() && !cfg.AllowUnverifiedSSL.IsUnknown() {
		conn.insecure = cfg.AllowUnverifiedSSL.ValueBool()
	} else if v := os.Getenv("VSPHERE_ALLOW_UNVERIFIED_SSL"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("allow_unverified_ssl"), "VSPHERE_ALLOW_UNVERIFIED_SSL is not a boolean",
				"VSPHERE_ALLOW_UNVERIFIED_SSL must be true/false/1/0, got "+strconv.Quote(v)+".")
			return
		}
		conn.insecure = b
	}
	if cfg.Server.IsUnknown() || cfg.User.IsUnknown() || cfg.Password.IsUnknown() {
		// Known at apply time only (e.g. from another resource): plan-time checks that need vCenter are skipped.
		conn.deferred = true
	}
	resp.ResourceData = conn
	resp.DataSourceData = conn
}

func (p *kkpProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newPermissionResource, newPermissionsResource, newTemplateResource}
}

func (p *kkpProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newPrivilegesDataSource}
}
