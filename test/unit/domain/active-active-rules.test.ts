/** The active-active rules (issue #13 item 3) beyond a plain drain and ramp: gates, holds, re-sends. */
import { describe, expect, it } from 'vitest';
import { afterShares } from '../../../shared/domain/after-flip.ts';
import type { Policy } from '../../../shared/domain/config.ts';
import { decide } from '../../../shared/domain/decide.ts';
import { type Action, type FlipAction, isFlipAction } from '../../../shared/domain/events.ts';
import { FlipPlanError, planFlip } from '../../../shared/domain/flip-plan.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { fence, type Move, record } from '../../../shared/domain/move.ts';
import type { TrafficReading } from '../../../shared/domain/ports.ts';
import type { GateState } from '../../../shared/domain/ramp.ts';
import type { Observation, ServiceState, TargetHealth } from '../../../shared/domain/state.ts';

const ORDER = ['a', 'b', 'c'] as const;
const T0 = Date.UTC(2026, 0, 1);
const POLICY: Policy = {
  probeIntervalSeconds: 10,
  failureThreshold: 1,
  recoveryThreshold: 1,
  minDwellSeconds: 0,
  failback: 'auto',
  maxAutoFailbacksPerHour: 10,
  failbackSteps: [10, 50, 100],
  stepHoldSeconds: 60,
  stepAlarm: 'errors',
  activeActive: { weights: { a: 50, b: 30, c: 20 }, minHealthyTargets: 1 },
};
const up: TargetHealth = { status: 'up', okStreak: 5, failStreak: 0, since: T0, last: [] };
const start: ServiceState = { ...initialState('svc', 'a'), targets: { a: up, b: up, c: up } };
const drained = afterShares(start, 'a', { a: 63, b: 37, c: 0 }, undefined, T0, 60);
const ramping = afterShares(drained, 'c', { a: 61, b: 37, c: 2 }, { steps: [10, 50, 100], step: 0 }, T0, 60);

function observe(ok: Record<string, boolean>, at: number, gate?: GateState): Observation {
  return {
    at,
    targets: Object.fromEntries(Object.entries(ok).map(([id, yes]) => [id, { ok: yes, checks: [] }])),
    ...(gate === undefined ? {} : { gate }),
  };
}
const flipOf = (actions: readonly Action[]): FlipAction | undefined => actions.find(isFlipAction);
const ALL_UP = { a: true, b: true, c: true };

