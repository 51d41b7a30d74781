import { Secret } from '../framework/providers/kubernetes/secret';
import { Fn, IResolvable, Op, Precondition, TerraformVariable, Token, Tokenization } from '../framework/core';
import { ITerraformProviderRef, providerOf } from '../framework/refs';
import { Construct } from 'constructs';
import { VSPHERE_CSI_CONFIG_SECRET, VsphereCsiConfigInput, renderVsphereCsiConfig } from '../facts/cloud-config/csi-vsphere-conf';
import { GcfgQuote, gcfgEscape, gcfgUnsupportedCharacter } from '../facts/cloud-config/gcfg';
import { VsphereCloudConfigInput, renderVsphereCloudConfig, vsphereCloudConfig, vspherePort, vsphereServer } from '../facts/cloud-config/vsphere';
import { kkpUserClusterIds, peekStackKkpRelease } from '../core/stack-release';
import { NEWEST_KKP_RELEASE, kkpReleaseFacts } from '../facts/kkp/releases';
import { requireSecretInput, textPieces } from '../core/synth-checks';
import { stackSlot, stackState } from '../core/stack-state';
import { redactUrl } from '../base/validation';
import { InputRef } from '../base/errors';

/**
 * Props of {@link CloudConfigSecret}: KKP's cloud-config dialect (the default), or the upstream vSphere CSI driver's
 * `csi-vsphere.conf` (`format: 'csi-vsphere-conf'`).
 */
export type CloudConfigSecretProps = KkpCloudConfigSecretProps | CsiVsphereConfSecretProps;

/** Where the Secret goes and where its credentials come from: the same for both dialects. */
export interface CloudConfigSecretPlacement {
  /**
   * vCenter port.
   * @default 443
   */
  readonly port?: number;
  /**
   * vSphere user of the cloud provider and CSI driver: a literal or a token.
   * @default - a sensitive Terraform variable `<variablePrefix>_user` (set TF_VAR_<variablePrefix>_user)
   */
  readonly user?: string;
  /**
   * That user's password. Only a token (e.g. a sensitive `TerraformVariable`'s `stringValue`) is
   * accepted: a literal would be written into cdk.tf.json.
   * @default - a sensitive Terraform variable `<variablePrefix>_password` (set TF_VAR_<variablePrefix>_password)
   */
  readonly password?: string;
  /**
   * Name prefix of the Terraform variables declared for a missing user or password. Two
   * CloudConfigSecrets in one stack need different prefixes.
   * @default 'vsphere_cloud_config'
   */
  readonly variablePrefix?: string;
  /**
   * The Kubernetes provider of the cluster the Secret is written to (one aliased provider per cluster).
   * @default - the stack's default kubernetes provider
   */
  readonly provider?: ITerraformProviderRef;
}

/**
 * The upstream vSphere CSI driver's config, for a cluster KKP does not manage (the seed cluster's own CSI driver, for
 * instance): Secret `vsphere-config-secret`, key `csi-vsphere.conf`, namespace `vmware-system-csi`.
 */
export interface CsiVsphereConfSecretProps extends Omit<VsphereCsiConfigInput, 'port' | 'user' | 'password'>, CloudConfigSecretPlacement {
  readonly format: 'csi-vsphere-conf';
  /** @default 'vsphere-config-secret' */
  readonly name?: string;
  /** @default 'vmware-system-csi' */
  readonly namespace?: string;
  /** @default 'csi-vsphere.conf' */
  readonly key?: string;
}

/**
 * KKP's cloud-config dialect (server, datacenter, datastore, folder, clusterId, ..., see {@link VsphereCloudConfigInput})
 * plus where the Secrets go and where the credentials come from.
 */
