// The README as a new user meets it: its install lines make a fresh folder into an app that compiles and synthesizes,
// and every TypeScript block in it, in CONTRIBUTING.md and in the pages of docs/ compiles against the packed library
// (as installed-package.test.ts installs it). The README's KKP x vSphere table and its CLI table are what the code says.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { KkpRoles } from '../../src';
import { KKP_ROLE_PROFILES, VSPHERE_VERSIONS } from '../../src/facts';
import { buildProgram } from '../../src/cli/main';

const repo = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
/** Every page whose TypeScript blocks must compile: the README, CONTRIBUTING.md and each page of docs/. */
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`),
];

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: path.join(cwd, 'terraformrc') },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

interface Block {
  /** The page, relative to the repository: `README.md`, `docs/grants.md`. */
  readonly file: string;
  readonly lang: string;
  readonly line: number;
  readonly code: string;
  /** The paragraph just before the block, e.g. one ending in "`cdktf.json`:". */
  readonly caption: string;
}

function blocks(markdown: string, file = 'README.md'): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    // The paragraph before the block: back over blank lines, then up to the next blank line or block.
    let last = start - 1;
    while (last >= 0 && lines[last].trim() === '') last--;
    let first = last;
    while (first > 0 && lines[first - 1].trim() !== '' && !lines[first - 1].startsWith('```')) first--;
    const caption = last >= 0 ? lines.slice(first, last + 1).join(' ') : '';
    out.push({ file, lang: open[1], line: start + 1, code: lines.slice(start + 1, end).join('\n'), caption });
    i = end;
  }
  return out;
}

/** The section of the README under `heading` (up to the next `## `). */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

const all = PAGES.flatMap((file) => blocks(fs.readFileSync(path.join(repo, file), 'utf8'), file));
const typescript = all.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const where = (b: Block) => `${b.file} block at line ${b.line}`;
const setup = blocks(section('Use it in your stack'));
const byCaption = (caption: string) => {
  const found = setup.find((b) => b.caption.includes(caption));
  if (!found) throw new Error(`"Use it in your stack" has no block after a line naming ${caption}`);
  return found;
};

// Names the README's prose introduces before a fragment uses them (a block that declares one shadows it).
const CONTEXT = `
import type * as kkp from 'cdktf-kkp-vsphere';
declare const inventory: kkp.VsphereInventory;
declare const kkpRoot: kkp.VmFolder;
declare const roles: kkp.KkpRoles;
declare const spec: kkp.KkpDatacenterSpec;
declare const vmTemplates: kkp.VmTemplate[];
declare const common: Omit<kkp.VmTemplateProps, 'source'>;
declare const user: string;
declare const password: string;
`;

/** A fragment as a module: its imports on top, its body in a stack constructor (so `this` and `await` work). */
function asModule(block: Block, rewriteImport: (from: string) => string = (f) => f): string {
  const importRe = /^import\s[\s\S]*?from\s+'([^']+)';[^\n]*\n?/;
  let rest = block.code;
  const imports: string[] = [];
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    const m = importRe.exec(trimmed);
    if (!m) break;
    imports.push(m[0].replace(`'${m[1]}'`, `'${rewriteImport(m[1])}'`).trimEnd());
    rest = trimmed.slice(m[0].length);
  }
  return [
    `// ${block.file} line ${block.line}`,
    ...imports,
    "import { TerraformStack as ReadmeStack } from 'cdktf';",
    "import type { Construct as ReadmeConstruct } from 'constructs';",
    CONTEXT,
    'export class ReadmeBlock extends ReadmeStack {',
    '  constructor(scope: ReadmeConstruct, id: string) {',
    '    super(scope, id);',
    '    void (async () => {',
    rest,
    '    })();',
    '  }',
    '}',
    '',
  ].join('\n');
}