describe('decide, active-active: gates and holds', () => {
  it('drains the ramping target at once when its step alarm is in ALARM', () => {
    const { actions } = decide(ramping, observe(ALL_UP, T0 + 1000, 'ALARM'), POLICY, ORDER, T0 + 1000);

    expect(flipOf(actions)).toMatchObject({ type: 'failover', weights: { a: 63, b: 37, c: 0 } });
    expect(flipOf(actions)?.reason).toContain('step alarm is in ALARM');
  });

  it('holds the step while the alarm has insufficient data, past the hold', () => {
    const { actions } = decide(
      ramping,
      observe(ALL_UP, T0 + 120_000, 'INSUFFICIENT_DATA'),
      POLICY,
      ORDER,
      T0 + 120_000,
    );

    expect(actions).toEqual([]);
  });

  it('keeps a ramp going at its step when another target is drained meanwhile', () => {
    const { actions } = decide(
      ramping,
      observe({ a: true, b: false, c: true }, T0 + 1000),
      POLICY,
      ORDER,
      T0 + 1000,
    );

    expect(flipOf(actions)).toMatchObject({ to: 'c', step: { step: 0 }, weights: { a: 96, b: 0, c: 4 } });
  });

  it('alerts failover-blocked instead of draining while paused', () => {
    const { actions } = decide(
      { ...start, paused: true },
      observe({ a: true, b: true, c: false }, T0),
      POLICY,
      ORDER,
      T0,
    );

    expect(actions).toMatchObject([{ type: 'alert', event: 'failover-blocked' }]);
  });

  it('brings a drained target back at once, whole, when every target with weight goes DOWN', () => {
    const onlyA = afterShares(start, 'a', { a: 100, b: 0, c: 0 }, undefined, T0, 60);

    const { actions } = decide(
      onlyA,
      observe({ a: false, b: true, c: false }, T0 + 1000),
      POLICY,
      ORDER,
      T0 + 1000,
    );

    expect(flipOf(actions)).toMatchObject({ type: 'failover', to: 'b', weights: { a: 0, b: 100, c: 0 } });
  });

  it('re-sends a move on its way after the pending timeout, and withdraws it once it is no longer wanted', () => {
    const decided = decide(start, observe({ a: true, b: true, c: false }, T0), POLICY, ORDER, T0).next;

    const waiting = decide(
      decided,
      observe({ a: true, b: true, c: false }, T0 + 5_000),
      POLICY,
      ORDER,
      T0 + 5_000,
    );
    const resent = decide(
      decided,
      observe({ a: true, b: true, c: false }, T0 + 600_000),
      POLICY,
      ORDER,
      T0 + 600_000,
    );
    const recovered = decide(decided, observe(ALL_UP, T0 + 5_000), POLICY, ORDER, T0 + 5_000);

    expect(waiting.actions).toEqual([]);
    expect(flipOf(resent.actions)).toMatchObject({ epoch: 0, weights: { a: 63, b: 37, c: 0 } });
    expect(recovered.next.moving).toBeNull();
  });

  it('freezes readmission at the flap limit', () => {
    const busy = { ...drained, autoFailbacks: [T0 - 1000, T0 - 2000] };

    const { next, actions } = decide(
      busy,
      observe(ALL_UP, T0 + 1000),
      { ...POLICY, maxAutoFailbacksPerHour: 2 },
      ORDER,
      T0 + 1000,
    );

    expect(flipOf(actions)).toBeUndefined();
    expect(next.frozen).toBe(true);
  });
});

describe('moves and plans with a weight map', () => {
  const move: Move = {
    service: 'svc',
    direction: 'failover',
    to: 'a',
    first: 'a',
    epoch: 0,
    requestedBy: 'watchdog',
    force: false,
    correlationId: 'c',
    weights: { a: 63, b: 37, c: 0 },
  };
  const set = (id: string, weight: number) => ({
    Name: 'x.',
    Type: 'CNAME',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
  });
  const reading: TrafficReading = {
    service: 'svc',
    active: null,
    sets: { a: set('a', 50), b: set('b', 30), c: set('c', 20) },
  };

  it('fences a map that is not the one on its way, and records the one that is on its next epoch', () => {
    const decided = { ...start, moving: { to: 'a', since: T0, weights: { a: 63, b: 37, c: 0 } } };

    expect(fence(decided, { ...move, weights: { a: 70, b: 30, c: 0 } })?.outcome).toBe('stale');
    expect(fence(decided, move)).toBeNull();
    expect(record(decided, 0, move, T0, 60)).toMatchObject({
      epoch: 1,
      moving: null,
      shares: { weights: { a: 63, b: 37, c: 0 } },
    });
    expect(fence({ ...drained, epoch: 0 }, move)?.outcome).toBe('already-active');
  });

  it('plans one compare-and-swap of every record with the map, and refuses a map of zeros', () => {
    const plan = planFlip(reading, 'a', 100, { weights: { a: 63, b: 37, c: 0 } });

    expect(
      plan.kind === 'flip' &&
        plan.changes.filter((c) => c.Action === 'CREATE').map((c) => c.ResourceRecordSet.Weight),
    ).toEqual([63, 37, 0]);
    expect(plan.kind === 'flip' && plan.comment).toContain('a 63, b 37, c 0');
    expect(() => planFlip(reading, 'a', 100, { weights: { a: 0, b: 0, c: 0 } })).toThrow(FlipPlanError);
    expect(() => planFlip(reading, 'a', 100, { weights: { a: 300, b: 0, c: 0 } })).toThrow(FlipPlanError);
    expect(planFlip(reading, 'a', 100, { weights: { a: 50, b: 30, c: 20 } }).kind).toBe('already-active');
  });
});
