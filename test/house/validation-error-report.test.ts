// A refused input ends the app that `cdktf synth` runs with the message once and no stack trace: the built package
// (lib/, what an app loads) in a plain node process, as the CLI spawns it. Node's own report of an uncaught error
// printed the library's source line, ten frames into lib/ and the error's fields (the problem three times).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const lib = path.join(repo, 'lib');

/** Runs `body` as a node app with cdktf, the vSphere provider binding and the built package in scope. */
function runApp(body: string): { status: number | null; stdout: string; stderr: string; outdir: string } {
  if (!fs.existsSync(path.join(lib, 'base', 'errors.js'))) throw new Error('lib/ is not built: run `npm run build` first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-error-report-'));
  const outdir = path.join(dir, 'cdktf.out');
  const app = path.join(dir, 'app.js');
  fs.writeFileSync(
    app,
    [
      `const { App, TerraformStack, TerraformVariable } = require(${JSON.stringify(require.resolve('cdktf', { paths: [repo] }))});`,
      `const { VsphereProvider } = require(${JSON.stringify(require.resolve('@cdktf/provider-vsphere/lib/provider', { paths: [repo] }))});`,
      `const kkp = require(${JSON.stringify(lib)});`,
      `const app = new App({ outdir: ${JSON.stringify(outdir)} });`,
      "const stack = new TerraformStack(app, 'seed');",
      "const inventory = new kkp.VsphereInventory(stack, 'Inventory', { datacenter: 'dc-1' });",
      body,
      'app.synth();',
    ].join('\n'),
  );
  const run = spawnSync(process.execPath, [app], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outdir };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;
const STACK_FRAME = /^\s+at /m;

test('a construct refusing its props: the message once on stderr, no stack trace, no source line, exit code 1', () => {
  const message = 'VmFolder seed/Folder path: must be a non-empty path, got ""; give folder names separated by "/", e.g. "kkp/templates".';
  const run = runApp("new kkp.VmFolder(stack, 'Folder', { inventory, path: '' });");
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(`KkpValidationError: ${message}\n`);
  expect(occurrences(run.stderr, 'must be a non-empty path')).toBe(1);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.stdout).toBe('');
});

test('the checks at app.synth(): every problem once, no stack trace, nothing written', () => {
  const run = runApp(
    "new VsphereProvider(stack, 'vsphere', { user: 'terraform@vsphere.local', password: 'Literal-S3cret' });\n" +
      "new kkp.VmFolder(stack, 'Folder', { inventory, path: 'kkp' });",
  );
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^KkpValidationError: cdktf-kkp-vsphere stopped the synth before writing anything; fix these inputs:\n {2}\[seed\/vsphere\] provider "vsphere" password is a literal string/);
  expect(occurrences(run.stderr, 'password is a literal string')).toBe(1);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.stderr).not.toContain('Literal-S3cret');
  expect(fs.existsSync(path.join(run.outdir, 'stacks', 'seed', 'cdk.tf.json'))).toBe(false);
});

test('any other uncaught error is reported as node reports it, stack included, after a KkpValidationError was caught', () => {
  const run = runApp(
    "try { new kkp.VmFolder(stack, 'Folder', { inventory, path: '' }); } catch (e) { if (!kkp.KkpValidationError.isKkpValidationError(e)) throw e; }\n" +
      "throw new Error('the app itself failed');",
  );
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('Error: the app itself failed');
  expect(run.stderr).toMatch(STACK_FRAME);
  expect(run.stderr).not.toContain('KkpValidationError');
});
