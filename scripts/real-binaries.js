#!/usr/bin/env node
// Where the test suite finds the real Terraform providers: one resolution, used by scripts/test-tools.sh (before the
// tests) and test/support/terraform.ts (every terraform run of the tests).
//
//   1. KKP_VSPHERE_PROVIDER_MIRROR: a Terraform provider filesystem mirror (packed or unpacked layout) named by the
//      person or CI running the tests;
//   2. else ../shared/terraform-providers beside the checkout, when it exists (this project's CI lays it there);
//   3. else no mirror: terraform installs vmware/vsphere and hashicorp/kubernetes from its registry, as it does for a
//      user with internet access.
//
// `node scripts/real-binaries.js provider-mirror` prints the resolution as one line of JSON;
// `node scripts/real-binaries.js check` fails (exit 1, one message naming both fixes) when there is no mirror and the
// registry cannot be reached. `node scripts/real-binaries.js kube-binaries` unpacks or builds kube-apiserver and etcd
// (see kubeBinaries below) and prints where they are as one line of JSON, or fails naming the three ways to get them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MIRROR_VARIABLE = 'KKP_VSPHERE_PROVIDER_MIRROR';
const SHARED_MIRROR = path.resolve(ROOT, '..', 'shared', 'terraform-providers');
/** The providers the synthesized stacks use (what @cdktf/provider-vsphere 11.2.1 and @cdktf/provider-kubernetes 12.1.1 bind). */
const PROVIDERS = [
  { source: 'registry.terraform.io/vmware/vsphere', version: '2.15.0' },
  { source: 'registry.terraform.io/hashicorp/kubernetes', version: '2.38.0' },
];

/**
 * The provider mirror the tests use: `{ mirror, from }` with `from` one of `env`, `shared`, or `{ mirror: undefined,
 * from: 'registry' }`. A mirror named by the variable that does not exist is an error, never a silent fallback.
 */
function providerMirror(env = process.env) {
  const named = env[MIRROR_VARIABLE];
  if (named) {
    const dir = path.resolve(named);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new Error(`${MIRROR_VARIABLE}=${named} is not a directory: point it at a Terraform provider filesystem mirror, or unset it.`);
    }
    return { mirror: dir, from: 'env' };
  }
  if (fs.existsSync(SHARED_MIRROR)) return { mirror: SHARED_MIRROR, from: 'shared' };
  return { mirror: undefined, from: 'registry' };
}

/** The provider archives (packed layout) or directories (unpacked layout) of a mirror that hold PROVIDERS. */
function missingFromMirror(mirror) {
  const missing = [];
  for (const p of PROVIDERS) {
    const type = p.source.split('/')[2];
    const packed = path.join(mirror, p.source, `terraform-provider-${type}_${p.version}_linux_amd64.zip`);
    const unpacked = path.join(mirror, p.source, p.version, 'linux_amd64');
    if (!fs.existsSync(packed) && !fs.existsSync(unpacked)) missing.push(`${p.source} ${p.version}`);
  }
  return missing;
}

/** The text of the terraform CLI configuration (TF_CLI_CONFIG_FILE) for a resolution. */
function cliConfigText(resolution) {
  const install = resolution.mirror
    ? `  filesystem_mirror {\n    path = ${JSON.stringify(resolution.mirror)}\n  }\n`
    : '  direct {}\n';
  return `disable_checkpoint = true\nprovider_installation {\n${install}}\n`;
}

