// `cdktf-kkp-vsphere report [CDKTF_OUT_DIR]`: who gets which vSphere privileges where, as Markdown for a
// pull-request comment or as JSON; with --base, only what changes against another synth output.
import { Command, Option } from 'commander';
import { diffReports, readSynthOutput, renderDiffMarkdown, renderReportMarkdown } from '../report';

interface ReportFlags {
  format: 'markdown' | 'json';
  base?: string;
  title?: string;
}

/** Registers `report` on the program. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Print the vSphere roles, grants (object, principal, role, propagation, management), folders, templates and ' +
        'Kubernetes secrets (names and keys, never values) of synthesized cdktf stacks, as Markdown for a pull-request ' +
        'comment or as JSON. With --base, print only what changes against another synth output.',
    )
    .argument('[cdktf-out-dir]', 'the synth output directory (holds manifest.json)', 'cdktf.out')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('-b, --base <dir>', 'synth output of the base (e.g. the target branch): print only the changes')
    .option('--title <text>', 'heading of the Markdown output')
    .action((dir: string, flags: ReportFlags) => {
      const head = readSynthOutput(dir);
      const options = flags.title ? { title: flags.title } : {};
      let text: string;
      if (flags.base !== undefined) {
        const diff = diffReports(readSynthOutput(flags.base), head);
        text = flags.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffMarkdown(diff, options);
      } else {
        text = flags.format === 'json' ? `${JSON.stringify(head, null, 2)}\n` : renderReportMarkdown(head, options);
      }
      process.stdout.write(text);
    });
}
