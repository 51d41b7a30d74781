// A real Kubernetes API for tests: etcd and kube-apiserver (the binaries of scripts/real-binaries.js kubeBinaries:
// KKP_VSPHERE_KUBE_BINARIES, else ../shared/kubernetes-test-binaries, else built from test/kube/), started fresh per
// test file on 127.0.0.1 ephemeral ports, in a directory of their own: etcd's data, a CA generated for this server,
// its serving certificate (openssl), token authentication, RBAC authorization. `stop()` ends both processes and
// removes the directory; a process exit (a crashed or interrupted test run) kills them and removes it too.
//
// No controller manager runs: namespaces are never finalized, service-account tokens are never minted. Tests create
// the objects they need and delete what they made.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const realBinaries: {
  kubeBinaries(): { 'kube-apiserver': string; etcd: string; from: 'env' | 'shared' | 'build' };
} = require('../../scripts/real-binaries.js');

/** A parsed API answer. */
export interface KubeResponse {
  readonly status: number;
  readonly body: any;
}

/** Resident memory of the two processes, in MiB (`VmRSS` now, `VmHWM` the peak so far). */
export interface KubeMemory {
  readonly apiserverMiB: number;
  readonly etcdMiB: number;
  readonly apiserverPeakMiB: number;
  readonly etcdPeakMiB: number;
}

/** A running API server. */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The CA that signed the serving certificate (PEM). */
  readonly caPem: string;
  /** Milliseconds from starting etcd to kube-apiserver's `/readyz` answering `ok`. */
  readonly startMillis: number;
  /** Where the binaries came from (`env`, `shared` or `build`). */
  readonly binariesFrom: string;
  /**
   * Writes a kubeconfig (cluster, CA, the admin token: a member of system:masters) for the kubernetes provider and
   * returns its path; default `<server dir>/kubeconfig`.
   */
  writeKubeconfig(file?: string): string;
  /** An API call as the admin (or as the identity named by `as`). JSON bodies, JSON answers. */
  request(method: string, apiPath: string, body?: unknown, as?: 'admin' | 'nobody' | 'anonymous'): Promise<KubeResponse>;
  /** An API call that must succeed (2xx): its body. */
  must(method: string, apiPath: string, body?: unknown): Promise<any>;
  /** Creates a namespace if it is not there. */
  ensureNamespace(name: string): Promise<void>;
  /** A Secret's data as bytes (base64-decoded as every client does), or undefined when the Secret does not exist. */
  secretData(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  /** Names of the Secrets of a namespace. */
  secretNames(namespace: string): Promise<string[]>;
  memory(): KubeMemory;
  /** Stops kube-apiserver and etcd and removes their directory. */
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver; call `stop()` in afterAll. */
export async function startKubeApiServer(): Promise<KubeApiServer> {
  const binaries = realBinaries.kubeBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-apiserver-'));
  const children: ChildProcess[] = [];
  const onExit = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    const started = Date.now();
    const pki = makePki(dir);
    const [etcdPort, peerPort, apiPort] = await freePorts(3);
    const etcd = spawnLogged(binaries.etcd, [
      '--name=default',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--listen-metrics-urls=',
      '--log-level=warn',
      // A test's data dies with the test: no fsync (etcd's own flag for this).
      '--unsafe-no-fsync',
    ], path.join(dir, 'etcd.log'));
    children.push(etcd);
    await waitFor(`etcd on 127.0.0.1:${etcdPort}`, etcd, path.join(dir, 'etcd.log'), 30_000, async () => {
      const res = await httpGet(`http://127.0.0.1:${etcdPort}/health`);
      return res.status === 200 && /"health":"true"/.test(res.text);
    });
    const apiserver = spawnLogged(binaries['kube-apiserver'], [
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1',
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokens}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${path.join(dir, 'certs')}`,
    ], path.join(dir, 'kube-apiserver.log'));
    children.push(apiserver);
    const url = `https://127.0.0.1:${apiPort}`;
    const caPem = fs.readFileSync(pki.caCert, 'utf8');
    const call = (method: string, apiPath: string, body?: unknown, as: 'admin' | 'nobody' | 'anonymous' = 'admin') =>
      request(url, caPem, as === 'anonymous' ? undefined : as === 'admin' ? pki.adminToken : pki.nobodyToken, method, apiPath, body);
    await waitFor(`kube-apiserver on ${url}`, apiserver, path.join(dir, 'kube-apiserver.log'), 90_000, async () => {
      const res = await call('GET', '/readyz');
      return res.status === 200;
    });
    const startMillis = Date.now() - started;

    const must = async (method: string, apiPath: string, body?: unknown): Promise<any> => {
      const res = await call(method, apiPath, body);
      if (res.status < 200 || res.status > 299) {
        throw new Error(`${method} ${apiPath}: HTTP ${res.status} ${JSON.stringify(res.body)?.slice(0, 500)}`);
      }
      return res.body;
    };
    let stopped = false;
    return {
      url,
      caPem,
      startMillis,
      binariesFrom: binaries.from,
      writeKubeconfig(file = path.join(dir, 'kubeconfig')) {
        const config = {
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
          users: [{ name: 'admin', user: { token: pki.adminToken } }],
          contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
          'current-context': 'test',
        };
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
        return file;
      },
      request: call,
      must,
      async ensureNamespace(name) {
        const res = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      },
      async secretData(namespace, name) {
        const res = await call('GET', `/api/v1/namespaces/${namespace}/secrets/${name}`);
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw new Error(`reading Secret ${namespace}/${name}: HTTP ${res.status}`);
        const data: Record<string, Buffer> = {};
        for (const [key, value] of Object.entries<string>(res.body.data ?? {})) data[key] = Buffer.from(value, 'base64');
        return data;
      },
      async secretNames(namespace) {
        const list = await must('GET', `/api/v1/namespaces/${namespace}/secrets`);
        return (list.items as any[]).map((s) => s.metadata.name as string).sort();
      },
      memory() {
        const read = (child: ChildProcess, field: string) => procStatusKb(child.pid!, field) / 1024;
        return {
          apiserverMiB: read(apiserver, 'VmRSS'),
          etcdMiB: read(etcd, 'VmRSS'),
          apiserverPeakMiB: read(apiserver, 'VmHWM'),
          etcdPeakMiB: read(etcd, 'VmHWM'),
        };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopChild(apiserver);
        await stopChild(etcd);
        fs.rmSync(dir, { recursive: true, force: true });
        process.removeListener('exit', onExit);
      },
    };
  } catch (err) {
    for (const child of children) await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', onExit);
    throw err;
  }
}

interface Pki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  saKey: string;
  saPub: string;
  tokens: string;
  adminToken: string;
  nobodyToken: string;
}

