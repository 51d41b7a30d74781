#!/usr/bin/env node
// Generates the API reference (docs/api/) from the TSDoc of the package's entry points with typedoc and its Markdown
// plugin (typedoc.json). `npm run docs:api` writes docs/api; test/package/api.test.ts runs this script with another
// output folder and fails when docs/api differs. Usage: node scripts/api-docs.js [OUT_DIR]
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const out = path.resolve(process.argv[2] ?? path.join(repo, 'docs/api'));
const typedoc = path.join(path.dirname(require.resolve('typedoc/package.json', { paths: [repo] })), 'bin/typedoc');

// typedoc.json sets skipErrorChecking (tsc type-checks the sources; typedoc only reads them): 4 s instead of 10.
const run = spawnSync(process.execPath, [typedoc, '--options', path.join(repo, 'typedoc.json'), '--out', out, '--logLevel', 'Warn'], {
  cwd: repo,
  stdio: 'inherit',
});
if (run.error) throw run.error;
process.exit(run.status ?? 1);
