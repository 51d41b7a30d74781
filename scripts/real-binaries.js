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
// registry cannot be reached.
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

module.exports = { MIRROR_VARIABLE, PROVIDERS, providerMirror, missingFromMirror, cliConfigText };

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
  } else {
    process.stderr.write('usage: real-binaries.js provider-mirror | check\n');
    process.exit(2);
  }
}
