// What the library's props accept where a user hands it a framework object (a provider, a variable): the members the
// library reads, as interfaces, so that a cdktn app's classes are accepted as well as cdktf's. TypeScript compares
// classes with private or protected members by declaration, not by shape: cdktn's `KubernetesProvider` is not a cdktf
// `TerraformProvider` to the compiler ("Property 'synthesizeAttributes' is protected but type 'KubernetesProvider' is
// not a class derived from 'TerraformProvider'"), nor its `TerraformVariable` cdktf's ("separate declarations of a
// private property '_validation'"). At run time the objects are checked against the app's own core (./core), which
// is the framework they were made with. See docs/frameworks.md.
import type { IConstruct } from 'constructs';
import { KkpValidationError } from '../base/errors';
import { TerraformProvider, TerraformStack, TerraformVariable } from './core';

/** A Terraform provider instance of the app's framework (cdktf or cdktn), e.g. a `KubernetesProvider`. */
export interface ITerraformProviderRef extends IConstruct {
  /** The provider's type, e.g. `kubernetes`. */
  readonly terraformResourceType: string;
  /** The provider's alias, if it has one. */
  readonly alias?: string;
}

/** A Terraform variable of the app's framework (cdktf or cdktn). */
export interface ITerraformVariableRef extends IConstruct {
  /** The variable's value as a string token. */
  readonly stringValue: string;
  /** Whether terraform hides the variable's value in plans. */
  readonly sensitive?: boolean;
  /** The variable's name in the synthesized configuration (`var.<friendlyUniqueId>`). */
  readonly friendlyUniqueId: string;
}

/** The message for an object made with the other framework than the one the library loaded. */
function otherFramework(where: string, prop: string, what: string): KkpValidationError {
  return new KkpValidationError(
    `${where} ${prop}`,
    `this ${what} was made with another CDK core than the one cdktf-kkp-vsphere loaded (cdktn when the ` +
      'app has it, else cdktf). Use one framework in the app, or set CDKTF_KKP_VSPHERE_FRAMEWORK=cdktf (or cdktn) to the one ' +
      'your stacks are made with.',
  );
}

/** `ref` as the app core's provider; an error naming `where` and `prop` if it is another framework's. */
export function providerOf(ref: ITerraformProviderRef, where: string, prop: string): TerraformProvider {
  if (!TerraformProvider.isTerraformProvider(ref) || !(ref instanceof TerraformProvider)) throw otherFramework(where, prop, 'provider');
  return ref;
}

/** Whether `value` is a Terraform element of some CDK core (both mark their elements with the same symbol). */
function isElementOfSomeCore(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Symbol.for('cdktf/TerraformElement') in value;
}

/**
 * `ref` as the app core's variable, or undefined if it is not a variable at all (e.g. a string). With `where`, a
 * variable made with the other framework is an error naming `where` and `prop` rather than "not a variable".
 */
export function variableOf(ref: unknown, where?: string, prop?: string): TerraformVariable | undefined {
  if (ref instanceof TerraformVariable) return ref;
  if (where !== undefined && isElementOfSomeCore(ref) && 'stringValue' in (ref as object)) {
    throw otherFramework(where, prop ?? 'variable', 'variable');
  }
  return undefined;
}

/**
 * The stack of `scope`, which must be a stack of the core the library loaded: elements of one core in a stack of the
 * other fail at synth with an error that names neither (cdktn: "e._resetResolveDiscoveredProviderFeatureUsage is not
 * a function"), so this names the cause up front.
 */
export function stackOf(scope: IConstruct, where: string = scope.node.path): TerraformStack {
  const stack = TerraformStack.of(scope);
  if (!(stack instanceof TerraformStack)) throw otherFramework(where, 'scope', 'stack');
  return stack;
}
