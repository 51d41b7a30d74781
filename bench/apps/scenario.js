// The benchmark's seed: the bundled example (examples/kkp-seed) with N user clusters. The first three are the
// example's own lines, so at N = 3 every app here synthesizes what the example does; further clusters repeat its
// three shapes (shared storage user; own storage user; own folder path on the second datastore).
'use strict';
const path = require('path');

const EXAMPLE_CLUSTERS = [
  { clusterId: 'kh8dfp2rz6' },
  { clusterId: 'x7q2mm9wkp', storagePrincipal: 'VSPHERE.LOCAL\\kkp-storage-x7q2mm9wkp' },
  { clusterId: 'p4n8c2vd7t', folderPath: 'team-payments/p4n8c2vd7t', datastore: 1 },
];

/** The user-cluster lines of a seed with `n` user clusters. */
function userClusters(n) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`the number of user clusters must be a positive integer, got ${n}`);
  const lines = [];
  for (let i = 0; i < n; i++) {
    if (i < EXAMPLE_CLUSTERS.length) {
      lines.push(EXAMPLE_CLUSTERS[i]);
      continue;
    }
    const clusterId = `c${String(i).padStart(9, '0')}`;
    if (i % 3 === 0) lines.push({ clusterId });
    else if (i % 3 === 1) lines.push({ clusterId, storagePrincipal: `VSPHERE.LOCAL\\kkp-storage-${clusterId}` });
    else lines.push({ clusterId, folderPath: `team-${i % 7}/${clusterId}`, datastore: 1 });
  }
  return lines;
}

/** `node app.js N`: the number of user clusters (default 3, the example). */
function clusterCount(argv) {
  const arg = argv.find((a) => /^\d+$/.test(a));
  return arg === undefined ? 3 : Number(arg);
}

/** Where the CentOS template's converted OVF is read from (the example's default). */
const IMAGE_DIR = process.env.KKP_IMAGE_DIR ?? path.resolve(__dirname, '../../examples/kkp-seed/images');

module.exports = { userClusters, clusterCount, IMAGE_DIR, EXAMPLE_CLUSTERS };
