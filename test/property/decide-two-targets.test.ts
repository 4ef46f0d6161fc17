/**
 * Issue #19: the one rule set over preference order must decide, for a service with the two
 * targets `primary` and `secondary`, exactly what the two-target engine did — the same moves,
 * notices, texts and next state — for any state the store may hold and any round.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decide } from '../../shared/domain/decide.ts';
import { type Action, isFlipAction } from '../../shared/domain/events.ts';
import { policyArb } from './arbitraries.ts';
import { legacyDecide, toLegacy } from './legacy-engine.ts';
import { ORDER } from './simulate.ts';
import { observationArb, stateArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 2000 };
const instant = fc.integer({ min: 0, max: 4_000_000_000_000 });
/** Every state the old shape could hold: nothing moving, or moving to the other target. */
const twoTargetState = stateArb.filter((state) => toLegacy(state) !== null);

/** An action as the old engine wrote it: a move had no `to` (its type named the target). */
function withoutTo(action: Action): unknown {
  if (!isFlipAction(action)) return action;
  const { to: _to, ...rest } = action;
  return rest;
}

describe('decide with two targets named primary and secondary', () => {
  test.prop([twoTargetState, observationArb, policyArb, instant], RUNS)(
    'decides exactly as the two-target engine did',
    (state, observation, policy, now) => {
      const legacy = toLegacy(state);
      if (legacy === null) return;

      const before = legacyDecide(legacy, observation, policy, now);
      const after = decide(state, observation, policy, ORDER, now);

      expect(toLegacy(after.next)).toEqual(before.next);
      expect(after.actions.map(withoutTo)).toEqual(before.actions);
      for (const move of after.actions.filter(isFlipAction)) {
        expect(move.to).toBe(move.type === 'failover' ? 'secondary' : 'primary');
      }
    },
  );
});
