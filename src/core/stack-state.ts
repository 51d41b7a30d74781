// What the library records per stack, in one place: one WeakMap keyed by the stack, holding one typed slot per fact
// (the stack's KKP release, its role names, its folders, its synth checks, ...). A module that records something per
// stack declares its slot here with `stackSlot` (beside the type of what it records, so no layer imports upwards) and
// reads it with `stackState`; `stackSlotNames` lists every slot declared. Nothing per stack lives in a module-level
// map of its own. Caches keyed by a token (IResolvable, TerraformVariable) are not per stack and stay where they are.
import { IConstruct } from 'constructs';
import { TerraformStack } from '../framework/core';
import { stackOf } from '../framework/refs';

/** One fact recorded per stack: its name, and its value for a stack that has recorded nothing yet. */
export interface StackSlot<T> {
  readonly name: string;
  readonly initial: () => T;
}

const slots = new Map<string, StackSlot<unknown>>();

/** Declares a per-stack slot; `initial` makes the value of a stack the first time it is read. Names are unique. */
export function stackSlot<T>(name: string, initial: () => T): StackSlot<T> {
  if (slots.has(name)) throw new Error(`stack state: the slot "${name}" is declared twice; give each slot its own name.`);
  const slot: StackSlot<T> = { name, initial };
  slots.set(name, slot as StackSlot<unknown>);
  return slot;
}

/** The names of every slot declared so far, in declaration order. */
export function stackSlotNames(): readonly string[] {
  return [...slots.keys()];
}

const byStack = new WeakMap<TerraformStack, Map<StackSlot<unknown>, unknown>>();

function stateOf(scope: IConstruct): Map<StackSlot<unknown>, unknown> {
  const stack = stackOf(scope);
  let state = byStack.get(stack);
  if (!state) {
    state = new Map();
    byStack.set(stack, state);
  }
  return state;
}

/** The slot's value for the stack `scope` is in, made by the slot's `initial` on first read. */
export function stackState<T>(scope: IConstruct, slot: StackSlot<T>): T {
  const state = stateOf(scope);
  if (!state.has(slot as StackSlot<unknown>)) state.set(slot as StackSlot<unknown>, slot.initial());
  return state.get(slot as StackSlot<unknown>) as T;
}

/** Whether the stack `scope` is in has read or set the slot. */
export function hasStackState(scope: IConstruct, slot: StackSlot<unknown>): boolean {
  return stateOf(scope).has(slot);
}

/** Sets the slot's value for the stack `scope` is in. */
export function setStackState<T>(scope: IConstruct, slot: StackSlot<T>, value: T): void {
  stateOf(scope).set(slot as StackSlot<unknown>, value);
}
