// Image tools (layer 5, plain Node, no cdktf): QCOW2 → ESXi-ready OVF package conversion and its checks.
export { ImageConversionError, qemuImgInfo, runQemuImg } from './qemu-img';
export type { QemuImgInfo, QemuImgOptions } from './qemu-img';
export { convertImage, convertedImageFiles, verifyConvertedImage } from './convert';
export type { ConvertImageOptions, ConvertedImage, ConvertedImageFiles, VerifyOptions } from './convert';
export { readOvf, renderOvf, OVF_DISK_FILE_ID, OVF_DISK_ID, STREAM_OPTIMIZED_FORMAT } from './ovf';
export type { OvfHardwareItem, OvfSpec, OvfSummary, ScsiControllerType } from './ovf';
export { parseManifest, renderManifest, sha256File } from './manifest';
