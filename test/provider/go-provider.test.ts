// The kkpvsphere Terraform provider (provider/, its own Go module) is tested by its Go tests: terraform-plugin-testing
// drives terraform (from PATH) against the project's vCenter simulator (test/vcsim), which TestMain builds and starts.
// This runs them in `npm test` and fails with their output. Their OpenTofu run (TestInstalledBinaryOpenTofu) gets the
// tofu of scripts/real-binaries.js tofuBinary (KKPVSPHERE_TOFU, else built from OpenTofu's Go module), so it runs here
// instead of being skipped.
import { execFile } from 'child_process';
import * as path from 'path';
import { tofuBinary } from '../support/terraform';

const PROVIDER_DIR = path.resolve(__dirname, '../../provider');

test('provider/: go test ./... passes (permissions, templates, effective privileges, installed binary with terraform and OpenTofu)', async () => {
  const tofu = tofuBinary();
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      'go',
      ['test', '-count=1', '-v', './...'],
      {
        cwd: PROVIDER_DIR,
        // No cgo (no C compiler needed); versions exactly as provider/go.sum pins them.
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly', KKPVSPHERE_TOFU: tofu.file },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 20 * 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const output = `${stdout}${stderr}${error && error.killed ? '\n(go test was killed after 20 minutes)' : ''}`;
        resolve({ code, output });
      },
    );
  });
  if (result.code !== 0) {
    throw new Error(`go test ./... in provider/ failed (exit ${result.code}):\n${result.output.slice(-60_000)}`);
  }
  expect(result.output).toMatch(/^ok\s+\S+\/internal\/provider\s/m);
  // -v: each test's result is named, so a skipped OpenTofu run fails here instead of passing unseen
  expect(result.output).toMatch(/^--- PASS: TestInstalledBinaryTerraform /m);
  expect(result.output).toMatch(/^--- PASS: TestInstalledBinaryOpenTofu /m);
  expect(result.output).not.toMatch(/^\s*--- SKIP/m);
}, 21 * 60_000);
