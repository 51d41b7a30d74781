// Real terraform runs for tests: init, apply, plan, destroy of a synthesized configuration in a working directory
// of its own. Providers come from the one resolution of scripts/real-binaries.js: the mirror named by
// KKP_VSPHERE_PROVIDER_MIRROR, else ../shared/terraform-providers beside the checkout, else terraform's registry (as
// for a user). The CLI configuration (TF_CLI_CONFIG_FILE) written here says exactly that and nothing else, plus, for
// a configuration that requires cdktf-kkp-vsphere/kkpvsphere, the filesystem mirror the provider is built into from
// provider/ (real-binaries.js kkpvsphereMirror), so `terraform init` installs it and locks it as a user's install does.
// A workspace can run OpenTofu instead (`{ tofu: <binary> }`, real-binaries.js tofuBinary).
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const realBinaries: {
  providerMirror(): { mirror?: string; from: 'env' | 'shared' | 'registry' };
  cliConfigText(resolution: { mirror?: string }): string;
  kkpvsphereMirror(): KkpvsphereMirror;
  cliConfigWithKkpvsphere(resolution: { mirror?: string }, kkp: KkpvsphereMirror, options?: { tofu?: boolean }): string;
  tofuBinary(): { file: string; from: 'env' | 'build'; version: string };
} = require('../../scripts/real-binaries.js');

/** The kkpvsphere provider built from provider/ into a packed filesystem mirror. */
export interface KkpvsphereMirror {
  readonly mirror: string;
  readonly source: string;
  readonly version: string;
  readonly platform: string;
  readonly archive: string;
  readonly go: string;
}

/** The kkpvsphere provider for the tests: built from provider/ once per source (minutes the first time). */
export function kkpvsphereMirror(): KkpvsphereMirror {
  return realBinaries.kkpvsphereMirror();
}

/** OpenTofu for the tests: KKPVSPHERE_TOFU, else built from its Go module once; throws naming both otherwise. */
export function tofuBinary(): { file: string; from: 'env' | 'build'; version: string } {
  return realBinaries.tofuBinary();
}

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'terraform');

/** Where the tests' terraform installs providers from: a mirror directory, or the registry (undefined). */
export function providerMirror(): string | undefined {
  return realBinaries.providerMirror().mirror;
}

/**
 * Writes (once per content) and returns the CLI configuration file a test terraform run uses: the provider mirror's,
 * with the kkpvsphere mirror added when `kkpvsphere` (or `tofu`, whose file also shows the mirror under OpenTofu's
 * registry host).
 */
export function terraformCliConfig(options: { readonly kkpvsphere?: boolean; readonly tofu?: boolean } = {}): string {
  const resolution = realBinaries.providerMirror();
  const text =
    options.kkpvsphere || options.tofu
      ? realBinaries.cliConfigWithKkpvsphere(resolution, realBinaries.kkpvsphereMirror(), { tofu: options.tofu })
      : realBinaries.cliConfigText(resolution);
  const file = path.join(CACHE, `terraform-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.tfrc`);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, text);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }
  return file;
}

/** terraform exited non-zero: the message holds its diagnostics. */
export class TerraformError extends Error {
  constructor(public readonly args: readonly string[], public readonly status: number | null, public readonly stdout: string, public readonly stderr: string) {
    super(`terraform ${args.join(' ')} failed (exit ${status}):\n${stderr || stdout}`);
    this.name = 'TerraformError';
  }
}

/** How a workspace runs. */
export interface WorkspaceOptions {
  /** Run this OpenTofu binary instead of terraform (its CLI configuration shows the mirrors under registry.opentofu.org too). */
  readonly tofu?: string;
}

/** One terraform run's result. */
export interface TerraformRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly millis: number;
}

/** A working directory holding one configuration (cdk.tf.json) and its local state. */
export class TerraformWorkspace {
  /** Creates a workspace for a configuration (a synthesized stack as JSON text or object). */
  public static create(config: string | object, env: Readonly<Record<string, string>> = {}, options: WorkspaceOptions = {}): TerraformWorkspace {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-ws-'));
    const ws = new TerraformWorkspace(dir, env, options);
    ws.write(config);
    return ws;
  }

