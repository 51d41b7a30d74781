// The provisioner version of this library (additive grants and template imports as terraform_data resources whose
// local-exec provisioners ran `cdktf-kkp-vsphere grant --stack` / `revoke --stack` / `template-import`), built from
// git history: the migration test synthesizes a stack with it and applies it with its own CLI, as a user's stack was
// applied before moving to the kkpvsphere provider.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { libraryAt } from './library-at';

/** The last commit whose constructs wrote provisioners (and whose CLI ran them). */
export const PROVISIONER_ERA_COMMIT = '99be1d9d85e7ae9e7d64b7248688a2b11300375a';

const ROOT = path.resolve(__dirname, '../..');
// The old CLI's npm prefix (the build itself is libraryAt's).
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

/** Builds (once per commit) the old package from git history with the repository's TypeScript (see libraryAt). */
export function provisionerEra(): ProvisionerEra {
  const { lib } = libraryAt(PROVISIONER_ERA_COMMIT);
  if (!fs.existsSync(path.join(lib, 'cli', 'main.js'))) throw new Error(`the version at ${PROVISIONER_ERA_COMMIT} has no CLI (lib/cli/main.js)`);
  const prefix = path.join(CACHE, PROVISIONER_ERA_COMMIT.slice(0, 12), 'prefix');
  const callsLog = path.join(prefix, 'calls.log');
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
