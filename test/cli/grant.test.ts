// `cdktf-kkp-vsphere grant` / `revoke` as a person runs them (a stack grants with kkpvsphere_permissions), the built CLI against the faithful simulator over HTTPS: exactly one
// principal's permission changes, every other permission on the object stays as it was, and each error says what is
// wrong without printing a secret.
import { VcenterClient, VcenterPermission, ManagedObjectReference } from '../../src/tools/vcenter';
import { runCli } from '../support/cli';
import { Vcsim, startVcsim } from '../support/vcsim';

let sim: Vcsim;
let vc: VcenterClient;
let dc0: ManagedObjectReference;
let env: Record<string, string>;
let roleA: number;

const KKP = 'VSPHERE.LOCAL\\kkp-storage';
const BACKUP: VcenterPermission = { principal: 'CORP\\backup-team', group: true, roleId: -2, propagate: true };
const MONITORING: VcenterPermission = { principal: 'CORP\\monitoring', group: false, roleId: -2, propagate: false };

beforeAll(async () => {
  sim = await startVcsim({ tls: true });
  vc = await VcenterClient.connect({ url: sim.url, user: sim.user, password: sim.password, insecure: true });
  dc0 = (await vc.findByInventoryPath('/DC0'))!;
  roleA = (await vc.addRole('kkp-a', ['Datastore.Browse'])).id;
  await vc.addRole('kkp-b', ['Datastore.Browse', 'Datastore.FileManagement']);
  env = { VSPHERE_SERVER: new URL(sim.url).host, VSPHERE_USER: sim.user, VSPHERE_PASSWORD: sim.password, VSPHERE_ALLOW_UNVERIFIED_SSL: 'true' };
});

afterAll(async () => {
  await vc?.logout();
  await sim?.stop();
});

beforeEach(async () => {
  // Every test starts from the other teams' permissions only.
  for (const p of await vc.retrieveEntityPermissions(dc0)) await vc.removeEntityPermission(dc0, p.principal, p.group);
  await vc.setEntityPermissions(dc0, [BACKUP, MONITORING]);
});

const line = (p: VcenterPermission) => `${p.group ? 'group' : 'user'} ${p.principal} role ${p.roleId} ${p.propagate ? 'propagate' : 'no-propagate'}`;
const onDc0 = async () => (await vc.retrieveEntityPermissions(dc0)).map(line).sort();
const OTHERS = [line(BACKUP), line(MONITORING)].sort();

/** Runs the CLI and checks that neither the password nor anything password-like is printed. */
function cli(args: string[], extra: Record<string, string> = {}) {
  const r = runCli(args, { ...env, ...extra });
  for (const secret of [sim.password, extra.VSPHERE_PASSWORD].filter(Boolean)) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  return r;
}

const grantA = ['--principal', KKP, '--role', 'kkp-a', '--object', '/DC0'];

test('grant sets one permission and keeps every other one; granting twice changes nothing', async () => {
  const first = cli(['grant', ...grantA]);
  expect([first.status, first.stdout, first.stderr]).toEqual([0, `granted: user ${KKP} holds "kkp-a" (not propagated) on /DC0\n`, '']);
  const after = await onDc0();
  expect(after).toEqual([...OTHERS, `user ${KKP} role ${roleA} no-propagate`].sort());
  const second = cli(['grant', ...grantA]);
  expect([second.status, second.stdout]).toEqual([0, `unchanged: user ${KKP} already holds "kkp-a" (not propagated) on /DC0\n`]);
  expect(await onDc0()).toEqual(after);
});

test('revoke removes only the named permission; revoking an absent one is a no-op', async () => {
  expect(cli(['grant', ...grantA, '--propagate']).status).toBe(0);
  const revoked = cli(['revoke', ...grantA, '--propagate']);
  expect([revoked.status, revoked.stdout]).toEqual([0, `revoked: user ${KKP} no longer holds "kkp-a" (propagated) on /DC0\n`]);
  expect(await onDc0()).toEqual(OTHERS);
  const again = cli(['revoke', ...grantA, '--propagate']);
  expect([again.status, again.stdout, again.stderr]).toEqual([0, `nothing to revoke: user ${KKP} holds no permission on /DC0\n`, '']);
  expect(await onDc0()).toEqual(OTHERS);
});

test('a principal that already holds another role there: grant refuses and changes nothing; --adopt takes it over', async () => {
  const refused = cli(['grant', '--principal', MONITORING.principal, '--role', 'kkp-a', '--object', '/DC0']);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(
    'cdktf-kkp-vsphere: user CORP\\monitoring already holds "Read-only" (not propagated) on /DC0, a permission this grant did ' +
      'not make. vSphere keeps one permission per principal per object, so granting "kkp-a" (not propagated) would replace ' +
      'it. Nothing was changed. To resolve: if that permission is stale, remove it in vCenter; to let this grant take it ' +
      'over (and remove it when the grant is destroyed), set adopt: true on the grant (command line: --adopt); or grant ' +
      'the role to another principal.\n',
  );
  expect(await onDc0()).toEqual(OTHERS);
  const adopted = cli(['grant', '--principal', MONITORING.principal, '--role', 'kkp-a', '--object', '/DC0', '--adopt']);
  expect([adopted.status, adopted.stdout]).toEqual([0, 'replaced: user CORP\\monitoring holds "kkp-a" (not propagated) on /DC0 (was "Read-only" (not propagated))\n']);
  expect(await onDc0()).toEqual([line(BACKUP), `user CORP\\monitoring role ${roleA} no-propagate`].sort());
});

