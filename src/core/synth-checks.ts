// Checks that need the finished construct tree, run once at synth before anything is written: no credential reaches
// cdk.tf.json, no two elements share a Terraform name, and no two stacks of one app create or manage the same vCenter
// object. Registered on every stack of an app the first time a construct of this library is created in it.
import { Construct, IConstruct } from 'constructs';
import {
  AnnotationMetadataEntryType,
  Aspects,
  IAspect,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  DefaultTokenResolver,
  StringConcat,
  Token,
  Tokenization,
} from '../framework/core';
import { stackOf } from '../framework/refs';
import { redactUrl, redactUrls, templateSyntax } from '../base/validation';
import { stackSlot, stackState } from './stack-state';
import { InputRef, KkpValidationError, inputError } from '../base/errors';

// ---- token-aware text --------------------------------------------------------------------------------------------

/** A piece of a string: literal text, or a cdktf token (in its encoded string form). */
export type TextPiece = string | { readonly token: string };

/** Splits a string into literal text and tokens, in order (`/${dc.name}/vm` has three pieces). */
export function textPieces(value: string): TextPiece[] {
  if (!Token.isUnresolved(value)) return [value];
  class Joined {
    constructor(readonly items: unknown[]) {}
  }
  const items = (x: unknown) => (x instanceof Joined ? x.items : [x]);
  const joined: unknown = Tokenization.reverseString(value).join({
    join: (left: unknown, right: unknown) => new Joined([...items(left), ...items(right)]),
  });
  // cdktf hands token fragments over in their string form, so tell them apart by resolvability.
  return items(joined).map((item) => (Token.isUnresolved(item) ? { token: Token.asString(item) } : String(item)));
}

/**
 * Throws when the literal text of `value` holds `${` or `%{` (Terraform would evaluate it); tokens pass. The rule for
 * names and paths: they are refused, never escaped, because no vSphere object is meant to be called `${...}`.
 */
export function refuseTemplateSyntax(value: string, input: string | InputRef): void {
  for (const piece of textPieces(value)) {
    if (typeof piece !== 'string') continue;
    const syntax = templateSyntax(piece);
    if (syntax !== undefined) {
      throw inputError(input,
        `the text contains ${syntax}. Pass a Terraform value as a token (e.g. a TerraformVariable's stringValue), ` +
          'not as "${...}" text; a literal "${" cannot be part of this value.',
      );
    }
  }
}

/** What `value` becomes in cdk.tf.json when written by `stack` (tokens as `${...}` references). */
function resolveIn(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

// ---- registration ------------------------------------------------------------------------------------------------

interface SecretInput {
  readonly scope: IConstruct;
  readonly input: string;
  readonly value: unknown;
  readonly fix: string;
}

/** An object a stack creates or manages, that no other stack of the app may create or manage too. */
export interface ExclusiveClaim {
  readonly kind: 'role' | 'folder' | 'template' | 'permissions';
  /** Identity within one vCenter, e.g. the inventory path. */
  readonly key: string;
  /** The element that creates it: its provider tells the vCenter apart. */
  readonly element: TerraformElement;
}

const PREFLIGHT_SAFE = Symbol.for('cdktf-kkp-vsphere.preflight');

/** What the synth checks record per stack. */
interface StackChecks {
  /** The checks are attached to the stack (its SynthChecksHost exists). */
  hosted: boolean;
  readonly secrets: SecretInput[];
  /** Each registered value and the scopes that registered it (a look-up per ancestor, not a scan). */
  readonly secretScopes: Map<unknown, Set<IConstruct>>;
  readonly claims: ExclusiveClaim[];
  /** Further stack-wide checks by key, and their problems once run (the aspect visits once per stack). */
  readonly stackChecks: Map<string, () => string[]>;
  stackCheckResults?: string[];
}

const STACK_CHECKS = stackSlot<StackChecks>('synth-checks', () => ({
  hosted: false,
  secrets: [],
  secretScopes: new Map(),
  claims: [],
  stackChecks: new Map(),
}));

class KkpSynthChecks implements IAspect {
  public readonly [PREFLIGHT_SAFE] = true;

  constructor(private readonly root: IConstruct) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof SynthChecksHost)) return;
    const problems = preflight(this.root, stackOf(node));
    if (problems.length > 0) {
      throw new KkpValidationError(
        undefined,
        'cdktf-kkp-vsphere stopped the synth before writing anything; fix these inputs:\n  ' +
          problems.map((p) => redactUrls(p)).join('\n  '),
      );
    }
  }
}

