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
   * Stops the running `qemu-img` (SIGTERM) when aborted.
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
  /** Whether qemu-img found a backing file (a QCOW2 overlay cannot be converted on its own safely). */
  readonly backingFilename?: string;
}

const MISSING_HINT =
  "qemu-img was not found. Install it (Debian/Ubuntu: 'apt-get install qemu-utils'; " +
  "Fedora/RHEL: 'dnf install qemu-img'; macOS: 'brew install qemu') or pass its path.";

/**
 * Runs `qemu-img ARGS...` and resolves with its stdout. `onStdout` sees stdout chunks as they arrive
 * (progress lines of `convert -p`).
 */
export function runQemuImg(
  args: readonly string[],
  opts: QemuImgOptions & { onStdout?: (chunk: string) => void } = {},
): Promise<string> {
  const exe = opts.qemuImg ?? 'qemu-img';
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(exe, args, {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
        signal: opts.signal,
      });
    } catch (err) {
      reject(err);
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      opts.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(new ImageConversionError(`${MISSING_HINT} (looked for '${exe}')`));
      } else if (err.name === 'AbortError') {
        reject(new ImageConversionError(`qemu-img ${args[0]} was aborted`));
      } else {
        reject(new ImageConversionError(`could not run '${exe}': ${err.message}`));
      }
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const detail = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${code ?? signal}`;
      reject(new ImageConversionError(`qemu-img ${args[0]} failed: ${detail}`));
    });
  });
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