export interface KkpCloudConfigSecretProps extends Omit<VsphereCloudConfigInput, 'port' | 'user' | 'password'> {
  /** KKP's cloud-config dialect. @default 'kkp' */
  readonly format?: 'kkp';
  /**
   * Whether the target cluster is a KKP user cluster. From KKP 2.13 KKP's user-cluster controller writes and
   * reconciles the user cluster's `cloud-config` (until 2.25) and `cloud-config-csi` (from 2.18) in `kube-system`
   * itself, from the cluster's credentials: a Secret of the same name fails on create or is overwritten. So a Secret
   * with one of those names in `kube-system` is refused at synth unless the stack's KKP release is 2.12 or this is
   * `false` (a cluster KKP does not manage). A clusterId of a {@link KkpUserCluster} of the stack is always refused.
   * @default - assumed for a Secret KKP reconciles (kube-system/cloud-config, kube-system/cloud-config-csi)
   */
  readonly kkpUserCluster?: boolean;
  /**
   * vCenter port.
   * @default 443
   */
  readonly port?: number;
  /**
   * vSphere user of the cloud provider and CSI driver: a literal or a token.
   * @default - a sensitive Terraform variable `<variablePrefix>_user` (set TF_VAR_<variablePrefix>_user)
   */
  readonly user?: string;
  /**
   * That user's password. Only a token (e.g. a sensitive `TerraformVariable`'s `stringValue`) is
   * accepted: a literal would be written into cdk.tf.json.
   * @default - a sensitive Terraform variable `<variablePrefix>_password` (set TF_VAR_<variablePrefix>_password)
   */
  readonly password?: string;
  /**
   * Name prefix of the Terraform variables declared for a missing user or password. Two
   * CloudConfigSecrets in one stack need different prefixes.
   * @default 'vsphere_cloud_config'
   */
  readonly variablePrefix?: string;
  /**
   * Name of the Secret.
   * @default 'cloud-config'
   */
  readonly name?: string;
  /**
   * Namespace of the Secret (and of its CSI copy).
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Data key holding the INI file (in both Secrets).
   * @default 'config'
   */
  readonly key?: string;
  /**
   * Also write the copy the vSphere CSI driver reads. KKP writes it for every vSphere cluster whose
   * CSI driver is not disabled, and the CSI driver is the volume path on vSphere today, so it is on.
   * @default true
   */
  readonly csiCopy?: boolean;
  /**
   * The Kubernetes provider of the user cluster the Secrets are written to (one aliased provider per cluster).
   * @default - the stack's default kubernetes provider
   */
  readonly provider?: ITerraformProviderRef;
  /**
   * Name of the CSI copy.
   * @default 'cloud-config-csi'
   */
  readonly csiSecretName?: string;
}

const DEFAULT_VARIABLE_PREFIX = 'vsphere_cloud_config';
/** The Secrets KKP's user-cluster controller writes into a user cluster (any release from 2.13). */
const KKP_RECONCILED = ['cloud-config', 'cloud-config-csi'];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const TF_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
// Variable names claimed per stack: Terraform has one namespace for them.
const CLAIMED_VARIABLES = stackSlot<Set<string>>('cloud-config-variables', () => new Set());

/**
 * The Kubernetes Secret `cloud-config` (data key `config`) holding the vSphere cloud-config INI exactly
 * as KKP renders it, and its CSI copy `cloud-config-csi`.
 *
 * Credentials never enter cdk.tf.json: the password must be a token, and without user or password the
 * construct declares sensitive Terraform variables for them. Values known only at apply time (tokens,
 * alone or inside literal text) are escaped by Terraform `replace()` expressions. A character gcfg
 * cannot carry (newline, carriage return, NUL) is rejected at synth time in literal text and fails the
 * plan (a precondition on the Secret) in a token's value.
 */
export class CloudConfigSecret extends Construct {
  /** The Secret read by the vSphere cloud provider. */
  public readonly secret: Secret;
  /** The copy read by the vSphere CSI driver, when `csiCopy` is on. */
  public readonly csiSecret?: Secret;
  /** The variable declared for the user, when none was passed. */
  public readonly userVariable?: TerraformVariable;
  /** The variable declared for the password, when none was passed. */
  public readonly passwordVariable?: TerraformVariable;
  /** The data value as written into the Secrets: a Terraform template of the INI file. */
  public readonly config: string;

