// `cdktf-kkp-vsphere grant` and `revoke`: one principal's permission on one object, nothing else touched, run by hand
// (a stack's additive grants are kkpvsphere_permission resources of the kkpvsphere provider). The vCenter and its
// credentials come from the provider's environment variables.
import { Command } from 'commander';
import { Principal } from '../core/permissions/principal';
import { PermissionRequest, grantPermission, revokePermission } from '../tools/vcenter/grants';
import { connectFromEnvironment } from './vcenter-env';

interface PermissionFlags {
  principal?: string;
  group?: boolean;
  role?: string;
  object?: string;
  propagate?: boolean;
  adopt?: boolean;
}

function request(command: string, flags: PermissionFlags): PermissionRequest {
  for (const key of ['principal', 'role', 'object'] as const) {
    if (!flags[key]) throw new Error(`${command}: --${key} is required.`);
  }
  // The same spelling rules as the constructs: DOMAIN\name.
  const principal = Principal.of(flags.principal!, `${command} --principal`).name;
  return { principal, isGroup: flags.group === true, role: flags.role!, object: flags.object!, propagate: flags.propagate === true, adopt: flags.adopt === true };
}

function permissionOptions(cmd: Command): Command {
  return cmd
    .option('--principal <DOMAIN\\name>', 'the user or group, e.g. VSPHERE.LOCAL\\kkp-storage')
    .option('--group', 'the principal is a group')
    .option('--role <name>', 'the role name (predefined roles by label, e.g. Read-only)')
    .option('--object <path>', 'inventory path of the object, e.g. /dc-1/datastore/ds-1 ("/" is the vCenter root)')
    .option('--propagate', 'the permission propagates to the object\'s children')
    .addHelpText(
      'after',
      '\nThe vCenter comes from VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD and VSPHERE_ALLOW_UNVERIFIED_SSL, ' +
        'as for the vSphere provider. No other permission on the object is changed.',
    );
}

async function withVcenter<T>(work: (vc: Awaited<ReturnType<typeof connectFromEnvironment>>) => Promise<T>): Promise<T> {
  const vc = await connectFromEnvironment();
  try {
    return await work(vc);
  } finally {
    // A failed logout changes nothing that was done; the session times out on the server.
    await vc.logout().catch(() => undefined);
  }
}

/** Registers `grant` and `revoke` on the program. */
export function registerGrant(program: Command): void {
  permissionOptions(
    program
      .command('grant')
      .description(
        'Give one principal one role on one object, touching no other permission there. A permission the principal ' +
          'already holds there is left alone and the command fails, saying what is there, unless it is identical ' +
          '(nothing to do) or --adopt is given. A stack grants with kkpvsphere_permission resources instead.',
      ),
  )
    .option('--adopt', 'take over the permission the principal already holds there, whatever its role')
    .action(async (flags: PermissionFlags) => {
      const req = request('grant', flags);
      const outcome = await withVcenter((vc) => grantPermission(vc, req));
      process.stdout.write(`${outcome.message}\n`);
    });

  permissionOptions(
    program
      .command('revoke')
      .description(
        'Remove one principal\'s permission on one object, but only while it is the one named (same role and ' +
          'propagation); nothing else there is touched. An absent permission is nothing to do.',
      ),
  ).action(async (flags: PermissionFlags) => {
    const req = request('revoke', flags);
    const outcome = await withVcenter((vc) => revokePermission(vc, req));
    process.stdout.write(`${outcome.message}\n`);
  });
}
