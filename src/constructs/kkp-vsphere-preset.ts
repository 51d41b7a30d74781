// A KKP Preset with vSphere credentials: the other way (besides a credentials Secret on the seed) a platform team hands
// KKP its vSphere credentials. KKP's API reads Presets on the master cluster and copies a chosen Preset's credentials
// into each cluster created with it, so the construct writes the Preset object there through a kubernetes provider.
import { stackSlot, stackState } from '../core/stack-state';
import { Construct } from 'constructs';
import { TerraformVariable, Token } from '../framework/core';
import { ITerraformProviderRef, providerOf } from '../framework/refs';
import type { Manifest } from '../framework/providers/kubernetes/manifest';
import { gcfgCarriable } from './cloud-config-secret';
import { IVsphereEntity } from '../core/inventory';
import { stackKkpRelease } from '../core/stack-release';
import { KkpRelease } from '../facts/kkp/releases';
import { KkpPresetFacts, kkpPresetFacts, kkpPresetFieldReleases } from '../facts/kkp/preset-fields';
import { refuseTemplateSyntax, requireSecretInput } from '../core/synth-checks';
import { describeValue } from '../base/validation';
import { InputRef, inputError } from '../base/errors';

/** Props of {@link KkpVspherePreset}. */
export interface KkpVspherePresetProps {
  /** The Preset's name (`metadata.name`; Presets are cluster-scoped): what users pick in the KKP dashboard. */
  readonly name: string;
  /**
   * The KKP release; it decides the Preset's API group and fields. Usually left out: the stack's release (see
   * "KKP releases" in the README) applies.
   * @default - the stack's KKP release
   */
  readonly kkpRelease?: string;
  /** The vSphere user KKP renders into the cloud-config of every cluster created with the Preset (`DOMAIN\user`). */
  readonly username: string;
  /**
   * That user's password, as a token: the stringValue of a TerraformVariable with `sensitive: true` and no default.
   * @default - a sensitive variable `kkp_preset_<name>_password` (set `TF_VAR_kkp_preset_<name>_password`)
   */
  readonly password?: string;
  /**
   * The kubernetes provider of KKP's master cluster, where the KKP API reads Presets (from KKP 2.22 KKP copies them to
   * every seed itself; write them on the master only).
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: ITerraformProviderRef;
  /** Limit the Preset to one KKP datacenter (the Seed's `spec.datacenters` key). KKP 2.13+. @default - every datacenter */
  readonly datacenter?: string;
  /**
   * The datastore or datastore cluster KKP puts into clusters created with the Preset (`inventory.datastore(...)` or
   * `inventory.datastoreCluster(...)`). KKP 2.15+.
   * @default - none: the datacenter's default datastore
   */
  readonly datastore?: IVsphereEntity;
  /** Networks of the worker VMs: `networks` from KKP 2.24, one network as `vmNetName` before. @default - none */
  readonly networks?: readonly IVsphereEntity[];
  /** Resource pool of the worker VMs. KKP 2.18+. @default - none */
  readonly resourcePool?: string;
  /** Folder path KKP creates cluster folders in (`basePath`). KKP 2.24+. @default - none: KKP's root path */
  readonly basePath?: string;
  /** KKP project ids the Preset is limited to (`spec.projects`). KKP 2.22+. @default - every project */
  readonly projects?: readonly string[];
  /** E-mail addresses or domains of the users who may use the Preset (`spec.requiredEmails`). KKP 2.18+. @default - everyone */
  readonly requiredEmails?: readonly string[];
  /** One e-mail domain whose users may use the Preset (`spec.requiredEmailDomain`). KKP 2.13 to 2.19. @default - everyone */
  readonly requiredEmailDomain?: string;
  /** Whether the Preset is offered in the KKP dashboard (`spec.enabled`). KKP 2.16+. @default - not written: enabled */
  readonly enabled?: boolean;
  /**
   * Let users edit the Preset's non-secret fields at cluster creation (`spec.vsphere.isCustomizable`). KKP 2.26+; KKP's
   * own comment says only OpenStack honours it in 2.26.
   * @default - not written: false
   */
  readonly isCustomizable?: boolean;
}

/**
 * A KKP `Preset` carrying vSphere credentials, written as a `kubernetes_manifest` through the master cluster's
 * kubernetes provider. The password arrives only as a sensitive Terraform variable; the fields written are those the
 * stack's KKP release has (a prop the release lacks fails synth). KKP 2.13 and later (2.12 read presets from a file).
 */
export class KkpVspherePreset extends Construct {
  /** The Preset's name. */
  public readonly presetName: string;
  /** The KKP release the Preset is written for. */
  public readonly kkpRelease: KkpRelease;
  /** `apiVersion` of the Preset (`kubermatic.k8s.io/v1` up to 2.19, `kubermatic.k8c.io/v1` from 2.20). */
  public readonly apiVersion: string;
  /** The Preset object as written (the password as a Terraform reference). */
  public readonly object: Record<string, unknown>;
  public readonly manifest: Manifest;
  /** The variable declared for the password, when none was passed. */
  public readonly passwordVariable?: TerraformVariable;

