// `cdktf-kkp-vsphere grant` / `revoke`, the built CLI against the faithful simulator over HTTPS: exactly one
// principal's permission changes, every other permission on the object stays as it was, and each error says what is
// wrong without printing a secret.
import { VcenterClient, VcenterPermission, ManagedObjectReference, asArray, asMoRef, asObject, text } from '../../src/tools/vcenter';
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

test('revoke refuses a permission that is not the one named; --stack leaves it and reports', async () => {
  const strict = cli(['revoke', '--principal', MONITORING.principal, '--role', 'kkp-a', '--object', '/DC0']);
  expect(strict.status).toBe(1);
  expect(strict.stderr).toBe(
    'cdktf-kkp-vsphere: user CORP\\monitoring holds "Read-only" (not propagated) on /DC0, not "kkp-a" (not propagated), so it ' +
      'was not revoked. Revoke removes only the permission it names: give its role and propagation, or change it in vCenter.\n',
  );
  const grant = { object: '/DC0', principal: MONITORING.principal, isGroup: false, role: 'kkp-a', propagate: false };
  const lenient = cli(['revoke', '--stack'], { KKP_VSPHERE_GRANT: JSON.stringify(grant) });
  expect([lenient.status, lenient.stdout]).toEqual([
    0,
    'left in place: user CORP\\monitoring holds "Read-only" (not propagated) on /DC0, not "kkp-a" (not propagated); that permission is not this grant\'s any more\n',
  ]);
  expect(await onDc0()).toEqual(OTHERS);
});

describe('--stack: what the provisioners of a stack run', () => {
  const stackRoles = JSON.stringify(['kkp-a', 'kkp-b']);
  const input = (role: string) => JSON.stringify({ object: '/DC0', principal: KKP, isGroup: false, role, propagate: true, adopt: false });

  test('a replacement that grants the new role before revoking the old keeps the new one', async () => {
    expect(cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: input('kkp-a'), KKP_VSPHERE_STACK_ROLES: stackRoles }).stdout).toMatch(/^granted: /);
    // create_before_destroy: the new instance's grant replaces the stack's own earlier role...
    const replaced = cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: input('kkp-b'), KKP_VSPHERE_STACK_ROLES: stackRoles });
    expect([replaced.status, replaced.stdout]).toEqual([0, `replaced: user ${KKP} holds "kkp-b" (propagated) on /DC0 (was "kkp-a" (propagated))\n`]);
    // ...and the old instance's revoke then finds kkp-b there and leaves it.
    const old = cli(['revoke', '--stack'], { KKP_VSPHERE_GRANT: input('kkp-a') });
    expect([old.status, old.stdout]).toEqual([0, `left in place: user ${KKP} holds "kkp-b" (propagated) on /DC0, not "kkp-a" (propagated); that permission is not this grant's any more\n`]);
    const kkpB = (await vc.roleList()).find((r) => r.name === 'kkp-b')!.id;
    expect(await onDc0()).toEqual([...OTHERS, `user ${KKP} role ${kkpB} propagate`].sort());
  });

  test('a permission the stack did not make is never taken over, not even an identical one', async () => {
    const readOnly = JSON.stringify({ object: '/DC0', principal: MONITORING.principal, isGroup: false, role: 'Read-only', propagate: false, adopt: false });
    const refused = cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: readOnly, KKP_VSPHERE_STACK_ROLES: stackRoles });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      'user CORP\\monitoring already holds "Read-only" (not propagated) on /DC0, a permission this grant did not make. It is ' +
        "exactly what this grant asks for, but this stack did not make it (its role is not one of the stack's roles, and the " +
        'object carries no mark of this stack for it), and destroying the grant would remove it. Nothing was changed.',
    );
    const foreign = cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: input('kkp-a').replace(JSON.stringify(KKP), JSON.stringify(MONITORING.principal)), KKP_VSPHERE_STACK_ROLES: stackRoles });
    expect(foreign.status).toBe(1);
    expect(await onDc0()).toEqual(OTHERS);
  });

  test('revoke --stack of a role or an object that is gone leaves everything and succeeds', async () => {
    const goneRole = cli(['revoke', '--stack'], { KKP_VSPHERE_GRANT: JSON.stringify({ object: '/DC0', principal: MONITORING.principal, isGroup: false, role: 'renamed-away', propagate: false }) });
    expect([goneRole.status, goneRole.stdout]).toEqual([0, 'left in place: user CORP\\monitoring holds "Read-only" (not propagated) on /DC0, not "renamed-away" (not propagated); that permission is not this grant\'s any more\n']);
    const goneObject = cli(['revoke', '--stack'], { KKP_VSPHERE_GRANT: JSON.stringify({ object: '/DC0/network/renamed', principal: KKP, isGroup: false, role: 'kkp-a', propagate: false }) });
    expect([goneObject.status, goneObject.stdout]).toEqual([0, 'nothing to revoke: there is no object at /DC0/network/renamed any more\n']);
    expect(await onDc0()).toEqual(OTHERS);
  });
});

