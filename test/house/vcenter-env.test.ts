// One reading of the vCenter environment for every command that connects: `discover`, `verify`, `grant` and `revoke`
// (the commands a person runs; a stack's grants and templates are the kkpvsphere provider's, which reads VSPHERE_* as
// the vSphere provider does: provider/). The built CLI runs
// against a local TLS server with a self-signed certificate: VSPHERE_ALLOW_UNVERIFIED_SSL decides whether the
// connection gets past the certificate, so what each command made of the value shows in how it fails.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCli, cliEnv } from '../support/cli';

let server: https.Server;
let port: number;
let dir: string;

beforeAll(async () => {
  buildCli();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-vcenter-env-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'pipe' });
  // Not a vCenter: whatever the client asks, the answer is no SOAP. Getting that far means the certificate was accepted.
  server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('not a vCenter');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The commands that connect, each as a person runs it. */
const PERMISSION = ['--principal', 'VSPHERE.LOCAL\\kkp', '--role', 'Read-only', '--object', '/dc-1'];
const COMMANDS: Record<string, { args: string[]; env: Record<string, string> }> = {
  discover: { args: ['discover', '--vsphere-version', '8.0', '--out', 'discovery.json'], env: {} },
  verify: { args: ['verify', 'cdktf.out'], env: {} },
  grant: { args: ['grant', ...PERMISSION], env: {} },
  revoke: { args: ['revoke', ...PERMISSION], env: {} },
};

function run(command: string, vsphere: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const { args, env } = COMMANDS[command];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [buildCli().main, ...args], { cwd: dir, env: cliEnv({ ...env, ...vsphere }), timeout: 60_000 }, (_e, _out, stderr) =>
      resolve({ code: child.exitCode, stderr }),
    );
  });
}

const credentials = (server: string, flag?: string) => ({
  VSPHERE_SERVER: server,
  VSPHERE_USER: 'terraform@vsphere.local',
  VSPHERE_PASSWORD: 'Sup3r-S3cret-77',
  ...(flag === undefined ? {} : { VSPHERE_ALLOW_UNVERIFIED_SSL: flag }),
});

/** What a command made of the flag: it connected past the certificate, stopped at it, or refused the value. */
function outcome(stderr: string): 'accepted' | 'untrusted' | 'refused' | string {
  if (/VSPHERE_ALLOW_UNVERIFIED_SSL must be true or false, got/.test(stderr)) return 'refused';
  if (/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/.test(stderr)) return 'untrusted';
  if (/vCenter RetrieveServiceContent failed: https:\/\/127\.0\.0\.1:\d+\/sdk answered HTTP 503 without a SOAP body/.test(stderr)) return 'accepted';
  return stderr;
}

// Go's strconv.ParseBool, as the vSphere provider reads the variable.
const EXPECTED: [string | undefined, ReturnType<typeof outcome>][] = [
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((v): [string, 'accepted'] => [v, 'accepted']),
  ...[undefined, '', '0', 'f', 'F', 'FALSE', 'false', 'False'].map((v): [string | undefined, 'untrusted'] => [v, 'untrusted']),
  ...['yes', 'on', 'no', 'y', 'tRuE', ' true'].map((v): [string, 'refused'] => [v, 'refused']),
];

test('every command reads VSPHERE_ALLOW_UNVERIFIED_SSL as the vSphere provider does', async () => {
  const seen: Record<string, Record<string, string>> = {};
  for (const [flag] of EXPECTED) {
    const results = await Promise.all(Object.keys(COMMANDS).map(async (command) => [command, await run(command, credentials(`127.0.0.1:${port}`, flag))] as const));
    for (const [command, r] of results) {
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain('Sup3r-S3cret-77');
      (seen[command] ??= {})[String(flag)] = outcome(r.stderr);
    }
  }
  const want = Object.fromEntries(EXPECTED.map(([flag, o]) => [String(flag), o]));
  for (const command of Object.keys(COMMANDS)) expect([command, seen[command]]).toEqual([command, want]);
}, 300_000);

test('credentials in VSPHERE_SERVER are refused by every command', async () => {
  for (const command of Object.keys(COMMANDS)) {
    const r = await run(command, credentials(`https://admin:Sup3r-S3cret-77@127.0.0.1:${port}`, 'true'));
    expect([command, r.code, r.stderr]).toEqual([
      command, 1,
      'cdktf-kkp-vsphere: VSPHERE_SERVER must not contain credentials: put the user in VSPHERE_USER and the password in VSPHERE_PASSWORD.\n',
    ]);
  }
}, 120_000);

test('an unset variable is named the same way by every command', async () => {
  for (const command of Object.keys(COMMANDS)) {
    const r = await run(command, { VSPHERE_USER: 'terraform@vsphere.local', VSPHERE_PASSWORD: 'x' });
    expect([command, r.stderr]).toEqual([
      command,
      "cdktf-kkp-vsphere: VSPHERE_SERVER is not set: set it to the vCenter's host name (e.g. vcenter.example.com), as for the vSphere provider.\n",
    ]);
  }
}, 120_000);
