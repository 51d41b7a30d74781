// One user cluster's "Does KKP work with it?" facts as review metadata (`//.kkp.works` of its folder in cdk.tf.json),
// and the requirements preflight asks vCenter for, computed from it with the same model. Pure; no credential in it.
import type { KkpRelease } from '../kkp/releases';
import type { KkpPrincipalKind } from '../privileges/kkp-role-profiles';
import { KKP_COMPONENTS, KkpComponentId } from './components';
import { ClusterCase, KkpRequirement, LoginPrincipal, ObjectRef, kkpRequirements } from './effective';
import { kkpGapFix } from './fix';
import type { KkpObject, KkpOperationCondition } from './operations';

/** What a cluster writes into its `//.kkp.works` metadata. */
export interface KkpWorksMetadata {
  readonly clusterId: string;
  readonly kkpRelease: KkpRelease;
  readonly objects: Partial<Record<KkpObject, readonly ObjectRef[]>>;
  readonly conditions: readonly KkpOperationCondition[];
  /** The login principals the credentials name (absent: the stack writes no credentials). */
  readonly credentials?: { readonly username: LoginPrincipal; readonly infra?: LoginPrincipal };
  readonly components?: readonly KkpComponentId[];
  readonly machineControllerPrincipal: string;
  /** The role sets the stack grants each login principal, by lower-cased name. */
  readonly kinds: Readonly<Record<string, readonly KkpPrincipalKind[]>>;
}

/** The metadata of a cluster case. */
export function kkpWorksMetadata(c: ClusterCase, machineControllerPrincipal: string, kindsOf: (name: string) => readonly KkpPrincipalKind[]): KkpWorksMetadata {
  const kinds: Record<string, readonly KkpPrincipalKind[]> = {};
  for (const p of [c.credentials?.username, c.credentials?.infra]) if (p?.name) kinds[p.name.toLowerCase()] = kindsOf(p.name);
  return {
    clusterId: c.clusterId,
    kkpRelease: c.release,
    objects: c.objects,
    conditions: [...c.conditions].sort(),
    ...(c.credentials ? { credentials: c.credentials } : {}),
    ...(c.components ? { components: c.components.ids } : {}),
    machineControllerPrincipal,
    kinds,
  };
}

/** The requirements of a cluster's metadata, each with its fix. */
export function kkpRequirementsOf(meta: KkpWorksMetadata): (KkpRequirement & { readonly fix: string })[] {
  const c: ClusterCase = {
    where: meta.clusterId,
    clusterId: meta.clusterId,
    release: meta.kkpRelease,
    objects: meta.objects,
    conditions: new Set(meta.conditions),
    credentials: meta.credentials,
    ...(meta.components ? { components: { ids: meta.components, why: '' } } : {}),
  };
  return kkpRequirements(c).map((r) => ({
    ...r,
    fix: kkpGapFix(
      { ...r, login: 'infra', missing: r.privileges },
      KKP_COMPONENTS.find((k) => k.id === r.component)!.rolesFor,
      {
        release: meta.kkpRelease,
        machineControllerPrincipal: meta.machineControllerPrincipal,
        hasInfraUser: meta.credentials?.infra !== undefined,
        kinds: new Set(meta.kinds[r.principal.toLowerCase()] ?? []),
      },
    ),
  }));
}
