// CONSTRUCTED plan documents for vsphere_* resources (the REAL ones come from test/support/terraform.ts).
//
// Why constructed: the vSphere provider cannot be installed on these machines (the Go module proxy refuses
// github.com/vmware/terraform-provider-vsphere), so terraform cannot plan a vsphere_* resource here. The documents
// below follow Terraform's documented JSON output format (developer.hashicorp.com/terraform/internals/json-format,
// format_version 1.2 as terraform 1.11 writes it) and what the real terraform does, checked against real plans in
// plan.test.ts: data sources appear in prior_state only while they are in the configuration, planned_values holds
// no data sources, unknown values are absent from `after` and marked in `after_unknown`, sensitive ones are present
// and marked in `*_sensitive`, a replacement is ["delete","create"] with `replace_paths`, a removed resource is
// "delete" with action_reason "delete_because_no_resource_config", and a change found on refresh is listed in
// `resource_drift`. The configuration of each resource comes from a real synthesized cdk.tf.json, the object ids
// from a small inventory like the govmomi simulator's (datacenter-2, datastore-N, network-N, group-vN).
type Json = Record<string, any>;

/** ForceNew attributes of provider vmware/vsphere 2.15.0 and hashicorp/kubernetes 2.38.0 (from their schemas). */
const FORCE_NEW: Record<string, string[][]> = {
  vsphere_entity_permissions: [['entity_id'], ['entity_type']],
  vsphere_folder: [['type'], ['datacenter_id']],
  vsphere_virtual_machine: [['ovf_deploy'], ['datacenter_id']],
  kubernetes_secret: [['metadata', '0', 'name'], ['metadata', '0', 'namespace'], ['type']],
  kubernetes_secret_v1: [['metadata', '0', 'name'], ['metadata', '0', 'namespace'], ['type']],
};

/** Block-typed attributes: Terraform's JSON shows a block as a list of objects even when cdktf wrote one object. */
const BLOCKS = new Set(['ovf_deploy', 'network_interface', 'metadata', 'permissions', 'cdrom', 'disk', 'clone']);
const META_ARGUMENTS = new Set(['//', 'lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection']);
/** Attributes the providers mark sensitive. */
const SENSITIVE_ATTRS: Record<string, string[]> = { kubernetes_secret: ['data', 'binary_data'], kubernetes_secret_v1: ['data', 'binary_data'] };

export const UNKNOWN_VALUE = Symbol('unknown');

/** A vCenter as the provider would read it: ids of looked-up objects by data-source kind and name, role ids. */
export interface Inventory {
  /** `<data source type>/<name or path>` → managed object id, e.g. `vsphere_datastore/ds-ssd-1` → `datastore-12`. */
  readonly ids: Record<string, string>;
  /** Role name → id of roles that exist (created by an earlier apply). */
  readonly roles: Record<string, string>;
  /** Folder path (as in vsphere_folder.path) → id, for folders that exist. */
  readonly folders: Record<string, string>;
  /** Extra permissions vCenter holds on an object id (someone else's), read into state by a refresh. */
  readonly foreign?: Record<string, { user_or_group: string; is_group: boolean; propagate: boolean; role_id: string }[]>;
}

export interface StateResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  provider_name: string;
  values: Json;
}

function providerName(type: string): string {
  if (type === 'terraform_data') return 'terraform.io/builtin/terraform';
  return type.startsWith('kubernetes_') ? 'registry.terraform.io/hashicorp/kubernetes' : 'registry.terraform.io/vmware/vsphere';
}

/**
 * The values each resource's configuration has once applied (managed) or read (data), references resolved.
 * `existing` says which managed resources exist already (their ids known); the others get unknown ids.
 */