// Per app (keyed by the root construct), not per stack: one aspect serves every stack of the app.
const checksByRoot = new WeakMap<IConstruct, KkpSynthChecks>();

/**
 * The construct the checks are attached to, one per stack. An aspect on the stack itself would make cdktf visit every
 * node of the stack with it (computing each node's path): 5 % of the synth of a seed with 1000 user clusters
 * (bench/RESULTS.md). On this childless construct cdktf calls it once, and walks no other node with it.
 */
class SynthChecksHost extends Construct {}
const HOST_ID = 'cdktf-kkp-vsphere-synth-checks';

/**
 * Makes sure the library's synth checks run for the app `scope` belongs to. Adds the checks to every stack the app
 * has now, so that the first stack cdktf writes already checks all of them.
 */
export function enableSynthChecks(scope: IConstruct): void {
  const stack = stackOf(scope);
  const root = stack.node.root;
  let checks = checksByRoot.get(root);
  if (!checks) {
    checks = new KkpSynthChecks(root);
    checksByRoot.set(root, checks);
  }
  if (stackState(stack, STACK_CHECKS).hosted) return;
  for (const s of root.node.findAll().filter(TerraformStack.isStack)) {
    const state = stackState(s, STACK_CHECKS);
    if (!state.hosted) {
      state.hosted = true;
      Aspects.of(new SynthChecksHost(s, HOST_ID)).add(checks);
    }
  }
}

function checksOf(scope: IConstruct): StackChecks {
  enableSynthChecks(scope);
  return stackState(scope, STACK_CHECKS);
}

/**
 * Declares `value` a credential: at synth it must be a Terraform value that is not written into cdk.tf.json (a
 * variable without default, a data source or resource attribute), never a literal, a function of literals, a lazy
 * literal or a string concatenated with a token. `input` names it, `fix` says where the value should come from.
 */
export function requireSecretInput(scope: IConstruct, input: string | InputRef, value: unknown, fix: string): void {
  if (value === undefined) return;
  const { secrets: list, secretScopes: byValue } = checksOf(scope);
  // A construct that hands its credential on to an inner one (KkpUserCluster to its CloudConfigSecret) registered it
  // first, under the prop the user set: one problem per value, named by the outermost input. Looked up per ancestor:
  // clusters share one password, so a scan of the entries with that value was quadratic in the clusters.
  const registeredBy = byValue.get(value);
  if (registeredBy && scope.node.scopes.some((s) => registeredBy.has(s))) return;
  list.push({ scope, input: String(input), value, fix });
  if (registeredBy) registeredBy.add(scope);
  else byValue.set(value, new Set([scope]));
}

/**
 * Registers a stack-wide check under `key` (once per stack: a second registration with the same key is ignored). It
 * runs once at synth, with the other checks, before anything is written; the problems it returns stop the synth.
 */
export function registerStackCheck(scope: IConstruct, key: string, check: () => string[]): void {
  const map = checksOf(scope).stackChecks;
  if (!map.has(key)) map.set(key, check);
}

/** Records an object the element creates or manages exclusively; two stacks of one app claiming it are an error. */
export function claimExclusively(scope: IConstruct, claim: ExclusiveClaim): void {
  checksOf(scope).claims.push(claim);
}

// ---- the checks --------------------------------------------------------------------------------------------------

