package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// Many principals on one object in one resource: create, adding a principal, changing one's role, dropping one and
// destroy touch the listed principals only. Foreign users, a group named like one of ours, and the root folder's
// own permissions stay exactly as they were.
func TestPermissionsLeaveOtherPrincipalsAlone(t *testing.T) {
	folder := mkFolder(t, "kkp-set-others")
	foreign := []perm{
		{"VSPHERE.LOCAL\\other-team", false, -1, true},
		{"VSPHERE.LOCAL\\kkp-a", true, -2, false}, // a group named like our user: a different principal
	}
	for _, p := range foreign {
		setPerm(t, folder, p)
	}
	root := rootDefaults(t)
	role := addRole(t, "kkp-set-test", "Datastore.Browse", "Datastore.FileManagement")

	config := func(entries string) string {
		return providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permissions" "folder" {
  entity_path = "/DC0/vm/kkp-set-others"
  permissions = {
%s
  }
}
resource "kkpvsphere_permissions" "root" {
  entity_type = "Folder"
  entity_id   = "group-d1"
  permissions = {
    "VSPHERE.LOCAL\\kkp-a" = { role_id = "-2", propagate = false }
  }
}
`, entries)
	}
	a := `    "VSPHERE.LOCAL\\kkp-a" = { role_id = "-2" }`
	b := `    "VSPHERE.LOCAL\\kkp-b" = { role_id = "-2", propagate = false }`
	bCustom := fmt.Sprintf(`    "VSPHERE.LOCAL\\kkp-b" = { role_id = "%d", propagate = false }`, role)
	admins := `    "VSPHERE.LOCAL\\kkp-admins" = { role_id = "-2", is_group = true }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: config(a + "\n" + b),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, append(foreign, perm{"VSPHERE.LOCAL\\kkp-a", false, -2, true}, perm{"VSPHERE.LOCAL\\kkp-b", false, -2, false})...),
					checkPerms(rootRef, append(root, perm{"VSPHERE.LOCAL\\kkp-a", false, -2, false})...),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "id", "Folder:"+folder.Value),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "entity_type", "Folder"),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "entity_id", folder.Value),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "permissions.VSPHERE.LOCAL\\kkp-a.role_name", "ReadOnly"),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "permissions.VSPHERE.LOCAL\\kkp-a.is_group", "false"),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.root", "entity_path", "/"),
				),
			},
			{
				// one principal's role changes and a group joins: an update in place, the others untouched
				Config: config(a + "\n" + bCustom + "\n" + admins),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permissions.folder", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("kkpvsphere_permissions.root", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, append(foreign, perm{"VSPHERE.LOCAL\\kkp-a", false, -2, true}, perm{"VSPHERE.LOCAL\\kkp-b", false, role, false},
						perm{"VSPHERE.LOCAL\\kkp-admins", true, -2, true})...),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.folder", "permissions.VSPHERE.LOCAL\\kkp-b.role_name", "kkp-set-test"),
				),
			},
			{
				// a principal dropped from the map loses its permission, and only it
				Config: config(bCustom),
				Check:  checkPerms(folder, append(foreign, perm{"VSPHERE.LOCAL\\kkp-b", false, role, false})...),
			},
		},
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(checkPerms(folder, foreign...), checkPerms(rootRef, root...)),
	})
}

// A principal's permission removed or changed in vCenter shows in the plan as an update of the resource and apply
// restores it; the other principals of the resource and foreign ones are not touched.
func TestPermissionsDriftIsPlannedAndRestored(t *testing.T) {
	folder := mkFolder(t, "kkp-set-drift")
	other := perm{"VSPHERE.LOCAL\\other-team", false, -1, true}
	setPerm(t, folder, other)
	a := perm{"VSPHERE.LOCAL\\kkp-drift-a", false, -2, true}
	b := perm{"VSPHERE.LOCAL\\kkp-drift-b", false, -2, true}
	config := providerBlock + `
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm/kkp-set-drift"
  permissions = {
    "VSPHERE.LOCAL\\kkp-drift-a" = { role_id = "-2" }
    "VSPHERE.LOCAL\\kkp-drift-b" = { role_id = "-2" }
  }
}
`
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("kkpvsphere_permissions.p", plancheck.ResourceActionUpdate),
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{Config: config, Check: checkPerms(folder, other, a, b)},
			{
				PreConfig:          func() { removePerm(t, folder, a.Principal, false) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{Config: config, ConfigPlanChecks: update, Check: checkPerms(folder, other, a, b)},
			{
				// changed by hand (another role, no propagation; the principal in another case)
				PreConfig: func() { setPerm(t, folder, perm{"vsphere.local\\KKP-DRIFT-B", false, -1, false}) },
				Config:    config, ConfigPlanChecks: update,
				Check: checkPerms(folder, other, a, b),
			},
		},
		CheckDestroy: checkPerms(folder, other),
	})
}

