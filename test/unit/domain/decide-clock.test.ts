import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/domain/decide.ts';
import { dwellPassed, FLAP_WINDOW_MS, pruneFlapWindow } from '../../../shared/domain/flip-timing.ts';
import { health, MINUTE, ORDER, observe, onSecondary, policy, state, T0 } from './decide-fixtures.ts';

const p = policy({ minDwellSeconds: 0, failback: 'auto', maxAutoFailbacksPerHour: 1 });

describe('decide when the clock jumps', () => {
  it('does not fail back when now is before the last flip, even without a dwell', () => {
    const flipped = onSecondary(T0, { primary: health('up') });

    const { actions } = decide(flipped, observe('ok', 'ok'), p, ORDER, T0 - 5 * MINUTE);

    expect(actions).toEqual([]);
  });

  it('counts future-dated failbacks against the flap limit after a backward jump', () => {
    const flipped = onSecondary(T0 - 4 * FLAP_WINDOW_MS, { primary: health('up'), autoFailbacks: [T0] });

    const { next, actions } = decide(flipped, observe('ok', 'ok'), p, ORDER, T0 - 3 * FLAP_WINDOW_MS);

    expect(next.autoFailbacks).toEqual([T0]);
    expect(next.frozen).toBe(true);
    expect(actions.map((action) => action.type)).toEqual(['alert']);
  });

  it("restarts the pending wait instead of re-sending when the pending move's since is in the future", () => {
    const pending = state({ primary: health('down'), moving: { to: 'secondary', since: T0 + 60 * MINUTE } });

    const { next, actions } = decide(pending, observe('fail', 'ok'), p, ORDER, T0);

    expect(actions).toEqual([]);
    expect(next.moving).toEqual({ to: 'secondary', since: T0 });
  });
});

describe('dwellPassed', () => {
  it('passes once minDwellSeconds have elapsed since the last flip', () => {
    const dwell = policy({ minDwellSeconds: 600 });

    expect(dwellPassed(T0, dwell, T0 + 600_000 - 1)).toBe(false);
    expect(dwellPassed(T0, dwell, T0 + 600_000)).toBe(true);
    expect(dwellPassed(null, dwell, T0)).toBe(true);
  });
});

describe('pruneFlapWindow', () => {
  it('drops failbacks older than an hour and keeps future-dated ones', () => {
    const times = [T0 - FLAP_WINDOW_MS, T0 - FLAP_WINDOW_MS + 1, T0 + MINUTE];

    expect(pruneFlapWindow(times, T0)).toEqual([T0 - FLAP_WINDOW_MS + 1, T0 + MINUTE]);
  });
});
