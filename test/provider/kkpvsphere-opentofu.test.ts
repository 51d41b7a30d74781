// The same stack as kkpvsphere-terraform.test.ts run with OpenTofu: the tofu of scripts/real-binaries.js tofuBinary
// (KKPVSPHERE_TOFU, else built once from OpenTofu's Go module through the Go module proxy; neither: the test fails
// naming both). OpenTofu reads `cdktf-kkp-vsphere/kkpvsphere` and `vmware/vsphere` as registry.opentofu.org addresses;
// the CLI configuration shows the same archives under that host.
import { tofuBinary } from '../support/terraform';
import { Harness, describeRun, runStack, startHarness } from './kkpvsphere-stack';

jest.setTimeout(30 * 60_000);

let h: Harness | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('OpenTofu: kkpvsphere_permissions with a user and a group on one object, and a single kkpvsphere_permission: apply, clean re-plan, drift of one principal shown and restored in place, state rm and import with an empty plan, destroy of its own permissions only; one vCenter login per provider instance and plugin process', async () => {
  const tofu = tofuBinary();
  console.log(`OpenTofu: ${tofu.version} (${tofu.from === 'env' ? 'KKPVSPHERE_TOFU' : 'built from its Go module'}: ${tofu.file})`);
  const r = await runStack(h!, 'kkp-tofu', tofu.file);
  console.log(describeRun(r));
  expect(r.lockEntry).toMatch(/^provider "registry\.opentofu\.org\/cdktf-kkp-vsphere\/kkpvsphere"/);
  expect(r.logins).toEqual({
    'plan (create)': 1,
    'apply saved plan (create)': 1,
    'plan (clean)': 1,
    'plan (removed on vCenter)': 1,
    'apply saved plan (restore)': 1,
    'plan (changed on vCenter)': 1,
    'apply saved plan (restore change)': 1,
    'import (kkpvsphere_permissions)': 1,
    'import (kkpvsphere_permission)': 1,
    'plan (after import)': 1,
    'destroy -target (plan and apply phases)': 2,
    'apply -auto-approve (plan and apply phases)': 2,
    'destroy (plan and apply phases)': 2,
  });
});
