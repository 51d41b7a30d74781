// Small input checks shared by the permission constructs.
import { EntityKind, IVsphereEntity } from '../inventory';
import { InputRef, inputError } from '../../base/errors';

/** Throws unless `entity` is one of `kinds`; `input` names the prop. */
export function expectKind(entity: IVsphereEntity, kinds: readonly EntityKind[], input: string | InputRef): void {
  if (!entity || typeof entity.kind !== 'string') {
    throw inputError(input, `expected a vSphere object from VsphereInventory or a VmFolder, got ${String(entity)}.`);
  }
  if (!kinds.includes(entity.kind)) {
    throw inputError(input,
      `${entity.inventoryPath} is a ${entity.kind}, but this role is granted on a ${kinds.join(' or ')}.`,
    );
  }
}

/** Throws if `list` is empty; `what` says what belongs there. */
export function expectNonEmpty(list: readonly unknown[] | undefined, input: string | InputRef, what: string): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw inputError(input, `give at least one entry (${what}).`);
  }
}
