// Shared by the tests that apply the library's Kubernetes objects with the real kubernetes provider (hashicorp/kubernetes
// 2.38.0, from the provider resolution of scripts/real-binaries.js) to a real API server (test/support/kube-apiserver.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { TerraformWorkspace } from '../support/terraform';

/**
 * Synthesizes one stack as `cdktf synth` does (App.synth into an output directory) and returns its cdk.tf.json text.
 * The state stays beside the configuration (a LocalBackend with a relative path).
 */
export function synthStack(name: string, build: (stack: TerraformStack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-synth-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, name);
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    build(stack);
    app.synth();
    return fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The same working directory (configuration and state) with other variables: a user's next run with a rotated TF_VAR_. */
export function withEnv(ws: TerraformWorkspace, env: Record<string, string>): TerraformWorkspace {
  return TerraformWorkspace.open(ws.dir, env);
}

/** Applies the plan saved by {@link TerraformWorkspace.planJson} (`tfplan`): exactly what it showed, or an error. */
export function applySavedPlan(ws: TerraformWorkspace): number {
  return ws.run(['apply', '-input=false', '-no-color', 'tfplan']).millis;
}

/**
 * `terraform destroy`, one resource at a time. With the simulator, the vSphere provider's concurrent folder deletions
 * can wait forever on the simulator's shared property collector ("context deadline exceeded" after 300 s; seen here with
 * two sibling cluster folders, and in issue 18's runs): a simulator limit, not the library's. One at a time, every
 * destroy here has finished.
 */
export function destroySerially(ws: TerraformWorkspace): number {
  return ws.run(['destroy', '-auto-approve', '-input=false', '-no-color', '-parallelism=1']).millis;
}

/** Addresses of the managed resources in the state. */
export function stateAddresses(ws: TerraformWorkspace): string[] {
  const out = ws.run(['state', 'list'], [0, 1]).stdout;
  return out.split('\n').filter((l) => l && !l.startsWith('data.')).sort();
}

/** Wall times of one test file's terraform runs, printed once at the end (for the README and the issue note). */
export class Timings {
  private readonly rows: string[] = [];
  public add(what: string, millis: number): void {
    this.rows.push(`${what}: ${(millis / 1000).toFixed(1)} s`);
  }
  public time<T>(what: string, run: () => T): T {
    const started = Date.now();
    try {
      return run();
    } finally {
      this.add(what, Date.now() - started);
    }
  }
  public print(title: string): void {
    if (this.rows.length) console.log(`${title}\n  ${this.rows.join("\n  ")}`);
  }
}
