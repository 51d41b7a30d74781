// The provisioner version of this library (additive grants and template imports as terraform_data resources whose
// local-exec provisioners ran `cdktf-kkp-vsphere grant --stack` / `revoke --stack` / `template-import`), built from
// git history: the migration test synthesizes a stack with it and applies it with its own CLI, as a user's stack was
// applied before moving to the kkpvsphere provider.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The last commit whose constructs wrote provisioners (and whose CLI ran them). */
export const PROVISIONER_ERA_COMMIT = '99be1d9d85e7ae9e7d64b7248688a2b11300375a';

const ROOT = path.resolve(__dirname, '../..');
// Under the repository's node_modules, so that the old build's `require('cdktf')` finds the app's own cdktf.
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'provisioner-era');

export interface ProvisionerEra {
  /** The old package's lib/ (require it for the old constructs). */
  readonly lib: string;
  /**
   * A directory with `bin/cdktf-kkp-vsphere` running the old CLI, laid out as a global npm install: put `bin` on PATH
   * and set `npm_config_prefix` to this directory, and the old stacks' `npx --no-install cdktf-kkp-vsphere` runs it.
   * Each invocation's arguments are appended to `calls.log` beside it (emptied by each call of provisionerEra).
   */
  readonly prefix: string;
  readonly callsLog: string;
}

/** Builds (once per commit) the old package from git history with the repository's TypeScript. */
export function provisionerEra(): ProvisionerEra {
  const dir = path.join(CACHE, PROVISIONER_ERA_COMMIT.slice(0, 12));
  const lib = path.join(dir, 'lib');
  const prefix = path.join(dir, 'prefix');
  const callsLog = path.join(prefix, 'calls.log');
  if (!fs.existsSync(path.join(lib, 'cli', 'main.js'))) {
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', PROVISIONER_ERA_COMMIT, 'src', 'tsconfig.json', 'package.json'], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
    if (archive.status !== 0) {
      throw new Error(
        `git archive ${PROVISIONER_ERA_COMMIT} failed (${String(archive.stderr).trim()}): the migration test builds the provisioner ` +
          'version from git history; in a shallow clone, fetch it first (git fetch --unshallow).',
      );
    }
    const untar = spawnSync('tar', ['-x', '-C', tmp], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar -x of the provisioner version failed: ${String(untar.stderr)}`);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(tmp, 'tsconfig.json'), '--declaration', 'false'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`building the provisioner version failed:\n${tsc.stdout}${tsc.stderr}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  }
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.rmSync(callsLog, { force: true }); // a log per test run
  const bin = path.join(prefix, 'bin', 'cdktf-kkp-vsphere');
  fs.writeFileSync(bin, `#!/bin/sh\necho "$*" >> '${callsLog}'\nexec '${process.execPath}' '${path.join(lib, 'cli', 'main.js')}' "$@"\n`, { mode: 0o755 });
  return { lib, prefix, callsLog };
}

/** The CLI invocations logged so far (`grant --stack`, `revoke --stack`, ...). */
export function provisionerCalls(era: ProvisionerEra): string[] {
  return fs.existsSync(era.callsLog) ? fs.readFileSync(era.callsLog, 'utf8').split('\n').filter((l) => l !== '') : [];
}
