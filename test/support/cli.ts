// The real CLI for tests: src/cli/main.ts and what it imports, compiled with the package's tsconfig into a cache
// directory of its own (parallel test files never race on lib/), run with node or found on PATH as
// `cdktf-kkp-vsphere`, the name a stack's provisioners call.
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
let built: { main: string; binDir: string } | undefined;

/** Every source file the CLI is compiled from, for the cache key. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|json)$/.test(e.name) ? [p] : [];
  });
}

/**
 * Compiles the CLI once per source version (cached under node_modules/.cache, named by a hash of src/ and the
 * tsconfig); returns its main.js and a directory holding `cdktf-kkp-vsphere` for PATH. Parallel jest workers build
 * into their own temporary directory and rename it into place: the result appears whole or not at all.
 */
export function buildCli(): { main: string; binDir: string } {
  if (built) return built;
  const hash = createHash('sha256');
  for (const file of [path.join(ROOT, 'tsconfig.json'), ...sourceFiles(path.join(ROOT, 'src')).sort()]) {
    hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  }
  const cache = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere');
  const out = path.join(cache, `cli-${hash.digest('hex').slice(0, 16)}`);
  const result = { main: path.join(out, 'lib', 'cli', 'main.js'), binDir: path.join(out, 'bin') };
  if (!fs.existsSync(path.join(result.binDir, 'cdktf-kkp-vsphere'))) {
    const tmp = `${out}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const tsconfig = path.join(tmp, 'tsconfig.json');
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(ROOT, 'tsconfig.json'),
        compilerOptions: { rootDir: path.join(ROOT, 'src'), outDir: path.join(tmp, 'lib'), declaration: false },
        files: [path.join(ROOT, 'src/cli/main.ts')],
        include: [],
      }),
    );
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { stdio: 'pipe' });
    fs.chmodSync(path.join(tmp, 'lib', 'cli', 'main.js'), 0o755);
    fs.mkdirSync(path.join(tmp, 'bin'));
    // npm's bin shim is a symlink to the same file: node runs it through its shebang. Relative, so the rename keeps it.
    fs.symlinkSync(path.join('..', 'lib', 'cli', 'main.js'), path.join(tmp, 'bin', 'cdktf-kkp-vsphere'));
    try {
      fs.renameSync(tmp, out);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another worker was first
    }
    // Older source versions are of no use any more.
    for (const stale of fs.readdirSync(cache).filter((d) => /^cli-[0-9a-f]{16}$/.test(d) && path.join(cache, d) !== out)) {
      fs.rmSync(path.join(cache, stale), { recursive: true, force: true });
    }
  }
  built = result;
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
