import { describe, expect, it } from 'vitest';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { RECONCILE_GRACE_MS, reconcile } from '../../../shared/domain/reconcile.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';

const NOW = 10_000_000;
const base = (changes: Partial<ServiceState> = {}): ServiceState => ({ ...initialState('api'), ...changes });

describe('reconcile', () => {
  it('changes nothing when Route 53 agrees with the recorded phase', () => {
    expect(reconcile(base(), 'primary', NOW)).toBeNull();
    expect(reconcile(base({ phase: 'secondary-active', epoch: 1 }), 'secondary', NOW)).toBeNull();
  });

  it('records a pending flip that happened but was never written, once its grace has passed', () => {
    const pending = base({ phase: 'failing-over', pendingSince: NOW - RECONCILE_GRACE_MS - 1 });

    const result = reconcile(pending, 'secondary', NOW);

    expect(result?.kind).toBe('lost-write');
    expect(result?.next).toMatchObject({
      phase: 'secondary-active',
      epoch: 1,
      pendingSince: null,
      hold: null,
    });
  });

  it('leaves a pending flip alone within its grace: its function may be writing right now', () => {
    expect(
      reconcile(base({ phase: 'failing-over', pendingSince: NOW - 1_000 }), 'secondary', NOW),
    ).toBeNull();
  });

  it('records a hand edit of the weights as the truth, with an operator hold', () => {
    const result = reconcile(base(), 'secondary', NOW);

    expect(result?.kind).toBe('hand-edit');
    expect(result?.next).toMatchObject({
      phase: 'secondary-active',
      epoch: 1,
      hold: { kind: 'manual-edit' },
    });
  });

  it("waits for an operator's claimed flip instead of calling it a hand edit", () => {
    const claimed = base({
      pendingSince: NOW - 1_000,
      hold: { kind: 'planned-failover', by: 'alice', reason: 'db upgrade', at: NOW - 1_000 },
    });

    expect(reconcile(claimed, 'secondary', NOW)).toBeNull();
  });

  it("records an operator's failover whose write was lost with the hold its claim set", () => {
    const hold = { kind: 'planned-failover', by: 'alice', reason: 'db upgrade', at: 1 } as const;
    const claimed = base({ pendingSince: NOW - RECONCILE_GRACE_MS - 1, hold });

    const result = reconcile(claimed, 'secondary', NOW);

    expect(result?.kind).toBe('lost-write');
    expect(result?.next).toMatchObject({ phase: 'secondary-active', epoch: 1, pendingSince: null, hold });
  });

  it("records an operator's failback whose write was lost, releasing the hold", () => {
    const claimed = base({
      phase: 'secondary-active',
      epoch: 1,
      pendingSince: NOW - RECONCILE_GRACE_MS - 1,
      hold: { kind: 'planned-failover', by: 'alice', reason: 'db upgrade', at: 1 },
    });

    const result = reconcile(claimed, 'primary', NOW);

    expect(result?.next).toMatchObject({ phase: 'primary-active', epoch: 2, hold: null });
  });
});