function tscErrors(tsc: string, project: string, cwd: string): string | undefined {
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('README', () => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-readme-'));
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    const packed = run('npm', ['pack', '--silent', '--pack-destination', work], repo).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'readme-app', private: true }));
    fs.writeFileSync(path.join(app, 'terraformrc'), '');
    // The install lines exactly as the README gives them, with the packed library for the published one.
    const install = byCaption('install').code.split('\n').filter((l) => l.startsWith('npm install '));
    expect(install.length).toBeGreaterThan(0);
    for (const line of install) {
      const args = line.split(/\s+/).slice(1).map((a) => (a === 'cdktf-kkp-vsphere' ? `file:${path.join(work, packed)}` : a));
      run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    }
  }, 600_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the install lines, cdktf.json, tsconfig.json and the first sample make an app that `cdktf synth` synthesizes', () => {
    fs.writeFileSync(path.join(app, 'cdktf.json'), byCaption('`cdktf.json`').code);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), byCaption('`tsconfig.json`').code);
    const main = setup.find((b) => b.lang === 'ts')!;
    fs.writeFileSync(path.join(app, 'main.ts'), main.code);
    const synth = byCaption('Then synthesize').code.split('\n').filter((l) => l.startsWith('npx '));
    for (const line of synth) run('npx', line.split(/\s+/).slice(1), app);
    const json = JSON.parse(fs.readFileSync(path.join(app, 'cdktf.out/stacks/kkp-seed/cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource.vsphere_role).length).toBeGreaterThan(0);
    // The sample reads the credentials from the provider's environment variables, and so does the kkpvsphere provider.
    expect(json.provider.vsphere[0]).toEqual({ user: null, password: null });
    expect(json.provider.kkpvsphere[0]).toEqual({ user: null, password: null });
    // The grants on shared objects: one kkpvsphere_permissions per object, managed additively.
    const grants = Object.values<any>(json.resource.kkpvsphere_permissions);
    expect(grants.length).toBeGreaterThan(0);
    for (const r of grants) {
      expect([r['//'].kkp.entity, r['//'].kkp.management]).toEqual([expect.stringMatching(/^\//), 'additive']);
      expect(Object.keys(r.permissions).length).toBeGreaterThan(0);
    }
    expect(json.resource.kkpvsphere_permission).toBeUndefined();
  }, 300_000);

  test('every TypeScript block of the README, CONTRIBUTING.md and docs/ compiles against the installed package', () => {
    expect(typescript.length).toBeGreaterThanOrEqual(12);
    // The README keeps one complete example; the other blocks live on the docs pages.
    expect(typescript.filter((b) => b.file === 'README.md')).toHaveLength(1);
    const dir = path.join(app, 'readme-blocks');
    fs.mkdirSync(dir, { recursive: true });
    const published = typescript.filter((b) => !/from '\.\.?\//.test(b.code));
    published.forEach((b, i) => fs.writeFileSync(path.join(dir, `block-${i}.ts`), asModule(b)));
    fs.writeFileSync(
      path.join(app, 'tsconfig.readme.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'CommonJS', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
        include: ['readme-blocks/*.ts'],
      }),
    );
    const errors = tscErrors(path.join(app, 'node_modules/typescript/bin/tsc'), 'tsconfig.readme.json', app);
    // Name the page and block of each error: the wrapped file's line numbers differ from the page's.
    expect(errors?.replace(/readme-blocks\/block-(\d+)\.ts/g, (f, i) => `${f} [${where(published[Number(i)])}]`)).toBeUndefined();
  }, 300_000);

  test('blocks about internals (relative imports, from the page\'s folder) compile against the repository source', () => {
    const internal = typescript.filter((b) => /from '\.\.?\//.test(b.code));
    expect(internal.length).toBeGreaterThan(0);
    const dir = fs.mkdtempSync(path.join(repo, 'node_modules', '.readme-internal-'));
    try {
      internal.forEach((b, i) =>
        fs.writeFileSync(
          path.join(dir, `block-${i}.ts`),
          asModule(b, (from) => (from.startsWith('.') ? path.resolve(repo, path.dirname(b.file), from) : from)),
        ),
      );
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, noEmit: true, types: ['node'],
            resolveJsonModule: true,
            paths: { 'cdktf-kkp-vsphere': [path.join(repo, 'src/index.ts')] },
          },
          include: ['*.ts'],
        }),
      );
      const errors = tscErrors(path.join(repo, 'node_modules/typescript/bin/tsc'), path.join(dir, 'tsconfig.json'), dir);
      expect(errors?.replace(/block-(\d+)\.ts/g, (f, i) => `${f} [${where(internal[Number(i)])}]`)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('README facts', () => {
  /** The rows of the first table under `## heading`, each a list of cells. */
  function table(heading: string): string[][] {
    return section(heading)
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .slice(2)
      .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
  }

  test('the KKP release x vSphere version table is what KkpRoles synthesizes for every role of each page', () => {
    const expected = KKP_ROLE_PROFILES.map((profile) => {
      const cells = VSPHERE_VERSIONS.map((vsphereVersion) => {
        const stack = new TerraformStack(Testing.app(), 'matrix');
        const roles = new KkpRoles(stack, 'Roles', { kkpRelease: profile.first, vsphereVersion });
        let refused = 0;
        for (const def of profile.roles) {
          try {
            roles.role(def.key);
          } catch {
            refused++;
          }
        }
        const warned = roles.node.metadata.some((m) => /warn/i.test(m.type));
        return refused ? `no: ${refused} of ${profile.roles.length} roles` : warned ? 'warning' : 'yes';
      });
      const releases = profile.first === profile.last ? profile.first : `${profile.first}-${profile.last}`;
      return [releases, `${profile.roles.length}, tested with ${profile.testedWith}`, ...cells];
    });
    expect(VSPHERE_VERSIONS).toEqual(['6.7', '7.0', '7.0u2', '8.0']);
    expect(table('KKP releases and vSphere versions')).toEqual(expected);
  });

  test('the entry-point table names every entry point of package.json "exports", and nothing else', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const entries = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));
    expect(table('Entry points').map((row) => row[0].replace(/`/g, ''))).toEqual(entries);
  });

  test('the CLI table names every command the program registers, once, and nothing else', () => {
    const commands = buildProgram().commands.map((c) => c.name()).sort();
    const named = table('The CLI at a glance').map((row) => /^`([a-z-]+)/.exec(row[0])![1]).sort();
    expect(named).toEqual(commands);
  });
});
