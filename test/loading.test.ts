// What a synth loads: the bundled example, run by its own app command through the built package (lib/) as
// `cdktf synth` runs it, must load no compiler once its sources are transpiled, none of the tools (report, image
// conversion, vCenter client, CLI) nor their dependencies, and no provider module whose resource or data source the
// stack does not use. Each would cost every synth of every user (bench/RESULTS.md).
import { execSync } from 'child_process';
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
      /^lib\/(report|images|vcenter|cli)\//.test(f) || /^node_modules\/(yaml|tar|fast-xml-parser|commander|minizlib|minipass)\//.test(f));
    expect(tools).toEqual([]);
  });

  test('loads only the provider modules of what the stack declares', () => {
    const declared = new Set<string>([
      ...Object.keys(json.resource ?? {}),
      ...Object.keys(json.data ?? {}).map((type) => `data_${type}`),
    ]);
    const unused = loaded
      .map((f) => /^node_modules\/@cdktf\/provider-(vsphere|kubernetes)\/lib\/([^/]+)\//.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[2] !== 'provider')
      .map((m) => {
        // data-vsphere-host -> data_vsphere_host; virtual-machine -> vsphere_virtual_machine; secret -> kubernetes_secret
        const name = m[2].replace(/-/g, '_');
        return name.startsWith('data_') ? name : `${m[1]}_${name}`;
      })
      .filter((type) => !declared.has(type));
    expect(unused).toEqual([]);
  });
});

describe('the tools exported from the package root', () => {
  // Loaded on first use (src/index.ts): each name must still be the tool module's own export, and reachable from
  // CommonJS and from an ES module `import { ... } from 'cdktf-kkp-vsphere'` alike.
  const root = require(path.join(repo, 'lib/index.js'));
  const tools = { report: require(path.join(repo, 'lib/tools/report/index.js')), images: require(path.join(repo, 'lib/tools/images/index.js')) };
  const lazy = Object.keys(root).filter((name) => Object.getOwnPropertyDescriptor(root, name)?.get && Object.values(tools).some((t) => name in t));

  test('are the tool modules own exports', () => {
    // Every `export declare const` of src/index.ts is one of them, defined at run time.
    const declared = [...fs.readFileSync(path.join(repo, 'lib/index.d.ts'), 'utf8').matchAll(/^export declare const (\w+)/gm)].map((m) => m[1]);
    expect(lazy.sort()).toEqual(declared.sort());
    expect(lazy.length).toBeGreaterThanOrEqual(10);
    for (const name of lazy) {
      const own = Object.values(tools).find((t) => name in t)!;
      expect([name, root[name]]).toEqual([name, own[name]]);
    }
  });

  test('an ES module imports them by name', () => {
    const script = `import * as pkg from ${JSON.stringify(path.join(repo, 'lib/index.js'))};
      import { ${lazy.join(', ')} } from ${JSON.stringify(path.join(repo, 'lib/index.js'))};
      const named = { ${lazy.join(', ')} };
      console.log(JSON.stringify(Object.entries(named).filter(([name, value]) => typeof value !== 'function' || value !== pkg[name]).map(([n]) => n)));`;
    const out = execSync(`${JSON.stringify(process.execPath)} --input-type=module`, { input: script, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual([]);
  });
});
