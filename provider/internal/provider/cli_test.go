package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The provider as a user installs it: the release binary in a filesystem mirror named by a CLI configuration,
// `terraform init` from the mirror, then plan/apply/import/destroy through the CLI. It also shows that every
// command's plugin process logs its vCenter session out when terraform shuts it down, and it prints the drift and
// import transcripts. With OpenTofu: the same run with `tofu` when KKPVSPHERE_TOFU names a binary or tofu is on PATH.
func TestInstalledBinaryTerraform(t *testing.T) { runCLI(t, "terraform") }

func TestInstalledBinaryOpenTofu(t *testing.T) {
	bin := os.Getenv("KKPVSPHERE_TOFU")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("tofu"); err != nil {
			t.Skip("OpenTofu is not installed here (set KKPVSPHERE_TOFU to a tofu binary to run this test); see README.md")
		}
	}
	runCLI(t, bin)
}

const cliVersion = "0.1.0"

func runCLI(t *testing.T, tool string) {
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	target := filepath.Join(mirror, "registry.terraform.io", "cdktf-kkp-vsphere", "kkpvsphere", cliVersion, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../..")
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+cliVersion, "-o", filepath.Join(target, "terraform-provider-kkpvsphere_v"+cliVersion), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/cdktf-kkp-vsphere/*"]
  }
  direct {
    exclude = ["registry.terraform.io/cdktf-kkp-vsphere/*"]
  }
}
`, mirror)), 0o644); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	_ = os.MkdirAll(work, 0o755)
	folder := mkFolder(t, "kkp-cli-"+filepath.Base(tool))
	other := perm{"VSPHERE.LOCAL\\other-team", false, -1, true}
	setPerm(t, folder, other)
	config := fmt.Sprintf(`terraform {
  required_providers {
    kkpvsphere = {
      source  = "registry.terraform.io/cdktf-kkp-vsphere/kkpvsphere"
      version = "~> 0.1"
    }
  }
}
provider "kkpvsphere" {}

resource "kkpvsphere_permission" "readonly" {
  entity_path = "/DC0/vm/kkp-cli-%s"
  principal   = "VSPHERE.LOCAL\\kkp-cli"
  role_id     = "-2"
}
`, filepath.Base(tool))
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	LogoutAll(t.Context())
	baseline := sessionCount(t)
	logins := map[string]int{}
	run := func(args ...string) string {
		t.Helper()
		before := soapLogins(t)
		cmd := exec.Command(tool, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "TF_ACC=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(tool), strings.Join(args, " "), err, out)
		}
		logins[args[0]] = soapLogins(t) - before
		if n := sessionCount(t); n != baseline {
			t.Errorf("after `%s %s`: %d vCenter sessions, %d before: the plugin did not log out", filepath.Base(tool), args[0], n, baseline)
		}
		return string(out)
	}
	expect := func(out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Fatalf("output lacks %q:\n%s", w, out)
			}
		}
	}
	ours := perm{"VSPHERE.LOCAL\\kkp-cli", false, -2, true}
	id := "Folder:" + folder.Value + ":VSPHERE.LOCAL\\kkp-cli"

	expect(run("init", "-no-color"), "cdktf-kkp-vsphere/kkpvsphere v0.1.0")
	run("apply", "-auto-approve", "-no-color")
	if err := expectPerms(folder, other, ours); err != nil {
		t.Fatal(err)
	}
	// drift: removed by hand
	removePerm(t, folder, ours.Principal, false)
	out := run("plan", "-no-color")
	expect(out, "kkpvsphere_permission.readonly will be created", "Plan: 1 to add, 0 to change, 0 to destroy.")
	t.Logf("%s plan after the permission was removed in vCenter:\n%s", filepath.Base(tool), tail(out, 14))
	run("apply", "-auto-approve", "-no-color")
	if err := expectPerms(folder, other, ours); err != nil {
		t.Fatal(err)
	}
	// drift: changed by hand
	setPerm(t, folder, perm{"VSPHERE.LOCAL\\kkp-cli", false, -1, false})
	out = run("plan", "-no-color")
	expect(out, "kkpvsphere_permission.readonly will be updated in-place", `~ role_id     = "-1" -> "-2"`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	t.Logf("%s plan after the permission was changed in vCenter:\n%s", filepath.Base(tool), tail(out, 16))
	run("apply", "-auto-approve", "-no-color")
	if err := expectPerms(folder, other, ours); err != nil {
		t.Fatal(err)
	}
	// state lost: import gives an empty plan
	run("state", "rm", "kkpvsphere_permission.readonly")
	out = run("import", "-no-color", "kkpvsphere_permission.readonly", id)
	expect(out, "Import successful!")
	out = run("plan", "-no-color", "-detailed-exitcode")
	expect(out, "No changes.")
	t.Logf("%s import %s, then plan:\n%s", filepath.Base(tool), id, tail(out, 4))
	// removed by hand, then destroyed without a refresh: RemoveEntityPermission answers NotFound, which is success
	removePerm(t, folder, ours.Principal, false)
	run("destroy", "-auto-approve", "-no-color", "-refresh=false")
	if err := expectPerms(folder, other); err != nil {
		t.Fatal(err)
	}
	// vCenter logins (counted by the simulator) of the last run of each command: one provider instance, one login
	// per plugin process that talks to vCenter.
	t.Logf("%s: vCenter logins per command (last run of each): %v", filepath.Base(tool), logins)
	for cmd, n := range logins {
		max := 1
		if cmd == "apply" || cmd == "destroy" {
			max = 2 // terraform plans (one plugin process) and then applies (another) in one command
		}
		if n > max || (cmd != "init" && cmd != "state" && n == 0) {
			t.Errorf("%s %s: %d vCenter logins, want 1..%d", filepath.Base(tool), cmd, n, max)
		}
	}
}

func soapLogins(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(simSessions)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Count(string(b), "soap")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
