package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/vmware/govmomi/vim25/types"
)

// The simulator's default permissions on the root folder (govmomi's DefaultUserGroup, role Admin).
func rootDefaults(t *testing.T) []perm {
	t.Helper()
	ps, err := authz().RetrieveEntityPermissions(tctx(t), rootRef, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []perm
	for _, p := range ps {
		out = append(out, perm{p.Principal, p.Group, p.RoleId, p.Propagate})
	}
	if len(out) == 0 {
		t.Fatal("the simulator's root folder has no permissions to keep intact")
	}
	return out
}

var rootRef = types.ManagedObjectReference{Type: "Folder", Value: "group-d1"}

func checkPerms(ref types.ManagedObjectReference, want ...perm) resource.TestCheckFunc {
	return func(*terraform.State) error { return expectPerms(ref, want...) }
}

// Create, update and destroy touch this principal's permission only: foreign users, a group of the same name as our
// user, and the root folder's own permissions stay exactly as they were.
func TestPermissionLeavesOtherPrincipalsAlone(t *testing.T) {
	folder := mkFolder(t, "kkp-others")
	foreign := []perm{
		{"VSPHERE.LOCAL\\other-team", false, -1, true},
		{"VSPHERE.LOCAL\\kkp-storage", true, -2, false}, // a group named like our user: a different principal
	}
	for _, p := range foreign {
		setPerm(t, folder, p)
	}
	root := rootDefaults(t)
	role := addRole(t, "kkp-storage-test", "Datastore.Browse", "Datastore.FileManagement")

	config := func(roleAttr string, propagate bool) string {
		return providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permission" "folder" {
  entity_path = "/DC0/vm/kkp-others"
  principal   = "VSPHERE.LOCAL\\kkp-storage"
  %s
  propagate   = %t
}
resource "kkpvsphere_permission" "root" {
  entity_type = "Folder"
  entity_id   = "group-d1"
  principal   = "VSPHERE.LOCAL\\kkp-storage"
  role_name   = "ReadOnly"
  propagate   = false
}
`, roleAttr, propagate)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: config(`role_name = "ReadOnly"`, true),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, append(foreign, perm{"VSPHERE.LOCAL\\kkp-storage", false, -2, true})...),
					checkPerms(rootRef, append(root, perm{"VSPHERE.LOCAL\\kkp-storage", false, -2, false})...),
					resource.TestCheckResourceAttr("kkpvsphere_permission.folder", "entity_type", "Folder"),
					resource.TestCheckResourceAttr("kkpvsphere_permission.folder", "entity_id", folder.Value),
					resource.TestCheckResourceAttr("kkpvsphere_permission.folder", "role_id", "-2"),
					resource.TestCheckResourceAttr("kkpvsphere_permission.folder", "id", "Folder:"+folder.Value+":VSPHERE.LOCAL\\kkp-storage"),
					resource.TestCheckResourceAttr("kkpvsphere_permission.root", "entity_path", "/"),
				),
			},
			{
				Config: config(fmt.Sprintf(`role_id = "%d"`, role), false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permission.folder", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("kkpvsphere_permission.root", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, append(foreign, perm{"VSPHERE.LOCAL\\kkp-storage", false, role, false})...),
					checkPerms(rootRef, append(root, perm{"VSPHERE.LOCAL\\kkp-storage", false, -2, false})...),
					resource.TestCheckResourceAttr("kkpvsphere_permission.folder", "role_name", "kkp-storage-test"),
				),
			},
		},
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkPerms(folder, foreign...),
			checkPerms(rootRef, root...),
		),
	})
}

// A permission removed or changed in vCenter shows in the plan (create / update) and apply restores it.
func TestPermissionDriftIsPlannedAndRestored(t *testing.T) {
	folder := mkFolder(t, "kkp-drift")
	other := perm{"VSPHERE.LOCAL\\other-team", false, -1, true}
	setPerm(t, folder, other)
	ours := perm{"VSPHERE.LOCAL\\kkp-drift", false, -2, true}
	config := providerBlock + `
resource "kkpvsphere_permission" "p" {
  entity_path = "/DC0/vm/kkp-drift"
  principal   = "VSPHERE.LOCAL\\kkp-drift"
  role_id     = "-2"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{Config: config, Check: checkPerms(folder, other, ours)},
			{
				// removed by hand: plan-only shows it, then apply recreates it
				PreConfig:          func() { removePerm(t, folder, ours.Principal, false) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permission.p", plancheck.ResourceActionCreate),
				}},
				Check: checkPerms(folder, other, ours),
			},
			{
				// changed by hand (other role, no propagation; principal in another case): an in-place update restores it
				PreConfig: func() {
					setPerm(t, folder, perm{"vsphere.local\\KKP-DRIFT", false, -1, false})
					if err := expectPerms(folder, other, perm{"vsphere.local\\KKP-DRIFT", false, -1, false}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permission.p", plancheck.ResourceActionUpdate),
				}},
				Check: checkPerms(folder, other, ours),
			},
		},
		CheckDestroy: checkPerms(folder, other),
	})
}

