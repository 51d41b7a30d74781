// Privilege catalogs per vSphere version: which privilege IDs a server of that version accepts in a role.
// Pure data and functions: no cdktf.
import * as captured from './catalogs.json';

/**
 * vSphere versions the library knows a privilege catalog for.
 *
 * - `6.7`: vSphere 6.7 (the version the KKP role documentation was tested with).
 * - `7.0`: vSphere 7.0 GA up to Update 1.
 * - `7.0u2`: vSphere 7.0 Update 2 and every later 7.0 update.
 * - `8.0`: vSphere 8.0 and its updates.
 */
export type VsphereVersion = '6.7' | '7.0' | '7.0u2' | '8.0';

/** Every supported version, oldest first. */
export const VSPHERE_VERSIONS: readonly VsphereVersion[] = ['6.7', '7.0', '7.0u2', '8.0'];

/** How a version's catalog is derived from a real capture, with the reason for every difference. */
interface CatalogDerivation {
  readonly capture: keyof typeof captured.catalogs;
  /** IDs the capture has but this version does not accept, or ID prefixes ending in `.`. */
  readonly remove: readonly string[];
  readonly why: string;
}

/** Privileges that vSphere 8.0 introduced on top of 7.0 and that matter for VM-level roles. */
const INTRODUCED_IN_8_0 = ['VirtualMachine.DataSets.'];
/** Introduced with vSphere 7.0 Update 2. */
const INTRODUCED_IN_7_0_U2 = ['VirtualMachine.Interact.SuspendToMemory'];

const DERIVATIONS: Record<VsphereVersion, CatalogDerivation> = {
  '6.7': {
    capture: 'esxi-6.5u1',
    remove: [],
    why: 'ESXi 6.5U1 capture; it accepts every privilege of the vSphere 6.7-era KKP roles, VirtualMachine.Config.Unlock included.',
  },
  '7.0': {
    capture: 'vcenter-8',
    remove: [...INTRODUCED_IN_8_0, ...INTRODUCED_IN_7_0_U2],
    why: 'vCenter 8 capture without the VM Data Sets privileges (8.0) and SuspendToMemory (7.0U2); no VirtualMachine.Config.Unlock after 6.7.',
  },
  '7.0u2': {
    capture: 'vcenter-8',
    remove: [...INTRODUCED_IN_8_0],
    why: 'vCenter 8 capture without the VM Data Sets privileges introduced in 8.0.',
  },
  '8.0': {
    capture: 'vcenter-8',
    remove: [],
    why: 'vCenter 8 capture as is.',
  },
};

/** vCenter adds these to every role and the Terraform provider strips them on read: never list them. */
export function isImplicitPrivilege(id: string): boolean {
  return id.startsWith('System.');
}

const catalogCache = new Map<VsphereVersion, ReadonlySet<string>>();

/** Throws unless `version` is a supported vSphere version; `input` names the prop for the message. */
export function assertVsphereVersion(version: string, input = 'vsphereVersion'): asserts version is VsphereVersion {
  if (!(VSPHERE_VERSIONS as readonly string[]).includes(version)) {
    throw new Error(
      `${input}: unknown vSphere version "${version}". Use one of ${VSPHERE_VERSIONS.map((v) => `'${v}'`).join(', ')} ` +
        `('7.0u2' covers 7.0 Update 2 and later 7.0 updates).`,
    );
  }
}

/** Every privilege ID a server of `version` accepts in a role, System.* excluded (they are implicit). */
export function privilegeCatalog(version: VsphereVersion): ReadonlySet<string> {
  assertVsphereVersion(version);
  let catalog = catalogCache.get(version);
  if (!catalog) {
    const derivation = DERIVATIONS[version];
    const removed = (id: string) => derivation.remove.some((r) => (r.endsWith('.') ? id.startsWith(r) : id === r));
    catalog = new Set(captured.catalogs[derivation.capture].filter((id) => !isImplicitPrivilege(id) && !removed(id)));
    catalogCache.set(version, catalog);
  }
  return catalog;
}

/** Why a version's catalog looks the way it does (for reports and docs). */
export function catalogProvenance(version: VsphereVersion): string {
  return DERIVATIONS[version].why;
}

/**
 * Every privilege of a privilege group in `version`, sorted: `VirtualMachine.Interact` gives every
 * `VirtualMachine.Interact.*` ID that version knows.
 */
export function expandPrivilegeGroup(group: string, version: VsphereVersion): string[] {
  const prefix = `${group}.`;
  const ids = [...privilegeCatalog(version)].filter((id) => id.startsWith(prefix)).sort();
  if (ids.length === 0) {
    throw new Error(`Privilege group "${group}" has no privileges in vSphere ${version}.`);
  }
  return ids;
}
