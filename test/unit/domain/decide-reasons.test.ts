import { describe, expect, it } from 'vitest';
import { automationBlocked, describeTarget, formatDuration } from '../../../shared/domain/reasons.ts';
import { health, MINUTE, policy, state, T0 } from './decide-fixtures.ts';

const p = policy({ failureThreshold: 3, recoveryThreshold: 6 });

describe('formatDuration', () => {
  it('says seconds, minutes, then hours and minutes', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(125_000)).toBe('2 min');
    expect(formatDuration(2 * 60 * MINUTE)).toBe('2 h');
    expect(formatDuration(125 * MINUTE)).toBe('2 h 5 min');
    expect(formatDuration(-5)).toBe('0 s');
  });
});

describe('describeTarget', () => {
  it('counts rounds at the change and time once the status has lasted', () => {
    const justDown = health('down', { since: T0 });
    const longDown = health('down', { since: T0 - 12 * MINUTE });

    expect(describeTarget('primary', justDown, p, T0)).toBe(
      'primary down for 3 rounds (status 503 not in [200])',
    );
    expect(describeTarget('primary', longDown, p, T0)).toBe(
      'primary down for 12 min (status 503 not in [200])',
    );
  });

  it('shows the progress of a recovering target', () => {
    const recovering = health('down', { okStreak: 2, failStreak: 0 });

    expect(describeTarget('primary', recovering, p, T0)).toMatch(/\(recovering: 2 of 6 healthy rounds\)$/);
  });

  it('quotes each distinct failure reason once', () => {
    const fail = { check: 'c', ok: false, latencyMs: 1, reason: 'timeout after 3000 ms' };
    const down = health('down', {
      since: T0,
      last: [fail, fail, { ...fail, reason: 'status 500 not in [200]' }],
    });

    expect(describeTarget('secondary', down, p, T0)).toBe(
      'secondary down for 3 rounds (timeout after 3000 ms, status 500 not in [200])',
    );
  });
});

describe('automationBlocked', () => {
  it('names the pause and the hold, or nothing', () => {
    const hold = { kind: 'planned-failover', by: 'bob', reason: 'maintenance', at: T0 } as const;

    expect(automationBlocked(state())).toBeNull();
    expect(automationBlocked(state({ paused: true, hold }))).toBe(
      'automation is paused and held by bob (planned-failover: maintenance)',
    );
  });
});
