#!/usr/bin/env node
// package.json "prepare". npm runs it after `npm install` / `npm ci` in this repository, before `npm pack` and
// `npm publish`, and when a user installs the package from git (npm clones it, installs its dev dependencies, runs
// prepare, then packs what "files" names). lib/ is not in git, so an install from git needs this build; where lib/
// exists already (a working copy after its first build, `npm pack` in the tests) it does nothing, so `npm ci` stays
// as fast as before. `npm test` and `npm run build` always build.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, 'lib', 'index.js'))) {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
