import { describe, expect, it } from 'vitest';
import { heaviest, shareWeights } from '../../../shared/domain/active-active.ts';
import { afterShares } from '../../../shared/domain/after-flip.ts';
import type { Policy } from '../../../shared/domain/config.ts';
import { decide } from '../../../shared/domain/decide.ts';
import { type FlipAction, isFlipAction } from '../../../shared/domain/events.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { claim, failureOf, fence, type Move, release, stillClaimable } from '../../../shared/domain/move.ts';
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
  stepAlarm: null,
  activeActive: { weights: { a: 50, b: 30, c: 20 }, minHealthyTargets: 1 },
};

const up: TargetHealth = { status: 'up', okStreak: 5, failStreak: 0, since: T0, last: [] };
const start: ServiceState = { ...initialState('svc', 'a'), targets: { a: up, b: up, c: up } };

function round(ok: Record<string, boolean>, at: number): Observation {
  return {
    at,
    targets: Object.fromEntries(Object.entries(ok).map(([id, yes]) => [id, { ok: yes, checks: [] }])),
  };
}

function flipOf(actions: readonly { type: string }[]): FlipAction | undefined {
  return actions.filter((a): a is FlipAction => isFlipAction(a as FlipAction)).at(0);
}

describe('shareWeights', () => {
  it('scales the configured weights of the members to the configured total', () => {
    expect(shareWeights({ a: 50, b: 30, c: 20 }, ORDER, { a: 100, b: 100 })).toEqual({ a: 63, b: 37, c: 0 });
    expect(shareWeights({ a: 50, b: 30, c: 20 }, ORDER, { a: 100, c: 100 })).toEqual({ a: 71, b: 0, c: 29 });
  });

  it('gives a ramping member its percent of its share, at least 1', () => {
    expect(shareWeights({ a: 50, b: 30, c: 20 }, ORDER, { a: 100, b: 100, c: 10 })).toEqual({
      a: 61,
      b: 37,
      c: 2,
    });
    expect(shareWeights({ a: 250, b: 3, c: 2 }, ORDER, { a: 100, b: 1, c: 1 })).toEqual({
      a: 253,
      b: 1,
      c: 1,
    });
  });
});

describe('heaviest', () => {
  it('names the target with the largest weight, the more preferred among equals', () => {
    expect(heaviest({ a: 30, b: 70, c: 70 }, ORDER)).toBe('b');
  });
});

describe('decide, active-active', () => {
  it('drains a DOWN target in one move: its share to the others in proportion', () => {
    const { next, actions } = decide(start, round({ a: true, b: true, c: false }, T0), POLICY, ORDER, T0);

    const flip = flipOf(actions);
    expect(flip).toMatchObject({ type: 'failover', epoch: 0, weights: { a: 63, b: 37, c: 0 } });
    expect(next.moving?.weights).toEqual({ a: 63, b: 37, c: 0 });
  });

  it('refuses a drain that would leave fewer UP targets than minHealthyTargets, and alerts once', () => {
    const policy: Policy = {
      ...POLICY,
      activeActive: { weights: { a: 50, b: 30, c: 20 }, minHealthyTargets: 2 },
    };

    const first = decide(start, round({ a: true, b: false, c: false }, T0), policy, ORDER, T0);
    const again = decide(
      first.next,
      round({ a: true, b: false, c: false }, T0 + 10_000),
      policy,
      ORDER,
      T0 + 10_000,
    );

    expect(flipOf(first.actions)).toBeUndefined();
    expect(first.actions).toMatchObject([{ type: 'alert', event: 'drain-refused' }]);
    expect(first.next.moving).toBeNull();
    expect(again.actions).toEqual([]);
  });

  it('changes nothing when every target is DOWN (fail static) and alerts', () => {
    const { next, actions } = decide(start, round({ a: false, b: false, c: false }, T0), POLICY, ORDER, T0);

    expect(flipOf(actions)).toBeUndefined();
    expect(actions).toMatchObject([{ type: 'alert', event: 'both-down' }]);
    expect(next.moving).toBeNull();
  });

  it('ramps a recovered target back by the policy steps, each on its own epoch, and rolls back at once', () => {
    const drained = afterShares(start, 'a', { a: 63, b: 37, c: 0 }, undefined, T0, 60);
    const t1 = T0 + 10_000;

    const back = decide(drained, round({ a: true, b: true, c: true }, t1), POLICY, ORDER, t1);
    const stepped = afterShares(
      back.next,
      'c',
      { a: 61, b: 37, c: 2 },
      { steps: [10, 50, 100], step: 0 },
      t1,
      60,
    );
    const early = decide(
      stepped,
      round({ a: true, b: true, c: true }, t1 + 30_000),
      POLICY,
      ORDER,
      t1 + 30_000,
    );
    const due = decide(
      stepped,
      round({ a: true, b: true, c: true }, t1 + 60_000),
      POLICY,
      ORDER,
      t1 + 60_000,
    );
    const failed = decide(
      stepped,
      round({ a: true, b: true, c: false }, t1 + 30_000),
      POLICY,
      ORDER,
      t1 + 30_000,
    );

    expect(flipOf(back.actions)).toMatchObject({
      type: 'failback',
      to: 'c',
      step: { step: 0 },
      weights: { a: 61, b: 37, c: 2 },
    });
    expect(stepped.epoch).toBe(drained.epoch + 1);
    expect(flipOf(early.actions)).toBeUndefined();
    expect(flipOf(due.actions)).toMatchObject({
      to: 'c',
      step: { step: 1 },
      weights: { a: 56, b: 33, c: 11 },
    });
    expect(flipOf(failed.actions)).toMatchObject({ type: 'failover', weights: { a: 63, b: 37, c: 0 } });
    expect(flipOf(failed.actions)?.step).toBeUndefined();
  });

  it('notifies failback-ready instead of ramping back when failback is manual', () => {
    const drained = afterShares(start, 'a', { a: 63, b: 37, c: 0 }, undefined, T0, 60);

    const { actions } = decide(
      drained,
      round({ a: true, b: true, c: true }, T0 + 1),
      { ...POLICY, failback: 'manual' },
      ORDER,
      T0 + 1,
    );

    expect(actions).toMatchObject([{ type: 'notify', event: 'failback-ready' }]);
  });
});

describe('the claim of an active-active move (review finding)', () => {
  const drain: Move = {
    service: 'svc',
    direction: 'failover',
    to: 'a',
    first: 'a',
    epoch: 3,
    requestedBy: 'watchdog',
    force: false,
    correlationId: 'c-1',
    weights: { a: 63, b: 37, c: 0 },
  };
  const decided: ServiceState = {
    ...start,
    epoch: 3,
    moving: { to: 'a', since: T0, weights: drain.weights },
  };

  it('keeps the weight map, so a re-send of the same move is fenced while the first is on its way', () => {
    const claimed = claim(decided, drain, T0 + 1_000);

    expect(claimed.moving?.weights).toEqual({ a: 63, b: 37, c: 0 });
    expect(fence(claimed, drain)).toBeNull();
    expect(stillClaimable(claimed, decided)).toBe(false);
  });

  it('can be released when its compare-and-swap failed, recording the failure', () => {
    const claimed = claim(decided, drain, T0 + 1_000);
    const failure = failureOf(drain, 3, 'Route 53 refused the change', T0 + 2_000);

    const released = release(claimed, claimed, drain, failure);

    expect(released).toMatchObject({ moving: null, lastFailure: { epoch: 3, to: 'a' } });
  });
});
