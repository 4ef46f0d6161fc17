import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import { pendingTimeoutMs } from '../../../shared/domain/flip-timing.ts';
import { health, kinds, MINUTE, ORDER, observe, play, policy, SECOND, state, T0 } from './decide-fixtures.ts';

const p = policy({ failureThreshold: 3, recoveryThreshold: 6 });
const hold = { kind: 'forced', by: 'alice', reason: 'db migration', at: T0 } as const;

describe('decide on the primary', () => {
  it('fails over once the primary has failed failureThreshold rounds and the secondary is up', () => {
    const before = state({ epoch: 4 });

    const { state: next, actions, now } = play(before, 'fail', 'ok', 3, p);

    expect(actions).toEqual([
      {
        type: 'failover',
        to: 'secondary',
        epoch: 4,
        reason: 'primary down for 3 rounds (status 503 not in [200]); secondary up',
        evidence: {
          primary: observe('fail', 'ok').targets.primary?.checks,
          secondary: observe('fail', 'ok').targets.secondary?.checks,
        },
      },
    ]);
    expect(next).toMatchObject({ active: 'primary', moving: { to: 'secondary', since: now }, epoch: 4 });
  });

  it('does not fail over before failureThreshold consecutive primary failures', () => {
    const { state: next, actions } = play(state(), 'fail', 'ok', 2, p);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'primary', moving: null });
    expect(next.targets.primary?.status).toBe('up');
  });

  it('keeps traffic on the primary and alerts once when both targets are down', () => {
    const { state: next, actions } = play(state({ secondary: health('down') }), 'fail', 'fail', 10, p);

    expect(kinds(actions)).toEqual(['alert:both-down']);
    expect(next).toMatchObject({ active: 'primary', moving: null });
    expect(next.announced).toEqual(['both-down']);
  });

  it('names both targets and the fail-static choice in the both-down alert', () => {
    const { actions } = play(state({ secondary: health('down') }), 'fail', 'fail', 3, p);

    expect(actions[0]).toMatchObject({
      message: expect.stringMatching(
        /^both targets down: primary down for 3 rounds .*; traffic stays on the primary/,
      ),
    });
  });

  it('announces both-down again when it recurs after the condition cleared', () => {
    const first = play(state({ secondary: health('down') }), 'fail', 'fail', 3, p);
    const cleared = play(first.state, 'ok', 'fail', 6, p, first.now + 10 * SECOND);
    const again = play(cleared.state, 'fail', 'fail', 3, p, cleared.now + 10 * SECOND);

    expect(cleared.state.announced).toEqual([]);
    expect(kinds(again.actions)).toEqual(['alert:both-down']);
  });

  it('waits without alerting while the secondary is not yet known', () => {
    const { state: next, actions } = play(state({ secondary: health('unknown') }), 'fail', 'fail', 2, p);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'primary', moving: null });
  });

  it('alerts failover-blocked once instead of failing over while paused', () => {
    const { state: next, actions } = play(state({ paused: true }), 'fail', 'ok', 10, p);

    expect(kinds(actions)).toEqual(['alert:failover-blocked']);
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('not failing over: automation is paused'),
    });
    expect(next).toMatchObject({ active: 'primary', moving: null });
  });

  it('alerts failover-blocked instead of failing over while an operator hold is set', () => {
    const { actions } = play(state({ hold }), 'fail', 'ok', 3, p);

    expect(kinds(actions)).toEqual(['alert:failover-blocked']);
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('held by alice (forced: db migration)'),
    });
  });

  it('fails over as soon as automation is resumed', () => {
    const blocked = play(state({ paused: true }), 'fail', 'ok', 3, p);

    const { actions } = decide(
      { ...blocked.state, paused: false },
      observe('fail', 'ok'),
      p,
      ORDER,
      blocked.now + 10 * SECOND,
    );

    expect(kinds(actions)).toEqual(['failover']);
  });

  it('fails over even while automatic failback is frozen by flap damping', () => {
    const { actions } = play(state({ frozen: true, announced: ['flapping-frozen'] }), 'fail', 'ok', 3, p);

    expect(kinds(actions)).toEqual(['failover']);
  });
});

describe('decide while failing over', () => {
  const pending = state({ moving: { to: 'secondary', since: T0 }, epoch: 7, primary: health('down') });

  it('waits for the failover function until the pending timeout', () => {
    const now = T0 + pendingTimeoutMs(p) - 1;

    const { next, actions } = decide(pending, observe('fail', 'ok'), p, ORDER, now);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'primary', moving: { to: 'secondary', since: T0 } });
  });

  it('sends the failover again with the same epoch after the pending timeout', () => {
    const now = T0 + pendingTimeoutMs(p);

    const { next, actions } = decide(pending, observe('fail', 'ok'), p, ORDER, now);

    expect(actions).toMatchObject([
      { type: 'failover', to: 'secondary', epoch: 7, reason: expect.stringContaining('epoch 7') },
    ]);
    expect(next).toMatchObject({ active: 'primary', moving: { to: 'secondary', since: now }, epoch: 7 });
  });

  it('withdraws the failover when the primary is up again before the flip', () => {
    const { state: next, actions } = play(pending, 'ok', 'ok', 6, p);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'primary', moving: null, epoch: 7 });
  });

  it('withdraws the failover and alerts both-down when the secondary goes down meanwhile', () => {
    const { state: next, actions } = play(pending, 'fail', 'fail', 3, p);

    expect(kinds(actions)).toEqual(['alert:both-down']);
    expect(next).toMatchObject({ active: 'primary', moving: null });
  });

  it('withdraws the failover and alerts failover-blocked when automation is paused meanwhile', () => {
    const { next, actions } = decide(
      { ...pending, paused: true },
      observe('fail', 'ok'),
      p,
      ORDER,
      T0 + SECOND,
    );

    expect(kinds(actions)).toEqual(['alert:failover-blocked']);
    expect(next).toMatchObject({ active: 'primary', moving: null });
  });
});

describe('pendingTimeoutMs', () => {
  it('waits at least two minutes, and three probe intervals when those are longer', () => {
    expect(pendingTimeoutMs(policy({ probeIntervalSeconds: 10 }))).toBe(2 * MINUTE);
    expect(pendingTimeoutMs(policy({ probeIntervalSeconds: 60 }))).toBe(3 * MINUTE);
  });
});
