package main

// vCenter's permission semantics, where govmomi's simulator (every version up to v0.56.0) differs from them.
// Without this, a test cannot tell a grant that touches only its own principal from one that replaces every
// permission on the object: the stock SetEntityPermissions replaces the whole list.

import (
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// faithfulAuthorizationManager keeps the simulator's permission store (through its exported methods) and
// changes what vCenter does differently:
//   - SetEntityPermissions adds or updates the listed principals and keeps every other one. vSphere API
//     reference, AuthorizationManager.SetEntityPermissions: "Defines one or more permission rules on an entity
//     or updates rules if already present for the given user or group on the entity"; ResetEntityPermissions is
//     the call that replaces them all.
//   - an entity holds at most one permission per principal (user and group are different principals): the
//     same reference's data model, "Permission: ... for a given user or group on an entity".
//   - RemoveEntityPermission of a principal that holds no permission on the entity fails with NotFound, as
//     vCenter answers ("NotFound: Thrown if the permission does not exist").
//   - permissions on a datacenter's own child folders (vm, host, datastore, network) are refused with
//     InvalidArgument: vCenter hides these folders (the vSphere Client offers no permission on them) and
//     refuses permissions there; grant on the datacenter or on a folder below them instead.
//   - AddAuthorizationRole answers the new role's id (API reference: "Returns: The roleId for the newly added
//     role"). The stock simulator answers 0, which the vSphere Terraform provider stores as the role's id: every
//     later read and update of a vsphere_role then hits no role, or the wrong one.
type faithfulAuthorizationManager struct {
	*simulator.AuthorizationManager
}

type principalKey struct {
	name  string
	group bool
}

func keyOf(p types.Permission) principalKey {
	// vCenter matches principals case-insensitively (DOMAIN\name).
	return principalKey{strings.ToLower(p.Principal), p.Group}
}

func (m *faithfulAuthorizationManager) direct(ctx *simulator.Context, entity types.ManagedObjectReference) []types.Permission {
	res := m.AuthorizationManager.RetrieveEntityPermissions(ctx, &types.RetrieveEntityPermissions{This: m.Self, Entity: entity})
	return res.(*methods.RetrieveEntityPermissionsBody).Res.Returnval
}

func (m *faithfulAuthorizationManager) refuseHiddenFolder(ctx *simulator.Context, entity types.ManagedObjectReference) *soap.Fault {
	if entity.Type != "Folder" {
		return nil
	}
	folder, ok := ctx.Map.Get(entity).(mo.Entity)
	if ok && folder.Entity().Parent != nil && folder.Entity().Parent.Type == "Datacenter" {
		return simulator.Fault("permissions cannot be set on a datacenter's "+folder.Entity().Name+" folder", &types.InvalidArgument{InvalidProperty: "entity"})
	}
	return nil
}

func (m *faithfulAuthorizationManager) SetEntityPermissions(ctx *simulator.Context, req *types.SetEntityPermissions) soap.HasFault {
	if ctx.Map.Get(req.Entity) == nil {
		return &methods.SetEntityPermissionsBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})}
	}
	if fault := m.refuseHiddenFolder(ctx, req.Entity); fault != nil {
		return &methods.SetEntityPermissionsBody{Fault_: fault}
	}
	merged := m.direct(ctx, req.Entity)
	for _, p := range req.Permission {
		entity := req.Entity
		p.Entity = &entity
		replaced := false
		for i := range merged {
			if keyOf(merged[i]) == keyOf(p) {
				merged[i] = p
				replaced = true
			}
		}
		if !replaced {
			merged = append(merged, p)
		}
	}
	return m.AuthorizationManager.SetEntityPermissions(&types.SetEntityPermissions{This: req.This, Entity: req.Entity, Permission: merged})
}

func (m *faithfulAuthorizationManager) ResetEntityPermissions(ctx *simulator.Context, req *types.ResetEntityPermissions) soap.HasFault {
	if ctx.Map.Get(req.Entity) == nil {
		return &methods.ResetEntityPermissionsBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})}
	}
	if fault := m.refuseHiddenFolder(ctx, req.Entity); fault != nil && len(req.Permission) > 0 {
		return &methods.ResetEntityPermissionsBody{Fault_: fault}
	}
	var unique []types.Permission
	seen := map[principalKey]int{}
	for _, p := range req.Permission {
		entity := req.Entity
		p.Entity = &entity
		if i, ok := seen[keyOf(p)]; ok {
			unique[i] = p
			continue
		}
		seen[keyOf(p)] = len(unique)
		unique = append(unique, p)
	}
	m.AuthorizationManager.SetEntityPermissions(&types.SetEntityPermissions{This: req.This, Entity: req.Entity, Permission: unique})
	return &methods.ResetEntityPermissionsBody{Res: &types.ResetEntityPermissionsResponse{}}
}

func (m *faithfulAuthorizationManager) RemoveEntityPermission(ctx *simulator.Context, req *types.RemoveEntityPermission) soap.HasFault {
	if ctx.Map.Get(req.Entity) == nil {
		return &methods.RemoveEntityPermissionBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})}
	}
	want := principalKey{strings.ToLower(req.User), req.IsGroup}
	var kept []types.Permission
	found := false
	for _, p := range m.direct(ctx, req.Entity) {
		if keyOf(p) == want {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	if !found {
		return &methods.RemoveEntityPermissionBody{Fault_: simulator.Fault("permission for "+req.User+" not found on "+req.Entity.Value, &types.NotFound{})}
	}
	m.AuthorizationManager.SetEntityPermissions(&types.SetEntityPermissions{This: req.This, Entity: req.Entity, Permission: kept})
	return &methods.RemoveEntityPermissionBody{Res: &types.RemoveEntityPermissionResponse{}}
}

func (m *faithfulAuthorizationManager) AddAuthorizationRole(ctx *simulator.Context, req *types.AddAuthorizationRole) soap.HasFault {
	body := m.AuthorizationManager.AddAuthorizationRole(req).(*methods.AddAuthorizationRoleBody)
	if body.Fault_ == nil {
		for _, role := range m.RoleList {
			if role.Name == req.Name {
				body.Res.Returnval = role.RoleId
			}
		}
	}
	return body
}

// installFaithfulAuthorization replaces the model's AuthorizationManager by the faithful one (same reference).
func installFaithfulAuthorization(model *simulator.Model) {
	registry := model.Map()
	ref := *model.ServiceContent.AuthorizationManager
	stock := registry.Get(ref).(*simulator.AuthorizationManager)
	registry.Put(&faithfulAuthorizationManager{AuthorizationManager: stock})
}
