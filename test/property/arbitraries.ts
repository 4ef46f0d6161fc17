/** fast-check arbitraries for the `decide` properties: policies in the schema's ranges, round sequences. */
import { fc } from '@fast-check/vitest';
import type { Policy, TargetId } from '../../shared/domain/config.ts';
import type { Noise, Step, TargetsStep } from './simulate.ts';

/** Ids a config may give its targets; the classic two among them, so order, not name, must matter. */
const TARGET_IDS: readonly TargetId[] = ['primary', 'secondary', 'eu-west-1', 'us-east-2', 'dr', 'edge-fra'];

/** 2..5 distinct target ids in a random preference order. */
export const orderArb: fc.Arbitrary<readonly TargetId[]> = fc.shuffledSubarray([...TARGET_IDS], {
  minLength: 2,
  maxLength: 5,
});

export const policyArb: fc.Arbitrary<Policy> = fc.record({
  probeIntervalSeconds: fc.integer({ min: 1, max: 60 }),
  failureThreshold: fc.integer({ min: 1, max: 10 }),
  recoveryThreshold: fc.integer({ min: 1, max: 20 }),
  // Mostly short dwells, so that failbacks (and flapping) actually happen within a run.
  minDwellSeconds: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 300 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 86_400 }) },
  ),
  failback: fc.constantFrom('auto' as const, 'manual' as const),
  maxAutoFailbacksPerHour: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) },
  ),
});

/**
 * Policies that let an hour hold several outages and recoveries (short intervals, thresholds and
 * dwell, automatic failback, a small flap limit): where flap damping and the dwell are exercised.
 */
export const flappyPolicyArb: fc.Arbitrary<Policy> = fc.record({
  probeIntervalSeconds: fc.integer({ min: 1, max: 10 }),
  failureThreshold: fc.integer({ min: 1, max: 4 }),
  recoveryThreshold: fc.integer({ min: 1, max: 8 }),
  minDwellSeconds: fc.integer({ min: 0, max: 60 }),
  failback: fc.constant('auto' as const),
  maxAutoFailbacksPerHour: fc.integer({ min: 0, max: 4 }),
});

export interface StepOptions {
  readonly lostFlips?: boolean;
  /** Backward jumps of the reported clock. */
  readonly clockJumps?: boolean;
  readonly pauses?: boolean;
  /** A standby that is nearly always healthy and a primary that keeps failing and recovering. */
  readonly flapping?: boolean;
}

/** Runs of identical verdicts (outages, recoveries, flapping), each 1..25 rounds long. */
export function stepsArb(options: StepOptions = {}, maxSegments = 20): fc.Arbitrary<Step[]> {
  const segment = fc.record({
    primaryOk: fc.boolean(),
    secondaryOk: options.flapping ? rarely(10).map((down) => !down) : fc.boolean(),
    length: fc.integer({ min: 1, max: options.flapping ? 40 : 25 }),
  });
  const noise = noiseArb(options);
  return (
    fc
      .array(segment, { minLength: options.flapping ? maxSegments / 2 : 1, maxLength: maxSegments })
      // Flapping: the primary fails and recovers in turn.
      .map((segments) =>
        options.flapping ? segments.map((s, i) => ({ ...s, primaryOk: i % 2 === 1 })) : segments,
      )
      .chain((segments) => {
        const verdicts = segments.flatMap((s) => Array.from({ length: s.length }, () => s));
        return fc.array(noise, { minLength: verdicts.length, maxLength: verdicts.length }).map((noises) =>
          verdicts.map((v, i) => ({
            primaryOk: v.primaryOk,
            secondaryOk: v.secondaryOk,
            ...noisesAt(noises, i),
          })),
        );
      })
  );
}

/**
 * Runs of identical verdicts over the targets of `order` (each 1..25 rounds): every target's
 * verdict is drawn per run, so outages of one, several or all targets, and recoveries, all occur.
 */
export function targetStepsArb(
  order: readonly TargetId[],
  options: Omit<StepOptions, 'flapping'> = {},
  maxSegments = 20,
): fc.Arbitrary<TargetsStep[]> {
  const segment = fc.record({
    ok: fc.array(fc.boolean(), { minLength: order.length, maxLength: order.length }),
    length: fc.integer({ min: 1, max: 25 }),
  });
  return fc.array(segment, { minLength: 1, maxLength: maxSegments }).chain((segments) => {
    const verdicts = segments.flatMap((s) =>
      Array.from({ length: s.length }, () =>
        Object.fromEntries(order.map((id, i) => [id, s.ok[i] ?? false])),
      ),
    );
    return fc
      .array(noiseArb(options), { minLength: verdicts.length, maxLength: verdicts.length })
      .map((noises) => verdicts.map((ok, i) => ({ ok, ...noisesAt(noises, i) })));
  });
}

function noiseArb(options: StepOptions): fc.Arbitrary<Noise> {
  return fc.record({
    lostFlip: options.lostFlips ? rarely(4) : fc.constant(false),
    // Only backwards: a clock that jumps forward really does let time pass for the engine.
    clockShiftSeconds: options.clockJumps
      ? fc.oneof(
          { weight: 19, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: -3600, max: -1 }) },
        )
      : fc.constant(0),
    togglePause: options.pauses ? rarely(30) : fc.constant(false),
  });
}

/** True about once in `n`. */
function rarely(n: number): fc.Arbitrary<boolean> {
  return fc.oneof(
    { weight: n - 1, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );
}

function noisesAt(noises: readonly Noise[], i: number): Noise {
  return noises[i] ?? { lostFlip: false, clockShiftSeconds: 0, togglePause: false };
}
