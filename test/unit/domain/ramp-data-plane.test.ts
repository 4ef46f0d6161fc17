/**
 * Where the ramped failback (issue #13) meets the data-plane path (issue #12): the pure rules.
 * A step never lands through the data plane; a rollback may, and leaves the ramp's split as weights
 * pending, never a hand edit; the signal keeps both ramp targets allowed mid-ramp and one after it.
 */
import { describe, expect, it } from 'vitest';
import { afterStep } from '../../../shared/domain/after-flip.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import {
  DataPlaneStepError,
  type Move,
  record,
  recordThroughDataPlane,
} from '../../../shared/domain/move.ts';
import {
  type ReconcileView,
  reconcileWeights,
  weightsMatched,
  weightsToMatch,
} from '../../../shared/domain/reconcile.ts';
import type { Ramp, ServiceState } from '../../../shared/domain/state.ts';
import { signalOf } from '../../../shared/domain/traffic-signal.ts';
import { health, MINUTE, ORDER, T0 } from './decide-fixtures.ts';

const STEPS = [10, 50, 100];
const ramp: Ramp = {
  from: 'secondary',
  to: 'primary',
  steps: STEPS,
  step: 0,
  since: T0 - 2 * MINUTE,
  holdSeconds: 60,
  by: 'watchdog',
};
const ramping: ServiceState = {
  ...initialState('payments-api', 'primary'),
  active: 'secondary',
  epoch: 5,
  ramp,
  targets: { primary: health('down'), secondary: health('up') },
};
const base = {
  service: 'payments-api',
  first: 'primary',
  requestedBy: 'watchdog',
  force: false,
  correlationId: 'c-1',
  epoch: 5,
} as const;
const rollback: Move = { ...base, direction: 'failover', to: 'secondary' };
const advance: Move = { ...base, direction: 'failback', to: 'primary', step: { steps: STEPS, step: 1 } };

function view(primary: number, secondary: number): ReconcileView {
  return { weights: { primary, secondary }, order: ORDER, activeWeight: 100, holdSeconds: 60 };
}

describe('a ramp step and the data plane (issues #12, #13)', () => {
  it('refuses to record a ramp step as landed through the data plane: its split cannot land there', () => {
    const claimed = { ...ramping, moving: { to: 'primary', since: T0, step: { steps: STEPS, step: 1 } } };

    expect(() => recordThroughDataPlane(claimed, 5, advance, T0)).toThrow(DataPlaneStepError);
    // Through the compare-and-swap the same step records the ramp's next step.
    expect(record(claimed, 5, advance, T0, 60)?.ramp).toMatchObject({ step: 1, since: T0 });
  });

  it("records a ramp's rollback through the data plane as one decision that ends the ramp, weights pending", () => {
    const claimed = { ...ramping, moving: { to: 'secondary', since: T0 } };

    const next = recordThroughDataPlane(claimed, 5, rollback, T0 + 1_000);

    expect(next).toMatchObject({
      active: 'secondary',
      ramp: null,
      epoch: 6,
      weightsPending: { since: T0 + 1_000 },
    });
  });

  it('settles a pending mark when a step lands, since a step rewrites every weight with one compare-and-swap', () => {
    const pending = { ...ramping, ramp: null, weightsPending: { since: T0 - MINUTE } };

    const next = afterStep(pending, 'primary', { steps: STEPS, step: 0 }, T0, 60, 'ops', 'operator');

    expect(next.weightsPending).toBeUndefined();
    expect(next.ramp).toMatchObject({ from: 'secondary', to: 'primary', step: 0 });
  });
});

describe('the signal during a ramp (issues #12, #13)', () => {
  it('keeps the standby allowed and allows the returning target, so the health checks leave the split alone', () => {
    expect(signalOf(ramping, ORDER)?.allowed).toEqual({ primary: 1, secondary: 1 });
  });

  it('allows exactly one target again once a rollback ends the ramp', () => {
    const rolledBack = recordThroughDataPlane(
      { ...ramping, moving: { to: 'secondary', since: T0 } },
      5,
      rollback,
      T0,
    );

    expect(rolledBack).not.toBeNull();
    expect(rolledBack && signalOf(rolledBack, ORDER)?.allowed).toEqual({ primary: 0, secondary: 1 });
  });

  it('never allows a target the config no longer names, nor none at all', () => {
    expect(signalOf({ ...ramping, ramp: { ...ramp, to: 'tertiary' } }, ORDER)?.allowed).toEqual({
      primary: 0,
      secondary: 1,
    });
    expect(signalOf(ramping, ['primary', 'tertiary'])).toBeNull();
  });
});

describe('reconciling a split left behind by a data-plane rollback (issues #12, #13)', () => {
  const rolledBack: ServiceState = {
    ...ramping,
    ramp: null,
    epoch: 6,
    weightsPending: { since: T0 - 10 * MINUTE },
  };

  it('takes the split for weights still to match, not a hand edit, and matches them to the standby', () => {
    expect(reconcileWeights(rolledBack, view(10, 90), T0, 'primary')).toBeNull();
    expect(weightsToMatch(rolledBack, null)).toBe('secondary');
  });

  it('calls the same split a hand edit without the mark (nothing explains it)', () => {
    const { weightsPending: _, ...unmarked } = rolledBack;

    expect(reconcileWeights(unmarked, view(10, 90), T0, 'primary')?.kind).toBe('hand-edit');
  });

  it('clears the mark once the weights show the standby alone, on the decision’s epoch only', () => {
    const result = reconcileWeights(rolledBack, view(0, 100), T0, 'primary');

    expect(result?.kind).toBe('weights-reconciled');
    expect(result?.next).toMatchObject({ epoch: 6, active: 'secondary', ramp: null });
    expect(result?.next.weightsPending).toBeUndefined();
    expect(weightsMatched(rolledBack, 5)).toBeNull();
  });

  it('still reconciles a ramp by its weights when nothing is pending', () => {
    expect(reconcileWeights(ramping, view(10, 90), T0, 'primary')).toBeNull();
    expect(weightsToMatch(ramping, null)).toBeNull();
  });
});
