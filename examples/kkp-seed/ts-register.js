// Lets Node run this example's TypeScript (cdktf.json: `node -r ./ts-register.js main.ts`), at the cost of plain
// JavaScript: each .ts file is transpiled once per change (TypeScript's transpileModule, no type check: `tsc` and the
// tests do that) and the JavaScript is kept in node_modules/.cache. A synth whose sources did not change loads no
// compiler at all. Measured in bench/RESULTS.md against ts-node, sucrase and precompiled JavaScript.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const typescriptPackage = require.resolve('typescript/package.json');
const cacheDir = path.join(path.dirname(typescriptPackage), '..', '.cache', 'cdktf-kkp-vsphere-ts');
const compilerOptions = { module: 1 /* CommonJS */, target: 9 /* ES2022 */, esModuleInterop: false, sourceMap: false };
let typescript;

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(`${typescriptPackage}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let js;
  try {
    js = fs.readFileSync(cached, 'utf8');
  } catch {
    typescript ??= require('typescript');
    js = typescript.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed, so a concurrent synth never reads half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, js);
    fs.renameSync(partial, cached);
  }
  module._compile(js, filename);
};