export function resolveStack(tf: Json, inv: Inventory, existing: 'all' | 'none' | ReadonlySet<string>): StateResource[] {
  const out: StateResource[] = [];
  const data: Record<string, Json> = {};
  // Data sources first: resources refer to them.
  for (const [type, table] of Object.entries<Json>(tf.data ?? {})) {
    for (const [name, conf] of Object.entries<Json>(table)) {
      if (type === 'vsphere_ovf_vm_template') continue; // read from the OVF at plan time: nothing a report reads
      const key = type === 'vsphere_folder' ? `${type}/${conf.path}` : `${type}/${conf.name ?? conf.label}`;
      const id = inv.ids[key] ?? (type === 'vsphere_role' ? inv.roles[conf.label] : undefined);
      if (id === undefined) throw new Error(`test inventory has no ${key}`);
      data[`data.${type}.${name}`] = { id };
    }
  }
  for (const [type, table] of Object.entries<Json>(tf.data ?? {})) {
    for (const [name, conf] of Object.entries<Json>(table)) {
      const address = `data.${type}.${name}`;
      if (!data[address]) continue;
      const values: Json = { ...normalize(type, conf, (e) => resolve(e, data, {})), id: data[address].id };
      if (type === 'vsphere_network') values.type = 'Network';
      data[address] = values;
      out.push({ address, mode: 'data', type, name, provider_name: providerName(type), values });
    }
  }
  const managed: Record<string, Json> = {};
  // A for_each block (the library's additive grants) has instances, not one resource: real terraform plans cover it.
  const single = (conf: Json) => conf.for_each === undefined;
  for (const [type, table] of Object.entries<Json>(tf.resource ?? {})) {
    for (const [name, conf] of Object.entries<Json>(table)) {
      if (!single(conf)) continue;
      let id: unknown = UNKNOWN_VALUE;
      const exists = existing === 'all' || (existing !== 'none' && existing.has(`${type}.${name}`));
      if (exists && type === 'vsphere_role') id = inv.roles[conf.name];
      if (exists && type === 'vsphere_folder') id = inv.folders[conf.path];
      if (exists && type !== 'vsphere_role' && type !== 'vsphere_folder') id = `${type}-${name}`;
      managed[`${type}.${name}`] = { id: id ?? UNKNOWN_VALUE };
    }
  }
  for (const [type, table] of Object.entries<Json>(tf.resource ?? {})) {
    for (const [name, conf] of Object.entries<Json>(table)) {
      if (!single(conf)) continue;
      const address = `${type}.${name}`;
      const values: Json = { ...normalize(type, conf, (e) => resolve(e, data, managed)), id: managed[address].id };
      if (type === 'vsphere_entity_permissions') values.id = values.entity_id;
      out.push({ address, mode: 'managed', type, name, provider_name: providerName(type), values });
    }
  }
  return out;
}

function normalize(type: string, conf: Json, resolveExpr: (e: string) => unknown): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(conf)) {
    if (META_ARGUMENTS.has(k)) continue;
    const value = deep(v, resolveExpr);
    out[k] = BLOCKS.has(k) && !Array.isArray(value) ? [value] : value;
  }
  if (type === 'vsphere_entity_permissions' && Array.isArray(out.permissions)) {
    out.permissions = out.permissions.map((p: Json) => ({ ...p, role_id: p.role_id === UNKNOWN_VALUE ? p.role_id : String(p.role_id) }));
  }
  return out;
}

function deep(v: unknown, resolveExpr: (e: string) => unknown): unknown {
  if (typeof v === 'string') return v.includes('${') ? resolveExpr(v) : v;
  if (Array.isArray(v)) return v.map((x) => deep(x, resolveExpr));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, resolveExpr)]));
  return v;
}

function resolve(expr: string, data: Record<string, Json>, managed: Record<string, Json>): unknown {
  const m = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(expr);
  if (!m) return UNKNOWN_VALUE; // a computed expression: known after apply
  const target = data[m[1]] ?? managed[m[1]];
  if (!target) throw new Error(`unresolved reference ${expr}`);
  return target[m[2]] ?? UNKNOWN_VALUE;
}

/** Splits values into Terraform's JSON `after` (unknowns left out) and its `after_unknown` mask. */
function unknownSplit(v: unknown): { value: unknown; unknown: unknown } {
  if (v === UNKNOWN_VALUE) return { value: undefined, unknown: true };
  if (Array.isArray(v)) {
    const parts = v.map(unknownSplit);
    return { value: parts.map((p) => p.value ?? null), unknown: parts.map((p) => p.unknown) };
  }
  if (v && typeof v === 'object') {
    const value: Json = {};
    const unknown: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const p = unknownSplit(x);
      if (p.value !== undefined) value[k] = p.value;
      if (p.unknown !== false) unknown[k] = p.unknown;
    }
    return { value, unknown };
  }
  return { value: v, unknown: false };
}

function sensitiveMask(type: string, values: Json | undefined): Json | false {
  if (!values) return false;
  const mask: Json = {};
  for (const a of SENSITIVE_ATTRS[type] ?? []) if (a in values) mask[a] = true;
  return mask;
}

function at(v: unknown, path: string[]): unknown {
  return path.reduce<any>((x, k) => (x === undefined || x === null ? undefined : x[k]), v);
}

const json = (v: unknown) => JSON.stringify(v);

