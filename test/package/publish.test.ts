// What `npm publish` would upload, checked before anyone publishes: `npm pack --dry-run --json` lists the package's
// files, and `npm publish --dry-run` must succeed without a registry (--offline; without it npm 11 spends ~80 s
// retrying an unreachable registry for the login check and then succeeds anyway). `npm test` builds lib/ first.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const pkg = require(path.join(repo, 'package.json'));

interface PackedFile {
  readonly path: string;
  readonly size: number;
}
interface Packed {
  readonly name: string;
  readonly version: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly PackedFile[];
}

// No registry is reachable through these: the checks must not depend on one.
const offline = {
  ...process.env,
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

function npmJson(args: string[]): any {
  const out = execFileSync('npm', [...args, '--json', '--offline', '--loglevel=error'], { cwd: repo, encoding: 'utf8', env: offline, maxBuffer: 32 * 2 ** 20 });
  return JSON.parse(out);
}

let packed: Packed;
let paths: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, 'lib/index.js'))) throw new Error('lib/ is not built: run `npm run build` (npm test does) first.');
  [packed] = npmJson(['pack', '--dry-run']);
  paths = packed.files.map((f) => f.path).sort();
}, 120_000);

test('the package holds the compiled library, its declarations and data, README and package.json: nothing else', () => {
  const outsideLib = paths.filter((p) => !p.startsWith('lib/'));
  const docs = ['README.md', 'package.json', ...['LICENSE', 'CHANGELOG.md'].filter((f) => fs.existsSync(path.join(repo, f)))];
  expect(outsideLib.filter((p) => !docs.includes(p))).toEqual([]);
  expect(paths.filter((p) => p.startsWith('lib/') && !/\.(js|d\.ts|json)$/.test(p))).toEqual([]);
  // The entry points package.json names.
  for (const entry of [pkg.main, pkg.types, ...Object.values<string>(pkg.bin ?? {})]) expect(paths).toContain(entry.replace(/^\.\//, ''));
  // Every source module is in it, compiled: a file left out of the build or of "files" fails here.
  const modules = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : [],
    );
  const missing = modules(path.join(repo, 'src'))
    .map((f) => path.relative(path.join(repo, 'src'), f).replace(/\.ts$/, '.js'))
    .filter((js) => !paths.includes(`lib/${js}`));
  expect(missing).toEqual([]);
});

test('no tests, sources, source maps, state, archives or credentials files', () => {
  const forbidden = [
    /(^|\/)(test|tests|__tests__|fixtures)\//,
    /\.test\.(js|d\.ts)$/,
    /(^|\/)src\//,
    /\.ts$(?<!\.d\.ts)/,
    /\.map$/,
    /(^|\/)\.[^/]+$/, // dotfiles: .env, .npmrc, ...
    /\.(tfstate|tfstate\.backup|tgz|zip|ova|ovf|vmdk|qcow2|pem|key|p12|pfx|crt)$/,
    /(^|\/)(cdktf\.out|node_modules|\.gen|\.terraform)\//,
  ];
  expect(paths.filter((p) => forbidden.some((re) => re.test(p)))).toEqual([]);
});

test('no secrets in the packed files', () => {
  const secret = [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\bnpm_[A-Za-z0-9]{36}\b/, // npm access token
    /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub token
    /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
    /\/\/registry\.npmjs\.org\/:_authToken=/,
  ];
  const found = paths.flatMap((p) => {
    const text = fs.readFileSync(path.join(repo, p), 'utf8');
    return secret.filter((re) => re.test(text)).map((re) => `${p}: ${re}`);
  });
  expect(found).toEqual([]);
});

test('the package stays small: under 1 MB packed, 4 MB unpacked, 600 files', () => {
  // 2026-12-04: 343 kB packed, 1.44 MB unpacked, 193 files (the generated provider bindings are 361 kB of it).
  expect(packed.size).toBeLessThan(1_000_000);
  expect(packed.unpackedSize).toBeLessThan(4_000_000);
  expect(packed.entryCount).toBeLessThan(600);
});

test('package.json carries what the registry and Construct Hub show', () => {
  expect(pkg.name).toBe('cdktf-kkp-vsphere');
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  expect(pkg.license).toBe('Apache-2.0');
  expect(pkg.description.length).toBeGreaterThan(40);
  expect(pkg.author).toBeDefined();
  expect(pkg.engines.node).toMatch(/^>=\d+/);
  for (const keyword of ['cdk', 'cdktf', 'cdktn', 'constructs', 'terraform', 'vsphere', 'kubermatic']) expect(pkg.keywords).toContain(keyword);
});

test('`npm publish --dry-run` succeeds without a registry and would upload exactly the packed files', () => {
  const published = npmJson(['publish', '--dry-run']);
  // npm 11 answers { "<name>": { files, ... } }; older npm answered the object itself.
  const result: Packed = published[pkg.name] ?? published;
  expect(result.name).toBe(pkg.name);
  expect(result.version).toBe(pkg.version);
  expect(result.files.map((f) => f.path).sort()).toEqual(paths);
}, 120_000);

// npm (>= 7) packs CHANGELOG.md only because package.json "files" names it.
test('the package carries CHANGELOG.md', () => {
  expect(paths).toContain('CHANGELOG.md');
});
