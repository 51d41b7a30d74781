// The Go programs the tests run (the vCenter simulator, the gcfg reader, the OVF checker): one module, versions
// pinned here and in go.sum, built by test/support/go-program.ts into node_modules/.cache.
module cdktf-kkp-vsphere/test

go 1.25.0

require (
	github.com/vmware/govmomi v0.56.0
	gopkg.in/gcfg.v1 v1.2.3
)

require (
	github.com/google/uuid v1.6.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	gopkg.in/warnings.v0 v0.1.2 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
