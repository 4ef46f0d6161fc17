/**
 * fast-check arbitraries for any `ServiceState` and `Observation` the schema allows, sane or not:
 * over the two classic targets (`stateArb`, `observationArb`, `claimArb`) or over any targets
 * (`stateArbFor(order)`, …).
 */
import { fc } from '@fast-check/vitest';
import type { TargetId } from '../../shared/domain/config.ts';
import type {
  AnnouncedCondition,
  CheckResult,
  FlipFailure,
  Hold,
  Observation,
  OperatorClaim,
  Ramp,
  ServiceState,
  TargetHealth,
  TargetObservation,
} from '../../shared/domain/state.ts';

const instant = fc.integer({ min: 0, max: 4_000_000_000_000 });

const checkArb: fc.Arbitrary<CheckResult> = fc.record({
  check: fc.string({ maxLength: 20 }),
  ok: fc.boolean(),
  latencyMs: fc.nat({ max: 60_000 }),
  reason: fc.string({ maxLength: 30 }),
});

const healthArb: fc.Arbitrary<TargetHealth> = fc.record({
  status: fc.constantFrom('up' as const, 'down' as const, 'unknown' as const),
  // Mostly below the thresholds (where the interesting corners are), sometimes far past them.
  okStreak: fc.oneof(
    { weight: 4, arbitrary: fc.nat({ max: 6 }) },
    { weight: 1, arbitrary: fc.nat({ max: 50 }) },
  ),
  failStreak: fc.oneof(
    { weight: 4, arbitrary: fc.nat({ max: 3 }) },
    { weight: 1, arbitrary: fc.nat({ max: 50 }) },
  ),
  since: fc.option(instant, { nil: null }),
  last: fc.array(checkArb, { maxLength: 3 }),
});

const holdArb: fc.Arbitrary<Hold> = fc.record({
  kind: fc.constantFrom('planned-failover' as const, 'manual-edit' as const, 'forced' as const),
  by: fc.string({ maxLength: 10 }),
  reason: fc.string({ maxLength: 20 }),
  at: instant,
});

/** An operator's flip in flight (issue #17): its target, who, when, and the hold it sets when it lands. */
export function claimArbFor(order: readonly TargetId[]): fc.Arbitrary<OperatorClaim> {
  return fc.record({
    to: fc.constantFrom(...order),
    by: fc.string({ maxLength: 10 }),
    at: instant,
    hold: fc.option(holdArb, { nil: null }),
  });
}

function failureArbFor(order: readonly TargetId[]): fc.Arbitrary<FlipFailure> {
  return fc.record({
    to: fc.constantFrom(...order),
    by: fc.string({ maxLength: 10 }),
    at: instant,
    epoch: fc.nat({ max: 1_000_000 }),
    error: fc.string({ maxLength: 20 }),
  });
}

const conditions: AnnouncedCondition[] = [
  'both-down',
  'failback-ready',
  'flapping-frozen',
  'failover-blocked',
  'quorum-lost',
  'vantage-disagrees',
];

/** Each target's health, by id; now and then a target has none recorded (never probed: unknown). */
function targetsArb(order: readonly TargetId[]): fc.Arbitrary<Record<TargetId, TargetHealth>> {
  return fc.tuple(...order.map(() => fc.option(healthArb, { nil: undefined, freq: 6 }))).map((healths) => {
    const targets: Record<TargetId, TargetHealth> = {};
    order.forEach((id, i) => {
      const health = healths[i];
      if (health !== undefined) targets[id] = health;
    });
    return targets;
  });
}

/**
 * Any stored state of a service over `order`. The watchdog's move may even point at the active
 * target itself (a corrupt item), which `decide` must survive.
 */
export function stateArbFor(order: readonly TargetId[]): fc.Arbitrary<ServiceState> {
  return fc.record({
    service: fc.string({ minLength: 1, maxLength: 20 }),
    epoch: fc.nat({ max: 1_000_000 }),
    active: fc.constantFrom(...order),
    moving: fc.option(fc.record({ to: fc.constantFrom(...order), since: instant }), { nil: null }),
    // No ramp: the legacy-engine equivalence holds over these; `rampStateArbFor` adds ramps.
    ramp: fc.constant(null),
    targets: targetsArb(order),
    lastFlipAt: fc.option(instant, { nil: null }),
    claim: fc.option(claimArbFor(order), { nil: null, freq: 4 }),
    lastFailure: fc.option(failureArbFor(order), { nil: null, freq: 4 }),
    hold: fc.option(holdArb, { nil: null, freq: 4 }),
    paused: fc.oneof(
      { weight: 3, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    autoFailbacks: fc.array(instant, { maxLength: 70 }),
    frozen: fc.boolean(),
    announced: fc.subarray(conditions),
  });
}

const targetObservationArb: fc.Arbitrary<TargetObservation> = fc.record({
  ok: fc.boolean(),
  checks: fc.array(checkArb, { maxLength: 3 }),
});

/** One probe round of every target of `order`. */
export function observationArbFor(order: readonly TargetId[]): fc.Arbitrary<Observation> {
  return fc.record({
    at: instant,
    targets: fc.tuple(...order.map(() => targetObservationArb)).map((seen) => {
      const targets: Record<TargetId, TargetObservation> = {};
      order.forEach((id, i) => {
        const one = seen[i];
        if (one !== undefined) targets[id] = one;
      });
      return targets;
    }),
  });
}

const CLASSIC: readonly TargetId[] = ['primary', 'secondary'];

export const claimArb: fc.Arbitrary<OperatorClaim> = claimArbFor(CLASSIC);
export const stateArb: fc.Arbitrary<ServiceState> = stateArbFor(CLASSIC);
export const observationArb: fc.Arbitrary<Observation> = observationArbFor(CLASSIC);

/** Ascending whole percents ending in 100, with at least one step before it. */
export const rampStepsArb: fc.Arbitrary<number[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 4 })
  .map((steps) => [...steps.sort((a, b) => a - b), 100]);

/** A gradual failback under way (issue #13) between two distinct targets of `order`. */
export function rampArbFor(order: readonly TargetId[]): fc.Arbitrary<Ramp> {
  return fc
    .tuple(fc.shuffledSubarray([...order], { minLength: 2, maxLength: 2 }), rampStepsArb)
    .chain(([[from = order[0] ?? 'primary', to = order[1] ?? 'secondary'], steps]) =>
      fc.record({
        from: fc.constant(from),
        to: fc.constant(to),
        steps: fc.constant(steps),
        step: fc.nat({ max: steps.length - 2 }),
        since: instant,
        holdSeconds: fc.nat({ max: 600 }),
        by: fc.constantFrom('watchdog', 'alice'),
      }),
    );
}

/**
 * Any stored state of a service over `order` in the middle of a ramp: `active` is the ramp's `from`
 * (as the controller writes it), and the watchdog's move, if any, may be a ramp step or not.
 */
export function rampStateArbFor(order: readonly TargetId[]): fc.Arbitrary<ServiceState> {
  return fc.tuple(stateArbFor(order), rampArbFor(order)).map(([state, ramp]) => ({
    ...state,
    active: ramp.from,
    ramp,
  }));
}
