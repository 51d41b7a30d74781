// The vCenter connection of the `grant`, `revoke` and `verify` commands: from the vSphere provider's own environment
// variables, never from arguments (a password on a command line shows in process listings and shell history).
import { VcenterClient, VcenterConnectOptions, VcenterFaultError } from '../tools/vcenter';

/** The variables, as the vSphere provider reads them. */
export const VCENTER_ENV = ['VSPHERE_SERVER', 'VSPHERE_USER', 'VSPHERE_PASSWORD', 'VSPHERE_ALLOW_UNVERIFIED_SSL'] as const;

// Go's strconv.ParseBool, which the provider's schema uses for VSPHERE_ALLOW_UNVERIFIED_SSL.
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Connection options from the environment; every error names the variable and what to put there. */
export function connectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): VcenterConnectOptions {
  const need = (name: string, what: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set: set it to ${what}, as for the vSphere provider.`);
    return value;
  };
  const server = need('VSPHERE_SERVER', "the vCenter's host name (e.g. vcenter.example.com)");
  const user = need('VSPHERE_USER', 'the vCenter user (e.g. terraform@vsphere.local)');
  const password = need('VSPHERE_PASSWORD', "that user's password");
  const flag = env.VSPHERE_ALLOW_UNVERIFIED_SSL;
  let insecure = false;
  if (flag !== undefined && flag !== '') {
    if (TRUE.includes(flag)) insecure = true;
    else if (!FALSE.includes(flag)) throw new Error(`VSPHERE_ALLOW_UNVERIFIED_SSL must be true or false, got "${flag}".`);
  }
  // The provider takes a host name; a URL (with http:// for a simulator) is accepted too.
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
  if (/@/.test(url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0])) {
    throw new Error('VSPHERE_SERVER must not contain credentials: put the user in VSPHERE_USER and the password in VSPHERE_PASSWORD.');
  }
  return { url, user, password, insecure };
}

const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Logs in with the environment's credentials; a failure says what is wrong and which variable to fix. */
export async function connectFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<VcenterClient> {
  const options = connectionFromEnvironment(env);
  const server = new URL(options.url).origin;
  try {
    return await VcenterClient.connect(options);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (err instanceof VcenterFaultError && err.fault === 'InvalidLogin') {
      throw new Error(
        `vCenter ${server} refused the login of "${options.user}": wrong user name or password (VSPHERE_USER, VSPHERE_PASSWORD).`,
      );
    }
    if (code && CERTIFICATE_ERRORS.has(code)) {
      throw new Error(
        `the TLS certificate of ${server} is not trusted (${code}). If this vCenter uses a self-signed certificate and you ` +
          `accept that, set VSPHERE_ALLOW_UNVERIFIED_SSL=true (the provider's allow_unverified_ssl); or trust its CA with ` +
          `NODE_EXTRA_CA_CERTS=<ca.pem>.`,
      );
    }
    if (code) {
      throw new Error(`cannot reach vCenter at ${server} (${code}): check VSPHERE_SERVER and that this machine can reach it.`);
    }
    throw err;
  }
}
