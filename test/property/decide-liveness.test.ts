import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { pendingTimeoutMs } from '../../shared/domain/flip-timing.ts';
import { initialState } from '../../shared/domain/initial-state.ts';
import { needsWrite } from '../../shared/domain/persist.ts';
import { policyArb, stepsArb } from './arbitraries.ts';
import { type Step, simulate, T0 } from './simulate.ts';

const RUNS = { numRuns: 100 };
const noisyPrefix = stepsArb({ lostFlips: true, clockJumps: true }, 8);

function steady(primaryOk: boolean, secondaryOk: boolean, rounds: number, clockShiftSeconds = 0): Step[] {
  return Array.from({ length: rounds }, (_, i) => ({
    primaryOk,
    secondaryOk,
    lostFlip: false,
    clockShiftSeconds: i === 0 ? clockShiftSeconds : 0,
    togglePause: false,
  }));
}

describe('decide over random rounds: liveness', () => {
  test.prop([policyArb, noisyPrefix], RUNS)(
    'always ends with traffic on the secondary when the primary is down and the secondary up',
    (policy, prefix) => {
      // Long enough for both targets to settle and for a lost failover to be re-sent.
      const settle = Math.max(policy.failureThreshold, policy.recoveryThreshold) + 1;
      const resend = Math.ceil(pendingTimeoutMs(policy) / (policy.probeIntervalSeconds * 1000)) + 1;
      const rounds = simulate(policy, [...prefix, ...steady(false, true, settle + resend)]);

      expect(rounds.at(-1)?.after).toMatchObject({ active: 'secondary', moving: null });
    },
  );

  test.prop([policyArb, noisyPrefix, fc.constantFrom('paused', 'held')], RUNS)(
    'never fails over while paused or held, and alerts failover-blocked once',
    (policy, prefix, blocked) => {
      const hold = { kind: 'planned-failover', by: 'alice', reason: 'maintenance', at: T0 } as const;
      const start =
        blocked === 'paused'
          ? { ...initialState('svc', 'primary'), paused: true }
          : { ...initialState('svc', 'primary'), hold };
      const settle = Math.max(policy.failureThreshold, policy.recoveryThreshold) + 1;

      const rounds = simulate(policy, [...prefix, ...steady(false, true, 2 * settle)], start);

      const outage = rounds.slice(prefix.length);
      const blockedAlerts = outage
        .flatMap((round) => round.actions)
        .filter((action) => 'event' in action && action.event === 'failover-blocked');
      expect(rounds.some((round) => round.actions.some((action) => action.type === 'failover'))).toBe(false);
      expect(blockedAlerts.length).toBeLessThanOrEqual(1);
      expect(outage.at(-1)?.after.announced).toContain('failover-blocked');
    },
  );

  test.prop([policyArb, noisyPrefix, fc.boolean(), fc.boolean()], RUNS)(
    'writes nothing once identical rounds have settled the state',
    (policy, prefix, primaryOk, secondaryOk) => {
      const backwards = prefix.reduce((sum, step) => sum - step.clockShiftSeconds, 0);
      // Past any dwell, pending timeout, flap window and backward jump of the prefix.
      const skip = backwards + policy.minDwellSeconds + 2 * 3600;
      const settle = policy.failureThreshold + policy.recoveryThreshold + 2;
      const tail = 3;
      const steps = [
        ...prefix,
        ...steady(primaryOk, secondaryOk, settle),
        ...steady(primaryOk, secondaryOk, settle + tail, skip),
      ];

      const last = simulate(policy, steps).slice(-tail);

      for (const round of last) {
        expect(round.actions).toEqual([]);
        expect(needsWrite(round.before, round.after)).toBe(false);
      }
    },
  );
});
