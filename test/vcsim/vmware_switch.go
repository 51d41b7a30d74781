package main

// vCenter creates a VMware distributed switch (CreateDVS_Task with a VMwareDVSConfigSpec) as a managed object of type
// VmwareDistributedVirtualSwitch, and clients ask for that type by name: the vSphere Terraform provider's
// vsphere_distributed_virtual_switch data source refuses any other ("not a vSphere distributed virtual switch").
// govmomi v0.56.0's simulator (simulator/folder.go CreateDVSTask) registers every switch as its base type
// DistributedVirtualSwitch, and cannot simply be given the subtype: its property updates find an object's fields by
// the reference's type name (vim25/mo ApplyPropertyChange), and its own code asserts the Go type
// *simulator.DistributedVirtualSwitch in several places. So the simulator keeps its type inside, and the SOAP
// endpoint translates at its boundary: a switch reference it answers (`type="DistributedVirtualSwitch"`, in a
// ManagedObjectReference, an ObjectContent's obj, a fault's object) reads VmwareDistributedVirtualSwitch, and a
// request naming VmwareDistributedVirtualSwitch (a reference, or a PropertySpec / ObjectSpec type) reaches the
// simulator as DistributedVirtualSwitch. Data object types (xsi:type="DistributedVirtualSwitch...") are not
// touched: only the exact type value is.

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
)

var (
	simSwitchAttr    = []byte(`type="DistributedVirtualSwitch"`)
	vmwareSwitchAttr = []byte(`type="VmwareDistributedVirtualSwitch"`)
	simSwitchElem    = []byte(`<type>DistributedVirtualSwitch</type>`)
	vmwareSwitchElem = []byte(`<type>VmwareDistributedVirtualSwitch</type>`)
)

// vmwareSwitchTypes wraps the server's handler; only the SOAP endpoint (/sdk) is translated.
func vmwareSwitchTypes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
			next.ServeHTTP(w, r)
			return
		}
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		raw = bytes.ReplaceAll(raw, vmwareSwitchAttr, simSwitchAttr)
		raw = bytes.ReplaceAll(raw, vmwareSwitchElem, simSwitchElem)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		r.Header.Set("Content-Length", strconv.Itoa(len(raw)))
		buf := &bufferedResponse{header: http.Header{}}
		next.ServeHTTP(buf, r)
		body := bytes.ReplaceAll(buf.body.Bytes(), simSwitchAttr, vmwareSwitchAttr)
		buf.sendTo(w, body)
	})
}
