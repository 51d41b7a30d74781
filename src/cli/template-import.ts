// `cdktf-kkp-vsphere template-import` / `template-remove`: what the create and destroy provisioners of a VmTemplate's
// terraform_data run. Everything comes from the environment: the template spec (the resource's input, as JSON),
// the owner id (the resource's id), the URL secret (a sensitive variable), and the vCenter credentials exactly as the
// vSphere provider reads them. Nothing secret is ever a command-line argument (those show in process listings).
import { Command } from 'commander';
import { VcenterClient } from '../tools/vcenter/client';
import { importTemplate, removeTemplate } from '../tools/vcenter/ovf-import';
import { TEMPLATE_ENV, parseTemplateImportSpec } from '../contracts/template-import';
import { connectFromEnvironment, connectionFromEnvironment } from './vcenter-env';

/** The default overall limit of one `template-import`: an upload of a few GB over a slow link fits. */
export const DEFAULT_IMPORT_TIMEOUT = '60m';

/** After the limit, how long the import may take to remove what it made before the process ends anyway. */
const CLEANUP_GRACE_MS = 120_000;

/** `90s`, `45m`, `2h`, or plain seconds, as milliseconds; the error names the variable and the form. */
export function parseDuration(text: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(ms) || ms < 1_000) {
    throw new Error(`${where} must be a duration of at least one second such as 90s, 45m or 2h (plain numbers are seconds), got "${text}".`);
  }
  return ms;
}

/**
 * The vCenter connection, read from the environment as `grant`, `revoke` and `verify` read it (one parse of
 * VSPHERE_ALLOW_UNVERIFIED_SSL, credentials refused in VSPHERE_SERVER), and whether it accepts an untrusted certificate.
 */
async function connect(env: NodeJS.ProcessEnv = process.env): Promise<{ client: VcenterClient; insecure: boolean }> {
  const insecure = connectionFromEnvironment(env).insecure === true;
  return { client: await connectFromEnvironment(env), insecure };
}

function readInputs(env: NodeJS.ProcessEnv): { spec: ReturnType<typeof parseTemplateImportSpec>; owner: string } {
  const text = env[TEMPLATE_ENV.spec];
  const owner = env[TEMPLATE_ENV.owner];
  if (!text || !owner) {
    throw new Error(
      `${TEMPLATE_ENV.spec} and ${TEMPLATE_ENV.owner} must be set: this command runs from the terraform_data that VmTemplate ` +
        'synthesizes (its provisioners set them).',
    );
  }
  return { spec: parseTemplateImportSpec(text, TEMPLATE_ENV.spec), owner };
}

/**
 * Runs `run` with a signal that aborts on SIGINT/SIGTERM/SIGHUP and, when `limitMs` is given, once that time has
 * passed (the reason is then an Error built by `timeoutError`). A run that has not ended CLEANUP_GRACE_MS after its
 * limit ends the process: a provisioner always ends, and terraform gets an error instead of waiting forever.
 */
async function withSignals<T>(run: (signal: AbortSignal) => Promise<T>, limitMs?: number, timeoutError?: () => Error): Promise<T> {
  const abort = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const handler = () => abort.abort(sig);
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  let limit: NodeJS.Timeout | undefined;
  let hardStop: NodeJS.Timeout | undefined;
  if (limitMs !== undefined) {
    limit = setTimeout(() => {
      const err = timeoutError ? timeoutError() : new Error('timed out');
      abort.abort(err);
      hardStop = setTimeout(() => {
        process.stderr.write(`cdktf-kkp-vsphere: ${err.message} Removing what it made did not end within ${CLEANUP_GRACE_MS / 1000} s either; exiting.\n`);
        process.exit(1);
      }, CLEANUP_GRACE_MS);
    }, limitMs);
  }
  try {
    return await run(abort.signal);
  } finally {
    clearTimeout(limit);
    clearTimeout(hardStop);
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  }
}

/**
 * Once a command's work is done, nothing may keep the process (and so terraform) waiting: if something still holds
 * the event loop a few seconds later, say so and exit with the command's result. The timer is unref'd: a process
 * that ends by itself is not delayed by it.
 */
function exitWhenDone(command: string): void {
  setTimeout(() => {
    process.stderr.write(`cdktf-kkp-vsphere: ${command} finished, but an open connection kept the process alive; exiting.\n`);
    process.exit(process.exitCode ?? 0);
  }, 5_000).unref();
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Registers `template-import` and `template-remove`. */
export function registerVmTemplate(program: Command): void {
  program
    .command('template-import')
    .description(
      'Import the VM template a VmTemplate describes (run by its terraform_data): OVF import through the vSphere API, ' +
        'never powered on, disk.enableUUID, vApp properties, marked as template. Idempotent; refuses a foreign VM of the same name.',
    )
    .action(async () => {
      const { spec, owner } = readInputs(process.env);
      const limitText = process.env[TEMPLATE_ENV.timeout] || DEFAULT_IMPORT_TIMEOUT;
      const limitMs = parseDuration(limitText, TEMPLATE_ENV.timeout);
      const { client, insecure } = await connect();
      try {
        await withSignals(
          (signal) => importTemplate({ client, insecure, log, signal, urlSecret: process.env[TEMPLATE_ENV.urlSecret] }, spec, owner),
          limitMs,
          () =>
            new Error(
              `template-import of ${spec.folder}/${spec.template} did not finish within ${limitText.trim()} ` +
                `(${TEMPLATE_ENV.timeout}${process.env[TEMPLATE_ENV.timeout] ? '' : ', the default'}); it was stopped and what it ` +
                `had made is removed. If the image is large or the link slow, set ${TEMPLATE_ENV.timeout} (e.g. 2h) in ` +
                "terraform's environment and apply again; if the upload made no progress, check the network path to the ESXi hosts.",
            ),
        );
      } finally {
        await client.logout().catch(() => undefined);
        exitWhenDone('template-import');
      }
    });
  program
    .command('template-remove')
    .description('Remove the VM template this terraform_data imported (run by its destroy provisioner); any other VM is left untouched.')
    .action(async () => {
      const { spec, owner } = readInputs(process.env);
      const { client, insecure } = await connect();
      try {
        await removeTemplate({ client, insecure, log }, spec, owner);
      } finally {
        await client.logout().catch(() => undefined);
        exitWhenDone('template-remove');
      }
    });
}
