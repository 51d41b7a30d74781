#!/usr/bin/env node
// The package's command line: `cdktf-kkp-vsphere <command>`. Each command lives in its own module and
// registers itself here; nothing in this file loads cdktf or a provider package.
import { Command } from 'commander';
import { registerConvertImage } from './convert-image';
import { registerReport } from './report';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cdktf-kkp-vsphere')
    .description('Tools for KKP on vSphere: image conversion and permission reports for cdktf stacks.')
    .showHelpAfterError();
  registerConvertImage(program);
  registerReport(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`cdktf-kkp-vsphere: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
