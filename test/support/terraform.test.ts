// The terraform harness itself: a configuration of terraform_data resources with local-exec provisioners (the
// mechanism of the library's commands run from a stack) is applied, re-planned, changed and destroyed offline.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformWorkspace } from './terraform';

let ws: TerraformWorkspace;
afterEach(() => ws?.remove());

function config(names: string[], log: string) {
  const resource: Record<string, unknown> = {};
  for (const name of names) {
    resource[name] = {
      input: { name },
      provisioner: [
        { 'local-exec': { command: `echo "create ${name}" >> ${JSON.stringify(log)}` } },
        { 'local-exec': { when: 'destroy', command: `echo "destroy \${self.input.name}" >> ${JSON.stringify(log)}` } },
      ],
    };
  }
  return { resource: { terraform_data: resource } };
}

test('apply, an empty re-plan, a change and destroy run offline with the CLI configuration of the tests', () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tf-log-')), 'log');
  // Resources apply in parallel: compare each phase's lines as a sorted list.
  const phase = (): string[] => {
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    fs.rmSync(log, { force: true });
    return lines.sort();
  };
  ws = TerraformWorkspace.create(config(['a', 'b'], log));
  ws.init();
  ws.apply();
  expect(phase()).toEqual(['create a', 'create b']);
  expect(ws.planExitCode()).toBe(0);

  ws.write(config(['a', 'c'], log));
  expect(ws.planExitCode()).toBe(2);
  const plan = ws.planJson();
  expect(plan.resource_changes.map((c: any) => `${c.address} ${c.change.actions.join('+')}`).sort()).toEqual([
    'terraform_data.a no-op',
    'terraform_data.b delete',
    'terraform_data.c create',
  ]);
  ws.apply();
  // Terraform's documented rule: a resource block removed from the configuration takes its provisioners with it,
  // so "b" is destroyed without its destroy-time provisioner. A command that must run on removal needs the
  // for_each form below.
  expect(phase()).toEqual(['create c']);
  ws.destroy();
  expect(phase()).toEqual(['destroy a', 'destroy c']);
  expect(ws.state().values).toBeUndefined();
});

test('an instance removed from a for_each map runs its destroy-time provisioner, also when the map becomes empty', () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tf-log-')), 'log');
  const forEach = (names: string[]) => ({
    resource: {
      terraform_data: {
        grants: {
          for_each: Object.fromEntries(names.map((n) => [n, { name: n }])),
          input: '${each.value}',
          provisioner: [
            { 'local-exec': { command: `echo "create \${each.key}" >> ${JSON.stringify(log)}` } },
            { 'local-exec': { when: 'destroy', command: `echo "destroy \${self.input.name}" >> ${JSON.stringify(log)}` } },
          ],
        },
      },
    },
  });
  const phase = (): string[] => {
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    fs.rmSync(log, { force: true });
    return lines.sort();
  };
  ws = TerraformWorkspace.create(forEach(['a', 'b']));
  ws.init();
  ws.apply();
  expect(phase()).toEqual(['create a', 'create b']);
  ws.write(forEach(['a']));
  ws.apply();
  expect(phase()).toEqual(['destroy b']);
  ws.write(forEach([]));
  ws.apply();
  expect(phase()).toEqual(['destroy a']);
});
