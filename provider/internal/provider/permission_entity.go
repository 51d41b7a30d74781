package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/vmware/govmomi/vim25"
	vim "github.com/vmware/govmomi/vim25/types"
)

// The object of a permission resource (kkpvsphere_permission and kkpvsphere_permissions alike): entity_type and
// entity_id, or entity_path resolved by vCenter; it must exist and must not be a datacenter's own folder.

// checkEntityPath is the configuration check of entity_path: absolute, and not a datacenter's own folder.
func checkEntityPath(p types.String, diags *diag.Diagnostics) {
	if !known(p) {
		return
	}
	s := p.ValueString()
	if !strings.HasPrefix(s, "/") {
		diags.AddAttributeError(path.Root("entity_path"), "entity_path is not absolute",
			fmt.Sprintf("entity_path %q must be an absolute inventory path such as /DC0/vm/kkp (or / for the root folder).", s))
	} else if m := hiddenPath.FindStringSubmatch(s); m != nil {
		diags.AddAttributeError(path.Root("entity_path"), "permission on a datacenter's own folder",
			fmt.Sprintf("%s is the datacenter's own %q folder: vCenter refuses permissions on a datacenter's vm, host, network "+
				"and datastore folders. Grant on the datacenter (with propagate) or on a folder below it instead.", s, m[1]))
	}
}

// planEntity resolves the configured object at plan time and checks it. It returns nil when the object is not known
// yet (an unknown id), and ok false when it added an error.
func planEntity(ctx context.Context, conn *connection, c *vim25.Client, entityPath, entityType, entityID types.String, diags *diag.Diagnostics) (entity *vim.ManagedObjectReference, ok bool) {
	switch {
	case known(entityPath):
		ref, err := findByPath(ctx, c, entityPath.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("entity_path"), "vCenter look-up failed", err.Error())
			return nil, false
		}
		if ref == nil {
			diags.AddAttributeError(path.Root("entity_path"), "no such object",
				fmt.Sprintf("vCenter has no object at %s.", entityPath.ValueString()))
			return nil, false
		}
		entity = ref
	case known(entityType) && known(entityID):
		entity = &vim.ManagedObjectReference{Type: entityType.ValueString(), Value: entityID.ValueString()}
	default:
		return nil, true
	}
	info, err := conn.cache.entity(ctx, c, *entity)
	if err != nil {
		diags.AddError("vCenter look-up failed", err.Error())
		return nil, false
	}
	if info == nil {
		diags.AddAttributeError(path.Root("entity_id"), "no such object",
			fmt.Sprintf("vCenter has no %s with id %s.", entity.Type, entity.Value))
		return nil, false
	}
	if err := hiddenFolderError(info); err != nil {
		diags.AddAttributeError(path.Root("entity_id"), "permission on a datacenter's own folder", err.Error()+".")
		return nil, false
	}
	return entity, true
}

// applyEntity fills in type and id from the path when the provider configuration was unknown at plan time, and
// checks that the object exists and takes permissions.
func applyEntity(ctx context.Context, conn *connection, c *vim25.Client, entityPath types.String, entityType, entityID *types.String) error {
	if !known(*entityID) || !known(*entityType) {
		if !known(entityPath) {
			return fmt.Errorf("neither entity_type/entity_id nor entity_path is known at apply time")
		}
		ref, err := mustFindByPath(ctx, c, entityPath.ValueString(), "object")
		if err != nil {
			return err
		}
		*entityType, *entityID = types.StringValue(ref.Type), types.StringValue(ref.Value)
	}
	ref := vim.ManagedObjectReference{Type: entityType.ValueString(), Value: entityID.ValueString()}
	info, err := conn.cache.entity(ctx, c, ref)
	if err == nil && info == nil {
		err = fmt.Errorf("vCenter has no %s with id %s", ref.Type, ref.Value)
	}
	if err == nil {
		err = hiddenFolderError(info)
	}
	return err
}
