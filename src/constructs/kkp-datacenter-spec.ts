// The KKP datacenter spec of one vSphere datacenter, rendered at synth time from the inputs the other constructs use.
import { Construct } from 'constructs';
import { TerraformOutput, Token } from '../framework/core';
import { IVsphereEntity, VsphereInventory } from '../core/inventory';
import { KkpRelease, KkpSpecFormat, KkpVsphereDatacenterInput, kkpDatacenterObject, kkpReleaseFacts, parseVsphereEndpoint, renderKkpDatacenterSpec } from '../facts/kkp';
import { stackKkpRelease } from '../core/stack-release';
import { VmFolder } from './vm-folder';
import { describeValue, inventoryNameProblem } from '../base/validation';
import { InputRef, inputError, rendererError } from '../base/errors';

/** Props of {@link KkpDatacenterSpec}. Every value is a literal: the spec is rendered at synth for review. */
export interface KkpDatacenterSpecProps
  extends Pick<
    KkpVsphereDatacenterInput,
    'name' | 'endpoint' | 'allowInsecure' | 'templates' | 'storagePolicy' | 'ipv6Enabled' | 'defaultTagCategoryID' | 'location' | 'country' | 'seed'
  > {
  /** The inventory of the vSphere datacenter (its name becomes `datacenter`). */
  readonly inventory: VsphereInventory;
  /** The default datastore: `inventory.datastore(name)` or its name. */
  readonly datastore: IVsphereEntity | string;
  /** The compute cluster: `inventory.computeCluster(name)` or its name. */
  readonly cluster: IVsphereEntity | string;
  /**
   * KKP's VM root folder (`rootPath`): a `VmFolder` of this stack, or an absolute path below `/<datacenter>/vm`.
   * @default - omitted: KKP uses the datacenter's VM folder `/<datacenter>/vm`
   */
  readonly rootFolder?: VmFolder | string;
  /**
   * The KKP release that reads the spec: field names (snake_case up to 2.18, camelCase from 2.19), optional fields and
   * template keys follow it. It is the stack's release: roles and credentials follow it too.
   * @default - the stack's release when another KKP construct set it, else the newest release the library knows
   */
  readonly kkpRelease?: KkpRelease;
  /**
   * `seed`: the `datacenters:` block of a Seed resource's `spec`. `legacy`: the `datacenters.yaml` of KKP 2.12 and
   * 2.13 (snake_case, with `seed` per datacenter).
   * @default 'seed'
   */
  readonly format?: KkpSpecFormat;
  /**
   * Name of the Terraform output holding the YAML.
   * @default - `kkp_datacenter_<name>` with every character other than letters, digits and `_` as `_`
   */
  readonly outputName?: string;
}

/**
 * KKP's vSphere datacenter spec (`spec.datacenters.<name>.spec.vsphere` with endpoint, datacenter, datastore, cluster,
 * rootPath, templates, ...) as YAML in a Terraform output. It never holds a credential. User clusters
 * ({@link KkpUserCluster}) take their vCenter, datacenter, datastore and root folder from it.
 */
export class KkpDatacenterSpec extends Construct {
  /** The datacenter's key in KKP. */
  public readonly name: string;
  public readonly inventory: VsphereInventory;
  /** The endpoint URL as written into the spec. */
  public readonly endpoint: string;
  /** The vCenter host (the cloud-config's `server`). */
  public readonly server: string;
  /** The vCenter port (the cloud-config's `port`). */
  public readonly port: number;
  public readonly allowInsecure: boolean;
  /** The default datastore's name. */
  public readonly datastoreName: string;
  /** The compute cluster's name. */
  public readonly clusterName: string;
  /** KKP's VM root folder when it is a folder of this stack. */
  public readonly rootFolder?: VmFolder;
  /** Absolute path KKP creates per-cluster folders in (`/<datacenter>/vm` unless `rootFolder` is given). */
  public readonly rootPath: string;
  /** The storage policy, when given. */
  public readonly storagePolicy?: string;
  /** The rendered YAML (also the output's value). */
  public readonly yaml: string;
  /** The same content as an object, for tools and tests. */
  public readonly spec: Record<string, unknown>;
  /** The Terraform output. */
  public readonly output: TerraformOutput;
  /** The KKP release the spec is rendered for (the stack's). */
  public readonly kkpRelease: KkpRelease;
  private readonly datastoreEntity?: IVsphereEntity;

