#!/usr/bin/env node
// The package's command line: `cdktf-kkp-vsphere <command>`. Each command lives in its own module and
// registers itself here; nothing in this file loads cdktf or a provider package.
import { Command } from 'commander';
import { registerConvertImage } from './convert-image';
import { registerGrant } from './grant';
import { registerDiscover } from './discover';
import { registerReport } from './report';
import { registerVerify } from './verify';
import { redactUrls } from '../validation';
import { registerVmTemplate } from './vm-template';

export function buildProgram(): Command {
  const program = new Command();
  program
    // commander echoes bad arguments; a URL among them may carry a user, password or token.
    .configureOutput({ writeErr: (text) => process.stderr.write(redactUrls(text)) })
    .name('cdktf-kkp-vsphere')
    .description('Tools for KKP on vSphere: image conversion and permission reports for cdktf stacks.')
    .showHelpAfterError();
  registerConvertImage(program);
  registerReport(program);
  registerVmTemplate(program);
  registerGrant(program);
  registerVerify(program);
  registerDiscover(program);
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
