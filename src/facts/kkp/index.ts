// Layer 1: KKP's own resources (datacenter spec, cluster cloud spec, Preset) rendered per KKP release, pure (no cdktf).
export * from './releases';
export * from './datacenter-spec-fields';
export * from './preset-fields';
export * from './preset-crd';
