import { describe, expect, it } from 'vitest';
import { decide, decideByQuorum } from '../../../shared/domain/decide.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { claim, fence, type Move, record } from '../../../shared/domain/move.ts';
import { tally } from '../../../shared/domain/quorum.ts';
import { splitWeights } from '../../../shared/domain/ramp.ts';
import { reconcileWeights } from '../../../shared/domain/reconcile.ts';
import type { Ramp, ServiceState } from '../../../shared/domain/state.ts';
import { health, MINUTE, ORDER, observe, policy, SECOND, T0 } from './decide-fixtures.ts';

const STEPS = [10, 50, 100];
const ramping = policy({ failbackSteps: STEPS, stepHoldSeconds: 60, minDwellSeconds: 0 });

function onSecondary(overrides: Partial<ServiceState> = {}): ServiceState {
  return {
    ...initialState('payments-api', 'primary'),
    active: 'secondary',
    epoch: 4,
    lastFlipAt: T0 - 30 * MINUTE,
    targets: { primary: health('up'), secondary: health('up') },
    ...overrides,
  };
}
function atStep(step: number, since = T0 - 2 * MINUTE): ServiceState {
  const ramp: Ramp = {
    from: 'secondary',
    to: 'primary',
    steps: STEPS,
    step,
    since,
    holdSeconds: 60,
    by: 'watchdog',
  };
  return onSecondary({ ramp });
}

describe('decide: gradual failback (issue #13)', () => {
  it('starts a failback with its first step, counted once in the flap window', () => {
    const { next, actions } = decide(onSecondary(), observe('ok', 'ok'), ramping, ORDER, T0);

    expect(actions).toEqual([
      expect.objectContaining({ type: 'failback', to: 'primary', epoch: 4, step: { steps: STEPS, step: 0 } }),
    ]);
    expect(next.moving).toEqual({ to: 'primary', since: T0, step: { steps: STEPS, step: 0 } });
    expect(next.autoFailbacks).toEqual([T0]);
  });

  it('fails back all at once with the default steps, exactly as before', () => {
    const { actions } = decide(onSecondary(), observe('ok', 'ok'), policy({ minDwellSeconds: 0 }), ORDER, T0);

    expect(actions).toHaveLength(1);
    expect(actions[0]).not.toHaveProperty('step');
  });

  it('holds a step until its hold has passed', () => {
    const { next, actions } = decide(atStep(0, T0 - 59 * SECOND), observe('ok', 'ok'), ramping, ORDER, T0);

    expect(actions).toEqual([]);
    expect(next.moving).toBeNull();
  });

  it('advances to the next step once the hold has passed, and to all the traffic after the last split', () => {
    const second = decide(atStep(0), observe('ok', 'ok'), ramping, ORDER, T0);
    const last = decide(atStep(1), observe('ok', 'ok'), ramping, ORDER, T0);

    expect(second.actions[0]).toMatchObject({ type: 'failback', to: 'primary', step: { step: 1 } });
    expect(last.actions[0]).toMatchObject({ type: 'failback', to: 'primary' });
    expect(last.actions[0]).not.toHaveProperty('step');
    expect(second.next.autoFailbacks).toEqual([]);
  });

  it.each([
    ['INSUFFICIENT_DATA', []],
    ['OK', ['primary']],
  ] as const)('with the step alarm %s, moves to %j', (gate, moves) => {
    const { actions } = decide(atStep(0), { ...observe('ok', 'ok'), gate }, ramping, ORDER, T0);

    expect(actions.map((a) => ('to' in a ? a.to : a.type))).toEqual(moves);
  });

  it('rolls back at once on ALARM, even before the hold has passed', () => {
    const { actions } = decide(atStep(1, T0), { ...observe('ok', 'ok'), gate: 'ALARM' }, ramping, ORDER, T0);

    expect(actions[0]).toMatchObject({ type: 'failover', to: 'secondary', epoch: 4 });
    expect(actions[0]).not.toHaveProperty('step');
  });

  it('rolls back in the round the primary turns DOWN, naming the step', () => {
    const failing = atStep(1, T0);
    const state = {
      ...failing,
      targets: { ...failing.targets, primary: health('up', { failStreak: 2, okStreak: 0 }) },
    };

    const { next, actions } = decide(state, observe('fail', 'ok'), ramping, ORDER, T0);

    expect(next.targets.primary?.status).toBe('down');
    expect(actions[0]).toMatchObject({ type: 'failover', to: 'secondary' });
    expect(actions[0] && 'reason' in actions[0] && actions[0].reason).toContain('50 % step');
  });

  it('finishes the failback at once when the standby fails mid-ramp', () => {
    const ramp = atStep(0, T0);
    const state = { ...ramp, targets: { ...ramp.targets, secondary: health('down') } };

    const { actions } = decide(state, observe('ok', 'fail'), ramping, ORDER, T0);

    expect(actions[0]).toMatchObject({ type: 'failback', to: 'primary' });
    expect(actions[0]).not.toHaveProperty('step');
  });
});

