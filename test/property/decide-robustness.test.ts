import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decide } from '../../shared/domain/decide.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { healthOf, isFailback } from '../../shared/domain/state.ts';
import { streakCaps } from '../../shared/domain/target-health.ts';
import { policyArb } from './arbitraries.ts';
import { ORDER } from './simulate.ts';
import { observationArb, stateArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 1000 };
const instant = fc.integer({ min: 0, max: 4_000_000_000_000 });

describe('decide on any state the store may hold', () => {
  test.prop([stateArb, observationArb, policyArb, instant], RUNS)(
    'never throws and keeps the fencing epoch',
    (state, observation, policy, now) => {
      const { next, actions } = decide(state, observation, policy, ORDER, now);

      expect(next.epoch).toBe(state.epoch);
      expect(next.service).toBe(state.service);
      for (const action of actions) {
        if (action.type === 'failover' || action.type === 'failback') expect(action.epoch).toBe(state.epoch);
      }
    },
  );

  test.prop([stateArb, observationArb, policyArb, instant], RUNS)(
    'asks for a flip only towards a target that is up, and away from one that is not',
    (state, observation, policy, now) => {
      const { next, actions } = decide(state, observation, policy, ORDER, now);

      const flips = actions.filter(isFlipAction);
      expect(flips.length).toBeLessThanOrEqual(1);
      for (const flip of flips) {
        expect(next.paused || next.hold !== null).toBe(false);
        if (flip.type === 'failover') {
          expect(healthOf(next, 'secondary').status).toBe('up');
          expect(healthOf(next, 'primary').status).toBe('down');
          expect(next).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });
          expect(flip.to).toBe('secondary');
        } else {
          expect(healthOf(next, 'primary').status).toBe('up');
          expect(next).toMatchObject({ active: 'secondary', moving: { to: 'primary' } });
          expect(flip.to).toBe('primary');
        }
      }
    },
  );

  test.prop([stateArb, observationArb, policyArb, instant], RUNS)(
    'fails back while frozen or manual only when the active standby is down',
    (state, observation, policy, now) => {
      const { next, actions } = decide(state, observation, policy, ORDER, now);

      if (state.frozen || policy.failback === 'manual') {
        const failback = actions.some((action) => action.type === 'failback');
        const pending = state.moving !== null && isFailback(ORDER, state.active, state.moving.to);
        if (failback && !pending) expect(healthOf(next, 'secondary').status).toBe('down');
      }
    },
  );

  test.prop([stateArb, observationArb, policyArb, instant], RUNS)(
    'keeps streaks within what the rules need and announces nothing twice',
    (state, observation, policy, now) => {
      const { next, actions } = decide(state, observation, policy, ORDER, now);

      const caps = streakCaps(policy);
      for (const health of [healthOf(next, 'primary'), healthOf(next, 'secondary')]) {
        expect(health.okStreak).toBeLessThanOrEqual(caps.ok);
        expect(health.failStreak).toBeLessThanOrEqual(caps.fail);
      }
      expect(new Set(next.announced).size).toBe(next.announced.length);
      for (const action of actions) {
        if ('event' in action) expect(state.announced).not.toContain(action.event);
      }
    },
  );
});
