// Key-for-key comparison of two synthesized stacks, the `//` comments aside (cdktf's metadata and the library's
// review metadata for the report). Usage: node bench/compare.js a/cdk.tf.json b/cdk.tf.json
'use strict';
const { readFileSync } = require('fs');

/** The value without any `//` key, at every depth. */
function withoutComments(value) {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [k, withoutComments(v)]));
  }
  return value;
}

/** Up to `limit` differences between a and b, as `path: a-side vs b-side` lines (object key order ignored). */
function differences(a, b, limit = 10, at = '', out = []) {
  if (out.length >= limit) return out;
  const kind = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(a) !== kind(b)) {
    out.push(`${at || '/'}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`);
  } else if (kind(a) === 'array') {
    if (a.length !== b.length) out.push(`${at}: ${a.length} items vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], limit, `${at}[${i}]`, out);
  } else if (kind(a) === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in a)) out.push(`${at}/${k}: only in the second`);
      else if (!(k in b)) out.push(`${at}/${k}: only in the first`);
      else differences(a[k], b[k], limit, `${at}/${k}`, out);
      if (out.length >= limit) break;
    }
  } else if (a !== b) {
    out.push(`${at}: ${JSON.stringify(a).slice(0, 300)} vs ${JSON.stringify(b).slice(0, 300)}`);
  }
  return out;
}

/** Differences between two cdk.tf.json files, comments aside; [] when they match key for key. */
function compareFiles(fileA, fileB) {
  const read = (f) => withoutComments(JSON.parse(readFileSync(f, 'utf8')));
  return differences(read(fileA), read(fileB));
}

module.exports = { compareFiles, withoutComments };

if (require.main === module) {
  const [a, b] = process.argv.slice(2);
  const diffs = compareFiles(a, b);
  if (diffs.length) {
    console.error(`${a} and ${b} differ:\n${diffs.join('\n')}`);
    process.exit(1);
  }
  console.log('identical key for key (comments aside)');
}
