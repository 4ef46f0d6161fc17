import { describe, expect, it } from 'vitest';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { RECONCILE_GRACE_MS, reconcile } from '../../../shared/domain/reconcile.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';

const NOW = 10_000_000;
const base = (changes: Partial<ServiceState> = {}): ServiceState => ({
  ...initialState('api', 'primary'),
  ...changes,
});

describe('reconcile', () => {
  it('changes nothing when Route 53 agrees with the recorded active target', () => {
    expect(reconcile(base(), 'primary', NOW, 'primary')).toBeNull();
    expect(reconcile(base({ active: 'secondary', epoch: 1 }), 'secondary', NOW, 'primary')).toBeNull();
  });

  it('records a pending flip that happened but was never written, once its grace has passed', () => {
    const pending = base({ moving: { to: 'secondary', since: NOW - RECONCILE_GRACE_MS - 1 } });

    const result = reconcile(pending, 'secondary', NOW, 'primary');

    expect(result?.kind).toBe('lost-write');
    expect(result?.next).toMatchObject({
      active: 'secondary',
      moving: null,
      epoch: 1,
      hold: null,
    });
  });

  it('leaves a pending flip alone within its grace: its function may be writing right now', () => {
    expect(
      reconcile(base({ moving: { to: 'secondary', since: NOW - 1_000 } }), 'secondary', NOW, 'primary'),
    ).toBeNull();
  });

  it('records a hand edit of the weights as the truth, with an operator hold', () => {
    const result = reconcile(base(), 'secondary', NOW, 'primary');

    expect(result?.kind).toBe('hand-edit');
    expect(result?.next).toMatchObject({
      active: 'secondary',
      epoch: 1,
      hold: { kind: 'manual-edit' },
    });
  });

  const planned = { kind: 'planned-failover', by: 'alice', reason: 'db upgrade', at: 1 } as const;
  const claimOf = (to: 'primary' | 'secondary', age: number, hold: typeof planned | null = null) => ({
    to,
    by: 'alice',
    at: NOW - age,
    hold,
  });

  it("waits for an operator's claimed flip instead of calling it a hand edit", () => {
    const claimed = base({ claim: claimOf('secondary', 1_000, planned) });

    expect(reconcile(claimed, 'secondary', NOW, 'primary')).toBeNull();
    expect(reconcile(claimed, 'primary', NOW, 'primary')).toBeNull();
  });

  it("records an operator's failover whose write was lost with the hold its claim meant to set", () => {
    const claimed = base({ claim: claimOf('secondary', RECONCILE_GRACE_MS + 1, planned) });

    const result = reconcile(claimed, 'secondary', NOW, 'primary');

    expect(result?.kind).toBe('lost-write');
    expect(result?.next).toMatchObject({
      active: 'secondary',
      moving: null,
      epoch: 1,
      claim: null,
      hold: planned,
    });
  });

  it("records an operator's failback whose write was lost, releasing the hold", () => {
    const claimed = base({
      active: 'secondary',
      epoch: 1,
      claim: claimOf('primary', RECONCILE_GRACE_MS + 1),
      hold: planned,
    });

    const result = reconcile(claimed, 'primary', NOW, 'primary');

    expect(result?.next).toMatchObject({ active: 'primary', epoch: 2, hold: null, claim: null });
  });

  it("releases an operator's failover that never moved the records, leaving no hold (issue #17)", () => {
    const claimed = base({ epoch: 4, claim: claimOf('secondary', RECONCILE_GRACE_MS + 1, planned) });

    const result = reconcile(claimed, 'primary', NOW, 'primary');

    expect(result?.kind).toBe('claim-released');
    expect(result).toMatchObject({ from: 'primary', to: 'secondary' });
    expect(result?.next).toMatchObject({
      active: 'primary',
      epoch: 4,
      claim: null,
      hold: null,
      lastFailure: { to: 'secondary', by: 'alice', at: NOW, epoch: 4 },
    });
    expect(result?.message).toContain('never happened');
  });

  it("releases an operator's failback that never moved the records and keeps the earlier hold", () => {
    const claimed = base({
      active: 'secondary',
      epoch: 2,
      claim: claimOf('primary', RECONCILE_GRACE_MS + 1),
      hold: planned,
    });

    const result = reconcile(claimed, 'secondary', NOW, 'primary');

    expect(result?.kind).toBe('claim-released');
    expect(result?.next).toMatchObject({ active: 'secondary', epoch: 2, claim: null, hold: planned });
  });

  it('settles a claim dated far in the future (a clock jump) rather than keeping it forever', () => {
    const future = base({ claim: { ...claimOf('secondary', 0), at: NOW + RECONCILE_GRACE_MS + 1 } });
    const skewed = base({ claim: { ...claimOf('secondary', 0), at: NOW + 5_000 } });

    expect(reconcile(future, 'primary', NOW, 'primary')?.kind).toBe('claim-released');
    expect(reconcile(skewed, 'primary', NOW, 'primary')).toBeNull();
  });
});
