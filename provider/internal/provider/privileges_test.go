package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Grant through kkpvsphere_permission, then assert through the data source in a check block: the privileges are what
// vCenter computes (test/vcsim answers FetchUserPrivilegeOnEntities from the permissions: propagation, nearest
// permission wins, System.* in every role but No access), and `missing` names what a user lacks.
func TestEffectivePrivilegesDataSource(t *testing.T) {
	folder := mkFolder(t, "kkp-privs")
	ds := pathRef(t, "/DC0/datastore/LocalDS_0")
	addRole(t, "kkp-privs-storage", "Datastore.Browse", "Datastore.FileManagement")
	dsKey := "Datastore:" + ds.Value
	folderKey := "Folder:" + folder.Value
	config := providerBlock + fmt.Sprintf(`
resource "kkpvsphere_permission" "storage" {
  entity_path = "/DC0/datastore/LocalDS_0"
  principal   = "VSPHERE.LOCAL\\kkp-privs"
  role_name   = "kkp-privs-storage"
}
resource "kkpvsphere_permission" "folder" {
  entity_path = "/DC0/vm/kkp-privs"
  principal   = "VSPHERE.LOCAL\\kkp-privs"
  role_id     = "-2"
}

data "kkpvsphere_effective_privileges" "storage" {
  user       = "VSPHERE.LOCAL\\kkp-privs"
  entities   = [%[1]q, %[2]q, "Folder:group-d1"]
  required   = ["Datastore.Browse", "Datastore.FileManagement"]
  depends_on = [kkpvsphere_permission.storage, kkpvsphere_permission.folder]
}

check "storage_user_holds_its_privileges" {
  assert {
    condition     = length(data.kkpvsphere_effective_privileges.storage.missing[%[1]q]) == 0
    error_message = "the storage user lacks ${join(", ", data.kkpvsphere_effective_privileges.storage.missing[%[1]q])}"
  }
}
`, dsKey, folderKey)
	system := []string{"System.Anonymous", "System.Read", "System.View"}
	want := map[string][]string{
		dsKey:             {"Datastore.Browse", "Datastore.FileManagement", "System.Anonymous", "System.Read", "System.View"},
		folderKey:         system,
		"Folder:group-d1": {},
	}
	wantMissing := map[string][]string{
		dsKey:             {},
		folderKey:         {"Datastore.Browse", "Datastore.FileManagement"},
		"Folder:group-d1": {"Datastore.Browse", "Datastore.FileManagement"},
	}
	list := func(a map[string]string, prefix string) []string {
		out := []string{}
		n := 0
		fmt.Sscan(a[prefix+".#"], &n)
		for i := 0; i < n; i++ {
			out = append(out, a[fmt.Sprintf("%s.%d", prefix, i)])
		}
		return out
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources["data.kkpvsphere_effective_privileges.storage"].Primary.Attributes
					for key := range want {
						if got := list(a, "privileges."+key); fmt.Sprint(got) != fmt.Sprint(want[key]) {
							return fmt.Errorf("privileges[%s] = %v, want %v", key, got, want[key])
						}
						if got := list(a, "missing."+key); fmt.Sprint(got) != fmt.Sprint(wantMissing[key]) {
							return fmt.Errorf("missing[%s] = %v, want %v", key, got, wantMissing[key])
						}
					}
					// the same answer as vCenter's own call
					res, err := authz().FetchUserPrivilegeOnEntities(tctx(t), []types.ManagedObjectReference{ds}, "VSPHERE.LOCAL\\kkp-privs")
					if err != nil {
						return err
					}
					p := append([]string(nil), res[0].Privileges...)
					sort.Strings(p)
					if fmt.Sprint(p) != fmt.Sprint(want[dsKey]) {
						return fmt.Errorf("FetchUserPrivilegeOnEntities answers %v", p)
					}
					return nil
				},
			},
			{
				Config: providerBlock + `
data "kkpvsphere_effective_privileges" "bad" {
  user     = "VSPHERE.LOCAL\\kkp-privs"
  entities = ["Folder:group-nope"]
}`,
				ExpectError: regexp.MustCompile(words("vCenter has no Folder with id group-nope")),
			},
			{
				Config: providerBlock + `
data "kkpvsphere_effective_privileges" "bad" {
  user     = "VSPHERE.LOCAL\\kkp-privs"
  entities = ["group-d1"]
}`,
				ExpectError: regexp.MustCompile(words(`"group-d1" is not <type>:<moid>`)),
			},
		},
	})
}

func sessionCount(t *testing.T) int {
	t.Helper()
	var sm mo.SessionManager
	if err := property.DefaultCollector(simAdmin).RetrieveOne(tctx(t), *simAdmin.ServiceContent.SessionManager, []string{"sessionList"}, &sm); err != nil {
		t.Fatal(err)
	}
	return len(sm.SessionList)
}

// One provider instance logs in once however many resources use it at once, and LogoutAll (run by main when
// terraform shuts the plugin down) ends the session.
func TestOneSessionPerProviderInstance(t *testing.T) {
	LogoutAll(context.Background()) // sessions of earlier tests' provider instances in this process
	before := sessionCount(t)
	logins := loginsTotal.Load()
	conn := &connection{server: strings.TrimPrefix(simURL, "https://"), user: simUser, password: simPassword, insecure: true}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := conn.get(context.Background())
			if err == nil {
				_, err = lookupEntity(context.Background(), c, rootRef)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := loginsTotal.Load() - logins; n != 1 {
		t.Errorf("%d logins for one provider instance used 32 times, want 1", n)
	}
	if n := sessionCount(t); n != before+1 {
		t.Errorf("%d vCenter sessions while the instance is in use, want %d", n, before+1)
	}
	LogoutAll(context.Background())
	if n := sessionCount(t); n != before {
		t.Errorf("%d vCenter sessions after LogoutAll, want %d", n, before)
	}

	// A wrong password is an error naming server and user, never the password.
	bad := &connection{server: simURL, user: simUser, password: "wrong-password-xyz", insecure: true}
	_, err := bad.get(context.Background())
	if err == nil || strings.Contains(err.Error(), "wrong-password-xyz") || !strings.Contains(err.Error(), simUser) {
		t.Errorf("bad login error: %v", err)
	}
	if _, err := sdkURL("https://user:pw@vc.example.com"); err == nil {
		t.Error("a server URL with credentials was accepted")
	}
	u, _ := url.Parse("https://vc.example.com/sdk")
	if got, _ := sdkURL("vc.example.com"); got.String() != u.String() {
		t.Errorf("sdkURL(host) = %s", got)
	}
}
