/**
 * Active-active (issue #13 item 3) over random rounds: the invariants of the weight map every
 * reachable state puts in Route 53, one epoch per change, and minHealthyTargets.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { sharesOf } from '../../shared/domain/active-active.ts';
import type { ActiveActive, Policy, TargetId } from '../../shared/domain/config.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { healthOf } from '../../shared/domain/state.ts';
import { flappyPolicyArb, orderArb, policyArb, targetStepsArb } from './arbitraries.ts';
import { type SimRound, simulateTargets, type TargetsStep } from './simulate.ts';
import { rampStepsArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 200 };
const noisy = { lostFlips: true, clockJumps: true, pauses: true } as const;

/** 2..5 targets, each a weight 1..255 with a total of at most 255, and a minHealthyTargets below their count. */
const topologyArb = orderArb.chain((order) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: Math.floor(255 / order.length) }), {
        minLength: order.length,
        maxLength: order.length,
      }),
      fc.integer({ min: 1, max: order.length - 1 }),
      targetStepsArb(order, noisy, 25),
    )
    .map(([weights, minHealthyTargets, steps]) => ({
      order,
      settings: {
        weights: Object.fromEntries(order.map((id, i) => [id, weights[i] ?? 1])),
        minHealthyTargets,
      } satisfies ActiveActive,
      steps,
    })),
);

const aaPolicyArb: fc.Arbitrary<Policy> = fc
  .tuple(
    fc.oneof(policyArb, flappyPolicyArb),
    fc.oneof(rampStepsArb, fc.constant([100])),
    fc.integer({ min: 0, max: 300 }),
  )
  .map(([policy, failbackSteps, stepHoldSeconds]) => ({ ...policy, failbackSteps, stepHoldSeconds }));

function play(
  policy: Policy,
  t: { order: readonly TargetId[]; settings: ActiveActive; steps: TargetsStep[] },
) {
  return simulateTargets({ ...policy, activeActive: t.settings }, t.order, t.steps);
}

function weightsOf(round: SimRound<unknown>, t: { order: readonly TargetId[]; settings: ActiveActive }) {
  return sharesOf(round.after, t.settings, t.order).weights;
}

const totalOf = (w: Readonly<Record<TargetId, number>>) => Object.values(w).reduce((s, x) => s + x, 0);

describe('decide over random rounds: active-active (issue #13 item 3)', () => {
  test.prop([aaPolicyArb, topologyArb], RUNS)(
    'keeps the weights of the targets in rotation at the configured total, never all 0, each a Route 53 weight',
    (policy, t) => {
      const total = totalOf(t.settings.weights);
      for (const round of play(policy, t)) {
        const weights = weightsOf(round, t);
        expect(totalOf(weights)).toBe(total);
        expect(Object.values(weights).every((w) => Number.isInteger(w) && w >= 0 && w <= 255)).toBe(true);
        expect(Object.values(weights).some((w) => w > 0)).toBe(true);
      }
    },
  );

  test.prop([aaPolicyArb, topologyArb], RUNS)(
    'leaves no weight on a DOWN target once a round has decided, unless no target is UP or the drain was refused (minHealthyTargets)',
    (policy, t) => {
      for (const round of play(policy, t)) {
        // The decision of this round, carried out (a lost invoke or a pause leaves the old weights).
        if (round.step.lostFlip || round.decided.paused || round.before.paused) continue;
        if (round.decided.moving !== null && round.applied === null) continue;
        const weights = weightsOf(round, t);
        const up = t.order.filter((id) => healthOf(round.after, id).status === 'up');
        const onDown = t.order.filter(
          (id) => (weights[id] ?? 0) > 0 && healthOf(round.after, id).status === 'down',
        );
        const refused = round.after.announced.includes('drain-refused');
        if (onDown.length > 0 && up.length > 0 && !refused) {
          // Only a move still on its way from an earlier round (re-sent after its timeout) may be late.
          expect(round.before.moving).not.toBeNull();
        }
      }
    },
  );

  test.prop([aaPolicyArb, topologyArb], RUNS)(
    'never drains to fewer UP targets with weight than minHealthyTargets',
    (policy, t) => {
      for (const round of play(policy, t)) {
        const flip = round.actions.find(isFlipAction);
        if (flip?.weights === undefined || flip.type !== 'failover') continue;
        const upWithWeight = t.order.filter(
          (id) => (flip.weights?.[id] ?? 0) > 0 && healthOf(round.decided, id).status === 'up',
        );
        expect(upWithWeight.length).toBeGreaterThanOrEqual(t.settings.minHealthyTargets);
      }
    },
  );

  test.prop([aaPolicyArb, topologyArb], RUNS)(
    'changes the weights only through a move, on exactly one new epoch each',
    (policy, t) => {
      for (const round of play(policy, t)) {
        const before = sharesOf(round.before, t.settings, t.order).weights;
        const after = weightsOf(round, t);
        const changed = t.order.some((id) => (before[id] ?? 0) !== (after[id] ?? 0));
        if (round.applied === null) {
          expect(changed).toBe(false);
          expect(round.after.epoch).toBe(round.before.epoch);
        } else {
          expect(round.after.epoch).toBe(round.before.epoch + 1);
        }
        expect(round.actions.filter(isFlipAction).length).toBeLessThanOrEqual(1);
      }
    },
  );

  test.prop([aaPolicyArb, topologyArb], RUNS)(
    'gives weight in a map it decides only to targets that are not DOWN (unless none is UP, or the drain was refused)',
    (policy, t) => {
      for (const round of play(policy, t)) {
        const flip = round.actions.find(isFlipAction);
        if (flip?.weights === undefined) continue;
        // Every target a decided map gives weight to is not DOWN as the round judged it (or none is UP).
        const anyUp = t.order.some((id) => healthOf(round.decided, id).status === 'up');
        const refused = round.decided.announced.includes('drain-refused');
        for (const id of t.order) {
          if ((flip.weights[id] ?? 0) > 0 && anyUp && !refused && round.before.moving === null) {
            expect(healthOf(round.decided, id).status).not.toBe('down');
          }
        }
      }
    },
  );
});
