package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	vim "github.com/vmware/govmomi/vim25/types"
)

// permissionsResource manages the permissions of SOME principals (the keys of its map) on ONE vCenter object and
// nothing else: the same additive contract as kkpvsphere_permission, for many principals in one resource instance.
// Create and update set the listed principals' permissions in one SetEntityPermissions call (vCenter keeps every
// other principal's permission); a principal dropped from the map loses its permission (RemoveEntityPermission for
// that principal only); read looks at the listed principals only, and a principal whose permission is gone on vCenter
// drops out of the state, so the plan shows it as to be added again; delete removes the listed principals'
// permissions only. A stack with many principals on one shared object (a storage user per user cluster on one
// datastore) then has one resource instance per object, not one per principal: Terraform's cost per instance (a
// state write after every change, a plan and apply walk) is what made per-principal resources slow at scale.
type permissionsResource struct {
	conn *connection
}

func newPermissionsResource() resource.Resource { return &permissionsResource{} }

var (
	_ resource.ResourceWithConfigure        = (*permissionsResource)(nil)
	_ resource.ResourceWithImportState      = (*permissionsResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*permissionsResource)(nil)
	_ resource.ResourceWithConfigValidators = (*permissionsResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*permissionsResource)(nil)
)

type permissionsModel struct {
	ID          types.String `tfsdk:"id"`
	EntityType  types.String `tfsdk:"entity_type"`
	EntityID    types.String `tfsdk:"entity_id"`
	EntityPath  types.String `tfsdk:"entity_path"`
	Permissions types.Map    `tfsdk:"permissions"`
}

// grantEntry is one principal's permission: the map key is the principal.
type grantEntry struct {
	IsGroup   types.Bool   `tfsdk:"is_group"`
	RoleID    types.String `tfsdk:"role_id"`
	RoleName  types.String `tfsdk:"role_name"`
	Propagate types.Bool   `tfsdk:"propagate"`
}

var grantEntryType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"is_group":  types.BoolType,
	"role_id":   types.StringType,
	"role_name": types.StringType,
	"propagate": types.BoolType,
}}

func (r *permissionsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permissions"
}

func (r *permissionsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The permissions of the listed principals on one vCenter object, additively: every other principal's " +
			"permission on the object is left alone on create, update and delete. Import ID: `<type>:<moid>:<principal>`, " +
			"more principals separated by `:`, a group's name after `group:` (e.g. " +
			"`Datastore:datastore-1:VSPHERE.LOCAL\\kkp-a:group:VSPHERE.LOCAL\\kkp-admins`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The object: <type>:<moid>.",
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
			"permissions": schema.MapNestedAttribute{
				Required: true,
				Description: "The principals' permissions, keyed by principal (a user or group such as VSPHERE.LOCAL\\kkp-storage; vCenter " +
					"compares principals case-insensitively). Only these principals' permissions are set, read and removed.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"is_group": schema.BoolAttribute{
							Optional: true, Computed: true, Default: booldefault.StaticBool(false),
							Description: "Whether the principal is a group. Default false.",
						},
						"role_id": schema.StringAttribute{
							Required:    true,
							Description: "Role id, e.g. \"-2\" for the predefined Read-only role, or the id of a vsphere_role.",
						},
						"role_name": schema.StringAttribute{
							Computed:    true,
							Description: "The role's name, from vCenter's role list (ReadOnly, Admin, or a custom role's name).",
						},
						"propagate": schema.BoolAttribute{
							Optional: true, Computed: true, Default: booldefault.StaticBool(true),
							Description: "Whether the permission propagates to the object's children. Default true.",
						},
					},
				},
			},
		},
	}
}

func (r *permissionsResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("entity_id"), path.MatchRoot("entity_path")),
		resourcevalidator.RequiredTogether(path.MatchRoot("entity_type"), path.MatchRoot("entity_id")),
	}
}

