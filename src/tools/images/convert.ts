// QCOW2 → ESXi-ready OVF package: a streamOptimized VMDK, an OVF 1.0 descriptor, a SHA-256 manifest and
// optionally an OVA. Everything is written into a temp dir inside the output dir and renamed into place
// only after the result has been checked, so a failed or interrupted run leaves no half-written package.
import { mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { create as tarCreate, list as tarList } from 'tar';
import { parseManifest, renderManifest, sha256File } from './manifest';
import { OvfSummary, readOvf, renderOvf, ScsiControllerType, STREAM_OPTIMIZED_FORMAT } from './ovf';
import {
  ImageConversionError,
  parseProgress,
  qcow2WithoutBacking,
  qemuImgCheck,
  qemuImgCompare,
  qemuImgInfo,
  QemuImgOptions,
  qemuImgPopulatedSize,
  runQemuImgStatus,
  lastLine,
} from './qemu-img';

/** Options of {@link convertImage}. */
export interface ConvertImageOptions extends QemuImgOptions {
  /** Path of the QCOW2 image to convert. */
  readonly input: string;
  /** Directory the package is written to; created when missing. */
  readonly outDir: string;
  /**
   * Name of the VM in the OVF and base name of the output files.
   * @default - the input file name without its `.qcow2`/`.img` extension
   */
  readonly name?: string;
  /**
   * vSphere guest OS identifier (`VirtualMachineGuestOsIdentifier`), e.g. `ubuntu64Guest`, `rhel9_64Guest`.
   * @default 'otherLinux64Guest'
   */
  readonly guestOs?: string;
  /**
   * Virtual CPUs of the template (machine-controller overrides them from the MachineDeployment).
   * @default 2
   */
  readonly cpus?: number;
  /**
   * Memory of the template in MiB (a multiple of 4, as vSphere requires).
   * @default 2048
   */
  readonly memoryMb?: number;
  /**
   * SCSI controller of the disk. `lsilogic` boots every mainstream Linux cloud image; `pvscsi` is faster
   * but needs the vmw_pvscsi driver in the image's initramfs.
   * @default 'lsilogic'
   */
  readonly scsiController?: ScsiControllerType;
  /**
   * Name of the OVF network the NIC is attached to; `ovf_network_map` maps this name to a real network.
   * @default 'VM Network'
   */
  readonly networkName?: string;
  /**
   * Virtual hardware version (`vmx-N`). 13 deploys on ESXi 6.5 and every later release.
   * @default 13
   */
  readonly hardwareVersion?: number;
  /**
   * Also pack the package into `<name>.ova` (OVF first, then manifest, then disk).
   * @default false
   */
  readonly ova?: boolean;
  /**
   * Replace existing output files of the same name.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Called with the conversion progress in percent (0 to 100) as `qemu-img convert -p` reports it.
   * @default - no progress reporting
   */
  readonly onProgress?: (percent: number) => void;
}

/** File names of a converted package, relative to its directory. */
export interface ConvertedImageFiles {
  readonly ovf: string;
  readonly manifest: string;
  readonly vmdk: string;
  readonly ova: string;
}

/** The package {@link convertImage} wrote, described for VmTemplate and for users. */
export interface ConvertedImage {
  readonly name: string;
  /** Absolute path of the OVF descriptor: what `ovf_deploy.local_ovf_path` takes. */
  readonly ovfPath: string;
  /** Absolute path of the streamOptimized VMDK the descriptor references. */
  readonly vmdkPath: string;
  /** Absolute path of the SHA-256 manifest. */
  readonly manifestPath: string;
  /** Absolute path of the OVA when one was requested (also usable as `local_ovf_path`). */
  readonly ovaPath?: string;
  /** Virtual size of the disk in bytes (equal to the input's). */
  readonly capacityBytes: number;
  /** Size of the VMDK file in bytes. */
  readonly vmdkSizeBytes: number;
  /** Bytes of guest data in the disk. */
  readonly populatedSizeBytes: number;
  readonly guestOs: string;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly scsiController: ScsiControllerType;
  /** OVF network name of the NIC: the key for `ovf_network_map`. */
  readonly networkName: string;
  readonly hardwareVersion: number;
  /** SHA-256 of every file in the manifest, by file name. */
  readonly sha256: Readonly<Record<string, string>>;
}

/** Output file names for a package called `name`. */
export function convertedImageFiles(name: string): ConvertedImageFiles {
  return { ovf: `${name}.ovf`, manifest: `${name}.mf`, vmdk: `${name}-disk1.vmdk`, ova: `${name}.ova` };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const GUEST_RE = /^[A-Za-z][A-Za-z0-9_]*Guest$/;

interface Resolved {
  name: string;
  guestOs: string;
  cpus: number;
  memoryMb: number;
  scsiController: ScsiControllerType;
  networkName: string;
  hardwareVersion: number;
}

function resolveOptions(o: ConvertImageOptions): Resolved {
  const base = path.basename(o.input).replace(/\.(qcow2|qcow|img)$/i, '');
  const name = o.name ?? base;
  if (!NAME_RE.test(name)) {
    throw new ImageConversionError(
      `name '${name}'${o.name === undefined ? ` (taken from '${o.input}')` : ''} is not usable as a VM and file name: ` +
        'use 1-80 letters, digits, dot, dash or underscore, starting with a letter or digit (pass --name)',
    );
  }
  const guestOs = o.guestOs ?? 'otherLinux64Guest';
  if (!GUEST_RE.test(guestOs)) {
    throw new ImageConversionError(
      `guest OS '${guestOs}' is not a vSphere guest identifier such as 'ubuntu64Guest' or 'rhel9_64Guest'`,
    );
  }
  const cpus = o.cpus ?? 2;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 768) {
    throw new ImageConversionError(`cpus ${cpus} is invalid: use a whole number from 1 to 768`);
  }
  const memoryMb = o.memoryMb ?? 2048;
  if (!Number.isInteger(memoryMb) || memoryMb < 4 || memoryMb % 4 !== 0) {
    throw new ImageConversionError(`memory ${memoryMb} MiB is invalid: vSphere needs a whole multiple of 4 MiB`);
  }
  const scsiController = o.scsiController ?? 'lsilogic';
  if (scsiController !== 'lsilogic' && scsiController !== 'pvscsi') {
    throw new ImageConversionError(`SCSI controller '${String(scsiController)}' is invalid: use 'lsilogic' or 'pvscsi'`);
  }
  const networkName = o.networkName ?? 'VM Network';
  // eslint-disable-next-line no-control-regex
  if (!networkName.trim() || /[\u0000-\u001f]/.test(networkName)) {
    throw new ImageConversionError(`network name '${networkName}' must be non-empty and on one line`);
  }
  const hardwareVersion = o.hardwareVersion ?? 13;
  if (!Number.isInteger(hardwareVersion) || hardwareVersion < 7 || hardwareVersion > 99) {
    throw new ImageConversionError(`hardware version ${hardwareVersion} is invalid: use e.g. 13 (ESXi 6.5+) or 19 (ESXi 7.0U2+)`);
  }
  return { name, guestOs, cpus, memoryMb, scsiController, networkName, hardwareVersion };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Converts a QCOW2 image into an OVF package that `ovf_deploy` (and vCenter's Deploy OVF) imports. */
export async function convertImage(options: ConvertImageOptions): Promise<ConvertedImage> {
  const r = resolveOptions(options);
  const qopts: QemuImgOptions = { qemuImg: options.qemuImg, env: options.env, signal: options.signal };
  const input = path.resolve(options.input);

  let inputStat;
  try {
    inputStat = await stat(input);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ImageConversionError(`input image '${options.input}' does not exist`);
    }
    throw new ImageConversionError(`cannot read input image '${options.input}': ${(err as Error).message}`);
  }
  if (!inputStat.isFile()) throw new ImageConversionError(`input image '${options.input}' is not a regular file`);

  // `info` opens the image without its backing file, so it is safe on any input; the checks below decide whether
  // the image is self-contained before anything reads its data.
  const info = await qemuImgInfo(input, qopts);
  if (info.format !== 'qcow2') {
    throw new ImageConversionError(
      `input image '${options.input}' is ${info.format}, not QCOW2: convert-image takes QCOW2 images only ` +
        `(for a ${info.format} image run 'qemu-img convert -f ${info.format} -O qcow2' first)`,
    );
  }
  refuseExternalData(options.input, info);
  // Every later read opens the file as QCOW2 with no backing at all: even a header the checks above missed
  // cannot make qemu-img read another file into the disk.
  const source = qcow2WithoutBacking(input);
  await checkInput(options.input, source, qopts);
  const populated = await qemuImgPopulatedSize(source, 'qcow2', qopts);

  const outDir = path.resolve(options.outDir);
  const files = convertedImageFiles(r.name);
  const targets = [files.ovf, files.manifest, files.vmdk, ...(options.ova ? [files.ova] : [])];
  const createdDirs = await prepareOutDir(outDir, options.outDir);
  let tmp: string | undefined;
  let done = false;
  try {
    if (!options.force) {
      const present: string[] = [];
      for (const f of targets) if (await exists(path.join(outDir, f))) present.push(f);
      if (present.length) {
        throw new ImageConversionError(
          `output ${present.join(', ')} already exist${present.length === 1 ? 's' : ''} in '${options.outDir}': ` +
            'pass --force to overwrite, or choose another --name or --out',
        );
      }
    }
    const fsStep = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      try {
        return await step();
      } catch (err) {
        throw outputError(err, options.outDir, what, populated);
      }
    };
    tmp = await fsStep('creating a temporary folder', () => mkdtemp(path.join(outDir, `.${r.name}.convert-`)));
    const work = tmp;
    const vmdkTmp = path.join(work, files.vmdk);
    let last = -1;
    const converted = await runQemuImgStatus(
      [
        'convert',
        '-p',
        '-O',
        'vmdk',
        // streamOptimized is the only VMDK flavour an OVF import streams onto a datastore; the
        // adapter type tells ESXi the disk sits on a SCSI controller (qemu's default 'ide' does not match).
        '-o',
        'subformat=streamOptimized,adapter_type=lsilogic',
        source,
        vmdkTmp,
      ],
      {
        ...qopts,
        onStdout: (chunk) => {
          for (const p of parseProgress(chunk)) {
            if (p > last) {
              last = p;
              options.onProgress?.(p);
            }
          }
        },
      },
    );
    if (converted.code !== 0) throw await qemuWriteError(converted, outDir, options.outDir, populated);

    const populatedSize = await qemuImgPopulatedSize(vmdkTmp, 'vmdk', qopts);
    const vmdkSize = (await stat(vmdkTmp)).size;
    const ovfText = renderOvf({
      ...r,
      diskFile: files.vmdk,
      diskFileSize: vmdkSize,
      capacity: info.virtualSize,
      populatedSize,
      annotation: `Converted from ${path.basename(input)} by cdktf-kkp-vsphere convert-image`,
    });
    await fsStep('writing the OVF descriptor', () => writeFile(path.join(work, files.ovf), ovfText));
    const sha256: Record<string, string> = {
      [files.ovf]: await sha256File(path.join(work, files.ovf)),
      [files.vmdk]: await sha256File(vmdkTmp),
    };
    await fsStep('writing the manifest', () =>
      writeFile(path.join(work, files.manifest), renderManifest([files.ovf, files.vmdk].map((f) => ({ file: f, sha256: sha256[f] })))),
    );
    if (options.ova) {
      throwIfStopped(options.signal);
      // OVF 1.0 §5.3: descriptor first, then manifest, then the files in References order.
      await fsStep('packing the OVA', () =>
        tarCreate({ file: path.join(work, files.ova), cwd: work, portable: true }, [files.ovf, files.manifest, files.vmdk]),
      );
    }

    await verifyConvertedImage(path.join(work, files.ovf), { expectedCapacity: info.virtualSize, ...qopts });
    if (options.ova) await verifyOva(path.join(work, files.ova), work, files);
    // The result must hold exactly the input's guest data: a reader that silently returned zeros or foreign bytes
    // anywhere would show here.
    const mismatch = await qemuImgCompare({ image: source, format: 'qcow2' }, { image: vmdkTmp, format: 'vmdk' }, qopts);
    if (mismatch) {
      throw new ImageConversionError(
        `check of the converted disk failed: it differs from '${options.input}' (qemu-img compare: ${mismatch}); ` +
          'nothing was written. Check the input with qemu-img check and convert it again',
      );
    }

    throwIfStopped(options.signal);
    // The descriptor goes last: a reader that finds the .ovf finds a complete package beside it.
    for (const f of [files.vmdk, files.manifest, ...(options.ova ? [files.ova] : []), files.ovf]) {
      await fsStep(`moving ${f} into place`, () => rename(path.join(work, f), path.join(outDir, f)));
    }
    if (options.force && !options.ova) await rm(path.join(outDir, files.ova), { force: true });
    done = true;

    return {
      name: r.name,
      ovfPath: path.join(outDir, files.ovf),
      vmdkPath: path.join(outDir, files.vmdk),
      manifestPath: path.join(outDir, files.manifest),
      ovaPath: options.ova ? path.join(outDir, files.ova) : undefined,
      capacityBytes: info.virtualSize,
      vmdkSizeBytes: vmdkSize,
      populatedSizeBytes: populatedSize,
      guestOs: r.guestOs,
      cpus: r.cpus,
      memoryMb: r.memoryMb,
      scsiController: r.scsiController,
      networkName: r.networkName,
      hardwareVersion: r.hardwareVersion,
      sha256,
    };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    // A failed run leaves no folder behind that it created (innermost first; a folder with other files stays).
    if (!done) {
      for (const dir of createdDirs) {
        try {
          await rmdir(dir);
        } catch {
          break;
        }
      }
    }
  }
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ImageConversionError(`conversion was stopped (${String(signal.reason ?? 'aborted')}); nothing was written`);
  }
}

