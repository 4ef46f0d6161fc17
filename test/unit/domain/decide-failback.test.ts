import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import { FLAP_WINDOW_MS, pendingTimeoutMs } from '../../../shared/domain/flip-timing.ts';
import {
  health,
  kinds,
  MINUTE,
  ORDER,
  observe,
  onSecondary,
  play,
  policy,
  SECOND,
  T0,
} from './decide-fixtures.ts';

const p = policy({
  recoveryThreshold: 6,
  minDwellSeconds: 600,
  failback: 'auto',
  maxAutoFailbacksPerHour: 2,
});
const longAgo = T0 - 60 * MINUTE;

describe('decide on the secondary', () => {
  it('fails back automatically once the primary has recovered and the dwell has passed', () => {
    const { state: next, actions, now } = play(onSecondary(longAgo, { epoch: 3 }), 'ok', 'ok', 6, p);

    expect(actions).toMatchObject([
      {
        type: 'failback',
        to: 'primary',
        epoch: 3,
        reason: 'primary up for 6 rounds; 1 h since the last flip; secondary up',
      },
    ]);
    expect(next).toMatchObject({
      active: 'secondary',
      moving: { to: 'primary', since: now },
      autoFailbacks: [now],
    });
  });

  it('does not fail back before recoveryThreshold healthy rounds', () => {
    const { state: next, actions } = play(onSecondary(longAgo), 'ok', 'ok', 5, p);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'secondary', moving: null });
  });

  it('does not fail back within minDwellSeconds of the last flip', () => {
    const flippedAt = T0 - 5 * MINUTE;

    const early = play(onSecondary(flippedAt), 'ok', 'ok', 6, p);
    const later = decide(early.state, observe('ok', 'ok'), p, ORDER, flippedAt + 10 * MINUTE);

    expect(early.actions).toEqual([]);
    expect(kinds(later.actions)).toEqual(['failback']);
  });

  it('notifies failback-ready once and stays when failback is manual', () => {
    const manual = { ...p, failback: 'manual' } as const;

    const { state: next, actions } = play(onSecondary(longAgo), 'ok', 'ok', 20, manual);

    expect(kinds(actions)).toEqual(['notify:failback-ready']);
    expect(actions[0]).toMatchObject({ message: expect.stringContaining('failback is manual') });
    expect(next).toMatchObject({ active: 'secondary', moving: null });
  });

  it('notifies failback-ready instead of failing back while a planned-failover hold is set', () => {
    const hold = { kind: 'planned-failover', by: 'bob', reason: 'region maintenance', at: longAgo } as const;

    const { actions } = play(onSecondary(longAgo, { hold }), 'ok', 'ok', 8, p);

    expect(kinds(actions)).toEqual(['notify:failback-ready']);
    expect(actions[0]).toMatchObject({ message: expect.stringContaining('held by bob') });
  });

  it('freezes automatic failback and alerts once when the flap limit is reached', () => {
    const recent = [T0 - 30 * MINUTE, T0 - 20 * MINUTE];

    const { state: next, actions } = play(onSecondary(longAgo, { autoFailbacks: recent }), 'ok', 'ok', 20, p);

    expect(kinds(actions)).toEqual(['alert:flapping-frozen']);
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('2 automatic failbacks within the last hour'),
    });
    expect(next).toMatchObject({
      active: 'secondary',
      moving: null,
      frozen: true,
      announced: ['flapping-frozen'],
    });
  });

  it('freezes at once when no automatic failback is allowed per hour', () => {
    const { state: next, actions } = play(onSecondary(longAgo), 'ok', 'ok', 6, {
      ...p,
      maxAutoFailbacksPerHour: 0,
    });

    expect(kinds(actions)).toEqual(['alert:flapping-frozen']);
    expect(next.frozen).toBe(true);
  });

  it('stays frozen even after the flap window has emptied', () => {
    const frozen = onSecondary(longAgo, {
      frozen: true,
      announced: ['flapping-frozen'],
      primary: health('up'),
    });

    const { state: next, actions } = play(frozen, 'ok', 'ok', 5, p, T0 + 2 * FLAP_WINDOW_MS);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'secondary', moving: null, frozen: true });
  });

  it('fails back again once the oldest failback has left the flap window', () => {
    const window = [T0 - FLAP_WINDOW_MS, T0 - 20 * MINUTE];

    const { state: next, actions } = play(onSecondary(longAgo, { autoFailbacks: window }), 'ok', 'ok', 6, p);

    expect(kinds(actions)).toEqual(['failback']);
    expect(next.autoFailbacks).toHaveLength(2);
    expect(next.autoFailbacks).not.toContain(T0 - FLAP_WINDOW_MS);
  });

  it('fails back at once when the active secondary dies, whatever dwell, policy or freeze', () => {
    const stuck = onSecondary(T0, {
      primary: health('up'),
      frozen: true,
      announced: ['flapping-frozen'],
    });

    const { state: next, actions } = play(stuck, 'ok', 'fail', 3, { ...p, failback: 'manual' });

    expect(actions).toMatchObject([
      {
        type: 'failback',
        to: 'primary',
        reason: expect.stringMatching(/^secondary down for 3 rounds \(status 503 not in \[200\]\)/),
      },
    ]);
    expect(next).toMatchObject({ active: 'secondary', moving: { to: 'primary' }, autoFailbacks: [] });
  });

  it('alerts failover-blocked instead of an emergency failback while paused', () => {
    const { state: next, actions } = play(
      onSecondary(T0, { primary: health('up'), paused: true }),
      'ok',
      'fail',
      6,
      p,
    );

    expect(kinds(actions)).toEqual(['alert:failover-blocked']);
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('not failing back: automation is paused'),
    });
    expect(next).toMatchObject({ active: 'secondary', moving: null });
  });

  it('keeps traffic on the secondary and alerts once when both targets are down', () => {
    const { state: next, actions } = play(onSecondary(longAgo), 'fail', 'fail', 6, p);

    expect(kinds(actions)).toEqual(['alert:both-down']);
    expect(actions[0]).toMatchObject({ message: expect.stringContaining('traffic stays on the secondary') });
    expect(next).toMatchObject({ active: 'secondary', moving: null });
  });
});

describe('decide while failing back', () => {
  const pending = onSecondary(longAgo, {
    moving: { to: 'primary', since: T0 },
    epoch: 5,
    primary: health('up'),
  });

  it('sends the failback again with the same epoch after the pending timeout', () => {
    const early = decide(pending, observe('ok', 'ok'), p, ORDER, T0 + pendingTimeoutMs(p) - 1);
    const late = decide(pending, observe('ok', 'ok'), p, ORDER, T0 + pendingTimeoutMs(p));

    expect(early.actions).toEqual([]);
    expect(late.actions).toMatchObject([{ type: 'failback', to: 'primary', epoch: 5 }]);
    expect(late.next.autoFailbacks).toEqual(pending.autoFailbacks);
  });

  it('withdraws the failback when the primary fails again before the flip', () => {
    const { state: next, actions } = play(pending, 'fail', 'ok', 3, p);

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'secondary', moving: null, epoch: 5 });
  });

  it('withdraws the failback and notifies failback-ready when an operator holds the service meanwhile', () => {
    const hold = { kind: 'forced', by: 'carol', reason: 'investigating', at: T0 } as const;

    const { next, actions } = decide({ ...pending, hold }, observe('ok', 'ok'), p, ORDER, T0 + SECOND);

    expect(kinds(actions)).toEqual(['notify:failback-ready']);
    expect(next).toMatchObject({ active: 'secondary', moving: null });
  });
});
