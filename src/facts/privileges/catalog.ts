// Privilege catalogs per vSphere version: which privilege IDs a server of that version accepts in a role.
// Pure data and functions: no cdktf.
import * as captured from './catalogs.json';
import { InputRef, inputError } from '../../base/errors';

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

/** IDs a version's catalog gains on top of its capture, with the evidence for them. */
export interface CatalogAddition {
  readonly ids: readonly string[];
  readonly evidence: string;
}

/** How a version's catalog is derived from a real capture, with the reason for every difference. */
interface CatalogDerivation {
  readonly capture: keyof typeof captured.catalogs;
  /** IDs the capture has but this version does not accept, or ID prefixes ending in `.`. */
  readonly remove: readonly string[];
  /** vCenter-level IDs the capture lacks, each with the evidence that this version knows them. */
  readonly add: readonly CatalogAddition[];
  readonly why: string;
  /** Whether the catalog is a capture of a server of this very version. */
  readonly authoritative: boolean;
  /** What is not known about the version's catalog (for README, report and errors). */
  readonly caveat: string;
}

/** Privileges that vSphere 8.0 introduced on top of 7.0 and that matter for VM-level roles. */
const INTRODUCED_IN_8_0 = ['VirtualMachine.DataSets.'];
/** Introduced with vSphere 7.0 Update 2. */
const INTRODUCED_IN_7_0_U2 = ['VirtualMachine.Interact.SuspendToMemory'];

const DERIVATIONS: Record<VsphereVersion, CatalogDerivation> = {
  '6.7': {
    capture: 'esxi-6.5u1',
    remove: [],
    add: [
      {
        ids: ['StorageProfile.View'],
        evidence:
          'KKP\'s vSphere pages for 2.14 to 2.17, "tested with vSphere 6.7", grant "Profile-driven storage > Profile-driven storage view" ' +
          'at the vCenter level; its ID is StorageProfile.View (the 2.18 page\'s govc output).',
      },
    ],
    why: 'ESXi 6.5U1 capture; it accepts every privilege of the vSphere 6.7-era KKP roles, VirtualMachine.Config.Unlock included, ' +
      'plus StorageProfile.View, which KKP\'s pages tested on vSphere 6.7 use.',
    authoritative: false,
    caveat:
      'The vSphere 6.7 catalog is an ESXi 6.5U1 host capture, not a vCenter 6.7 catalog: vCenter-only privileges (vSphere Tagging, ' +
      'CNS, AutoDeploy, ...) are missing from it, and no authoritative vCenter 6.7 catalog is available to this library, so it adds ' +
      'only StorageProfile.View, which KKP\'s pages tested on vSphere 6.7 name.',
  },
  '7.0': {
    capture: 'vcenter-8',
    remove: [...INTRODUCED_IN_8_0, ...INTRODUCED_IN_7_0_U2],
    add: [],
    why: 'vCenter 8 capture without the VM Data Sets privileges (8.0) and SuspendToMemory (7.0U2); no VirtualMachine.Config.Unlock after 6.7.',
    authoritative: false,
    caveat:
      'The vSphere 7.0 catalog is derived from a vCenter 8 capture, not captured from a 7.0 server: no authoritative 7.0 catalog is ' +
      'available to this library, so a privilege that 8.0 introduced and that is not removed here may be unknown to a 7.0 vCenter.',
  },
  '7.0u2': {
    capture: 'vcenter-8',
    remove: [...INTRODUCED_IN_8_0],
    add: [],
    why: 'vCenter 8 capture without the VM Data Sets privileges introduced in 8.0.',
    authoritative: false,
    caveat:
      'The vSphere 7.0u2 catalog is derived from a vCenter 8 capture, not captured from a 7.0U2 server. Whether 7.0U2 knows ' +
      'VirtualMachine.Interact.SuspendToMemory, and no longer knows VirtualMachine.Config.Unlock, has no authoritative source here: ' +
      'the govc output on KKP\'s 2.18 page, "tested with vSphere 7.0.U2", shows a folder role with Unlock and without SuspendToMemory ' +
      '(a role keeps the IDs it was created with, so that output may come from a role made on an older vCenter).',
  },
  '8.0': {
    capture: 'vcenter-8',
    remove: [],
    add: [],
    why: 'vCenter 8 capture as is.',
    authoritative: true,
    caveat: 'The vSphere 8.0 catalog is a capture of a vCenter 8.x (govmomi >= 0.45 simulator data).',
  },
};

/** vCenter adds these to every role and the Terraform provider strips them on read: never list them. */
export function isImplicitPrivilege(id: string): boolean {
  return id.startsWith('System.');
}

const catalogCache = new Map<VsphereVersion, ReadonlySet<string>>();

/** Throws unless `version` is a supported vSphere version; `input` names the prop for the message. */
export function assertVsphereVersion(version: string, input: string | InputRef = 'vsphereVersion'): asserts version is VsphereVersion {
  if (!(VSPHERE_VERSIONS as readonly string[]).includes(version)) {
    throw inputError(
      input,
      `unknown vSphere version "${version}". Use one of ${VSPHERE_VERSIONS.map((v) => `'${v}'`).join(', ')} ` +
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
    catalog = new Set([
      ...captured.catalogs[derivation.capture].filter((id) => !isImplicitPrivilege(id) && !removed(id)),
      ...derivation.add.flatMap((a) => a.ids),
    ]);
    catalogCache.set(version, catalog);
  }
  return catalog;
}

/** Why a version's catalog looks the way it does (for reports and docs). */
export function catalogProvenance(version: VsphereVersion): string {
  return DERIVATIONS[version].why;
}

/** Whether the catalog of `version` is a capture of a server of that version (only then is a missing ID known to be missing). */
export function isCatalogAuthoritative(version: VsphereVersion): boolean {
  return DERIVATIONS[version].authoritative;
}

/** What is and is not known about the catalog of `version`, for error messages. */
export function catalogNote(version: VsphereVersion): string {
  return DERIVATIONS[version].caveat;
}

/** The IDs a version's catalog adds to its capture, with their evidence. */
export function catalogAdditions(version: VsphereVersion): readonly CatalogAddition[] {
  return DERIVATIONS[version].add;
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