// A hand-made set-up (a group with the predefined Read-only role, a user with a custom role) is adopted by import
// blocks with an empty plan, and `terraform import` by ID rebuilds the same state after the state lost it.
func TestPermissionImport(t *testing.T) {
	folder := mkFolder(t, "kkp-import")
	role := addRole(t, "kkp-import-test", "VirtualMachine.Inventory.Create")
	group := perm{"VSPHERE.LOCAL\\kkp-admins", true, -2, true}
	user := perm{"VSPHERE.LOCAL\\kkp-user", false, role, false}
	sameNameUser := perm{"VSPHERE.LOCAL\\kkp-admins", false, -1, true} // a user named like the group: must stay apart
	for _, p := range []perm{group, user, sameNameUser} {
		setPerm(t, folder, p)
	}
	resources := providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permission" "readonly_group" {
  entity_type = "Folder"
  entity_id   = %[1]q
  principal   = "VSPHERE.LOCAL\\kkp-admins"
  is_group    = true
  role_id     = "-2"
}
resource "kkpvsphere_permission" "user" {
  entity_path = "/DC0/vm/kkp-import"
  principal   = "VSPHERE.LOCAL\\kkp-user"
  role_name   = "kkp-import-test"
  propagate   = false
}
`, folder.Value)
	imports := fmt.Sprintf(`
import {
  to = kkpvsphere_permission.readonly_group
  id = "Folder:%[1]s:group:VSPHERE.LOCAL\\kkp-admins"
}
import {
  to = kkpvsphere_permission.user
  id = "Folder:%[1]s:VSPHERE.LOCAL\\kkp-user"
}
`, folder.Value)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: resources + imports,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permission.readonly_group", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kkpvsphere_permission.user", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, group, user, sameNameUser),
					resource.TestCheckResourceAttr("kkpvsphere_permission.readonly_group", "role_name", "ReadOnly"),
					resource.TestCheckResourceAttr("kkpvsphere_permission.user", "role_id", fmt.Sprint(role)),
				),
			},
			{
				// state lost: terraform import by ID gives the same state
				Config:            resources,
				ResourceName:      "kkpvsphere_permission.readonly_group",
				ImportState:       true,
				ImportStateId:     "Folder:" + folder.Value + ":group:VSPHERE.LOCAL\\kkp-admins",
				ImportStateVerify: true,
			},
			{
				Config:        resources,
				ResourceName:  "kkpvsphere_permission.user",
				ImportState:   true,
				ImportStateId: "Folder:" + folder.Value + ":vsphere.local\\KKP-USER",
				// the principal keeps the case the import ID gives (vCenter compares case-insensitively)
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d resources", len(states))
					}
					a := states[0].Attributes
					want := map[string]string{"principal": "vsphere.local\\KKP-USER", "is_group": "false", "role_id": fmt.Sprint(role),
						"role_name": "kkp-import-test", "propagate": "false", "entity_path": "/DC0/vm/kkp-import", "entity_id": folder.Value}
					for k, v := range want {
						if a[k] != v {
							return fmt.Errorf("imported %s = %q, want %q", k, a[k], v)
						}
					}
					return nil
				},
			},
			{
				Config:        resources,
				ResourceName:  "kkpvsphere_permission.user",
				ImportState:   true,
				ImportStateId: "Folder:" + folder.Value + ":group:VSPHERE.LOCAL\\kkp-user",
				ExpectError:   regexp.MustCompile(`group VSPHERE.LOCAL\\kkp-user holds no permission`),
			},
			{
				Config:        resources,
				ResourceName:  "kkpvsphere_permission.user",
				ImportState:   true,
				ImportStateId: folder.Value + ":VSPHERE.LOCAL\\kkp-user",
				ExpectError:   regexp.MustCompile(`is not <type>:<moid>:<principal>`),
			},
		},
		// destroy removes exactly the two imported permissions
		CheckDestroy: checkPerms(folder, sameNameUser),
	})
}

// vCenter's rules as plan-time errors: no permission on a datacenter's own folders; a principal that already holds a
// permission on the object is not silently taken over (the error names the import ID).
func TestPermissionPlanTimeRefusals(t *testing.T) {
	vmFolder := pathRef(t, "/DC0/vm")
	hostFolder := pathRef(t, "/DC0/host")
	folder := mkFolder(t, "kkp-refusals")
	existing := perm{"VSPHERE.LOCAL\\kkp-existing", false, -1, true}
	setPerm(t, folder, existing)
	before, _ := permsOn(vmFolder)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: providerBlock + `
