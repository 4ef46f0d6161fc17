import { describe, expect, it } from 'vitest';
import type { ActiveActive } from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { RECONCILE_GRACE_MS, reconcileShares } from '../../../shared/domain/reconcile.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';

const ORDER = ['a', 'b', 'c'];
const SETTINGS: ActiveActive = { weights: { a: 50, b: 30, c: 20 }, minHealthyTargets: 1 };
const T0 = Date.UTC(2026, 0, 1);
const start: ServiceState = { ...initialState('svc', 'a'), epoch: 3 };

describe('reconcileShares', () => {
  it('records nothing while Route 53 shows the configured weights and no decision was stored', () => {
    expect(reconcileShares(start, { a: 50, b: 30, c: 20 }, ORDER, SETTINGS, T0, 60)).toBeNull();
  });

  it('records a drain whose write was lost once past the grace, on the next epoch, with no second change', () => {
    const moving: ServiceState = {
      ...start,
      moving: { to: 'a', since: T0, weights: { a: 63, b: 37, c: 0 } },
    };

    const early = reconcileShares(moving, { a: 63, b: 37, c: 0 }, ORDER, SETTINGS, T0 + 1000, 60);
    const late = reconcileShares(
      moving,
      { a: 63, b: 37, c: 0 },
      ORDER,
      SETTINGS,
      T0 + RECONCILE_GRACE_MS,
      60,
    );

    expect(early).toBeNull();
    expect(late?.kind).toBe('lost-write');
    expect(late?.next).toMatchObject({
      epoch: 4,
      moving: null,
      shares: { weights: { a: 63, b: 37, c: 0 }, ramp: null },
    });
  });

  it('calls weights nobody decided a hand edit: recorded with an operator hold, and only once', () => {
    const edit = reconcileShares(start, { a: 100, b: 0, c: 0 }, ORDER, SETTINGS, T0, 60);
    const again = edit && reconcileShares(edit.next, { a: 100, b: 0, c: 0 }, ORDER, SETTINGS, T0 + 1, 60);

    expect(edit?.kind).toBe('hand-edit');
    expect(edit?.next).toMatchObject({
      epoch: 4,
      hold: { kind: 'manual-edit' },
      shares: { weights: { a: 100, b: 0, c: 0 } },
    });
    expect(again).toBeNull();
  });
});
