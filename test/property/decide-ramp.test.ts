/**
 * Gradual failback (issue #13) over random rounds: the invariants of the weights every reachable
 * state puts in Route 53, one epoch per step, the gate of each step, and the rollback.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Policy, TargetId } from '../../shared/domain/config.ts';
import { decide } from '../../shared/domain/decide.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { expectedWeights, type GateState, percentOf, stepDueAt } from '../../shared/domain/ramp.ts';
import { healthOf, type Observation, type ServiceState } from '../../shared/domain/state.ts';
import { flappyPolicyArb, orderArb, policyArb, stepsArb, targetStepsArb } from './arbitraries.ts';
import { ORDER, SIM_TTL_SECONDS, type SimRound, simulate, simulateTargets } from './simulate.ts';
import { rampStateArbFor, rampStepsArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 150 };

/** Any policy with a ramp: steps before 100, a hold, failback mostly automatic. */
const rampPolicyArb: fc.Arbitrary<Policy> = fc
  .tuple(fc.oneof(policyArb, flappyPolicyArb), rampStepsArb, fc.integer({ min: 0, max: 300 }))
  .map(([policy, failbackSteps, stepHoldSeconds]) => ({ ...policy, failbackSteps, stepHoldSeconds }));
const activeWeightArb = fc.integer({ min: 2, max: 255 });
const noisy = { lostFlips: true, clockJumps: true, pauses: true } as const;

/** The weights Route 53 holds after a round (the flip function ran, or not). */
function weightsAfter(round: SimRound<unknown>, order: readonly TargetId[], activeWeight: number) {
  return expectedWeights(round.after, order, activeWeight);
}

/** Every target with a weight, and whether any target is UP, after the round. */
function placement(
  state: ServiceState,
  weights: Readonly<Record<TargetId, number>>,
  order: readonly TargetId[],
) {
  const weighted = order.filter((id) => (weights[id] ?? 0) > 0);
  const anyUp = order.some((id) => healthOf(state, id).status === 'up');
  return { weighted, anyUp };
}

function expectValidWeights(
  weights: Readonly<Record<TargetId, number>>,
  state: ServiceState,
  activeWeight: number,
) {
  const values = Object.values(weights);
  expect(values.reduce((sum, w) => sum + w, 0)).toBe(activeWeight);
  expect(values.some((w) => w > 0)).toBe(true);
  expect(values.filter((w) => w > 0).length).toBeLessThanOrEqual(2);
  if (state.ramp !== null) {
    // Both sides of a split carry traffic until the last step.
    expect(weights[state.ramp.to] ?? 0).toBeGreaterThanOrEqual(1);
    expect(weights[state.ramp.from] ?? 0).toBeGreaterThanOrEqual(1);
    expect(state.active).toBe(state.ramp.from);
  }
}

describe('decide over random rounds: gradual failback (issue #13)', () => {
  test.prop([rampPolicyArb, activeWeightArb, stepsArb(noisy, 30)], RUNS)(
    'keeps the weights valid in every state it reaches with two targets: the configured total, never all 0',
    (policy, activeWeight, steps) => {
      for (const round of simulate(policy, steps)) {
        expectValidWeights(weightsAfter(round, ORDER, activeWeight), round.after, activeWeight);
      }
    },
  );

  test.prop(
    [
      rampPolicyArb,
      activeWeightArb,
      orderArb.chain((order) => fc.tuple(fc.constant(order), targetStepsArb(order, noisy, 25))),
    ],
    RUNS,
  )(
    'keeps the weights valid in every state it reaches with any targets',
    (policy, activeWeight, [order, steps]) => {
      for (const round of simulateTargets(policy, order, steps)) {
        expectValidWeights(weightsAfter(round, order, activeWeight), round.after, activeWeight);
      }
    },
  );

  test.prop(
    [
      rampPolicyArb,
      activeWeightArb,
      orderArb.chain((order) => fc.tuple(fc.constant(order), targetStepsArb(order, {}, 25))),
    ],
    RUNS,
  )(
    'never leaves a weight on a DOWN target while another is UP, once its move has landed (fail static only when nothing is up)',
    (policy, activeWeight, [order, steps]) => {
      for (const round of simulateTargets(policy, order, steps)) {
        const { after } = round;
        if (after.moving !== null || after.paused || after.hold !== null) continue;
        const { weighted, anyUp } = placement(after, weightsAfter(round, order, activeWeight), order);
        if (!anyUp) continue;
        for (const id of weighted) expect(healthOf(after, id).status).not.toBe('down');
      }
    },
  );

  test.prop([rampPolicyArb, stepsArb(noisy, 30)], RUNS)(
    'makes each step one move on its own epoch, one step at a time, never skipping one',
    (policy, steps) => {
      for (const round of simulate(policy, steps)) {
        expect(round.actions.filter(isFlipAction).length).toBeLessThanOrEqual(1);
        expect(round.decided.epoch).toBe(round.before.epoch);
        const moved = round.applied !== null;
        expect(round.after.epoch).toBe(round.before.epoch + (moved ? 1 : 0));
        const before = round.decided.ramp;
        const after = round.after.ramp;
        if (after !== null && moved) {
          // A step lands on the step after the one before it (the first at 0), with the policy's list.
          expect(after.step).toBe(before === null ? 0 : before.step + 1);
          expect(after.steps).toEqual(policy.failbackSteps);
          expect(after.since).toBe(round.now);
        }
        if (after !== null && !moved) expect(after).toEqual(before);
      }
    },
  );

  test.prop([rampPolicyArb, stepsArb(noisy, 30)], RUNS)(
    'advances a step only once its hold has passed (at least the TTL) with the returning target UP',
    (policy, steps) => {
      for (const round of simulate(policy, steps)) {
        const ramp = round.before.ramp;
        const move = round.actions.find(isFlipAction);
        if (ramp === null || move === undefined || move.to !== ramp.to || round.before.moving !== null)
          continue;
        if (healthOf(round.decided, ramp.from).status === 'down') continue; // finishing at once: the way out
        expect(round.now).toBeGreaterThanOrEqual(stepDueAt(ramp));
        expect(ramp.holdSeconds).toBeGreaterThanOrEqual(SIM_TTL_SECONDS);
        expect(healthOf(round.decided, ramp.to).status).toBe('up');
        expect(percentOf(move.step)).toBeGreaterThan(percentOf(ramp));
      }
    },
  );
});

