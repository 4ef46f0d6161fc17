/**
 * Issue #17's invariant: no claim outlives its grace while the records are unchanged. Whatever the
 * stored state, a flip in flight (an operator's claim, or the watchdog's `failing-*` phase) is
 * settled — recorded, re-sent, withdrawn or released — once its time is up, and settling it never
 * leaves the hold it meant to set when the flip did not happen.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decide } from '../../shared/domain/decide.ts';
import { pendingTimeoutMs } from '../../shared/domain/flip-timing.ts';
import { RECONCILE_GRACE_MS, reconcile } from '../../shared/domain/reconcile.ts';
import { activeTarget } from '../../shared/domain/state.ts';
import { policyArb } from './arbitraries.ts';
import { claimArb, observationArb, stateArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 1000 };
const overdue = fc.integer({ min: 0, max: 10 * RECONCILE_GRACE_MS });

describe('claims never outlive their grace while the records are unchanged', () => {
  test.prop([stateArb, claimArb, overdue], RUNS)(
    "an operator's claim past its grace is released when Route 53 shows the records unmoved",
    (stored, claim, extra) => {
      const state = {
        ...stored,
        phase: 'primary-active' as const,
        pendingSince: null,
        claim: { ...claim, to: 'secondary' as const },
      };
      const now = claim.at + RECONCILE_GRACE_MS + extra;

      const settled = reconcile(state, 'primary', now);

      expect(settled?.kind).toBe('claim-released');
      expect(settled?.next.claim).toBeNull();
      expect(settled?.next.hold).toEqual(state.hold);
      expect(settled?.next.epoch).toBe(state.epoch);
      expect(settled?.next.lastFailure).toMatchObject({ to: 'secondary', epoch: state.epoch, at: now });
    },
  );

  test.prop([stateArb, claimArb, overdue, fc.constantFrom('primary' as const, 'secondary' as const)], RUNS)(
    'a claim past its grace is always settled, whichever way Route 53 points',
    (stored, claim, extra, actual) => {
      const active = activeTarget(stored.phase);
      const settledPhase = active === 'primary' ? ('primary-active' as const) : ('secondary-active' as const);
      const to = active === 'primary' ? ('secondary' as const) : ('primary' as const);
      const state = { ...stored, phase: settledPhase, pendingSince: null, claim: { ...claim, to } };
      const now = claim.at + RECONCILE_GRACE_MS + extra;

      const settled = reconcile(state, actual, now);

      expect(settled).not.toBeNull();
      expect(settled?.next.claim).toBeNull();
      if (actual === to) {
        // It landed: recorded once, with the hold it meant to set.
        expect(settled?.next.epoch).toBe(state.epoch + 1);
        expect(settled?.next.hold).toEqual(claim.hold);
      } else {
        expect(settled?.next.epoch).toBe(state.epoch);
        expect(settled?.next.hold).toEqual(state.hold);
      }
    },
  );

  test.prop([stateArb, claimArb, fc.integer({ min: 0, max: RECONCILE_GRACE_MS - 1 })], RUNS)(
    'a claim within its grace is left to its flip function (it may be writing right now)',
    (stored, claim, age) => {
      const state = {
        ...stored,
        phase: 'primary-active' as const,
        pendingSince: null,
        claim: { ...claim, to: 'secondary' as const },
      };

      expect(reconcile(state, 'primary', claim.at + age)).toBeNull();
      expect(reconcile(state, 'secondary', claim.at + age)).toBeNull();
    },
  );

  test.prop(
    [stateArb, observationArb, policyArb, fc.integer({ min: 0, max: 10 * RECONCILE_GRACE_MS })],
    RUNS,
  )(
    "the watchdog's own pending flip past its timeout is re-sent or withdrawn, never left waiting",
    (stored, observation, policy, extra) => {
      const since = 1_000_000;
      const state = { ...stored, phase: 'failing-over' as const, pendingSince: since };
      const now = since + pendingTimeoutMs(policy) + extra;

      const { next, actions } = decide(state, observation, policy, now);

      const resent = actions.some((action) => action.type === 'failover');
      const withdrawn = next.phase !== 'failing-over';
      expect(resent || withdrawn).toBe(true);
      if (!withdrawn) expect(next.pendingSince).toBe(now);
    },
  );
});
