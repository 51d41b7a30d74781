// vCenter SOAP client for the CLI tools (grant, discover, verify, preflight); loads no cdktf.
export * from './client';
export * from './soap';
export * from './grants';
export * from './discovery';
