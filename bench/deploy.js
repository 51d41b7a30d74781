// `node bench/deploy.js` (not run by CI): deploy cost of the example's seed against the vCenter simulator, with the
// real vSphere provider (vmware/vsphere 2.15.0, found as the tests find it: test/support/terraform.ts) and this
// repository's kkpvsphere provider (built from provider/ into the filesystem mirror the tests install it from).
//
// Two variants of one stack, the constructs of examples/kkp-seed (KkpRoles, SeedPermissions with hosts,
// UserClusterPermissions, KkpDatacenterSpec, a KkpUserCluster per line of bench/apps/scenario.js) aimed at the
// simulator's default inventory (DC0, DC0_C0, DC0_C0_H0, LocalDS_0, "VM Network", DC0_DVPG0):
// - library: as the example ships it: owned folders through vsphere_entity_permissions, every grant on a shared
//   object additive (one kkpvsphere_permissions per object listing its principals, all served by one kkpvsphere provider
//   instance: one vCenter login per plugin process);
// - floor: the same grants made by the provider's own vsphere_entity_permissions (every shared object opted in with
//   manageAuthoritatively, keep: []), the cheapest way terraform can make them, and the unsafe one on a shared vCenter.
// Left out of both: the VM templates (an OVA import costs the same in either) and the Kubernetes credentials Secrets
// (credentialsSecret: false; no Kubernetes API here).
//
// Each run: a fresh simulator, `terraform apply` then `terraform destroy` in a workspace initialised beforehand, each
// under /usr/bin/time (CPU = user + sys of terraform, the provider and every provisioner process), the simulator's
// own CPU from /proc, and the sessions the simulator created (VCSIM_SESSIONS_FILE, test/vcsim/sessions.go: a SOAP
// login or a REST session each). The vSphere provider opens one SOAP and one REST session per plugin process, the
// kkpvsphere provider one SOAP session: its logins are the SOAP sessions less the REST ones. The first run of each variant and scale also checks that `terraform plan
// -detailed-exitcode` exits 0 after the apply and that both variants leave exactly the same permissions of the
// installation's principals on every object. Variants alternate within each repetition, their order rotating.
// Writes the tables into bench/RESULTS.md between the deploy-bench markers.
// Usage: node bench/deploy.js [--reps N] [--scales 1,10,100] [--no-write]
'use strict';
require('ts-node').register({ transpileOnly: true });
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, LocalBackend, TerraformStack, Token } = require('cdktf');
const { VsphereProvider } = require('@cdktf/provider-vsphere/lib/provider');
const lib = require('../src');
const { VcenterClient } = require('../src/tools/vcenter');
const { resolveObject } = require('../src/tools/vcenter/grants');
const { startVcsim } = require('../test/support/vcsim');
const { TerraformWorkspace, terraformCliConfig } = require('../test/support/terraform');
const { userClusters } = require('./apps/scenario');

const REPO = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const REPS = Number(option('reps', '3'));
const SCALES = option('scales', '1,10,100').split(',').map(Number);
const VARIANTS = ['library', 'floor'];
/** A destroy still running after this is a stall (the provider itself gives up after 300 s). */
// A destroy running longer than this many times its apply (at least 60 s) is a stall: apply and destroy take about
// the same time when nothing stalls.
const STALL_FACTOR = Number(option('stall-factor', '4'));
// terraform destroy -parallelism (default terraform's 10): the simulator's folder-delete stall comes with several
// folder deletes at once.
const DESTROY_PARALLELISM = option('destroy-parallelism', '');
const MC = 'VSPHERE.LOCAL\\kkp-machine-controller';
const STORAGE = 'VSPHERE.LOCAL\\kkp-storage';
const ADMINS = 'VSPHERE.LOCAL\\Administrators';

/**
 * The simulator's root folder holds its own admin and root principals (no domain, so no stack can keep them); a
 * vCenter's root holds the VSPHERE.LOCAL\\Administrators group. Made so before the run, untimed, for both variants.
 */