function preflight(root: IConstruct, current: TerraformStack): string[] {
  const stacks = root.node.findAll().filter(TerraformStack.isStack);
  const problems: string[] = [];
  const claims: { stack: TerraformStack; vcenter: string; claim: ExclusiveClaim }[] = [];
  for (const stack of stacks) {
    const elements = stack.node.findAll().filter((c): c is TerraformElement => c instanceof TerraformElement);
    problems.push(...credentialProblems(stack, elements));
    problems.push(...duplicateNames(stack, elements));
    problems.push(...stackCheckProblems(stack));
    // Claims can only clash between two stacks: a one-stack app skips resolving every resource for them.
    if (stacks.length < 2) continue;
    for (const claim of [...stackState(stack, STACK_CHECKS).claims, ...derivedClaims(stack, elements)]) {
      claims.push({ stack, vcenter: vcenterOf(stack, elements, claim.element), claim });
    }
    if (stack !== current) problems.push(...otherStackValidation(root, stack));
  }
  problems.push(...crossStackClaims(claims));
  return problems;
}

function stackCheckProblems(stack: TerraformStack): string[] {
  const state = stackState(stack, STACK_CHECKS);
  state.stackCheckResults ??= [...state.stackChecks.values()].flatMap((check) => check());
  return state.stackCheckResults;
}

/** cdktf's own validation of a stack that is written later, so that its failure cannot leave a half-written output. */
function otherStackValidation(root: IConstruct, stack: TerraformStack): string[] {
  // An aspect of the user's may change the stack when cdktf reaches it: its validation has to wait until then.
  if (Aspects.of(stack).all.some((a) => !(a as any)[PREFLIGHT_SAFE])) return [];
  const problems: string[] = [];
  if ((root as any).skipValidation !== true) {
    for (const node of stack.node.findAll()) {
      for (const error of node.node.validate()) problems.push(`[${node.node.path}] ${error}`);
    }
  }
  for (const node of stack.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type === AnnotationMetadataEntryType.ERROR) problems.push(`[${node.node.path}] ${String(entry.data)}`);
    }
  }
  return problems;
}

// Attributes of provider blocks that hold credentials, by their whole name (vSphere `password`, Kubernetes `token`,
// `password` and `client_key`, and the usual names of other providers). Whole names, so that `token_name`,
// `skip_child_token` or `password_file` (a name, a switch, a path) are not taken for credentials.
const SECRET_ATTRIBUTE =
  /^(password|passwd|token|secret|client_key|client_secret|private_key|access_key|secret_key|api_key|api_token|access_token|secret_id)$/;
const ADDRESS_ATTRIBUTE = /(^|_)(server|host|endpoint|url|address)$/;

function credentialProblems(stack: TerraformStack, elements: TerraformElement[]): string[] {
  const problems: string[] = [];
  const names = elementNames(elements);
  for (const element of elements) {
    if (element instanceof TerraformProvider) {
      const block = providerBlock(element);
      const kind = element.terraformResourceType;
      for (const [attribute, value] of Object.entries(block)) {
        if (SECRET_ATTRIBUTE.test(attribute)) {
          const problem = secretProblem(stack, value, names, 0);
          if (problem !== undefined) {
            problems.push(
              `[${element.node.path}] provider "${kind}" ${attribute} ${problem}, so it would be written into cdk.tf.json. ` +
                `${providerFix(kind, attribute)}`,
            );
          }
        } else if (ADDRESS_ATTRIBUTE.test(attribute) && typeof value === 'string' && !Token.isUnresolved(value) && hasUserInfo(value)) {
          problems.push(
            `[${element.node.path}] provider "${kind}" ${attribute} ${JSON.stringify(redactUrl(value))} holds a user or ` +
              'password before "@", which would be written into cdk.tf.json. Give the host only and the credentials as ' +
              'sensitive Terraform variables.',
          );
        }
      }
    } else if (element instanceof TerraformVariable && element.sensitive === true && element.default !== undefined) {
      problems.push(
        `[${element.node.path}] sensitive variable "${element.friendlyUniqueId}" has a default value, which is written into ` +
          `cdk.tf.json. Remove the default and set TF_VAR_${element.friendlyUniqueId} where you run cdktf.`,
      );
    }
  }
  for (const secret of stackState(stack, STACK_CHECKS).secrets) {
    const problem = secretProblem(stack, secret.value, names, 0);
    if (problem !== undefined) {
      problems.push(`[${secret.scope.node.path}] ${secret.input} ${problem}, so it would be written into cdk.tf.json. ${secret.fix}`);
    }
  }
  return problems;
}