test('revoke refuses a permission that is not the one named and leaves it', async () => {
  const strict = cli(['revoke', '--principal', MONITORING.principal, '--role', 'kkp-a', '--object', '/DC0']);
  expect(strict.status).toBe(1);
  expect(strict.stderr).toBe(
    'cdktf-kkp-vsphere: user CORP\\monitoring holds "Read-only" (not propagated) on /DC0, not "kkp-a" (not propagated), so it ' +
      'was not revoked. Revoke removes only the permission it names: give its role and propagation, or change it in vCenter.\n',
  );
  expect(await onDc0()).toEqual(OTHERS);
});

describe('errors: exit 1, one line that says what to fix, no secret', () => {
  const error = (r: { status: number | null; stdout: string; stderr: string }) => [r.status, r.stdout, r.stderr];

  test('unknown object path and unknown role, for grant and revoke', () => {
    for (const command of ['grant', 'revoke']) {
      expect(error(cli([command, '--principal', KKP, '--role', 'kkp-a', '--object', '/DC0/datastore/no-such-ds']))).toEqual([
        1,
        '',
        `cdktf-kkp-vsphere: no object at inventory path "/DC0/datastore/no-such-ds" on https://${env.VSPHERE_SERVER}: give the full ` +
          'path, e.g. /dc-1, /dc-1/host/cluster-1, /dc-1/datastore/ds-1, /dc-1/network/kkp-workers ("/" is the vCenter root).\n',
      ]);
      expect(error(cli([command, '--principal', KKP, '--role', 'kkp-nope', '--object', '/DC0']))).toEqual([
        1,
        '',
        `cdktf-kkp-vsphere: no role named "kkp-nope" on https://${env.VSPHERE_SERVER}: a stack creates its roles before its ` +
          'grants; check the name (predefined roles by their label, e.g. "Read-only").\n',
      ]);
    }
  });

  test('wrong password', () => {
    const wrong = 'Wr0ng-"pass"&<word>';
    expect(error(cli(['grant', ...grantA], { VSPHERE_PASSWORD: wrong }))).toEqual([
      1,
      '',
      `cdktf-kkp-vsphere: vCenter https://${env.VSPHERE_SERVER} refused the login of "${sim.user}": wrong user name or password (VSPHERE_USER, VSPHERE_PASSWORD).\n`,
    ]);
  });

  test('unreachable server', () => {
    // Port 1 on loopback: nothing listens there.
    expect(error(cli(['revoke', ...grantA], { VSPHERE_SERVER: '127.0.0.1:1' }))).toEqual([
      1,
      '',
      'cdktf-kkp-vsphere: cannot reach vCenter at https://127.0.0.1:1 (ECONNREFUSED): check VSPHERE_SERVER and that this machine can reach it.\n',
    ]);
  });

  test('a certificate the user did not allow', () => {
    expect(error(cli(['grant', ...grantA], { VSPHERE_ALLOW_UNVERIFIED_SSL: 'false' }))).toEqual([
      1,
      '',
      `cdktf-kkp-vsphere: the TLS certificate of https://${env.VSPHERE_SERVER} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). ` +
        'If this vCenter uses a self-signed certificate and you accept that, set VSPHERE_ALLOW_UNVERIFIED_SSL=true (the ' +
        "provider's allow_unverified_ssl); or trust its CA with NODE_EXTRA_CA_CERTS=<ca.pem>.\n",
    ]);
  });

  test('missing settings and bad input', () => {
    expect(error(cli(['grant', ...grantA], { VSPHERE_SERVER: '' }))).toEqual([
      1, '', 'cdktf-kkp-vsphere: VSPHERE_SERVER is not set: set it to the vCenter\'s host name (e.g. vcenter.example.com), as for the vSphere provider.\n',
    ]);
    expect(error(cli(['grant', ...grantA], { VSPHERE_ALLOW_UNVERIFIED_SSL: 'yes' }))).toEqual([
      1, '', 'cdktf-kkp-vsphere: VSPHERE_ALLOW_UNVERIFIED_SSL must be true or false, got "yes".\n',
    ]);
    expect(error(cli(['grant', '--principal', 'kkp@vsphere.local', '--role', 'kkp-a', '--object', '/DC0']))[2]).toMatch(
      /^cdktf-kkp-vsphere: grant --principal: principal "kkp@vsphere.local" is not of the form DOMAIN\\name; .* For "kkp@vsphere.local" that is "VSPHERE.LOCAL\\kkp"\.\n$/,
    );
    expect(error(cli(['grant', '--role', 'kkp-a', '--object', '/DC0']))[2]).toBe(
      'cdktf-kkp-vsphere: grant: --principal is required.\n',
    );
    // --stack was what the provisioner version of the library ran; stacks grant with kkpvsphere_permissions now
    expect(error(cli(['grant', '--stack', ...grantA]))[2]).toMatch(/^error: unknown option '--stack'\n/);
  });
});