async function prepare(sim) {
  const vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  try {
    const root = await resolveObject(vc, '/');
    const defaults = await vc.retrieveEntityPermissions(root);
    await vc.setEntityPermissions(root, [{ principal: ADMINS, group: true, roleId: -1, propagate: true }]);
    for (const p of defaults) if (p.principal !== ADMINS) await vc.removeEntityPermission(root, p.principal, p.group);
  } finally {
    await vc.logout();
  }
}

/** The example's seed with n user clusters, on the simulator's inventory; returns the synthesized cdk.tf.json. */
function synthSeed(n, variant) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-deploy-bench-synth-'));
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, 'kkp-seed');
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const fromEnvironment = Token.asString(Token.nullValue());
  new VsphereProvider(stack, 'vsphere', { user: fromEnvironment, password: fromEnvironment });
  const inventory = new lib.VsphereInventory(stack, 'Inventory', { datacenter: 'DC0' });
  const cluster = inventory.computeCluster('DC0_C0');
  const datastores = [inventory.datastore('LocalDS_0')];
  const networks = [inventory.network('VM Network'), inventory.network('DC0_DVPG0')];
  const hosts = [inventory.host('DC0_C0_H0', cluster)];
  const kkpRoot = new lib.VmFolder(stack, 'KkpRoot', { inventory, path: 'kkp' });
  const templates = new lib.VmFolder(stack, 'Templates', { inventory, path: 'templates', parent: kkpRoot });
  const roles = new lib.KkpRoles(stack, 'Roles', { vsphereVersion: '8.0', namePrefix: 'kkp-' });
  new lib.SeedPermissions(stack, 'Seed', { roles, inventory, storagePrincipal: STORAGE, folders: [kkpRoot, templates], datastores, hosts });
  new lib.UserClusterPermissions(stack, 'MachineController', {
    roles, inventory, principal: MC, cluster, networks, datastores, folders: [kkpRoot, templates],
  });
  const datacenter = new lib.KkpDatacenterSpec(stack, 'KkpDatacenter', {
    name: 'vsphere-dc0', inventory, endpoint: 'https://vcenter.dc0.example.com', datastore: datastores[0], cluster,
    rootFolder: kkpRoot, templates: { ubuntu: 'ubuntu-22.04' }, location: 'Hamburg', country: 'DE',
  });
  for (const line of userClusters(n)) {
    new lib.KkpUserCluster(stack, `UserCluster-${line.clusterId}`, {
      datacenter, roles, clusterId: line.clusterId, machineControllerPrincipal: MC, storagePrincipal: line.storagePrincipal,
      folderPath: line.folderPath, networks: [networks[0]], credentialsSecret: false,
    });
  }
  if (variant === 'floor') {
    // The vCenter root keeps its Administrators group (see prepare); the other shared objects hold nothing else here.
    const admins = { principal: lib.Principal.group(ADMINS), role: lib.PredefinedRole.ADMINISTRATOR, propagate: true };
    for (const shared of [inventory.vcenter(), inventory.datacenter, cluster, ...hosts, ...datastores, ...networks]) {
      lib.VspherePermissions.manageAuthoritatively(shared, { keep: shared === inventory.vcenter() ? [admins] : [] });
    }
  }
  app.synth();
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/kkp-seed/cdk.tf.json'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  // additive grants: the principals listed by the objects' kkpvsphere_permissions
  const additive = Object.values(tf.resource.kkpvsphere_permissions ?? {}).reduce((k, r) => k + Object.keys(r.permissions ?? {}).length, 0);
  if (variant === 'floor' && (additive || tf.provider.kkpvsphere)) throw new Error(`the floor at ${n} clusters still has ${additive} additive grants`);
  if (tf.resource.terraform_data) throw new Error(`${variant} at ${n} clusters has terraform_data resources (provisioners)`);
  const resources = Object.values(tf.resource).reduce((k, t) => k + Object.keys(t).length, 0);
  return { tf, resources, additive };
}

