// convertImage on images a user should not ship: damaged (truncated) downloads and images whose data lives partly
// in another host file (backing file by path or `json:` spec, external data file). Each case first shows with plain
// qemu-img that the danger is real (exit 0, wrong or foreign bytes), then that convertImage refuses it and writes
// nothing. The images are real, made with qemu-img and qemu-io.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { convertImage, ImageConversionError, qcow2WithoutBacking, qemuImgCheck, qemuImgCompare } from '../../src/tools/images';
import { makeQcow2, ok, run, tmpDir, removeTmpDirs } from './tools';

afterAll(removeTmpDirs);

const MiB = 2 ** 20;

async function refused(input: string, outDir: string, message: RegExp): Promise<void> {
  const err = await convertImage({ input, outDir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageConversionError);
  expect((err as Error).message).toMatch(message);
  // Refused before the output folder is even created.
  expect(existsSync(outDir)).toBe(false);
}

/** A 1 MiB host file of random bytes: what must never end up in a template. */
function hostFile(dir: string): { file: string; bytes: Buffer } {
  const bytes = randomBytes(MiB);
  const file = path.join(dir, 'host-secret.bin');
  writeFileSync(file, bytes);
  return { file, bytes };
}

/** Plain qemu-img, as a user would run it: the overlay converts with exit 0 and carries the host file's bytes. */
function expectPlainQemuImgLeaks(dir: string, overlay: string, bytes: Buffer): void {
  const raw = path.join(dir, 'leak.raw');
  ok('qemu-img', ['convert', '-O', 'raw', overlay, raw]);
  expect(readFileSync(raw).equals(bytes)).toBe(true);
}

describe('a truncated QCOW2 (an interrupted download)', () => {
  let dir: string;
  let truncated: string;
  beforeAll(() => {
    dir = tmpDir('truncated');
    const whole = makeQcow2(path.join(dir, 'whole.qcow2'), 16 * MiB, [{ offset: 0, length: 8 * MiB, pattern: 0xab }]);
    truncated = path.join(dir, 'ubuntu.qcow2');
    writeFileSync(truncated, readFileSync(whole).subarray(0, 3_000_000));
  });

  test('plain qemu-img converts it with exit code 0 into a disk that differs from the source at offset 0', () => {
    const vmdk = path.join(dir, 'plain.vmdk');
    ok('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', truncated, vmdk]);
    const cmp = run('qemu-img', ['compare', '-f', 'qcow2', '-F', 'qcow2', path.join(dir, 'whole.qcow2'), truncated]);
    expect(cmp.status).toBe(1);
    expect(run('qemu-img', ['check', truncated]).status).toBe(2);
  });

  test('convertImage refuses it, names the cause and the fix, and writes nothing', async () => {
    await refused(
      truncated,
      path.join(dir, 'out'),
      /input image '.*ubuntu\.qcow2' is damaged: qemu-img check found \d+ errors \(first: ERROR.*\)\. A truncated or interrupted download looks like this: download the image again/,
    );
  });

  test('qemuImgCheck reports the corruptions, and a clean image as clean', async () => {
    const bad = await qemuImgCheck(truncated, 'qcow2');
    expect(bad.corruptions).toBeGreaterThan(0);
    const good = await qemuImgCheck(path.join(dir, 'whole.qcow2'), 'qcow2');
    expect(good).toMatchObject({ corruptions: 0, checkErrors: 0 });
  });
});

