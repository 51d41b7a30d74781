// Layer 5: the tools the CLI wraps, plain Node and no cdktf: the plan-review report, the image conversion, the vCenter
// SOAP client and `verify`. Each folder is loaded on its own (a synth loads none of them): import from the folder.
export * from './report';
export * from './images';
export * from './vcenter';
export * from './verify';
