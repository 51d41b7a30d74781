// What a synth loads: the bundled example, run through the built package (lib/) as `cdktf synth` runs it, must load
// none of the tools (report, image conversion, vCenter client, CLI), none of their dependencies, and no provider
// module whose resource or data source the stack does not use. Each costs every synth of every user (bench/).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '..');

const SCRIPT = `
require('ts-node').register({ transpileOnly: true });
const before = new Set(Object.keys(require.cache));
const { App } = require('cdktf');
const { KkpSeedStack } = require(${JSON.stringify(path.join(repo, 'examples/kkp-seed/main.ts'))});
const app = new App({ outdir: process.argv[1] });
new KkpSeedStack(app, 'kkp-seed');
app.synth();
console.log(JSON.stringify(Object.keys(require.cache).filter((f) => !before.has(f))));
`;

function synthesizeAndListModules(): { loaded: string[]; json: any } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkp-loading-'));
  try {
    const stdout = execFileSync(process.execPath, ['-e', SCRIPT, outdir], {
      cwd: path.join(repo, 'examples/kkp-seed'),
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    const loaded = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/kkp-seed/cdk.tf.json'), 'utf8'));
    return { loaded: loaded.map((f) => path.relative(repo, f)), json };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the synth path', () => {
  const { loaded, json } = synthesizeAndListModules();

  test('runs through the built package', () => {
    expect(loaded).toContain(path.join('lib', 'index.js'));
  });

  test('loads no tool and none of their dependencies', () => {
    const tools = loaded.filter((f) =>
      /^lib[/\\](report|images|vcenter|cli)[/\\]/.test(f) ||
      /^node_modules[/\\](yaml|tar|fast-xml-parser|commander|minizlib|minipass)[/\\]/.test(f));
    expect(tools).toEqual([]);
  });

  test('loads only the provider modules of what the stack declares', () => {
    const declared = new Set<string>([
      ...Object.keys(json.resource ?? {}),
      ...Object.keys(json.data ?? {}).map((type) => `data_${type}`),
    ]);
    const unused = loaded
      .map((f) => f.split(path.sep).join('/'))
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
