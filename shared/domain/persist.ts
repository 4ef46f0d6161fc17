import type { ServiceState, TargetHealth } from './state.ts';

/**
 * Whether `next` must be written back: true when anything but the per-round evidence
 * (each target's `last`) differs. A healthy steady state writes nothing, because
 * `decide` saturates the streak counters.
 *
 * @example
 * const { next } = decide(state, observation, policy, now);
 * if (needsWrite(state, next)) await store.save(next, version);
 */
export function needsWrite(prev: ServiceState, next: ServiceState): boolean {
  return !sameData(withoutEvidence(prev), withoutEvidence(next));
}

function withoutEvidence(state: ServiceState): ServiceState {
  const targets = Object.fromEntries(
    Object.entries(state.targets).map(([id, health]) => [id, withoutLast(health)]),
  );
  return { ...state, targets };
}

function withoutLast(health: TargetHealth): TargetHealth {
  return { ...health, last: [] };
}

/**
 * Structural equality of JSON-like data. Generic on purpose: a field added to `ServiceState`
 * later is compared without anyone having to remember this function. An `undefined` property
 * counts as absent, as it does once stored.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameData(item, b[i]));
  }
  const left = definedEntries(a);
  const right = new Map(definedEntries(b));
  if (left.length !== right.size) return false;
  return left.every(([key, value]) => right.has(key) && sameData(value, right.get(key)));
}

function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}