  constructor(scope: Construct, id: string, props: KkpVspherePresetProps) {
    super(scope, id);
    const where = InputRef.of(this, 'KkpVspherePreset');
    if (!props || typeof props !== 'object') {
      throw where.error(`props are missing; give name and username (and the password as a sensitive variable).`);
    }
    this.kkpRelease = stackKkpRelease(this, props.kkpRelease, where);
    const facts = kkpPresetFacts(this.kkpRelease);
    if (!facts.objects) {
      throw where.error(
        `KKP ${this.kkpRelease} reads presets only from a file given to kubermatic-api (-presets), not from Preset ` +
          'objects (those arrive in 2.13). Put the Preset into that file, or use kkpRelease 2.13 or later.',
      );
    }
    this.presetName = checkName(where, props.name);
    this.apiVersion = facts.apiVersion;
    checkRelease(where, facts, props);

    const username = checkText(where, 'username', props.username, true)!;
    if (props.password !== undefined && (typeof props.password !== 'string' || !Token.isUnresolved(props.password))) {
      throw where.at('password').error(
        `a literal password would be written into cdk.tf.json; pass a token, e.g. the stringValue of a ` +
          'TerraformVariable with sensitive: true.',
      );
    }
    const variableName = `kkp_preset_${this.presetName.replace(/[-.]/g, '_')}_password`;
    if (props.password === undefined) {
      this.passwordVariable = new TerraformVariable(this, 'password-variable', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Password of vSphere user ${Token.isUnresolved(username) ? '' : `${username} `}in KKP Preset ${this.presetName} (set TF_VAR_${variableName}).`,
      });
      this.passwordVariable.overrideLogicalId(variableName);
    }
    const password = props.password ?? this.passwordVariable!.stringValue;
    requireSecretInput(
      this,
      'KkpVspherePreset prop password',
      password,
      `Pass the stringValue of a TerraformVariable with sensitive: true and no default, or leave password out and set TF_VAR_${variableName} for the variable the construct then declares.`,
    );
    // KKP renders username and password into the gcfg cloud-config of each cluster made with the Preset.
    const preconditions = [gcfgCarriable(where, 'username', username), gcfgCarriable(where, 'password', password)].filter(
      (p) => p !== undefined,
    );

    const vsphere: Record<string, unknown> = {};
    // Field order follows KKP's VSphere type: the inlined provider-preset fields, then credentials, then placement.
    if (props.isCustomizable !== undefined) vsphere.isCustomizable = props.isCustomizable;
    if (props.datacenter !== undefined) vsphere.datacenter = checkText(where, 'datacenter', props.datacenter);
    vsphere.username = username;
    vsphere.password = password;
    const networks = (props.networks ?? []).map((n, i) => {
      expectEntity(n, ['network'], where.at(`networks[${i}]`), "inventory.network('...')");
      return lastSegment(n.inventoryPath);
    });
    if (networks.length) {
      if (facts.vsphereFields.includes('networks')) vsphere.networks = networks;
      else vsphere.vmNetName = networks[0];
    }
    if (props.datastore !== undefined) {
      expectEntity(props.datastore, ['datastore', 'datastoreCluster'], where.at('datastore'), "inventory.datastore('...') or inventory.datastoreCluster('...')");
      vsphere[props.datastore.kind === 'datastoreCluster' ? 'datastoreCluster' : 'datastore'] = lastSegment(props.datastore.inventoryPath);
    }
    if (props.resourcePool !== undefined) vsphere.resourcePool = checkText(where, 'resourcePool', props.resourcePool);
    if (props.basePath !== undefined) vsphere.basePath = checkText(where, 'basePath', props.basePath);

    const spec: Record<string, unknown> = { vsphere };
    if (props.requiredEmailDomain !== undefined) spec.requiredEmailDomain = checkText(where, 'requiredEmailDomain', props.requiredEmailDomain);
    if (props.requiredEmails !== undefined) spec.requiredEmails = checkList(where, 'requiredEmails', props.requiredEmails, /^[^\s@]*@?[^\s@]+$/, 'an e-mail address or a domain');
    if (props.projects !== undefined) spec.projects = checkList(where, 'projects', props.projects, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a KKP project id (e.g. jm8rbz6fnz)');
    if (props.enabled !== undefined) spec.enabled = props.enabled;

    this.object = { apiVersion: this.apiVersion, kind: 'Preset', metadata: { name: this.presetName }, spec };
    // Loaded where used: a synth loads only the provider modules its stack needs.
    const { Manifest } = require('../framework/providers/kubernetes/manifest') as typeof import('../framework/providers/kubernetes/manifest');
    this.manifest = new Manifest(this, 'Preset', {
      manifest: this.object,
      provider: props.kubernetesProvider === undefined ? undefined : providerOf(props.kubernetesProvider, String(where), 'kubernetesProvider'),
      lifecycle: preconditions.length ? { precondition: preconditions } : undefined,
    });
    checkUnique(this, this.presetName, where);
  }
}

function checkRelease(where: InputRef, facts: KkpPresetFacts, props: KkpVspherePresetProps): void {
  const need: [keyof KkpVspherePresetProps, 'spec' | 'vsphere', string][] = [
    ['datacenter', 'vsphere', 'datacenter'],
    ['datastore', 'vsphere', props.datastore?.kind === 'datastoreCluster' ? 'datastoreCluster' : 'datastore'],
    ['resourcePool', 'vsphere', 'resourcePool'],
    ['basePath', 'vsphere', 'basePath'],
    ['isCustomizable', 'vsphere', 'isCustomizable'],
    ['projects', 'spec', 'projects'],
    ['requiredEmails', 'spec', 'requiredEmails'],
    ['requiredEmailDomain', 'spec', 'requiredEmailDomain'],
    ['enabled', 'spec', 'enabled'],
  ];
  for (const [prop, part, field] of need) {
    if (props[prop] === undefined) continue;
    const fields: readonly string[] = part === 'spec' ? facts.specFields : facts.vsphereFields;
    if (!fields.includes(field)) {
      const instead =
        prop === 'requiredEmailDomain' ? ' Use requiredEmails instead.' : prop === 'requiredEmails' && facts.specFields.includes('requiredEmailDomain') ? ' Use requiredEmailDomain (one domain) instead.' : '';
      throw where.at(`${prop}`).error(
        `KKP ${facts.release}'s Preset has no spec.${part === 'spec' ? '' : 'vsphere.'}${field} (${kkpPresetFieldReleases(part, field)} ` +
          `has it). Leave ${prop} out or use a KKP release that has it.${instead}`,
      );
    }
  }
  if (props.networks !== undefined && !Array.isArray(props.networks)) {
    throw where.at('networks').error(`expected a list of networks, got ${describeValue(props.networks)}; pass e.g. [inventory.network('VM Network')].`);
  }
  if ((props.networks?.length ?? 0) > 1 && !facts.vsphereFields.includes('networks')) {
    throw where.at('networks').error(
      `KKP ${facts.release}'s Preset takes one network (spec.vsphere.vmNetName); a list (networks) arrives ` +
        `in 2.24. Give one network, or use kkpRelease 2.24 or later.`,
    );
  }
}

