/**
 * One simulated day of the active-active soak (issue #13 item 3): no false or missed drains, no
 * weight given back to a target that is not UP, the configured total kept. Engines broken on purpose
 * show that the judge notices.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import { runActiveActiveSoak } from './active-active.ts';

const QUARTER_DAY = { services: 20, days: 0.25 };

describe('the simulated soak, active-active', () => {
  it('runs 20 services of three targets for a day with no false or missed drain', () => {
    const report = runActiveActiveSoak({ seed: 20260105, services: 20, days: 1 });

    expect(report.falseDrains).toEqual([]);
    expect(report.falseReturns).toEqual([]);
    expect(report.missedDrainRounds).toEqual([]);
    expect(report.badTotals).toEqual([]);
    // Eventful enough to mean something: drains, returns, and drains refused by minHealthyTargets.
    expect(report.drains).toBeGreaterThan(30);
    expect(report.returns).toBeGreaterThan(20);
    expect(report.notices['drain-refused'] ?? 0).toBeGreaterThan(0);
  });

  it('catches an engine that drains one round early', () => {
    const hasty: typeof decide = (state, observation, policy, order, now) =>
      decide(
        state,
        observation,
        { ...policy, failureThreshold: Math.max(1, policy.failureThreshold - 1) },
        order,
        now,
      );

    const report = runActiveActiveSoak({ ...QUARTER_DAY, seed: 20260105, decide: hasty });

    expect(report.falseDrains.length).toBeGreaterThan(0);
  });

  it('catches an engine that drops some drains', () => {
    let seen = 0;
    const forgetful: typeof decide = (state, observation, policy, order, now) => {
      const decision = decide(state, observation, policy, order, now);
      if (!decision.actions.some((a) => a.type === 'failover') || seen++ % 2 === 1) return decision;
      return { next: { ...decision.next, moving: null }, actions: [] };
    };

    const report = runActiveActiveSoak({ ...QUARTER_DAY, seed: 20260105, decide: forgetful });

    expect(report.missedDrainRounds.length).toBeGreaterThan(0);
  });
});
