// Values the permission registry produces at synth. cdktf's `Lazy` captures and formats a stack trace when it is
// created, and cdktf resolves whatever a token produces key by key: while preparing, per element, and again for the
// whole stack. For the `//` review metadata (plain names and flags) that was about 5 % of a 1000-cluster synth
// (bench/RESULTS.md); these tokens skip the stack trace, and the first two walks of the metadata.
import { IResolvable, IResolveContext, Token } from '../../framework/core';

/**
 * A value produced at synth, like `Lazy.anyValue` but without the creation stack trace (a failing `produce` still
 * names itself in cdktf's "Resolution error").
 */
export class SynthValue implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly produce: () => unknown) {}

  public resolve(_context: IResolveContext): unknown {
    return this.produce();
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/**
 * Plain data produced at synth: JSON of strings, booleans, numbers, arrays and objects. When it holds no token, cdktf
 * takes it as is through a post-processor instead of walking it key by key (only the stack's final resolution, which
 * walks everything written, walks it); otherwise it is resolved like any other value.
 */
export class PlainSynthValue implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly produce: () => unknown) {}

  public resolve(context: IResolveContext): unknown {
    const value = this.produce();
    if (holdsToken(value)) return value;
    context.registerPostProcessor({ postProcess: () => value });
    return undefined;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** Whether cdktf would change anything when resolving `value`: an unresolved token anywhere, or an undefined it drops. */
function holdsToken(value: unknown): boolean {
  if (typeof value === 'string') return Token.isUnresolved(value);
  if (typeof value === 'boolean') return false;
  if (typeof value === 'number') return Token.isUnresolved(value);
  if (value === null) return false;
  if (Array.isArray(value)) return value.some(holdsToken);
  if (typeof value === 'object') {
    if (Token.isUnresolved(value) || Object.getPrototypeOf(value) !== Object.prototype) return true;
    return Object.values(value as Record<string, unknown>).some(holdsToken);
  }
  return true;
}