/** Both providers' environment: the simulator in VSPHERE_* (no CLI, no Node process at apply). */
function deployEnv(sim) {
  return {
    VSPHERE_SERVER: new URL(sim.url).host,
    VSPHERE_USER: sim.user,
    VSPHERE_PASSWORD: sim.password,
    VSPHERE_ALLOW_UNVERIFIED_SSL: 'true',
  };
}

const tfEnv = (env) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TF_VAR_|VSPHERE_|TF_CLI_ARGS|VCSIM_)/.test(k)));
  return { ...clean, TF_CLI_CONFIG_FILE: terraformCliConfig({ kkpvsphere: true }), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...env };
};

/**
 * terraform in `dir` under /usr/bin/time: CPU of the whole process tree, wall seconds. A run longer than
 * `stallSeconds` is interrupted (SIGINT to its process group: terraform stops and keeps its state) and reported
 * as stalled: the provider's folder delete on the simulator (README "A destroy that stops at vsphere_folder").
 */
function timedTerraform(dir, tfArgs, env, stallSeconds = 0) {
  const timing = path.join(dir, 'time.txt');
  fs.rmSync(timing, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S %e', '-o', timing, 'terraform', ...tfArgs], { cwd: dir, env: tfEnv(env), detached: true });
    let stdout = '';
    let stderr = '';
    let stalled = false;
    const begun = Date.now();
    let lastDone = NaN;
    let doneCount = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
      // When the last resource finished: the destroy's wall time but for what stalled.
      const n = (String(d).match(/(Destruction|Creation) complete after/g) ?? []).length;
      if (n) {
        doneCount += n;
        lastDone = (Date.now() - begun) / 1000;
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    // SIGINT: terraform stops starting work but waits for what runs (a stalled folder delete until the provider's own
    // 300 s deadline); a second SIGINT makes it quit at once.
    const signal = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ended meanwhile
      }
    };
    const timers = stallSeconds
      ? [
          setTimeout(() => ((stalled = true), signal('SIGINT')), stallSeconds * 1000),
          setTimeout(() => signal('SIGINT'), (stallSeconds + 5) * 1000),
          setTimeout(() => signal('SIGKILL'), (stallSeconds + 20) * 1000),
        ]
      : [];
    child.on('close', (status) => {
      timers.forEach(clearTimeout);
      stalled ||= /context deadline exceeded/.test(stderr);
      if (status !== 0 && !stalled) return reject(new Error(`terraform ${tfArgs[0]} failed (exit ${status}):\n${(stderr || stdout).slice(-4000)}`));
      const times = fs.existsSync(timing) ? fs.readFileSync(timing, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [];
      const [user, sys, wall] = times.length === 3 && times.every((x) => !Number.isNaN(x)) ? times : [NaN, NaN, NaN];
      resolve({ cpu: user + sys, wall, stdout, stalled, lastDone, doneCount });
    });
  });
}

/**
 * After a stalled destroy: the simulator is thrown away after the run, so its state goes too (a user recovers with
 * `terraform state rm` of the folders the next run names as already deleted, then destroy again).
 */
function discardState(dir) {
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('terraform.tfstate'))) fs.rmSync(path.join(dir, f), { force: true });
}

/** The simulator process started by startVcsim (a child of this process), for its CPU time. */
function vcsimPid() {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && /\(vcsim/.test(stat)) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no simulator process found');
}

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

const sessions = (file) => {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l) : [];
  return { soap: lines.filter((l) => l === 'soap').length, rest: lines.filter((l) => l === 'rest').length };
};
const minus = (a, b) => ({ soap: a.soap - b.soap, rest: a.rest - b.rest });

