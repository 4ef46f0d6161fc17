import { describe, expect, it } from 'vitest';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { recordThroughDataPlane } from '../../../shared/domain/move.ts';
import { reconcile, weightsMatched, weightsToMatch } from '../../../shared/domain/reconcile.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { signalOf } from '../../../shared/domain/traffic-signal.ts';

const T0 = 1_700_000_000_000;
const base: ServiceState = initialState('api', 'primary');
const landed: ServiceState = { ...base, active: 'secondary', epoch: 1, weightsPending: { since: T0 } };

describe('data-plane rules (issue #12)', () => {
  it('records a data-plane move as one decision, epoch + 1, with the weights marked pending', () => {
    const claimed = { ...base, moving: { to: 'secondary', since: T0 } };
    const move = {
      service: 'api',
      direction: 'failover' as const,
      to: 'secondary',
      first: 'primary',
      epoch: 0,
      requestedBy: 'watchdog',
      force: false,
      correlationId: 'c',
    };

    const next = recordThroughDataPlane(claimed, 0, move, T0 + 5);

    expect(next).toMatchObject({
      active: 'secondary',
      epoch: 1,
      moving: null,
      weightsPending: { since: T0 + 5 },
    });
    expect(recordThroughDataPlane({ ...claimed, epoch: 1 }, 0, move, T0)).toBeNull();
  });

  it('signals exactly one allowed target, and nothing for an active target the config no longer names', () => {
    expect(signalOf(landed, ['primary', 'secondary'])?.allowed).toEqual({ primary: 0, secondary: 1 });
    expect(signalOf(landed, ['primary', 'tertiary'])).toBeNull();
  });

  it('does not take pending weights for a hand edit: it asks for a compare-and-swap to the decision', () => {
    expect(reconcile(landed, 'primary', T0 + 600_000, 'primary')).toBeNull();
    expect(weightsToMatch(landed, 'primary')).toBe('secondary');
    // Without the mark the same difference is a hand edit.
    const { weightsPending: _, ...unmarked } = landed;
    expect(reconcile(unmarked, 'primary', T0, 'primary')?.kind).toBe('hand-edit');
  });

  it('clears the mark once the weights show the decision, and only for the epoch it was set on', () => {
    const r = reconcile(landed, 'secondary', T0 + 60_000, 'primary');

    expect(r?.kind).toBe('weights-reconciled');
    expect(r?.next.weightsPending).toBeUndefined();
    expect(r?.next.epoch).toBe(1);
    expect(weightsMatched(landed, 1)?.weightsPending).toBeUndefined();
    expect(weightsMatched({ ...landed, epoch: 2 }, 1)).toBeNull();
  });

  it('infers nothing from the weights of a move on its way while the mark is set', () => {
    const moving = { ...landed, moving: { to: 'primary', since: T0 } };

    expect(reconcile(moving, 'primary', T0 + 600_000, 'primary')).toBeNull();
    expect(weightsToMatch(moving, 'primary')).toBeNull();
  });
});
