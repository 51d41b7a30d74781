// From one synthesized cdk.tf.json to the facts of a StackReport. Pure: no cdktf, no file system.
// The `"//": { "kkp": ... }` metadata the constructs write is preferred; hand-written resources are read as they are.
import { additiveGrantFromInput, constructPathOf, KkpAdditiveGrantMetadata, KkpEntityPermissionsMetadata, KkpTemplateMetadata, readKkpMetadata } from '../../contracts/review-metadata';
import {
  CrossStackFact,
  FolderFact,
  GrantFact,
  ReportManagement,
  ResourceFact,
  RoleFact,
  SecretFact,
  StackReport,
  TemplateFact,
  VariableFact,
  WarningFact,
} from './model';
import { expressionInWords, ExpressionRef, interpolations, isExpression } from './words';
import { redactUrl } from '../../base/validation';

type Json = Record<string, unknown>;

/** A `${type.name.attr}` or `${data.type.name.attr}` reference. */
interface Ref {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly attr: string;
}

/** Labels of vCenter's predefined roles by id (what the vSphere Client shows). */
export const PREDEFINED_ROLES: Readonly<Record<string, string>> = {
  '-1': 'Administrator',
  '-2': 'Read-only',
  '-3': 'View',
  '-4': 'Anonymous',
  '-5': 'No access',
  '-6': 'No cryptography administrator',
};

