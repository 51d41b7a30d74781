package main

// What a restricted user sees, under VCSIM_ENFORCE_PRIVILEGES=1. vCenter shows an inventory object only to a user who
// holds System.Read on it (every role but No access carries System.Anonymous, System.Read and System.View; vSphere
// Security, "Hierarchical Inheritance of Permissions"): a PropertyCollector retrieval leaves the other objects out of
// its results, and the SearchIndex finders answer null (vSphere Web Services API, SearchIndex: "Returns: The managed
// entity, or null if not found or the user has no permission"). The simulator does the same for:
//   - PropertyCollector.RetrieveProperties, RetrievePropertiesEx and ContinueRetrievePropertiesEx of the session's
//     PropertyCollector: object contents of entities the user cannot read are dropped (traversal still passes through
//     them, so an object below a hidden folder is found when the user can read it);
//   - SearchIndex.FindByInventoryPath, FindChild, FindByUuid, FindByDatastorePath, FindByDnsName, FindByIp: null;
//     FindAllByUuid, FindAllByDnsName, FindAllByIp: the hidden entities left out.
// Not filtered: WaitForUpdates(Ex), collectors made with CreatePropertyCollector, ContainerView.view, and references
// to hidden objects inside the properties of visible ones (Folder.childEntity lists every child).

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// visiblePropertyCollector is a restricted session's own PropertyCollector (the session registry holds it under the
// service content's PropertyCollector reference, where the simulator would put a per-session copy).
type visiblePropertyCollector struct {
	*simulator.PropertyCollector
}

// visibleSearchIndex is a restricted session's SearchIndex.
type visibleSearchIndex struct {
	*simulator.SearchIndex
}

// installVisibility gives a restricted session its filtering PropertyCollector and SearchIndex, once.
func (e *enforcement) installVisibility(ctx *simulator.Context) {
	content := e.content
	if _, ok := ctx.Session.Registry.Get(content.PropertyCollector).(*visiblePropertyCollector); !ok {
		pc := simulator.NewPropertyCollector(content.PropertyCollector).(*simulator.PropertyCollector)
		ctx.Session.Registry.Put(&visiblePropertyCollector{pc})
	}
	if _, ok := ctx.Session.Registry.Get(*content.SearchIndex).(*visibleSearchIndex); !ok {
		if si, ok := e.vim.Get(*content.SearchIndex).(*simulator.SearchIndex); ok {
			ctx.Session.Registry.Put(&visibleSearchIndex{si})
		}
	}
}

func sessionUser(ctx *simulator.Context) string {
	if ctx.Session == nil {
		return ""
	}
	return ctx.Session.UserName
}

func (e *enforcement) filterContents(ctx *simulator.Context, objects []types.ObjectContent) []types.ObjectContent {
	user := sessionUser(ctx)
	kept := objects[:0:0]
	for _, o := range objects {
		if e.visible(user, o.Obj) {
			if o.Obj.Type == "DistributedVirtualPortgroup" {
				o.PropSet = e.portgroupSwitch(user, o.PropSet)
			}
			kept = append(kept, o)
		}
	}
	return kept
}

// portgroupSwitch: a distributed port group's config.distributedVirtualSwitch is left unset for a user who cannot
// read the switch (vSphere Web Services API, DVPortgroupConfigInfo.distributedVirtualSwitch: "This property should
// always be set unless the user's setting does not have System.Read privilege on the object referred to by this
// property"); clients then cannot build a NIC backing for the port group (govmomi's EthernetCardBackingInfo fails
// with "no System.Read privilege on: ...config.distributedVirtualSwitch").
func (e *enforcement) portgroupSwitch(user string, props []types.DynamicProperty) []types.DynamicProperty {
	out := make([]types.DynamicProperty, 0, len(props))
	for _, p := range props {
		switch v := p.Val.(type) {
		case types.ManagedObjectReference:
			if p.Name == "config.distributedVirtualSwitch" && !e.visible(user, v) {
				continue
			}
		case *types.ManagedObjectReference:
			if p.Name == "config.distributedVirtualSwitch" && v != nil && !e.visible(user, *v) {
				continue
			}
		case types.DVPortgroupConfigInfo:
			if v.DistributedVirtualSwitch != nil && !e.visible(user, *v.DistributedVirtualSwitch) {
				v.DistributedVirtualSwitch = nil
				p.Val = v
			}
		case *types.DVPortgroupConfigInfo:
			if v != nil && v.DistributedVirtualSwitch != nil && !e.visible(user, *v.DistributedVirtualSwitch) {
				c := *v
				c.DistributedVirtualSwitch = nil
				p.Val = c
			}
		}
		out = append(out, p)
	}
	return out
}