describe('--stack with a predefined role (Read-only): the stack recognises its own permission by its mark', () => {
  const STACK = JSON.stringify(['kkp-a', 'kkp-b']);
  const OTHER_STACK = JSON.stringify(['other-team-role']);
  const readOnly = (principal: string, propagate = false) =>
    JSON.stringify({ object: '/DC0', principal, isGroup: false, role: 'Read-only', propagate, adopt: false });
  const grant = (input: string, stackRoles = STACK) => cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: input, KKP_VSPHERE_STACK_ROLES: stackRoles });
  const revoke = (input: string) => cli(['revoke', '--stack'], { KKP_VSPHERE_GRANT: input });
  const FIELD = `cdktf-kkp-vsphere.grant user ${KKP.toLowerCase()}`;

  /** The marks on DC0, by custom attribute name (read back over SOAP). */
  async function marks(): Promise<Record<string, string>> {
    const content = asObject(await vc.invoke('RetrieveServiceContent', { type: 'ServiceInstance', value: 'ServiceInstance' }));
    const manager = asMoRef(content?.customFieldsManager)!;
    const defs = asArray(asObject((await vc.properties(manager, ['field'])).field)?.CustomFieldDef).map(asObject);
    const values = asArray(asObject((await vc.properties(dc0, ['customValue'])).customValue)?.CustomFieldValue).map(asObject);
    const out: Record<string, string> = {};
    for (const v of values) {
      const name = text(defs.find((d) => text(d?.key) === text(v?.key))?.name);
      if (name?.startsWith('cdktf-kkp-vsphere.') && text(v?.value)) out[name] = text(v?.value)!;
    }
    return out;
  }

  test('grant, terraform forgets it (state rm, an older state), grant again: recognised as the stack\'s, unchanged; revoke removes permission and mark', async () => {
    const first = grant(readOnly(KKP));
    expect([first.status, first.stdout, first.stderr]).toEqual([0, `granted: user ${KKP} holds "Read-only" (not propagated) on /DC0\n`, '']);
    const held = await onDc0();
    expect(held).toEqual([...OTHERS, `user ${KKP} role -2 no-propagate`].sort());

    // terraform no longer knows the grant: its next apply creates it again and runs the same command.
    const again = grant(readOnly(KKP));
    expect([again.status, again.stdout, again.stderr]).toEqual([
      0,
      `unchanged: user ${KKP} already holds "Read-only" (not propagated) on /DC0 (this stack's grant, recognised by its mark "${FIELD}")\n`,
      '',
    ]);
    expect(await onDc0()).toEqual(held);
    expect(await marks()).toEqual({ [FIELD]: expect.stringMatching(/^\{"stack":"[0-9a-f]{16}","roleId":-2,"propagate":false\}$/) });

    // ...so the stack's destroy removes it again, mark included; every other permission stays.
    const revoked = revoke(readOnly(KKP));
    expect([revoked.status, revoked.stdout]).toEqual([0, `revoked: user ${KKP} no longer holds "Read-only" (not propagated) on /DC0\n`]);
    expect(await onDc0()).toEqual(OTHERS);
    expect(await marks()).toEqual({});
  });

  test('the same permission made by hand after the stack\'s revoke is not the stack\'s: the mark went with the revoke', async () => {
    expect(grant(readOnly(KKP)).status).toBe(0);
    expect(revoke(readOnly(KKP)).status).toBe(0);
    await vc.setEntityPermissions(dc0, [{ principal: KKP, group: false, roleId: -2, propagate: false }]);
    const refused = grant(readOnly(KKP));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      "It is exactly what this grant asks for, but this stack did not make it (its role is not one of the stack's roles, and the " +
        'object carries no mark of this stack for it), and destroying the grant would remove it. Nothing was changed.',
    );
    expect(await onDc0()).toEqual([...OTHERS, `user ${KKP} role -2 no-propagate`].sort());
  });

  test('a foreign principal\'s identical Read-only (no mark) and another stack\'s marked one are refused and left; another propagation is not ours either', async () => {
    const foreign = grant(readOnly(MONITORING.principal));
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain('a permission this grant did not make');

    // Another stack (other roles) grants KKP Read-only on DC0 and marks it as its own.
    expect(grant(readOnly(KKP), OTHER_STACK).stdout).toMatch(/^granted: /);
    const otherMark = (await marks())[FIELD];
    const ours = grant(readOnly(KKP));
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain('and the object carries no mark of this stack for it');
    // Our stack asking for the propagated variant: not identical, another stack's: refused.
    expect(grant(readOnly(KKP, true)).status).toBe(1);
    expect(await onDc0()).toEqual([...OTHERS, `user ${KKP} role -2 no-propagate`].sort());
    expect((await marks())[FIELD]).toBe(otherMark);
    // The other stack's destroy removes its own.
    expect(revoke(readOnly(KKP)).status).toBe(0);
    expect(await onDc0()).toEqual(OTHERS);
  });

  test('adopt takes a foreign identical permission over and marks it, so it is recognised from then on', async () => {
    await vc.setEntityPermissions(dc0, [{ principal: KKP, group: false, roleId: -2, propagate: false }]);
    const adopted = cli(['grant', '--stack'], {
      KKP_VSPHERE_GRANT: JSON.stringify({ ...JSON.parse(readOnly(KKP)), adopt: true }),
      KKP_VSPHERE_STACK_ROLES: STACK,
    });
    expect([adopted.status, adopted.stdout]).toEqual([0, `unchanged: user ${KKP} already holds "Read-only" (not propagated) on /DC0\n`]);
    expect(grant(readOnly(KKP)).stdout).toContain('recognised by its mark');
    expect(revoke(readOnly(KKP)).status).toBe(0);
    expect(await marks()).toEqual({});
  });
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
      'cdktf-kkp-vsphere: grant: --principal is required (or --stack, with the grant in KKP_VSPHERE_GRANT).\n',
    );
    expect(error(cli(['grant', '--stack'], { KKP_VSPHERE_GRANT: '{"object":"/DC0"}' }))[2]).toBe(
      'cdktf-kkp-vsphere: KKP_VSPHERE_GRANT.principal must be a non-empty string.\n',
    );
  });
});