function providerFix(kind: string, attribute: string): string {
  const env = kind === 'vsphere' && attribute === 'password' ? ' (the provider binding requires the prop, so VSPHERE_PASSWORD alone does not do)' : '';
  return (
    `Declare new TerraformVariable(this, '${kind}_${attribute}', { type: 'string', sensitive: true }) without a default, ` +
    `pass its stringValue${env}, and set TF_VAR_${kind}_${attribute} where you run cdktf.`
  );
}

function hasUserInfo(value: string): boolean {
  const authority = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/?#]*)/.exec(value)![1];
  return authority.includes('@');
}

function providerBlock(provider: TerraformProvider): Record<string, unknown> {
  const tf = provider.toTerraform() as { provider?: Record<string, unknown[]> };
  const blocks = tf.provider?.[provider.terraformResourceType];
  const block = Array.isArray(blocks) ? blocks[0] : blocks;
  return block && typeof block === 'object' ? (block as Record<string, unknown>) : {};
}

interface ElementNames {
  readonly variables: Map<string, TerraformVariable>;
  readonly locals: Map<string, TerraformLocal>;
}

function elementNames(elements: TerraformElement[]): ElementNames {
  const variables = new Map<string, TerraformVariable>();
  const locals = new Map<string, TerraformLocal>();
  for (const e of elements) {
    if (e instanceof TerraformVariable) variables.set(e.friendlyUniqueId, e);
    else if (e instanceof TerraformLocal) locals.set(e.friendlyUniqueId, e);
  }
  return { variables, locals };
}

/**
 * Why `value` would put a credential into cdk.tf.json, or undefined when it is a reference Terraform fills at plan
 * time. Never returns the value itself.
 */
function secretProblem(stack: TerraformStack, value: unknown, names: ElementNames, depth: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const token = typeof value !== 'string' || Token.isUnresolved(value);
  let resolved: unknown;
  try {
    resolved = resolveIn(stack, value);
  } catch {
    return undefined; // cdktf reports an unresolvable value itself
  }
  if (resolved === undefined || resolved === null) return undefined;
  if (typeof resolved !== 'string') return token ? 'resolves to a literal value' : 'is a literal value';
  const parts = parseTemplate(resolved);
  const expressions = parts.filter((p): p is { expr: string } => typeof p !== 'string');
  if (expressions.length === 0) {
    return token ? 'resolves to a literal string at synth (e.g. Lazy.stringValue or a constant token)' : 'is a literal string';
  }
  if (parts.some((p) => typeof p === 'string' && p !== '')) {
    return 'mixes literal text with a Terraform value (a string concatenated with a token)';
  }
  for (const { expr } of expressions) {
    if (hasLiteralString(expr)) {
      return "holds a literal string inside a Terraform expression (e.g. Fn.join('', ['...']))";
    }
    const code = withoutStrings(expr);
    for (const m of code.matchAll(/(?<![\w.])(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
      if (m[1] === 'var') {
        const variable = names.variables.get(m[2]);
        if (variable && variable.default !== undefined) {
          return `takes variable "${m[2]}", which has a default value`;
        }
      } else {
        const local = names.locals.get(m[2]);
        if (local && depth < 8) {
          // The `expression` getter answers a reference to the local; its value is what toTerraform() writes.
          const value = (local.toTerraform() as { locals?: Record<string, unknown> }).locals?.[m[2]];
          const problem = secretProblem(stack, value, names, depth + 1);
          if (problem !== undefined) return `takes local "${m[2]}", which ${problem}`;
        }
      }
    }
  }
  return undefined;
}

/** A Terraform template string as literal text and `${...}` / `%{...}` expressions (escapes `$${`, `%%{` are text). */
function parseTemplate(text: string): (string | { expr: string })[] {
  const parts: (string | { expr: string })[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    if (three === '$${' || three === '%%{') {
      literal += three.slice(1);
      i += 3;
    } else if (two === '${' || two === '%{') {
      const end = closingBrace(text, i + 2);
      parts.push(literal, { expr: text.slice(i + 2, end) });
      literal = '';
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  parts.push(literal);
  return parts;
}

/** Index of the `}` that closes an expression starting at `start`, skipping nested braces and quoted strings. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = closingQuote(text, i + 1);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return text.length;
}

function closingQuote(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '$' && text[i + 1] === '{') i = closingBrace(text, i + 2);
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** Whether a Terraform expression holds a quoted string with literal text in it (`"PW"`, `"a${var.x}"`). */
function hasLiteralString(expr: string): boolean {
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] !== '"') continue;
    const end = closingQuote(expr, i + 1);
    const content = expr.slice(i + 1, end).replace(/\\(.)/g, '$1');
    const parts = parseTemplate(content);
    if (parts.some((p) => typeof p === 'string' && p !== '')) return true;
    if (parts.some((p) => typeof p !== 'string' && hasLiteralString(p.expr))) return true;
    i = end;
  }
  return false;
}

function withoutStrings(expr: string): string {
  let out = '';
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '"') {
      const end = closingQuote(expr, i + 1);
      out += '""';
      i = end;
    } else {
      out += expr[i];
    }
  }
  return out;
}