async function registryReachable() {
  try {
    const res = await fetch('https://registry.terraform.io/.well-known/terraform.json', { signal: AbortSignal.timeout(10_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function check() {
  const resolution = providerMirror();
  if (resolution.mirror) {
    const missing = missingFromMirror(resolution.mirror);
    if (missing.length) {
      throw new Error(`the provider mirror ${resolution.mirror} (${resolution.from === 'env' ? MIRROR_VARIABLE : 'beside the checkout'}) lacks ${missing.join(' and ')}.`);
    }
    return `providers from the mirror ${resolution.mirror} (${resolution.from === 'env' ? MIRROR_VARIABLE : '../shared/terraform-providers'})`;
  }
  if (await registryReachable()) return 'providers from the Terraform registry (no mirror found)';
  throw new Error(
    `no Terraform provider mirror and the Terraform registry cannot be reached, so terraform cannot install ` +
      `${PROVIDERS.map((p) => `${p.source} ${p.version}`).join(' and ')}. Either set ${MIRROR_VARIABLE} to a provider ` +
      `filesystem mirror holding them (e.g. one made with 'terraform providers mirror'), or run the tests where the ` +
      `registry is reachable.`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The Kubernetes test binaries (kube-apiserver and etcd; test/support/kube-apiserver.ts starts them), resolved the same
// way as the providers:
//
//   1. KKP_VSPHERE_KUBE_BINARIES: a directory named by the person or CI running the tests, holding
//      `<name>-<version>-linux-amd64.xz` (as below), `<name>-<version>-linux-amd64` or plain `<name>` for each;
//   2. else ../shared/kubernetes-test-binaries beside the checkout (xz-compressed copies; this project's CI lays it there);
//   3. else built from their Go modules through the Go module proxy: test/kube/<name>/go.mod + go.sum pin every module
//      (`go build -trimpath`, no cgo; about 1 min for etcd and 4-5 min for kube-apiserver on 2 cores, once per machine).
//
// Whatever the source, the binary lands in node_modules/.cache/cdktf-kkp-vsphere/kube/ (written under a temporary name
// and renamed, so parallel jest workers see it whole or not at all): a copy after its SHA-256 is checked against the
// pinned one below, a build after go.sum has verified every module it is made of and the binary reports its version
// (measured here with go1.26.8: etcd's build is byte-identical to the pinned copy; kube-apiserver's is not, as the
// pinned copy carries version stamps beyond gitVersion, gitMajor, gitMinor and gitTreeState, so its SHA-256 is
// recorded beside it in <binary>.built instead). Nothing found and no build: an error
// naming the three ways, never a skipped test.
const KUBE_VARIABLE = 'KKP_VSPHERE_KUBE_BINARIES';
const SHARED_KUBE = path.resolve(ROOT, '..', 'shared', 'kubernetes-test-binaries');
const KUBE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'kube');
const K8S_VERSION_PACKAGE = 'k8s.io/component-base/version';
/** The pinned binaries: version, SHA-256 of the unpacked file, and how to build it from test/kube/<name>. */
const KUBE_BINARIES = [
  {
    name: 'kube-apiserver',
    version: 'v1.34.4',
    sha256: '934593e39af2d4529cfae934aa010faf0d9e06a13967177579a9488c7489418c',
    goVersion: 'go1.26.8',
    package: 'k8s.io/kubernetes/cmd/kube-apiserver',
    versionOutput: 'Kubernetes v1.34.4',
    // Without the version, kube-apiserver reports v0.0.0-master+$Format:%H$, which the kubernetes provider cannot parse.
    ldflags: ['-s', '-w', ...['gitVersion=v1.34.4', 'gitMajor=1', 'gitMinor=34', 'gitTreeState=clean'].map((v) => `-X ${K8S_VERSION_PACKAGE}.${v}`)].join(' '),
  },
  {
    name: 'etcd',
    version: 'v3.6.17',
    sha256: 'ecb6fdf6282274b51b17b28931fbe43f6e3e484940bcc715e56fc33692d7dc79',
    goVersion: 'go1.26.8',
    package: '.',
    versionOutput: 'etcd Version: 3.6.17',
    ldflags: '-s -w',
  },
];

function sha256File(file) {
  const hash = require('node:crypto').createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let n;
    while ((n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** The file of a binary in a directory of the shared layout: compressed, unpacked, or plain name. */
function kubeBinaryIn(dir, binary) {
  const base = `${binary.name}-${binary.version}-linux-amd64`;
  for (const [file, xz] of [[`${base}.xz`, true], [base, false], [binary.name, false]]) {
    if (fs.existsSync(path.join(dir, file))) return { file: path.join(dir, file), xz };
  }
  return undefined;
}

/** Moves a finished temporary file to its cache name, executable; a racing worker may have put it there first. */
function placeExecutable(tmp, target) {
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, target);
  return target;
}

/** Unpacks (xz) or copies a binary into the cache after checking its SHA-256; throws naming the file otherwise. */
function unpackKubeBinary(found, binary, target) {
  const { spawnSync } = require('node:child_process');
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    if (found.xz) {
      const out = fs.openSync(tmp, 'w');
      let result;
      try {
        result = spawnSync('xz', ['-dc', found.file], { stdio: ['ignore', out, 'pipe'] });
      } finally {
        fs.closeSync(out);
      }
      if (result.error) throw new Error(`xz is needed to unpack ${found.file} (${result.error.message}): install Debian's xz-utils.`);
      if (result.status !== 0) throw new Error(`xz could not unpack ${found.file}: ${String(result.stderr).trim()}`);
    } else {
      fs.copyFileSync(found.file, tmp);
    }
    const sum = sha256File(tmp);
    if (sum !== binary.sha256) {
      throw new Error(`${found.file} is not ${binary.name} ${binary.version}: its SHA-256 is ${sum}, expected ${binary.sha256}.`);
    }
    return placeExecutable(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds a binary from test/kube/<name> (Go module proxy, go.sum-verified), once per Go version and go.sum. */
function buildKubeBinary(binary) {
  const { spawnSync } = require('node:child_process');
  const moduleDir = path.join(ROOT, 'test', 'kube', binary.name);
  const goVersion = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (goVersion.error || goVersion.status !== 0) {
    throw new Error(`building ${binary.name} needs Go on PATH ("go env GOVERSION" failed: ${goVersion.error?.message ?? goVersion.stderr}).`);
  }
  const go = goVersion.stdout.trim();
  const key = require('node:crypto').createHash('sha256').update(go).update(binary.ldflags)
    .update(fs.readFileSync(path.join(moduleDir, 'go.mod'))).update(fs.readFileSync(path.join(moduleDir, 'go.sum')))
    .update(fs.readdirSync(moduleDir).filter((f) => f.endsWith('.go')).sort().map((f) => fs.readFileSync(path.join(moduleDir, f), 'utf8')).join('\0'))
    .digest('hex').slice(0, 12);
  const target = path.join(KUBE_CACHE, `${binary.name}-${binary.version}-built-${key}`);
  if (fs.existsSync(target)) return { file: target, go };
  fs.mkdirSync(KUBE_CACHE, { recursive: true });
  // One build at a time (jest workers, or test-tools and a test run): a mkdir lock holding the builder's pid.
  const lock = `${target}.lock`;
  for (;;) {
    if (fs.existsSync(target)) return { file: target, go };
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      try { owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      if (Number.isInteger(owner) && owner > 0) {
        try { process.kill(owner, 0); } catch (e) { if (e.code === 'ESRCH') fs.rmSync(lock, { recursive: true, force: true }); }
      }
      sleepMs(500);
    }
  }
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    if (fs.existsSync(target)) return { file: target, go };
    const started = Date.now();
    const result = spawnSync('go', ['build', '-mod=readonly', '-trimpath', '-ldflags', binary.ldflags, '-o', tmp, binary.package], {
      cwd: moduleDir,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'on', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error || result.status !== 0) {
      throw new Error(`building ${binary.name} ${binary.version} from test/kube/${binary.name} failed (its modules come from the Go module proxy): ${result.error?.message ?? ''}${String(result.stderr).trim().split('\n').slice(-15).join('\n')}`);
    }
    // What the build is, asked of the binary itself (a build's bytes differ from the pinned copy's with another Go
    // version or other version stamps; go.sum has verified every module it was built from).
    const version = spawnSync(tmp, ['--version'], { encoding: 'utf8' });
    if (!String(version.stdout).includes(binary.versionOutput)) {
      throw new Error(`the ${binary.name} built from test/kube/${binary.name} does not report "${binary.versionOutput}": ${version.stdout}${version.stderr}`);
    }
    const sha256 = sha256File(tmp);
    fs.writeFileSync(`${target}.built`, JSON.stringify({ go, seconds: Math.round((Date.now() - started) / 1000), sha256, pinned: sha256 === binary.sha256 }));
    return { file: placeExecutable(tmp, target), go };
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * kube-apiserver and etcd for the tests, unpacked or built into the cache: `{ 'kube-apiserver', etcd, from, source }`,
 * `from` one of `env`, `shared`, `build`. A directory named by KKP_VSPHERE_KUBE_BINARIES that lacks a binary or holds
 * a wrong one is an error, never a silent fallback; so is a wrong binary in ../shared/kubernetes-test-binaries.
 */
function kubeBinaries(env = process.env, sharedDir = SHARED_KUBE) {
  const named = env[KUBE_VARIABLE];
  let dir;
  let from;
  if (named) {
    dir = path.resolve(named);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new Error(`${KUBE_VARIABLE}=${named} is not a directory: point it at a directory holding ${KUBE_BINARIES.map((b) => `${b.name} ${b.version}`).join(' and ')}, or unset it.`);
    }
    from = 'env';
  } else if (fs.existsSync(sharedDir)) {
    dir = sharedDir;
    from = 'shared';
  } else {
    from = 'build';
  }
  const result = { from, source: dir };
  const builds = [];
  for (const binary of KUBE_BINARIES) {
    if (dir) {
      const found = kubeBinaryIn(dir, binary);
      if (!found) {
        throw new Error(`${dir} (${from === 'env' ? KUBE_VARIABLE : 'beside the checkout'}) holds no ${binary.name}-${binary.version}-linux-amd64(.xz): add it, or ${from === 'env' ? `unset ${KUBE_VARIABLE}` : 'remove the directory'} to build it from test/kube/${binary.name}.`);
      }
      const target = path.join(KUBE_CACHE, `${binary.name}-${binary.version}-${binary.sha256.slice(0, 12)}`);
      if (!fs.existsSync(target)) {
        fs.mkdirSync(KUBE_CACHE, { recursive: true });
        unpackKubeBinary(found, binary, target);
      }
      result[binary.name] = target;
      continue;
    }
    try {
      const built = buildKubeBinary(binary);
      result[binary.name] = built.file;
      builds.push(`${binary.name} built with ${built.go}`);
    } catch (err) {
      throw new Error(
        `no Kubernetes test binaries: ${KUBE_VARIABLE} is not set, ${sharedDir} does not exist, and ${err.message}\n` +
          `Either set ${KUBE_VARIABLE} to a directory holding ${KUBE_BINARIES.map((b) => `${b.name}-${b.version}-linux-amd64(.xz)`).join(' and ')}, ` +
          `or make the Go module proxy reachable for the build (README, Testing).`,
      );
    }
  }
  if (builds.length) result.builds = builds;
  return result;
}

module.exports = {
  MIRROR_VARIABLE, PROVIDERS, providerMirror, missingFromMirror, cliConfigText,
  KUBE_VARIABLE, KUBE_BINARIES, kubeBinaries,
};

if (require.main === module) {
  const command = process.argv[2];
  if (command === 'provider-mirror') {
    process.stdout.write(`${JSON.stringify(providerMirror())}\n`);
  } else if (command === 'check') {
    check().then(
      (line) => process.stdout.write(`test tools: ${line}\n`),
      (err) => {
        process.stderr.write(`test tools: ${err.message}\n`);
        process.exit(1);
      },
    );
  } else if (command === 'kube-binaries') {
    try {
      process.stdout.write(`${JSON.stringify(kubeBinaries())}\n`);
    } catch (err) {
      process.stderr.write(`test tools: ${err.message}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: real-binaries.js provider-mirror | check | kube-binaries\n');
    process.exit(2);
  }
}
