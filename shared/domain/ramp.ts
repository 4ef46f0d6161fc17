/**
 * Gradual failback (issue #13): the returning target gets a growing share of the active weight,
 * one compare-and-swap step at a time, each step gated by the target staying healthy for the hold
 * (and, optionally, a CloudWatch alarm staying OK). Pure: the weights each step writes and when a
 * step may advance.
 *
 *   secondary 100 ─step 0─> primary 10 / secondary 90 ─hold─> 50 / 50 ─hold─> primary 100 (done)
 *                                 └──── the primary goes DOWN at any step ────> secondary 100 (rollback)
 */
import type { Policy, TargetId } from './config.ts';
import type { Ramp } from './state.ts';

/** All the traffic at once: today's failback. */
export const DEFAULT_FAILBACK_STEPS: readonly number[] = [100];
export const DEFAULT_STEP_HOLD_SECONDS = 60;

/**
 * A step of a ramp as a move carries it: the list the ramp runs and the index of the step the move
 * lands. Only steps before the last are ramp steps; the last (100 %) is an ordinary failback.
 */
export interface RampStep {
  readonly steps: readonly number[];
  readonly step: number;
}

/** What a CloudWatch alarm gate said this round: `null` when the service has none (or not read). */
export type GateState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * The steps a failback of this policy runs.
 *
 * @example
 * failbackStepsOf({ ...policy, failbackSteps: [10, 50, 100] }); // [10, 50, 100]
 * failbackStepsOf(policy); // [100]
 */
export function failbackStepsOf(policy: Pick<Policy, 'failbackSteps'>): readonly number[] {
  return policy.failbackSteps ?? DEFAULT_FAILBACK_STEPS;
}

/**
 * Whether `steps` is a valid ramp: whole percents 1..100, strictly ascending, ending in 100.
 *
 * @example
 * validSteps([10, 50, 100]); // true
 * validSteps([50, 10, 100]); // false
 */
export function validSteps(steps: readonly number[]): boolean {
  return (
    steps.length >= 1 &&
    steps.at(-1) === 100 &&
    steps.every((p, i) => Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > (steps[i - 1] ?? 0)))
  );
}

/**
 * The first step of a failback by `steps`: a ramp step, or null when it moves all the traffic at once.
 *
 * @example
 * firstStep([10, 50, 100]); // { steps: [10, 50, 100], step: 0 }
 * firstStep([100]); // null
 */
export function firstStep(steps: readonly number[]): RampStep | null {
  return steps.length > 1 && validSteps(steps) ? { steps, step: 0 } : null;
}

/**
 * The step after the ramp's current one: a ramp step, or null when the next one is the last (all
 * the traffic, an ordinary failback).
 *
 * @example
 * nextStep({ ...ramp, steps: [10, 50, 100], step: 0 }); // { steps: [10, 50, 100], step: 1 }
 * nextStep({ ...ramp, steps: [10, 50, 100], step: 1 }); // null
 */
export function nextStep(ramp: Pick<Ramp, 'steps' | 'step'>): RampStep | null {
  const step = ramp.step + 1;
  return step < ramp.steps.length - 1 ? { steps: ramp.steps, step } : null;
}

/** The percent of the active weight a step gives the returning target (100 without a step). */
export function percentOf(step: RampStep | null | undefined): number {
  if (step === null || step === undefined) return 100;
  return step.steps[step.step] ?? 100;
}

/**
 * The weights of a split: `percent` of `activeWeight` to the returning target, rounded, at least 1,
 * and the rest to the one being left, at least 1 below 100 %; they always sum to `activeWeight`.
 * An `activeWeight` of 1 cannot be split (the config refuses ramps then): all of it to `to`.
 *
 * @example
 * splitWeights(100, 10); // { to: 10, from: 90 }
 * splitWeights(255, 50); // { to: 128, from: 127 }
 */