// ---- names and claims --------------------------------------------------------------------------------------------

function duplicateNames(stack: TerraformStack, elements: TerraformElement[]): string[] {
  const seen = new Map<string, TerraformElement>();
  const problems: string[] = [];
  for (const element of elements) {
    const kind = terraformKind(element);
    if (kind === undefined) continue;
    const key = `${kind} "${element.friendlyUniqueId}"`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, element);
      continue;
    }
    const how = element instanceof TerraformOutput ? 'an output name (e.g. KkpDatacenterSpec outputName, or another clusterId)' : 'a name';
    problems.push(
      `[${element.node.path}] ${key} is also declared by ${first.node.path} in stack "${stack.node.id}"; Terraform keeps only ` +
        `one of them, so the other would be lost without a word. Give one of them ${how}, or drop overrideLogicalId.`,
    );
  }
  return problems;
}

function terraformKind(element: TerraformElement): string | undefined {
  if (element instanceof TerraformOutput) return 'Terraform output';
  if (element instanceof TerraformVariable) return 'Terraform variable';
  if (element instanceof TerraformLocal) return 'Terraform local';
  if (element instanceof TerraformResource) return `resource ${element.terraformResourceType}`;
  if (element instanceof TerraformDataSource) return `data source ${element.terraformResourceType}`;
  return undefined;
}

/** Claims read from the resources the library writes (role names, template VMs, permission metadata). */
function derivedClaims(stack: TerraformStack, elements: TerraformElement[]): ExclusiveClaim[] {
  const claims: ExclusiveClaim[] = [];
  for (const element of elements) {
    if (!(element instanceof TerraformResource)) continue;
    const type = element.terraformResourceType;
    if (type !== 'vsphere_role' && type !== 'vsphere_virtual_machine' && type !== 'vsphere_entity_permissions' && type !== 'kkpvsphere_vm_template') continue;
    const body = resourceBody(stack, element);
    const kkp = (body['//'] as any)?.kkp;
    if (type === 'vsphere_role' && typeof body.name === 'string' && !body.name.includes('${')) {
      claims.push({ kind: 'role', key: body.name.toLowerCase(), element });
    } else if (type === 'vsphere_virtual_machine' && kkp && typeof kkp.folder === 'string' && typeof body.name === 'string') {
      claims.push({ kind: 'template', key: `/${kkp.folder.split('/')[1]}\u0000${body.name}`, element });
    } else if (type === 'kkpvsphere_vm_template' && kkp && typeof kkp.folder === 'string' && typeof kkp.template === 'string') {
      // VmTemplate's import (the kkpvsphere provider's kkpvsphere_vm_template): its review metadata names the template.
      claims.push({ kind: 'template', key: `/${kkp.folder.split('/')[1]}\u0000${kkp.template}`, element });
    } else if (type === 'vsphere_entity_permissions' && kkp && typeof kkp.entity === 'string') {
      claims.push({ kind: 'permissions', key: kkp.entity, element });
    }
  }
  return claims;
}