function checkName(where: InputRef, name: unknown): string {
  if (typeof name !== 'string' || name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw where.at('name').error(
      `${shown(name)} is not a Kubernetes object name; give lower-case letters, digits, "-" and "." ` +
        '(at most 253 characters), e.g. "vsphere-team-a".',
    );
  }
  return name;
}

/** A text prop: a non-empty string; literal text must not hold Terraform template syntax (it is never escaped). */
function checkText(where: InputRef, prop: string, value: unknown, tokenAllowed = false): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw where.at(`${prop}`).error(`expected a non-empty string, got ${describeValue(value)}.`);
  }
  if (Token.isUnresolved(value) && !tokenAllowed) {
    throw where.at(`${prop}`).error(`give the value itself; a Terraform value here would hide it from review.`);
  }
  refuseTemplateSyntax(value, where.at(prop));
  return value;
}

function checkList(where: InputRef, prop: string, values: unknown, pattern: RegExp, what: string): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw where.at(`${prop}`).error(`expected a non-empty list, got ${describeValue(values)}; leave ${prop} out to set no limit.`);
  }
  return values.map((v, i) => {
    if (typeof v !== 'string' || !pattern.test(v)) {
      throw where.at(`${prop}[${i}]`).error(`${shown(v)} is not ${what}.`);
    }
    return v;
  });
}

const PRESET_NAMES = stackSlot<Set<string>>('preset-names', () => new Set());
function checkUnique(scope: Construct, name: string, where: InputRef): void {
  const names = stackState(scope, PRESET_NAMES);
  if (names.has(name)) {
    throw where.at('name').error(`another KkpVspherePreset of this stack already writes Preset "${name}"; give each its own name.`);
  }
  names.add(name);
}

/** The entity kinds a prop takes; the Preset carries only the object's name. */
function expectEntity(entity: IVsphereEntity, kinds: readonly string[], input: string | InputRef, fix: string): void {
  if (!entity || typeof entity.kind !== 'string' || typeof entity.inventoryPath !== 'string') {
    throw inputError(input, `expected a vSphere object from VsphereInventory, got ${describeValue(entity)}; pass ${fix}.`);
  }
  if (!kinds.includes(entity.kind)) {
    throw inputError(input, `${entity.inventoryPath} is a ${entity.kind}; pass ${fix}.`);
  }
}

/** A name as the user wrote it (names are not secrets); anything else described. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeValue(value);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
