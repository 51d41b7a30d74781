// `cdktf-kkp-vsphere verify [CDKTF_OUT_DIR]`: does the live vCenter hold what the synthesized stacks say? Run it
// after `cdktf deploy` and before handing the vCenter to KKP, and nightly against drift. Exit 1 on any difference.
import { Command } from 'commander';
import { renderVerifyText, verifySynthOutput } from '../tools/verify';
import { connectFromEnvironment } from './vcenter-env';

/** Registers `verify` on the program. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Compare the synthesized stacks with a live vCenter: roles (missing, other privileges; System.* ignored), privilege ' +
        'IDs the server does not know, grants (missing, another role or propagation, held by someone else\'s permission), ' +
        'folders and templates, and on objects with one vsphere_entity_permissions every principal the next apply would ' +
        'remove. Exit status 1 on any difference. The vCenter comes from VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD ' +
        'and VSPHERE_ALLOW_UNVERIFIED_SSL. Nothing is changed.',
    )
    .argument('[cdktf-out-dir]', 'the synth output directory (holds manifest.json)', 'cdktf.out')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const vc = await connectFromEnvironment();
      try {
        const result = await verifySynthOutput(vc, dir);
        process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderVerifyText(result));
        if (result.findings.length) process.exitCode = 1;
      } finally {
        await vc.logout().catch(() => undefined);
      }
    });
}
