/**
 * One simulated day of the soak (20 services, seeded outages and flapping, the real `decide` every
 * round): no false or missed flips, and every failover detected within its bound. Engines broken on
 * purpose show that the judge notices each kind of failure. `npm run soak` runs the full 7 days.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../shared/domain/config.ts';
import { decide } from '../../../shared/domain/decide.ts';
import { summarize } from './report.ts';
import { runSoak } from './simulation.ts';

const DAY = { services: 20, days: 1 };
/** Enough for a broken engine to show itself. */
const QUARTER_DAY = { services: 20, days: 0.25 };

describe('the simulated soak', () => {
  it.each([
    [20260105, 1],
    [7, 0.5],
  ])(
    'runs 20 services (seed %i) for %f day with no false or missed flip, every detection within its bound',
    (seed, days) => {
      const report = runSoak({ ...DAY, seed, days });
      const summary = summarize(report);

      expect(summary.falseFailovers).toBe(0);
      expect(summary.falseFailbacks).toBe(0);
      expect(summary.missedFailoverRounds).toBe(0);
      expect(summary.missedFailbackRounds).toBe(0);
      expect(summary.outOfBound).toEqual([]);
      // The day is eventful enough to mean something: outages, flaps and blips that were sat out.
      expect(report.flips.failovers).toBeGreaterThan(30 * days);
      expect(summary.detection.count).toBeGreaterThan(30 * days);
      expect(report.flips.autoFailbacks + report.flips.operatorFailbacks).toBeGreaterThan(20 * days);
      expect(report.incidents.blip.seen - report.incidents.blip.failedOver).toBeGreaterThan(10 * days);
      expect(report.incidents.flapping.seen).toBeGreaterThan(5 * days);
      // A steady state writes nothing: only changes are written.
      expect(report.writes / report.rounds).toBeLessThan(0.05);
    },
  );

  it('replays the same day from the same seed', () => {
    const first = runSoak({ seed: 99, services: 5, days: 0.25 });
    const second = runSoak({ seed: 99, services: 5, days: 0.25 });

    expect(summarize(second)).toEqual(summarize(first));
    expect(second.flips).toEqual(first.flips);
    expect(second.writes).toBe(first.writes);
  });

  it('catches an engine that fails over one round early', () => {
    const hasty: typeof decide = (state, observation, policy, order, now) =>
      decide(
        state,
        observation,
        { ...policy, failureThreshold: Math.max(1, policy.failureThreshold - 1) },
        order,
        now,
      );

    const summary = summarize(runSoak({ ...QUARTER_DAY, seed: 20260105, decide: hasty }));

    expect(summary.falseFailovers).toBeGreaterThan(0);
  });

  it('catches an engine that drops some failovers', () => {
    let dropped = 0;
    const forgetful: typeof decide = (state, observation, policy, order, now) => {
      const decision = decide(state, observation, policy, order, now);
      if (!decision.actions.some((action) => action.type === 'failover') || dropped++ % 2 === 1)
        return decision;
      // Traffic stays where it is, nothing on its way.
      return { next: { ...decision.next, moving: null }, actions: [] };
    };

    const summary = summarize(runSoak({ ...QUARTER_DAY, seed: 20260105, decide: forgetful }));

    expect(summary.missedFailoverRounds).toBeGreaterThan(0);
  });

  it('catches an engine that waits one round too many', () => {
    const slow: typeof decide = (state, observation, policy: Policy, order, now) =>
      decide(state, observation, { ...policy, failureThreshold: policy.failureThreshold + 1 }, order, now);

    const summary = summarize(runSoak({ ...QUARTER_DAY, seed: 20260105, decide: slow }));

    expect(summary.outOfBound.length + summary.missedFailoverRounds).toBeGreaterThan(0);
  });

  it('catches an engine that fails back by itself under failback: manual', () => {
    const eager: typeof decide = (state, observation, policy, order, now) =>
      decide(state, observation, { ...policy, failback: 'auto' }, order, now);

    const report = runSoak({ ...QUARTER_DAY, seed: 20260105, decide: eager });

    expect(report.falseFailbacks.map((violation) => violation.what)).toContain(
      'automatic failback under failback: manual',
    );
  });
});
