/**
 * Issue #19: one engine for any number of targets. Over 2..5 targets with ids in a random
 * preference order (the classic `primary`/`secondary` among them, not necessarily first), on any
 * stored state and over random runs of rounds.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { TargetId } from '../../shared/domain/config.ts';
import { decide } from '../../shared/domain/decide.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { pendingTimeoutMs } from '../../shared/domain/flip-timing.ts';
import { healthOf, isFailback, type ServiceState } from '../../shared/domain/state.ts';
import { flappyPolicyArb, orderArb, policyArb, targetStepsArb } from './arbitraries.ts';
import { isNewFlip, modelOf, moveOf, simulateTargets, type TargetsStep } from './simulate.ts';
import { observationArbFor, stateArbFor } from './state-arbitraries.ts';

const RUNS = { numRuns: 300 };
const instant = fc.integer({ min: 0, max: 4_000_000_000_000 });

/** The most preferred target other than the active one that is UP, if any. */
function bestUp(state: ServiceState, order: readonly TargetId[]): TargetId | undefined {
  return order.find((id) => id !== state.active && healthOf(state, id).status === 'up');
}

const anyRound = orderArb.chain((order) =>
  fc.record({
    order: fc.constant(order),
    state: stateArbFor(order),
    observation: observationArbFor(order),
    policy: policyArb,
    now: instant,
  }),
);

describe('decide over any number of targets, on any stored state', () => {
  test.prop([anyRound], { numRuns: 1000 })(
    'never throws, never changes the epoch, and asks for at most one move',
    ({ order, state, observation, policy, now }) => {
      const { next, actions } = decide(state, observation, policy, order, now);

      expect(next.epoch).toBe(state.epoch);
      expect(next.service).toBe(state.service);
      expect(next.active).toBe(state.active);
      expect(actions.filter(isFlipAction).length).toBeLessThanOrEqual(1);
    },
  );

  test.prop([anyRound], { numRuns: 1000 })(
    'moves only to an UP target other than the active one, on the current epoch, and records it as on its way',
    ({ order, state, observation, policy, now }) => {
      const { next, actions } = decide(state, observation, policy, order, now);

      for (const move of actions.filter(isFlipAction)) {
        expect(order).toContain(move.to);
        expect(move.to).not.toBe(next.active);
        expect(healthOf(next, move.to).status).toBe('up');
        expect(move.epoch).toBe(state.epoch);
        expect(move.type).toBe(isFailback(order, next.active, move.to) ? 'failback' : 'failover');
        expect(next.moving).toEqual({ to: move.to, since: now });
        expect(next.paused || next.hold !== null).toBe(false);
      }
    },
  );

  test.prop([anyRound], { numRuns: 1000 })(
    'a new move goes to the most preferred UP target, and leaves a less preferred one only when it is DOWN',
    ({ order, state, observation, policy, now }) => {
      const settled = { ...state, moving: null };

      const { next, actions } = decide(settled, observation, policy, order, now);

      const move = actions.find(isFlipAction);
      if (move === undefined) return;
      expect(move.to).toBe(bestUp(next, order));
      if (move.type === 'failover') expect(healthOf(next, next.active).status).toBe('down');
    },
  );

  test.prop([anyRound], { numRuns: 1000 })(
    'moves nothing and alerts both-down when the active target and every other one are DOWN',
    ({ order, state, observation, policy, now }) => {
      const { next, actions } = decide({ ...state, moving: null }, observation, policy, order, now);

      if (order.every((id) => healthOf(next, id).status === 'down')) {
        expect(actions.filter(isFlipAction)).toEqual([]);
        expect(next.announced).toContain('both-down');
        expect(next.moving).toBeNull();
      }
    },
  );
});

const anyRun = orderArb.chain((order) =>
  fc.record({
    order: fc.constant(order),
    policy: fc.oneof(policyArb, flappyPolicyArb),
    steps: targetStepsArb(order, { lostFlips: true, clockJumps: true, pauses: true }),
  }),
);

