// The one error type of the library's input checks: it carries the construct (its kind and path) and the prop, and
// renders them as every message has always begun: `KkpRoles seed/Roles namePrefix: ...`. Constructs do not build
// that prefix themselves; they name where they are once (`InputRef.of`) and say what is wrong. Pure: no cdktf.
import { inspect } from 'util';

const BRAND = Symbol.for('cdktf-kkp-vsphere.KkpValidationError');

/**
 * Where an input is: the construct's kind and path, and the prop (with its index or key, e.g. `folders[1]`). It renders
 * as the start of a message: `UserClusterPermissions seed/MC networks[0]`.
 */
export class InputRef {
  /** The construct `scope` is, named by its kind (its class name as the user wrote it). */
  public static of(scope: { readonly node: { readonly path: string } }, construct: string, options: { readonly quoted?: boolean } = {}): InputRef {
    return new InputRef(construct, scope.node.path, undefined, options.quoted === true);
  }

  /** A construct that is not created yet: its path is the scope's plus the id. */
  public static beforeCreation(scope: { readonly node: { readonly path: string } }, id: string, construct: string): InputRef {
    return new InputRef(construct, scope.node.path ? `${scope.node.path}/${id}` : id, undefined, false);
  }

  private constructor(
    /** The construct's kind, e.g. `KkpRoles`. */
    public readonly construct: string,
    /** The construct path. */
    public readonly path: string,
    /** The prop, e.g. `namePrefix` or `folders[1]`; undefined for the construct as a whole. */
    public readonly prop: string | undefined,
    private readonly quoted: boolean,
  ) {}

  /** The same construct's prop `prop`; below a prop, `[i]` and `.key` continue it. */
  public at(prop: string): InputRef {
    const joined = this.prop === undefined ? prop : /^[[.]/.test(prop) ? `${this.prop}${prop}` : `${this.prop}.${prop}`;
    return new InputRef(this.construct, this.path, joined, this.quoted);
  }

  /** The error for this input: `<construct> <path>[ <prop>]: <problem>`. */
  public error(problem: string): KkpValidationError {
    return new KkpValidationError(this, problem);
  }

  /** The error for a problem that continues the sentence after the input: `<construct> <path>[ <prop>] <problem>`. */
  public errorContinuing(problem: string): KkpValidationError {
    return new KkpValidationError(this, problem, `${this} ${problem}`);
  }

  /**
   * The error for the prop `prop` of this construct, worded `<construct> <path>: prop <prop> <problem>` (as
   * CloudConfigSecret and KkpVspherePreset word theirs, e.g. `prop server is empty`).
   */
  public propError(prop: string, problem: string): KkpValidationError {
    return new KkpValidationError(this.at(prop), problem, `${this}: prop ${prop} ${problem}`);
  }

  public toString(): string {
    const path = this.quoted ? `"${this.path}"` : this.path;
    return `${this.construct} ${path}${this.prop === undefined ? '' : ` ${this.prop}`}`;
  }
}

/**
 * An input the library refuses: thrown by a construct's constructor or method, or by the synth checks. It names the
 * construct path and the prop ({@link InputRef}) or, from a helper that was handed a plain description, that
 * description. Its message is the whole report: a `cdktf synth` prints it once, without a stack trace.
 */
export class KkpValidationError extends Error {
  /** Whether `x` is a KkpValidationError (of any copy of the library in the app). */
  public static isKkpValidationError(x: unknown): x is KkpValidationError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The construct's kind, e.g. `KkpRoles`, when the input was named by an {@link InputRef}. */
  public readonly construct?: string;
  /** The construct path, when the input was named by an {@link InputRef}. */
  public readonly constructPath?: string;
  /** The prop, when one was named. */
  public readonly prop?: string;
  /** What is wrong and what to do, without the input's name. */
  public readonly problem: string;

  /**
   * @param input where the input is ({@link InputRef}), or a description of it (e.g. `VmTemplateSource.ovaUrl`);
   *   undefined when the problem names its inputs itself
   * @param problem what is wrong and the fix
   * @param message the whole message, when it is not `<input>: <problem>`
   */
  constructor(input: InputRef | string | undefined, problem: string, message?: string) {
    super(message ?? (input === undefined ? problem : `${input}: ${problem}`));
    this.name = 'KkpValidationError';
    Object.setPrototypeOf(this, new.target.prototype);
    Object.defineProperty(this, BRAND, { value: true });
    reportUncaughtOnce();
    this.problem = problem;
    if (input instanceof InputRef) {
      this.construct = input.construct;
      this.constructPath = input.path;
      this.prop = input.prop;
    }
  }
}

let reportInstalled = false;

/**
 * How an uncaught KkpValidationError ends a `cdktf synth`: the app prints `KkpValidationError: <message>` once on
 * stderr and exits with 1. Node's own report of an uncaught error prints the library's source line that threw, the
 * stack into the library and the error's fields, which repeat the problem (measured: the problem three times in the
 * app's stderr, which `cdktf synth` shows twice). Installed once per process when the first KkpValidationError is
 * made, and only when nothing else handles uncaught exceptions (a test runner, an app's own handler): then those decide.
 * Any other uncaught error is printed as node prints it (with its stack) and ends the process with 1, as without it.
 */
function reportUncaughtOnce(): void {
  if (reportInstalled) return;
  reportInstalled = true;
  if (typeof process !== 'object' || typeof process.on !== 'function') return;
  if (process.listenerCount('uncaughtException') > 0) return;
  const report = (err: unknown): void => {
    process.removeListener('uncaughtException', report);
    const text = KkpValidationError.isKkpValidationError(err) ? `${err.name}: ${err.message}` : inspect(err);
    // Exit once the text is written: a pipe is written asynchronously on some platforms (macOS).
    process.exitCode = 1;
    process.stderr.write(`${text}\n`, () => process.exit(1));
  };
  process.on('uncaughtException', report);
}

/** The error of a check on `input`: a {@link KkpValidationError} with the usual `<input>: <problem>` message. */
export function inputError(input: InputRef | string, problem: string): KkpValidationError {
  return new KkpValidationError(input, problem);
}

/**
 * The error of a construct for an error of a pure renderer or parser it called, which names only the field
 * (`datastore: ...`, or a sentence that names its fields): `<construct> <path> <field>: <problem>`, with the field as
 * the prop when the message starts with one.
 */
export function rendererError(where: InputRef, err: Error): KkpValidationError {
  const field = /^([A-Za-z][\w.[\]]*): ([\s\S]*)$/.exec(err.message);
  return field ? where.at(field[1]).error(field[2]) : where.errorContinuing(err.message);
}

/** The error of a check on `input` whose problem continues the sentence: `<input> <problem>`, e.g. `... path (segment 2): ...`. */
export function continuingError(input: InputRef | string, problem: string): KkpValidationError {
  return input instanceof InputRef ? input.errorContinuing(problem) : new KkpValidationError(input, problem, `${input} ${problem}`);
}