resource "kkpvsphere_permission" "p" {
  entity_path = "/DC0/vm"
  principal   = "VSPHERE.LOCAL\\kkp"
  role_id     = "-2"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)/DC0/vm is the datacenter's own "vm" folder`),
			},
			{
				Config: providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permission" "p" {
  entity_type = "Folder"
  entity_id   = %q
  principal   = "VSPHERE.LOCAL\\kkp"
  role_id     = "-2"
}`, hostFolder.Value),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)datacenter's own "host".*folder`),
			},
			{
				Config: providerBlock + `
resource "kkpvsphere_permission" "p" {
  entity_path = "/DC0/vm/kkp-refusals"
  principal   = "VSPHERE.LOCAL\\kkp-existing"
  role_name   = "Read-only"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)"Read-only" is the label of the role "ReadOnly" \(id -2\)`),
			},
			{
				Config: providerBlock + `
resource "kkpvsphere_permission" "p" {
  entity_path = "/DC0/vm/kkp-refusals"
  principal   = "VSPHERE.LOCAL\\kkp-existing"
  role_id     = "-2"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)already holds a permission.*id = "Folder:` + folder.Value + `:VSPHERE.LOCAL\\\\kkp-existing"`),
			},
		},
	})
	if err := expectPerms(folder, existing); err != nil {
		t.Error(err)
	}
	if after, _ := permsOn(vmFolder); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the datacenter's vm folder changed: %v -> %v", before, after)
	}
}

// Two resources for one principal on one object cannot both own it: the apply fails with a clear error and the
// first grant stays the only one.
func TestPermissionSamePrincipalTwiceFails(t *testing.T) {
	folder := mkFolder(t, "kkp-twice")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: providerBlock + `
resource "kkpvsphere_permission" "a" {
  entity_path = "/DC0/vm/kkp-twice"
  principal   = "VSPHERE.LOCAL\\kkp"
  role_id     = "-2"
}
resource "kkpvsphere_permission" "b" {
  entity_path = "/DC0/vm/kkp-twice"
  principal   = "vsphere.local\\KKP"
  role_id     = "-1"
}`,
			ExpectError: regexp.MustCompile(`(?s)(one principal granted twice on one object|already holds a permission).*merge\s+them\s+into\s+one`),
		}},
	})
	got, _ := permsOn(folder)
	if len(got) > 1 {
		t.Errorf("two permissions for one principal: %v", got)
	}
}
