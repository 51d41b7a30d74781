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

// ---------------------------------------------------------------------------------------------------------------
// The kkpvsphere provider (provider/, this repository's own Go module), as terraform installs it for a user: built
// from source with `go build` (no cgo, -trimpath, versions of provider/go.sum) into a release zip in the packed
// filesystem-mirror layout, node_modules/.cache/cdktf-kkp-vsphere/kkpvsphere/<key>/registry.terraform.io/
// cdktf-kkp-vsphere/kkpvsphere/terraform-provider-kkpvsphere_<version>_<os>_<arch>.zip, the same zip
// provider/scripts/release.sh makes (one binary terraform-provider-kkpvsphere_v<version>, mode 0755). The key hashes the
// Go version and every non-test file of the module, so a changed source is a new build and an unchanged one is none.
// The mirror holds the same zip under registry.opentofu.org too: OpenTofu reads `cdktf-kkp-vsphere/kkpvsphere` as an
// address on its own registry. `terraform init` verifies the zip and records its hashes in .terraform.lock.hcl.
const KKPVSPHERE = { namespace: 'cdktf-kkp-vsphere', type: 'kkpvsphere', version: '0.1.0' };
const KKPVSPHERE_SOURCE = `registry.terraform.io/${KKPVSPHERE.namespace}/${KKPVSPHERE.type}`;
const PROVIDER_DIR = path.join(ROOT, 'provider');
const KKPVSPHERE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'kkpvsphere');
const REGISTRY_HOSTS = ['registry.terraform.io', 'registry.opentofu.org'];

/** Runs `build(tmp)` once for `target` across processes (a mkdir lock holding the builder's pid), then renames tmp to target. */
function buildOnce(target, build) {
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const lock = `${target}.lock`;
  for (;;) {
    if (fs.existsSync(target)) return target;
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
    if (fs.existsSync(target)) return target;
    fs.rmSync(tmp, { recursive: true, force: true });
    build(tmp);
    fs.renameSync(tmp, target);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function goEnv() {
  const { spawnSync } = require('node:child_process');
  const out = spawnSync('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new Error(`"go env" failed (${out.error?.message ?? String(out.stderr).trim()}): install Go 1.25 or later on PATH.`);
  }
  const [version, os, arch] = out.stdout.trim().split('\n');
  return { version, os, arch };
}

/** Every file of a directory tree, relative, sorted; `keep(rel)` filters. */
function treeFiles(dir, keep, rel = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const name = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...treeFiles(dir, keep, name));
    else if (entry.isFile() && keep(name)) out.push(name);
  }
  return out;
}

/** A zip archive (deflate) of one executable file, with a fixed timestamp so that the same binary gives the same zip. */
function zipOne(name, data) {
  const zlib = require('node:zlib');
  const packed = zlib.deflateRawSync(data, { level: 9 });
  const crc = zlib.crc32(data);
  const nameBytes = Buffer.from(name, 'utf8');
  const dosTime = 0; // 00:00:00
  const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the external attributes carry the file mode
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(((0o100755 << 16) >>> 0), 38); // regular file, rwxr-xr-x
  central.writeUInt32LE(0, 42); // offset of the local header
  const centralStart = local.length + nameBytes.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralStart, 16);
  return Buffer.concat([local, nameBytes, packed, central, nameBytes, end]);
}

/**
 * The kkpvsphere provider built from provider/ into a packed filesystem mirror (built once per source; see above):
 * `{ mirror, source, version, platform, archive, go }`. No Go, or a build that fails: an error naming the cause.
 */
