// Layer 1: KKP's own resources (datacenter spec, cluster cloud spec) rendered as YAML, pure (no cdktf).
export * from './datacenter-spec';
