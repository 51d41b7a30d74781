// The simulator's privilege enforcement (VCSIM_ENFORCE_PRIVILEGES=1, test/vcsim/enforce*.go, visibility.go) is tested by
// its Go tests, one per rule, each naming the vCenter behaviour it follows (test/vcsim/enforce_test.go). This runs them
// in `npm test` and fails with their output.
import { execFile } from 'child_process';
import * as path from 'path';

const MODULE_DIR = path.resolve(__dirname, '..');

/** The rules enforce_test.go has a test for; a test renamed or removed fails here instead of passing unseen. */
const RULES = [
  'TestEnforceCreateFolder',
  'TestEnforceDestroyFolder',
  'TestEnforcePowerOnOff',
  'TestEnforceDestroyVM',
  'TestEnforceCloneTemplate',
  'TestEnforceReconfigure',
  'TestEnforceVisibility',
  'TestEnforceAdminAndOff',
  'TestEnforceCns',
  'TestEnforceTagging',
  'TestEnforceDatastoreUpload',
  'TestEnforceDeleteDatastoreFile',
  'TestVisibilityPortgroupSwitch',
  'TestKkpExampleSwitchType',
];

test('test/vcsim: go test passes, one test per privilege rule of the simulator', async () => {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      'go',
      // -timeout: a test that hangs (a client looping on an answer it does not expect) fails in minutes, not at jest's limit
      ['test', '-count=1', '-v', '-timeout', '240s', './vcsim/'],
      {
        cwd: MODULE_DIR,
        // No cgo (no C compiler needed); versions exactly as test/go.sum pins them.
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 5 * 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const output = `${stdout}${stderr}${error && error.killed ? '\n(go test was killed after 5 minutes)' : ''}`;
        resolve({ code, output });
      },
    );
  });
  if (result.code !== 0) {
    throw new Error(`go test ./vcsim/ in test/ failed (exit ${result.code}):\n${result.output.slice(-60_000)}`);
  }
  expect(result.output).toMatch(/^ok\s+\S+\/test\/vcsim\s/m);
  for (const rule of RULES) expect(result.output).toMatch(new RegExp(`^--- PASS: ${rule} `, 'm'));
  expect(result.output).not.toMatch(/^\s*--- (SKIP|FAIL)/m);
}, 6 * 60_000);
