/**
 * Reconciliation: what the controller records when Route 53's actual weights disagree with the
 * recorded phase. It records the truth and tells people; it never fights it.
 *
 *   recorded        Route 53 shows   meaning                                  record
 *   failing-over    secondary        the flip happened, its write was lost    secondary-active, epoch+1
 *   failing-back    primary          the same, the other way                  primary-active, epoch+1
 *   primary-active  secondary        someone edited the weights by hand       secondary-active, epoch+1, hold
 *   secondary-active primary         the same                                 primary-active, epoch+1, hold
 *   *-active, claimed  the other     an operator's flip, its write was lost   the other active, epoch+1,
 *                                                                             the claim's hold (failover)
 *
 * A `failing-*` phase, or an operator's claim (`pendingSince` on an active phase), younger than
 * `graceMs` is left alone: its flip function may be between the Route 53 change and its own state
 * write right now.
 */

import { afterFlip } from './after-flip.ts';
import type { TargetName } from './config.ts';
import { activeTarget, type ServiceState } from './state.ts';

export interface Reconciliation {
  readonly next: ServiceState;
  readonly kind: 'lost-write' | 'hand-edit';
  readonly from: TargetName;
  readonly to: TargetName;
  readonly message: string;
}

/** How long a pending flip is trusted to record itself (the flip function's own time limit). */
export const RECONCILE_GRACE_MS = 150_000;

/**
 * @example
 * const r = reconcile(state, reading.active, now);
 * if (r) { await store.save(r.next, version); await notify('reconciled', r.message); }
 */
export function reconcile(
  state: ServiceState,
  actual: TargetName,
  now: number,
  graceMs: number = RECONCILE_GRACE_MS,
): Reconciliation | null {
  const recorded = activeTarget(state.phase);
  const pending = state.phase === 'failing-over' || state.phase === 'failing-back';
  if (pending) {
    const target: TargetName = state.phase === 'failing-over' ? 'secondary' : 'primary';
    if (actual !== target) return null;
    const age = state.pendingSince === null ? Number.POSITIVE_INFINITY : now - state.pendingSince;
    if (age >= 0 && age < graceMs) return null;
    return {
      next: afterFlip(state, target, now, 'automatic'),
      kind: 'lost-write',
      from: recorded,
      to: target,
      message:
        `Route 53 already sends ${state.service} traffic to the ${target}, but the flip of epoch ${state.epoch} ` +
        `was never recorded (the flip function stopped between the Route 53 change and its state write). ` +
        `Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  if (actual === recorded) return null;
  if (state.pendingSince !== null) {
    // An operator's flip is claimed (its phase stays put, see the flip function's claim).
    const age = now - state.pendingSince;
    if (age >= 0 && age < graceMs) return null;
    const flipped = afterFlip(state, actual, now, 'operator');
    return {
      // A failover by hand keeps the hold its claim recorded; a failback by hand releases it.
      next: { ...flipped, hold: actual === 'secondary' ? state.hold : null },
      kind: 'lost-write',
      from: recorded,
      to: actual,
      message:
        `Route 53 already sends ${state.service} traffic to the ${actual}, but the operator's flip of epoch ` +
        `${state.epoch} was never recorded (the flip function stopped between the Route 53 change and its ` +
        `state write). Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  const flipped = afterFlip(state, actual, now, 'operator');
  return {
    next: {
      ...flipped,
      hold: {
        kind: 'manual-edit',
        by: 'route53',
        reason: `weights changed outside the controller: ${actual} active, ${recorded} recorded`,
        at: now,
      },
    },
    kind: 'hand-edit',
    from: recorded,
    to: actual,
    message:
      `Route 53 sends ${state.service} traffic to the ${actual}, but the controller had recorded the ${recorded}: ` +
      `the weights were changed outside the controller. Recorded the ${actual} as active (epoch ${state.epoch + 1}) ` +
      `and set an operator hold: no automatic flip until someone fails over or back with failoverctl.`,
  };
}