  /**
   * A workspace in a directory that holds a configuration already: a synthesized stack's own directory
   * (`<outdir>/stacks/<stack>`), where `cdktf deploy` runs terraform and where relative paths in it resolve.
   */
  public static open(dir: string, env: Readonly<Record<string, string>> = {}, options: WorkspaceOptions = {}): TerraformWorkspace {
    if (!fs.existsSync(path.join(dir, 'cdk.tf.json'))) throw new Error(`${dir} holds no cdk.tf.json: synthesize the stack first.`);
    return new TerraformWorkspace(dir, env, options);
  }

  private constructor(
    public readonly dir: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly options: WorkspaceOptions = {},
  ) {}

  /** The program this workspace runs: `terraform`, or the OpenTofu binary it was created with. */
  public get tool(): string {
    return this.options.tofu ?? 'terraform';
  }

  /** Replaces the configuration (a user's next `cdktf synth`); the state stays. */
  public write(config: string | object): void {
    fs.writeFileSync(path.join(this.dir, 'cdk.tf.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }

  /** Runs terraform with the given arguments; throws {@link TerraformError} on a non-zero exit unless allowed. */
  public run(args: readonly string[], allowStatus: readonly number[] = [0]): TerraformRun {
    const started = Date.now();
    const result = spawnSync(this.tool, [...args], {
      cwd: this.dir,
      env: this.environment(),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error && this.options.tofu) {
      throw new Error(`OpenTofu (${this.options.tofu}) could not be run: ${result.error.message}`);
    }
    if (result.error) {
      throw new Error(`terraform could not be run (${result.error.message}): install Terraform >= 1.11 on PATH (bash .ci/run checks for it).`);
    }
    const run = { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, millis: Date.now() - started };
    if (!allowStatus.includes(run.status)) throw new TerraformError(args, result.status, result.stdout, result.stderr);
    return run;
  }

  public init(): TerraformRun {
    return this.run(['init', '-input=false', '-no-color']);
  }

  public apply(): TerraformRun {
    return this.run(['apply', '-auto-approve', '-input=false', '-no-color']);
  }

  /** `terraform plan -detailed-exitcode`: 0 no changes, 2 changes. */
  public planExitCode(): number {
    return this.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'], [0, 2]).status;
  }

  /** A saved plan as `terraform show -json` prints it. */
  public planJson(destroy = false): any {
    this.run(['plan', '-input=false', '-no-color', '-out=tfplan', ...(destroy ? ['-destroy'] : [])]);
    return JSON.parse(this.run(['show', '-json', '-no-color', 'tfplan']).stdout);
  }

  public destroy(): TerraformRun {
    return this.run(['destroy', '-auto-approve', '-input=false', '-no-color']);
  }

  /** The state as `terraform show -json` prints it. */
  public state(): any {
    return JSON.parse(this.run(['show', '-json', '-no-color']).stdout);
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Whether the configuration requires the kkpvsphere provider (then its mirror is built and named in the CLI configuration). */
  private requiresKkpvsphere(): boolean {
    const file = path.join(this.dir, 'cdk.tf.json');
    if (!fs.existsSync(file)) return false;
    const providers = JSON.parse(fs.readFileSync(file, 'utf8'))?.terraform?.required_providers ?? {};
    return Object.values(providers).some((p: any) => typeof p?.source === 'string' && /(^|\/)cdktf-kkp-vsphere\/kkpvsphere$/i.test(p.source));
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      // The test decides every variable and every vCenter setting: nothing leaks in from the shell.
      if (!name.startsWith('TF_VAR_') && !name.startsWith('VSPHERE_') && !name.startsWith('TF_CLI_ARGS')) env[name] = value;
    }
    return {
      ...env,
      TF_CLI_CONFIG_FILE: terraformCliConfig({ kkpvsphere: this.requiresKkpvsphere(), tofu: this.options.tofu !== undefined }),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      ...this.env,
    };
  }
}
