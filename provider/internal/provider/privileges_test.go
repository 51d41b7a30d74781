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

// The data source returns FetchUserPrivilegeOnEntities per object, and `missing` what a check block asserts on.
// (govmomi's simulator answers every user with the Admin role's privileges on every object, so this checks the
// pass-through, the keys and `missing`, not vCenter's privilege computation.)
func TestEffectivePrivilegesDataSource(t *testing.T) {
	dc := pathRef(t, "/DC0")
	ds := pathRef(t, "/DC0/datastore/LocalDS_0")
	entities := []types.ManagedObjectReference{rootRef, dc, ds}
	res, err := authz().FetchUserPrivilegeOnEntities(tctx(t), entities, "VSPHERE.LOCAL\\kkp-storage")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, r := range res {
		p := append([]string(nil), r.Privileges...)
		sort.Strings(p)
		want[r.Entity.Type+":"+r.Entity.Value] = p
	}
	if len(want) != 3 || len(want["Folder:group-d1"]) == 0 {
		t.Fatalf("the simulator's answer is not usable for this test: %v", want)
	}
	dsKey := "Datastore:" + ds.Value
	config := providerBlock + fmt.Sprintf(`
data "kkpvsphere_effective_privileges" "storage" {
  user     = "VSPHERE.LOCAL\\kkp-storage"
  entities = ["Folder:group-d1", "Datacenter:%s", %q]
  required = ["Datastore.Browse", "Datastore.FileManagement", "No.Such.Privilege"]
}

check "storage_user_can_browse" {
  assert {
    condition     = contains(data.kkpvsphere_effective_privileges.storage.privileges[%q], "Datastore.Browse")
    error_message = "the storage user cannot browse the datastore"
  }
}
`, dc.Value, dsKey, dsKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						a := s.RootModule().Resources["data.kkpvsphere_effective_privileges.storage"].Primary.Attributes
						for key, privs := range want {
							if n := a["privileges."+key+".#"]; n != fmt.Sprint(len(privs)) {
								return fmt.Errorf("privileges[%s] has %s entries, vCenter answered %d", key, n, len(privs))
							}
							for i, p := range privs {
								if got := a[fmt.Sprintf("privileges.%s.%d", key, i)]; got != p {
									return fmt.Errorf("privileges[%s][%d] = %q, want %q", key, i, got, p)
								}
							}
							if a["missing."+key+".#"] != "1" || a["missing."+key+".0"] != "No.Such.Privilege" {
								return fmt.Errorf("missing[%s] = %s entries, first %q; want [No.Such.Privilege]", key, a["missing."+key+".#"], a["missing."+key+".0"])
							}
						}
						return nil
					},
				),
			},
			{
				Config: providerBlock + `
data "kkpvsphere_effective_privileges" "bad" {
  user     = "VSPHERE.LOCAL\\kkp-storage"
  entities = ["Folder:group-nope"]
}`,
				ExpectError: regexp.MustCompile(words("vCenter has no Folder with id group-nope")),
			},
			{
				Config: providerBlock + `
data "kkpvsphere_effective_privileges" "bad" {
  user     = "VSPHERE.LOCAL\\kkp-storage"
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
