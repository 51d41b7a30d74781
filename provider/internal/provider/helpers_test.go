package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mkFolder creates a VM folder below /DC0/vm and returns its reference.
func mkFolder(t *testing.T, name string) types.ManagedObjectReference {
	t.Helper()
	ctx := tctx(t)
	parent, err := find.NewFinder(simAdmin).Folder(ctx, "/DC0/vm")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parent.CreateFolder(ctx, name)
	if err != nil {
		t.Fatalf("creating folder %s: %v", name, err)
	}
	return f.Reference()
}

func pathRef(t *testing.T, p string) types.ManagedObjectReference {
	t.Helper()
	ref, err := object.NewSearchIndex(simAdmin).FindByInventoryPath(tctx(t), p)
	if err != nil || ref == nil {
		t.Fatalf("no object at %s: %v", p, err)
	}
	return ref.Reference()
}

// words matches a message as terraform prints it: wrapped at any space.
func words(msg string) string {
	parts := strings.Fields(msg)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return strings.Join(parts, `\s+`)
}

func authz() *object.AuthorizationManager { return object.NewAuthorizationManager(simAdmin) }

// perm is a permission as the tests compare them.
type perm struct {
	Principal string
	Group     bool
	Role      int32
	Propagate bool
}

func (p perm) String() string {
	return fmt.Sprintf("%s group=%t role=%d propagate=%t", p.Principal, p.Group, p.Role, p.Propagate)
}

func permsOn(ref types.ManagedObjectReference) ([]string, error) {
	ps, err := authz().RetrieveEntityPermissions(context.Background(), ref, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ps {
		out = append(out, perm{p.Principal, p.Group, p.RoleId, p.Propagate}.String())
	}
	sort.Strings(out)
	return out, nil
}

// expectPerms compares the object's direct permissions with want exactly (every principal, ours and foreign).
func expectPerms(ref types.ManagedObjectReference, want ...perm) error {
	got, err := permsOn(ref)
	if err != nil {
		return err
	}
	var w []string
	for _, p := range want {
		w = append(w, p.String())
	}
	sort.Strings(w)
	if strings.Join(got, "\n") != strings.Join(w, "\n") {
		return fmt.Errorf("permissions on %s %s:\n got:\n  %s\n want:\n  %s", ref.Type, ref.Value, strings.Join(got, "\n  "), strings.Join(w, "\n  "))
	}
	return nil
}

func setPerm(t *testing.T, ref types.ManagedObjectReference, p perm) {
	t.Helper()
	err := authz().SetEntityPermissions(tctx(t), ref, []types.Permission{{Entity: &ref, Principal: p.Principal, Group: p.Group, RoleId: p.Role, Propagate: p.Propagate}})
	if err != nil {
		t.Fatalf("setting %s on %s: %v", p, ref.Value, err)
	}
}

func removePerm(t *testing.T, ref types.ManagedObjectReference, principal string, group bool) {
	t.Helper()
	if err := authz().RemoveEntityPermission(tctx(t), ref, principal, group); err != nil {
		t.Fatalf("removing %s from %s: %v", principal, ref.Value, err)
	}
}

// addRole creates a custom role and returns its id (the simulator's AddAuthorizationRole answers none: look it up).
func addRole(t *testing.T, name string, privs ...string) int32 {
	t.Helper()
	ctx := tctx(t)
	if _, err := authz().AddRole(ctx, name, privs); err != nil {
		t.Fatalf("adding role %s: %v", name, err)
	}
	roles, err := authz().RoleList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := roles.ByName(name)
	if r == nil {
		t.Fatalf("role %s not in the role list after creating it", name)
	}
	return r.RoleId
}