describe('decide over any number of targets, over random rounds', () => {
  test.prop([anyRun], RUNS)(
    'never moves to a target that is not UP, and at most once per round',
    ({ order, policy, steps }) => {
      for (const round of simulateTargets(policy, order, steps)) {
        const moves = round.actions.filter(isFlipAction);
        expect(moves.length).toBeLessThanOrEqual(1);
        for (const move of moves) {
          expect(modelOf(round, move.to)).toBe('up');
          expect(healthOf(round.decided, move.to).status).toBe('up');
          expect(move.to).not.toBe(round.before.active);
        }
      }
    },
  );

  test.prop([anyRun], RUNS)(
    'decide never changes the epoch; each move carried out advances it by exactly one',
    ({ order, policy, steps }) => {
      let epoch = 0;
      for (const round of simulateTargets(policy, order, steps)) {
        expect(round.decided.epoch).toBe(round.before.epoch);
        expect(round.before.epoch).toBe(epoch);
        if (round.applied !== null) {
          expect(round.after).toMatchObject({ active: round.appliedTo, moving: null, epoch: epoch + 1 });
          epoch += 1;
        }
        for (const move of round.actions.filter(isFlipAction)) expect(move.epoch).toBe(round.before.epoch);
      }
    },
  );

  test.prop([anyRun], RUNS)(
    'never moves while paused, nor while every target is DOWN',
    ({ order, policy, steps }) => {
      for (const round of simulateTargets(policy, order, steps)) {
        if (round.before.paused) expect(moveOf(round)).toBeNull();
        if (order.every((id) => modelOf(round, id) === 'down')) expect(moveOf(round)).toBeNull();
      }
    },
  );

  test.prop([anyRun], RUNS)(
    'a move decided afresh goes to the most preferred UP target',
    ({ order, policy, steps }) => {
      for (const round of simulateTargets(policy, order, steps)) {
        const move = moveOf(round);
        if (move === null || !isNewFlip(round)) continue;
        expect(move.to).toBe(bestUp(round.decided, order));
      }
    },
  );

  test.prop([anyRun], RUNS)('announces each condition once until it clears', ({ order, policy, steps }) => {
    for (const round of simulateTargets(policy, order, steps)) {
      for (const action of round.actions) {
        if (isFlipAction(action)) continue;
        expect(round.before.announced).not.toContain(action.event);
        expect(round.decided.announced).toContain(action.event);
      }
    }
  });
});

/** `rounds` identical rounds: the targets in `up` healthy, the others failing. */
function steady(order: readonly TargetId[], up: ReadonlySet<TargetId>, rounds: number): TargetsStep[] {
  const ok = Object.fromEntries(order.map((id) => [id, up.has(id)]));
  return Array.from({ length: rounds }, () => ({
    ok,
    lostFlip: false,
    clockShiftSeconds: 0,
    togglePause: false,
  }));
}

describe('decide over any number of targets: liveness', () => {
  const outage = orderArb.chain((order) =>
    fc.record({
      order: fc.constant(order),
      policy: policyArb,
      prefix: targetStepsArb(order, { lostFlips: true, clockJumps: true }, 6),
      up: fc.subarray([...order], { minLength: 1 }),
    }),
  );

  test.prop([outage], RUNS)(
    'always ends with traffic on an UP target while any target is UP',
    ({ order, policy, prefix, up }) => {
      // Long enough for every target to settle and for a lost move to be re-sent, twice over.
      const settle = Math.max(policy.failureThreshold, policy.recoveryThreshold) + 1;
      const resend = Math.ceil(pendingTimeoutMs(policy) / (policy.probeIntervalSeconds * 1000)) + 1;
      const backwards = prefix.reduce((sum, step) => sum - step.clockShiftSeconds, 0);
      const catchUp = Math.ceil(backwards / policy.probeIntervalSeconds);

      const rounds = simulateTargets(policy, order, [
        ...prefix,
        ...steady(order, new Set(up), settle + 2 * resend + catchUp),
      ]);

      const last = rounds.at(-1);
      expect(last?.after.moving).toBeNull();
      expect(up).toContain(last?.after.active);
    },
  );

  const climb = orderArb.chain((order) =>
    fc.record({
      order: fc.constant(order),
      policy: flappyPolicyArb.filter((policy) => policy.maxAutoFailbacksPerHour > 0),
    }),
  );

  test.prop([climb], RUNS)(
    'fails over down the order and climbs back to the first target once everything recovers',
    ({ order, policy }) => {
      const last = order.at(-1) ?? '';
      const first = order[0] ?? '';
      const settle = policy.failureThreshold + policy.recoveryThreshold + 1;
      const dwell = Math.ceil(policy.minDwellSeconds / policy.probeIntervalSeconds) + 1;

      const rounds = simulateTargets(policy, order, [
        ...steady(order, new Set([last]), settle),
        ...steady(order, new Set(order), settle + dwell),
      ]);

      const outage = rounds.slice(0, settle);
      expect(outage.at(-1)?.after.active).toBe(last);
      expect(rounds.at(-1)?.after).toMatchObject({ active: first, moving: null });
      expect(rounds.filter((round) => round.applied !== null).map((round) => round.appliedTo)).toEqual([
        last,
        first,
      ]);
    },
  );
});