func (pc *visiblePropertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	body := pc.PropertyCollector.RetrievePropertiesEx(ctx, r).(*methods.RetrievePropertiesExBody)
	if body.Res != nil && body.Res.Returnval != nil && enforcer != nil {
		body.Res.Returnval.Objects = enforcer.filterContents(ctx, body.Res.Returnval.Objects)
	}
	return body
}

func (pc *visiblePropertyCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := pc.PropertyCollector.ContinueRetrievePropertiesEx(ctx, r).(*methods.ContinueRetrievePropertiesExBody)
	if body.Res != nil && enforcer != nil {
		body.Res.Returnval.Objects = enforcer.filterContents(ctx, body.Res.Returnval.Objects)
	}
	return body
}

func (pc *visiblePropertyCollector) RetrieveProperties(ctx *simulator.Context, r *types.RetrieveProperties) soap.HasFault {
	body := pc.PropertyCollector.RetrieveProperties(ctx, r).(*methods.RetrievePropertiesBody)
	if body.Res != nil && enforcer != nil {
		body.Res.Returnval = enforcer.filterContents(ctx, body.Res.Returnval)
	}
	return body
}

// one hides a single answer the user cannot read.
func (e *enforcement) one(ctx *simulator.Context, ref *types.ManagedObjectReference) *types.ManagedObjectReference {
	if ref == nil || e == nil || e.visible(sessionUser(ctx), *ref) {
		return ref
	}
	return nil
}

func (e *enforcement) many(ctx *simulator.Context, refs []types.ManagedObjectReference) []types.ManagedObjectReference {
	if e == nil {
		return refs
	}
	var kept []types.ManagedObjectReference
	for _, ref := range refs {
		if e.visible(sessionUser(ctx), ref) {
			kept = append(kept, ref)
		}
	}
	return kept
}

func (s *visibleSearchIndex) FindByInventoryPath(ctx *simulator.Context, req *types.FindByInventoryPath) soap.HasFault {
	body := s.SearchIndex.FindByInventoryPath(ctx, req).(*methods.FindByInventoryPathBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindChild(ctx *simulator.Context, req *types.FindChild) soap.HasFault {
	body := s.SearchIndex.FindChild(ctx, req).(*methods.FindChildBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindByUuid(ctx *simulator.Context, req *types.FindByUuid) soap.HasFault {
	body := s.SearchIndex.FindByUuid(ctx, req).(*methods.FindByUuidBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindByDatastorePath(ctx *simulator.Context, req *types.FindByDatastorePath) soap.HasFault {
	body := s.SearchIndex.FindByDatastorePath(ctx, req).(*methods.FindByDatastorePathBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindByDnsName(ctx *simulator.Context, req *types.FindByDnsName) soap.HasFault {
	body := s.SearchIndex.FindByDnsName(ctx, req).(*methods.FindByDnsNameBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindByIp(ctx *simulator.Context, req *types.FindByIp) soap.HasFault {
	body := s.SearchIndex.FindByIp(ctx, req).(*methods.FindByIpBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.one(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindAllByUuid(ctx *simulator.Context, req *types.FindAllByUuid) soap.HasFault {
	body := s.SearchIndex.FindAllByUuid(ctx, req).(*methods.FindAllByUuidBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.many(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindAllByDnsName(ctx *simulator.Context, req *types.FindAllByDnsName) soap.HasFault {
	body := s.SearchIndex.FindAllByDnsName(ctx, req).(*methods.FindAllByDnsNameBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.many(ctx, body.Res.Returnval)
	}
	return body
}

func (s *visibleSearchIndex) FindAllByIp(ctx *simulator.Context, req *types.FindAllByIp) soap.HasFault {
	body := s.SearchIndex.FindAllByIp(ctx, req).(*methods.FindAllByIpBody)
	if body.Res != nil {
		body.Res.Returnval = enforcer.many(ctx, body.Res.Returnval)
	}
	return body
}

var _ mo.Reference = (*visibleSearchIndex)(nil)
