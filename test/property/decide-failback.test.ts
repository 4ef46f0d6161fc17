import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decide } from '../../shared/domain/decide.ts';
import { FLAP_WINDOW_MS } from '../../shared/domain/flip-timing.ts';
import { initialState } from '../../shared/domain/initial-state.ts';
import type { Observation, ServiceState } from '../../shared/domain/state.ts';
import { flappyPolicyArb, policyArb, stepsArb } from './arbitraries.ts';
import { isNewFlip, ORDER, type SimRound, simulate, T0 } from './simulate.ts';

const RUNS = { numRuns: 100 };
const anyPolicy = fc.oneof(policyArb, flappyPolicyArb);
const anything = fc.oneof(
  stepsArb({ lostFlips: true, clockJumps: true, pauses: true }, 30),
  stepsArb({ lostFlips: true, clockJumps: true, flapping: true }, 30),
);

/** A failback decided on a healthy standby: the kind that flap damping limits. */
function isAutomaticFailback(round: SimRound): boolean {
  return isNewFlip(round) && round.before.active === 'secondary' && round.model.secondary !== 'down';
}

function healthy(now: number): Observation {
  const ok = { ok: true, checks: [] };
  return { at: now, targets: { primary: ok, secondary: ok } };
}

/** Traffic on the secondary since `flippedAt`, both targets up, with `autoFailbacks` as the flap window. */
function onSecondaryReady(flippedAt: number, autoFailbacks: number[]): ServiceState {
  const up = { status: 'up', okStreak: 20, failStreak: 0, since: flippedAt, last: [] } as const;
  return {
    ...initialState('svc', 'primary'),
    active: 'secondary',
    epoch: 1,
    lastFlipAt: flippedAt,
    targets: { primary: up, secondary: up },
    autoFailbacks,
  };
}

describe('decide over random rounds: failback', () => {
  test.prop([anyPolicy, anything], RUNS)(
    'fails back automatically only after recoveryThreshold healthy rounds and minDwellSeconds',
    (policy, steps) => {
      const rounds = simulate(policy, steps);
      let failoverDecidedAt = -1;
      let flippedAt = Number.NaN;
      let okStreak = 0;
      let recoveredSinceFailover = false;
      for (const round of rounds) {
        okStreak = round.step.primaryOk ? okStreak + 1 : 0;
        if (okStreak >= policy.recoveryThreshold && round.index > failoverDecidedAt)
          recoveredSinceFailover = true;
        if (isAutomaticFailback(round)) {
          expect(round.model.primary).toBe('up');
          expect(recoveredSinceFailover).toBe(true);
          expect(round.real - flippedAt).toBeGreaterThanOrEqual(policy.minDwellSeconds * 1000);
        }
        if (isNewFlip(round) && round.before.active === 'primary') {
          failoverDecidedAt = round.index;
          recoveredSinceFailover = false;
        }
        if (round.applied !== null) flippedAt = round.real;
      }
    },
  );

  test.prop([anyPolicy, anything], RUNS)(
    'never fails back automatically more often per rolling hour than maxAutoFailbacksPerHour',
    (policy, steps) => {
      const times = simulate(policy, steps)
        .filter(isAutomaticFailback)
        .map((round) => round.real);
      times.forEach((time, i) => {
        const inWindow = times.slice(0, i + 1).filter((t) => t > time - FLAP_WINDOW_MS);
        expect(inWindow.length).toBeLessThanOrEqual(policy.maxAutoFailbacksPerHour);
      });
    },
  );

  test.prop([anyPolicy, anything], RUNS)(
    'keeps automatic failback frozen once flap damping froze it',
    (policy, steps) => {
      let frozen = false;
      for (const round of simulate(policy, steps)) {
        if (frozen) expect(isAutomaticFailback(round)).toBe(false);
        frozen = frozen || round.decided.frozen;
      }
    },
  );

  test.prop(
    [
      flappyPolicyArb.filter((policy) => policy.maxAutoFailbacksPerHour > 0),
      fc.integer({ min: 0, max: 86_400_000 }),
      fc.array(fc.integer({ min: -FLAP_WINDOW_MS + 1, max: 86_400_000 }), { minLength: 4, maxLength: 4 }),
    ],
    RUNS,
  )(
    'never fails back automatically with a full flap window, even dated after now',
    (policy, jump, offsets) => {
      const now = T0;
      const window = offsets.slice(0, policy.maxAutoFailbacksPerHour).map((offset) => now + offset);
      const ready = onSecondaryReady(now - jump - policy.minDwellSeconds * 1000 - 1, window);

      const { next, actions } = decide(ready, healthy(now), policy, ORDER, now);

      expect(actions.some((action) => action.type === 'failback')).toBe(false);
      expect(next.frozen).toBe(true);
    },
  );

  test.prop([anyPolicy, anything], RUNS)('announces each condition once until it clears', (policy, steps) => {
    for (const round of simulate(policy, steps)) {
      for (const action of round.actions) {
        if (action.type !== 'notify' && action.type !== 'alert') continue;
        expect(round.before.announced).not.toContain(action.event);
        expect(round.decided.announced).toContain(action.event);
      }
    }
  });
});