function resourceBody(stack: TerraformStack, resource: TerraformResource): Record<string, unknown> {
  try {
    const tf = resource.toTerraform() as { resource?: Record<string, Record<string, unknown>> };
    const body = tf.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId] as Record<string, unknown> | undefined;
    if (!body) return {};
    return { name: resolveIn(stack, body.name), '//': resolveIn(stack, body['//']) };
  } catch {
    return {}; // cdktf reports what it cannot resolve when it writes the stack
  }
}

/** The vCenter an element talks to: its vSphere provider's server, as written (a token stays a reference). */
function vcenterOf(stack: TerraformStack, elements: TerraformElement[], element: TerraformElement): string {
  const explicit = element instanceof TerraformResource ? element.provider : undefined;
  const provider =
    explicit ??
    elements.find((e): e is TerraformProvider => e instanceof TerraformProvider && e.terraformResourceType === 'vsphere' && !e.alias);
  if (!provider) return 'the vCenter in VSPHERE_SERVER';
  const server = resolveIn(stack, providerBlock(provider).vsphere_server);
  return typeof server === 'string' && server !== '' ? `vCenter ${server}` : 'the vCenter in VSPHERE_SERVER';
}

function crossStackClaims(claims: { stack: TerraformStack; vcenter: string; claim: ExclusiveClaim }[]): string[] {
  const byKey = new Map<string, typeof claims>();
  for (const c of claims) {
    const key = `${c.claim.kind}\u0000${c.vcenter}\u0000${c.claim.key}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const problems: string[] = [];
  for (const group of byKey.values()) {
    const stacks = [...new Set(group.map((c) => c.stack))];
    if (stacks.length < 2) continue;
    const [a, b] = stacks.map((s) => group.find((c) => c.stack === s)!);
    const where = `stacks "${a.stack.node.id}" (${a.claim.element.node.path}) and "${b.stack.node.id}" (${b.claim.element.node.path})`;
    const different = 'If the stacks talk to different vCenters, set vsphereServer on each stack\'s VsphereProvider.';
    switch (a.claim.kind) {
      case 'role':
        problems.push(
          `${where} both create vSphere role "${a.claim.key}" on ${a.vcenter}. Role names are unique per vCenter: the second ` +
            `apply fails, and destroying either stack removes the role for both. Create it in one stack, or give each ` +
            `stack's KkpRoles its own namePrefix. ${different}`,
        );
        break;
      case 'folder':
        problems.push(
          `${where} both create folder ${a.claim.key} on ${a.vcenter}; destroying either stack would delete it for both. ` +
            `Create it in one stack and look it up in the other with inventory.vmFolder(path). ${different}`,
        );
        break;
      case 'template': {
        const [dc, name] = a.claim.key.split('\u0000');
        problems.push(
          `${where} both create template VM "${name}" in datacenter ${dc.slice(1)} on ${a.vcenter}; machine-controller finds ` +
            `templates by name and fails on two matches. Create it in one stack, or give each its own name. ${different}`,
        );
        break;
      }
      case 'permissions':
        problems.push(
          `${where} both manage the permissions of ${a.claim.key} on ${a.vcenter}. vsphere_entity_permissions owns every ` +
            `permission of its object, so each stack's apply removes the other's grants. Make every grant on it in one ` +
            `stack. ${different}`,
        );
        break;
    }
  }
  return problems;
}
