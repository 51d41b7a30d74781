// `cdktf-kkp-vsphere preflight [CDKTF_OUT_DIR]`: before handing a vCenter to KKP, ask vCenter itself whether each user
// that a KKP component logs in as may do what that component does (AuthorizationManager.FetchUserPrivilegeOnEntities,
// as openshift/installer checks its vSphere user: pkg/asset/installconfig/vsphere/permissions.go comparePrivileges).
// What to ask comes from the synth output: each KkpUserCluster writes its objects, logins and conditions into its
// folder's `//.kkp.works` review metadata, and the model of src/facts/kkp-operations turns them into (component,
// operation, object, principal, privileges, fix). Changes nothing; exit 1 on any gap.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { readSynthOutput } from '../tools/report/read';
import { KkpWorksMetadata, kkpRequirementsOf } from '../facts/kkp-operations';
import { KKP_RELEASES, KkpRelease } from '../facts/kkp/releases';
import type { VcenterClient } from '../tools/vcenter';
import type { ManagedObjectReference } from '../tools/vcenter/soap';
import { connectFromEnvironment } from './vcenter-env';

/** The JSON format's name and version: a change that breaks a reader gets a new version. */
export const PREFLIGHT_FORMAT = 'cdktf-kkp-vsphere/preflight@1';

/** One requirement of the synth output's `//.kkp.works` metadata. */
export interface PreflightRequirement {
  readonly component: string;
  readonly operation: string;
  readonly title: string;
  readonly method: string;
  readonly objectKind: string;
  readonly object: string;
  readonly alsoBelow?: readonly string[];
  readonly principal: string;
  readonly isGroup: boolean;
  readonly credential: string;
  readonly privileges: readonly string[];
  readonly fix: string;
}

/** One cluster's requirements, as its stack wrote them. */
export interface PreflightCluster {
  readonly stack: string;
  readonly clusterId: string;
  readonly kkpRelease: string;
  readonly requirements: readonly PreflightRequirement[];
}

/** A privilege vCenter does not grant a login principal where a KKP operation needs it. */
export interface PreflightGap {
  readonly stack: string;
  readonly clusterId: string;
  readonly component: string;
  readonly operation: string;
  readonly title: string;
  readonly method: string;
  /** The object asked (a node VM, which does not exist yet, is asked on its folder and resource pool). */
  readonly object: string;
  readonly principal: string;
  readonly credential: string;
  /** Missing privilege IDs; empty when the object itself is missing. */
  readonly missing: readonly string[];
  /** The object is not in the vCenter's inventory. */
  readonly objectMissing?: boolean;
  readonly fix: string;
}

/** What preflight found. */
export interface PreflightResult {
  readonly format: typeof PREFLIGHT_FORMAT;
  readonly clusters: number;
  /** (principal, object) pairs asked. */
  readonly checked: number;
  readonly gaps: readonly PreflightGap[];
  readonly warnings: readonly string[];
}

/** The requirements the synthesized stacks carry. */
export function readPreflightClusters(dir: string): PreflightCluster[] {
  // Validates the directory and the stack paths the way `report` does, with its errors.
  readSynthOutput(dir);
  const root = resolve(dir);
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string; name?: string }> };
  const clusters: PreflightCluster[] = [];
  for (const [key, entry] of Object.entries(manifest.stacks).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const tf = JSON.parse(readFileSync(resolve(root, entry.synthesizedStackPath), 'utf8')) as { resource?: Record<string, Record<string, any>> };
    for (const folder of Object.values(tf.resource?.vsphere_folder ?? {})) {
      const works = folder?.['//']?.kkp?.works as KkpWorksMetadata | undefined;
      if (!works || typeof works.clusterId !== 'string' || !isKkpRelease(works.kkpRelease)) continue;
      // The same model as the synth check: the requirements are computed here, from the cluster's objects and logins.
      clusters.push({ stack: entry.name ?? key, clusterId: works.clusterId, kkpRelease: works.kkpRelease, requirements: kkpRequirementsOf(works) });
    }
  }
  return clusters;
}

