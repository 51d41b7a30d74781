// The command line as a person meets it first: `--version` and the top-level help, run through the built CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildProgram } from '../../src/cli/main';
import { runCli } from '../support/cli';

const packageJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };

test('--version prints the version of package.json', () => {
  for (const flag of ['--version', '-V']) {
    const r = runCli([flag], {});
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: packageJson.version });
  }
});

test('the top-level description names every command the program registers', () => {
  const r = runCli(['--help'], {});
  expect(r.status).toBe(0);
  const description = r.stdout.slice(0, r.stdout.indexOf('Options:')).replace(/\s+/g, ' ');
  const commands = buildProgram().commands.map((c) => c.name());
  expect(commands.length).toBeGreaterThanOrEqual(7);
  expect(commands.filter((name) => !description.includes(name))).toEqual([]);
});

test('no command help describes the provider-based template path VmTemplate no longer uses', () => {
  for (const command of buildProgram().commands) {
    const r = runCli([command.name(), '--help'], {});
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/ovf_deploy|local_ovf_path|vsphere_virtual_machine/);
  }
});
