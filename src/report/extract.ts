// From one synthesized cdk.tf.json to the facts of a StackReport. Pure: no cdktf, no file system.
// The `"//": { "kkp": ... }` metadata the constructs write is preferred; hand-written resources are read as they are.
import {
  FolderFact,
  GrantFact,
  ReportManagement,
  RoleFact,
  SecretFact,
  StackReport,
  TemplateFact,
  WarningFact,
} from './model';

type Json = Record<string, unknown>;

/** A `${type.name.attr}` or `${data.type.name.attr}` reference. */
interface Ref {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly attr: string;
}

/** Labels of vCenter's predefined roles by id (what the vSphere Client shows). */
const PREDEFINED_ROLES: Record<string, string> = {
  '-1': 'Administrator',
  '-2': 'Read-only',
  '-3': 'View',
  '-4': 'Anonymous',
  '-5': 'No access',
  '-6': 'No cryptography administrator',
};

/** Inventory kind of the objects each data source looks up. */
const DATA_KINDS: Record<string, { kind: string; entityType?: string }> = {
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

function parseRef(expr: unknown): Ref | undefined {
  if (typeof expr !== 'string') return undefined;
  const m = /^\$\{(data\.)?([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(expr);
  return m ? { data: m[1] !== undefined, type: m[2], name: m[3], attr: m[4] } : undefined;
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

  constructor(
    private readonly name: string,
    tf: Json,
  ) {
    this.resources = (isObject(tf.resource) ? tf.resource : {}) as Record<string, Record<string, Json>>;
    this.dataSources = (isObject(tf.data) ? tf.data : {}) as Record<string, Record<string, Json>>;
  }

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
    if (ref.data) {
      switch (ref.type) {
        case 'vsphere_datacenter':
          return `/${name}`;
        case 'vsphere_folder':
          return str(conf.path) ?? '?';
        case 'vsphere_compute_cluster':
        case 'vsphere_host':
        case 'vsphere_resource_pool':
          return inDc('host');
        case 'vsphere_datastore':
        case 'vsphere_datastore_cluster':
          return inDc('datastore');
        case 'vsphere_network':
        case 'vsphere_distributed_virtual_switch':
          return inDc('network');
        case 'vsphere_virtual_machine':
          return inDc('vm');
        default:
          return `data.${ref.type}.${ref.name}`;
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
      const meta = block(block(conf['//'])?.kkp);
      const privileges = Array.isArray(conf.role_privileges)
        ? conf.role_privileges.map((p) => String(p)).sort(byText)
        : undefined;
      return {
        name: str(conf.name) ?? `vsphere_role.${id}`,
        origin: 'custom' as const,
        address: `vsphere_role.${id}`,
        ...(str(meta?.vsphereVersion) ? { vsphereVersion: str(meta?.vsphereVersion) } : {}),
        ...(str(meta?.description) ? { description: str(meta?.description) } : {}),
        ...(privileges ? { privileges } : {}),
      };
    });
  }

  private grants(): GrantFact[] {
    const out: GrantFact[] = [];
    for (const [id, conf] of this.all('resource', 'vsphere_entity_permissions')) {
      const address = `vsphere_entity_permissions.${id}`;
      const meta = block(block(conf['//'])?.kkp);
      const ref = parseRef(conf.entity_id);
      const object = str(meta?.entity) ?? this.entityPath(conf.entity_id);
      const literalType = typeof conf.entity_type === 'string' && !conf.entity_type.includes('${') ? conf.entity_type : undefined;
      const entityType = literalType ?? str(meta?.entityType);
      const kind = str(meta?.kind) ?? (ref?.data ? DATA_KINDS[ref.type]?.kind : ref?.type === 'vsphere_folder' ? 'folder' : undefined);
      const management = this.management(meta, ref, object, address);
      if (!Array.isArray(conf.permissions)) {
        this.warnings.push({
          kind: 'computed-permissions',
          object,
          message: `The permissions of ${object} (${address}) are computed at plan time; this report cannot list them.`,
        });
        continue;
      }
      const metaPerms = new Map<string, Json>();
      if (Array.isArray(meta?.permissions)) {
        for (const p of meta.permissions) if (isObject(p) && typeof p.principal === 'string') metaPerms.set(p.principal.toLowerCase(), p);
      }
      const rows: GrantFact[] = [];
      for (const perm of conf.permissions) {
        if (!isObject(perm)) continue;
        const principal = str(perm.user_or_group) ?? '?';
        const m = metaPerms.get(principal.toLowerCase());
        const granted = Array.isArray(m?.grantedRoles) ? m.grantedRoles.map(String) : undefined;
        rows.push({
          object,
          ...(entityType ? { entityType } : {}),
          ...(kind ? { kind } : {}),
          principal,
          isGroup: perm.is_group === true || perm.is_group === 'true',
          role: this.roleName(perm.role_id, str(m?.role)),
          propagate: perm.propagate === true || perm.propagate === 'true',
          management,
          kept: m?.kept === true,
          ...(granted && granted.length > 1 ? { grantedRoles: granted } : {}),
          address,
        });
      }
      out.push(...rows);
      this.warnFor(object, management, rows);
    }
    return out.sort(
      (a, b) => byText(a.object, b.object) || byKey(a.principal, b.principal) || byText(a.role, b.role) || byText(a.address, b.address),
    );
  }

  private management(meta: Json | undefined, ref: Ref | undefined, object: string, address: string): ReportManagement {
    const declared = str(meta?.management);
    if (declared === 'owned' || declared === 'additive' || declared === 'authoritative') return declared;
    // An object the stack itself creates is owned whoever wrote the permissions resource.
    if (!meta && ref && !ref.data && this.config(ref)) return 'owned';
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
      .map(([id, conf]) => ({ path: this.folderPath(conf), type: str(conf.type) ?? '?', address: `vsphere_folder.${id}` }))
      .sort((a, b) => byText(a.path, b.path) || byText(a.address, b.address));
  }

  private templates(): TemplateFact[] {
    const out: TemplateFact[] = [];
    for (const [id, conf] of this.all('resource', 'vsphere_virtual_machine')) {
      const ovf = block(conf.ovf_deploy);
      if (!ovf) continue;
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
      out.push({
        name: str(conf.name) ?? id,
        ...(folder !== undefined ? { folder: folder.startsWith('/') ? folder : `/${dc}/vm/${folder}` } : {}),
        ...(dsExpr !== undefined ? { datastore: this.entityPath(dsExpr) } : {}),
        networks: [...networks].sort(byText),
        ...(remote !== undefined ? { source: redactUrl(remote), sourceKind: 'remote' as const } : {}),
        ...(remote === undefined && local !== undefined ? { source: local, sourceKind: 'local' as const } : {}),
        address: `vsphere_virtual_machine.${id}`,
      });
    }
    return out.sort((a, b) => byText(a.folder ?? '', b.folder ?? '') || byText(a.name, b.name) || byText(a.address, b.address));
  }

  private secrets(): SecretFact[] {
    const out: SecretFact[] = [];
    for (const type of ['kubernetes_secret', 'kubernetes_secret_v1']) {
      for (const [id, conf] of this.all('resource', type)) {
        const meta = block(conf.metadata) ?? {};
        // Keys only: a value is never read into the model, so no renderer can print one.
        const maps = [conf.data, conf.binary_data, conf.data_wo];
        const computed = maps.some((m) => m !== undefined && !isObject(m));
        const keys = computed ? undefined : [...new Set(maps.flatMap((m) => (isObject(m) ? Object.keys(m) : [])))].sort(byText);
        out.push({
          name: str(meta.name) ?? (str(meta.generate_name) ? `${str(meta.generate_name)}*` : '?'),
          namespace: str(meta.namespace) ?? 'default',
          ...(str(conf.type) ? { type: str(conf.type) } : {}),
          ...(keys ? { keys } : {}),
          address: `${type}.${id}`,
        });
      }
    }
    return out.sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name) || byText(a.address, b.address));
  }
}

/** A URL without user info and query values: either may carry a credential (signed URLs, basic auth). */
export function redactUrl(url: string): string {
  if (url.includes('${')) return url.replace(/\/\/[^/@${}]*@/, '//REDACTED@');
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = 'REDACTED';
      u.password = '';
    }
    const hadQuery = u.search !== '';
    u.search = '';
    u.hash = '';
    return `${u.toString()}${hadQuery ? '?…' : ''}`;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//REDACTED@').replace(/\?.*$/, '?…');
  }
}