  constructor(scope: Construct, id: string, props: CloudConfigSecretProps) {
    super(scope, id);
    const where = InputRef.of(this, 'CloudConfigSecret', { quoted: true });
    if (!props || typeof props !== 'object') {
      throw where.error(`props are missing; give at least server, datacenter, datastore and clusterId.`);
    }
    const csiDialect = props.format === 'csi-vsphere-conf';
    // Required text props: a missing one is named here instead of failing inside the renderer.
    const required: [string, unknown][] = csiDialect
      ? [['clusterId', props.clusterId]]
      : [['datacenter', (props as KkpCloudConfigSecretProps).datacenter], ['datastore', (props as KkpCloudConfigSecretProps).datastore], ['clusterId', props.clusterId]];
    for (const [prop, value] of required) {
      if (typeof value !== 'string' || value === '') {
        throw where.propError(prop, `is ${typeof value === 'string' ? 'empty' : String(value)}; give it (a literal or a token).`);
      }
    }
    if (csiDialect) {
      const datacenters = (props as CsiVsphereConfSecretProps).datacenters as unknown;
      const ok = (typeof datacenters === 'string' && datacenters !== '') ||
        (Array.isArray(datacenters) && datacenters.length > 0 && datacenters.every((d) => typeof d === 'string' && d !== ''));
      if (!ok) {
        throw where.propError('datacenters', `must name the vSphere datacenter(s) the driver serves, e.g. ['dc-1'] (got ${Array.isArray(datacenters) ? 'an array with an empty or non-string item, or none' : String(datacenters)}).`);
      }
    }
    if (props.format !== undefined && props.format !== 'kkp' && !csiDialect) {
      throw where.error(`format "${String(props.format)}" is neither "kkp" (KKP's cloud-config) nor "csi-vsphere-conf" (the upstream vSphere CSI driver's).`);
    }
    const prefix = props.variablePrefix ?? DEFAULT_VARIABLE_PREFIX;
    const name = props.name ?? (csiDialect ? VSPHERE_CSI_CONFIG_SECRET.name : 'cloud-config');
    const namespace = props.namespace ?? (csiDialect ? VSPHERE_CSI_CONFIG_SECRET.namespace : 'kube-system');
    const key = props.key ?? (csiDialect ? VSPHERE_CSI_CONFIG_SECRET.key : 'config');
    const kkp = csiDialect ? undefined : (props as KkpCloudConfigSecretProps);
    const csiCopy = kkp ? kkp.csiCopy ?? true : false;
    const csiSecretName = kkp?.csiSecretName ?? 'cloud-config-csi';

    checkLiteral(where, 'name', name, DNS_SUBDOMAIN, 253, 'a Kubernetes object name (lower-case letters, digits, "-" and ".")');
    checkLiteral(where, 'namespace', namespace, DNS_LABEL, 63, 'a Kubernetes namespace name (lower-case letters, digits and "-")');
    checkLiteral(where, 'key', key, SECRET_KEY, 253, 'a Secret data key (letters, digits, "-", "_" and ".")');
    if (csiCopy) {
      checkLiteral(where, 'csiSecretName', csiSecretName, DNS_SUBDOMAIN, 253, 'a Kubernetes object name');
      if (!Token.isUnresolved(name) && name === csiSecretName) {
        throw where.error(`name and csiSecretName are both "${name}"; give the CSI copy another name or set csiCopy: false.`);
      }
    }
    const passwordFix =
      'Pass the stringValue of a TerraformVariable with sensitive: true and no default, or leave password out and ' +
      `set TF_VAR_${prefix}_password for the variable the construct then declares.`;
    if (props.password !== undefined && !Token.isUnresolved(props.password)) {
      throw where.error(
        `prop password is a literal string, which would be written into cdk.tf.json. Pass a token ` +
        'instead, e.g. the stringValue of a TerraformVariable with sensitive: true, or leave password out and ' +
        `set TF_VAR_${prefix}_password for the variable the construct then declares.`,
      );
    }
    // A token can still carry a literal (Fn.join of text, Lazy.stringValue, text around a token, a variable default,
    // a local): the synth checks resolve it once the tree is complete and refuse it without showing it.
    requireSecretInput(this, 'CloudConfigSecret prop password', props.password, passwordFix);
    if (!Token.isUnresolved(props.server) && typeof props.server === 'string' && props.server.includes('@')) {
      // Never echo it: what stands before "@" is a user and maybe a password.
      throw where.error(
        `prop server holds a user or password before "@"; give the vCenter host name only, e.g. ` +
        '"vcenter.example.com", and the credentials as user and password (password as a token).',
      );
    }
    if (!Token.isUnresolved(props.server) && (typeof props.server !== 'string' || props.server === '' || /[/\s]|:\/\//.test(props.server))) {
      throw where.error(
        `prop server is ${typeof props.server === 'string' ? `"${redactUrl(props.server)}"` : String(props.server)}; ` +
        'give the vCenter host name only (no scheme, path or spaces), e.g. "vcenter.example.com", and the port in prop port.',
      );
    }
    if (kkp) {
      const names = csiCopy ? [name, csiSecretName] : [name];
      const kkpNames = names.filter((n) => !Token.isUnresolved(n) && KKP_RECONCILED.includes(n));
      const clusterId = kkp.clusterId;
      // Decided at synth: the stack's KKP release and its KkpUserClusters are known only once the tree is complete.
      this.node.addValidation({
        validate: () => refuseKkpManagedTarget(this, where, kkp, namespace, kkpNames, clusterId),
      });
    }

    if (props.user === undefined || props.password === undefined) {
      if (!TF_NAME.test(prefix)) {
        throw where.error(`variablePrefix "${prefix}" is not a Terraform name; use letters, digits, "_" and "-".`);
      }
    }
    const user = props.user ?? (this.userVariable = this.declareVariable(where, prefix, 'user',
      'vSphere user of the Kubernetes cloud provider and CSI driver, written into the cloud-config Secret')).stringValue;
    const password = props.password ?? (this.passwordVariable = this.declareVariable(where, prefix, 'password',
      'Password of that vSphere user, written into the cloud-config Secret')).stringValue;

    // The port as given, or undefined: `server: 'vc:8443'` then carries its own port (443 when neither names one).
    let port: string | undefined;
    let server = props.server;
    try {
      port = props.port === undefined ? undefined : Token.isUnresolved(props.port) ? Token.asString(props.port) : vspherePort(props.port);
      if (!Token.isUnresolved(props.server)) {
        const split = vsphereServer(props.server, port);
        server = split.host;
        port = split.port;
      }
    } catch (e) {
      // Their messages start with the field ("port 70000 is not a TCP port", "server \"vc:8443\" names port ...").
      const message = (e as Error).message;
      const field = /^\w+/.exec(message)?.[0] ?? '';
      throw where.propError(field, message.slice(field.length).replace(/^ /, ''));
    }
    port = port ?? vspherePort(undefined);
    const input: Record<string, string | undefined> = csiDialect
      ? {
          server,
          port,
          clusterId: props.clusterId,
          clusterDistribution: (props as CsiVsphereConfSecretProps).clusterDistribution,
          caFile: (props as CsiVsphereConfSecretProps).caFile,
          thumbprint: (props as CsiVsphereConfSecretProps).thumbprint,
          datacenters: csiDatacenters((props as CsiVsphereConfSecretProps).datacenters),
          user,
          password,
        }
      : {
          server,
          port,
          datacenter: kkp!.datacenter,
          datastore: kkp!.datastore,
          folder: kkp!.folder,
          resourcePoolPath: kkp!.resourcePoolPath,
          clusterId: kkp!.clusterId,
          workingDir: kkp!.workingDir,
          ipFamily: kkp!.ipFamily,
          user,
          password,
        };
    const preconditions: Precondition[] = [];
    for (const [prop, value] of Object.entries(input)) {
      if (value === undefined) continue;
      const precondition = gcfgCarriable(where, prop, value);
      if (precondition) preconditions.push(precondition);
    }

    try {
      this.config = csiDialect
        ? renderVsphereCsiConfig({ ...(input as unknown as VsphereCsiConfigInput), insecure: props.insecure }, terraformQuote)
        : renderVsphereCloudConfig(vsphereCloudConfig({ ...(input as unknown as VsphereCloudConfigInput), insecure: props.insecure }), terraformQuote);
    } catch (e) {
      // The renderers name the field; the construct path says which Secret.
      throw where.error(`${(e as Error).message}`);
    }

    const secretProps = (secretName: string) => ({
      metadata: { name: secretName, namespace },
      type: 'Opaque',
      data: { [key]: this.config },
      lifecycle: preconditions.length > 0 ? { precondition: preconditions } : undefined,
      provider: props.provider === undefined ? undefined : providerOf(props.provider, String(where), 'provider'),
    });
    this.secret = new Secret(this, 'secret', secretProps(name));
    if (csiCopy) {
      this.csiSecret = new Secret(this, 'csi-secret', secretProps(csiSecretName));
    }
  }

  private declareVariable(where: InputRef, prefix: string, what: string, description: string): TerraformVariable {
    const variableName = `${prefix}_${what}`;
    const claimed = stackState(this, CLAIMED_VARIABLES);
    if (claimed.has(variableName)) {
      throw where.error(
        `another CloudConfigSecret in this stack already declares the variable ${variableName}; ` +
        'give this one its own variablePrefix, or pass user and password as tokens.',
      );
    }
    claimed.add(variableName);
    const variable = new TerraformVariable(this, `${what}-variable`, {
      type: 'string',
      sensitive: true,
      nullable: false,
      // No validation block: Terraform 1.11 prints a sensitive variable's value when its validation fails.
      description: `${description} (set TF_VAR_${variableName}).`,
    });
    variable.overrideLogicalId(variableName);
    return variable;
  }
}

/**
 * Checks a value the gcfg file will carry: literal text now (throws), a token's value at plan time (the returned
 * precondition, which never prints the value). Used for the cloud-config Secret and the credentials KKP renders from.
 */
export function gcfgCarriable(where: InputRef, prop: string, value: string): Precondition | undefined {
  const tokens: string[] = [];
  for (const piece of textPieces(value)) {
    if (typeof piece !== 'string') {
      tokens.push(piece.token);
      continue;
    }
    const bad = gcfgUnsupportedCharacter(piece);
    if (bad !== undefined) {
      throw where.propError(prop, `contains ${bad}, which the gcfg cloud-config cannot carry; remove it.`);
    }
  }
  return tokens.length > 0 ? carriableAtApply(where, prop, tokens) : undefined;
}

function csiDatacenters(datacenters: string | readonly string[]): string {
  return typeof datacenters === 'string' ? datacenters : datacenters.join(',');
}

/** The synth-time refusal of a cloud-config Secret that KKP writes itself. */
function refuseKkpManagedTarget(
  scope: Construct,
  where: InputRef,
  props: KkpCloudConfigSecretProps,
  namespace: string,
  kkpNames: readonly string[],
  clusterId: string,
): string[] {
  const release = peekStackKkpRelease(scope) ?? NEWEST_KKP_RELEASE;
  const facts = kkpReleaseFacts(release);
  const why =
    `from KKP 2.13 KKP's user-cluster controller writes and reconciles the user cluster's cloud-config Secrets ` +
    `(kube-system/cloud-config until 2.25, kube-system/cloud-config-csi from 2.18) from the cluster's credentials, so a ` +
    `Secret of the same name fails on create or is overwritten. Hand KKP the credentials instead: KkpUserCluster writes ` +
    `them to a Secret on the seed and outputs the credentialsReference.`;
  if (facts.cloudConfigOwner === 'stack') return [];
  if (!Token.isUnresolved(clusterId) && kkpUserClusterIds(scope).includes(clusterId)) {
    return [`${where}: cluster "${clusterId}" is a KkpUserCluster of this stack (KKP ${release}); ${why}`];
  }
  if (props.kkpUserCluster === false || namespace !== 'kube-system' || kkpNames.length === 0) return [];
  return [
    `${where}: Secret kube-system/${kkpNames.join(' and kube-system/')} is one KKP ${release} reconciles in its user clusters; ${why} ` +
      `If the target cluster is not a KKP user cluster, set kkpUserCluster: false; for the upstream vSphere CSI driver ` +
      `(e.g. on the seed cluster) use format: 'csi-vsphere-conf'.`,
  ];
}

/**
 * Quotes a value inside the Terraform template that becomes the Secret data. Literal text is escaped
 * for gcfg and then for the template (`${` and `%{` would start an interpolation or a directive). A
 * token is escaped by Terraform at apply time: `\` to `\\` first, then `"` to `\"`, like KKP. cdktf
 * passes backslashes in function arguments through unescaped (so each is doubled here) and refuses a
 * bare `"` (hence Fn.rawString). sensitive() keeps the rendered file out of plan output.
 */
const terraformQuote: GcfgQuote = (value) => {
  const quoted = textPieces(value).map((piece) => {
    if (typeof piece === 'string') {
      // Replacer functions, because '$$' in a replacement string means one '$'.
      return gcfgEscape(piece).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
    }
    return oncePer(escapedTokens, piece.token, () => {
      const backslashesEscaped = Fn.replace(Fn.sensitive(piece.token), '\\\\', '\\\\\\\\');
      return Fn.replace(backslashesEscaped, Fn.rawString('"'), Fn.rawString('\\\\"'));
    });
  });
  return `"${quoted.join('')}"`;
};

// Per token, not per stack (one token may serve several stacks' values): these caches stay here, outside the stack state.
// Expressions built from one token are built once and shared (the escaped value is used twice per cloud-config, and
// by every cluster a password variable serves). cdktf captures a stack trace for every token it creates: building them
// per use cost a seed with many clusters up to a third of its synth time over hand-written code (bench/RESULTS.md).
const escapedTokens = new WeakMap<IResolvable, string>();
const carriableConditions = new WeakMap<IResolvable, IResolvable>();

function oncePer<T>(cache: WeakMap<IResolvable, T>, token: string, build: () => T): T {
  const key = Tokenization.reverseString(token).firstToken;
  if (key === undefined) return build();
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    cache.set(key, value);
  }
  return value;
}

