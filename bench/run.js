// `npm run bench` (not run by CI): synth cost of the library against the same stack written by hand.
// Every run is a fresh process measured by /usr/bin/time (CPU = user + sys of the whole process tree, peak RSS of its
// largest process); variants alternate within each repetition so that load from elsewhere hits them alike; medians
// with min-max. Before timing, every variant's cdk.tf.json is checked against the hand-written app's, key for key.
// Writes the tables into bench/RESULTS.md between its bench markers.
// Usage: node bench/run.js [--reps N] [--scales 1,10,100,1000] [--no-write] [--baseline DIR]
// --baseline DIR (a copy of lib/ from before a change, inside the repository): adds the variant library@baseline, the
// same app loading the library from DIR, alternating with the others; both library variants then load the library
// through bench/library-from.js, so they differ in the library only.
'use strict';
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { compareFiles } = require('./compare');

const REPO = path.resolve(__dirname, '..');
const APPS = path.join(__dirname, 'apps');
const EXAMPLE = path.join(REPO, 'examples/kkp-seed');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const REPS = Number(option('reps', '7'));
const SCALES = option('scales', '1,10,100,1000').split(',').map(Number);
const BASELINE = option('baseline', undefined);
const INIT_SCALE = 10;
const EXAMPLE_CLUSTERS = 3;

// The library app precompiled, as a user's CI runs it after `tsc`.
function compileLibraryApp() {
  execFileSync(process.execPath, [
    require.resolve('typescript/bin/tsc'), '-p', path.join(APPS, 'library/tsconfig.json'),
    '--outDir', path.join(APPS, '.library-js'), '--declaration', 'false', '--incremental', 'false',
  ], { stdio: 'inherit' });
}

const node = JSON.stringify(process.execPath);
const variants = {
  library: (n) => BASELINE
    ? { cmd: `${node} -r ${path.join(__dirname, 'library-from.js')} ${path.join(APPS, '.library-js/main.js')} ${n}`, env: { KKP_BENCH_LIB: path.join(REPO, 'lib') } }
    : { cmd: `${node} ${path.join(APPS, '.library-js/main.js')} ${n}` },
  'library@baseline': (n) => ({
    cmd: `${node} -r ${path.join(__dirname, 'library-from.js')} ${path.join(APPS, '.library-js/main.js')} ${n}`,
    env: { KKP_BENCH_LIB: path.resolve(BASELINE) },
  }),
  'hand-written': (n) => ({ cmd: `${node} ${path.join(APPS, 'hand-written.js')} ${n}` }),
  'package-root': (n) => ({ cmd: `${node} ${path.join(APPS, 'hand-written.js')} ${n} --package-root` }),
  // What `cdktf init --template=typescript` sets up: cdktf.json's app is `npx ts-node main.ts` (type-checking).
  'cdktf-init-ts': (n) => ({ cmd: `npx ts-node main.ts ${n}`, cwd: path.join(APPS, 'library') }),
  // The bundled example's own app command, exactly as `cdktf synth` runs it there.
  'example-app': () => ({ cmd: JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'cdktf.json'), 'utf8')).app, cwd: EXAMPLE }),
  // The example's app command before issue 14, for comparison.
  'example-ts-node': () => ({ cmd: 'node -r ts-node/register/transpile-only main.ts', cwd: EXAMPLE }),
  // The hand-written app in the example's folder (the backend path in cdk.tf.json is relative to the working directory).
  'hand-written@example': (n) => ({ cmd: `${node} ${path.join(APPS, 'hand-written.js')} ${n}`, cwd: EXAMPLE }),
};

function runOnce(variant, n) {
  // One working directory for all but the example (the local backend's path in cdk.tf.json is taken from it).
  const { cmd, cwd = path.join(APPS, 'library'), env = {} } = variants[variant](n);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bench-'));
  const timing = path.join(outdir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M %e', '-o', timing, 'sh', '-c', cmd], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, CDKTF_OUTDIR: path.join(outdir, 'out'), CHECKPOINT_DISABLE: '1' },
  });
  if (r.status !== 0) throw new Error(`${variant} (${n}) failed, exit ${r.status}: ${cmd}\n${r.stderr}`);
  const [user, sys, rssKb, wall] = fs.readFileSync(timing, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const file = path.join(outdir, 'out/stacks/kkp-seed/cdk.tf.json');
  return { cpu: user + sys, wall, rss: rssKb / 1024, kb: fs.statSync(file).size / 1024, file, outdir };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** One group of variants at one scale: outputs checked once, then REPS alternating repetitions. */
function measure(group, n, reference) {
  const first = Object.fromEntries(group.map((v) => [v, runOnce(v, n)]));
  for (const v of group) {
    if (v === reference) continue;
    const diffs = compareFiles(first[v].file, first[reference].file);
    if (diffs.length) throw new Error(`${v} and ${reference} at ${n} user clusters differ (comments aside):\n${diffs.join('\n')}`);
  }
  // --reps 0: check the outputs and show the checking run's figures.
  const samples = Object.fromEntries(group.map((v) => [v, REPS === 0 ? [first[v]] : []]));
  for (const v of group) fs.rmSync(first[v].outdir, { recursive: true, force: true });
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate the order each repetition, so no variant always runs first or after the same neighbour.
    const order = group.map((_, i) => group[(i + rep) % group.length]);
    for (const v of order) {
      const s = runOnce(v, n);
      fs.rmSync(s.outdir, { recursive: true, force: true });
      samples[v].push(s);
    }
  }
  const result = {};
  for (const v of group) {
    result[v] = {
      cpu: stats(samples[v].map((s) => s.cpu)),
      wall: stats(samples[v].map((s) => s.wall)),
      rss: stats(samples[v].map((s) => s.rss)),
      kb: samples[v][0].kb,
    };
  }
  return result;
}

