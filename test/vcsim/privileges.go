package main

// Effective privileges as vCenter computes them, for the AuthorizationManager's privilege checks. The stock simulator
// answers every HasPrivilegeOnEntities and HasUserPrivilegeOnEntities with "granted" and every
// FetchUserPrivilegeOnEntities with the Admin role's privileges, so a test cannot tell a user who may clone a template
// from one who may not. Rules (vSphere Security, "Hierarchical Inheritance of Permissions" and "Multiple Permission
// Settings"; vSphere Web Services API, AuthorizationManager):
//   - a permission applies to its entity, and to the entity's descendants when it propagates;
//   - the permission nearest to the entity wins (a child's overrides its parent's);
//   - on one entity, the user's own permission overrides those of its groups; without one, the user holds the union
//     of its groups' permissions there;
//   - a virtual machine inherits from its folder and from its resource pool at once (the union of both chains);
//   - every role except No access carries System.Anonymous, System.Read and System.View.
// Group membership: VCSIM_GROUP_MEMBERS="DOMAIN\group=DOMAIN\user1,DOMAIN\user2;..." (none by default). User names
// match case-insensitively, as DOMAIN\name or name@domain.

import (
	"os"
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// normalPrincipal writes DOMAIN\name and name@domain the same way: lower-case domain\name.
func normalPrincipal(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if strings.Contains(name, `\`) {
		return name
	}
	if at := strings.LastIndex(name, "@"); at > 0 {
		return name[at+1:] + `\` + name[:at]
	}
	return name
}

// groupsOf reads VCSIM_GROUP_MEMBERS: the groups a user belongs to.
func groupsOf(user string) map[string]bool {
	groups := map[string]bool{}
	for _, entry := range strings.Split(os.Getenv("VCSIM_GROUP_MEMBERS"), ";") {
		group, members, ok := strings.Cut(entry, "=")
		if !ok {
			continue
		}
		for _, m := range strings.Split(members, ",") {
			if normalPrincipal(m) == user {
				groups[normalPrincipal(group)] = true
			}
		}
	}
	return groups
}

var implicitPrivileges = []string{"System.Anonymous", "System.Read", "System.View"}

func (m *faithfulAuthorizationManager) rolePrivileges(roleID int32) []string {
	for _, r := range m.RoleList {
		if r.RoleId == roleID {
			if r.Name == "NoAccess" {
				return nil
			}
			return append(append([]string{}, implicitPrivileges...), r.Privilege...)
		}
	}
	return nil
}

// decide returns the privileges the nearest applicable permissions give along one parent chain, and whether any applied.
func (m *faithfulAuthorizationManager) decide(ctx *simulator.Context, start types.ManagedObjectReference, own bool, user string, groups map[string]bool) ([]string, bool) {
	ref := &start
	for first := own; ref != nil; first = false {
		var userPrivs []string
		userFound, groupFound := false, false
		var groupPrivs []string
		for _, p := range m.direct(ctx, *ref) {
			if !first && !p.Propagate {
				continue
			}
			name := normalPrincipal(p.Principal)
			if !p.Group && name == user {
				userFound = true
				userPrivs = m.rolePrivileges(p.RoleId)
			} else if p.Group && groups[name] {
				groupFound = true
				groupPrivs = append(groupPrivs, m.rolePrivileges(p.RoleId)...)
			}
		}
		if userFound {
			return userPrivs, true
		}
		if groupFound {
			return groupPrivs, true
		}
		entity, ok := ctx.Map.Get(*ref).(mo.Entity)
		if !ok {
			return nil, false
		}
		ref = entity.Entity().Parent
	}
	return nil, false
}

// effective is what user holds on entity: the nearest permission along the entity's chain, and for a VM also along its
// resource pool's chain.
func (m *faithfulAuthorizationManager) effective(ctx *simulator.Context, entity types.ManagedObjectReference, userName string) []string {
	user := normalPrincipal(userName)
	groups := groupsOf(user)
	set := map[string]bool{}
	add := func(privs []string) {
		for _, p := range privs {
			set[p] = true
		}
	}
	privs, _ := m.decide(ctx, entity, true, user, groups)
	add(privs)
	if vm, ok := ctx.Map.Get(entity).(*simulator.VirtualMachine); ok && vm.ResourcePool != nil {
		privs, _ := m.decide(ctx, *vm.ResourcePool, false, user, groups)
		add(privs)
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (m *faithfulAuthorizationManager) availability(ctx *simulator.Context, entities []types.ManagedObjectReference, user string, privIDs []string) ([]types.EntityPrivilege, *soap.Fault) {
	var result []types.EntityPrivilege
	for _, e := range entities {
		if ctx.Map.Get(e) == nil {
			return nil, simulator.Fault("", &types.ManagedObjectNotFound{Obj: e})
		}
		held := map[string]bool{}
		for _, p := range m.effective(ctx, e, user) {
			held[p] = true
		}
		priv := types.EntityPrivilege{Entity: e}
		for _, id := range privIDs {
			priv.PrivAvailability = append(priv.PrivAvailability, types.PrivilegeAvailability{PrivId: id, IsGranted: held[id]})
		}
		result = append(result, priv)
	}
	return result, nil
}

func (m *faithfulAuthorizationManager) FetchUserPrivilegeOnEntities(ctx *simulator.Context, req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	var result []types.UserPrivilegeResult
	for _, e := range req.Entities {
		if ctx.Map.Get(e) == nil {
			return &methods.FetchUserPrivilegeOnEntitiesBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: e})}
		}
		result = append(result, types.UserPrivilegeResult{Entity: e, Privileges: m.effective(ctx, e, req.UserName)})
	}
	return &methods.FetchUserPrivilegeOnEntitiesBody{Res: &types.FetchUserPrivilegeOnEntitiesResponse{Returnval: result}}
}

func (m *faithfulAuthorizationManager) HasUserPrivilegeOnEntities(ctx *simulator.Context, req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	result, fault := m.availability(ctx, req.Entities, req.UserName, req.PrivId)
	if fault != nil {
		return &methods.HasUserPrivilegeOnEntitiesBody{Fault_: fault}
	}
	return &methods.HasUserPrivilegeOnEntitiesBody{Res: &types.HasUserPrivilegeOnEntitiesResponse{Returnval: result}}
}

// HasPrivilegeOnEntities answers for the user of the session named by sessionId (vCenter: "the session whose
// privileges are checked").
func (m *faithfulAuthorizationManager) HasPrivilegeOnEntities(ctx *simulator.Context, req *types.HasPrivilegeOnEntities) soap.HasFault {
	user := ""
	if ctx.Session != nil && ctx.Session.Key == req.SessionId {
		user = ctx.Session.UserName
	} else if ctx.Session != nil {
		if sm, ok := ctx.Session.Get(ctx.Map.SessionManager().Reference()).(*simulator.SessionManager); ok {
			for _, s := range sm.SessionList {
				if s.Key == req.SessionId {
					user = s.UserName
				}
			}
		}
	}
	if user == "" {
		return &methods.HasPrivilegeOnEntitiesBody{Fault_: simulator.Fault("no session "+req.SessionId, &types.InvalidArgument{InvalidProperty: "sessionId"})}
	}
	result, fault := m.availability(ctx, req.Entity, user, req.PrivId)
	if fault != nil {
		return &methods.HasPrivilegeOnEntitiesBody{Fault_: fault}
	}
	return &methods.HasPrivilegeOnEntitiesBody{Res: &types.HasPrivilegeOnEntitiesResponse{Returnval: result}}
}
