// `cdktf-kkp-vsphere convert-image IMAGE.qcow2 --out DIR`: QCOW2 → OVF package that VmTemplate deploys.
import { Command, InvalidArgumentError, Option } from 'commander';
import { convertImage, ConvertedImage } from '../tools/images';

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

interface ConvertImageFlags {
  out: string;
  name?: string;
  guestOs: string;
  cpus: number;
  memoryMb: number;
  scsiController: 'lsilogic' | 'pvscsi';
  network: string;
  hardwareVersion: number;
  ova?: boolean;
  force?: boolean;
  qemuImg?: string;
  progress: boolean;
  json?: boolean;
}

/** Draws progress on stderr: one updating line on a terminal, a line per 10 % step otherwise (CI logs). */
function progressReporter(label: string): { update: (p: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastStep = -1;
  let drawn = false;
  return {
    update: (p) => {
      if (tty) {
        drawn = true;
        process.stderr.write(`\rconverting ${label}: ${p.toFixed(1).padStart(5)} %`);
      } else if (Math.floor(p / 10) > lastStep) {
        lastStep = Math.floor(p / 10);
        process.stderr.write(`converting ${label}: ${Math.floor(p)} %\n`);
      }
    },
    done: () => {
      if (drawn) process.stderr.write('\n');
    },
  };
}

function summary(img: ConvertedImage): string {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return [
    `OVF descriptor: ${img.ovfPath}`,
    `disk:           ${img.vmdkPath} (streamOptimized, ${mib(img.vmdkSizeBytes)}, capacity ${mib(img.capacityBytes)})`,
    `manifest:       ${img.manifestPath}`,
    ...(img.ovaPath ? [`OVA:            ${img.ovaPath}`] : []),
    `hardware:       vmx-${img.hardwareVersion}, ${img.cpus} vCPU, ${img.memoryMb} MiB, ${img.scsiController}, ` +
      `guest ${img.guestOs}, NIC on network '${img.networkName}'`,
  ].join('\n');
}

/** Registers `convert-image` on the program. */
export function registerConvertImage(program: Command): void {
  program
    .command('convert-image')
    .description(
      'Convert a QCOW2 image into an ESXi-ready OVF package (streamOptimized VMDK, OVF descriptor, SHA-256 ' +
        'manifest, optionally an OVA) that VmTemplate imports (VmTemplateSource.convertedImage or localOvf; never powered on). Needs qemu-img.',
    )
    .argument('<image>', 'QCOW2 image to convert')
    .requiredOption('-o, --out <dir>', 'output directory (created if missing)')
    .option('--name <name>', 'VM name and base name of the output files (default: image file name)')
    .option('--guest-os <id>', 'vSphere guest OS identifier, e.g. ubuntu64Guest, rhel9_64Guest', 'otherLinux64Guest')
    .option('--cpus <n>', 'virtual CPUs of the template', wholeNumber, 2)
    .option('--memory-mb <n>', 'memory of the template in MiB', wholeNumber, 2048)
    .addOption(
      new Option('--scsi-controller <type>', 'SCSI controller of the disk').choices(['lsilogic', 'pvscsi']).default('lsilogic'),
    )
    .option('--network <name>', 'OVF network name of the NIC (the key for ovf_network_map)', 'VM Network')
    .option('--hardware-version <n>', 'virtual hardware version vmx-N (13 = ESXi 6.5 and later)', wholeNumber, 13)
    .option('--ova', 'also pack <name>.ova')
    .option('--force', 'overwrite existing output files')
    .option('--qemu-img <path>', 'qemu-img executable (default: qemu-img on PATH)')
    .option('--no-progress', 'do not report conversion progress on stderr')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (image: string, flags: ConvertImageFlags) => {
      // Every signal that ends a run (Ctrl-C, `timeout`, a CI cancel, `docker stop`, a closed terminal) stops
      // qemu-img with the same signal and removes the partial files before this process ends.
      const abort = new AbortController();
      let stoppedBy: NodeJS.Signals | undefined;
      const handlers = TERMINATING_SIGNALS.map((sig) => {
        const handler = () => {
          stoppedBy ??= sig;
          abort.abort(sig);
        };
        process.on(sig, handler);
        return [sig, handler] as const;
      });
      const progress = progressReporter(image);
      try {
        const img = await convertImage({
          input: image,
          outDir: flags.out,
          name: flags.name,
          guestOs: flags.guestOs,
          cpus: flags.cpus,
          memoryMb: flags.memoryMb,
          scsiController: flags.scsiController,
          networkName: flags.network,
          hardwareVersion: flags.hardwareVersion,
          ova: flags.ova,
          force: flags.force,
          qemuImg: flags.qemuImg,
          signal: abort.signal,
          onProgress: flags.progress ? progress.update : undefined,
        });
        if (flags.progress) progress.done();
        process.stdout.write(flags.json ? `${JSON.stringify(img, null, 2)}\n` : `${summary(img)}\n`);
      } catch (err) {
        if (flags.progress) progress.done();
        if (stoppedBy) {
          process.stderr.write(
            `cdktf-kkp-vsphere: convert-image stopped by ${stoppedBy}; qemu-img was stopped and no partial file is left in '${flags.out}'\n`,
          );
          for (const [sig, handler] of handlers) process.removeListener(sig, handler);
          // End the way the signal would have ended us, so callers (timeout, CI) see 128+n.
          process.kill(process.pid, stoppedBy);
          return;
        }
        throw err;
      } finally {
        for (const [sig, handler] of handlers) process.removeListener(sig, handler);
      }
    });
}

/** The signals that end a command-line run. */
const TERMINATING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
