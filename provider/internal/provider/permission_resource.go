package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	vim "github.com/vmware/govmomi/vim25/types"
)

// permissionResource manages ONE principal's permission on ONE vCenter object and nothing else: create and update
// call SetEntityPermissions with that single entry (vCenter keeps every other principal's permission), read looks
// at that principal only, delete calls RemoveEntityPermission for that principal only.
type permissionResource struct {
	conn *connection
}

func newPermissionResource() resource.Resource { return &permissionResource{} }

var (
	_ resource.ResourceWithConfigure        = (*permissionResource)(nil)
	_ resource.ResourceWithImportState      = (*permissionResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*permissionResource)(nil)
	_ resource.ResourceWithConfigValidators = (*permissionResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*permissionResource)(nil)
)

type permissionModel struct {
	ID         types.String `tfsdk:"id"`
	EntityType types.String `tfsdk:"entity_type"`
	EntityID   types.String `tfsdk:"entity_id"`
	EntityPath types.String `tfsdk:"entity_path"`
	Principal  types.String `tfsdk:"principal"`
	IsGroup    types.Bool   `tfsdk:"is_group"`
	RoleID     types.String `tfsdk:"role_id"`
	RoleName   types.String `tfsdk:"role_name"`
	Propagate  types.Bool   `tfsdk:"propagate"`
}

func (r *permissionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permission"
}

func (r *permissionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One principal's permission on one vCenter object. Every other principal's permission on the " +
			"object is left alone on create, update and delete. Import ID: `<type>:<moid>:<principal>` for a user, " +
			"`<type>:<moid>:group:<principal>` for a group (e.g. `Folder:group-d1:VSPHERE.LOCAL\\kkp`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The import ID: <type>:<moid>:<principal>, or <type>:<moid>:group:<principal> for a group.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"entity_type": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Managed object type of the object: Folder, Datacenter, ClusterComputeResource, Datastore, StoragePod, " +
					"Network, DistributedVirtualPortgroup, OpaqueNetwork, VmwareDistributedVirtualSwitch, ResourcePool, VirtualMachine, ...",
			},
			"entity_id": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Managed object id of the object, e.g. group-d1 (the root folder). Set entity_type and entity_id, or entity_path.",
			},
			"entity_path": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Inventory path of the object instead of type and id, e.g. /DC0/vm/kkp or / for the root folder. " +
					"Resolved at plan time; always filled in from vCenter.",
			},
			"principal": schema.StringAttribute{
				Required:    true,
				Description: "User or group, e.g. VSPHERE.LOCAL\\kkp-storage. vCenter compares principals case-insensitively.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
					resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
				}, "A different principal is a different permission.", "A different principal is a different permission.")},
			},
			"is_group": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description:   "Whether the principal is a group (a user and a group of one name are different principals).",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"role_id": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Role id, e.g. \"-2\" for the predefined Read-only role, or the id of a vsphere_role. Set role_id or role_name.",
			},
			"role_name": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Role name as the API names it (ReadOnly, Admin, NoAccess, or a custom role's name); resolved to role_id at plan time.",
			},
			"propagate": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				Description: "Whether the permission propagates to the object's children. Default true.",
			},
		},
	}
}

func (r *permissionResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("entity_id"), path.MatchRoot("entity_path")),
		resourcevalidator.RequiredTogether(path.MatchRoot("entity_type"), path.MatchRoot("entity_id")),
		resourcevalidator.ExactlyOneOf(path.MatchRoot("role_id"), path.MatchRoot("role_name")),
	}
}

// hiddenPath matches /<datacenter>/vm, /host, /network, /datastore (a datacenter's own folders).
var hiddenPath = regexp.MustCompile(`^/[^/]+/(vm|host|network|datastore)/?$`)

func (r *permissionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg permissionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkEntityPath(cfg.EntityPath, &resp.Diagnostics)
	if !cfg.Principal.IsNull() && !cfg.Principal.IsUnknown() {
		if p := cfg.Principal.ValueString(); strings.TrimSpace(p) == "" || strings.Contains(p, ":") {
			resp.Diagnostics.AddAttributeError(path.Root("principal"), "invalid principal",
				fmt.Sprintf("principal %q must be a vCenter user or group such as VSPHERE.LOCAL\\name or name@vsphere.local.", p))
		}
	}
	if !cfg.RoleID.IsNull() && !cfg.RoleID.IsUnknown() {
		if _, err := strconv.ParseInt(cfg.RoleID.ValueString(), 10, 32); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("role_id"), "invalid role_id",
				fmt.Sprintf("role_id %q is not a vCenter role id (an integer, e.g. \"-2\" for Read-only).", cfg.RoleID.ValueString()))
		}
	}
}

func (r *permissionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.conn = req.ProviderData.(*connection)
	}
}

