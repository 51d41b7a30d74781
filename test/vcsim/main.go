// vcsim: the govmomi vCenter simulator as a test server for cdktf-kkp-vsphere.
//
// Built from the govmomi Go module pinned in test/go.mod (test/support/go-program.ts builds and caches it). It
// serves one fresh vCenter inventory (datacenter DC0, cluster DC0_C0, datastore LocalDS_0, ...) on 127.0.0.1 at
// an ephemeral port, prints its base URL as one line on stdout and runs until stdin closes or it receives
// SIGTERM/SIGINT. Its AuthorizationManager behaves as vCenter's does (authorization.go): the stock simulator
// replaces an object's whole permission list on SetEntityPermissions, which would make every grant look
// destructive in tests.
//
// Environment (credentials come through the environment so that they never show in a process listing):
//
//	VCSIM_USER, VCSIM_PASSWORD  the only login accepted; when both are empty any non-empty login is accepted
//	VCSIM_TLS=1                 serve HTTPS with the simulator's self-signed certificate
//	VCSIM_INVENTORY=kkp-example the inventory of examples/kkp-seed instead of the default one (inventory.go); its
//	                            distributed switch answers as a VmwareDistributedVirtualSwitch (vmware_switch.go)
//	VCSIM_USERS                 more logins, a JSON object {"DOMAIN\\name": "password"} (enforce.go)
//	VCSIM_ENFORCE_PRIVILEGES=1  refuse what vCenter refuses to every user but VCSIM_USER (enforce.go)
package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	// The vSphere Automation (REST) endpoints: the vSphere Terraform provider opens a REST session (tags, content
	// library) and a storage-policy (PBM) session beside its SOAP session.
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("vcsim: ")

	model, finish, err := newModel(os.Getenv("VCSIM_INVENTORY"))
	if err != nil {
		log.Fatal(err)
	}
	defer model.Remove()
	if err := model.Create(); err != nil {
		log.Fatalf("creating the inventory: %v", err)
	}
	if err := finish(model); err != nil {
		log.Fatalf("creating the %s inventory: %v", os.Getenv("VCSIM_INVENTORY"), err)
	}
	installFaithfulAuthorization(model)
	enforce, err := enforcementFromEnv()
	if err != nil {
		log.Fatal(err)
	}

	// Host 127.0.0.1:0: loopback only, ephemeral port (the simulator's own default may pick a non-loopback IP).
	listen := &url.URL{Host: "127.0.0.1:0"}
	user, pass := os.Getenv("VCSIM_USER"), os.Getenv("VCSIM_PASSWORD")
	if user != "" || pass != "" {
		if user == "" || pass == "" {
			log.Fatal("VCSIM_USER and VCSIM_PASSWORD must be set together")
		}
		listen.User = url.UserPassword(user, pass)
	}
	model.Service.Listen = listen
	model.Service.RegisterEndpoints = true
	if os.Getenv("VCSIM_TLS") == "1" {
		model.Service.TLS = new(tls.Config)
	}

	enforcement := installEnforcement(model, enforce, pass)
	server := model.Service.NewServer()
	if enforcement != nil {
		server.Config.Handler = enforcement.wrapHTTP(server.Config.Handler)
	}
	if os.Getenv("VCSIM_INVENTORY") == "kkp-example" {
		server.Config.Handler = vmwareSwitchTypes(server.Config.Handler) // vmware_switch.go
	}
	countSessions(server) // VCSIM_SESSIONS_FILE: one line per session created (sessions.go)
	defer server.Close()

	// Print scheme://host:port only: the server's URL carries the credentials in its user info.
	fmt.Printf("%s://%s\n", server.URL.Scheme, server.URL.Host)

	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		done <- struct{}{}
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		done <- struct{}{}
	}()
	<-done
}
