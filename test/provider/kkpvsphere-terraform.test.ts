// The kkpvsphere provider from its generated cdktf bindings, with terraform: built from provider/, installed by
// `terraform init` from a packed filesystem mirror, applied beside the real vSphere provider on the simulator
// (what is checked at each step: test/provider/kkpvsphere-stack.ts).
import { Harness, describeRun, runStack, startHarness } from './kkpvsphere-stack';

jest.setTimeout(15 * 60_000);

let h: Harness | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('terraform: kkpvsphere_permissions with a user and a group on one object, and a single kkpvsphere_permission: apply, clean re-plan, drift of one principal shown and restored in place, state rm and import with an empty plan, destroy of its own permissions only; one vCenter login per provider instance and plugin process', async () => {
  const r = await runStack(h!, 'kkp-tf');
  console.log(describeRun(r));
  // One provider instance: one login in each plugin process that touches vCenter (a plan, the apply of a saved plan, an
  // import); a one-command apply or destroy runs a plan process and an apply process.
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
