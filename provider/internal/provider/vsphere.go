package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func isObjectGone(err error) bool {
	return err != nil && fault.Is(err, &types.ManagedObjectNotFound{})
}

func isNotFound(err error) bool {
	return err != nil && fault.Is(err, &types.NotFound{})
}

// clientFrom returns the provider instance's logged-in client, as a diagnostic when it cannot.
func clientFrom(ctx context.Context, conn *connection) (*vim25.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if conn == nil {
		diags.AddError("provider not configured", "the kkpvsphere provider has no configuration: this is a bug in the provider.")
		return nil, diags
	}
	c, err := conn.get(ctx)
	if err != nil {
		diags.AddError("vCenter session", err.Error())
	}
	return c, diags
}

// entityInfo is what the plan-time checks need to know about a managed entity.
type entityInfo struct {
	ref    types.ManagedObjectReference
	name   string
	parent *types.ManagedObjectReference
}

// lookupEntity reads an entity's name and parent; (nil, nil) when it does not exist.
func lookupEntity(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) (*entityInfo, error) {
	var e mo.ManagedEntity
	err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"name", "parent"}, &e)
	if isObjectGone(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", ref.Type, ref.Value, err)
	}
	return &entityInfo{ref: ref, name: e.Name, parent: e.Parent}, nil
}

// hiddenFolder is vCenter's rule: no permission on a datacenter's own vm/host/network/datastore folder.
func hiddenFolderError(e *entityInfo) error {
	if e.ref.Type == "Folder" && e.parent != nil && e.parent.Type == "Datacenter" {
		return fmt.Errorf("%s %s is the datacenter's own %q folder: vCenter refuses permissions on a datacenter's vm, host, "+
			"network and datastore folders (the vSphere Client does not show them). Grant on the datacenter (with propagate) "+
			"or on a folder below it instead", e.ref.Type, e.ref.Value, e.name)
	}
	return nil
}

// findByPath resolves an inventory path such as /DC0/vm/kkp; (nil, nil) when nothing is there.
func findByPath(ctx context.Context, c *vim25.Client, p string) (*types.ManagedObjectReference, error) {
	ref, err := object.NewSearchIndex(c).FindByInventoryPath(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", p, err)
	}
	if ref == nil {
		return nil, nil
	}
	r := ref.Reference()
	return &r, nil
}

func mustFindByPath(ctx context.Context, c *vim25.Client, p, what string, kinds ...string) (types.ManagedObjectReference, error) {
	ref, err := findByPath(ctx, c, p)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	if ref == nil {
		return types.ManagedObjectReference{}, fmt.Errorf("the %s %s does not exist in vCenter", what, p)
	}
	if len(kinds) > 0 {
		ok := false
		for _, k := range kinds {
			ok = ok || ref.Type == k
		}
		if !ok {
			return types.ManagedObjectReference{}, fmt.Errorf("%s is a %s, not a %s (%s)", p, ref.Type, what, strings.Join(kinds, ", "))
		}
	}
	return *ref, nil
}

func inventoryPath(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) (string, error) {
	return find.InventoryPath(ctx, c, ref)
}

// roleByName finds a role by its API name (exact, then case-insensitive if unique). A label such as "Read-only"
// (the predefined role ReadOnly, id -2) gets a message naming the role to write.
func roleByName(roles object.AuthorizationRoleList, name string) (*types.AuthorizationRole, error) {
	if r := roles.ByName(name); r != nil {
		return r, nil
	}
	var folded []*types.AuthorizationRole
	for i := range roles {
		if strings.EqualFold(roles[i].Name, name) {
			folded = append(folded, &roles[i])
		}
	}
	if len(folded) == 1 {
		return folded[0], nil
	}
	for i := range roles {
		if roles[i].Info == nil {
			continue
		}
		if d := roles[i].Info.GetDescription(); d != nil && strings.EqualFold(d.Label, name) {
			return nil, fmt.Errorf("%q is the label of the role %q (id %d): write role_name = %q or role_id = \"%d\"",
				name, roles[i].Name, roles[i].RoleId, roles[i].Name, roles[i].RoleId)
		}
	}
	return nil, fmt.Errorf("vCenter has no role named %q", name)
}
