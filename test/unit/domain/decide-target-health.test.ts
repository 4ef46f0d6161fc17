import { describe, expect, it } from 'vitest';
import { initialTargetHealth, observeTarget, streakCaps } from '../../../shared/domain/target-health.ts';
import { health, policy, SECOND, T0, target } from './decide-fixtures.ts';

const p = policy({ failureThreshold: 3, recoveryThreshold: 6 });

function rounds(start: ReturnType<typeof initialTargetHealth>, verdicts: ('ok' | 'fail')[]) {
  return verdicts.reduce(
    (h, verdict, i) => observeTarget(h, target(verdict), p, T0 + i * 10 * SECOND),
    start,
  );
}

describe('observeTarget', () => {
  it('marks an unknown target up after one healthy round', () => {
    const next = observeTarget(initialTargetHealth(), target('ok'), p, T0);

    expect(next).toMatchObject({ status: 'up', okStreak: 1, failStreak: 0, since: T0 });
  });

  it('marks an unknown target down only after failureThreshold failed rounds', () => {
    const afterTwo = rounds(initialTargetHealth(), ['fail', 'fail']);
    const afterThree = rounds(afterTwo, ['fail']);

    expect(afterTwo.status).toBe('unknown');
    expect(afterThree.status).toBe('down');
  });

  it('marks an up target down after failureThreshold consecutive failures, not scattered ones', () => {
    const scattered = rounds(health('up'), ['fail', 'fail', 'ok', 'fail', 'fail']);
    const consecutive = rounds(health('up'), ['fail', 'fail', 'fail']);

    expect(scattered.status).toBe('up');
    expect(consecutive.status).toBe('down');
  });

  it('returns a down target to up only after recoveryThreshold consecutive healthy rounds', () => {
    const five = rounds(health('down'), ['ok', 'ok', 'ok', 'ok', 'ok']);
    const interrupted = rounds(five, ['fail', 'ok']);
    const six = rounds(five, ['ok']);

    expect(five.status).toBe('down');
    expect(interrupted).toMatchObject({ status: 'down', okStreak: 1 });
    expect(six.status).toBe('up');
  });

  it('sets since when the status changes and keeps it otherwise', () => {
    const before = health('up', { since: T0 - 999 });

    const stillUp = observeTarget(before, target('fail'), p, T0);
    const down = observeTarget({ ...stillUp, failStreak: 2 }, target('fail'), p, T0 + 1);

    expect(stillUp.since).toBe(T0 - 999);
    expect(down.since).toBe(T0 + 1);
  });

  it('records the checks of this round as the evidence', () => {
    const observation = target('fail');

    expect(observeTarget(health('up'), observation, p, T0).last).toBe(observation.checks);
  });

  it('stops counting streaks at the highest threshold a rule needs', () => {
    const up = rounds(
      health('up'),
      Array.from({ length: 30 }, () => 'ok' as const),
    );
    const down = rounds(
      health('down'),
      Array.from({ length: 30 }, () => 'fail' as const),
    );

    expect(up.okStreak).toBe(streakCaps(p).ok);
    expect(up.okStreak).toBe(6);
    expect(down.failStreak).toBe(3);
  });
});
