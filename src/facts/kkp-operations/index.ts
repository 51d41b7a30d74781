// What KKP's components call on vSphere, as whom, and what vCenter requires: data and pure functions (no cdktf).
export * from './components';
export * from './operations';
export * from './effective';
export * from './matrix';
export * from './fix';
export * from './metadata';
