// Layer 1: facts as data. No cdktf import anywhere below this folder.
export * from './catalog';
export * from './validate';
export * from './kkp-role-profiles';
export * from './kkp-role-resolution';
