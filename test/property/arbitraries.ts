/** fast-check arbitraries for the `decide` properties: policies in the schema's ranges, round sequences. */
import { fc } from '@fast-check/vitest';
import type { Policy } from '../../shared/domain/config.ts';
import type { Step } from './simulate.ts';

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
  const noise = fc.record({
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

/** True about once in `n`. */
function rarely(n: number): fc.Arbitrary<boolean> {
  return fc.oneof(
    { weight: n - 1, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );
}

function noisesAt(
  noises: readonly { lostFlip: boolean; clockShiftSeconds: number; togglePause: boolean }[],
  i: number,
): { lostFlip: boolean; clockShiftSeconds: number; togglePause: boolean } {
  return noises[i] ?? { lostFlip: false, clockShiftSeconds: 0, togglePause: false };
}
