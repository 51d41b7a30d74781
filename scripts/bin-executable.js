#!/usr/bin/env node
// Part of `npm run build`: makes every file package.json names under "bin" executable (mode 755), after tsc wrote it.
// tsc writes new files with mode 644; the example's provisioners run `npx --no-install cdktf-kkp-vsphere`, which
// execs npm's bin link to lib/cli/main.js directly, so without the execute bit that fails with "Permission denied"
// (exit 127). npm's own install of the packed tarball sets the bit too; a build in the checkout has nobody else to.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin || {});
for (const bin of bins) {
  const file = path.join(root, bin);
  if (!fs.existsSync(file)) {
    process.stderr.write(`bin-executable: ${bin} (package.json "bin") was not built: check that tsc compiled it.\n`);
    process.exit(1);
  }
  fs.chmodSync(file, fs.statSync(file).mode | 0o755);
}
