// `cdktf-kkp-vsphere template-import` / `template-remove`: what the create and destroy provisioners of a VmTemplate's
// terraform_data run. Everything comes from the environment: the template spec (the resource's input, as JSON),
// the owner id (the resource's id), the URL secret (a sensitive variable), and the vCenter credentials exactly as the
// vSphere provider reads them. Nothing secret is ever a command-line argument (those show in process listings).
import { Command } from 'commander';
import { VcenterClient } from '../vcenter/client';
import { importTemplate, removeTemplate } from '../vcenter/ovf-import';
import { parseTemplateImportSpec } from '../vm-template-spec';

/** Environment variables the provisioners set. */
export const TEMPLATE_ENV = {
  spec: 'CDKTF_KKP_VSPHERE_TEMPLATE',
  owner: 'CDKTF_KKP_VSPHERE_OWNER',
  urlSecret: 'CDKTF_KKP_VSPHERE_URL_SECRET',
} as const;

const TRUE = /^(1|t|true)$/i;

/** Connects with VSPHERE_SERVER / VSPHERE_USER / VSPHERE_PASSWORD / VSPHERE_ALLOW_UNVERIFIED_SSL. */
export async function connectFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<{ client: VcenterClient; insecure: boolean }> {
  const missing = ['VSPHERE_SERVER', 'VSPHERE_USER', 'VSPHERE_PASSWORD'].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: export the vCenter credentials as for the vSphere ` +
        'provider (VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD, VSPHERE_ALLOW_UNVERIFIED_SSL) before terraform apply.',
    );
  }
  const server = env.VSPHERE_SERVER!;
  const insecure = TRUE.test(env.VSPHERE_ALLOW_UNVERIFIED_SSL ?? '');
  // The provider takes a host name (optionally host:port) and always speaks https.
  const url = /^https?:\/\//i.test(server) ? server : `https://${server}`;
  const client = await VcenterClient.connect({ url, user: env.VSPHERE_USER!, password: env.VSPHERE_PASSWORD!, insecure });
  return { client, insecure };
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

async function withSignals<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const handler = () => abort.abort(sig);
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  try {
    return await run(abort.signal);
  } finally {
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  }
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
      const { client, insecure } = await connectFromEnvironment();
      try {
        await withSignals((signal) =>
          importTemplate({ client, insecure, log, signal, urlSecret: process.env[TEMPLATE_ENV.urlSecret] }, spec, owner),
        );
      } finally {
        await client.logout().catch(() => undefined);
      }
    });
  program
    .command('template-remove')
    .description('Remove the VM template this terraform_data imported (run by its destroy provisioner); any other VM is left untouched.')
    .action(async () => {
      const { spec, owner } = readInputs(process.env);
      const { client, insecure } = await connectFromEnvironment();
      try {
        await removeTemplate({ client, insecure, log }, spec, owner);
      } finally {
        await client.logout().catch(() => undefined);
      }
    });
}
