/** fast-check arbitraries for any `ServiceState` and `Observation` the schema allows, sane or not. */
import { fc } from '@fast-check/vitest';
import type {
  AnnouncedCondition,
  CheckResult,
  FlipFailure,
  Hold,
  Observation,
  OperatorClaim,
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

const targetArb = fc.constantFrom('primary' as const, 'secondary' as const);

/** An operator's flip in flight (issue #17): its target, who, when, and the hold it sets when it lands. */
export const claimArb: fc.Arbitrary<OperatorClaim> = fc.record({
  to: targetArb,
  by: fc.string({ maxLength: 10 }),
  at: instant,
  hold: fc.option(holdArb, { nil: null }),
});

const failureArb: fc.Arbitrary<FlipFailure> = fc.record({
  to: targetArb,
  by: fc.string({ maxLength: 10 }),
  at: instant,
  epoch: fc.nat({ max: 1_000_000 }),
  error: fc.string({ maxLength: 20 }),
});

const conditions: AnnouncedCondition[] = [
  'both-down',
  'failback-ready',
  'flapping-frozen',
  'failover-blocked',
];

export const stateArb: fc.Arbitrary<ServiceState> = fc.record({
  service: fc.string({ minLength: 1, maxLength: 20 }),
  phase: fc.constantFrom(
    'primary-active' as const,
    'failing-over' as const,
    'secondary-active' as const,
    'failing-back' as const,
  ),
  epoch: fc.nat({ max: 1_000_000 }),
  primary: healthArb,
  secondary: healthArb,
  lastFlipAt: fc.option(instant, { nil: null }),
  pendingSince: fc.option(instant, { nil: null }),
  claim: fc.option(claimArb, { nil: null, freq: 4 }),
  lastFailure: fc.option(failureArb, { nil: null, freq: 4 }),
  hold: fc.option(holdArb, { nil: null, freq: 4 }),
  paused: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  autoFailbacks: fc.array(instant, { maxLength: 70 }),
  frozen: fc.boolean(),
  announced: fc.subarray(conditions),
});

const targetObservationArb: fc.Arbitrary<TargetObservation> = fc.record({
  ok: fc.boolean(),
  checks: fc.array(checkArb, { maxLength: 3 }),
});

export const observationArb: fc.Arbitrary<Observation> = fc.record({
  at: instant,
  primary: targetObservationArb,
  secondary: targetObservationArb,
});