/** Every permission of the installation's principals (VSPHERE.LOCAL\kkp-*) on the objects of a stack, as lines. */
async function installationPermissions(sim, tf) {
  const vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  try {
    const roles = new Map((await vc.roleList()).map((r) => [r.id, r.system ? r.label : r.name]));
    const objects = new Set(['/', '/DC0', '/DC0/host/DC0_C0', '/DC0/host/DC0_C0/DC0_C0_H0', '/DC0/datastore/LocalDS_0', '/DC0/network/VM Network', '/DC0/network/DC0_DVPG0']);
    for (const f of Object.values(tf.resource.vsphere_folder ?? {})) objects.add(`/DC0/${f.type}/${f.path}`);
    const lines = [];
    for (const object of [...objects].sort()) {
      const ref = await resolveObject(vc, object);
      if (!ref) throw new Error(`no ${object} after the apply`);
      for (const p of await vc.retrieveEntityPermissions(ref)) {
        if (!/\\kkp-/i.test(p.principal)) continue;
        lines.push(`${object} ${p.group ? 'group' : 'user'} ${p.principal} ${roles.get(p.roleId) ?? p.roleId} ${p.propagate ? 'propagate' : 'no-propagate'}`);
      }
    }
    return lines.sort();
  } finally {
    await vc.logout();
  }
}