func (r *permissionsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg permissionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkEntityPath(cfg.EntityPath, &resp.Diagnostics)
	entries, ok := entriesOf(ctx, cfg.Permissions, &resp.Diagnostics)
	if !ok {
		return
	}
	seen := map[string]string{}
	for _, principal := range sortedKeys(entries) {
		e := entries[principal]
		at := path.Root("permissions").AtMapKey(principal)
		if strings.TrimSpace(principal) == "" || strings.Contains(principal, ":") {
			resp.Diagnostics.AddAttributeError(at, "invalid principal",
				fmt.Sprintf("principal %q must be a vCenter user or group such as VSPHERE.LOCAL\\name or name@vsphere.local.", principal))
		}
		if other, dup := seen[strings.ToLower(principal)]; dup {
			resp.Diagnostics.AddAttributeError(at, "one principal listed twice",
				fmt.Sprintf("%q and %q are one principal (vCenter compares principals case-insensitively) and vCenter keeps one "+
					"permission per principal per object: list it once.", other, principal))
		}
		seen[strings.ToLower(principal)] = principal
		if known(e.RoleID) {
			if _, err := strconv.ParseInt(e.RoleID.ValueString(), 10, 32); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("role_id"), "invalid role_id",
					fmt.Sprintf("role_id %q is not a vCenter role id (an integer, e.g. \"-2\" for Read-only).", e.RoleID.ValueString()))
			}
		}
	}
}

func (r *permissionsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.conn = req.ProviderData.(*connection)
	}
}

