// What `cdktf-kkp-vsphere discover` writes and a stack reads to adopt an existing KKP set-up. Plain data and pure
// functions: the CLI (layer 5) writes it without cdktf, the adoption constructs (layer 4) read it at synth.
import type { KkpRelease } from '../facts/kkp/releases';
import { InputRef, KkpValidationError } from '../base/errors';
import type { KkpRoleKey, VsphereVersion } from '../facts/privileges';

/** The `format` of a discovery file; a file with another format is refused. */
export const DISCOVERY_FORMAT = 'cdktf-kkp-vsphere/discovery@1';

/** A custom role found on the vCenter whose name is a KKP role name of some page, with or without a prefix. */
export interface DiscoveredRole {
  /** The role's name in vCenter, e.g. `k8c-user-vcenter` or `prod-k8c-user-vcenter`. */
  readonly name: string;
  /** Its role id: what `vsphere_role` imports. */
  readonly id: number;
  /** What precedes the KKP name (`''` for the documentation's names, `prod-`, ...). */
  readonly prefix: string;
  /** The KKP name found in it, e.g. `k8c-storage-vmfolder-propagate` (a name of any page). */
  readonly kkpName: string;
  /**
   * The role of the selected release's page with that purpose, e.g. `storage-vmfolder`; absent when that page has no
   * such role (a 2.21 tagging role found while 2.12 is selected).
   */
  readonly key?: KkpRoleKey;
  /** The name the selected release's page gives that role (may differ from `kkpName` across releases). */
  readonly documentedName?: string;
  /** Its privileges as vCenter holds them, sorted, `System.*` aside (vCenter adds those to every role). */
  readonly privileges: readonly string[];
  /** Privileges the selected release and vSphere version document that the role lacks. */
  readonly missing: readonly string[];
  /** Privileges the role holds that the documentation does not list. */
  readonly extra: readonly string[];
}

/** A VM folder of the KKP set-up: one holding a KKP grant or a template, or a folder above such one. */
export interface DiscoveredFolder {
  /** Absolute inventory path, e.g. `/dc-1/vm/kkp/templates`: what `vsphere_folder` imports. */
  readonly path: string;
  readonly datacenter: string;
  /** Path relative to the datacenter's VM folder, e.g. `kkp/templates` (what `VmFolder` takes). */
  readonly relativePath: string;
  /** The managed object id, e.g. `group-v123`. */
  readonly id: string;
  /** Why it counts as KKP's: `grant` (a KKP principal holds a permission there), `templates`, `parent`. */
  readonly reasons: readonly ('grant' | 'templates' | 'parent')[];
}

/** A VM template (a virtual machine marked as template). */
export interface DiscoveredTemplate {
  /** The template's name: what machine-controller (the Seed's `templates`) looks up. */
  readonly name: string;
  /** Absolute inventory path, e.g. `/dc-1/vm/kkp/templates/ubuntu-22.04`. */
  readonly path: string;
  readonly datacenter: string;
  /** Absolute inventory path of its folder. */
  readonly folder: string;
  /** The managed object id, e.g. `vm-42`. */
  readonly id: string;
}

/** One permission found on an object. */
export interface DiscoveredPermission {
  /** Inventory path of the object (`/` is the vCenter root folder). */
  readonly object: string;
  /** The vSphere managed object type, e.g. `Datacenter`, `Folder`, `DistributedVirtualPortgroup`. */
  readonly entityType: string;
  readonly entityId: string;
  readonly principal: string;
  readonly isGroup: boolean;
  /** Role name; a predefined role by its label (`Read-only`, `Administrator`). */
  readonly role: string;
  readonly roleId: number;
  readonly propagate: boolean;
  /** The KKP role it is (key of the selected release), `read-only` for Read-only held by a KKP principal. */
  readonly kkpRole?: KkpRoleKey | 'read-only';
}

/** Everything `discover` found: the file a stack adopts from. Holds no credential. */
export interface KkpDiscovery {
  readonly format: typeof DISCOVERY_FORMAT;
  /** The vCenter it was read from, e.g. `https://vcenter.example.com` (no user info). */
  readonly server: string;
  /** The KKP release and vSphere version the roles were compared with. */
  readonly kkpRelease: KkpRelease;
  readonly vsphereVersion: VsphereVersion;
  /** Prefixes of the KKP roles found (`''` for the documentation's names). */
  readonly prefixes: readonly string[];
  readonly roles: readonly DiscoveredRole[];
  readonly folders: readonly DiscoveredFolder[];
  readonly templates: readonly DiscoveredTemplate[];
  /** The KKP principals' permissions: principals holding a KKP role anywhere, with every permission they hold. */
  readonly grants: readonly DiscoveredPermission[];
  /** Everyone else's permissions on the objects of `grants`: what adoption must never touch. */
  readonly otherPermissions: readonly DiscoveredPermission[];
}

/**
 * A discovery file that is not one, or not this format: the message names the input (the file, or the construct and
 * its prop) and what is wrong.
 */
export class DiscoveryFileError extends KkpValidationError {
  public override readonly name = 'DiscoveryFileError';
}

/**
 * Checks parsed JSON as a {@link KkpDiscovery}. `source` names the input in errors: the file, or the construct prop
 * ({@link InputRef}) it was given to; `file` is the file it was read from, if any (a file `source` is that file).
 */
export function parseDiscovery(value: unknown, source: string | InputRef, file = typeof source === 'string' ? source : undefined): KkpDiscovery {
  const fail = (what: string): never => {
    const inFile = file !== undefined && file !== source ? `${file}: ` : '';
    throw new DiscoveryFileError(source, `${inFile}${what}. Write it with \`cdktf-kkp-vsphere discover --out ${file ?? '<file>'}\`.`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== DISCOVERY_FORMAT) fail(`format is ${JSON.stringify(v.format)}, expected "${DISCOVERY_FORMAT}"`);
  for (const key of ['roles', 'folders', 'templates', 'grants', 'otherPermissions', 'prefixes'] as const) {
    if (!Array.isArray(v[key])) fail(`${key} must be a list`);
  }
  for (const key of ['server', 'kkpRelease', 'vsphereVersion'] as const) {
    if (typeof v[key] !== 'string') fail(`${key} must be a string`);
  }
  (v.roles as unknown[]).forEach((r, i) => {
    const role = r as Partial<DiscoveredRole>;
    if (typeof role?.name !== 'string' || !Number.isInteger(role.id) || !Array.isArray(role.privileges)) {
      fail(`roles[${i}] needs name, an integer id and privileges`);
    }
  });
  (v.folders as unknown[]).forEach((f, i) => {
    const folder = f as Partial<DiscoveredFolder>;
    if (typeof folder?.path !== 'string' || !folder.path.startsWith('/') || typeof folder.id !== 'string') {
      fail(`folders[${i}] needs an absolute path and an id`);
    }
  });
  (v.templates as unknown[]).forEach((t, i) => {
    const template = t as Partial<DiscoveredTemplate>;
    if (typeof template?.name !== 'string' || typeof template.path !== 'string') fail(`templates[${i}] needs name and path`);
  });
  for (const key of ['grants', 'otherPermissions'] as const) {
    (v[key] as unknown[]).forEach((p, i) => {
      const permission = p as Partial<DiscoveredPermission>;
      if (typeof permission?.object !== 'string' || typeof permission.principal !== 'string' || typeof permission.isGroup !== 'boolean' ||
        typeof permission.role !== 'string' || typeof permission.propagate !== 'boolean') {
        fail(`${key}[${i}] needs object, principal, isGroup, role and propagate`);
      }
    });
  }
  return value as KkpDiscovery;
}
