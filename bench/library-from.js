// `node -r bench/library-from.js`: the library app loads `cdktf-kkp-vsphere` from $KKP_BENCH_LIB (a copy of `lib/`
// inside this repository, e.g. bench/apps/.baseline-lib) instead of the worktree's own `lib/`. `npm run bench --
// --baseline DIR` uses it to time a change against the code before it in one alternating run.
'use strict';
const Module = require('module');
const path = require('path');

const lib = path.resolve(process.env.KKP_BENCH_LIB);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'cdktf-kkp-vsphere' ? path.join(lib, 'index.js') : request, ...rest);
};
