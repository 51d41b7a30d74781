// vCenter SOAP client for the CLI tools (grant, template-import, discover, verify, preflight); loads no cdktf.
export * from './client';
export * from './soap';
export * from './grants';
export * from './discovery';
export * from './image-source';
export * from './ovf-import';