const f2 = (x) => x.toFixed(2);
const range = (s, digits = 2) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
const ratio = (a, b, key) => f2(a[key].median / b[key].median);

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `${os.type()} ${os.release()}`;
}

function main() {
  compileLibraryApp();
  const started = new Date();
  const loadBefore = os.loadavg();
  const lines = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  say(`Run of ${started.toISOString()} on ${machine()}; ${REPS} repetitions per variant, alternating.`);
  say(`Load average (1, 5, 15 min) at start: ${loadBefore.map(f2).join(', ')}.`);
  say();
  say('CPU = user + sys seconds of the whole process (tree), RSS = peak resident MiB, medians (min-max).');
  say();
  say('| user clusters | variant | CPU s | wall s | peak RSS MiB | cdk.tf.json KiB |');
  say('|---|---|---|---|---|---|');
  const byScale = {};
  for (const n of SCALES) {
    const group = ['library', ...(BASELINE ? ['library@baseline'] : []), 'hand-written', 'package-root', ...(n === INIT_SCALE ? ['cdktf-init-ts'] : [])];
    const r = measure(group, n, 'hand-written');
    byScale[n] = r;
    for (const v of group) say(`| ${n} | ${v} | ${range(r[v].cpu)} | ${range(r[v].wall)} | ${range(r[v].rss, 0)} | ${r[v].kb.toFixed(0)} |`);
  }
  const exampleGroup = ['example-app', 'example-ts-node', 'hand-written@example'];
  const ex = measure(exampleGroup, EXAMPLE_CLUSTERS, 'hand-written@example');
  for (const v of exampleGroup) {
    say(`| ${EXAMPLE_CLUSTERS} (example) | ${v} | ${range(ex[v].cpu)} | ${range(ex[v].wall)} | ${range(ex[v].rss, 0)} | ${ex[v].kb.toFixed(0)} |`);
  }
  say();
  say('Ratios of medians (targets: library / hand-written <= 1.05 in CPU and peak RSS; example app <= 1.15 x hand-written;');
  say('1000 clusters <= 10.5 x 100):');
  say();
  const baseHead = BASELINE ? ' library@baseline / hand-written CPU | library@baseline / hand-written RSS |' : '';
  say(`| user clusters | library / hand-written CPU | library / hand-written RSS |${baseHead} package-root / library CPU | cdktf init TS app / library CPU |`);
  say(`|---|---|---|${BASELINE ? '---|---|' : ''}---|---|`);
  for (const n of SCALES) {
    const r = byScale[n];
    const base = BASELINE ? ` ${ratio(r['library@baseline'], r['hand-written'], 'cpu')} | ${ratio(r['library@baseline'], r['hand-written'], 'rss')} |` : '';
    say(`| ${n} | ${ratio(r.library, r['hand-written'], 'cpu')} | ${ratio(r.library, r['hand-written'], 'rss')} |${base} ` +
      `${ratio(r['package-root'], r.library, 'cpu')} | ${r['cdktf-init-ts'] ? ratio(r['cdktf-init-ts'], r.library, 'cpu') : ''} |`);
  }
  if (BASELINE) say(`\nlibrary@baseline: the library from ${path.relative(REPO, path.resolve(BASELINE))} (the code before the change measured).`);
  say();
  const app = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'cdktf.json'), 'utf8')).app;
  say(`Example app command \`${app}\` / hand-written app (${EXAMPLE_CLUSTERS} clusters): CPU ${ratio(ex['example-app'], ex['hand-written@example'], 'cpu')}, ` +
    `wall ${ratio(ex['example-app'], ex['hand-written@example'], 'wall')}, RSS ${ratio(ex['example-app'], ex['hand-written@example'], 'rss')} ` +
    `(with \`node -r ts-node/register/transpile-only main.ts\`: CPU ${ratio(ex['example-ts-node'], ex['hand-written@example'], 'cpu')}).`);
  if (byScale[100] && byScale[1000]) {
    say(`Library at 1000 / at 100 user clusters: CPU ${ratio(byScale[1000].library, byScale[100].library, 'cpu')}; ` +
      `per added cluster ${((byScale[1000].library.cpu.median - byScale[100].library.cpu.median) / 900 * 1000).toFixed(1)} ms CPU.`);
  }
  say(`Load average at end: ${os.loadavg().map(f2).join(', ')}; took ${((Date.now() - started) / 60000).toFixed(1)} min.`);

  if (!args.includes('--no-write')) {
    const file = path.join(__dirname, 'RESULTS.md');
    const begin = '<!-- bench:begin (written by npm run bench) -->';
    const end = '<!-- bench:end -->';
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
    const [head, rest] = old.split(begin);
    const tail = rest === undefined ? '' : rest.split(end)[1] ?? '';
    fs.writeFileSync(file, `${head}${begin}\n${lines.join('\n')}\n${end}${tail}`);
    console.log(`\nwritten into ${path.relative(REPO, file)}`);
  }
}

main();
