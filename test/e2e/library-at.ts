// An earlier version of this library, built from git history: the migration tests synthesize a stack with it and
// apply it, as a user's stack was applied before upgrading (test/e2e/provisioner-era.ts adds the old CLI on top).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
// Under the repository's node_modules, so that the old build's `require('cdktf')` finds the app's own cdktf (the
// constructs of both versions then belong to the same cdktf and the same App).
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdktf-kkp-vsphere', 'library-at');

/** One version of the package, built. */
export interface LibraryBuild {
  readonly commit: string;
  /** The build's directory: its src, package.json and tsconfig.json from the commit, and lib. */
  readonly dir: string;
  /** The old package's lib/ (require it for the old constructs). */
  readonly lib: string;
}

/**
 * Builds (once per commit, cached under node_modules/.cache) the package as it was at `commit`, from git history,
 * with the repository's TypeScript: its src (generated bindings included), tsconfig.json and package.json (whose
 * exports resolve the package's own subpath imports), compiled without declarations.
 */
export function libraryAt(commit: string): LibraryBuild {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new Error(`libraryAt: give a commit id, not ${JSON.stringify(commit)}`);
  const dir = path.join(CACHE, commit.slice(0, 12));
  const lib = path.join(dir, 'lib');
  if (!fs.existsSync(path.join(lib, 'index.js'))) {
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', commit, 'src', 'tsconfig.json', 'package.json'], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
    if (archive.status !== 0) {
      throw new Error(
        `git archive ${commit} failed (${String(archive.stderr).trim()}): the migration tests build earlier versions of ` +
          'this library from git history; in a shallow clone, fetch it first (git fetch --unshallow).',
      );
    }
    const untar = spawnSync('tar', ['-x', '-C', tmp], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar -x of the version at ${commit} failed: ${String(untar.stderr)}`);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(tmp, 'tsconfig.json'), '--declaration', 'false'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`building the version at ${commit} failed:\n${tsc.stdout}${tsc.stderr}`);
    if (fs.existsSync(path.join(lib, 'index.js'))) {
      fs.rmSync(tmp, { recursive: true, force: true }); // another test process built it meanwhile
    } else {
      fs.rmSync(dir, { recursive: true, force: true }); // a partial build
      fs.renameSync(tmp, dir);
    }
  }
  return { commit, dir, lib };
}
