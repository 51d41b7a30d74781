// `npm run bench`: each benchmark in a fresh node process (clean heap), after `npm run build`. Benchmarks are not tests.
'use strict';
const { spawnSync } = require('child_process');
const { join } = require('path');

function run(script, arg) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', join(__dirname, script), String(arg)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} ${arg} failed (exit ${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop();
  return { ...JSON.parse(line), processMs: Date.now() - started };
}

const fmt = (x) => (typeof x === 'number' ? x.toFixed(x < 10 ? 1 : 0) : String(x));

console.log('synth-user-clusters: a seed stack with N KkpUserClusters (folder, grants, cloud-config Secrets each)');
const rows = [10, 50, 200].map((n) => run('synth-user-clusters.js', n));
const cols = ['clusters', 'constructMs', 'synthMs', 'totalMs', 'processMs', 'heapUsedMb', 'heapAfterGcMb', 'rssMb', 'cdkTfJsonKb'];
console.log(cols.join('\t'));
for (const row of rows) console.log(cols.map((c) => fmt(row[c])).join('\t'));
const [small, , large] = rows;
console.log(`per cluster: ${fmt(small.totalMs / small.clusters)} ms at ${small.clusters}, ${fmt(large.totalMs / large.clusters)} ms at ${large.clusters} ` +
  `(linear synth keeps these close)`);
