// Layer 1: KKP's own resources (datacenter spec, cluster cloud spec) rendered as YAML per KKP release, pure (no cdktf).
export * from './releases';
export * from './datacenter-spec-fields';
export * from './preset-fields';