/**
 * A CA of this server alone (P-256, one day), a serving certificate it signs for 127.0.0.1 and localhost, a
 * service-account key pair, and the token file: an admin in system:masters, and a user no RBAC rule names.
 */
function makePki(dir: string): Pki {
  const pki = path.join(dir, 'pki');
  fs.mkdirSync(pki, { mode: 0o700 });
  const file = (name: string) => path.join(pki, name);
  const openssl = (args: string[]): void => {
    const result = spawnSync('openssl', args, { cwd: pki, encoding: 'utf8' });
    if (result.error) throw new Error(`openssl is needed for the API server's certificates (${result.error.message}): install Debian's openssl (npm test's test-tools does).`);
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=cdktf-kkp-vsphere test CA']);
  openssl(['req', '-new', ...ec, '-keyout', 'serving.key', '-out', 'serving.csr', '-subj', '/CN=kube-apiserver']);
  fs.writeFileSync(file('serving.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', 'serving.crt', '-extfile', 'serving.ext']);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  fs.writeFileSync(file('sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(file('sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
  const adminToken = randomBytes(24).toString('hex');
  const nobodyToken = randomBytes(24).toString('hex');
  fs.writeFileSync(file('tokens.csv'), `${adminToken},kkp-test-admin,kkp-test-admin,"system:masters"\n${nobodyToken},kkp-test-nobody,kkp-test-nobody\n`, { mode: 0o600 });
  return {
    caCert: file('ca.crt'),
    servingCert: file('serving.crt'),
    servingKey: file('serving.key'),
    saKey: file('sa.key'),
    saPub: file('sa.pub'),
    tokens: file('tokens.csv'),
    adminToken,
    nobodyToken,
  };
}

/** Ports the kernel hands out now (listen on 0, close); the servers bind them right after. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Output to a file, not a pipe: the test process blocks in spawnSync while terraform runs, and a full pipe would stall the server. */
function spawnLogged(binary: string, args: string[], log: string): ChildProcess {
  const fd = fs.openSync(log, 'a');
  try {
    return spawn(binary, args, { stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
}

async function waitFor(what: string, child: ChildProcess, log: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready:\n${tail(log)}`);
    }
    try {
      if (await ready()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}:\n${tail(log)}`);
}

function tail(log: string): string {
  try {
    return fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = require('node:http').get(url, { timeout: 2000 }, (res: any) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/**
 * One API call. A kept-alive connection the API server closed while this process was busy (a test's synchronous
 * `terraform destroy` blocks the event loop longer than the server keeps an idle connection, so the close is not
 * seen before the next request takes that socket) fails with ECONNRESET ("socket hang up") before any answer: that call
 * is sent once more on a new connection, as node's docs for `request.reusedSocket` advise.
 */
async function request(base: string, ca: string, token: string | undefined, method: string, apiPath: string, body?: unknown): Promise<KubeResponse> {
  try {
    return await requestOnce(base, ca, token, method, apiPath, body);
  } catch (err) {
    if ((err as StaleSocketError).staleSocket) return requestOnce(base, ca, token, method, apiPath, body);
    throw err;
  }
}

type StaleSocketError = Error & { code?: string; staleSocket?: boolean };

function requestOnce(base: string, ca: string, token: string | undefined, method: string, apiPath: string, body?: unknown): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(`${base}${apiPath}`, {
      method,
      ca,
      timeout: 10_000,
      headers: {
        Accept: 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(payload ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', 'Content-Length': payload.length } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // /readyz and friends answer text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', (err: StaleSocketError) => {
      if (req.reusedSocket && err.code === 'ECONNRESET') err.staleSocket = true;
      reject(err);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${apiPath}: timeout`)));
    req.end(payload);
  });
}

function procStatusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
