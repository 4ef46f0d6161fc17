/**
 * One simulated day of the ramped-failback and three-target soaks (issue #13): no false or missed
 * move, every ramp step on its own epoch after its hold, none skipped, a ramp rolled back in the
 * round its target goes DOWN, the climb back up the preference order. Engines broken on purpose
 * show that each judge notices. `npm run soak` runs 7 days of each.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import { isFlipAction } from '../../../shared/domain/events.ts';
import { type PreferenceMode, type PreferenceSoakReport, runPreferenceSoak } from './preference.ts';

const DAY = { services: 20, days: 1, seed: 20260105 };
/** Enough for most broken engines to show themselves (a rollback needs more services). */
const QUARTER_DAY = { ...DAY, services: 10, days: 0.25 };

/** Each kind of violation with how many were found, only those found. */
function found(report: PreferenceSoakReport): Record<string, number> {
  return Object.fromEntries(
    Object.entries(report.violations)
      .filter(([, violations]) => violations.length > 0)
      .map(([kind, violations]) => [kind, violations.length]),
  );
}

describe('the simulated soak, ramped failback', () => {
  it('runs 20 services for a day with no violation of any kind', () => {
    const days = DAY.days;
    const report = runPreferenceSoak({ ...DAY, mode: 'ramped-failback' });

    expect(found(report)).toEqual({});
    // Eventful enough to mean something: ramps completed, rolled back on a DOWN target and on the alarm.
    expect(report.moves.failbacks).toBeGreaterThan(20 * days);
    expect(report.moves.steps).toBeGreaterThan(5 * days);
    expect(report.moves.rampsCompleted).toBeGreaterThan(5 * days);
    expect(report.moves.rollbacksOnDown).toBeGreaterThan(5 * days);
    expect(report.moves.rollbacksOnAlarm).toBeGreaterThan(0);
    expect(report.moves.failovers).toBeGreaterThan(30 * days);
  });

  it('catches an engine that skips the rollback', () => {
    const stubborn: typeof decide = (state, observation, policy, order, now) => {
      const decision = decide(state, observation, policy, order, now);
      const from = state.ramp?.from;
      if (!decision.actions.some((action) => isFlipAction(action) && action.to === from)) return decision;
      return { next: { ...decision.next, moving: null }, actions: [] };
    };

    const report = runPreferenceSoak({
      ...QUARTER_DAY,
      services: 20,
      mode: 'ramped-failback',
      decide: stubborn,
    });

    expect(report.violations.missedMoves.length).toBeGreaterThan(0);
  });

  it('catches an engine that skips the hold of a step', () => {
    const impatient: typeof decide = (state, observation, policy, order, now) =>
      decide(
        state.ramp ? { ...state, ramp: { ...state.ramp, holdSeconds: 0 } } : state,
        observation,
        policy,
        order,
        now,
      );

    const report = runPreferenceSoak({ ...QUARTER_DAY, mode: 'ramped-failback', decide: impatient });

    expect(report.violations.earlySteps.length).toBeGreaterThan(0);
  });

  it('catches an engine that skips a step, and one that fails back all at once', () => {
    const skipping: typeof decide = (state, observation, policy, order, now) =>
      decide(state, observation, { ...policy, failbackSteps: [50, 100] }, order, now);
    const allAtOnce: typeof decide = (state, observation, policy, order, now) =>
      decide(state, observation, { ...policy, failbackSteps: [100] }, order, now);

    const skipped = runPreferenceSoak({ ...QUARTER_DAY, mode: 'ramped-failback', decide: skipping });
    const unramped = runPreferenceSoak({ ...QUARTER_DAY, mode: 'ramped-failback', decide: allAtOnce });

    expect(skipped.violations.skippedSteps.length).toBeGreaterThan(0);
    expect(unramped.violations.skippedSteps.length).toBeGreaterThan(0);
  });

  it('catches an engine that ignores the step alarm', () => {
    const blind: typeof decide = (state, observation, policy, order, now) => {
      const { gate: _ignored, ...withoutGate } = observation;
      return decide(state, withoutGate, policy, order, now);
    };

    const report = runPreferenceSoak({ ...DAY, mode: 'ramped-failback', decide: blind });

    expect(report.violations.missedMoves.length).toBeGreaterThan(0);
  });

  it('catches an engine that moves the epoch twice for a move', () => {
    const doubled: typeof decide = (state, observation, policy, order, now) => {
      const decision = decide(state, observation, policy, order, now);
      if (!decision.actions.some(isFlipAction)) return decision;
      return { ...decision, next: { ...decision.next, epoch: decision.next.epoch + 1 } };
    };

    const report = runPreferenceSoak({ ...QUARTER_DAY, mode: 'ramped-failback', decide: doubled });

    expect(report.violations.badEpochs.length).toBeGreaterThan(0);
  });

  it('catches an engine whose ramp splits the weight with the target it is on', () => {
    const selfish: typeof decide = (state, observation, policy, order, now) => {
      const decision = decide(state, observation, policy, order, now);
      const start = decision.actions.find((action) => isFlipAction(action) && action.step?.step === 0);
      const moving = decision.next.moving;
      if (start === undefined || moving === null) return decision;
      return {
        next: { ...decision.next, moving: { ...moving, to: state.active } },
        actions: decision.actions.map((action) =>
          action === start ? { ...start, to: state.active } : action,
        ),
      };
    };

    const report = runPreferenceSoak({ ...QUARTER_DAY, mode: 'ramped-failback', decide: selfish });

    expect(report.violations.badWeights.length).toBeGreaterThan(0);
  });
});

