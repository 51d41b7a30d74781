// The kkpvsphere Terraform provider (provider/, its own Go module) is tested by its Go tests: terraform-plugin-testing
// drives terraform (from PATH) against the project's vCenter simulator (test/vcsim), which TestMain builds and starts.
// This runs them in `npm test` and fails with their output.
import { execFile } from 'child_process';
import * as path from 'path';

const PROVIDER_DIR = path.resolve(__dirname, '../../provider');

test('provider/: go test ./... passes (permissions, templates, effective privileges, installed binary)', async () => {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      'go',
      ['test', '-count=1', './...'],
      {
        cwd: PROVIDER_DIR,
        // No cgo (no C compiler needed); versions exactly as provider/go.sum pins them.
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
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
}, 21 * 60_000);