function stateModule(resources: StateResource[]): Json {
  return {
    root_module: {
      resources: resources.map((r) => ({
        address: r.address,
        mode: r.mode,
        type: r.type,
        name: r.name,
        provider_name: r.provider_name,
        schema_version: 0,
        values: unknownSplit(r.values).value,
        sensitive_values: sensitiveMask(r.type, r.values) || {},
      })),
    },
  };
}

/**
 * A `terraform show -json` plan document: `prior` is the refreshed state (data sources of the current configuration
 * included), `planned` what the configuration makes of it, `lastApplied` the state before the refresh (for drift).
 */
export function planDocument(opts: {
  prior: StateResource[];
  planned: StateResource[];
  lastApplied?: StateResource[];
  destroy?: boolean;
}): Json {
  const prior = new Map(opts.prior.filter((r) => r.mode === 'managed').map((r) => [r.address, r]));
  const planned = new Map(opts.planned.filter((r) => r.mode === 'managed').map((r) => [r.address, r]));
  const changes: Json[] = [];
  for (const address of [...new Set([...prior.keys(), ...planned.keys()])].sort()) {
    const b = prior.get(address);
    const a = opts.destroy ? undefined : planned.get(address);
    const r = (a ?? b)!;
    const after = a ? unknownSplit({ ...a.values, id: b && !json(a.values.id) ? b.values.id : a.values.id }) : undefined;
    let actions = ['no-op'];
    let replacePaths: string[][] | undefined;
    let reason: string | undefined;
    if (!b) actions = ['create'];
    else if (!a) {
      actions = ['delete'];
      if (!opts.destroy) reason = 'delete_because_no_resource_config';
    } else {
      const forced = (FORCE_NEW[r.type] ?? []).filter((p) => json(at(b.values, p)) !== json(at(a.values, p)));
      const next = unknownSplit({ ...a.values, id: b.values.id });
      const same = json(next.value) === json(b.values) && !json(next.unknown).includes('true');
      if (forced.length) {
        actions = ['delete', 'create'];
        replacePaths = forced;
        reason = 'replace_because_cannot_update';
      } else if (!same) actions = ['update'];
    }
    if (actions[0] === 'no-op' && !b) continue;
    const afterValues = actions[0] === 'update' || actions[0] === 'no-op' ? unknownSplit({ ...a!.values, id: b!.values.id }) : after;
    changes.push({
      address,
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider_name: r.provider_name,
      change: {
        actions,
        before: b ? b.values : null,
        after: afterValues ? afterValues.value : null,
        after_unknown: afterValues ? afterValues.unknown : {},
        before_sensitive: b ? sensitiveMask(r.type, b.values) : false,
        after_sensitive: a ? sensitiveMask(r.type, a.values) : false,
        ...(replacePaths ? { replace_paths: replacePaths } : {}),
      },
      ...(reason ? { action_reason: reason } : {}),
    });
  }
  const drift: Json[] = [];
  for (const old of opts.lastApplied ?? []) {
    const now = prior.get(old.address);
    if (old.mode !== 'managed' || !now || json(now.values) === json(old.values)) continue;
    drift.push({
      address: old.address,
      mode: 'managed',
      type: old.type,
      name: old.name,
      provider_name: old.provider_name,
      change: {
        actions: ['update'],
        before: old.values,
        after: now.values,
        after_unknown: {},
        before_sensitive: sensitiveMask(old.type, old.values),
        after_sensitive: sensitiveMask(now.type, now.values),
      },
    });
  }
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    planned_values: stateModule(opts.destroy ? [] : opts.planned.filter((r) => r.mode === 'managed')),
    ...(drift.length ? { resource_drift: drift } : {}),
    resource_changes: changes,
    prior_state: { format_version: '1.0', terraform_version: '1.11.4', values: stateModule(opts.prior) },
    configuration: { provider_config: {}, root_module: { resources: [] } },
    timestamp: '2026-01-01T00:00:00Z',
    applyable: changes.some((c) => c.change.actions[0] !== 'no-op'),
    complete: true,
    errored: false,
  };
}

/** Adds the permissions vCenter holds besides the stack's to each authoritative resource of a refreshed state. */
export function withForeign(state: StateResource[], inv: Inventory): StateResource[] {
  return state.map((r) => {
    const extra = r.type === 'vsphere_entity_permissions' ? inv.foreign?.[r.values.entity_id] : undefined;
    if (!extra?.length) return r;
    const permissions = [...r.values.permissions, ...extra].sort((x: Json, y: Json) =>
      x.user_or_group.toLowerCase() < y.user_or_group.toLowerCase() ? -1 : 1,
    );
    return { ...r, values: { ...r.values, permissions } };
  });
}
