import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { healthOf } from '../../shared/domain/state.ts';
import { policyArb, stepsArb } from './arbitraries.ts';
import { flipOf, isNewFlip, moveOf, simulate } from './simulate.ts';

const RUNS = { numRuns: 100 };
const anything = stepsArb({ lostFlips: true, clockJumps: true, pauses: true });

/** The longest run of `verdict` in `history`. */
function longestRun(history: readonly boolean[], verdict: boolean): number {
  let longest = 0;
  let current = 0;
  for (const ok of history) {
    current = ok === verdict ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

describe('decide over random rounds: failover', () => {
  test.prop([policyArb, anything], RUNS)(
    'never fails over before the primary has failed failureThreshold rounds in a row',
    (policy, steps) => {
      for (const round of simulate(policy, steps)) {
        if (flipOf(round) !== 'failover') continue;
        const primaryHistory = steps.slice(0, round.index + 1).map((step) => step.primaryOk);
        expect(longestRun(primaryHistory, false)).toBeGreaterThanOrEqual(policy.failureThreshold);
        expect(round.model.primary).toBe('down');
      }
    },
  );

  test.prop([policyArb, anything], RUNS)(
    'never fails over while the secondary is not up',
    (policy, steps) => {
      for (const round of simulate(policy, steps)) {
        if (flipOf(round) !== 'failover') continue;
        expect(round.model.secondary).toBe('up');
        expect(healthOf(round.decided, 'secondary').status).toBe('up');
        expect(moveOf(round)?.to).toBe('secondary');
      }
    },
  );

  test.prop([policyArb, anything], RUNS)('never flips while automation is paused', (policy, steps) => {
    for (const round of simulate(policy, steps)) {
      if (round.before.paused) expect(flipOf(round)).toBeNull();
    }
  });

  test.prop([policyArb, anything], RUNS)(
    'changes nothing while both targets are down (fail static)',
    (policy, steps) => {
      for (const round of simulate(policy, steps)) {
        if (round.model.primary === 'down' && round.model.secondary === 'down')
          expect(flipOf(round)).toBeNull();
      }
    },
  );

  test.prop([policyArb, stepsArb({ clockJumps: true, pauses: true })], RUNS)(
    'asks for each flip once per epoch when no invoke is lost',
    (policy, steps) => {
      const seen = new Set<string>();
      for (const round of simulate(policy, steps)) {
        const flip = flipOf(round);
        if (flip === null) continue;
        const key = `${flip}@${round.before.epoch}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    },
  );

  test.prop([policyArb, anything], RUNS)(
    'moves traffic at most once per outage, alternating sides with the epoch advancing by one',
    (policy, steps) => {
      const rounds = simulate(policy, steps);
      const applied = rounds.filter((round) => round.applied !== null);
      applied.forEach((round, i) => {
        expect(round.applied).toBe(i % 2 === 0 ? 'failover' : 'failback');
        expect(round.after.epoch).toBe(i + 1);
      });
      let failoversThisOutage = 0;
      for (const round of rounds) {
        if (round.model.primary !== 'down') failoversThisOutage = 0;
        if (round.applied === 'failover') failoversThisOutage += 1;
        expect(failoversThisOutage).toBeLessThanOrEqual(1);
      }
    },
  );

  test.prop([policyArb, anything], RUNS)(
    're-sends a pending flip only with its epoch and after the pending timeout',
    (policy, steps) => {
      const rounds = simulate(policy, steps);
      let lastSent = Number.NEGATIVE_INFINITY;
      for (const round of rounds) {
        const flip = round.actions.find((action) => action.type === 'failover' || action.type === 'failback');
        if (flip === undefined || !('epoch' in flip)) continue;
        expect(flip.epoch).toBe(round.before.epoch);
        if (!isNewFlip(round)) expect(round.real - lastSent).toBeGreaterThanOrEqual(120_000);
        lastSent = round.real;
      }
    },
  );
});
