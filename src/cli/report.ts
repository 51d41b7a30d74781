// `cdktf-kkp-vsphere report [CDKTF_OUT_DIR]`: who gets which vSphere privileges where, as Markdown for a
// pull-request comment or as JSON; with --base, only what changes against another synth output; with --plan, what
// the saved Terraform plan of each stack will really change.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import {
  diffReports,
  parseJsonQuietly,
  PlanInputError,
  planReport,
  readSynthOutput,
  renderDiffMarkdown,
  renderPlanMarkdown,
  renderReportMarkdown,
  Report,
} from '../tools/report';

interface ReportFlags {
  format: 'markdown' | 'json';
  base?: string;
  title?: string;
  plan?: string[];
  maxLength?: string;
}

const DEFAULT_DIR = 'cdktf.out';

/** `<stack>=<file>`, or `<file>` named after its stack (`plans/kkp-seed.json`). */
function planArg(arg: string): { stack: string; file: string } {
  const eq = arg.indexOf('=');
  if (eq > 0 && !existsSync(arg)) return { stack: arg.slice(0, eq), file: arg.slice(eq + 1) };
  return { stack: basename(arg).replace(/\.json$/i, '').replace(/\.plan$/i, ''), file: arg };
}

function readPlanFile(stack: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PlanInputError(`cannot read the plan of stack "${stack}" (${file}): ${(err as NodeJS.ErrnoException).code ?? 'read error'}.`);
  }
  const parsed = parseJsonQuietly(text);
  if (!parsed.ok) {
    throw new PlanInputError(
      `the plan of stack "${stack}" (${file}) is not JSON (${parsed.where}): pass \`terraform show -json plan.bin\` output, not the binary plan file.`,
    );
  }
  return parsed.value;
}

/** Registers `report` on the program. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Print the vSphere roles, grants (object, principal, role, propagation, management), folders, templates, ' +
        'Kubernetes secrets (names and keys, never values), variables and other resources of synthesized cdktf ' +
        'stacks, as Markdown for a pull-request comment or as JSON. With --base, print only what changes against ' +
        'another synth output. With --plan, print what each stack\'s saved Terraform plan will change.',
    )
    .argument('[cdktf-out-dir]', `the synth output directory (holds manifest.json) (default: "${DEFAULT_DIR}")`)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('-b, --base <dir>', 'synth output of the base (e.g. the target branch): print only the changes; with --plan, tells revokes from foreign removals')
    .option(
      '-p, --plan <[stack=]file...>',
      '`terraform show -json` of a stack\'s saved plan, as <stack>=<file> or a file named <stack>.json; repeat per stack',
    )
    .option('--max-length <chars>', 'longest Markdown to print with --plan (GitHub comments hold 65536)', '60000')
    .option('--title <text>', 'heading of the Markdown output (printed as plain text)')
    .action((dir: string | undefined, flags: ReportFlags) => {
      const options = flags.title !== undefined ? { title: flags.title } : {};
      let text: string;
      if (flags.plan?.length) {
        // The synth output is optional with a plan: it names objects and tells kept permissions from granted ones.
        const headDir = dir ?? (existsSync(DEFAULT_DIR) ? DEFAULT_DIR : undefined);
        const head: Report | undefined = headDir !== undefined ? readSynthOutput(headDir) : undefined;
        const base: Report | undefined = flags.base !== undefined ? readSynthOutput(flags.base) : undefined;
        const seen = new Set<string>();
        const inputs = flags.plan.map((arg) => {
          const { stack, file } = planArg(arg);
          if (seen.has(stack)) throw new PlanInputError(`--plan names stack "${stack}" twice; give one plan per stack.`);
          seen.add(stack);
          if (head && !head.stacks.some((s) => s.name === stack)) {
            throw new PlanInputError(
              `--plan names stack "${stack}", which ${headDir} does not have (stacks: ${head.stacks.map((s) => s.name).join(', ')}); ` +
                'name it as <stack>=<file>.',
            );
          }
          return {
            stack,
            plan: readPlanFile(stack, file),
            head: head?.stacks.find((s) => s.name === stack),
            base: base?.stacks.find((s) => s.name === stack),
          };
        });
        const report = planReport(inputs);
        const maxLength = Number(flags.maxLength);
        if (!Number.isInteger(maxLength) || maxLength < 1000) {
          throw new PlanInputError(`--max-length must be a whole number of characters, at least 1000; got ${JSON.stringify(flags.maxLength)}.`);
        }
        text = flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderPlanMarkdown(report, { ...options, maxLength });
      } else if (flags.base !== undefined) {
        const head = readSynthOutput(dir ?? DEFAULT_DIR);
        const diff = diffReports(readSynthOutput(flags.base), head);
        text = flags.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffMarkdown(diff, options);
      } else {
        const head = readSynthOutput(dir ?? DEFAULT_DIR);
        text = flags.format === 'json' ? `${JSON.stringify(head, null, 2)}\n` : renderReportMarkdown(head, options);
      }
      process.stdout.write(text);
    });
}
