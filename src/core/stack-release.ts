// One KKP release per stack: roles, credentials path and spec format must agree, so the first construct that needs a
// release fixes it for the whole stack and every other construct follows (or fails synth when it asks for another).
import { Construct } from 'constructs';
import { KkpRelease, NEWEST_KKP_RELEASE, assertKkpRelease } from '../facts/kkp/releases';
import { stackSlot, stackState, setStackState } from './stack-state';
import { InputRef } from '../base/errors';

interface StackRelease {
  readonly release: KkpRelease;
  /** The construct path that fixed it, and whether it was its default. */
  readonly setBy: string;
  readonly defaulted: boolean;
}

const RELEASE = stackSlot<StackRelease | undefined>('kkp-release', () => undefined);

/**
 * The KKP release of the stack `scope` is in. `requested` (a construct's `kkpRelease` prop) fixes it when the stack has
 * none yet; a different release than the stack's is an error naming both constructs.
 */
export function stackKkpRelease(scope: Construct, requested: string | undefined, where: InputRef): KkpRelease {
  if (requested !== undefined) assertKkpRelease(requested, where.at('kkpRelease'));
  const current = stackState(scope, RELEASE);
  if (!current) {
    const release = (requested as KkpRelease | undefined) ?? NEWEST_KKP_RELEASE;
    setStackState(scope, RELEASE, { release, setBy: String(where), defaulted: requested === undefined });
    return release;
  }
  if (requested !== undefined && requested !== current.release) {
    throw where.at('kkpRelease').error(
      `'${requested}' differs from the KKP release this stack already uses, '${current.release}' ` +
        `(${current.defaulted ? 'the default of' : 'set by'} ${current.setBy}). Roles, credentials and specs must target one ` +
        `release: give kkpRelease '${requested}' to the first KKP construct of the stack (usually KkpRoles) and leave it out elsewhere.`,
    );
  }
  return current.release;
}

/** The stack's KKP release if a construct has fixed it, without fixing it. */
export function peekStackKkpRelease(scope: Construct): KkpRelease | undefined {
  return stackState(scope, RELEASE)?.release;
}

const USER_CLUSTERS = stackSlot<string[]>('kkp-user-cluster-ids', () => []);

/** Records a KKP user cluster of the stack (KkpUserCluster does), so other constructs can tell KKP-managed clusters. */
export function registerKkpUserCluster(scope: Construct, clusterId: string): void {
  stackState(scope, USER_CLUSTERS).push(clusterId);
}

/** The ids of the stack's KKP user clusters. */
export function kkpUserClusterIds(scope: Construct): readonly string[] {
  return stackState(scope, USER_CLUSTERS);
}
