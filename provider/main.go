// terraform-provider-kkpvsphere: what the vmware/vsphere provider cannot do safely for a KKP set-up on vSphere:
// per-principal permissions that leave every other principal's alone, VM templates imported from OVA/OVF that are
// never powered on, and the effective privileges of a user for Terraform check blocks.
package main

import (
	"context"
	"flag"
	"log"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cdktf-kkp-vsphere/terraform-provider-kkpvsphere/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers (delve)")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	// Serve returns when terraform shuts the plugin down: end the vCenter sessions this process opened. Terraform
	// kills a plugin that has not exited 2 s after the shutdown request, so the log-out gets less than that.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	provider.LogoutAll(ctx)
	cancel()
	if err != nil {
		log.Fatal(err)
	}
}
