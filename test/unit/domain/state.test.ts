import { describe, expect, it } from 'vitest';
import { targetOf, targetOrder } from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { healthOf, isFailback, movingTo, phaseOf } from '../../../shared/domain/state.ts';
import { health, ORDER, state, T0, THREE } from './decide-fixtures.ts';

const claim = { to: 'secondary', by: 'alice', at: T0, hold: null } as const;

describe('phaseOf', () => {
  it('keeps traffic on the primary until a failover has completed', () => {
    const failingOver = state({ moving: { to: 'secondary', since: T0 } });

    expect(phaseOf(state(), ORDER)).toBe('primary-active');
    expect(phaseOf(failingOver, ORDER)).toBe('failing-over');
    expect(failingOver.active).toBe('primary');
  });

  it('keeps traffic on the secondary until a failback has completed', () => {
    const failingBack = state({ active: 'secondary', moving: { to: 'primary', since: T0 } });

    expect(phaseOf(state({ active: 'secondary' }), ORDER)).toBe('secondary-active');
    expect(phaseOf(failingBack, ORDER)).toBe('failing-back');
    expect(failingBack.active).toBe('secondary');
  });

  it("calls an operator's flip in flight a failover or failback by preference order", () => {
    expect(phaseOf(state({ claim }), ORDER)).toBe('failing-over');
    expect(phaseOf(state({ active: 'tertiary', claim }), THREE)).toBe('failing-back');
    expect(phaseOf(state({ active: 'tertiary' }), THREE)).toBe('tertiary-active');
  });
});

describe('isFailback', () => {
  it('is a move towards a more preferred target', () => {
    expect(isFailback(ORDER, 'secondary', 'primary')).toBe(true);
    expect(isFailback(ORDER, 'primary', 'secondary')).toBe(false);
    expect(isFailback(THREE, 'tertiary', 'secondary')).toBe(true);
    expect(isFailback(THREE, 'secondary', 'tertiary')).toBe(false);
  });
});

describe('healthOf', () => {
  it('reads a recorded target and calls one never probed unknown', () => {
    const known = state({ secondary: health('down') });

    expect(healthOf(known, 'secondary').status).toBe('down');
    expect(healthOf(initialState('api', 'primary'), 'primary')).toEqual({
      status: 'unknown',
      okStreak: 0,
      failStreak: 0,
      since: null,
      last: [],
    });
    expect(healthOf(known, 'tertiary').status).toBe('unknown');
  });

  it('calls a target unknown even when its id is the name of an Object property', () => {
    // `constructor` is a valid target id (`/^[a-z][a-z0-9-]{0,31}$/` in the config schema).
    expect(healthOf(initialState('api', 'primary'), 'constructor').status).toBe('unknown');
  });
});

describe('movingTo', () => {
  it("names the watchdog's move first, then an operator's claim, else nothing", () => {
    expect(movingTo(state())).toBeNull();
    expect(movingTo(state({ moving: { to: 'secondary', since: T0 } }))).toEqual({
      to: 'secondary',
      since: T0,
      by: 'watchdog',
    });
    expect(movingTo(state({ claim }))).toEqual({ to: 'secondary', since: T0, by: 'alice' });
  });
});

describe('targetOrder and targetOf', () => {
  const service = {
    name: 'payments-api',
    targets: [
      { id: 'primary', setIdentifier: 'primary', checks: [] },
      { id: 'secondary', setIdentifier: 'standby', checks: [] },
    ],
  };

  it('lists the targets most preferred first and finds each by id', () => {
    expect(targetOrder(service)).toEqual(['primary', 'secondary']);
    expect(targetOf(service, 'secondary').setIdentifier).toBe('standby');
  });

  it('names the service and the id it does not have', () => {
    expect(() => targetOf(service, 'tertiary')).toThrow('Service "payments-api" has no target "tertiary"');
  });
});
