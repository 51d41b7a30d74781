// vCenter SOAP client for the CLI tools; loads no cdktf.
export { VcenterClient } from './client';
export type { VcenterAbout, VcenterConnectOptions, VcenterEntityPermission, VcenterInventoryObject, VcenterPermission, VcenterPrivilege, VcenterRole } from './client';
export { VcenterFaultError } from './soap';
export type { ManagedObjectReference } from './soap';
