#!/usr/bin/env node
// Writes docs/kkp-works.md, the "Does KKP work with it?" matrix, from src/facts/kkp-operations (compiled to lib/ by
// `npm run build`). Never edit the page by hand: test/preflight/matrix.test.ts fails when it is stale.
// Usage: npm run build && node scripts/kkp-works-matrix.js
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { renderKkpWorksMatrix } = require(path.join(root, 'lib/facts/kkp-operations'));
const file = path.join(root, 'docs/kkp-works.md');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, `${renderKkpWorksMatrix()}\n`);
process.stdout.write(`wrote ${path.relative(root, file)}\n`);
