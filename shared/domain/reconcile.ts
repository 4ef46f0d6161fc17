/**
 * Reconciliation: what the controller records when Route 53's actual weights disagree with the
 * recorded phase. It records the truth and tells people; it never fights it.
 *
 *   recorded        Route 53 shows   meaning                                  record
 *   failing-over    secondary        the flip happened, its write was lost    secondary-active, epoch+1
 *   failing-back    primary          the same, the other way                  primary-active, epoch+1
 *   primary-active  secondary        someone edited the weights by hand       secondary-active, epoch+1, hold
 *   secondary-active primary         the same                                 primary-active, epoch+1, hold
 *   *-active, claimed  the claim's       an operator's flip, its write was lost   the other active, epoch+1,
 *                      target                                                   the claim's hold (failover)
 *   *-active, claimed  the recorded      the operator's flip never happened       claim released, the attempt
 *                                        (refused, timed out, function died)      recorded as failed; no hold
 *
 * A `failing-*` phase, or an operator's claim, younger than `graceMs` is left alone: its flip
 * function may be between the Route 53 change and its own state write right now. Past the grace a
 * claim is always settled one way or the other, so no claim outlives it while the records are
 * unchanged (issue #17: a failed planned failover must not block every automatic one after it).
 * A `failing-*` phase needs no release here: `decide` re-sends or withdraws it after its pending
 * timeout, which is shorter than the grace.
 */

import { afterFlip } from './after-flip.ts';
import type { TargetName } from './config.ts';
import { formatDuration } from './reasons.ts';
import { activeTarget, type OperatorClaim, type ServiceState } from './state.ts';

export interface Reconciliation {
  readonly next: ServiceState;
  readonly kind: 'lost-write' | 'hand-edit' | 'claim-released';
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
  if (state.claim !== null) return settleClaim(state, state.claim, actual, now, graceMs);
  if (actual === recorded) return null;
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

/**
 * An operator's claim past its grace: the flip landed and its write was lost (record it, with the
 * hold it meant to set), or it never landed (release it and record the failed attempt). A claim
 * dated in the future by less than the grace (clock skew between functions) still waits; one
 * dated further out is settled, so a clock jump cannot keep a claim forever.
 */
function settleClaim(
  state: ServiceState,
  claim: OperatorClaim,
  actual: TargetName,
  now: number,
  graceMs: number,
): Reconciliation | null {
  if (Math.abs(now - claim.at) < graceMs) return null;
  const recorded = activeTarget(state.phase);
  if (actual === claim.to && actual !== recorded) {
    return {
      next: { ...afterFlip(state, actual, now, 'operator'), hold: claim.hold },
      kind: 'lost-write',
      from: recorded,
      to: actual,
      message:
        `Route 53 already sends ${state.service} traffic to the ${actual}, but ${claim.by}'s flip of epoch ` +
        `${state.epoch} was never recorded (the flip function stopped between the Route 53 change and its ` +
        `state write). Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  const error =
    `the flip function did not report back within ${formatDuration(graceMs)} and the Route 53 records ` +
    `never moved (it was refused, timed out or stopped before its change)`;
  return {
    next: {
      ...state,
      claim: null,
      lastFailure: { to: claim.to, by: claim.by, at: now, epoch: state.epoch, error },
    },
    kind: 'claim-released',
    from: recorded,
    to: claim.to,
    message:
      `${claim.by}'s flip of ${state.service} to the ${claim.to} (epoch ${state.epoch}, claimed ` +
      `${formatDuration(now - claim.at)} ago) never happened: ${error}. Released its claim; traffic stays on ` +
      `the ${recorded} and automation goes on${state.hold === null ? '' : ` (the earlier ${state.hold.kind} hold stays)`}. ` +
      'Try the flip again if it is still wanted.',
  };
}