func permissionID(entityType, entityID, principal string, group bool) string {
	if group {
		return entityType + ":" + entityID + ":group:" + principal
	}
	return entityType + ":" + entityID + ":" + principal
}

func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

func (m *permissionModel) ref() vim.ManagedObjectReference {
	return vim.ManagedObjectReference{Type: m.EntityType.ValueString(), Value: m.EntityID.ValueString()}
}

// findPermission returns the principal's direct permission on the entity (case-insensitive, user/group apart).
func findPermission(perms []vim.Permission, principal string, group bool) *vim.Permission {
	for i := range perms {
		if perms[i].Group == group && strings.EqualFold(perms[i].Principal, principal) {
			return &perms[i]
		}
	}
	return nil
}

func (r *permissionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, cfg permissionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *permissionModel
	if !req.State.Raw.IsNull() {
		state = &permissionModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if r.conn == nil || r.conn.deferred {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}

	entity, ok := planEntity(ctx, r.conn, c, cfg.EntityPath, cfg.EntityType, cfg.EntityID, &resp.Diagnostics)
	if !ok {
		return
	}
	if entity != nil {
		plan.EntityType = types.StringValue(entity.Type)
		plan.EntityID = types.StringValue(entity.Value)
		if !known(cfg.EntityPath) {
			if p, err := r.conn.cache.path(ctx, c, *entity); err == nil {
				plan.EntityPath = types.StringValue(p)
			}
		}
	}

	// The role: by name or id, resolved against vCenter's role list.
	var has func(object.AuthorizationRoleList) bool
	switch {
	case known(cfg.RoleName):
		has = hasRoleName(cfg.RoleName.ValueString())
	case known(cfg.RoleID):
		id, _ := strconv.ParseInt(cfg.RoleID.ValueString(), 10, 32)
		has = hasRoleID(int32(id))
	}
	roles, err := r.conn.cache.roleList(ctx, c, has)
	if err != nil {
		resp.Diagnostics.AddError("vCenter role list", err.Error())
		return
	}
	switch {
	case known(cfg.RoleName):
		role, err := roleByName(roles, cfg.RoleName.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("role_name"), "unknown role", err.Error()+".")
			return
		}
		plan.RoleID = types.StringValue(strconv.Itoa(int(role.RoleId)))
		plan.RoleName = types.StringValue(role.Name)
		if cfg.RoleName.ValueString() != role.Name {
			plan.RoleName = cfg.RoleName // an optional attribute's plan must equal its configuration
		}
	case known(cfg.RoleID):
		id, _ := strconv.ParseInt(cfg.RoleID.ValueString(), 10, 32)
		role := roles.ById(int32(id))
		if role == nil {
			resp.Diagnostics.AddAttributeError(path.Root("role_id"), "unknown role",
				fmt.Sprintf("vCenter has no role with id %d.", id))
			return
		}
		plan.RoleName = types.StringValue(role.Name)
	}

	if entity != nil && known(plan.Principal) {
		plan.ID = types.StringValue(permissionID(entity.Type, entity.Value, plan.Principal.ValueString(), plan.IsGroup.ValueBool()))
	}
	if state != nil && entity != nil && (state.EntityType.ValueString() != entity.Type || state.EntityID.ValueString() != entity.Value) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("entity_id"))
	}

	// A new permission for a principal that already holds one on the object would silently take over a permission
	// this resource did not make: refuse, and name the import that adopts it.
	if state == nil && entity != nil && known(plan.Principal) {
		perms, err := r.conn.cache.planPermissions(ctx, c, *entity)
		if err != nil {
			resp.Diagnostics.AddError("vCenter permissions", err.Error())
			return
		}
		if p := findPermission(perms, plan.Principal.ValueString(), plan.IsGroup.ValueBool()); p != nil {
			resp.Diagnostics.Append(alreadyHeld(entity.Type, entity.Value, p))
			return
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func alreadyHeld(entityType, entityID string, p *vim.Permission) diagError {
	kind := "user"
	if p.Group {
		kind = "group"
	}
	id := permissionID(entityType, entityID, p.Principal, p.Group)
	return newDiagError("permission already exists", fmt.Sprintf(
		"The %s %s already holds a permission on %s %s (role id %d, propagate %t), made outside this resource or by another "+
			"kkpvsphere_permission in this configuration (vCenter keeps one permission per principal per object). To manage the "+
			"existing one, import it: an import block with id = %q, or `terraform import <address> '%s'`. If two resources in this "+
			"configuration grant the same principal on the same object, merge them into one.",
		kind, p.Principal, entityType, entityID, p.RoleId, p.Propagate, id, id))
}

// claims are the (object, principal) pairs this provider instance created and has not deleted: a second create
// of the same pair in one run is one configuration granting one principal twice on one object.
type claimSet struct {
	mu sync.Mutex
	m  map[string]bool
}

// claim returns false when the key is claimed already.
func (s *claimSet) claim(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	if s.m[key] {
		return false
	}
	s.m[key] = true
	return true
}

func (s *claimSet) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}

func claimKey(ref vim.ManagedObjectReference, principal string, group bool) string {
	return strings.ToLower(permissionID(ref.Type, ref.Value, principal, group))
}

func (r *permissionResource) set(ctx context.Context, c *vim25.Client, m *permissionModel) error {
	roleID, err := strconv.ParseInt(m.RoleID.ValueString(), 10, 32)
	if err != nil {
		return fmt.Errorf("role_id %q is not an integer", m.RoleID.ValueString())
	}
	ref := m.ref()
	defer r.conn.cache.wrote(ref)
	return object.NewAuthorizationManager(c).SetEntityPermissions(ctx, ref, []vim.Permission{{
		Entity:    &ref,
		Principal: m.Principal.ValueString(),
		Group:     m.IsGroup.ValueBool(),
		RoleId:    int32(roleID),
		Propagate: m.Propagate.ValueBool(),
	}})
}

func (r *permissionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan permissionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if err := applyEntity(ctx, r.conn, c, plan.EntityPath, &plan.EntityType, &plan.EntityID); err != nil {
		resp.Diagnostics.AddError("cannot grant", err.Error())
		return
	}
	ref := plan.ref()
	if !known(plan.RoleID) {
		roles, err := r.conn.cache.roleList(ctx, c, hasRoleName(plan.RoleName.ValueString()))
		if err != nil {
			resp.Diagnostics.AddError("vCenter role list", err.Error())
			return
		}
		role, err := roleByName(roles, plan.RoleName.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("unknown role", err.Error())
			return
		}
		plan.RoleID = types.StringValue(strconv.Itoa(int(role.RoleId)))
	}

	key := claimKey(ref, plan.Principal.ValueString(), plan.IsGroup.ValueBool())
	if !r.conn.claims.claim(key) {
		resp.Diagnostics.AddError("one principal granted twice on one object", fmt.Sprintf(
			"Two kkpvsphere_permission resources in this configuration grant %s on %s %s. vCenter keeps one permission per "+
				"principal per object: merge them into one resource (one role holding both sets of privileges).",
			plan.Principal.ValueString(), ref.Type, ref.Value))
		return
	}
	perms, err := object.NewAuthorizationManager(c).RetrieveEntityPermissions(ctx, ref, false)
	if err != nil {
		resp.Diagnostics.AddError("vCenter permissions", err.Error())
		return
	}
	if p := findPermission(perms, plan.Principal.ValueString(), plan.IsGroup.ValueBool()); p != nil {
		r.conn.claims.release(key)
		resp.Diagnostics.Append(alreadyHeld(ref.Type, ref.Value, p))
		return
	}
	if err := r.set(ctx, c, &plan); err != nil {
		r.conn.claims.release(key)
		resp.Diagnostics.AddError("SetEntityPermissions failed", fmt.Sprintf("granting %s on %s %s: %s", plan.Principal.ValueString(), ref.Type, ref.Value, err))
		return
	}
	plan.ID = types.StringValue(permissionID(ref.Type, ref.Value, plan.Principal.ValueString(), plan.IsGroup.ValueBool()))
	r.fill(ctx, c, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// fill completes computed attributes that only vCenter knows (role name, inventory path).
func (r *permissionResource) fill(ctx context.Context, c *vim25.Client, m *permissionModel) {
	if !known(m.EntityPath) {
		if p, err := r.conn.cache.path(ctx, c, m.ref()); err == nil {
			m.EntityPath = types.StringValue(p)
		} else {
			m.EntityPath = types.StringNull()
		}
	}
	if !known(m.RoleName) {
		m.RoleName = types.StringNull()
		id, _ := strconv.ParseInt(m.RoleID.ValueString(), 10, 32)
		if roles, err := r.conn.cache.roleList(ctx, c, hasRoleID(int32(id))); err == nil {
			if role := roles.ById(int32(id)); role != nil {
				m.RoleName = types.StringValue(role.Name)
			}
		}
	}
}

func (r *permissionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state permissionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ref := state.ref()
	info, err := r.conn.cache.entity(ctx, c, ref)
	if err != nil {
		resp.Diagnostics.AddError("vCenter look-up failed", err.Error())
		return
	}
	if info == nil {
		resp.State.RemoveResource(ctx) // the object is gone, and its permissions with it
		return
	}
	perms, err := object.NewAuthorizationManager(c).RetrieveEntityPermissions(ctx, ref, false)
	if isObjectGone(err) {
		resp.State.RemoveResource(ctx) // deleted since this process looked it up
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("vCenter permissions", err.Error())
		return
	}
	p := findPermission(perms, state.Principal.ValueString(), state.IsGroup.ValueBool())
	if p == nil {
		resp.State.RemoveResource(ctx) // removed on vCenter: the plan shows it as to be created again
		return
	}
	if !strings.EqualFold(state.Principal.ValueString(), p.Principal) || state.Principal.IsNull() {
		state.Principal = types.StringValue(p.Principal)
	}
	state.IsGroup = types.BoolValue(p.Group)
	state.Propagate = types.BoolValue(p.Propagate)
	newRoleID := strconv.Itoa(int(p.RoleId))
	if state.RoleID.ValueString() != newRoleID {
		state.RoleName = types.StringUnknown() // filled from the role list below
	}
	state.RoleID = types.StringValue(newRoleID)
	if p, err := r.conn.cache.path(ctx, c, ref); err == nil {
		state.EntityPath = types.StringValue(p)
	}
	r.fill(ctx, c, &state)
	state.ID = types.StringValue(permissionID(ref.Type, ref.Value, state.Principal.ValueString(), state.IsGroup.ValueBool()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *permissionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan permissionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if !known(plan.RoleID) {
		roles, err := r.conn.cache.roleList(ctx, c, hasRoleName(plan.RoleName.ValueString()))
		if err == nil {
			var role *vim.AuthorizationRole
			if role, err = roleByName(roles, plan.RoleName.ValueString()); err == nil {
				plan.RoleID = types.StringValue(strconv.Itoa(int(role.RoleId)))
			}
		}
		if err != nil {
			resp.Diagnostics.AddError("unknown role", err.Error())
			return
		}
	}
	if err := r.set(ctx, c, &plan); err != nil {
		ref := plan.ref()
		resp.Diagnostics.AddError("SetEntityPermissions failed", fmt.Sprintf("updating %s on %s %s: %s", plan.Principal.ValueString(), ref.Type, ref.Value, err))
		return
	}
	r.fill(ctx, c, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state permissionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ref := state.ref()
	err := object.NewAuthorizationManager(c).RemoveEntityPermission(ctx, ref, state.Principal.ValueString(), state.IsGroup.ValueBool())
	r.conn.cache.wrote(ref)
	if err != nil && !isNotFound(err) && !isObjectGone(err) {
		resp.Diagnostics.AddError("RemoveEntityPermission failed", fmt.Sprintf("removing %s from %s %s: %s", state.Principal.ValueString(), ref.Type, ref.Value, err))
		return
	}
	r.conn.claims.release(claimKey(ref, state.Principal.ValueString(), state.IsGroup.ValueBool()))
}

// ImportState accepts <type>:<moid>:<principal> (a user) and <type>:<moid>:group:<principal> (a group); also
// <type>:<moid>:user:<principal>. vCenter principals never contain ':'.
func (r *permissionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, ":")
	group := false
	switch {
	case len(parts) == 3:
	case len(parts) == 4 && (parts[2] == "group" || parts[2] == "user"):
		group = parts[2] == "group"
		parts = []string{parts[0], parts[1], parts[3]}
	default:
		parts = nil
	}
	if parts == nil || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		resp.Diagnostics.AddError("invalid import ID", fmt.Sprintf(
			"import ID %q is not <type>:<moid>:<principal> (a user) or <type>:<moid>:group:<principal> (a group), "+
				"e.g. Folder:group-d1:VSPHERE.LOCAL\\kkp or Datacenter:datacenter-2:group:VSPHERE.LOCAL\\kkp-admins.", req.ID))
		return
	}
	m := permissionModel{
		ID:         types.StringValue(permissionID(parts[0], parts[1], parts[2], group)),
		EntityType: types.StringValue(parts[0]),
		EntityID:   types.StringValue(parts[1]),
		EntityPath: types.StringNull(),
		Principal:  types.StringValue(parts[2]),
		IsGroup:    types.BoolValue(group),
		RoleID:     types.StringNull(),
		RoleName:   types.StringNull(),
		Propagate:  types.BoolNull(),
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	perms, err := object.NewAuthorizationManager(c).RetrieveEntityPermissions(ctx, m.ref(), false)
	if err != nil {
		resp.Diagnostics.AddError("cannot import", fmt.Sprintf("reading the permissions of %s %s: %s", parts[0], parts[1], err))
		return
	}
	if findPermission(perms, parts[2], group) == nil {
		kind := "user"
		if group {
			kind = "group"
		}
		resp.Diagnostics.AddError("cannot import", fmt.Sprintf("the %s %s holds no permission on %s %s (for a group, use <type>:<moid>:group:<principal>).",
			kind, parts[2], parts[0], parts[1]))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
