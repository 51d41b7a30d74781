// The real CLI for tests: src/cli/main.ts and what it imports, compiled with the package's tsconfig into a directory
// of this jest worker (parallel test files never race on lib/), run with node or found on PATH as
// `cdktf-kkp-vsphere`, the name a stack's provisioners call.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
let built: { main: string; binDir: string } | undefined;

/** Compiles the CLI once per jest worker; returns its main.js and a directory holding `cdktf-kkp-vsphere` for PATH. */
export function buildCli(): { main: string; binDir: string } {
  if (built) return built;
  const out = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', `cli-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const tsconfig = path.join(out, 'tsconfig.json');
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { rootDir: path.join(ROOT, 'src'), outDir: path.join(out, 'lib'), declaration: false },
      files: [path.join(ROOT, 'src/cli/main.ts')],
      include: [],
    }),
  );
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { stdio: 'pipe' });
  const main = path.join(out, 'lib', 'cli', 'main.js');
  fs.chmodSync(main, 0o755);
  const binDir = path.join(out, 'bin');
  fs.mkdirSync(binDir);
  // npm's bin shim is a symlink to the same file: node runs it through its shebang.
  fs.symlinkSync(main, path.join(binDir, 'cdktf-kkp-vsphere'));
  built = { main, binDir };
  process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  return built;
}

/** The environment a command gets: the test's own variables only (no VSPHERE_* from the shell). */
export function cliEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VSPHERE_') && !k.startsWith('KKP_VSPHERE_')) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the built CLI. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [buildCli().main, ...args], { env: cliEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
