package provider

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// The tests run terraform (from PATH) against the project's vCenter simulator (test/vcsim: govmomi's simulator with
// vCenter's per-principal permission semantics), built from the test/ Go module and started once for the package.

const (
	simUser     = "VSPHERE.LOCAL\\terraform"
	simPassword = "kkp-sim-password" // the simulator's only accepted login; a test credential, not a secret
)

var (
	simSessions string // VCSIM_SESSIONS_FILE: one line per session the simulator created
	simURL      string // https://127.0.0.1:port
	simAdmin    *vim25.Client
)

var protoV6 = map[string]func() (tfprotov6.ProviderServer, error){
	"kkpvsphere": providerserver.NewProtocol6WithError(New("test")()),
}

// providerBlock is prepended to every test configuration: the credentials come from the environment, as a user's do.
const providerBlock = `
provider "kkpvsphere" {
  allow_unverified_ssl = true
}
`

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "test", "vcsim", "main.go")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no test/vcsim/main.go above %s", dir)
		}
	}
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "kkpvsphere-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)

	bin := filepath.Join(tmp, "vcsim")
	build := exec.Command("go", "build", "-mod=readonly", "-o", bin, "./vcsim")
	build.Dir = filepath.Join(root, "test")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the simulator (go build ./vcsim in %s): %v\n%s", build.Dir, err, out)
		return 1
	}
	sim := exec.Command(bin)
	simSessions = filepath.Join(tmp, "sessions.log")
	sim.Env = append(os.Environ(), "VCSIM_USER="+simUser, "VCSIM_PASSWORD="+simPassword, "VCSIM_TLS=1", "VCSIM_SESSIONS_FILE="+simSessions)
	stdin, _ := sim.StdinPipe()
	stdout, _ := sim.StdoutPipe()
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting the simulator:", err)
		return 1
	}
	defer func() {
		_ = stdin.Close() // the simulator exits when its stdin closes
		done := make(chan struct{})
		go func() { _ = sim.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = sim.Process.Kill()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "the simulator printed no URL:", err)
		return 1
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	simURL = strings.TrimSpace(line)

	// The environment a user's run has: the vSphere provider's variables, terraform on PATH, no registry needed.
	cli := filepath.Join(tmp, "terraform.rc")
	if err := os.WriteFile(cli, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for k, v := range map[string]string{
		"TF_ACC":                       "1",
		"CHECKPOINT_DISABLE":           "1",
		"TF_CLI_CONFIG_FILE":           cli,
		"VSPHERE_SERVER":               strings.TrimPrefix(simURL, "https://"),
		"VSPHERE_USER":                 simUser,
		"VSPHERE_PASSWORD":             simPassword,
		"VSPHERE_ALLOW_UNVERIFIED_SSL": "true",
	} {
		os.Setenv(k, v)
	}
	if _, err := exec.LookPath("terraform"); err != nil && os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		fmt.Fprintln(os.Stderr, "terraform is not on PATH (install Terraform 1.11 or set TF_ACC_TERRAFORM_PATH)")
		return 1
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, _ := url.Parse(simURL + "/sdk")
	simAdmin, err = vim25.NewClient(ctx, soap.NewClient(u, true))
	if err == nil {
		err = session.NewManager(simAdmin).Login(ctx, url.UserPassword(simUser, simPassword))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "logging in to the simulator:", err)
		return 1
	}
	return m.Run()
}
