#!/usr/bin/env node
// The package's command line: `cdktf-kkp-vsphere <command>`. Each command lives in its own module and
// registers itself here; nothing in this file loads cdktf or a provider package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerConvertImage } from './convert-image';
import { registerGrant } from './grant';
import { registerDiscover } from './discover';
import { registerReport } from './report';
import { registerVerify } from './verify';
import { redactUrls } from '../base/validation';
import { registerPreflight } from './preflight';

/** The version in this package's package.json: the nearest one above this file that names cdktf-kkp-vsphere. */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdktf-kkp-vsphere' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    // commander echoes bad arguments; a URL among them may carry a user, password or token.
    .configureOutput({ writeErr: (text) => process.stderr.write(redactUrls(text)) })
    .name('cdktf-kkp-vsphere')
    .description(
      'Tools for KKP on vSphere beside your cdktf stacks: convert-image (QCOW2 to a vSphere OVF/OVA), report (plan ' +
        'review of the synth output and the Terraform plan), grant/revoke (one permission by hand), verify (a live ' +
        'vCenter against the stacks), preflight (what KKP\'s users would be refused on a live vCenter), discover (an ' +
        'existing KKP set-up to adopt). A stack\'s grants and templates are resources of the kkpvsphere provider.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of cdktf-kkp-vsphere')
    .showHelpAfterError();
  registerConvertImage(program);
  registerReport(program);
  registerGrant(program);
  registerVerify(program);
  registerDiscover(program);
  registerPreflight(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      // A message may quote an input URL: its user info and query never reach the terminal or a CI log.
      process.stderr.write(`cdktf-kkp-vsphere: ${redactUrls(err instanceof Error ? err.message : String(err))}\n`);
      process.exitCode = 1;
    });
}