describe('decide in the middle of a ramp (issue #13)', () => {
  const order = ['primary', 'secondary', 'tertiary'];
  const verdictsArb = fc.record(
    Object.fromEntries(order.map((id) => [id, fc.boolean()])) as Record<TargetId, fc.Arbitrary<boolean>>,
  );
  const gateArb = fc.constantFrom<GateState | undefined>(undefined, 'OK', 'ALARM', 'INSUFFICIENT_DATA');
  const observe = (ok: Record<TargetId, boolean>, now: number, gate: GateState | undefined): Observation => ({
    at: now,
    targets: Object.fromEntries(order.map((id) => [id, { ok: ok[id] ?? false, checks: [] }])),
    ...(gate === undefined ? {} : { gate }),
  });
  const free = (s: ServiceState) => ({ ...s, paused: false, hold: null, moving: null, claim: null });

  test.prop(
    [rampStateArbFor(order), rampPolicyArb, verdictsArb, gateArb, fc.integer({ min: 0, max: 4e12 })],
    RUNS,
  )(
    'rolls back in the very round the returning target is DOWN: all the traffic to the standby, no gate on the way out',
    (stored, policy, ok, gate, now) => {
      const state = free(stored);
      const { next, actions } = decide(state, observe(ok, now, gate), policy, order, now);
      const ramp = state.ramp;
      if (ramp === null) throw new Error('the arbitrary always has a ramp');
      const toDown = healthOf(next, ramp.to).status === 'down';
      const fromUp = healthOf(next, ramp.from).status === 'up';
      if (!toDown || !fromUp) return;
      const move = actions.find(isFlipAction);
      expect(move).toMatchObject({ type: 'failover', to: ramp.from, epoch: state.epoch });
      expect(move?.step).toBeUndefined();
      expect(next.moving).toEqual({ to: ramp.from, since: now });
    },
  );

  test.prop(
    [rampStateArbFor(order), rampPolicyArb, verdictsArb, gateArb, fc.integer({ min: 0, max: 4e12 })],
    RUNS,
  )(
    'never advances a step on an alarm that is not OK, and rolls back on ALARM',
    (stored, policy, ok, gate, now) => {
      const state = free(stored);
      const { next, actions } = decide(state, observe(ok, now, gate), policy, order, now);
      const ramp = state.ramp;
      if (ramp === null) throw new Error('the arbitrary always has a ramp');
      const move = actions.find(isFlipAction);
      const fromStatus = healthOf(next, ramp.from).status;
      if (move?.to === ramp.to && fromStatus !== 'down')
        expect(gate === undefined || gate === 'OK').toBe(true);
      if (gate === 'ALARM' && fromStatus === 'up') expect(move).toMatchObject({ to: ramp.from });
    },
  );

  test.prop([rampStateArbFor(order), rampPolicyArb, verdictsArb, fc.integer({ min: 0, max: 4e12 })], RUNS)(
    'moves nothing while paused, and pages when a rollback is blocked',
    (stored, policy, ok, now) => {
      const state = { ...free(stored), paused: true, announced: [] };
      const { next, actions } = decide(state, observe(ok, now, undefined), policy, order, now);
      const ramp = state.ramp;
      if (ramp === null) throw new Error('the arbitrary always has a ramp');
      expect(actions.filter(isFlipAction)).toEqual([]);
      expect(next.ramp).toEqual(ramp);
      const rollbackDue =
        healthOf(next, ramp.to).status === 'down' && healthOf(next, ramp.from).status === 'up';
      if (rollbackDue)
        expect(actions).toContainEqual(expect.objectContaining({ type: 'alert', event: 'failover-blocked' }));
    },
  );
});