describe('the simulated soak, three targets in preference order', () => {
  it('runs 20 services for a day with no violation of any kind', () => {
    const days = DAY.days;
    const report = runPreferenceSoak({ ...DAY, mode: 'three-targets' });

    expect(found(report)).toEqual({});
    // Eventful enough: traffic reaches the third target and climbs back one rung at a time.
    expect(report.moves.failovers).toBeGreaterThan(30 * days);
    expect(report.moves.failoversToLast).toBeGreaterThan(5 * days);
    expect(report.moves.failbacks).toBeGreaterThan(20 * days);
    expect(report.moves.partialClimbs).toBeGreaterThan(0);
  });

  const engines: [string, keyof PreferenceSoakReport['violations'], typeof decide][] = [
    [
      'fails over one round early',
      'falseMoves',
      (state, observation, policy, order, now) =>
        decide(
          state,
          observation,
          { ...policy, failureThreshold: Math.max(1, policy.failureThreshold - 1) },
          order,
          now,
        ),
    ],
    [
      'prefers the third target to the second',
      'wrongTargets',
      (state, observation, policy, order, now) =>
        decide(state, observation, policy, [order[0] ?? 'primary', ...order.slice(1).reverse()], now),
    ],
    [
      'never climbs back by itself',
      'missedClimbs',
      (state, observation, policy, order, now) =>
        decide(state, observation, { ...policy, failback: 'manual' }, order, now),
    ],
    [
      'ignores the dwell',
      'falseMoves',
      (state, observation, policy, order, now) =>
        decide(state, observation, { ...policy, minDwellSeconds: 0 }, order, now),
    ],
    [
      'waits one round too many',
      'missedMoves',
      (state, observation, policy, order, now) =>
        decide(state, observation, { ...policy, failureThreshold: policy.failureThreshold + 1 }, order, now),
    ],
  ];

  it.each(engines)('catches an engine that %s (%s)', (_name, kind, broken) => {
    const mode: PreferenceMode = 'three-targets';

    const report = runPreferenceSoak({ ...QUARTER_DAY, mode, decide: broken });

    expect(report.violations[kind].length).toBeGreaterThan(0);
  });

  it('replays the same run from the same seed', () => {
    const first = runPreferenceSoak({ ...QUARTER_DAY, services: 5, mode: 'three-targets', seed: 99 });
    const second = runPreferenceSoak({ ...QUARTER_DAY, services: 5, mode: 'three-targets', seed: 99 });

    expect(second.moves).toEqual(first.moves);
    expect(second.notices).toEqual(first.notices);
  });
});
