// What a synth loads: the bundled example, run by its own app command through the built package (lib/) as
// `cdktf synth` runs it, must load no compiler once its sources are transpiled, none of the tools (report, image
// conversion, vCenter client, CLI) nor their dependencies, and no provider module whose resource or data source the
// stack does not use. Each would cost every synth of every user (bench/RESULTS.md).
import { execFileSync, execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '..');

const example = path.join(repo, 'examples/kkp-seed');
const appCommand: string = JSON.parse(fs.readFileSync(path.join(example, 'cdktf.json'), 'utf8')).app;

// Preloaded through NODE_OPTIONS into the app's node process: lists every module file it loaded.
const TRACER = `process.on('exit', () => require('fs').writeFileSync(process.env.KKP_LOADED_MODULES, JSON.stringify(Object.keys(require.cache))));`;

/** Runs the example's app command as `cdktf synth` does (in its folder, CDKTF_OUTDIR set). */
function runExampleApp(): { loaded: string[]; json: any } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-loading-'));
  try {
    const tracer = path.join(work, 'tracer.js');
    fs.writeFileSync(tracer, TRACER);
    execSync(appCommand, {
      cwd: example,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CDKTF_OUTDIR: path.join(work, 'out'),
        CHECKPOINT_DISABLE: '1',
        NODE_OPTIONS: `--require ${tracer}`,
        KKP_LOADED_MODULES: path.join(work, 'loaded.json'),
      },
    });
    const loaded = JSON.parse(fs.readFileSync(path.join(work, 'loaded.json'), 'utf8')) as string[];
    const json = JSON.parse(fs.readFileSync(path.join(work, 'out/stacks/kkp-seed/cdk.tf.json'), 'utf8'));
    return { loaded: loaded.map((f) => path.relative(repo, f).split(path.sep).join('/')), json };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describe("the example's app command (what `cdktf synth` runs)", () => {
  // Run twice: the first run may transpile (a fresh checkout), the second finds every file transpiled already.
  runExampleApp();
  const { loaded, json } = runExampleApp();

  test('synthesizes the example through the built package', () => {
    expect(loaded).toContain('lib/index.js');
    expect(loaded).toContain('examples/kkp-seed/main.ts');
    expect(Object.keys(json.resource.vsphere_role).length).toBeGreaterThan(0);
    expect(Object.keys(json.output)).toContain('kkp_datacenter_vsphere_dc_1');
  });

  test('loads no TypeScript compiler or transpiler once the sources are transpiled', () => {
    expect(loaded.filter((f) => /^node_modules\/(typescript|ts-node|source-map-support|@swc|esbuild|sucrase)\//.test(f))).toEqual([]);
  });

  test('loads no tool and none of their dependencies', () => {
    const tools = loaded.filter((f) =>
      /^lib\/(tools|cli)\//.test(f) || /^node_modules\/(yaml|tar|fast-xml-parser|commander|minizlib|minipass)\//.test(f));
    expect(tools).toEqual([]);
  });

  test('loads only the provider modules of what the stack declares', () => {
    const declared = new Set<string>([
      ...Object.keys(json.resource ?? {}),
      ...Object.keys(json.data ?? {}).map((type) => `data_${type}`),
    ]);
    // The library's own bindings (lib/framework/providers/<provider>/<module>.js, generated from the provider schemas)
    // and the prebuilt packages' deep modules (only the app's own provider classes come from there).
    const modules = loaded
      .map((f) => /^lib\/framework\/providers\/(vsphere|kubernetes|kkpvsphere)\/([^/]+)\.js$/.exec(f) ?? /^node_modules\/@cdktf\/provider-(vsphere|kubernetes)\/lib\/([^/]+)\//.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[2] !== 'provider');
    const unused = modules
      .map((m) => {
        // data-vsphere-host -> data_vsphere_host; folder -> vsphere_folder; secret -> kubernetes_secret
        const name = m[2].replace(/-/g, '_');
        return name.startsWith('data_') ? name : `${m[1]}_${name}`;
      })
      .filter((type) => !declared.has(type));
    expect(unused).toEqual([]);
    // The library creates its resources from its own bindings, not from the prebuilt packages (which extend cdktf's
    // classes and so cannot be elements of a cdktn stack): of those, only the example's own provider classes load.
    expect(modules.filter((m) => m[0].startsWith('node_modules/'))).toEqual([]);
    expect(modules.filter((m) => m[0].startsWith('lib/framework/')).length).toBeGreaterThan(0);
  });
});

describe("the package's entry points", () => {
  // package.json "exports": the root holds the constructs; facts, contracts, report and images are subpaths, each a
  // folder's index. Resolved by the package's own name from the repository (Node's self-reference), as an app resolves
  // them from node_modules.
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const subpaths = Object.keys(pkg.exports).filter((s) => s !== '.' && s !== './package.json').map((s) => s.slice(2));

  /** Requires `specifier` in a fresh node from the repository: its export names and the files it loaded. */
  function load(specifier: string): { names: string[]; loaded: string[] } {
    const script = `const before = new Set(Object.keys(require.cache));
      const names = Object.keys(require(${JSON.stringify(specifier)}));
      console.log(JSON.stringify({ names, loaded: Object.keys(require.cache).filter((f) => !before.has(f)) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repo, encoding: 'utf8' }));
    return { names: out.names, loaded: out.loaded.map((f: string) => path.relative(repo, f).split(path.sep).join('/')) };
  }

  test('are the root and the facts, contracts, report and images folders', () => {
    expect(subpaths.sort()).toEqual(['contracts', 'facts', 'images', 'report']);
    expect(pkg.exports['.']).toEqual({ types: './lib/index.d.ts', default: './lib/index.js' });
    expect(pkg.exports['./report']).toEqual({ types: './lib/tools/report/index.d.ts', default: './lib/tools/report/index.js' });
  });

  test('the root exports no tool, and loads none', () => {
    const root = load('cdktf-kkp-vsphere');
    const toolNames = new Set([...load('cdktf-kkp-vsphere/report').names, ...load('cdktf-kkp-vsphere/images').names]);
    expect(root.names.filter((n) => toolNames.has(n))).toEqual([]);
    expect(root.names).toEqual(expect.arrayContaining(['KkpRoles', 'VmTemplate', 'VsphereInventory', 'VspherePermissions']));
    expect(root.loaded.filter((f) => /^lib\/(tools|cli)\//.test(f))).toEqual([]);
    // No name is declared for a value defined elsewhere at run time (the lazily loaded exports are gone).
    expect(fs.readFileSync(path.join(repo, 'lib/index.d.ts'), 'utf8')).not.toMatch(/^export declare const/m);
  });

  test('facts, contracts and report load no cdktf and no other tool; images loads no cdktf', () => {
    for (const subpath of subpaths) {
      const { names, loaded } = load(`cdktf-kkp-vsphere/${subpath}`);
      expect([subpath, names.length > 0]).toEqual([subpath, true]);
      expect([subpath, loaded.filter((f) => /^node_modules\/(cdktf|constructs|@cdktf)\//.test(f))]).toEqual([subpath, []]);
      const otherTools = loaded.filter((f) => /^lib\/(tools|cli)\//.test(f) && !f.startsWith(`lib/tools/${subpath}/`));
      expect([subpath, otherTools]).toEqual([subpath, []]);
    }
  });

  test('an ES module imports each subpath by name', () => {
    for (const subpath of subpaths) {
      const names = load(`cdktf-kkp-vsphere/${subpath}`).names;
      const specifier = JSON.stringify(`cdktf-kkp-vsphere/${subpath}`);
      const script = `import { createRequire } from 'node:module';
        import { ${names.join(', ')} } from ${specifier};
        const cjs = createRequire(${JSON.stringify(path.join(repo, 'package.json'))})(${specifier});
        const named = { ${names.join(', ')} };
        console.log(JSON.stringify(Object.keys(cjs).filter((name) => named[name] !== cjs[name])));`;
      const out = execFileSync(process.execPath, ['--input-type=module'], { cwd: repo, input: script, encoding: 'utf8' });
      expect([subpath, JSON.parse(out.trim())]).toEqual([subpath, []]);
    }
  });
});