export function splitWeights(activeWeight: number, percent: number): { to: number; from: number } {
  if (percent >= 100 || activeWeight < 2) return { to: activeWeight, from: 0 };
  const to = Math.min(activeWeight - 1, Math.max(1, Math.round((activeWeight * percent) / 100)));
  return { to, from: activeWeight - to };
}

/**
 * The weight of every target after a move to `to` from `from` (a ramp step splits, anything else
 * gives `to` all of `activeWeight` and every other target 0).
 *
 * @example
 * weightsAfterMove(['primary', 'secondary'], 'secondary', 'primary', { steps: [10, 100], step: 0 }, 100);
 * // { primary: 10, secondary: 90 }
 */
export function weightsAfterMove(
  order: readonly TargetId[],
  from: TargetId,
  to: TargetId,
  step: RampStep | null | undefined,
  activeWeight: number,
): Record<TargetId, number> {
  const split = splitWeights(activeWeight, percentOf(step));
  const weights: Record<TargetId, number> = {};
  for (const id of order) weights[id] = id === to ? split.to : id === from ? split.from : 0;
  return weights;
}

/**
 * The weights Route 53 should show for a recorded state: the ramp's split, else the active target's
 * `activeWeight` and 0 for every other.
 *
 * @example
 * expectedWeights({ active: 'secondary', ramp: null }, ['primary', 'secondary'], 100); // { primary: 0, secondary: 100 }
 */
export function expectedWeights(
  state: { readonly active: TargetId; readonly ramp: Ramp | null },
  order: readonly TargetId[],
  activeWeight: number,
): Record<TargetId, number> {
  const { ramp } = state;
  if (ramp === null) return weightsAfterMove(order, state.active, state.active, null, activeWeight);
  return weightsAfterMove(order, ramp.from, ramp.to, ramp, activeWeight);
}

/**
 * Whether two weight maps give every target the same weight (a target missing from one counts 0).
 *
 * @example
 * sameWeights({ primary: 10, secondary: 90 }, { secondary: 90, primary: 10 }); // true
 */
export function sameWeights(
  a: Readonly<Record<TargetId, number>>,
  b: Readonly<Record<TargetId, number>>,
): boolean {
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...ids].every((id) => (a[id] ?? 0) === (b[id] ?? 0));
}

/**
 * The hold of a step: `stepHoldSeconds`, and never less than the records' TTL (resolvers keep the
 * old answer that long, so a shorter hold would judge a step whose clients have not moved yet).
 *
 * @example
 * stepHoldSeconds({ ...policy, stepHoldSeconds: 60 }, 300); // 300
 */
export function stepHoldSeconds(policy: Pick<Policy, 'stepHoldSeconds'>, ttlSeconds: number | null): number {
  return Math.max(policy.stepHoldSeconds ?? DEFAULT_STEP_HOLD_SECONDS, ttlSeconds ?? 0);
}

/**
 * When the ramp's current step may advance (epoch ms).
 *
 * @example
 * stepDueAt({ ...ramp, since: 0, holdSeconds: 60 }); // 60_000
 */
export function stepDueAt(ramp: Pick<Ramp, 'since' | 'holdSeconds'>): number {
  return ramp.since + ramp.holdSeconds * 1000;
}

/**
 * Whether the hold of the current step has passed. A `now` before the step landed (the clock jumped
 * back) has not: a step never advances early.
 *
 * @example
 * holdPassed({ ...ramp, since: 0, holdSeconds: 60 }, 60_000); // true
 */
export function holdPassed(ramp: Pick<Ramp, 'since' | 'holdSeconds'>, now: number): boolean {
  return now >= ramp.since && now >= stepDueAt(ramp);
}

/**
 * Whether two ramp steps are the same (both absent counts as the same: a move of all the traffic).
 *
 * @example
 * sameStep({ steps: [10, 100], step: 0 }, { steps: [10, 100], step: 0 }); // true
 */
export function sameStep(a: RampStep | null | undefined, b: RampStep | null | undefined): boolean {
  return percentOf(a) === percentOf(b);
}
