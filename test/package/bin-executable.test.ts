// The CLI as the repository's own example runs it: `npm run build` (the real script from package.json), then
// `npx --no-install cdktf-kkp-vsphere` through /bin/sh from a stack directory below the package, as terraform's
// local-exec provisioners run it under `cdktf deploy` (cwd cdktf.out/stacks/<stack>). No chmod here: the build must
// leave lib/cli/main.js executable.
//
// npx keeps a link to the package in its cache (~/.npm/_npx); npm sets the execute bit when it first makes that link
// (a cold cache hides the defect). A later build writes lib/ anew with mode 644 and the warm cache does not
// set it again: that is what a user hits (exit 127, "Permission denied"), and what this test reproduces with a
// cache of its own.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

let work: string;
let copy: string;
let stackDir: string;
let env: NodeJS.ProcessEnv;

/** The package's build inputs in a directory of their own, so this test never rewrites the checkout's lib/. */
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-bin-'));
  copy = path.join(work, 'pkg');
  fs.mkdirSync(copy);
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'scripts']) {
    fs.cpSync(path.join(repo, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  stackDir = path.join(copy, 'examples', 'app', 'cdktf.out', 'stacks', 'seed');
  fs.mkdirSync(stackDir, { recursive: true });
  // npm's own cache (and npx's) in the test's directory: the result depends on nothing in ~/.npm.
  env = { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false' };
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function npmRunBuild(): void {
  const r = spawnSync('npm', ['run', 'build'], { cwd: copy, env, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run build exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

/** What the provisioners run: terraform's local-exec hands the command to /bin/sh -c in the stack directory. */
function provisionerCommand(): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', 'npx --no-install cdktf-kkp-vsphere --version'], { cwd: stackDir, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

test('every bin of package.json is executable after npm run build, and the example\'s npx command runs it, also after a clean rebuild with a warm npx cache', () => {
  const bins = Object.values(pkg.bin).map((b) => path.join(copy, b));
  expect(bins).toEqual([path.join(copy, 'lib', 'cli', 'main.js')]);
  const ok = { status: 0, stdout: `${pkg.version}\n`, stderr: expect.any(String) };

  npmRunBuild();
  const built = bins.map(mode); // before npx: a cold npx cache sets the bit itself
  const first = provisionerCommand();

  // A clean rebuild (lib/ removed first, as `git clean` or a fresh CI checkout leaves it): tsc writes new files.
  fs.rmSync(path.join(copy, 'lib'), { recursive: true, force: true });
  npmRunBuild();
  const rebuilt = bins.map(mode);
  const again = provisionerCommand();

  // One comparison, so a failure shows every step (without the build's chmod: 644, 0, 644, 127 "Permission denied").
  expect({ built, first, rebuilt, again }).toEqual({ built: bins.map(() => 0o755), first: ok, rebuilt: bins.map(() => 0o755), again: ok });
}, 600_000);