// A hand-made set-up (a group with Read-only, a user with a custom role) is adopted by one import block with an
// empty plan; after the state lost it, `terraform import` by the same ID gives the same state. A principal the ID
// names that holds nothing, and a malformed ID, are refused.
func TestPermissionsImport(t *testing.T) {
	folder := mkFolder(t, "kkp-set-import")
	role := addRole(t, "kkp-set-import-test", "VirtualMachine.Inventory.Create")
	group := perm{"VSPHERE.LOCAL\\kkp-admins", true, -2, true}
	user := perm{"VSPHERE.LOCAL\\kkp-user", false, role, false}
	sameNameUser := perm{"VSPHERE.LOCAL\\kkp-admins", false, -1, true} // a user named like the group: must stay apart
	for _, p := range []perm{group, user, sameNameUser} {
		setPerm(t, folder, p)
	}
	resources := providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permissions" "p" {
  entity_type = "Folder"
  entity_id   = %q
  permissions = {
    "VSPHERE.LOCAL\\kkp-admins" = { role_id = "-2", is_group = true }
    "VSPHERE.LOCAL\\kkp-user"   = { role_id = "%d", propagate = false }
  }
}
`, folder.Value, role)
	id := "Folder:" + folder.Value + ":group:VSPHERE.LOCAL\\kkp-admins:VSPHERE.LOCAL\\kkp-user"
	imports := fmt.Sprintf(`
import {
  to = kkpvsphere_permissions.p
  id = %q
}
`, id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: resources + imports,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kkpvsphere_permissions.p", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPerms(folder, group, user, sameNameUser),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.p", "permissions.VSPHERE.LOCAL\\kkp-admins.role_name", "ReadOnly"),
					resource.TestCheckResourceAttr("kkpvsphere_permissions.p", "permissions.VSPHERE.LOCAL\\kkp-user.role_name", "kkp-set-import-test"),
				),
			},
			{
				Config:            resources,
				ResourceName:      "kkpvsphere_permissions.p",
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
			{
				// the object by inventory path (a distributed switch's managed object id is not known at plan time)
				Config:            resources,
				ResourceName:      "kkpvsphere_permissions.p",
				ImportState:       true,
				ImportStateId:     "/DC0/vm/kkp-set-import:group:VSPHERE.LOCAL\\kkp-admins:VSPHERE.LOCAL\\kkp-user",
				ImportStateVerify: true,
			},
			{
				Config:        resources,
				ResourceName:  "kkpvsphere_permissions.p",
				ImportState:   true,
				ImportStateId: "Folder:" + folder.Value + ":VSPHERE.LOCAL\\kkp-user:group:VSPHERE.LOCAL\\kkp-user",
				ExpectError:   regexp.MustCompile(`group VSPHERE.LOCAL\\kkp-user holds no permission`),
			},
			{
				Config:        resources,
				ResourceName:  "kkpvsphere_permissions.p",
				ImportState:   true,
				ImportStateId: "Folder:" + folder.Value,
				ExpectError:   regexp.MustCompile(`is not <type>:<moid>:<principal>`),
			},
		},
		CheckDestroy: checkPerms(folder, sameNameUser),
	})
}

// Adoption of some principals and a grant of new ones in one plan: the import block names the existing ones, the
// plan imports them and adds the others in place.
func TestPermissionsImportSomeAndAddOthers(t *testing.T) {
	folder := mkFolder(t, "kkp-set-adopt")
	existing := perm{"VSPHERE.LOCAL\\kkp-old", false, -2, true}
	setPerm(t, folder, existing)
	config := providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm/kkp-set-adopt"
  permissions = {
    "VSPHERE.LOCAL\\kkp-old" = { role_id = "-2" }
    "VSPHERE.LOCAL\\kkp-new" = { role_id = "-2" }
  }
}
import {
  to = kkpvsphere_permissions.p
  id = "Folder:%s:VSPHERE.LOCAL\\kkp-old"
}
`, folder.Value)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("kkpvsphere_permissions.p", plancheck.ResourceActionUpdate),
			}},
			Check: checkPerms(folder, existing, perm{"VSPHERE.LOCAL\\kkp-new", false, -2, true}),
		}},
		CheckDestroy: checkPerms(folder),
	})
}

// vCenter's rules at plan time: no permission on a datacenter's own folders; a principal that already holds a
// permission is not taken over silently (the error names the import ID); one principal listed twice (case aside) is
// refused. Nothing changes on vCenter.
func TestPermissionsPlanTimeRefusals(t *testing.T) {
	vmFolder := pathRef(t, "/DC0/vm")
	folder := mkFolder(t, "kkp-set-refusals")
	existing := perm{"VSPHERE.LOCAL\\kkp-existing", false, -1, true}
	setPerm(t, folder, existing)
	before, _ := permsOn(vmFolder)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: providerBlock + `
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm"
  permissions = { "VSPHERE.LOCAL\\kkp" = { role_id = "-2" } }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)/DC0/vm is the datacenter's own "vm" folder`),
			},
			{
				Config: providerBlock + `
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm/kkp-set-refusals"
  permissions = {
    "VSPHERE.LOCAL\\kkp-new"      = { role_id = "-2" }
    "VSPHERE.LOCAL\\kkp-existing" = { role_id = "-2" }
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user VSPHERE.LOCAL\\kkp-existing.*already\s+holds\s+a\s+permission.*id\s+=\s+"Folder:` + folder.Value + `:VSPHERE.LOCAL\\\\kkp-existing"`),
			},
			{
				Config: providerBlock + `
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm/kkp-set-refusals"
  permissions = {
    "VSPHERE.LOCAL\\kkp-x" = { role_id = "-2" }
    "vsphere.local\\KKP-X" = { role_id = "-1" }
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)are one principal`),
			},
			{
				Config: providerBlock + `
resource "kkpvsphere_permissions" "p" {
  entity_path = "/DC0/vm/kkp-set-refusals"
  permissions = { "VSPHERE.LOCAL\\kkp-x" = { role_id = "123456" } }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)no role with id 123456`),
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
