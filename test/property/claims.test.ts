/**
 * Issue #17's invariant: no claim outlives its grace while the records are unchanged. Whatever the
 * stored state, a flip in flight (an operator's claim, or the watchdog's move on its way) is
 * settled — recorded, re-sent, withdrawn or released — once its time is up, and settling it never
 * leaves the hold it meant to set when the flip did not happen.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decide } from '../../shared/domain/decide.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { pendingTimeoutMs } from '../../shared/domain/flip-timing.ts';
import { RECONCILE_GRACE_MS, reconcile } from '../../shared/domain/reconcile.ts';
import { orderArb, policyArb } from './arbitraries.ts';
import { ORDER } from './simulate.ts';
import {
  claimArb,
  claimArbFor,
  observationArb,
  observationArbFor,
  stateArb,
  stateArbFor,
} from './state-arbitraries.ts';

const RUNS = { numRuns: 1000 };
const overdue = fc.integer({ min: 0, max: 10 * RECONCILE_GRACE_MS });

describe('claims never outlive their grace while the records are unchanged', () => {
  test.prop([stateArb, claimArb, overdue], RUNS)(
    "an operator's claim past its grace is released when Route 53 shows the records unmoved",
    (stored, claim, extra) => {
      const state = { ...stored, active: 'primary', moving: null, claim: { ...claim, to: 'secondary' } };
      const now = claim.at + RECONCILE_GRACE_MS + extra;

      const settled = reconcile(state, 'primary', now, 'primary');

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
      const to = stored.active === 'primary' ? 'secondary' : 'primary';
      const state = { ...stored, moving: null, claim: { ...claim, to } };
      const now = claim.at + RECONCILE_GRACE_MS + extra;

      const settled = reconcile(state, actual, now, 'primary');

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
      const state = { ...stored, active: 'primary', moving: null, claim: { ...claim, to: 'secondary' } };

      expect(reconcile(state, 'primary', claim.at + age, 'primary')).toBeNull();
      expect(reconcile(state, 'secondary', claim.at + age, 'primary')).toBeNull();
    },
  );

  test.prop(
    [stateArb, observationArb, policyArb, fc.integer({ min: 0, max: 10 * RECONCILE_GRACE_MS })],
    RUNS,
  )(
    "the watchdog's own pending flip past its timeout is re-sent or withdrawn, never left waiting",
    (stored, observation, policy, extra) => {
      const since = 1_000_000;
      const state = { ...stored, active: 'primary', moving: { to: 'secondary', since } };
      const now = since + pendingTimeoutMs(policy) + extra;

      const { next, actions } = decide(state, observation, policy, ORDER, now);

      const resent = actions.some((action) => action.type === 'failover' && action.to === 'secondary');
      const withdrawn = next.moving?.to !== 'secondary';
      expect(resent || withdrawn).toBe(true);
      if (!withdrawn) expect(next.moving?.since).toBe(now);
    },
  );
});

describe('claims and pending moves over any number of targets', () => {
  const claimed = orderArb.chain((order) =>
    fc.record({
      order: fc.constant(order),
      stored: stateArbFor(order),
      claim: claimArbFor(order),
      actual: fc.constantFrom(...order),
    }),
  );

  test.prop([claimed, overdue], RUNS)(
    'a claim past its grace is always settled, wherever Route 53 points',
    ({ order, stored, claim, actual }, extra) => {
      fc.pre(claim.to !== stored.active);
      const state = { ...stored, moving: null, claim };
      const now = claim.at + RECONCILE_GRACE_MS + extra;

      const settled = reconcile(state, actual, now, order[0] ?? 'primary');

      expect(settled).not.toBeNull();
      expect(settled?.next.claim).toBeNull();
      expect(settled?.next.active).toBe(actual);
      if (actual === claim.to) {
        expect(settled).toMatchObject({
          kind: 'lost-write',
          next: { epoch: state.epoch + 1, hold: claim.hold },
        });
      } else if (actual === state.active) {
        expect(settled).toMatchObject({
          kind: 'claim-released',
          next: { epoch: state.epoch, hold: state.hold },
        });
      } else {
        // Neither where it was nor where the operator sent it: someone edited the weights by hand.
        expect(settled).toMatchObject({
          kind: 'hand-edit',
          next: { epoch: state.epoch + 1, hold: { kind: 'manual-edit' } },
        });
      }
    },
  );

  const pending = orderArb.chain((order) =>
    fc.record({
      order: fc.constant(order),
      stored: stateArbFor(order),
      observation: observationArbFor(order),
      to: fc.constantFrom(...order),
    }),
  );

  test.prop([pending, policyArb, fc.integer({ min: 0, max: 10 * RECONCILE_GRACE_MS })], RUNS)(
    "the watchdog's own pending move past its timeout is re-sent or withdrawn, never left waiting",
    ({ order, stored, observation, to }, policy, extra) => {
      fc.pre(to !== stored.active);
      const since = 1_000_000;
      const state = { ...stored, moving: { to, since } };
      const now = since + pendingTimeoutMs(policy) + extra;

      const { next, actions } = decide(state, observation, policy, order, now);

      const sent = actions.filter(isFlipAction);
      if (next.moving === null) {
        expect(sent).toEqual([]);
      } else {
        expect(next.moving.since).toBe(now);
        expect(sent).toMatchObject([{ to: next.moving.to, epoch: state.epoch }]);
      }
    },
  );
});