/** A plan-time check that no token of a value holds a character gcfg cannot carry; it never prints the value. */
function carriableAtApply(where: InputRef, prop: string, tokens: readonly string[]): Precondition {
  return {
    condition: tokens.length === 1 ? carriableCondition(tokens[0]) : lacksUncarriable(tokens).reduce((all, check) => Op.and(all, check)),
    errorMessage: `${where}: prop ${prop} contains a newline, carriage return or NUL character, which the ` +
      'gcfg cloud-config cannot carry. Remove it from the value given to Terraform.',
  };
}

function lacksUncarriable(tokens: readonly string[]): IResolvable[] {
  const lacks = (token: string, character: string) => Op.not(Fn.strcontains(token, character));
  return tokens.flatMap((token) => [lacks(token, '\\n'), lacks(token, '\\r'), lacks(token, '\\u0000')]);
}

function carriableCondition(token: string): IResolvable {
  return oncePer(carriableConditions, token, () => lacksUncarriable([token]).reduce((all, check) => Op.and(all, check)));
}

function checkLiteral(where: InputRef, prop: string, value: string, pattern: RegExp, max: number, what: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length > max || !pattern.test(value)) {
    throw where.propError(prop, `is "${value}", which is not ${what} of at most ${max} characters.`);
  }
}
