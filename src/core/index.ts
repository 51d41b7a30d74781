// Layer 3: the inventory, the permissions engine (principals, roles, grants), the stack's KKP release, and the checks
// that run at synth (input checks, exclusive claims, does-KKP-work).
export * from './inventory';
export * from './permissions';
export * from './stack-release';
export * from './synth-checks';
export * from './kkp-works-check';