const MAX_SHOWN = 200;
const shown = (s: string) => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}...` : s);

/** Refuses images whose guest data lives partly outside the file: a backing file or an external data file. */
function refuseExternalData(input: string, info: { backingFilename?: string; dataFile?: string }): void {
  if (info.backingFilename !== undefined) {
    throw new ImageConversionError(
      `input image '${input}' is a QCOW2 overlay: its header names the backing file '${shown(info.backingFilename)}', ` +
        'whose bytes would end up in the template. convert-image converts self-contained images only. If that ' +
        `backing file is what you mean to ship, flatten the image first ('qemu-img convert -O qcow2 ${input} flat.qcow2', ` +
        'after checking which file it reads) and convert the result',
    );
  }
  if (info.dataFile !== undefined) {
    throw new ImageConversionError(
      `input image '${input}' keeps its data in the external file '${shown(info.dataFile)}' (QCOW2 data-file), ` +
        'whose bytes would end up in the template. convert-image converts self-contained images only: make one with ' +
        `'qemu-img convert -O qcow2 ${input} self-contained.qcow2' after checking that data file`,
    );
  }
}

/** Refuses a damaged image (a truncated or interrupted download): qemu-img would read zeros where data is missing. */
async function checkInput(input: string, source: string, qopts: QemuImgOptions): Promise<void> {
  let check;
  try {
    check = await qemuImgCheck(source, 'qcow2', qopts);
  } catch (err) {
    throw new ImageConversionError(`input image '${input}' cannot be checked: ${(err as Error).message}`);
  }
  const errors = check.corruptions + check.checkErrors;
  if (errors > 0) {
    throw new ImageConversionError(
      `input image '${input}' is damaged: qemu-img check found ${errors} error${errors === 1 ? '' : 's'}` +
        `${check.firstError ? ` (first: ${check.firstError})` : ''}. A truncated or interrupted download looks like ` +
        "this: download the image again and compare its checksum with the publisher's",
    );
  }
}

/** Creates the output folder; returns the folders it created, innermost first, so a failed run can remove them. */
async function prepareOutDir(outDir: string, given: string): Promise<string[]> {
  let first: string | undefined;
  try {
    first = await mkdir(outDir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      const file = await firstFileOnPath(outDir);
      throw new ImageConversionError(
        `--out '${given}' is not a folder: '${file ?? outDir}' is a file. Give a folder path (it is created when ` +
          'missing), or move that file away',
      );
    }
    throw outputError(err, given, 'creating the folder', undefined);
  }
  const st = await stat(outDir);
  if (!st.isDirectory()) {
    throw new ImageConversionError(`--out '${given}' is not a folder: give a folder path, or move that file away`);
  }
  if (first === undefined) return [];
  const created: string[] = [];
  for (let dir = outDir; ; dir = path.dirname(dir)) {
    created.push(dir);
    if (dir === first || dir === path.dirname(dir)) break;
  }
  return created;
}

async function firstFileOnPath(p: string): Promise<string | undefined> {
  const parts: string[] = [];
  for (let dir = p; dir !== path.dirname(dir); dir = path.dirname(dir)) parts.unshift(dir);
  for (const dir of parts) {
    const st = await stat(dir).catch(() => undefined);
    if (st === undefined) return undefined;
    if (!st.isDirectory()) return dir;
  }
  return undefined;
}

const MiB = 2 ** 20;

/** A file-system error while writing the package, as a message with the path and the fix. */
function outputError(err: unknown, outDir: string, what: string, neededBytes: number | undefined): Error {
  if (err instanceof ImageConversionError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return noSpace(outDir, what, neededBytes);
    case 'EACCES':
    case 'EPERM':
      return new ImageConversionError(
        `cannot write into --out '${outDir}' (permission denied while ${what}): choose a folder you can write to, ` +
          'or give your user write access to it (chown/chmod)',
      );
    case 'EROFS':
      return new ImageConversionError(`--out '${outDir}' is on a read-only file system (while ${what}): choose another --out`);
    default:
      return new ImageConversionError(`writing into --out '${outDir}' failed while ${what}: ${(err as Error).message}`);
  }
}

function noSpace(outDir: string, what: string, neededBytes: number | undefined): ImageConversionError {
  const need = neededBytes === undefined ? '' : ` (the package needs up to about ${Math.ceil((neededBytes * 1.05) / MiB) + 1} MiB there)`;
  return new ImageConversionError(
    `no space left on the file system of --out '${outDir}' while ${what}${need}: free space there or choose an --out ` +
      'on a file system with room; nothing was written',
  );
}

/** A failed `qemu-img convert`, with the output-side causes named as such. */
async function qemuWriteError(
  r: { code: number; stdout: string; stderr: string },
  outDir: string,
  given: string,
  neededBytes: number,
): Promise<ImageConversionError> {
  // qemu's VMDK writer reports a full disk as "Invalid argument", so ask the file system (the partial file is
  // still there, so a full disk shows as next to no free space).
  const fs = await statfs(outDir).catch(() => undefined);
  const free = fs ? fs.bavail * fs.bsize : undefined;
  if (/No space left on device|Disk quota exceeded/i.test(r.stderr) || (free !== undefined && free < MiB)) {
    return noSpace(given, 'writing the VMDK', neededBytes);
  }
  if (/Permission denied/i.test(r.stderr)) {
    return new ImageConversionError(
      `cannot write into --out '${given}' (qemu-img: ${lastLine(r)}): choose a folder you can write to, or give your ` +
        'user write access to it',
    );
  }
  return new ImageConversionError(`qemu-img convert failed: ${lastLine(r)}`);
}

/** Options of {@link verifyConvertedImage}. */
export interface VerifyOptions extends QemuImgOptions {
  /**
   * Virtual size the disk must have, in bytes.
   * @default - only checked against the descriptor's capacity
   */
  readonly expectedCapacity?: number;
}

/**
 * Checks an OVF package on disk: every referenced file exists with the declared size, the disk is a
 * streamOptimized VMDK whose virtual size is the declared capacity, and the manifest digests match.
 * Throws an {@link ImageConversionError} naming the first mismatch; resolves with the parsed descriptor.
 */
export async function verifyConvertedImage(ovfPath: string, opts: VerifyOptions = {}): Promise<OvfSummary> {
  const dir = path.dirname(ovfPath);
  const ovfName = path.basename(ovfPath);
  const ovf = readOvf(await readFile(ovfPath, 'utf8'), ovfPath);
  const fail = (msg: string): never => {
    throw new ImageConversionError(`check of '${ovfPath}' failed: ${msg}`);
  };
  if (ovf.disks.length !== 1) fail(`expected exactly one disk, found ${ovf.disks.length}`);
  for (const f of ovf.files) {
    if (path.basename(f.href) !== f.href) fail(`file reference '${f.href}' is not a plain file name`);
    const st = await stat(path.join(dir, f.href)).catch(() => fail(`referenced file '${f.href}' is missing`));
    if (st.size !== f.size) fail(`'${f.href}' is ${st.size} bytes, the descriptor says ${f.size}`);
  }
  const disk = ovf.disks[0];
  const file = ovf.files.find((f) => f.id === disk.fileRef) ?? fail(`disk fileRef '${disk.fileRef}' has no File`);
  if (disk.format !== STREAM_OPTIMIZED_FORMAT) fail(`disk format is '${disk.format}', not streamOptimized`);
  const info = await qemuImgInfo(path.join(dir, file.href), { ...opts, format: 'vmdk' });
  if (info.vmdkCreateType !== 'streamOptimized') {
    fail(`'${file.href}' has create type '${info.vmdkCreateType}', not streamOptimized`);
  }
  if (info.virtualSize !== disk.capacityBytes) {
    fail(`'${file.href}' has virtual size ${info.virtualSize}, the descriptor says ${disk.capacityBytes}`);
  }
  if (opts.expectedCapacity !== undefined && info.virtualSize !== opts.expectedCapacity) {
    fail(`'${file.href}' has virtual size ${info.virtualSize}, the input has ${opts.expectedCapacity}`);
  }
  const mfPath = path.join(dir, ovfName.replace(/\.ovf$/, '.mf'));
  const manifest = parseManifest(
    await readFile(mfPath, 'utf8').catch(() => fail(`manifest '${path.basename(mfPath)}' is missing`)),
    mfPath,
  );
  for (const name of [ovfName, ...ovf.files.map((f) => f.href)]) {
    const entry = manifest.get(name) ?? fail(`manifest has no digest for '${name}'`);
    if (entry.algorithm !== 'SHA256') fail(`manifest digest of '${name}' is ${entry.algorithm}, expected SHA256`);
    if ((await sha256File(path.join(dir, name))) !== entry.digest) fail(`SHA256 of '${name}' does not match the manifest`);
  }
  return ovf;
}

/** Checks the OVA's entry order and that each entry has the size of the file it was packed from. */
async function verifyOva(ovaPath: string, dir: string, files: ConvertedImageFiles): Promise<void> {
  const entries: Array<{ path: string; size: number }> = [];
  await tarList({ file: ovaPath, onReadEntry: (e) => entries.push({ path: e.path, size: e.size ?? 0 }) });
  const expected = [files.ovf, files.manifest, files.vmdk];
  if (entries.map((e) => e.path).join('\n') !== expected.join('\n')) {
    throw new ImageConversionError(
      `check of '${ovaPath}' failed: entries are [${entries.map((e) => e.path).join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
  for (const e of entries) {
    const size = (await stat(path.join(dir, e.path))).size;
    if (size !== e.size) throw new ImageConversionError(`check of '${ovaPath}' failed: '${e.path}' is ${e.size} bytes in the OVA, ${size} on disk`);
  }
}
