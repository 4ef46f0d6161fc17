/**
 * Issue #19: one engine over any number of targets in preference order. These cases use three
 * targets (`primary`, `secondary`, `tertiary`); the two-target behaviour is in the other files.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import {
  health,
  kinds,
  MINUTE,
  moves,
  observeAll,
  playAll,
  policy,
  SECOND,
  stateOver,
  T0,
  THREE,
} from './decide-fixtures.ts';

const p = policy({
  failureThreshold: 3,
  recoveryThreshold: 6,
  minDwellSeconds: 600,
  maxAutoFailbacksPerHour: 2,
});
const longAgo = T0 - 60 * MINUTE;

describe('decide over three targets: leaving a DOWN active target', () => {
  it('moves to the most preferred UP target once the active one is DOWN', () => {
    const before = stateOver(THREE, 'primary', {}, { epoch: 4 });

    const {
      state: next,
      actions,
      now,
    } = playAll(before, THREE, { primary: 'fail', secondary: 'ok', tertiary: 'ok' }, 3, p);

    expect(moves(actions)).toMatchObject([{ type: 'failover', to: 'secondary', epoch: 4 }]);
    expect(next).toMatchObject({ active: 'primary', moving: { to: 'secondary', since: now }, epoch: 4 });
  });

  it('skips a DOWN target and moves to the next UP one', () => {
    const before = stateOver(THREE, 'primary', { secondary: 'down' });

    const { state: next, actions } = playAll(
      before,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'ok' },
      3,
      p,
    );

    expect(moves(actions)).toMatchObject([{ type: 'failover', to: 'tertiary' }]);
    expect(actions[0]).toMatchObject({
      reason: expect.stringMatching(/^primary down for 3 rounds .*; secondary down .*; tertiary up$/),
    });
    expect(next.moving?.to).toBe('tertiary');
  });

  it('never moves to a target that is not yet known, only to an UP one', () => {
    const unknownSecond = stateOver(THREE, 'primary', { secondary: 'unknown', tertiary: 'down' });
    const noneUp = stateOver(THREE, 'primary', { secondary: 'unknown', tertiary: 'unknown' });

    const past = playAll(unknownSecond, THREE, { primary: 'fail', tertiary: 'fail' }, 3, p);
    const blind = playAll(noneUp, THREE, { primary: 'fail', secondary: 'fail', tertiary: 'fail' }, 2, p);

    expect(moves(past.actions)).toEqual([]);
    expect(kinds(blind.actions)).toEqual([]);
    expect(blind.state).toMatchObject({ active: 'primary', moving: null });
  });

  it('passes over an unknown target to an UP one further down the order', () => {
    const before = stateOver(THREE, 'primary', { secondary: 'unknown' });

    const { actions } = playAll(before, THREE, { primary: 'fail', tertiary: 'ok' }, 3, p);

    expect(moves(actions)).toMatchObject([{ type: 'failover', to: 'tertiary' }]);
  });

  it('moves on from a DOWN second target to the third', () => {
    const onSecond = stateOver(THREE, 'secondary', { primary: 'down' }, { epoch: 1, lastFlipAt: longAgo });

    const { state: next, actions } = playAll(
      onSecond,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'ok' },
      3,
      p,
    );

    expect(moves(actions)).toMatchObject([{ type: 'failover', to: 'tertiary', epoch: 1 }]);
    expect(next).toMatchObject({ active: 'secondary', moving: { to: 'tertiary' }, autoFailbacks: [] });
  });

  it('alerts both-down once and moves nothing when every other target is DOWN', () => {
    const before = stateOver(THREE, 'primary', { secondary: 'down', tertiary: 'down' });

    const { state: next, actions } = playAll(
      before,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'fail' },
      10,
      p,
    );

    expect(kinds(actions)).toEqual(['alert:both-down']);
    expect(actions[0]).toMatchObject({
      message: expect.stringMatching(
        /^all 3 targets down: primary down .*; secondary down .*; tertiary down .*; traffic stays on the primary \(fail static\)$/,
      ),
    });
    expect(next).toMatchObject({ active: 'primary', moving: null, announced: ['both-down'] });
  });

  it('waits without alerting while the other targets are DOWN or not yet known', () => {
    const before = stateOver(THREE, 'primary', { secondary: 'down', tertiary: 'unknown' });

    const { actions } = playAll(
      before,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'fail' },
      2,
      p,
    );

    expect(actions).toEqual([]);
  });

  it('fails back at once from a dead third target to the most preferred UP one, whatever dwell, policy or freeze', () => {
    const stuck = stateOver(
      THREE,
      'tertiary',
      { primary: 'down' },
      { epoch: 2, lastFlipAt: T0, frozen: true, announced: ['flapping-frozen'] },
    );

    const { state: next, actions } = playAll(
      stuck,
      THREE,
      { primary: 'fail', secondary: 'ok', tertiary: 'fail' },
      3,
      { ...p, failback: 'manual' },
    );

    expect(moves(actions)).toMatchObject([
      {
        type: 'failback',
        to: 'secondary',
        reason: expect.stringMatching(/^tertiary down for 3 rounds .*; secondary up: failing back now/),
      },
    ]);
    expect(next).toMatchObject({ active: 'tertiary', moving: { to: 'secondary' }, autoFailbacks: [] });
  });

  it('alerts failover-blocked instead of moving while paused', () => {
    const before = stateOver(THREE, 'primary', { secondary: 'down' }, { paused: true });

    const { actions } = playAll(before, THREE, { primary: 'fail', secondary: 'fail', tertiary: 'ok' }, 5, p);

    expect(kinds(actions)).toEqual(['alert:failover-blocked']);
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('not failing over: automation is paused'),
    });
  });
});

describe('decide over three targets: failback', () => {
  it('climbs back to the most preferred UP target after the dwell', () => {
    const onThird = stateOver(
      THREE,
      'tertiary',
      { primary: 'down', secondary: 'down' },
      { epoch: 2, lastFlipAt: longAgo },
    );

    const {
      state: next,
      actions,
      now,
    } = playAll(onThird, THREE, { primary: 'fail', secondary: 'ok', tertiary: 'ok' }, 6, p);

    expect(moves(actions)).toMatchObject([
      {
        type: 'failback',
        to: 'secondary',
        epoch: 2,
        reason: expect.stringMatching(
          /^secondary up for 6 rounds; 1 h since the last flip; primary down .*; tertiary up$/,
        ),
      },
    ]);
    expect(next).toMatchObject({
      active: 'tertiary',
      moving: { to: 'secondary', since: now },
      autoFailbacks: [now],
    });
  });

  it('returns straight to the first target when it is UP, not one step at a time', () => {
    const onThird = stateOver(THREE, 'tertiary', {}, { epoch: 2, lastFlipAt: longAgo });

    const { actions } = decide(
      onThird,
      observeAll({ primary: 'ok', secondary: 'ok', tertiary: 'ok' }),
      p,
      THREE,
      T0,
    );

    expect(moves(actions)).toMatchObject([{ type: 'failback', to: 'primary' }]);
  });

  it('waits for minDwellSeconds before climbing back', () => {
    const flippedAt = T0 - 5 * MINUTE;
    const onThird = stateOver(THREE, 'tertiary', { primary: 'down' }, { epoch: 2, lastFlipAt: flippedAt });
    const verdicts = { primary: 'fail', secondary: 'ok', tertiary: 'ok' } as const;

    const early = playAll(onThird, THREE, verdicts, 6, p);
    const later = decide(early.state, observeAll(verdicts), p, THREE, flippedAt + 10 * MINUTE);

    expect(early.actions).toEqual([]);
    expect(moves(later.actions)).toMatchObject([{ type: 'failback', to: 'secondary' }]);
  });

  it('climbs again from the second target to the first once it recovers', () => {
    const onSecond = stateOver(THREE, 'secondary', { primary: 'down' }, { epoch: 3, lastFlipAt: longAgo });

    const { actions } = playAll(onSecond, THREE, { primary: 'ok', secondary: 'ok', tertiary: 'ok' }, 6, p);

    expect(moves(actions)).toMatchObject([{ type: 'failback', to: 'primary', epoch: 3 }]);
  });

  it('notifies failback-ready naming the target when failback is manual', () => {
    const onThird = stateOver(THREE, 'tertiary', { primary: 'down' }, { epoch: 2, lastFlipAt: longAgo });

    const { actions } = playAll(onThird, THREE, { primary: 'fail', secondary: 'ok', tertiary: 'ok' }, 10, {
      ...p,
      failback: 'manual',
    });

    expect(kinds(actions)).toEqual(['notify:failback-ready']);
    expect(actions[0]).toMatchObject({
      message: expect.stringMatching(
        /^failback ready: secondary up .*not failing back automatically: failback is manual$/,
      ),
    });
  });

  it('freezes automatic failback at the flap limit, whichever target it would return to', () => {
    const recent = [T0 - 30 * MINUTE, T0 - 20 * MINUTE];
    const onThird = stateOver(
      THREE,
      'tertiary',
      { primary: 'down' },
      { epoch: 2, lastFlipAt: longAgo, autoFailbacks: recent },
    );

    const { state: next, actions } = playAll(
      onThird,
      THREE,
      { primary: 'fail', secondary: 'ok', tertiary: 'ok' },
      10,
      p,
    );

    expect(kinds(actions)).toEqual(['alert:flapping-frozen']);
    expect(actions[0]).toMatchObject({ message: expect.stringContaining('traffic stays on the tertiary') });
    expect(next).toMatchObject({ active: 'tertiary', moving: null, frozen: true });
  });
});

describe('decide over three targets: a pending move', () => {
  it('waits for it and re-sends it to the same target with the same epoch after the timeout', () => {
    const pending = stateOver(
      THREE,
      'primary',
      { primary: 'down', secondary: 'down' },
      { epoch: 6, moving: { to: 'tertiary', since: T0 } },
    );
    const verdicts = { primary: 'fail', secondary: 'fail', tertiary: 'ok' } as const;

    const early = decide(pending, observeAll(verdicts), p, THREE, T0 + 2 * MINUTE - 1);
    const late = decide(pending, observeAll(verdicts), p, THREE, T0 + 2 * MINUTE);

    expect(early.actions).toEqual([]);
    expect(moves(late.actions)).toMatchObject([{ type: 'failover', to: 'tertiary', epoch: 6 }]);
    expect(late.next.moving).toEqual({ to: 'tertiary', since: T0 + 2 * MINUTE });
  });

  it('is withdrawn when the active target recovers before the flip', () => {
    const pending = stateOver(
      THREE,
      'primary',
      { primary: 'down', secondary: 'down' },
      { epoch: 6, moving: { to: 'tertiary', since: T0 } },
    );

    const { state: next, actions } = playAll(
      pending,
      THREE,
      { primary: 'ok', secondary: 'fail', tertiary: 'ok' },
      6,
      p,
      T0 + SECOND,
    );

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'primary', moving: null, epoch: 6 });
  });

  it('is withdrawn and replaced by a move to the next UP target when its target goes DOWN', () => {
    const pending = stateOver(
      THREE,
      'primary',
      { primary: 'down' },
      { epoch: 6, moving: { to: 'secondary', since: T0 } },
    );

    const {
      state: next,
      actions,
      now,
    } = playAll(pending, THREE, { primary: 'fail', secondary: 'fail', tertiary: 'ok' }, 3, p, T0 + SECOND);

    expect(moves(actions)).toMatchObject([{ type: 'failover', to: 'tertiary', epoch: 6 }]);
    expect(next.moving).toEqual({ to: 'tertiary', since: now });
  });

  it('is withdrawn with a both-down alert when its target goes DOWN and nothing else is UP', () => {
    const pending = stateOver(
      THREE,
      'primary',
      { primary: 'down', secondary: 'down' },
      { epoch: 6, moving: { to: 'tertiary', since: T0 } },
    );

    const { state: next, actions } = playAll(
      pending,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'fail' },
      3,
      p,
      T0 + SECOND,
    );

    expect(kinds(actions)).toEqual(['alert:both-down']);
    expect(next).toMatchObject({ active: 'primary', moving: null });
  });

  it('withdraws a failback whose target fails again before the flip', () => {
    const pending = stateOver(
      THREE,
      'tertiary',
      { primary: 'down' },
      { epoch: 2, lastFlipAt: longAgo, moving: { to: 'secondary', since: T0 }, autoFailbacks: [T0] },
    );

    const { state: next, actions } = playAll(
      pending,
      THREE,
      { primary: 'fail', secondary: 'fail', tertiary: 'ok' },
      3,
      p,
      T0 + SECOND,
    );

    expect(actions).toEqual([]);
    expect(next).toMatchObject({ active: 'tertiary', moving: null, epoch: 2 });
  });
});

describe('decide over three targets: health', () => {
  it('keeps each target’s hysteresis and an unknown one until it is probed', () => {
    const before = stateOver(THREE, 'primary', {}, { targets: { primary: health('up') } });

    const { next } = decide(before, observeAll({ primary: 'ok', secondary: 'fail' }), p, THREE, T0);

    expect(next.targets.secondary).toMatchObject({ status: 'unknown', failStreak: 1 });
    expect(next.targets.tertiary).toBeUndefined();
  });
});