/** Asks vCenter for each requirement's principal and object; reads only. */
export async function runPreflight(vc: VcenterClient, clusters: readonly PreflightCluster[]): Promise<PreflightResult> {
  const warnings = new Set<string>();
  const refs = new Map<string, ManagedObjectReference | undefined>();
  const lookup = async (path: string) => {
    if (!refs.has(path)) refs.set(path, await vc.findByInventoryPath(path));
    return refs.get(path);
  };
  // A node VM exists only once machine-controller made it: ask its folder and its resource pool, which it inherits from.
  const asked = (r: PreflightRequirement) => (r.objectKind === 'nodeVm' ? [r.object.slice(0, r.object.lastIndexOf('/')), ...(r.alsoBelow ?? [])] : [r.object]);
  const byPrincipal = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const r of c.requirements) {
      if (r.isGroup) {
        warnings.add(`${r.principal} is a group; vCenter answers FetchUserPrivilegeOnEntities for users only, so its members are not checked.`);
        continue;
      }
      const set = byPrincipal.get(r.principal) ?? new Set<string>();
      asked(r).forEach((p) => set.add(p));
      byPrincipal.set(r.principal, set);
    }
  }
  const held = new Map<string, Set<string>>();
  let checked = 0;
  for (const [principal, paths] of byPrincipal) {
    const found: { path: string; ref: ManagedObjectReference }[] = [];
    for (const path of paths) {
      const ref = await lookup(path);
      if (ref) found.push({ path, ref });
    }
    const answer = await vc.fetchUserPrivilegeOnEntities(found.map((f) => f.ref), principal);
    found.forEach((f, i) => {
      const entry = answer.find((a) => a.entity.value === f.ref.value) ?? answer[i];
      held.set(`${principal.toLowerCase()}\u0000${f.path}`, new Set(entry?.privileges ?? []));
      checked++;
    });
  }
  const gaps: PreflightGap[] = [];
  for (const c of clusters) {
    for (const r of c.requirements) {
      if (r.isGroup) continue;
      const base = { stack: c.stack, clusterId: c.clusterId, component: r.component, operation: r.operation, title: r.title, method: r.method, principal: r.principal, credential: r.credential, fix: r.fix };
      const paths = asked(r);
      const missingObject = paths.find((p) => !refs.get(p));
      if (missingObject) {
        gaps.push({ ...base, object: missingObject, missing: [], objectMissing: true, fix: `${missingObject} is not in this vCenter: run cdktf deploy first, or check the stack's inventory names.` });
        continue;
      }
      const union = new Set(paths.flatMap((p) => [...(held.get(`${r.principal.toLowerCase()}\u0000${p}`) ?? [])]));
      const missing = r.privileges.filter((p) => !union.has(p));
      if (missing.length) gaps.push({ ...base, object: r.objectKind === 'nodeVm' ? r.object : paths[0], missing });
    }
  }
  return { format: PREFLIGHT_FORMAT, clusters: clusters.length, checked, gaps, warnings: [...warnings] };
}

/** The result for a terminal: per cluster, component and operation what is missing and what fixes it. */
export function renderPreflightText(result: PreflightResult): string {
  const lines: string[] = [];
  if (result.clusters === 0) {
    lines.push('preflight: the synth output holds no KkpUserCluster, so there is nothing KKP would log in for.');
  }
  const byCluster = new Map<string, PreflightGap[]>();
  for (const g of result.gaps) {
    const key = `${g.stack} / cluster ${g.clusterId}`;
    byCluster.set(key, [...(byCluster.get(key) ?? []), g]);
  }
  for (const [cluster, gaps] of byCluster) {
    lines.push(`${cluster}:`);
    for (const g of gaps) {
      lines.push(
        g.objectMissing
          ? `  ${g.component} ${g.operation}: ${g.object} is missing. Fix: ${g.fix}`
          : `  ${g.component} ${g.operation} (${g.method}) as ${g.principal} (${g.credential}) on ${g.object}: missing ${g.missing.join(', ')}. Fix: ${g.fix}`,
      );
    }
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  lines.push(
    result.gaps.length
      ? `preflight: ${result.gaps.length} gap${result.gaps.length > 1 ? 's' : ''} in ${byCluster.size} cluster${byCluster.size > 1 ? 's' : ''}; KKP would get "permission denied" there.`
      : `preflight: ${result.clusters} cluster${result.clusters === 1 ? '' : 's'}, ${result.checked} principal/object pairs: vCenter grants every modelled KKP operation.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Registers `preflight` on the program. */
export function registerPreflight(program: Command): void {
  program
    .command('preflight')
    .description(
      'Before handing the vCenter to KKP: ask vCenter (FetchUserPrivilegeOnEntities) whether each user a KKP component logs in ' +
        'as holds the privileges each modelled operation needs on each object of the synthesized user clusters, and print per ' +
        'component and operation what is missing and which grant or credential fixes it. Exit status 1 on any gap. The vCenter ' +
        'comes from VSPHERE_SERVER, VSPHERE_USER, VSPHERE_PASSWORD and VSPHERE_ALLOW_UNVERIFIED_SSL. Nothing is changed.',
    )
    .argument('[cdktf-out-dir]', 'the synth output directory (holds manifest.json)', 'cdktf.out')
    .option('--json', `print the result as JSON (format ${PREFLIGHT_FORMAT})`)
    .action(async (dir: string, flags: { json?: boolean }) => {
      const clusters = readPreflightClusters(dir);
      const vc = await connectFromEnvironment();
      try {
        const result = await runPreflight(vc, clusters);
        process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderPreflightText(result));
        if (result.gaps.length) process.exitCode = 1;
      } finally {
        await vc.logout().catch(() => undefined);
      }
    });
}

function isKkpRelease(value: unknown): value is KkpRelease {
  return typeof value === 'string' && (KKP_RELEASES as readonly string[]).includes(value);
}
