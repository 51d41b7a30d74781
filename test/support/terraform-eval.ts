// Evaluates Terraform expressions from a synthesized stack with the real terraform binary, offline.
//
// The stack's `variable` blocks and `locals` are kept, everything else (providers, resources, data
// sources, the terraform block) is dropped, and the expressions become outputs. A configuration
// without a provider needs no download, so `terraform init` and `apply` run here in well under a
// second each. An expression that refers to a resource or data source cannot be evaluated this way.
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A Terraform precondition as cdk.tf.json writes it. */
export interface TerraformPrecondition {
  readonly condition: string;
  readonly error_message: string;
}

/** What to evaluate. */
export interface TerraformEvalOptions {
  /** The synthesized stack: `Testing.synth(stack)` output, or that JSON parsed. */
  readonly synthesized: string | Record<string, unknown>;
  /**
   * Outputs to evaluate, name → value as it appears in cdk.tf.json (a template string such as
   * `"${var.x}"`, or any JSON value containing such strings).
   */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Variable values passed as TF_VAR_<name> in the environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Variable values passed in a JSON var file: for values the environment cannot carry (NUL). */
  readonly varFile?: Readonly<Record<string, unknown>>;
  /**
   * Preconditions attached to every output: pass a resource's `lifecycle.precondition` list to have
   * terraform check exactly the conditions that resource carries.
   * @default none
   */
  readonly preconditions?: readonly TerraformPrecondition[];
  /**
   * Mark the outputs sensitive. Terraform refuses an unmarked output whose value is sensitive, which
   * is how a test proves a value is marked.
   * @default true
   */
  readonly sensitive?: boolean;
}

/** terraform failed: `stderr` holds its diagnostics (colour off). */
export class TerraformEvalError extends Error {
  constructor(message: string, public readonly stderr: string, public readonly stdout: string) {
    super(message);
    this.name = 'TerraformEvalError';
  }
}

/** The evaluated outputs (name → value, as `terraform output -json` gives them) and the time taken. */
export interface TerraformEvalResult {
  readonly values: Record<string, unknown>;
  /** Wall time of init + apply + output, in milliseconds. */
  readonly millis: number;
}

let terraformChecked = false;

function checkTerraform(): void {
  if (terraformChecked) return;
  const probe = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'terraform CLI not found or not working (`terraform version` failed): install Terraform >= 1.11 ' +
      `on PATH; the cloud-config tests evaluate expressions with it. ${probe.error?.message ?? probe.stderr}`,
    );
  }
  terraformChecked = true;
}

/** Builds the provider-less configuration that {@link terraformEval} applies. */
export function evalConfiguration(options: TerraformEvalOptions): Record<string, unknown> {
  const stack = typeof options.synthesized === 'string'
    ? JSON.parse(options.synthesized) as Record<string, unknown>
    : options.synthesized;
  const config: Record<string, unknown> = {};
  if (stack.variable !== undefined) config.variable = stack.variable;
  if (stack.locals !== undefined) config.locals = stack.locals;
  const output: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options.outputs)) {
    output[name] = {
      value,
      sensitive: options.sensitive ?? true,
      ...(options.preconditions && options.preconditions.length > 0 ? { precondition: options.preconditions } : {}),
    };
  }
  config.output = output;
  return config;
}

/**
 * Writes the configuration to a temporary directory, runs `terraform init`, `terraform apply` and
 * `terraform output -json`, and returns the outputs. Throws {@link TerraformEvalError} when terraform
 * fails (a failed precondition, say); throws a plain Error when terraform is missing.
 */
export function terraformEval(options: TerraformEvalOptions): TerraformEvalResult {
  checkTerraform();
  const dir = mkdtempSync(join(tmpdir(), 'tf-eval-'));
  const started = Date.now();
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(evalConfiguration(options), null, 2));
    const applyArgs = ['apply', '-auto-approve', '-input=false', '-no-color'];
    if (options.varFile !== undefined) {
      writeFileSync(join(dir, 'eval.tfvars.json'), JSON.stringify(options.varFile));
      applyArgs.push('-var-file=eval.tfvars.json');
    }
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      // The test decides every variable: an inherited TF_VAR_ would make results depend on the shell.
      if (!name.startsWith('TF_VAR_')) env[name] = value;
    }
    Object.assign(env, {
      CHECKPOINT_DISABLE: '1', // no version check over the network
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      ...Object.fromEntries(Object.entries(options.env ?? {}).map(([k, v]) => [`TF_VAR_${k}`, v])),
    });
    run(dir, env, ['init', '-input=false', '-no-color', '-backend=false']);
    run(dir, env, applyArgs);
    const values = JSON.parse(run(dir, env, ['output', '-json', '-no-color'])) as Record<string, { value: unknown }>;
    return {
      values: Object.fromEntries(Object.entries(values).map(([name, o]) => [name, o.value])),
      millis: Date.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(dir: string, env: NodeJS.ProcessEnv, args: string[]): string {
  const result = spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new TerraformEvalError(`terraform ${args[0]} failed (exit ${result.status}):\n${result.stderr}`, result.stderr, result.stdout);
  }
  return result.stdout;
}

/** The terraform version line, for reports. */
export function terraformVersion(): string {
  checkTerraform();
  return execFileSync('terraform', ['version'], { encoding: 'utf8' }).split('\n')[0];
}