  constructor(scope: Construct, id: string, props: KkpDatacenterSpecProps) {
    super(scope, id);
    const where = InputRef.of(this, 'KkpDatacenterSpec');
    if (!props || typeof props !== 'object') {
      throw where.error(`props are missing; give name, inventory, endpoint, datastore, cluster and templates.`);
    }
    if (!(props.inventory instanceof VsphereInventory)) {
      throw where.at('inventory').error(
        `expected the VsphereInventory of the datacenter, got ${describeValue(props.inventory)}; pass ` +
          "new VsphereInventory(this, 'Inventory', { datacenter }).",
      );
    }
    rejectTokens(where, props);
    this.kkpRelease = stackKkpRelease(this, props.kkpRelease, where);
    const dc = props.inventory.datacenterName;
    const datastore = entityName(props.datastore, ['datastore'], dc, where.at('datastore'), 'inventory.datastore(name)');
    const cluster = entityName(props.cluster, ['cluster'], dc, where.at('cluster'), 'inventory.computeCluster(name)');
    let rootPath: string | undefined;
    if (props.rootFolder instanceof VmFolder) {
      if (props.rootFolder.inventory.datacenterName !== dc) {
        throw where.at('rootFolder').error(`${props.rootFolder.inventoryPath} is not in datacenter "${dc}".`);
      }
      this.rootFolder = props.rootFolder;
      rootPath = props.rootFolder.inventoryPath;
    } else if (props.rootFolder !== undefined) {
      rootPath = props.rootFolder;
    }
    const input = {
      name: props.name,
      endpoint: props.endpoint,
      allowInsecure: props.allowInsecure,
      datacenter: dc,
      datastore,
      cluster,
      rootPath,
      templates: props.templates,
      storagePolicy: props.storagePolicy,
      ipv6Enabled: props.ipv6Enabled,
      defaultTagCategoryID: props.defaultTagCategoryID,
      location: props.location,
      country: props.country,
      seed: props.seed,
    };
    const format = props.format ?? 'seed';
    try {
      this.spec = kkpDatacenterObject(input, { kkpRelease: this.kkpRelease, format });
      this.yaml = renderKkpDatacenterSpec(input, { kkpRelease: this.kkpRelease, format });
    } catch (e) {
      throw rendererError(where, e as Error);
    }
    const endpoint = parseVsphereEndpoint(props.endpoint);
    this.name = props.name;
    this.inventory = props.inventory;
    this.endpoint = endpoint.url;
    this.server = endpoint.host;
    this.port = endpoint.port;
    this.allowInsecure = props.allowInsecure ?? false;
    this.datastoreName = datastore;
    this.datastoreEntity = typeof props.datastore === 'string' ? undefined : props.datastore;
    this.clusterName = cluster;
    this.rootPath = (rootPath ?? `/${dc}/vm`).replace(/\/+$/, '');
    this.storagePolicy = props.storagePolicy;

    const outputName = props.outputName ?? `kkp_datacenter_${props.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(outputName)) {
      throw where.at('outputName').error(`"${outputName}" is not a Terraform name; use letters, digits, "_" and "-", starting with a letter.`);
    }
    this.output = new TerraformOutput(this, 'Yaml', {
      value: terraformLiteral(this.yaml),
      description: `KKP datacenter "${props.name}" for KKP ${this.kkpRelease} (${format === 'seed' ? `Seed spec.datacenters, ${kkpReleaseFacts(this.kkpRelease).seedFieldCase}` : 'legacy datacenters.yaml'}); no credentials.`,
    });
    this.output.overrideLogicalId(outputName);
  }

  /** The default datastore as an entity (looked up through the inventory when it was given by name). */
  public get datastore(): IVsphereEntity {
    return this.datastoreEntity ?? this.inventory.datastore(this.datastoreName);
  }
}

/** A literal string inside a Terraform string: `${` and `%{` would start an interpolation or a directive. */
export function terraformLiteral(text: string): string {
  // A replacer function, because '$$' in a replacement string means one '$'.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function rejectTokens(where: InputRef, props: KkpDatacenterSpecProps): void {
  const strings: [string, unknown][] = [
    ['name', props.name], ['endpoint', props.endpoint], ['storagePolicy', props.storagePolicy],
    ['defaultTagCategoryID', props.defaultTagCategoryID], ['location', props.location], ['country', props.country],
    ['seed', props.seed], ['datastore', props.datastore], ['cluster', props.cluster], ['rootFolder', props.rootFolder],
  ];
  const templates = props.templates as unknown;
  if (Array.isArray(templates)) {
    templates.forEach((t, i) => strings.push([`templates[${i}].templateName`, t?.templateName], [`templates[${i}].osKey`, t?.osKey]));
  } else if (templates && typeof templates === 'object') {
    Object.entries(templates).forEach(([os, name]) => strings.push([`templates.${os}`, name]));
  }
  for (const [prop, value] of strings) {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      throw where.at(`${prop}`).error(
        `got a Terraform token; the datacenter spec is rendered at synth time so that a reviewer reads it, ` +
          'give the literal value.',
      );
    }
  }
}

function entityName(
  value: IVsphereEntity | string,
  kinds: readonly string[],
  datacenter: string,
  input: string | InputRef,
  how: string,
): string {
  if (typeof value === 'string') {
    const problem = inventoryNameProblem(value);
    if (problem !== undefined) throw inputError(input, `${problem}; or pass ${how}.`);
    return value;
  }
  if (!value || typeof value.kind !== 'string') {
    throw inputError(input, `expected a name or ${how}, got ${String(value)}.`);
  }
  if (!kinds.includes(value.kind)) {
    throw inputError(input, `${value.inventoryPath} is a ${value.kind}; KKP's datacenter spec needs a ${kinds.join(' or ')} here.`);
  }
  if (!value.inventoryPath.startsWith(`/${datacenter}/`)) {
    throw inputError(input, `${value.inventoryPath} is not in datacenter "${datacenter}".`);
  }
  return value.inventoryPath.slice(value.inventoryPath.lastIndexOf('/') + 1);
}