describe('moves of a ramp (issue #13)', () => {
  const step0: Move = {
    service: 'payments-api',
    direction: 'failback',
    to: 'primary',
    first: 'primary',
    epoch: 4,
    requestedBy: 'watchdog',
    force: false,
    correlationId: 'c-1',
    step: { steps: STEPS, step: 0 },
  };

  it('records a step on its own epoch with the ramp, the standby still active', () => {
    const claimed = claim(onSecondary({ moving: { to: 'primary', since: T0, step: step0.step } }), step0, T0);

    const next = record(claimed, 4, step0, T0 + SECOND, 90);

    expect(next).toMatchObject({
      epoch: 5,
      active: 'secondary',
      moving: null,
      ramp: { from: 'secondary', to: 'primary', step: 0, since: T0 + SECOND, holdSeconds: 90 },
    });
  });

  it('refuses a late step of another percent decided on the same epoch', () => {
    const state = onSecondary({ moving: { to: 'primary', since: T0 } });

    expect(fence(state, step0)).toMatchObject({ outcome: 'stale' });
  });

  it('splits the weight so both sides keep at least 1 and the sum stays the active weight', () => {
    expect(splitWeights(100, 10)).toEqual({ to: 10, from: 90 });
    expect(splitWeights(3, 1)).toEqual({ to: 1, from: 2 });
    expect(splitWeights(2, 99)).toEqual({ to: 1, from: 1 });
    expect(splitWeights(255, 100)).toEqual({ to: 255, from: 0 });
  });
});

describe('reconcileWeights (issue #13)', () => {
  const view = (primary: number, secondary: number) => ({
    weights: { primary, secondary },
    order: ORDER,
    activeWeight: 100,
    holdSeconds: 60,
  });

  it('leaves a split alone that the ramp explains', () => {
    expect(reconcileWeights(atStep(1), view(50, 50), T0, 'primary')).toBeNull();
  });

  it('records a step whose write was lost, past the grace, without a second change', () => {
    const state = {
      ...atStep(0),
      moving: { to: 'primary', since: T0 - 10 * MINUTE, step: { steps: STEPS, step: 1 } },
    };

    const result = reconcileWeights(state, view(50, 50), T0, 'primary');

    expect(result).toMatchObject({ kind: 'lost-write', next: { epoch: 5, ramp: { step: 1 }, moving: null } });
  });

  it('calls a split nobody recorded a hand edit: an operator hold, the weights left as they are', () => {
    const result = reconcileWeights(onSecondary(), view(30, 70), T0, 'primary');

    expect(result).toMatchObject({
      kind: 'hand-edit',
      next: { epoch: 5, active: 'secondary', hold: { kind: 'manual-edit' } },
    });
    expect(result && reconcileWeights(result.next, view(30, 70), T0, 'primary')).toBeNull();
  });

  it('calls all the traffic on one target during a ramp a hand edit, ending the ramp', () => {
    const result = reconcileWeights(atStep(1), view(100, 0), T0, 'primary');

    expect(result).toMatchObject({
      kind: 'hand-edit',
      next: { active: 'primary', ramp: null, hold: { kind: 'manual-edit' } },
    });
  });
});

describe('decideByQuorum during a ramp, the quorum lost (review finding)', () => {
  const lost = tally([], { regions: ['us-east-1', 'us-east-2', 'us-west-2'], quorum: 2 }, ORDER, ramping, T0);

  it('still rolls the ramp back when its step alarm fires: the alarm needs no vote', () => {
    const { actions } = decideByQuorum(atStep(1), lost, {}, ramping, ORDER, T0, 'ALARM');

    expect(actions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'failover', to: 'secondary', epoch: 4 })]),
    );
    expect(actions).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'quorum-lost' })]));
  });

  it('neither advances the ramp nor starts anything on stale health', () => {
    const { next, actions } = decideByQuorum(atStep(1), lost, {}, ramping, ORDER, T0, 'OK');

    expect(actions.filter((a) => a.type === 'failover' || a.type === 'failback')).toEqual([]);
    expect(next.moving).toBeNull();
  });
});