function kkpvsphereMirror() {
  const { spawnSync } = require('node:child_process');
  const go = goEnv();
  const hash = require('node:crypto').createHash('sha256').update(go.version).update(`${go.os}_${go.arch}`).update(KKPVSPHERE.version);
  for (const file of treeFiles(PROVIDER_DIR, (f) => (f.endsWith('.go') && !f.endsWith('_test.go')) || f === 'go.mod' || f === 'go.sum')) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(PROVIDER_DIR, file))).update('\0');
  }
  const key = hash.digest('hex').slice(0, 16);
  const platform = `${go.os}_${go.arch}`;
  const zipName = `terraform-provider-${KKPVSPHERE.type}_${KKPVSPHERE.version}_${platform}.zip`;
  const mirror = path.join(KKPVSPHERE_CACHE, key);
  buildOnce(mirror, (tmp) => {
    const started = Date.now();
    const exe = `terraform-provider-${KKPVSPHERE.type}_v${KKPVSPHERE.version}`;
    fs.mkdirSync(tmp, { recursive: true });
    const binary = path.join(tmp, exe);
    const result = spawnSync('go', ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${KKPVSPHERE.version}`, '-o', binary, '.'], {
      cwd: PROVIDER_DIR,
      encoding: 'utf8',
      env: { ...process.env, GO111MODULE: 'on', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error || result.status !== 0) {
      throw new Error(`building the kkpvsphere provider from provider/ failed (its modules come from the Go module proxy; "cd provider && go mod download" fetches them): ${result.error?.message ?? ''}${String(result.stderr).trim().split('\n').slice(-15).join('\n')}`);
    }
    const zip = zipOne(exe, fs.readFileSync(binary));
    fs.rmSync(binary);
    for (const host of REGISTRY_HOSTS) {
      const dir = path.join(tmp, host, KKPVSPHERE.namespace, KKPVSPHERE.type);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, zipName), zip);
    }
    fs.writeFileSync(path.join(tmp, 'built.json'), JSON.stringify({ go: go.version, seconds: Math.round((Date.now() - started) / 100) / 10 }));
  });
  return {
    mirror,
    source: KKPVSPHERE_SOURCE,
    version: KKPVSPHERE.version,
    platform,
    archive: path.join(mirror, 'registry.terraform.io', KKPVSPHERE.namespace, KKPVSPHERE.type, zipName),
    go: go.version,
  };
}

/**
 * The CLI configuration for a resolution plus the kkpvsphere mirror: that mirror serves cdktf-kkp-vsphere/* (on
 * either registry host), the resolution's mirror or the registry everything else. With `tofu`, the other providers'
 * mirror is seen through a copy that adds registry.opentofu.org beside registry.terraform.io (OpenTofu reads
 * `vmware/vsphere` as registry.opentofu.org/vmware/vsphere; the archives are the same).
 */
function cliConfigWithKkpvsphere(resolution, kkp, { tofu = false } = {}) {
  const namespaces = REGISTRY_HOSTS.map((h) => `${h}/${KKPVSPHERE.namespace}/*`);
  let other = resolution.mirror;
  if (other && tofu) other = opentofuView(other);
  const rest = other
    ? `  filesystem_mirror {\n    path    = ${JSON.stringify(other)}\n    exclude = ${JSON.stringify(namespaces)}\n  }\n`
    : `  direct {\n    exclude = ${JSON.stringify(namespaces)}\n  }\n`;
  return (
    'disable_checkpoint = true\nprovider_installation {\n' +
    `  filesystem_mirror {\n    path    = ${JSON.stringify(kkp.mirror)}\n    include = ${JSON.stringify(namespaces)}\n  }\n` +
    `${rest}}\n`
  );
}

/**
 * A copy of a terraform mirror's registry.terraform.io providers under registry.opentofu.org as well (OpenTofu does
 * not follow a symbolic link in a mirror), once per mirror content; the files are the same archives.
 */
function opentofuView(mirror) {
  const source = path.join(mirror, 'registry.terraform.io');
  const files = fs.existsSync(source) ? treeFiles(source, () => true) : [];
  const hash = require('node:crypto').createHash('sha256').update(mirror);
  for (const f of files) {
    const st = fs.statSync(path.join(source, f));
    hash.update(`${f}\0${st.size}\0${st.mtimeMs}\0`);
  }
  const view = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'tofu-mirror', hash.digest('hex').slice(0, 12));
  return buildOnce(view, (tmp) => {
    for (const host of REGISTRY_HOSTS) {
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(tmp, host, f)), { recursive: true });
        fs.copyFileSync(path.join(source, f), path.join(tmp, host, f));
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// OpenTofu for the tests that run a stack with `tofu` as well as terraform:
//
//   1. KKPVSPHERE_TOFU: a tofu binary named by the person or CI running the tests (provider/'s Go tests read it too);
//   2. else built from its Go module through the Go module proxy, once, into node_modules/.cache/cdktf-kkp-vsphere/tofu/.
//      `go install github.com/opentofu/opentofu/cmd/tofu@<version>` is refused (its go.mod has replace directives),
//      so this does what `go install` cannot: `go mod download` of the module (go.sum-verified by the proxy's checksum
//      database), a writable copy of it, and `go build ./cmd/tofu` inside it with the module's own go.mod and go.sum;
//   3. else an error naming both ways.
const TOFU_VARIABLE = 'KKPVSPHERE_TOFU';
const TOFU = { module: 'github.com/opentofu/opentofu', version: 'v1.12.6' };

/** `{ file, from: 'env' | 'build', version }`; throws naming KKPVSPHERE_TOFU and the build's error. */
function tofuBinary(env = process.env) {
  const { spawnSync } = require('node:child_process');
  const named = env[TOFU_VARIABLE];
  if (named) {
    const file = path.resolve(named);
    const version = tofuVersion(file);
    if (version.error || version.status !== 0 || !version.line) {
      throw new Error(`${TOFU_VARIABLE}=${named} is not an OpenTofu binary ("${named} version" printed ${JSON.stringify(`${version.stdout ?? ''}${version.stderr ?? ''}`.trim() || version.error?.message || 'nothing')}): point it at tofu, or unset it to build OpenTofu ${TOFU.version} from its Go module.`);
    }
    return { file, from: 'env', version: version.line };
  }
  let go;
  try {
    go = goEnv();
  } catch (err) {
    throw new Error(`no OpenTofu: ${TOFU_VARIABLE} is not set and it cannot be built (${err.message}). Set ${TOFU_VARIABLE} to a tofu binary.`);
  }
  const target = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'tofu', `tofu-${TOFU.version}-${go.version}-release`);
  try {
    buildOnce(target, (tmp) => {
      const started = Date.now();
      const goEnvironment = { ...process.env, GO111MODULE: 'on', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' };
      const download = spawnSync('go', ['mod', 'download', '-json', `${TOFU.module}@${TOFU.version}`], { encoding: 'utf8', env: goEnvironment, maxBuffer: 16 * 1024 * 1024 });
      if (download.error || download.status !== 0) {
        throw new Error(`go mod download ${TOFU.module}@${TOFU.version} failed: ${download.error?.message ?? ''}${String(download.stdout).trim()} ${String(download.stderr).trim()}`);
      }
      const moduleDir = JSON.parse(download.stdout).Dir;
      const work = `${tmp}.src`;
      fs.rmSync(work, { recursive: true, force: true });
      try {
        fs.cpSync(moduleDir, work, { recursive: true });
        spawnSync('chmod', ['-R', 'u+w', work]);
        // The flags of OpenTofu's own release build (.goreleaser.yaml): without version.dev=no it reports "-dev".
        const built = spawnSync('go', ['build', '-trimpath', '-ldflags', "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'", '-o', tmp, './cmd/tofu'], {
          cwd: work, encoding: 'utf8', env: goEnvironment, maxBuffer: 64 * 1024 * 1024,
        });
        if (built.error || built.status !== 0) {
          throw new Error(`go build ./cmd/tofu in ${TOFU.module}@${TOFU.version} failed: ${built.error?.message ?? ''}${String(built.stderr).trim().split('\n').slice(-15).join('\n')}`);
        }
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      fs.chmodSync(tmp, 0o755);
      fs.writeFileSync(`${target}.built`, JSON.stringify({ go: go.version, seconds: Math.round((Date.now() - started) / 1000) }));
    });
  } catch (err) {
    throw new Error(
      `no OpenTofu: ${TOFU_VARIABLE} is not set and building OpenTofu ${TOFU.version} from its Go module failed: ${err.message}\n` +
        `Either set ${TOFU_VARIABLE} to a tofu binary, or make the Go module proxy reachable for the build.`,
    );
  }
  const version = tofuVersion(target);
  if (!version.line) throw new Error(`${target} (OpenTofu built from ${TOFU.module}@${TOFU.version}) does not report a version: ${version.stdout}${version.stderr}`);
  return { file: target, from: 'build', version: version.line };
}

/** `tofu version` without any CLI configuration; `line` is its "OpenTofu v..." line. */
function tofuVersion(file) {
  const { spawnSync } = require('node:child_process');
  const run = spawnSync(file, ['version'], { encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' } });
  const line = /^OpenTofu v\S+/m.exec(String(run.stdout ?? ''));
  return { ...run, line: line ? line[0] : undefined };
}

module.exports = {
  MIRROR_VARIABLE, PROVIDERS, providerMirror, missingFromMirror, cliConfigText,
  KUBE_VARIABLE, KUBE_BINARIES, kubeBinaries,
  KKPVSPHERE, KKPVSPHERE_SOURCE, kkpvsphereMirror, cliConfigWithKkpvsphere,
  TOFU_VARIABLE, TOFU, tofuBinary,
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
  } else if (command === 'kkpvsphere') {
    try {
      process.stdout.write(`${JSON.stringify(kkpvsphereMirror())}\n`);
    } catch (err) {
      process.stderr.write(`test tools: ${err.message}\n`);
      process.exit(1);
    }
  } else if (command === 'tofu') {
    try {
      process.stdout.write(`${JSON.stringify(tofuBinary())}\n`);
    } catch (err) {
      process.stderr.write(`test tools: ${err.message}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: real-binaries.js provider-mirror | check | kube-binaries | kkpvsphere | tofu\n');
    process.exit(2);
  }
}
