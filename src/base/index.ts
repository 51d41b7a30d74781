// Layer 0: validation and redaction helpers every layer may use (names, inventory paths, template syntax, URLs).
export * from './validation';
export * from './errors';
