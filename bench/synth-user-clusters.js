// Benchmark (not a test): synth time and heap of a seed stack with N user clusters, through the built library (lib/).
// Usage: node --expose-gc bench/synth-user-clusters.js N   (prints one JSON line)
'use strict';
const { mkdtempSync, rmSync, statSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');
const { App, TerraformStack, TerraformVariable } = require('cdktf');
const { VsphereProvider } = require('@cdktf/provider-vsphere/lib/provider');
const { KubernetesProvider } = require('@cdktf/provider-kubernetes/lib/provider');
const lib = require('../lib');

const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n < 1) throw new Error('usage: node --expose-gc bench/synth-user-clusters.js <number of user clusters>');

function heapMb() {
  if (global.gc) global.gc();
  return process.memoryUsage().heapUsed / 1048576;
}

const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  const heapBefore = heapMb();
  const started = process.hrtime.bigint();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  new VsphereProvider(stack, 'vsphere', {});
  const inventory = new lib.VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });
  const datastore = inventory.datastore('ds-1');
  const kkpRoot = new lib.VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const roles = new lib.KkpRoles(stack, 'Roles', { vsphereVersion: '8.0' });
  const datacenter = new lib.KkpDatacenterSpec(stack, 'Datacenter', {
    name: 'dc-1', inventory, endpoint: 'https://vcenter.example.com', datastore,
    cluster: inventory.computeCluster('cluster-1'), rootFolder: kkpRoot, templates: { ubuntu: 'ubuntu-22.04' },
  });
  const shared = new TerraformVariable(stack, 'storage_password', { type: 'string', sensitive: true });
  lib.VspherePermissions.manageAuthoritatively(inventory.datacenter, { keep: [] });
  lib.VspherePermissions.manageAuthoritatively(datastore, { keep: [] });
  for (let i = 0; i < n; i++) {
    const clusterId = `c${String(i).padStart(9, '0')}`;
    const own = i % 3 === 1; // every third cluster brings its own storage principal
    new lib.KkpUserCluster(stack, `Cluster-${clusterId}`, {
      datacenter, roles, clusterId,
      machineControllerPrincipal: 'VSPHERE.LOCAL\\kkp-machine-controller',
      ...(own
        ? { storagePrincipal: `VSPHERE.LOCAL\\kkp-storage-${clusterId}` }
        : { cloudConfigUser: 'VSPHERE.LOCAL\\kkp-storage', cloudConfigPassword: shared.stringValue }),
      folderPath: `team-${i % 5}/${clusterId}`,
      kubernetesProvider: new KubernetesProvider(stack, `k8s-${clusterId}`, { alias: clusterId, configPath: `kubeconfigs/${clusterId}` }),
    });
  }
  const constructed = process.hrtime.bigint();
  const heapPeakApprox = process.memoryUsage().heapUsed / 1048576;
  app.synth();
  const done = process.hrtime.bigint();
  const file = join(outdir, 'stacks', 'bench', 'cdk.tf.json');
  console.log(JSON.stringify({
    clusters: n,
    constructMs: Number(constructed - started) / 1e6,
    synthMs: Number(done - constructed) / 1e6,
    totalMs: Number(done - started) / 1e6,
    heapUsedMb: heapPeakApprox - heapBefore,
    heapAfterGcMb: heapMb() - heapBefore,
    rssMb: process.memoryUsage().rss / 1048576,
    cdkTfJsonKb: statSync(file).size / 1024,
  }));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
