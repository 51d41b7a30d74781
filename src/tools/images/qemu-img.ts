// Thin, typed wrapper around the `qemu-img` binary. Runs it without a shell so that file names are never
// interpreted, and turns its failure modes into errors a user can act on.
import { spawn } from 'node:child_process';

/** An error of the image tools, with a message meant for the user as is. */
export class ImageConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageConversionError';
  }
}

/** How to run `qemu-img`. */
export interface QemuImgOptions {
  /**
   * The `qemu-img` executable: a name looked up on PATH or a path.
   * @default 'qemu-img'
   */
  readonly qemuImg?: string;
  /**
   * Environment of the child process (tests use it to take `qemu-img` off PATH).
   * @default - this process's environment
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Stops the running `qemu-img` when aborted: the abort reason's signal (`'SIGHUP'`, ...) or SIGTERM is
   * forwarded to it, and the run settles once qemu-img has exited.
   * @default - not abortable
   */
  readonly signal?: AbortSignal;
}

/** The part of `qemu-img info --output=json` this package reads. */
export interface QemuImgInfo {
  readonly filename: string;
  /** Image format as qemu-img detects it: `qcow2`, `raw`, `vmdk`, ... */
  readonly format: string;
  /** Size of the disk the guest sees, in bytes. */
  readonly virtualSize: number;
  /** Bytes the image file takes on the host. */
  readonly actualSize?: number;
  /** VMDK only: the descriptor's createType (`streamOptimized`, `monolithicSparse`, ...). */
  readonly vmdkCreateType?: string;
  /** The backing file the image's header names (a QCOW2 overlay is not self-contained). */
  readonly backingFilename?: string;
  /** QCOW2 only: the external data file the header names (the guest data lives outside the image). */
  readonly dataFile?: string;
}

const MISSING_HINT =
  "qemu-img was not found. Install it (Debian/Ubuntu: 'apt-get install qemu-utils'; " +
  "Fedora/RHEL: 'dnf install qemu-img'; macOS: 'brew install qemu') or pass its path.";

/** What a finished `qemu-img` run printed and how it ended. */
export interface QemuImgResult {
  readonly code: number;
  readonly stdout: string;
  /** The last 64 KiB of stderr (`qemu-img check` can print one line per damaged cluster). */
  readonly stderr: string;
}

const STDERR_KEEP = 64 * 1024;
/** Grace period between forwarding a signal and SIGKILL, for a qemu-img that does not stop. */
const KILL_AFTER_MS = 5_000;

/** The signal an abort forwards: the reason when it names one (the CLI aborts with 'SIGTERM', 'SIGHUP'...). */
function forwardedSignal(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' && /^SIG[A-Z0-9]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGTERM';
}

/**
 * Runs `qemu-img ARGS...` and resolves with how it ended, whatever the exit code. `onStdout` sees stdout chunks
 * as they arrive (progress lines of `convert -p`). An abort forwards its signal to qemu-img and settles only once
 * qemu-img has exited, so the caller's clean-up never races a process still writing.
 */
