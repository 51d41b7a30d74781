package provider

import (
	"context"
	"sync"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// lookups caches, per provider instance (one plugin process, one run), what the permission resources ask vCenter
// again and again and what does not change while Terraform runs: an object's name, parent and inventory path (many
// permissions share an object), and the role list (every permission resolves its role). A role the list does not
// hold (a vsphere_role created during this apply) refreshes the list; an object that is not found is not cached, so
// a deleted object is seen as deleted. An object's permissions are cached for the plan-time check only (a new
// permission for a principal that already holds one is refused): dropped whenever this instance writes to the
// object, and never used by Read, Create, Update or Delete, which ask vCenter each time (Create repeats the check).
type lookups struct {
	mu       sync.Mutex
	entities map[types.ManagedObjectReference]*entityInfo
	paths    map[types.ManagedObjectReference]string
	roles    object.AuthorizationRoleList
	perms    map[types.ManagedObjectReference][]types.Permission
}

// planPermissions returns the object's direct permissions for the plan-time check, from the cache when it has them.
func (l *lookups) planPermissions(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) ([]types.Permission, error) {
	l.mu.Lock()
	p, ok := l.perms[ref]
	l.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := object.NewAuthorizationManager(c).RetrieveEntityPermissions(ctx, ref, false)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.perms == nil {
		l.perms = map[types.ManagedObjectReference][]types.Permission{}
	}
	l.perms[ref] = p
	l.mu.Unlock()
	return p, nil
}

// wrote drops what is cached about the object's permissions: this instance changed them.
func (l *lookups) wrote(ref types.ManagedObjectReference) {
	l.mu.Lock()
	delete(l.perms, ref)
	l.mu.Unlock()
}

func (l *lookups) entity(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) (*entityInfo, error) {
	l.mu.Lock()
	e, ok := l.entities[ref]
	l.mu.Unlock()
	if ok {
		return e, nil
	}
	e, err := lookupEntity(ctx, c, ref)
	if err != nil || e == nil {
		return e, err
	}
	l.mu.Lock()
	if l.entities == nil {
		l.entities = map[types.ManagedObjectReference]*entityInfo{}
	}
	l.entities[ref] = e
	l.mu.Unlock()
	return e, nil
}

func (l *lookups) path(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) (string, error) {
	l.mu.Lock()
	p, ok := l.paths[ref]
	l.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := inventoryPath(ctx, c, ref)
	if err != nil {
		return "", err
	}
	l.mu.Lock()
	if l.paths == nil {
		l.paths = map[types.ManagedObjectReference]string{}
	}
	l.paths[ref] = p
	l.mu.Unlock()
	return p, nil
}

// roleList returns the cached role list when `has` finds what is asked for in it, else a fresh one.
func (l *lookups) roleList(ctx context.Context, c *vim25.Client, has func(object.AuthorizationRoleList) bool) (object.AuthorizationRoleList, error) {
	l.mu.Lock()
	roles := l.roles
	l.mu.Unlock()
	if roles != nil && (has == nil || has(roles)) {
		return roles, nil
	}
	roles, err := object.NewAuthorizationManager(c).RoleList(ctx)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.roles = roles
	l.mu.Unlock()
	return roles, nil
}

func hasRoleID(id int32) func(object.AuthorizationRoleList) bool {
	return func(roles object.AuthorizationRoleList) bool { return roles.ById(id) != nil }
}

func hasRoleName(name string) func(object.AuthorizationRoleList) bool {
	return func(roles object.AuthorizationRoleList) bool {
		_, err := roleByName(roles, name)
		return err == nil
	}
}