// entriesOf reads the permissions map; ok is false when it is null or unknown (nothing to look at yet).
func entriesOf(ctx context.Context, m types.Map, diags *diag.Diagnostics) (map[string]grantEntry, bool) {
	if m.IsNull() || m.IsUnknown() {
		return nil, false
	}
	out := map[string]grantEntry{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out, !diags.HasError()
}

func entriesValue(ctx context.Context, entries map[string]grantEntry, diags *diag.Diagnostics) types.Map {
	v, d := types.MapValueFrom(ctx, grantEntryType, entries)
	diags.Append(d...)
	return v
}

func sortedKeys(m map[string]grantEntry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// identity is a principal as vCenter tells principals apart: case-insensitive, users and groups apart.
func identity(principal string, e grantEntry) string {
	if e.IsGroup.ValueBool() {
		return "group:" + strings.ToLower(principal)
	}
	return "user:" + strings.ToLower(principal)
}

func byIdentity(entries map[string]grantEntry) map[string]string {
	out := map[string]string{}
	for k, e := range entries {
		out[identity(k, e)] = k
	}
	return out
}

func (m *permissionsModel) ref() vim.ManagedObjectReference {
	return vim.ManagedObjectReference{Type: m.EntityType.ValueString(), Value: m.EntityID.ValueString()}
}

// importID is the import ID that adopts the given principals' existing permissions on one object.
func permissionsImportID(entityType, entityID string, principals []string, groups map[string]bool) string {
	parts := []string{entityType, entityID}
	for _, p := range principals {
		if groups[p] {
			parts = append(parts, "group")
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ":")
}

func (r *permissionsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, cfg permissionsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *permissionsModel
	if !req.State.Raw.IsNull() {
		state = &permissionsModel{}
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
		plan.ID = types.StringValue(entity.Type + ":" + entity.Value)
		if !known(cfg.EntityPath) {
			if p, err := r.conn.cache.path(ctx, c, *entity); err == nil {
				plan.EntityPath = types.StringValue(p)
			}
		}
		if state != nil && (state.EntityType.ValueString() != entity.Type || state.EntityID.ValueString() != entity.Value) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("entity_id"))
			state = nil // every principal is new on the new object
		}
	}

	entries, ok := entriesOf(ctx, plan.Permissions, &resp.Diagnostics)
	if !ok {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	// Each role by id, named from vCenter's role list: the plan shows role names, which a reviewer reads.
	var before map[string]grantEntry
	if state != nil {
		before, _ = entriesOf(ctx, state.Permissions, &resp.Diagnostics)
	}
	for _, principal := range sortedKeys(entries) {
		e := entries[principal]
		if !known(e.RoleID) {
			e.RoleName = types.StringUnknown()
			entries[principal] = e
			continue
		}
		id, _ := strconv.ParseInt(e.RoleID.ValueString(), 10, 32)
		roles, err := r.conn.cache.roleList(ctx, c, hasRoleID(int32(id)))
		if err != nil {
			resp.Diagnostics.AddError("vCenter role list", err.Error())
			return
		}
		role := roles.ById(int32(id))
		if role == nil {
			resp.Diagnostics.AddAttributeError(path.Root("permissions").AtMapKey(principal).AtName("role_id"), "unknown role",
				fmt.Sprintf("vCenter has no role with id %d (the role of %s).", id, principal))
			return
		}
		e.RoleName = types.StringValue(role.Name)
		entries[principal] = e
	}
	plan.Permissions = entriesValue(ctx, entries, &resp.Diagnostics)

	// A principal new to this resource that already holds a permission on the object would silently take over a
	// permission this resource did not make: refuse, and name the import that adopts it.
	if entity != nil {
		had := byIdentity(before)
		var added []string
		for _, principal := range sortedKeys(entries) {
			if _, was := had[identity(principal, entries[principal])]; !was {
				added = append(added, principal)
			}
		}
		if len(added) > 0 {
			perms, err := r.conn.cache.planPermissions(ctx, c, *entity)
			if err != nil {
				resp.Diagnostics.AddError("vCenter permissions", err.Error())
				return
			}
			resp.Diagnostics.Append(heldAlready(*entity, perms, added, entries)...)
			if resp.Diagnostics.HasError() {
				return
			}
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// heldAlready refuses the principals of `added` that hold a permission on the object already, naming the import.
func heldAlready(ref vim.ManagedObjectReference, perms []vim.Permission, added []string, entries map[string]grantEntry) diag.Diagnostics {
	var diags diag.Diagnostics
	var held []string
	groups := map[string]bool{}
	var lines []string
	for _, principal := range added {
		group := entries[principal].IsGroup.ValueBool()
		if p := findPermission(perms, principal, group); p != nil {
			held = append(held, p.Principal)
			groups[p.Principal] = p.Group
			kind := "user"
			if p.Group {
				kind = "group"
			}
			lines = append(lines, fmt.Sprintf("the %s %s (role id %d, propagate %t)", kind, p.Principal, p.RoleId, p.Propagate))
		}
	}
	if len(held) == 0 {
		return diags
	}
	id := permissionsImportID(ref.Type, ref.Value, held, groups)
	diags.AddError("permission already exists", fmt.Sprintf(
		"%s already hold%s a permission on %s %s, made outside this resource or by another kkpvsphere resource in this "+
			"configuration (vCenter keeps one permission per principal per object). To manage the existing permissions, import "+
			"them: an import block with id = %q (add the resource's other principals that hold one, separated by ':'), or "+
			"`terraform import <address> '%s'`. If two resources in this configuration grant the same principal on the same "+
			"object, merge them into one.",
		strings.Join(lines, ", "), map[bool]string{true: "", false: "s"}[len(held) > 1], ref.Type, ref.Value, id, id))
	return diags
}

func toPermission(ref vim.ManagedObjectReference, principal string, e grantEntry) (vim.Permission, error) {
	roleID, err := strconv.ParseInt(e.RoleID.ValueString(), 10, 32)
	if err != nil {
		return vim.Permission{}, fmt.Errorf("role_id %q of %s is not an integer", e.RoleID.ValueString(), principal)
	}
	r := ref
	return vim.Permission{Entity: &r, Principal: principal, Group: e.IsGroup.ValueBool(), RoleId: int32(roleID), Propagate: e.Propagate.ValueBool()}, nil
}

// write claims the principals of `added` for this run, refuses any that already hold a permission on the object,
// and sets the permissions of `set` (added and changed ones) in one call. Claims are released on failure.
func (r *permissionsResource) write(ctx context.Context, c *vim25.Client, ref vim.ManagedObjectReference, entries map[string]grantEntry, added, set []string) diag.Diagnostics {
	var diags diag.Diagnostics
	var claimed []string
	release := func() {
		for _, k := range claimed {
			r.conn.claims.release(k)
		}
	}
	for _, principal := range added {
		key := claimKey(ref, principal, entries[principal].IsGroup.ValueBool())
		if !r.conn.claims.claim(key) {
			release()
			diags.AddError("one principal granted twice on one object", fmt.Sprintf(
				"Two kkpvsphere resources in this configuration grant %s on %s %s. vCenter keeps one permission per "+
					"principal per object: grant it in one place (one role holding both sets of privileges).",
				principal, ref.Type, ref.Value))
			return diags
		}
		claimed = append(claimed, key)
	}
	authz := object.NewAuthorizationManager(c)
	if len(added) > 0 {
		perms, err := authz.RetrieveEntityPermissions(ctx, ref, false)
		if err != nil {
			release()
			diags.AddError("vCenter permissions", err.Error())
			return diags
		}
		if d := heldAlready(ref, perms, added, entries); d.HasError() {
			release()
			return d
		}
	}
	if len(set) == 0 {
		return diags
	}
	list := make([]vim.Permission, 0, len(set))
	for _, principal := range set {
		p, err := toPermission(ref, principal, entries[principal])
		if err != nil {
			release()
			diags.AddError("invalid role_id", err.Error())
			return diags
		}
		list = append(list, p)
	}
	defer r.conn.cache.wrote(ref)
	if err := authz.SetEntityPermissions(ctx, ref, list); err != nil {
		release()
		diags.AddError("SetEntityPermissions failed", fmt.Sprintf("granting %s on %s %s: %s", strings.Join(set, ", "), ref.Type, ref.Value, err))
	}
	return diags
}

// fillNames completes what only vCenter knows: the inventory path and each role's name.
func (r *permissionsResource) fillNames(ctx context.Context, c *vim25.Client, m *permissionsModel, entries map[string]grantEntry) {
	if p, err := r.conn.cache.path(ctx, c, m.ref()); err == nil {
		m.EntityPath = types.StringValue(p)
	} else if !known(m.EntityPath) {
		m.EntityPath = types.StringNull()
	}
	for principal, e := range entries {
		if known(e.RoleName) && !e.RoleName.IsNull() {
			continue
		}
		e.RoleName = types.StringNull()
		if id, err := strconv.ParseInt(e.RoleID.ValueString(), 10, 32); err == nil {
			if roles, err := r.conn.cache.roleList(ctx, c, hasRoleID(int32(id))); err == nil {
				if role := roles.ById(int32(id)); role != nil {
					e.RoleName = types.StringValue(role.Name)
				}
			}
		}
		entries[principal] = e
	}
	m.ID = types.StringValue(m.EntityType.ValueString() + ":" + m.EntityID.ValueString())
}

func (r *permissionsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan permissionsModel
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
	entries, ok := entriesOf(ctx, plan.Permissions, &resp.Diagnostics)
	if !ok {
		return
	}
	all := sortedKeys(entries)
	if resp.Diagnostics.Append(r.write(ctx, c, plan.ref(), entries, all, all)...); resp.Diagnostics.HasError() {
		return
	}
	r.fillNames(ctx, c, &plan, entries)
	plan.Permissions = entriesValue(ctx, entries, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *permissionsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state permissionsModel
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
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("vCenter permissions", err.Error())
		return
	}
	entries, ok := entriesOf(ctx, state.Permissions, &resp.Diagnostics)
	if !ok {
		entries = map[string]grantEntry{}
	}
	for principal, e := range entries {
		p := findPermission(perms, principal, e.IsGroup.ValueBool())
		if p == nil {
			delete(entries, principal) // removed on vCenter: the plan shows it as to be added again
			continue
		}
		newRoleID := strconv.Itoa(int(p.RoleId))
		if e.RoleID.ValueString() != newRoleID {
			e.RoleName = types.StringNull() // named again below
		}
		e.RoleID = types.StringValue(newRoleID)
		e.IsGroup = types.BoolValue(p.Group)
		e.Propagate = types.BoolValue(p.Propagate)
		entries[principal] = e
	}
	r.fillNames(ctx, c, &state, entries)
	state.Permissions = entriesValue(ctx, entries, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *permissionsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state permissionsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
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
	entries, ok := entriesOf(ctx, plan.Permissions, &resp.Diagnostics)
	if !ok {
		return
	}
	before, _ := entriesOf(ctx, state.Permissions, &resp.Diagnostics)
	had := byIdentity(before)
	now := byIdentity(entries)

	// Principals dropped from the map lose their permission (theirs only).
	authz := object.NewAuthorizationManager(c)
	for _, id := range sortedIdentities(had) {
		if _, stays := now[id]; stays {
			continue
		}
		principal := had[id]
		group := before[principal].IsGroup.ValueBool()
		err := authz.RemoveEntityPermission(ctx, ref, principal, group)
		r.conn.cache.wrote(ref)
		if err != nil && !isNotFound(err) && !isObjectGone(err) {
			resp.Diagnostics.AddError("RemoveEntityPermission failed", fmt.Sprintf("removing %s from %s %s: %s", principal, ref.Type, ref.Value, err))
			return
		}
		r.conn.claims.release(claimKey(ref, principal, group))
	}
	var added, set []string
	for _, principal := range sortedKeys(entries) {
		e := entries[principal]
		old, was := had[identity(principal, e)]
		switch {
		case !was:
			added = append(added, principal)
			set = append(set, principal)
		case before[old].RoleID.ValueString() != e.RoleID.ValueString() || before[old].Propagate.ValueBool() != e.Propagate.ValueBool():
			set = append(set, principal)
		}
	}
	if resp.Diagnostics.Append(r.write(ctx, c, ref, entries, added, set)...); resp.Diagnostics.HasError() {
		return
	}
	r.fillNames(ctx, c, &plan, entries)
	plan.Permissions = entriesValue(ctx, entries, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func sortedIdentities(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *permissionsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state permissionsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ref := state.ref()
	entries, _ := entriesOf(ctx, state.Permissions, &resp.Diagnostics)
	authz := object.NewAuthorizationManager(c)
	defer r.conn.cache.wrote(ref)
	for _, principal := range sortedKeys(entries) {
		group := entries[principal].IsGroup.ValueBool()
		err := authz.RemoveEntityPermission(ctx, ref, principal, group)
		if isObjectGone(err) {
			return // the object is gone, and every permission on it
		}
		if err != nil && !isNotFound(err) {
			resp.Diagnostics.AddError("RemoveEntityPermission failed", fmt.Sprintf("removing %s from %s %s: %s", principal, ref.Type, ref.Value, err))
			return
		}
		r.conn.claims.release(claimKey(ref, principal, group))
	}
}

// ImportState accepts <type>:<moid>:<principal>[:<principal>...], a group's name after `group:` (and, for symmetry,
// a user's after `user:`), or the object by inventory path: <path>:<principal>[:...], the path starting with `/` (an
// object whose managed object id a configuration cannot know at plan time, such as a distributed switch, whose
// vSphere provider data source gives its UUID). vCenter principals never contain ':'; a path that does cannot be
// imported by path.
func (r *permissionsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, ":")
	bad := func() {
		resp.Diagnostics.AddError("invalid import ID", fmt.Sprintf(
			"import ID %q is not <type>:<moid>:<principal>[:<principal>...] (or <inventory path>:<principal>[:<principal>...]) "+
				"with a group's name after group:, e.g. Datastore:datastore-1:VSPHERE.LOCAL\\kkp-a:group:VSPHERE.LOCAL\\kkp-admins.", req.ID))
	}
	byPath := strings.HasPrefix(req.ID, "/")
	if byPath {
		parts = append([]string{"", parts[0]}, parts[1:]...) // [_, path, principals...]
	}
	if len(parts) < 3 || (!byPath && parts[0] == "") || parts[1] == "" {
		bad()
		return
	}
	entries := map[string]grantEntry{}
	group := false
	for i, tok := range parts[2:] {
		if (tok == "group" || tok == "user") && i < len(parts)-3 {
			group = tok == "group"
			continue
		}
		if tok == "" {
			bad()
			return
		}
		entries[tok] = grantEntry{IsGroup: types.BoolValue(group), RoleID: types.StringNull(), RoleName: types.StringNull(), Propagate: types.BoolNull()}
		group = false
	}
	if len(entries) == 0 {
		bad()
		return
	}
	c, diags := clientFrom(ctx, r.conn)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if byPath {
		ref, err := mustFindByPath(ctx, c, parts[1], "object")
		if err != nil {
			resp.Diagnostics.AddError("cannot import", err.Error())
			return
		}
		parts[0], parts[1] = ref.Type, ref.Value
	}
	ref := vim.ManagedObjectReference{Type: parts[0], Value: parts[1]}
	perms, err := object.NewAuthorizationManager(c).RetrieveEntityPermissions(ctx, ref, false)
	if err != nil {
		resp.Diagnostics.AddError("cannot import", fmt.Sprintf("reading the permissions of %s %s: %s", parts[0], parts[1], err))
		return
	}
	var missing []string
	for _, principal := range sortedKeys(entries) {
		e := entries[principal]
		p := findPermission(perms, principal, e.IsGroup.ValueBool())
		if p == nil {
			kind := "user"
			if e.IsGroup.ValueBool() {
				kind = "group"
			}
			missing = append(missing, "the "+kind+" "+principal)
			continue
		}
		e.RoleID = types.StringValue(strconv.Itoa(int(p.RoleId)))
		e.Propagate = types.BoolValue(p.Propagate)
		entries[principal] = e
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError("cannot import", fmt.Sprintf("%s hold%s no permission on %s %s (for a group, put group: before its name).",
			strings.Join(missing, ", "), map[bool]string{true: "", false: "s"}[len(missing) > 1], parts[0], parts[1]))
		return
	}
	m := permissionsModel{
		ID:         types.StringValue(parts[0] + ":" + parts[1]),
		EntityType: types.StringValue(parts[0]),
		EntityID:   types.StringValue(parts[1]),
		EntityPath: types.StringNull(),
	}
	m.Permissions = entriesValue(ctx, entries, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
