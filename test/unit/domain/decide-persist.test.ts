import { describe, expect, it } from 'vitest';
import { afterFlip } from '../../../shared/domain/after-flip.ts';
import { decide } from '../../../shared/domain/decide.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { needsWrite } from '../../../shared/domain/persist.ts';
import { healthOf } from '../../../shared/domain/state.ts';
import {
  checks,
  health,
  ORDER,
  observe,
  onSecondary,
  play,
  policy,
  SECOND,
  state,
  T0,
} from './decide-fixtures.ts';

const p = policy();

describe('initialState', () => {
  it('starts on the first target at epoch 0 with every target unknown and nothing pending', () => {
    const state = initialState('payments-api', 'primary');

    expect(state).toEqual({
      service: 'payments-api',
      epoch: 0,
      active: 'primary',
      moving: null,
      ramp: null,
      targets: {},
      lastFlipAt: null,
      claim: null,
      lastFailure: null,
      hold: null,
      paused: false,
      autoFailbacks: [],
      frozen: false,
      announced: [],
    });
    expect(healthOf(state, 'primary')).toEqual({
      status: 'unknown',
      okStreak: 0,
      failStreak: 0,
      since: null,
      last: [],
    });
    expect(healthOf(state, 'secondary')).toEqual({
      status: 'unknown',
      okStreak: 0,
      failStreak: 0,
      since: null,
      last: [],
    });
  });
});

describe('needsWrite', () => {
  it('writes nothing for a settled healthy service, whatever the fresh evidence', () => {
    const settled = play(initialState('payments-api', 'primary'), 'ok', 'ok', 10, p);

    const { next } = decide(settled.state, observe('ok', 'ok'), p, ORDER, settled.now + 10 * SECOND);

    expect(next.targets.primary?.last).not.toBe(settled.state.targets.primary?.last);
    expect(needsWrite(settled.state, next)).toBe(false);
  });

  it('writes nothing for a service that stays failed over with the primary down', () => {
    const settled = play(onSecondary(T0), 'fail', 'ok', 10, p);

    const { next } = decide(settled.state, observe('fail', 'ok'), p, ORDER, settled.now + 10 * SECOND);

    expect(needsWrite(settled.state, next)).toBe(false);
  });

  it('writes when a streak moves, even with the status unchanged', () => {
    const { next } = decide(state(), observe('fail', 'ok'), p, ORDER, T0);

    expect(next.targets.primary?.status).toBe('up');
    expect(needsWrite(state(), next)).toBe(true);
  });

  it('writes when an operator field, a list, the active target or a pending move changes', () => {
    const base = state();
    const hold = { kind: 'forced', by: 'alice', reason: 'x', at: T0 } as const;

    expect(needsWrite(base, { ...base, hold })).toBe(true);
    expect(needsWrite({ ...base, hold }, { ...base, hold: { ...hold, reason: 'y' } })).toBe(true);
    expect(needsWrite(base, { ...base, announced: ['both-down'] })).toBe(true);
    expect(needsWrite(base, { ...base, autoFailbacks: [T0] })).toBe(true);
    expect(needsWrite(base, { ...base, moving: { to: 'secondary', since: T0 } })).toBe(true);
    expect(needsWrite(base, { ...base, active: 'secondary' })).toBe(true);
  });

  it('ignores a change of the last check results only', () => {
    const base = state();

    const changed = {
      ...base,
      targets: { ...base.targets, primary: { ...healthOf(base, 'primary'), last: checks('fail') } },
    };

    expect(needsWrite(base, changed)).toBe(false);
  });
});

describe('afterFlip', () => {
  it('makes the target active, advances the epoch and clears the pending flip', () => {
    const pending = state({ moving: { to: 'secondary', since: T0 }, epoch: 2 });

    const next = afterFlip(pending, 'secondary', T0 + 5 * SECOND, 'automatic', 'primary');

    expect(next).toMatchObject({
      active: 'secondary',
      moving: null,
      epoch: 3,
      lastFlipAt: T0 + 5 * SECOND,
    });
  });

  it('lifts the flap freeze only when an operator fails back by hand', () => {
    const frozen = onSecondary(T0, { frozen: true, primary: health('up') });

    expect(afterFlip(frozen, 'primary', T0, 'operator', 'primary').frozen).toBe(false);
    expect(afterFlip(frozen, 'primary', T0, 'automatic', 'primary').frozen).toBe(true);
    expect(afterFlip(frozen, 'primary', T0, 'automatic', 'primary')).toMatchObject({
      active: 'primary',
      moving: null,
    });
  });
});