/** Inventory kind of the objects each data source looks up. */
export const DATA_KINDS: Readonly<Record<string, { kind: string; entityType?: string }>> = {
  vsphere_datacenter: { kind: 'datacenter', entityType: 'Datacenter' },
  vsphere_folder: { kind: 'folder', entityType: 'Folder' },
  vsphere_compute_cluster: { kind: 'cluster', entityType: 'ClusterComputeResource' },
  vsphere_datastore: { kind: 'datastore', entityType: 'Datastore' },
  vsphere_datastore_cluster: { kind: 'datastoreCluster', entityType: 'StoragePod' },
  vsphere_network: { kind: 'network' },
  vsphere_distributed_virtual_switch: { kind: 'dvSwitch', entityType: 'VmwareDistributedVirtualSwitch' },
  vsphere_host: { kind: 'host', entityType: 'HostSystem' },
  vsphere_resource_pool: { kind: 'resourcePool', entityType: 'ResourcePool' },
  vsphere_virtual_machine: { kind: 'vm', entityType: 'VirtualMachine' },
};

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested block as cdktf writes it: an object, or a list of one object. */
function block(v: unknown): Json | undefined {
  if (Array.isArray(v)) return isObject(v[0]) ? v[0] : undefined;
  return isObject(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * A literal string of cdk.tf.json as Terraform reads it (`$${` is a literal `${`, `%%{` a literal `%{`), or
 * `undefined` when it holds an expression or is not a string.
 */
function literalText(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const parts = interpolations(v);
  return parts.some((p) => p.kind === 'code') ? undefined : parts.map((p) => p.text).join('').replace(/%%\{/g, '%{');
}

function parseRef(expr: unknown): Ref | undefined {
  if (typeof expr !== 'string') return undefined;
  const m = /^\$\{(data\.)?([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(expr);
  return m ? { data: m[1] !== undefined, type: m[2], name: m[3], attr: m[4] } : undefined;
}

/**
 * A template's source from its metadata: the kind as the construct wrote it (`sourceKind`), the URL redacted.
 * Metadata written before `sourceKind` existed said `preset <name>: <url>` or the bare URL or path: read that too.
 */
function templateSource(meta: KkpTemplateMetadata): Pick<TemplateFact, 'source' | 'sourceKind' | 'preset' | 'sha256'> {
  if (meta.source === undefined) return {};
  const legacy = meta.sourceKind === undefined && meta.preset === undefined ? /^preset ([^:\s]+): (.*)$/s.exec(meta.source) : null;
  const source = legacy ? legacy[2] : meta.source;
  const preset = legacy ? legacy[1] : meta.preset;
  const kind = meta.sourceKind ?? (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? 'url' : 'file');
  return {
    // Whatever the metadata says, a URL's user-info and query never reach the report.
    source: kind === 'url' ? redactUrl(source) : source,
    sourceKind: kind,
    ...(preset ? { preset } : {}),
    // Empty when the file was missing at synth: the report says so.
    ...(meta.image ? { sha256: meta.image.sha256 } : {}),
  };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: string, b: string) => byText(a.toLowerCase(), b.toLowerCase()) || byText(a, b);

/** Reads the facts of one stack's cdk.tf.json. */
export function extractStack(name: string, tf: Json): StackReport {
  return new StackReader(name, tf).read();
}

class StackReader {
  private readonly resources: Record<string, Record<string, Json>>;
  private readonly dataSources: Record<string, Record<string, Json>>;
  private readonly referencedRoles = new Map<string, RoleFact>();
  private readonly warnings: WarningFact[] = [];
  /** Addresses some section already shows; every other resource is listed by address. */
  private readonly shown = new Set<string>();

  constructor(
    private readonly name: string,
    tf: Json,
  ) {
    this.resources = (isObject(tf.resource) ? tf.resource : {}) as Record<string, Record<string, Json>>;
    this.dataSources = (isObject(tf.data) ? tf.data : {}) as Record<string, Record<string, Json>>;
    this.variables = isObject(tf.variable) ? tf.variable : {};
    this.providers = isObject(tf.provider) ? tf.provider : {};
  }

  private readonly variables: Json;
  private readonly providers: Json;

  public read(): StackReport {
    const grants = this.grants();
    const customRoles = this.customRoles();
    const customNames = new Set(customRoles.map((r) => r.name));
    const roles = [...customRoles, ...[...this.referencedRoles.values()].filter((r) => !customNames.has(r.name))].sort(
      (a, b) => byKey(a.name, b.name),
    );
    return {
      name: this.name,
      roles,
      grants,
      folders: this.folders(),
      templates: this.templates(),
      secrets: this.secrets(),
      variables: this.variableFacts(),
      otherResources: this.otherResources(),
      warnings: this.warnings.sort((a, b) => byText(a.object, b.object) || byText(a.kind, b.kind) || byText(a.message, b.message)),
    };
  }

  private all(kind: 'resource' | 'data', type: string): [string, Json][] {
    const table = (kind === 'resource' ? this.resources : this.dataSources)[type];
    return isObject(table) ? Object.entries(table).filter((e): e is [string, Json] => isObject(e[1])) : [];
  }

  private config(ref: Ref): Json | undefined {
    const table = (ref.data ? this.dataSources : this.resources)[ref.type];
    return isObject(table) && isObject(table[ref.name]) ? (table[ref.name] as Json) : undefined;
  }

  /** The datacenter name behind a `datacenter_id` expression, or the expression itself. */
  private datacenterName(expr: unknown): string {
    const ref = parseRef(expr);
    const conf = ref && ref.type === 'vsphere_datacenter' ? this.config(ref) : undefined;
    return str(conf?.name) ?? (typeof expr === 'string' ? expr : '?');
  }

  /** `/<dc>/<type>/<path>` of a `vsphere_folder` resource. */
  private folderPath(conf: Json): string {
    const path = str(conf.path) ?? '?';
    const type = str(conf.type) ?? 'vm';
    if (type === 'datacenter') return `/${path}`;
    return `/${this.datacenterName(conf.datacenter_id)}/${type}/${path}`;
  }

  /** The human inventory path of an entity id expression. */
  private entityPath(expr: unknown): string {
    const ref = parseRef(expr);
    const conf = ref ? this.config(ref) : undefined;
    if (!ref || !conf) return typeof expr === 'string' ? expr : JSON.stringify(expr);
    const name = str(conf.name) ?? '?';
    const inDc = (folder: string) => (name.startsWith('/') ? name : `/${this.datacenterName(conf.datacenter_id)}/${folder}/${name}`);
    if (ref.data && isExpression(name)) {
      // A look-up whose name Terraform computes (e.g. the first datastore of a datastore cluster): say how.
      const noun = DATA_KINDS[ref.type]?.kind ?? ref.type;
      return `the ${noun} whose name is ${this.words(name)}`;
    }
    if (ref.data) {
      switch (ref.type) {
        case 'vsphere_datacenter':
          return `/${name}`;
        case 'vsphere_folder':
          return str(conf.path) ?? '?';
        default: {
          const folder = datacenterFolderOf(ref.type);
          return folder ? inDc(folder) : `data.${ref.type}.${ref.name}`;
        }
      }
    }
    switch (ref.type) {
      case 'vsphere_folder':
        return this.folderPath(conf);
      case 'vsphere_datacenter':
        return str(conf.folder) ? `/${str(conf.folder)}/${name}` : `/${name}`;
      case 'vsphere_compute_cluster':
        return inDc('host');
      case 'vsphere_virtual_machine': {
        const dc = this.datacenterName(conf.datacenter_id ?? block(conf.ovf_deploy)?.datacenter_id);
        return `/${dc}/vm/${str(conf.folder) ? `${str(conf.folder)}/` : ''}${name}`;
      }
      default:
        return `${ref.type}.${ref.name}`;
    }
  }

  /** The role name behind a `role_id`; records referenced roles that the stack does not create. */
  private roleName(roleId: unknown, metaName: string | undefined): string {
    const ref = parseRef(roleId);
    if (ref && ref.type === 'vsphere_role') {
      const conf = this.config(ref);
      const name = str(conf?.name) ?? str(conf?.label) ?? metaName ?? `${ref.data ? 'data.' : ''}${ref.type}.${ref.name}`;
      if (ref.data) {
        this.referencedRoles.set(name, { name, origin: 'existing', address: `data.vsphere_role.${ref.name}` });
      }
      return name;
    }
    const id = str(roleId) ?? JSON.stringify(roleId);
    const name = metaName ?? PREDEFINED_ROLES[id] ?? (/^-?\d+$/.test(id) ? `role ${id}` : id);
    if (!ref) {
      this.referencedRoles.set(name, {
        name,
        origin: 'predefined',
        roleId: id,
        ...(id === '-2' ? { privileges: [] } : {}),
      });
    }
    return name;
  }

  private customRoles(): RoleFact[] {
    return this.all('resource', 'vsphere_role').map(([id, conf]) => {
      const address = `vsphere_role.${id}`;
      this.shown.add(address);
      const meta = readKkpMetadata(conf);
      const privileges = Array.isArray(conf.role_privileges)
        ? conf.role_privileges.map((p) => String(p)).sort(byText)
        : undefined;
      return {
        name: str(conf.name) ?? address,
        origin: 'custom' as const,
        address,
        ...(meta?.type === 'role' && meta.vsphereVersion !== '?' ? { vsphereVersion: meta.vsphereVersion } : {}),
        ...(meta?.type === 'role' && meta.description ? { description: meta.description } : {}),
        ...(privileges ? { privileges } : {}),
      };
    });
  }

  private grants(): GrantFact[] {
    const out: GrantFact[] = [];
    for (const [id, conf] of this.all('resource', 'vsphere_entity_permissions')) {
      const address = `vsphere_entity_permissions.${id}`;
      this.shown.add(address);
      const constructPath = constructPathOf(conf);
      const found = readKkpMetadata(conf);
      const meta = found?.type === 'entity-permissions' ? found : undefined;
      const ref = parseRef(conf.entity_id);
      const object = meta?.entity ?? this.entityPath(conf.entity_id);
      const literalType = typeof conf.entity_type === 'string' && !conf.entity_type.includes('${') ? conf.entity_type : undefined;
      const entityType = literalType ?? meta?.entityType;
      const kind = meta?.kind ?? (ref?.data ? DATA_KINDS[ref.type]?.kind : ref?.type === 'vsphere_folder' ? 'folder' : undefined);
      const management = this.management(meta, ref, object, address);
      if (!Array.isArray(conf.permissions)) {
        this.warnings.push({
          kind: 'computed-permissions',
          object,
          message: `The permissions of ${object} (${address}) are computed at plan time; this report cannot list them.`,
        });
        continue;
      }
      const metaPerms = new Map((meta?.permissions ?? []).map((p) => [p.principal.toLowerCase(), p]));
      const rows: GrantFact[] = [];
      for (const perm of conf.permissions) {
        if (!isObject(perm)) continue;
        const principal = str(perm.user_or_group) ?? '?';
        const m = metaPerms.get(principal.toLowerCase());
        rows.push({
          object,
          ...(entityType ? { entityType } : {}),
          ...(kind && kind !== '?' ? { kind } : {}),
          principal,
          isGroup: perm.is_group === true || perm.is_group === 'true',
          role: this.roleName(perm.role_id, m?.role),
          propagate: perm.propagate === true || perm.propagate === 'true',
          management,
          kept: m?.kept === true,
          ...(m?.grantedRoles && m.grantedRoles.length > 1 ? { grantedRoles: m.grantedRoles } : {}),
          address,
          ...(constructPath ? { constructPath } : {}),
        });
      }
      out.push(...rows);
      this.warnFor(object, management, rows);
    }
    out.push(...this.additivePermissions());
    out.push(...this.additiveGrants());
    return out.sort(
      (a, b) => byText(a.object, b.object) || byKey(a.principal, b.principal) || byText(a.role, b.role) || byText(a.address, b.address),
    );
  }

  /**
   * The additive grants of `kkpvsphere_permissions` resources: one per object, each principal of its `permissions` map
   * (principal -> role_id, is_group, propagate) one additive grant. The provider sets, updates and removes only the
   * principals the map lists and leaves every other principal's permission on the object alone, so whatever its
   * metadata says, nothing here is authoritative. The metadata (entity-permissions shape, management `additive`)
   * names the object and the roles.
   */
  private additivePermissions(): GrantFact[] {
    const out: GrantFact[] = [];
    for (const [id, conf] of this.all('resource', 'kkpvsphere_permissions')) {
      const address = `kkpvsphere_permissions.${id}`;
      this.shown.add(address);
      const constructPath = constructPathOf(conf);
      const found = readKkpMetadata(conf);
      const meta = found?.type === 'entity-permissions' ? found : undefined;
      const ref = parseRef(conf.entity_id);
      // By type and id (a data source's id), or by inventory path (resolved by the provider at plan time).
      const object =
        meta?.entity ??
        literalText(conf.entity_path) ??
        (conf.entity_id !== undefined ? this.pathInWords(conf.entity_id) : conf.entity_path !== undefined ? this.words(conf.entity_path) : '?');
      const entityType = literalText(conf.entity_type) ?? meta?.entityType;
      const kind = meta?.kind ?? (ref?.data ? DATA_KINDS[ref.type]?.kind : ref?.type === 'vsphere_folder' ? 'folder' : undefined);
      if (!isObject(conf.permissions)) {
        this.warnings.push({
          kind: 'computed-permissions',
          object,
          message: `The principals of ${object} (${address}) are computed at plan time; this report cannot list them.`,
        });
        continue;
      }
      const metaPerms = new Map((meta?.permissions ?? []).map((p) => [p.principal.toLowerCase(), p]));
      const rows: GrantFact[] = [];
      for (const [key, perm] of Object.entries(conf.permissions)) {
        if (!isObject(perm)) continue;
        // The map's key is the principal, written with Terraform's template escapes.
        const principal = literalText(key) ?? key;
        const m = metaPerms.get(principal.toLowerCase());
        rows.push({
          object,
          ...(entityType ? { entityType } : {}),
          ...(kind && kind !== '?' ? { kind } : {}),
          principal,
          isGroup: perm.is_group === true || perm.is_group === 'true',
          role: this.roleName(perm.role_id, m?.role),
          // The provider's defaults: a user, propagated.
          propagate: perm.propagate === undefined || perm.propagate === true || perm.propagate === 'true',
          management: 'additive',
          kept: false,
          ...(m?.grantedRoles && m.grantedRoles.length > 1 ? { grantedRoles: m.grantedRoles } : {}),
          address,
          ...(constructPath ? { constructPath } : {}),
        });
      }
      out.push(...rows);
      // Additive: no warning about other principals; a grant on the vCenter root is worth a look however it is made.
      this.warnFor(object, 'additive', rows);
    }
    return out;
  }

  /**
   * Grants that touch exactly one principal on one object: any resource whose `"//".kkp` says so, or a
   * `terraform_data` whose input names principal, role, object and propagation (what the plan shows of it).
   */
  private additiveGrants(): GrantFact[] {
    const out: GrantFact[] = [];
    for (const [type, table] of Object.entries(this.resources)) {
      if (!isObject(table)) continue;
      for (const [id, conf] of Object.entries(table)) {
        if (!isObject(conf)) continue;
        const meta = readKkpMetadata(conf);
        // One block for many grants: a terraform_data with a literal for_each map whose values are the inputs.
        const instances: [string, KkpAdditiveGrantMetadata['grant'] | undefined][] =
          type === 'terraform_data' && conf.input === '${each.value}' && isObject(conf.for_each)
            ? Object.entries(conf.for_each).map(([key, value]) => [`${type}.${id}[${JSON.stringify(key)}]`, additiveGrantFromInput(value)])
            : [[`${type}.${id}`, meta?.type === 'additive-grant' ? meta.grant : type === 'terraform_data' ? additiveGrantFromInput(conf.input) : undefined]];
        if (type === 'terraform_data' && conf.input === '${each.value}' && isObject(conf.for_each)) this.shown.add(`${type}.${id}`);
        for (const [address, grant] of instances) {
          if (!grant) continue;
          this.shown.add(address);
          const constructPath = constructPathOf(conf);
          if (!this.referencedRoles.has(grant.role) && !this.all('resource', 'vsphere_role').some(([, r]) => r.name === grant.role)) {
            const predefinedId = Object.entries(PREDEFINED_ROLES).find(([, label]) => label === grant.role)?.[0];
            this.referencedRoles.set(grant.role, {
              name: grant.role,
              ...(predefinedId ? { origin: 'predefined' as const, roleId: predefinedId } : { origin: 'existing' as const }),
            });
          }
          const fact: GrantFact = {
            object: grant.entity,
            ...(grant.entityType ? { entityType: grant.entityType } : {}),
            ...(grant.kind ? { kind: grant.kind } : {}),
            principal: grant.principal,
            isGroup: grant.isGroup,
            role: grant.role,
            propagate: grant.propagate,
            management: 'additive',
            kept: false,
            address,
            ...(constructPath ? { constructPath } : {}),
          };
          out.push(fact);
          // A grant on the vCenter root is worth a look however it is made.
          this.warnFor(fact.object, 'additive', [fact]);
        }
      }
    }
    return out;
  }

  private management(meta: KkpEntityPermissionsMetadata | undefined, ref: Ref | undefined, object: string, address: string): ReportManagement {
    const declared = meta?.management;
    if (declared === 'owned' || declared === 'authoritative') return declared;
    // An object the stack itself creates is owned whoever wrote the permissions resource.
    const created = ref !== undefined && !ref.data && this.config(ref) !== undefined;
    if (declared === 'additive') {
      // Metadata cannot make a vsphere_entity_permissions additive: the provider sets exactly what it lists. (The
      // library's additive grants are kkpvsphere_permissions resources.)
      if (created) return 'owned';
      this.warnings.push({
        kind: 'unknown-management',
        object,
        message:
          `${address} on ${object} says its management is additive, but a vsphere_entity_permissions owns ALL ` +
          `permissions of its object: anything on ${object} that it does not list is removed on apply, and all of it on ` +
          `destroy. It is reported as authoritative.`,
      });
      return 'authoritative';
    }
    if (!meta && created) return 'owned';
    this.warnings.push({
      kind: 'unknown-management',
      object,
      message:
        `${address} on ${object} carries no management mode (written without this library, or an unmanaged ` +
        `grant): vsphere_entity_permissions owns ALL permissions of its object, so anything on ${object} that it does ` +
        `not list is removed on apply, and all of it on destroy.`,
    });
    return 'unknown';
  }

  private warnFor(object: string, management: ReportManagement, rows: GrantFact[]): void {
    if (management === 'authoritative') {
      const kept = rows.filter((r) => r.kept).map((r) => `${r.principal} (${r.role})`);
      this.warnings.push({
        kind: 'authoritative-shared',
        object,
        message:
          `Authoritative management of shared object ${object}: on apply every permission on it that this stack ` +
          `neither grants nor keeps is removed, and on destroy all of them. ` +
          (kept.length ? `Kept: ${kept.join(', ')}.` : 'Nothing is kept.'),
      });
    }
    if (object === '/') {
      for (const r of rows.filter((g) => !g.kept)) {
        this.warnings.push({
          kind: 'vcenter-root',
          object,
          message:
            `${r.principal} gets "${r.role}" on the vCenter root folder (/), ` +
            (r.propagate ? 'propagated to every object of the vCenter.' : 'not propagated (the root object only).'),
        });
      }
    }
  }

  private folders(): FolderFact[] {
    return this.all('resource', 'vsphere_folder')
      .map(([id, conf]) => {
        const address = `vsphere_folder.${id}`;
        this.shown.add(address);
        const constructPath = constructPathOf(conf);
        return { path: this.folderPath(conf), type: str(conf.type) ?? '?', address, ...(constructPath ? { constructPath } : {}) };
      })
      .sort((a, b) => byText(a.path, b.path) || byText(a.address, b.address));
  }

  /** A value in words: inventory paths for references, descriptions for computed expressions. */
  private words(value: unknown): string {
    if (typeof value !== 'string') return value === undefined ? '?' : JSON.stringify(value);
    return expressionInWords(value, (ref) => this.describeRef(ref));
  }

  private describeRef(ref: ExpressionRef): string | undefined {
    const conf = this.config({ data: ref.data, type: ref.type, name: ref.name, attr: ref.attr ?? 'id' });
    if (!conf) return undefined;
    const path = this.entityPath(`\${${ref.data ? 'data.' : ''}${ref.type}.${ref.name}.id}`);
    const noun: Record<string, string> = {
      vsphere_datastore_cluster: 'datastore cluster',
      vsphere_datastore: 'datastore',
      vsphere_compute_cluster: 'cluster',
      vsphere_network: 'network',
      vsphere_folder: 'folder',
      vsphere_datacenter: 'datacenter',
      vsphere_host: 'host',
      vsphere_resource_pool: 'resource pool',
      vsphere_virtual_machine: 'VM',
      vsphere_ovf_vm_template: 'OVF descriptor',
      vsphere_role: 'role',
    };
    if (ref.type === 'vsphere_ovf_vm_template') {
      const source = str(conf.remote_ovf_url) !== undefined ? redactUrl(str(conf.remote_ovf_url)!) : str(conf.local_ovf_path);
      return `the OVF descriptor ${source ?? `data.${ref.type}.${ref.name}`}`;
    }
    if (ref.type === 'vsphere_role') return `role ${str(conf.name) ?? str(conf.label) ?? ref.name}`;
    return path.startsWith('/') ? `${noun[ref.type] ?? ref.type} ${path}` : undefined;
  }

  private templates(): TemplateFact[] {
    const out: TemplateFact[] = [];
    for (const [id, conf] of this.all('resource', 'vsphere_virtual_machine')) {
      const ovf = block(conf.ovf_deploy);
      if (!ovf) continue;
      const address = `vsphere_virtual_machine.${id}`;
      this.shown.add(address);
      const found = readKkpMetadata(conf);
      const meta = found?.type === 'template' ? found : undefined;
      const dc = this.datacenterName(conf.datacenter_id ?? ovf.datacenter_id);
      const folder = str(conf.folder);
      const dsExpr = conf.datastore_id ?? conf.datastore_cluster_id;
      // The OVF network map says which OVF network lands where; NICs on other networks are listed by path.
      const networks = new Set<string>();
      const mapped = new Set<string>();
      if (isObject(ovf.ovf_network_map)) {
        for (const [ovfName, netId] of Object.entries(ovf.ovf_network_map)) {
          mapped.add(this.entityPath(netId));
          networks.add(`${ovfName} → ${this.entityPath(netId)}`);
        }
      }
      const nics = Array.isArray(conf.network_interface) ? conf.network_interface : [conf.network_interface];
      for (const nic of nics) {
        if (isObject(nic) && nic.network_id !== undefined && !mapped.has(this.entityPath(nic.network_id))) {
          networks.add(this.entityPath(nic.network_id));
        }
      }
      const remote = str(ovf.remote_ovf_url);
      const local = str(ovf.local_ovf_path);
      const name = str(conf.name) ?? id;
      const constructPath = constructPathOf(conf);
      const datastore = meta?.datastore ?? (dsExpr !== undefined ? this.pathInWords(dsExpr) : undefined);
      out.push({
        name: isExpression(name) ? this.words(name) : name,
        ...(meta?.os ? { os: meta.os } : {}),
        ...(folder !== undefined ? { folder: isExpression(folder) ? this.words(folder) : folder.startsWith('/') ? folder : `/${dc}/vm/${folder}` } : {}),
        ...(datastore !== undefined ? { datastore } : {}),
        networks: [...networks].map((n) => (n.includes('${') ? this.words(n) : n)).sort(byText),
        ...(remote !== undefined ? { source: isExpression(remote) ? this.words(redactUrl(remote)) : redactUrl(remote), sourceKind: 'url' as const } : {}),
        ...(remote === undefined && local !== undefined ? { source: isExpression(local) ? this.words(local) : local, sourceKind: 'file' as const } : {}),
        address,
        ...(constructPath ? { constructPath } : {}),
      });
    }
    // Template imports of other kinds (e.g. a terraform_data that imports through the vSphere API) carry metadata.
    for (const [type, table] of Object.entries(this.resources)) {
      if (type === 'vsphere_virtual_machine' || !isObject(table)) continue;
      for (const [id, conf] of Object.entries(table)) {
        const meta = readKkpMetadata(conf);
        if (meta?.type !== 'template') continue;
        const address = `${type}.${id}`;
        this.shown.add(address);
        const constructPath = constructPathOf(conf);
        out.push({
          name: meta.template,
          ...(meta.os ? { os: meta.os } : {}),
          ...(meta.folder ? { folder: meta.folder } : {}),
          ...(meta.datastore ? { datastore: meta.datastore } : {}),
          // As for an OVF deploy: which OVF network lands where.
          networks: meta.network ? [meta.ovfNetwork ? `${meta.ovfNetwork} → ${meta.network}` : meta.network] : [],
          ...templateSource(meta),
          address,
          ...(constructPath ? { constructPath } : {}),
        });
      }
    }
    return out.sort((a, b) => byText(a.folder ?? '', b.folder ?? '') || byText(a.name, b.name) || byText(a.address, b.address));
  }

  /** An entity id in words: its inventory path when it resolves, else a description of the expression. */
  private pathInWords(expr: unknown): string {
    const path = this.entityPath(expr);
    return typeof path === 'string' && path.includes('${') ? this.words(path) : path;
  }

  /** Where a kubernetes provider configuration connects, in words: never credentials, only where. */
  private clusterOf(provider: string): string | undefined {
    const [type, alias] = provider.split('.');
    const confs = this.providers[type];
    const list = Array.isArray(confs) ? confs : [confs];
    const conf = list.find((c) => isObject(c) && (alias === undefined ? c.alias === undefined : c.alias === alias));
    if (!isObject(conf)) return undefined;
    const where = [
      str(conf.config_path) !== undefined ? `kubeconfig ${this.words(conf.config_path)}` : undefined,
      str(conf.config_context) !== undefined ? `context ${this.words(conf.config_context)}` : undefined,
      str(conf.host) !== undefined ? `API server ${this.words(redactUrl(str(conf.host)!))}` : undefined,
    ].filter((x): x is string => x !== undefined);
    return where.length ? where.join(', ') : 'configured from the environment';
  }

  private secrets(): SecretFact[] {
    const out: SecretFact[] = [];
    for (const type of ['kubernetes_secret', 'kubernetes_secret_v1']) {
      for (const [id, conf] of this.all('resource', type)) {
        const address = `${type}.${id}`;
        this.shown.add(address);
        const meta = block(conf.metadata) ?? {};
        // Keys only: a value is never read into the model, so no renderer can print one.
        const maps = [conf.data, conf.binary_data, conf.data_wo];
        const computed = maps.some((m) => m !== undefined && !isObject(m));
        const keys = computed ? undefined : [...new Set(maps.flatMap((m) => (isObject(m) ? Object.keys(m) : [])))].sort(byText);
        const provider = str(conf.provider) ?? 'kubernetes';
        const cluster = this.clusterOf(provider);
        const constructPath = constructPathOf(conf);
        const name = str(meta.name) ?? (str(meta.generate_name) ? `${str(meta.generate_name)}*` : '?');
        out.push({
          name: isExpression(name) ? this.words(name) : name,
          namespace: str(meta.namespace) ?? 'default',
          ...(str(conf.type) ? { type: str(conf.type) } : {}),
          ...(keys ? { keys } : {}),
          provider,
          ...(cluster ? { cluster } : {}),
          address,
          ...(constructPath ? { constructPath } : {}),
        });
      }
    }
    return out.sort(
      (a, b) => byText(a.provider, b.provider) || byText(a.namespace, b.namespace) || byText(a.name, b.name) || byText(a.address, b.address),
    );
  }

  private variableFacts(): VariableFact[] {
    return Object.entries(this.variables)
      .filter((e): e is [string, Json] => isObject(e[1]))
      .map(([name, v]) => ({
        name,
        env: `TF_VAR_${name}`,
        ...(str(v.type) ? { type: str(v.type) } : {}),
        sensitive: v.sensitive === true,
        required: !('default' in v),
        ...(str(v.description) ? { description: str(v.description) } : {}),
      }))
      .sort((a, b) => byText(a.name, b.name));
  }

  private otherResources(): ResourceFact[] {
    const out: ResourceFact[] = [];
    for (const [type, table] of Object.entries(this.resources)) {
      if (!isObject(table)) continue;
      for (const [id, conf] of Object.entries(table)) {
        const address = `${type}.${id}`;
        if (this.shown.has(address)) continue;
        const constructPath = constructPathOf(conf);
        out.push({ address, type, ...(constructPath ? { constructPath } : {}) });
      }
    }
    return out.sort((a, b) => byText(a.address, b.address));
  }
}

/** Objects, roles, folders and templates that more than one stack of one app touches. */
export function crossStackFacts(stacks: readonly StackReport[]): CrossStackFact[] {
  const index = new Map<string, { kind: CrossStackFact['kind']; name: string; by: Map<string, { management?: ReportManagement; addresses: Set<string> }> }>();
  const add = (kind: CrossStackFact['kind'], name: string, stack: string, address: string, management?: ReportManagement) => {
    // Role names are case-insensitive in vCenter; paths are not.
    const key = `${kind}\u0000${kind === 'role' ? name.toLowerCase() : name}`;
    let entry = index.get(key);
    if (!entry) index.set(key, (entry = { kind, name, by: new Map() }));
    let at = entry.by.get(stack);
    if (!at) entry.by.set(stack, (at = { ...(management ? { management } : {}), addresses: new Set() }));
    at.addresses.add(address);
  };
  for (const s of stacks) {
    for (const g of s.grants) if (!g.kept) add('object', g.object, s.name, g.address, g.management);
    for (const f of s.folders) add('folder', f.path, s.name, f.address);
    for (const r of s.roles) if (r.origin === 'custom') add('role', r.name, s.name, r.address ?? r.name);
    for (const t of s.templates) add('template', `${t.folder ?? '?'}/${t.name}`, s.name, t.address);
  }
  return [...index.values()]
    .filter((e) => e.by.size > 1)
    .map((e) => ({
      kind: e.kind,
      name: e.name,
      stacks: [...e.by].sort(([a], [b]) => byText(a, b)).map(([stack, at]) => ({
        stack,
        ...(at.management ? { management: at.management } : {}),
        addresses: [...at.addresses].sort(byText),
      })),
    }))
    .sort((a, b) => byText(a.kind, b.kind) || byText(a.name, b.name));
}

const DATACENTER_FOLDERS: Readonly<Record<string, 'host' | 'datastore' | 'network' | 'vm'>> = {
  vsphere_compute_cluster: 'host',
  vsphere_host: 'host',
  vsphere_resource_pool: 'host',
  vsphere_datastore: 'datastore',
  vsphere_datastore_cluster: 'datastore',
  vsphere_network: 'network',
  vsphere_distributed_virtual_switch: 'network',
  vsphere_distributed_port_group: 'network',
  vsphere_virtual_machine: 'vm',
};

/** The datacenter folder (`host`, `datastore`, `network`, `vm`) whose inventory path holds objects of a provider type. */
export function datacenterFolderOf(type: string): 'host' | 'datastore' | 'network' | 'vm' | undefined {
  return DATACENTER_FOLDERS[type];
}
