// Reads a cdktf synth output directory (manifest.json + each stack's cdk.tf.json) into a Report.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractStack } from './extract';
import { Report } from './model';

/** A synth output that cannot be read; the message names the file and the fix. */
export class SynthOutputError extends Error {
  public override readonly name = 'SynthOutputError';
}

function readJson(file: string, what: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SynthOutputError(`cannot read ${what} ${file}: ${(err as Error).message}. ${fix}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SynthOutputError(`${what} ${file} is not valid JSON (${(err as Error).message}). ${fix}`);
  }
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
  return {
    format: 'cdktf-kkp-vsphere/report@1',
    stacks: names.map((name) => {
      const entry = (stacks as Record<string, { synthesizedStackPath?: unknown; name?: unknown }>)[name];
      const rel = entry?.synthesizedStackPath;
      if (typeof rel !== 'string' || rel === '') {
        throw new SynthOutputError(`manifest ${manifestPath}: stack "${name}" has no synthesizedStackPath. ${resynth}`);
      }
      const file = resolve(root, rel);
      if (!existsSync(file)) {
        throw new SynthOutputError(`stack "${name}": ${file} (its synthesizedStackPath) does not exist. ${resynth}`);
      }
      const tf = readJson(file, `stack "${name}"`, resynth);
      if (typeof tf !== 'object' || tf === null || Array.isArray(tf)) {
        throw new SynthOutputError(`stack "${name}": ${file} is not a Terraform JSON configuration object. ${resynth}`);
      }
      return extractStack(typeof entry.name === 'string' ? entry.name : name, tf as Record<string, unknown>);
    }),
  };
}