/** One apply and destroy on a fresh simulator. */
async function runOnce(ws, n, variant, first) {
  const file = path.join(ws.dir, `sessions-${Date.now()}.log`);
  process.env.VCSIM_SESSIONS_FILE = file;
  const sim = await startVcsim({ tls: true });
  delete process.env.VCSIM_SESSIONS_FILE;
  try {
    const pid = vcsimPid();
    await prepare(sim);
    const env = deployEnv(sim);
    const s0 = sessions(file);
    const c0 = cpuSeconds(pid);
    const apply = await timedTerraform(ws.dir, ['apply', '-auto-approve', '-input=false', '-no-color'], env);
    const s1 = sessions(file);
    const c1 = cpuSeconds(pid);
    let check;
    if (first) {
      const replan = spawnSync('terraform', ['plan', '-detailed-exitcode', '-input=false', '-no-color'], {
        cwd: ws.dir, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: terraformCliConfig({ kkpvsphere: true }), CHECKPOINT_DISABLE: '1', ...env },
      });
      if (replan.status !== 0) throw new Error(`${variant} at ${n}: plan after apply exited ${replan.status}\n${replan.stdout.slice(-3000)}`);
      check = await installationPermissions(sim, ws.tf);
    }
    const s2 = sessions(file);
    const c2 = cpuSeconds(pid);
    const bound = Math.max(60, Math.ceil(STALL_FACTOR * apply.wall));
    const destroy = await timedTerraform(ws.dir, ['destroy', '-auto-approve', '-input=false', '-no-color', ...(DESTROY_PARALLELISM ? [`-parallelism=${DESTROY_PARALLELISM}`] : [])], env, bound);
    const s3 = sessions(file);
    const c3 = cpuSeconds(pid);
    if (destroy.stalled) {
      console.error(`${variant} at ${n}: destroy STALLED (interrupted after ${bound} s); not counted, state discarded with the simulator`);
      discardState(ws.dir);
    }
    const addedLine = /Resources: (\d+) added/.exec(apply.stdout);
    const applied = addedLine ? Number(addedLine[1]) : NaN;
    return {
      apply: { cpu: apply.cpu, wall: apply.wall, sim: c1 - c0, sessions: minus(s1, s0), added: applied },
      destroy: {
        cpu: destroy.cpu, wall: destroy.wall, sim: c3 - c2, sessions: minus(s3, s2), stalled: destroy.stalled,
        lastDone: destroy.lastDone, left: destroy.stalled ? applied - destroy.doneCount : 0,
      },
      check,
    };
  } finally {
    await sim.stop();
    fs.rmSync(file, { force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const range = (s, digits = 2) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
const f2 = (x) => x.toFixed(2);
const done = (xs) => xs.filter((x) => !x.destroy.stalled);

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0].model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

async function main() {
  const started = new Date();
  const lines = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  const tfVersion = spawnSync('terraform', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  say(`Run of ${started.toISOString()} on ${machine()}; ${tfVersion}, vmware/vsphere 2.15.0; ${REPS} repetitions per variant, alternating.`);
  say(`Load average (1, 5, 15 min) at start: ${os.loadavg().map(f2).join(', ')}.`);
  say();
  // Synthesize and init once per scale and variant; each run applies and destroys in the same workspace.
  const workspaces = {};
  for (const n of SCALES) {
    for (const v of VARIANTS) {
      const s = synthSeed(n, v);
      const ws = TerraformWorkspace.create(s.tf);
      ws.init();
      ws.tf = s.tf;
      workspaces[`${n}/${v}`] = { ws, ...s };
    }
  }
  const samples = {};
  const checks = {};
  for (let rep = 0; rep < REPS; rep++) {
    for (const n of SCALES) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + rep) % VARIANTS.length]);
      for (const v of order) {
        const key = `${n}/${v}`;
        const t = Date.now();
        const r = await runOnce(workspaces[key].ws, n, v, rep === 0);
        (samples[key] ??= []).push(r);
        if (r.check) checks[key] = r.check;
        console.error(`rep ${rep + 1} ${key}: apply ${f2(r.apply.wall)} s wall ${f2(r.apply.cpu)} s CPU (simulator ${f2(r.apply.sim)}), ` +
          `destroy ${f2(r.destroy.wall)} s wall ${f2(r.destroy.cpu)} s CPU` +
          `${r.destroy.stalled ? ` STALLED (last deletion at ${f2(r.destroy.lastDone)} s, ${r.destroy.left} resources left)` : ''}, sessions apply ` +
          `${r.apply.sessions.soap}+${r.apply.sessions.rest} destroy ${r.destroy.sessions.soap}+${r.destroy.sessions.rest}, ` +
          `${r.apply.added} added, took ${((Date.now() - t) / 1000).toFixed(0)} s, load ${os.loadavg()[0].toFixed(1)}`);
      }
      if (rep === 0) {
        const [a, b] = VARIANTS.map((v) => checks[`${n}/${v}`]);
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          const only = (x, y) => x.filter((l) => !y.includes(l));
          throw new Error(`library and floor differ at ${n} clusters:\nlibrary only: ${only(a, b).join('\n')}\nfloor only: ${only(b, a).join('\n')}`);
        }
        console.error(`${n} clusters: both variants leave the same ${a.length} permissions of the installation's principals`);
      }
    }
  }
  say('Medians (min-max) of fresh-simulator runs. CPU = user + sys seconds of terraform and its provider plugins;');
  say('simulator CPU is the vCenter side. Sessions = sessions the simulator created during the run (SOAP logins + REST');
  say('sessions); they do not vary between repetitions. kkpvsphere logins = SOAP less REST (the vSphere provider opens');
  say('one of each per plugin process, the kkpvsphere provider one SOAP login per plugin process). Destroy wall: destroys that did not stall');
  say('(README "A destroy that stops at vsphere_folder"): a destroy running longer than max(60 s, 4 x its apply) is');
  say('interrupted; for those, when their last deletion completed and how many resources were left.');
  say();
  say('| user clusters | variant | resources (additive grants) | apply wall s | apply CPU s | simulator CPU s (apply) | sessions per apply (SOAP + REST) | kkpvsphere logins per apply | destroy wall s | destroy CPU s | sessions per destroy | destroys stalled: last deletion at s (resources left) |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const summary = {};
  for (const n of SCALES) {
    for (const v of VARIANTS) {
      const key = `${n}/${v}`;
      const xs = samples[key];
      const st = (f) => stats(xs.map(f));
      // A stalled destroy is not a destroy time: left out of the destroy wall time, counted in the stalls column with
      // the time its last deletion completed. Its CPU is counted: terraform waits idle on the stalled folder.
      const finished = done(xs);
      const dst = (f) => (finished.length ? stats(finished.map(f)) : { median: NaN, min: NaN, max: NaN });
      const ses = (s) => `${s.soap + s.rest} (${s.soap} + ${s.rest})`;
      const same = (f) => new Set(xs.map((x) => JSON.stringify(f(x)))).size === 1;
      if (!same((x) => x.apply.sessions) || !same((x) => x.destroy.sessions)) console.error(`note: session counts vary at ${key}`);
      summary[key] = {
        applyWall: st((x) => x.apply.wall), applyCpu: st((x) => x.apply.cpu), simCpu: st((x) => x.apply.sim),
        destroyWall: dst((x) => x.destroy.wall), destroyCpu: st((x) => x.destroy.cpu),
        stalledTo: stats(xs.filter((x) => x.destroy.stalled).map((x) => x.destroy.lastDone)),
        left: xs.filter((x) => x.destroy.stalled).map((x) => x.destroy.left),
        stalls: xs.filter((x) => x.destroy.stalled).length,
        applySessions: median(xs.map((x) => x.apply.sessions.soap + x.apply.sessions.rest)),
        destroySessions: median(xs.map((x) => x.destroy.sessions.soap + x.destroy.sessions.rest)),
      };
      const s = summary[key];
      say(`| ${n} | ${v} | ${workspaces[key].resources} (${workspaces[key].additive}) | ${range(s.applyWall)} | ${range(s.applyCpu)} | ${range(s.simCpu)} | ` +
        `${ses(xs[0].apply.sessions)} | ${xs[0].apply.sessions.soap - xs[0].apply.sessions.rest} | ${range(s.destroyWall)} | ${range(s.destroyCpu)} | ${ses(xs[0].destroy.sessions)} | ${s.stalls} of ${xs.length}${s.stalls ? `: ${range(s.stalledTo)} (${s.left.join(', ')})` : ''} |`);
    }
  }
  say();
  say('Ratios of medians, library / floor:');
  say();
  say('| user clusters | apply wall | apply CPU | simulator CPU (apply) | sessions per apply | destroy wall | destroy CPU | sessions per destroy |');
  say('|---|---|---|---|---|---|---|---|');
  for (const n of SCALES) {
    const a = summary[`${n}/library`];
    const b = summary[`${n}/floor`];
    const r = (k) => f2(a[k].median / b[k].median);
    say(`| ${n} | ${r('applyWall')} | ${r('applyCpu')} | ${r('simCpu')} | ${f2(a.applySessions / b.applySessions)} | ${r('destroyWall')} | ${r('destroyCpu')} | ` +
      `${f2(a.destroySessions / b.destroySessions)} |`);
  }
  say();
  say(`Load average at end: ${os.loadavg().map(f2).join(', ')}; took ${((Date.now() - started) / 60000).toFixed(1)} min.`);
  for (const { ws } of Object.values(workspaces)) ws.remove();

  if (!args.includes('--no-write')) {
    const file = path.join(__dirname, 'RESULTS.md');
    const begin = '<!-- deploy-bench:begin (written by node bench/deploy.js) -->';
    const end = '<!-- deploy-bench:end -->';
    const old = fs.readFileSync(file, 'utf8');
    if (!old.includes(begin)) throw new Error(`${file} has no deploy-bench markers`);
    const [head, rest] = old.split(begin);
    fs.writeFileSync(file, `${head}${begin}\n${lines.join('\n')}\n${end}${rest.split(end)[1] ?? ''}`);
    console.log(`\nwritten into ${path.relative(REPO, file)}`);
  }
}

main().catch((e) => {
  console.error(e.stack || e.message);
  process.exit(1);
});