describe('a QCOW2 whose data lives partly in another host file', () => {
  test('a backing file given by path: plain qemu-img copies the host file in; convertImage refuses', async () => {
    const dir = tmpDir('backing');
    const { file, bytes } = hostFile(dir);
    const overlay = path.join(dir, 'overlay.qcow2');
    ok('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', file, '-F', 'raw', overlay, '1M']);
    expectPlainQemuImgLeaks(dir, overlay, bytes);
    await refused(
      overlay,
      path.join(dir, 'out'),
      /input image '.*overlay\.qcow2' is a QCOW2 overlay: its header names the backing file '.*host-secret\.bin', whose bytes would end up in the template\. .*flatten the image first/,
    );
  });

  test('a json: backing spec: plain qemu-img copies the host file in; convertImage refuses', async () => {
    const dir = tmpDir('backing-json');
    const { file, bytes } = hostFile(dir);
    const overlay = path.join(dir, 'overlay.qcow2');
    const spec = `json:${JSON.stringify({ driver: 'raw', file: { driver: 'file', filename: file } })}`;
    ok('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', spec, '-F', 'raw', overlay, '1M']);
    expectPlainQemuImgLeaks(dir, overlay, bytes);
    await refused(overlay, path.join(dir, 'out'), /is a QCOW2 overlay: its header names the backing file 'json:\{"driver":"raw".*host-secret\.bin/);
  });

  test('a backing file that is missing is refused the same way (not a qemu-img error)', async () => {
    const dir = tmpDir('backing-gone');
    const overlay = path.join(dir, 'overlay.qcow2');
    ok('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', path.join(dir, 'gone.img'), '-F', 'raw', overlay, '4M']);
    await refused(overlay, path.join(dir, 'out'), /is a QCOW2 overlay: its header names the backing file '.*gone\.img'/);
  });

  test('an external data file: plain qemu-img reads the host file; convertImage refuses', async () => {
    const dir = tmpDir('data-file');
    const image = path.join(dir, 'image.qcow2');
    const data = path.join(dir, 'data.bin');
    // qemu-img create makes the data file; the "host" bytes are written into it afterwards.
    ok('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', `data_file=${data},data_file_raw=on`, image, '1M']);
    const bytes = randomBytes(MiB);
    writeFileSync(data, bytes);
    expectPlainQemuImgLeaks(dir, image, bytes);
    await refused(image, path.join(dir, 'out'), /keeps its data in the external file '.*data\.bin' \(QCOW2 data-file\)/);
  });

  test('behind the refusal, every read opens the image with no backing at all (qcow2WithoutBacking)', async () => {
    const dir = tmpDir('no-backing');
    const { file } = hostFile(dir);
    const overlay = path.join(dir, 'overlay.qcow2');
    ok('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', file, '-F', 'raw', overlay, '1M']);
    const zeros = path.join(dir, 'zeros.raw');
    ok('qemu-img', ['create', '-q', '-f', 'raw', zeros, '1M']);
    // Through the spec the overlay reads as all zeros (its own clusters), never as the host file.
    expect(await qemuImgCompare({ image: qcow2WithoutBacking(overlay), format: 'qcow2' }, { image: zeros, format: 'raw' })).toBeUndefined();
    expect(await qemuImgCompare({ image: overlay, format: 'qcow2' }, { image: zeros, format: 'raw' })).toMatch(/Content mismatch at offset 0/);
  });
});

test('the converted disk is compared with the input: a qemu-img that writes other data is caught, nothing is written', async () => {
  const dir = tmpDir('compare');
  const input = makeQcow2(path.join(dir, 'in.qcow2'), 4 * MiB, [{ offset: 0, length: MiB, pattern: 0x11 }]);
  const other = makeQcow2(path.join(dir, 'other.qcow2'), 4 * MiB, [{ offset: 0, length: MiB, pattern: 0x22 }]);
  // A faulty qemu-img: the real binary, but `convert` reads another image (as a reader returning foreign bytes would).
  const wrapper = path.join(dir, 'faulty-qemu-img');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ "$1" = convert ]; then\n  out=""; for a in "$@"; do out="$a"; done\n` +
      `  exec qemu-img convert -O vmdk -o subformat=streamOptimized,adapter_type=lsilogic '${other}' "$out"\nfi\nexec qemu-img "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const outDir = path.join(dir, 'out');
  const err = await convertImage({ input, outDir, qemuImg: wrapper }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.message).toMatch(/check of the converted disk failed: it differs from '.*in\.qcow2' \(qemu-img compare: Content mismatch at offset 0!\); nothing was written/);
  expect(existsSync(outDir)).toBe(false);
  // The same input converts cleanly with the real qemu-img.
  const img = await convertImage({ input, outDir });
  expect(readdirSync(outDir).sort()).toEqual(['in-disk1.vmdk', 'in.mf', 'in.ovf']);
  expect(img.populatedSizeBytes).toBe(MiB);
});
