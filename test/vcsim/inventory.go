package main

// Inventories other than the simulator's default one (datacenter DC0, cluster DC0_C0, hosts DC0_C0_H0..2 and DC0_H0,
// datastore LocalDS_0, port group DC0_DVPG0, four VMs), chosen with VCSIM_INVENTORY.
//
//   kkp-example  the names examples/kkp-seed uses, as a platform team's vCenter would have them:
//                datacenter dc-1; compute cluster cluster-1 (resource pool Resources) with the hosts
//                esxi-01.dc-1.example.com and esxi-02.dc-1.example.com; datastores ds-ssd-1 and ds-ssd-2 mounted on
//                both hosts; distributed switch dvs-1 (a VmwareDistributedVirtualSwitch to clients, as vCenter makes it: vmware_switch.go) with the port groups kkp-workers and kkp-storage (both hosts
//                members); the standard network VM Network; no VMs.
//
// The inventory is built through the vSphere API (an in-process client of the model's service, as govmomi's own
// Model.Create does, so no session is opened): the model's datacenter and cluster renamed (Rename_Task), the hosts
// added to the cluster (AddHost_Task), the datastores created on each host (CreateLocalDatastore) and the switch and
// its port groups created (CreateDVS_Task, AddDVPortgroup_Task).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// kkpExample holds the names of examples/kkp-seed (main.ts and vm-templates.ts).
var kkpExample = struct {
	datacenter, cluster, dvs      string
	hosts, datastores, portgroups []string
}{
	datacenter: "dc-1",
	cluster:    "cluster-1",
	dvs:        "dvs-1",
	hosts:      []string{"esxi-01.dc-1.example.com", "esxi-02.dc-1.example.com"},
	datastores: []string{"ds-ssd-1", "ds-ssd-2"},
	portgroups: []string{"kkp-workers", "kkp-storage"},
}

// newModel returns the model for an inventory name ("" is the simulator's default) and a function that finishes
// the inventory once the model is created.
func newModel(inventory string) (*simulator.Model, func(*simulator.Model) error, error) {
	model := simulator.VPX()
	switch inventory {
	case "":
		return model, func(*simulator.Model) error { return nil }, nil
	case "kkp-example":
		// One datacenter with one empty cluster: everything else is added by name below.
		model.Datacenter = 1
		model.Cluster = 1
		model.ClusterHost = 0
		model.Host = 0
		model.Datastore = 0
		model.Machine = 0
		model.Portgroup = 0
		return model, buildKkpExample, nil
	default:
		return nil, nil, fmt.Errorf("unknown VCSIM_INVENTORY %q: use kkp-example, or leave it empty for the default inventory", inventory)
	}
}

func buildKkpExample(model *simulator.Model) error {
	ctx := context.Background()
	c, err := vim25.NewClient(ctx, model.Service)
	if err != nil {
		return err
	}
	finder := find.NewFinder(c, false)
	dc, err := finder.Datacenter(ctx, "DC0")
	if err != nil {
		return err
	}
	if err := wait(dc.Rename(ctx, kkpExample.datacenter)); err != nil {
		return fmt.Errorf("renaming DC0: %w", err)
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	cluster, err := finder.ClusterComputeResource(ctx, "DC0_C0")
	if err != nil {
		return err
	}
	if err := wait(cluster.Rename(ctx, kkpExample.cluster)); err != nil {
		return fmt.Errorf("renaming DC0_C0: %w", err)
	}

	// The switch and its port groups first, then each host joins the switch (ReconfigureDvs_Task), which puts the port
	// groups on the host's and the cluster's networks, as govmomi's own model does it.
	var spec types.DVSCreateSpec
	// The uplink port policy vCenter gives a new switch (four uplinks, "Uplink 1".."Uplink 4"); the vSphere provider's
	// switch data source reads it (and fails on a switch without one, which the simulator would make).
	spec.ConfigSpec = &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{
		Name:             kkpExample.dvs,
		UplinkPortPolicy: &types.DVSNameArrayUplinkPortPolicy{UplinkPortName: []string{"Uplink 1", "Uplink 2", "Uplink 3", "Uplink 4"}},
	}}
	task, err := folders.NetworkFolder.CreateDVS(ctx, spec)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating %s: %w", kkpExample.dvs, err)
	}
	dvs := object.NewDistributedVirtualSwitch(c, info.Result.(types.ManagedObjectReference))
	for _, name := range kkpExample.portgroups {
		pg := types.DVPortgroupConfigSpec{Name: name, Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding), NumPorts: 8}
		if err := wait(dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{pg})); err != nil {
			return fmt.Errorf("adding port group %s: %w", name, err)
		}
	}

	var hosts []*object.HostSystem
	for _, name := range kkpExample.hosts {
		task, err := cluster.AddHost(ctx, types.HostConnectSpec{HostName: name}, true, nil, nil)
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return fmt.Errorf("adding host %s: %w", name, err)
		}
		host := object.NewHostSystem(c, info.Result.(types.ManagedObjectReference))
		hosts = append(hosts, host)
		join := &types.DVSConfigSpec{Host: []types.DistributedVirtualSwitchHostMemberConfigSpec{{
			Operation: string(types.ConfigSpecOperationAdd),
			Host:      host.Reference(),
		}}}
		if err := wait(dvs.Reconfigure(ctx, join)); err != nil {
			return fmt.Errorf("adding host %s to %s: %w", name, kkpExample.dvs, err)
		}
	}

	// A local datastore of one name on every host is one datastore mounted on all of them (as the default model's
	// LocalDS_0): its files live in a directory under the model's home, removed with the model.
	home, err := modelHome(model)
	if err != nil {
		return err
	}
	for _, name := range kkpExample.datastores {
		dir := filepath.Join(home, kkpExample.datacenter+"-"+name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		for _, host := range hosts {
			dss, err := host.ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(ctx, name, dir); err != nil {
				return fmt.Errorf("creating datastore %s on %s: %w", name, host.Name(), err)
			}
		}
	}

	return nil
}

// modelHome is the model's temporary directory (option vcsim.home), which Model.Remove deletes.
func modelHome(model *simulator.Model) (string, error) {
	for _, setting := range model.Map().OptionManager().Setting {
		if o := setting.GetOptionValue(); o.Key == "vcsim.home" {
			if dir, ok := o.Value.(string); ok {
				return dir, nil
			}
		}
	}
	return "", fmt.Errorf("the model has no vcsim.home option")
}

func wait(task *object.Task, err error) error {
	if err != nil {
		return err
	}
	return task.Wait(context.Background())
}
