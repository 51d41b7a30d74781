// OVF manifest (`.mf`): one `SHA256(file)= hexdigest` line per file of the package, the form vSphere
// and ovftool check on import.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ImageConversionError } from './qemu-img';

/** SHA-256 of a file, streamed (disks are large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Renders manifest lines in the given order. */
export function renderManifest(entries: ReadonlyArray<{ file: string; sha256: string }>): string {
  return entries.map((e) => `SHA256(${e.file})= ${e.sha256}\n`).join('');
}

/** Parses a manifest into file → { algorithm, digest }. */
export function parseManifest(text: string, where = 'manifest'): Map<string, { algorithm: string; digest: string }> {
  const out = new Map<string, { algorithm: string; digest: string }>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^(SHA1|SHA256|SHA512)\((.+)\)\s*=\s*([0-9a-fA-F]+)$/.exec(line.trim());
    if (!m) throw new ImageConversionError(`${where}: line '${line}' is not 'SHA256(file)= digest'`);
    out.set(m[2], { algorithm: m[1], digest: m[3].toLowerCase() });
  }
  return out;
}
