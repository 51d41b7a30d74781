/**
 * The image tools: a QCOW2 disk image converted to an ESXi-ready OVF package or OVA ({@link convertImage}), and the
 * checks of a converted package ({@link verifyConvertedImage}). Plain Node, no cdktf; `qemu-img` does the disk
 * conversion. The `cdktf-kkp-vsphere convert-image` command wraps it.
 *
 * ```ts
 * import { convertImage } from 'cdktf-kkp-vsphere/images';
 * ```
 * @module cdktf-kkp-vsphere/images
 */
export { ImageConversionError, qemuImgInfo, runQemuImg } from './qemu-img';
export type { QemuImgInfo, QemuImgOptions } from './qemu-img';
export { convertImage, convertedImageFiles, verifyConvertedImage } from './convert';
export type { ConvertImageOptions, ConvertedImage, ConvertedImageFiles, VerifyOptions } from './convert';
export { readOvf, renderOvf, OVF_DISK_FILE_ID, OVF_DISK_ID, STREAM_OPTIMIZED_FORMAT } from './ovf';
export type { OvfHardwareItem, OvfSpec, OvfSummary, ScsiControllerType } from './ovf';
export { parseManifest, renderManifest, sha256File } from './manifest';

// For the tests: not part of the package's API.
/** @internal */
export { qcow2WithoutBacking, qemuImgCheck, qemuImgCompare } from './qemu-img';
