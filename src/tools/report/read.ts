// Reads a cdktf synth output directory (manifest.json + each stack's cdk.tf.json) into a Report.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { crossStackFacts, extractStack } from './extract';
import { Report } from './model';

/** A synth output that cannot be read; the message names the file and the fix. */
export class SynthOutputError extends Error {
  public override readonly name = 'SynthOutputError';
}

/**
 * Parses JSON without echoing the text: V8's messages quote the first characters of the input ("Unexpected token
 * 'r', "password=h"... is not valid JSON"), and a file that is not ours may hold anything, a credential included.
 */
export function parseJsonQuietly(text: string): { ok: true; value: unknown } | { ok: false; where: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    if (!at) return { ok: false, where: text.trim() === '' ? 'the file is empty' : 'invalid JSON' };
    const pos = Number(at[1]);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    return { ok: false, where: `invalid JSON at line ${line}, column ${column}` };
  }
}

function readJson(file: string, what: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SynthOutputError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'read error'}. ${fix}`);
  }
  const parsed = parseJsonQuietly(text);
  if (!parsed.ok) throw new SynthOutputError(`${what} ${file} is not valid JSON (${parsed.where}). ${fix}`);
  return parsed.value;
}

/** The top-level keys of a Terraform JSON configuration (developer.hashicorp.com/terraform/language/syntax/json). */
const TERRAFORM_JSON_KEYS = new Set([
  '//',
  'terraform',
  'provider',
  'resource',
  'data',
  'variable',
  'output',
  'locals',
  'module',
  'moved',
  'import',
  'check',
  'removed',
]);

/**
 * Refuses JSON that is not a cdktf stack: another tool's file read as a stack would give an empty report and exit 0,
 * which a reviewer takes for "no permissions". Key names are not echoed: another tool's keys can be data.
 */
export function checkTerraformJson(tf: unknown, what: string, fix: string): asserts tf is Record<string, unknown> {
  if (typeof tf !== 'object' || tf === null || Array.isArray(tf)) {
    throw new SynthOutputError(`${what} is not a Terraform JSON configuration object. ${fix}`);
  }
  const keys = Object.keys(tf);
  if ('format_version' in tf && ('planned_values' in tf || 'resource_changes' in tf)) {
    throw new SynthOutputError(
      `${what} is a Terraform plan (terraform show -json), not a synthesized stack: pass it with --plan <stack>=<file>.`,
    );
  }
  if ('format_version' in tf && 'values' in tf) {
    throw new SynthOutputError(`${what} is Terraform state (terraform show -json without a plan), not a synthesized stack. ${fix}`);
  }
  const foreign = keys.filter((k) => !TERRAFORM_JSON_KEYS.has(k));
  if (foreign.length) {
    throw new SynthOutputError(
      `${what} is not a Terraform JSON configuration: ${foreign.length} of its ${keys.length} top-level keys are not ` +
        `Terraform's (terraform, provider, resource, data, variable, output, ...). ${fix}`,
    );
  }
  const meta = ((tf as Record<string, unknown>)['//'] as { metadata?: unknown } | undefined)?.metadata;
  if (typeof meta !== 'object' || meta === null) {
    throw new SynthOutputError(`${what} has no cdktf metadata ("//": { "metadata": ... }), so cdktf synth did not write it. ${fix}`);
  }
}

/** Whether `file` is inside `root` (both real paths): the manifest may not send the reader elsewhere. */
function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Reads every stack of the synth output in `dir` (the directory `cdktf synth` wrote, holding manifest.json). */
export function readSynthOutput(dir: string): Report {
  const root = resolve(dir);
  const resynth = 'Run `cdktf synth` again (or `npm run synth`) and pass the output directory.';
  if (!existsSync(root)) {
    throw new SynthOutputError(`synth output directory ${root} does not exist. ${resynth}`);
  }
  if (!statSync(root).isDirectory()) {
    throw new SynthOutputError(`${root} is a file, not a synth output directory: pass the directory that holds manifest.json (default cdktf.out).`);
  }
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(manifestPath)) {
    const hint = existsSync(join(root, 'cdk.tf.json'))
      ? ' This looks like one stack\'s directory; pass its parent synth output directory (the one with manifest.json).'
      : '';
    throw new SynthOutputError(`${root} has no manifest.json, so it is not a cdktf synth output.${hint} ${resynth}`);
  }
  const manifest = readJson(manifestPath, 'manifest', resynth);
  const stacks = (manifest as { stacks?: unknown } | null)?.stacks;
  if (typeof stacks !== 'object' || stacks === null || Array.isArray(stacks)) {
    throw new SynthOutputError(`manifest ${manifestPath} has no "stacks" object; it was not written by cdktf synth. ${resynth}`);
  }
  const names = Object.keys(stacks).sort();
  if (names.length === 0) {
    throw new SynthOutputError(`manifest ${manifestPath} lists no stacks: the app synthesized nothing. Add a TerraformStack and synth again.`);
  }
  const realRoot = realpathSync(root);
  const reports = names.map((name) => {
    const entry = (stacks as Record<string, { synthesizedStackPath?: unknown; name?: unknown }>)[name];
    const rel = entry?.synthesizedStackPath;
    if (typeof rel !== 'string' || rel === '') {
      throw new SynthOutputError(`manifest ${manifestPath}: stack "${name}" has no synthesizedStackPath. ${resynth}`);
    }
    const file = resolve(root, rel);
    // Checked before anything is read: a manifest must not make the report open (and quote) files elsewhere.
    if (!inside(root, file)) {
      throw new SynthOutputError(
        `manifest ${manifestPath}: stack "${name}" has a synthesizedStackPath outside the synth output directory ${root}; ` +
          `cdktf writes stacks/<name>/cdk.tf.json inside it. ${resynth}`,
      );
    }
    if (!existsSync(file)) {
      throw new SynthOutputError(`stack "${name}": ${file} (its synthesizedStackPath) does not exist. ${resynth}`);
    }
    // A symbolic link inside the directory may point out of it: compare real paths too.
    if (!inside(realRoot, realpathSync(file))) {
      throw new SynthOutputError(
        `stack "${name}": ${file} is a link to a file outside the synth output directory ${root}. ${resynth}`,
      );
    }
    const tf = readJson(file, `stack "${name}"`, resynth);
    checkTerraformJson(tf, `stack "${name}": ${file}`, resynth);
    return extractStack(typeof entry.name === 'string' ? entry.name : name, tf);
  });
  return { format: 'cdktf-kkp-vsphere/report@2', stacks: reports, crossStack: crossStackFacts(reports) };
}
