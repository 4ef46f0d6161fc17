import { describe, expect, it } from 'vitest';
import { afterFlip } from '../../../shared/domain/after-flip.ts';
import { decide } from '../../../shared/domain/decide.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { needsWrite } from '../../../shared/domain/persist.ts';
import { checks, health, observe, onSecondary, play, policy, SECOND, state, T0 } from './decide-fixtures.ts';

const p = policy();

describe('initialState', () => {
  it('starts on the primary at epoch 0 with both targets unknown and nothing pending', () => {
    expect(initialState('payments-api')).toEqual({
      service: 'payments-api',
      phase: 'primary-active',
      epoch: 0,
      primary: { status: 'unknown', okStreak: 0, failStreak: 0, since: null, last: [] },
      secondary: { status: 'unknown', okStreak: 0, failStreak: 0, since: null, last: [] },
      lastFlipAt: null,
      pendingSince: null,
      claim: null,
      lastFailure: null,
      hold: null,
      paused: false,
      autoFailbacks: [],
      frozen: false,
      announced: [],
    });
  });
});

describe('needsWrite', () => {
  it('writes nothing for a settled healthy service, whatever the fresh evidence', () => {
    const settled = play(initialState('payments-api'), 'ok', 'ok', 10, p);

    const { next } = decide(settled.state, observe('ok', 'ok'), p, settled.now + 10 * SECOND);

    expect(next.primary.last).not.toBe(settled.state.primary.last);
    expect(needsWrite(settled.state, next)).toBe(false);
  });

  it('writes nothing for a service that stays failed over with the primary down', () => {
    const settled = play(onSecondary(T0), 'fail', 'ok', 10, p);

    const { next } = decide(settled.state, observe('fail', 'ok'), p, settled.now + 10 * SECOND);

    expect(needsWrite(settled.state, next)).toBe(false);
  });

  it('writes when a streak moves, even with the status unchanged', () => {
    const { next } = decide(state(), observe('fail', 'ok'), p, T0);

    expect(next.primary.status).toBe('up');
    expect(needsWrite(state(), next)).toBe(true);
  });

  it('writes when an operator field, a list or the phase changes', () => {
    const base = state();
    const hold = { kind: 'forced', by: 'alice', reason: 'x', at: T0 } as const;

    expect(needsWrite(base, { ...base, hold })).toBe(true);
    expect(needsWrite({ ...base, hold }, { ...base, hold: { ...hold, reason: 'y' } })).toBe(true);
    expect(needsWrite(base, { ...base, announced: ['both-down'] })).toBe(true);
    expect(needsWrite(base, { ...base, autoFailbacks: [T0] })).toBe(true);
    expect(needsWrite(base, { ...base, phase: 'failing-over' })).toBe(true);
  });

  it('ignores a change of the last check results only', () => {
    const base = state();

    const changed = { ...base, primary: { ...base.primary, last: checks('fail') } };

    expect(needsWrite(base, changed)).toBe(false);
  });
});

describe('afterFlip', () => {
  it('makes the target active, advances the epoch and clears the pending flip', () => {
    const pending = state({ phase: 'failing-over', epoch: 2, pendingSince: T0 });

    const next = afterFlip(pending, 'secondary', T0 + 5 * SECOND, 'automatic');

    expect(next).toMatchObject({
      phase: 'secondary-active',
      epoch: 3,
      lastFlipAt: T0 + 5 * SECOND,
      pendingSince: null,
    });
  });

  it('lifts the flap freeze only when an operator fails back by hand', () => {
    const frozen = onSecondary(T0, { frozen: true, primary: health('up') });

    expect(afterFlip(frozen, 'primary', T0, 'operator').frozen).toBe(false);
    expect(afterFlip(frozen, 'primary', T0, 'automatic').frozen).toBe(true);
    expect(afterFlip(frozen, 'primary', T0, 'automatic').phase).toBe('primary-active');
  });
});