export function runQemuImgStatus(
  args: readonly string[],
  opts: QemuImgOptions & { onStdout?: (chunk: string) => void } = {},
): Promise<QemuImgResult> {
  const exe = opts.qemuImg ?? 'qemu-img';
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ImageConversionError(`qemu-img ${args[0]} was not started: the run was stopped (${forwardedSignal(opts.signal)})`));
      return;
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(exe, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    } catch (err) {
      reject(new ImageConversionError(`could not run '${exe}': ${(err as Error).message}`));
      return;
    }
    let stdout = '';
    let stderr = '';
    let stoppedBy: NodeJS.Signals | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      stoppedBy = forwardedSignal(opts.signal!);
      child.kill(stoppedBy);
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
    };
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      opts.onStdout?.(chunk);
    });
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      settle();
      if (err.code === 'ENOENT') {
        reject(new ImageConversionError(`${MISSING_HINT} (looked for '${exe}')`));
      } else {
        reject(new ImageConversionError(`could not run '${exe}': ${err.message}`));
      }
    });
    child.on('close', (code, signal) => {
      settle();
      if (stoppedBy) {
        reject(new ImageConversionError(`qemu-img ${args[0]} was stopped (${stoppedBy} forwarded to it)`));
        return;
      }
      if (code === null) {
        reject(new ImageConversionError(`qemu-img ${args[0]} was killed by ${signal}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `qemu-img ARGS...` and resolves with its stdout; a non-zero exit becomes an error with qemu-img's last line. */
export async function runQemuImg(
  args: readonly string[],
  opts: QemuImgOptions & { onStdout?: (chunk: string) => void } = {},
): Promise<string> {
  const r = await runQemuImgStatus(args, opts);
  if (r.code !== 0) throw new ImageConversionError(`qemu-img ${args[0]} failed: ${lastLine(r)}`);
  return r.stdout;
}

/** qemu-img's last stderr line (its error message), or the exit code. */
export function lastLine(r: QemuImgResult): string {
  return r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
}

/**
 * A `json:` image spec that opens `file` as QCOW2 with no backing file at all: qemu-img then reads this one file
 * and nothing else, whatever backing file its header names (defence in depth behind the backing-file refusal).
 */
export function qcow2WithoutBacking(file: string): string {
  return `json:${JSON.stringify({ driver: 'qcow2', backing: null, file: { driver: 'file', filename: file } })}`;
}

/** `qemu-img info --output=json` for one image; `format` pins the driver (no probing) when given. */
export async function qemuImgInfo(file: string, opts: QemuImgOptions & { format?: string } = {}): Promise<QemuImgInfo> {
  const args = ['info', '--output=json'];
  if (opts.format) args.push('-f', opts.format);
  args.push(file);
  const out = await runQemuImg(args, opts);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(out) as Record<string, unknown>;
  } catch {
    throw new ImageConversionError(`qemu-img info printed something that is not JSON for '${file}'`);
  }
  const specific = raw['format-specific'] as { type?: string; data?: Record<string, unknown> } | undefined;
  return {
    filename: String(raw.filename),
    format: String(raw.format),
    virtualSize: Number(raw['virtual-size']),
    actualSize: typeof raw['actual-size'] === 'number' ? raw['actual-size'] : undefined,
    vmdkCreateType:
      specific?.type === 'vmdk' && typeof specific.data?.['create-type'] === 'string'
        ? (specific.data['create-type'] as string)
        : undefined,
    backingFilename: typeof raw['backing-filename'] === 'string' ? raw['backing-filename'] : undefined,
    dataFile:
      specific?.type === 'qcow2' && typeof specific.data?.['data-file'] === 'string' ? (specific.data['data-file'] as string) : undefined,
  };
}

/** Bytes of guest data actually present in an image (sum of the extents `qemu-img map` reports as data). */
export async function qemuImgPopulatedSize(file: string, format: string, opts: QemuImgOptions = {}): Promise<number> {
  const out = await runQemuImg(['map', '--output=json', '-f', format, file], opts);
  const extents = JSON.parse(out) as Array<{ length: number; data: boolean; zero?: boolean }>;
  return extents.filter((e) => e.data && !e.zero).reduce((sum, e) => sum + e.length, 0);
}

/** Parses the percentages `qemu-img convert -p` prints as `    (12.50/100%)\r`. */
export function parseProgress(chunk: string): number[] {
  const out: number[] = [];
  for (const m of chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)) out.push(Number(m[1]));
  return out;
}

/** What `qemu-img check --output=json` found. */
export interface QemuImgCheck {
  /** Damaged metadata or data references (a truncated download shows as these). */
  readonly corruptions: number;
  /** Clusters qemu-img could not check. */
  readonly checkErrors: number;
  /** Allocated but unreferenced clusters: wasted space, harmless for the guest data. */
  readonly leaks: number;
  /** The first damage qemu-img named, for the error message. */
  readonly firstError?: string;
}

/**
 * `qemu-img check` of an image (a file path or a `json:` spec). Exit codes 0 (clean), 2 (corrupt) and 3 (leaks
 * only) carry a JSON report; any other code means qemu-img could not check the image at all.
 */
export async function qemuImgCheck(image: string, format: string, opts: QemuImgOptions = {}): Promise<QemuImgCheck> {
  const r = await runQemuImgStatus(['check', '--output=json', '-f', format, image], opts);
  let report: Record<string, unknown> | undefined;
  try {
    report = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    report = undefined;
  }
  if (!report || ![0, 2, 3].includes(r.code)) {
    throw new ImageConversionError(`qemu-img check could not read the image: ${lastLine(r)}`);
  }
  const n = (key: string) => (typeof report![key] === 'number' ? (report![key] as number) : 0);
  const firstError = r.stderr.split('\n').find((l) => /^ERROR/.test(l))?.trim();
  return { corruptions: n('corruptions'), checkErrors: n('check-errors'), leaks: n('leaks'), firstError };
}

/**
 * `qemu-img compare` of two images: undefined when their guest-visible contents are identical, else qemu-img's
 * description of the first difference (`Content mismatch at offset 0!`).
 */
export async function qemuImgCompare(
  a: { image: string; format: string },
  b: { image: string; format: string },
  opts: QemuImgOptions = {},
): Promise<string | undefined> {
  // Not -s (strict): it also fails on a different allocation, which a compressed VMDK legitimately has; the
  // virtual size is checked against the descriptor separately.
  const r = await runQemuImgStatus(['compare', '-f', a.format, '-F', b.format, a.image, b.image], opts);
  if (r.code === 0) return undefined;
  if (r.code === 1) return (r.stdout.trim() || lastLine(r)).split('\n').pop();
  throw new ImageConversionError(`qemu-img compare failed: ${lastLine(r)}`);
}
