// Command gcfg-parse reads a vSphere cloud-config from stdin with gopkg.in/gcfg.v1, the parser the
// vSphere cloud provider and CSI driver use, and prints what it read as JSON. It is the independent
// reader of the cloud-config tests: a file it rejects, or reads back differently, is a broken file.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"gopkg.in/gcfg.v1"
)

// The fields KKP writes (k8c.io/kubermatic/v2/pkg/resources/cloudconfig/vsphere), with the cloud
// provider's gcfg names. gcfg rejects a key this struct lacks, so an unexpected key fails the test.
type global struct {
	User         string `gcfg:"user" json:"user"`
	Password     string `gcfg:"password" json:"password"`
	Port         string `gcfg:"port" json:"port"`
	InsecureFlag bool   `gcfg:"insecure-flag" json:"insecureFlag"`
	WorkingDir   string `gcfg:"working-dir" json:"workingDir"`
	Datacenter   string `gcfg:"datacenter" json:"datacenter"`
	Datastore    string `gcfg:"datastore" json:"datastore"`
	Server       string `gcfg:"server" json:"server"`
	ClusterID    string `gcfg:"cluster-id" json:"clusterId"`
	IPFamily     string `gcfg:"ip-family" json:"ipFamily"`
}

type disk struct {
	SCSIControllerType string `gcfg:"scsicontrollertype" json:"scsiControllerType"`
}

type workspace struct {
	Server           string `gcfg:"server" json:"server"`
	Datacenter       string `gcfg:"datacenter" json:"datacenter"`
	Folder           string `gcfg:"folder" json:"folder"`
	DefaultDatastore string `gcfg:"default-datastore" json:"defaultDatastore"`
	ResourcePoolPath string `gcfg:"resourcepool-path" json:"resourcePoolPath"`
}

type virtualCenter struct {
	User        string `gcfg:"user" json:"user"`
	Password    string `gcfg:"password" json:"password"`
	Port        string `gcfg:"port" json:"port"`
	Datacenters string `gcfg:"datacenters" json:"datacenters"`
	IPFamily    string `gcfg:"ip-family" json:"ipFamily"`
}

type cloudConfig struct {
	Global        global                    `json:"global"`
	Disk          disk                      `json:"disk"`
	Workspace     workspace                 `json:"workspace"`
	VirtualCenter map[string]*virtualCenter `json:"virtualCenter"`
}

// The upstream vSphere CSI driver's csi-vsphere.conf (kubernetes-sigs/vsphere-csi-driver pkg/common/config/types.go,
// Config: the Global and VirtualCenter keys a vanilla cluster uses), read with `gcfg-parse csi`.
type csiGlobal struct {
	ClusterID           string `gcfg:"cluster-id" json:"clusterId"`
	ClusterDistribution string `gcfg:"cluster-distribution" json:"clusterDistribution"`
	CAFile              string `gcfg:"ca-file" json:"caFile"`
	Thumbprint          string `gcfg:"thumbprint" json:"thumbprint"`
	User                string `gcfg:"user" json:"user"`
	Password            string `gcfg:"password" json:"password"`
	Port                string `gcfg:"port" json:"port"`
	InsecureFlag        bool   `gcfg:"insecure-flag" json:"insecureFlag"`
	Datacenters         string `gcfg:"datacenters" json:"datacenters"`
}

type csiVirtualCenter struct {
	User         string `gcfg:"user" json:"user"`
	Password     string `gcfg:"password" json:"password"`
	Port         string `gcfg:"port" json:"port"`
	InsecureFlag bool   `gcfg:"insecure-flag" json:"insecureFlag"`
	Datacenters  string `gcfg:"datacenters" json:"datacenters"`
}

type csiConfig struct {
	Global        csiGlobal                    `json:"global"`
	VirtualCenter map[string]*csiVirtualCenter `json:"virtualCenter"`
}

func main() {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var cfg interface{} = &cloudConfig{}
	if len(os.Args) > 1 && os.Args[1] == "csi" {
		cfg = &csiConfig{}
	}
	if err := gcfg.ReadStringInto(cfg, string(src)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := json.NewEncoder(os.Stdout)
	// Keep <, > and & as they are: the test compares exact strings.
	out.SetEscapeHTML(false)
	if err := out.Encode(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
