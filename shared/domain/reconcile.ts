/**
 * Reconciliation: what the controller records when Route 53's actual weights disagree with the
 * recorded phase. It records the truth and tells people; it never fights it.
 *
 *   recorded              Route 53 shows   meaning                                  record
 *   moving to T           T                the move happened, its write was lost    T active, epoch+1
 *   active A              B                someone edited the weights by hand       B active, epoch+1, hold
 *   active A, claimed T   T                an operator's flip, its write was lost   T active, epoch+1, the
 *                                                                                   claim's hold (failover)
 *   active A, claimed T   A                the operator's flip never happened       claim released, the attempt
 *                                          (refused, timed out, function died)      recorded as failed; no hold
 *
 * The watchdog's move on its way, or an operator's claim, younger than `graceMs` is left alone: its flip
 * function may be between the Route 53 change and its own state write right now. Past the grace a
 * claim is always settled one way or the other, so no claim outlives it while the records are
 * unchanged (issue #17: a failed planned failover must not block every automatic one after it).
 * The watchdog's move needs no release here: `decide` re-sends or withdraws it after its pending
 * timeout, which is shorter than the grace.
 *
 * Issue #12: while a data-plane flip's weights are pending (`weightsPending`), or when the weights
 * were not read at all (`actual` null: a service whose flips go through the data plane only), the
 * weights are not evidence of where traffic goes — the recorded decision is, and the signal carries
 * it. Then nothing is inferred from them: a move on its way is left to `decide`, a claim past its
 * grace is released as never landed, and weights that show the decided target clear the mark
 * (`weights-reconciled`). Weights that still show another target are brought in line by the
 * watchdog's compare-and-swap (`weightsToMatch`), never recorded as a hand edit.
 */

import { sharesOf } from './active-active.ts';
import { afterFlip, afterShares, afterStep } from './after-flip.ts';
import type { ActiveActive, TargetId } from './config.ts';
import { expectedWeights, type RampStep, sameWeights, weightsAfterMove } from './ramp.ts';
import { formatDuration } from './reasons.ts';
import type { OperatorClaim, ServiceState } from './state.ts';

export interface Reconciliation {
  readonly next: ServiceState;
  readonly kind: 'lost-write' | 'hand-edit' | 'claim-released' | 'weights-reconciled';
  readonly from: TargetId;
  readonly to: TargetId;
  readonly message: string;
}

/** How long a pending flip is trusted to record itself (the flip function's own time limit). */
export const RECONCILE_GRACE_MS = 150_000;

/**
 * `first`: the service's most preferred target (an operator's move there lifts a flap freeze).
 *
 * @example
 * const r = reconcile(state, reading.active, now, 'primary');
 * if (r) { await store.save(r.next, version); await notify('reconciled', r.message); }
 */
export function reconcile(
  state: ServiceState,
  actual: TargetId | null,
  now: number,
  first: TargetId,
  graceMs: number = RECONCILE_GRACE_MS,
): Reconciliation | null {
  if (actual === null || state.weightsPending !== undefined) {
    return reconcileByRecord(state, actual, now, first, graceMs);
  }
  const recorded = state.active;
  const moving = state.moving;
  if (moving !== null) {
    if (actual !== moving.to) return null;
    const age = now - moving.since;
    if (age >= 0 && age < graceMs) return null;
    return {
      next: afterFlip(state, moving.to, now, 'automatic', first),
      kind: 'lost-write',
      from: recorded,
      to: moving.to,
      message:
        `Route 53 already sends ${state.service} traffic to the ${moving.to}, but the flip of epoch ${state.epoch} ` +
        `was never recorded (the flip function stopped between the Route 53 change and its state write). ` +
        `Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  if (state.claim !== null) return settleClaim(state, state.claim, actual, now, first, graceMs);
  if (actual === recorded) return null;
  return handEdit(state, actual, now, first);
}

/** Route 53 sends all traffic to `actual`, which nobody recorded: a hand edit, recorded with a hold. */
function handEdit(state: ServiceState, actual: TargetId, now: number, first: TargetId): Reconciliation {
  const recorded = state.active;
  const flipped = afterFlip(state, actual, now, 'operator', first);
  const was = state.ramp === null ? `the ${recorded}` : `a gradual failback to the ${state.ramp.to}`;
  return {
    next: {
      ...flipped,
      hold: {
        kind: 'manual-edit',
        by: 'route53',
        reason: `weights changed outside the controller: ${actual} active, ${state.ramp === null ? recorded : `a ramp to ${state.ramp.to}`} recorded`,
        at: now,
      },
    },
    kind: 'hand-edit',
    from: recorded,
    to: actual,
    message:
      `Route 53 sends ${state.service} traffic to the ${actual}, but the controller had recorded ${was}: ` +
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
  actual: TargetId,
  now: number,
  first: TargetId,
  graceMs: number,
): Reconciliation | null {
  if (Math.abs(now - claim.at) < graceMs) return null;
  const recorded = state.active;
  if (actual === claim.to && actual !== recorded) {
    return {
      next: { ...afterFlip(state, actual, now, 'operator', first), hold: claim.hold },
      kind: 'lost-write',
      from: recorded,
      to: actual,
      message:
        `Route 53 already sends ${state.service} traffic to the ${actual}, but ${claim.by}'s flip of epoch ` +
        `${state.epoch} was never recorded (the flip function stopped between the Route 53 change and its ` +
        `state write). Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  if (actual !== recorded) {
    // Neither where it was nor where the operator sent it: a hand edit; the claim goes with it.
    return reconcile({ ...state, claim: null }, actual, now, first, graceMs);
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

/** What Route 53 shows, as reconciliation by weights needs it (issue #13). */
export interface ReconcileView {
  /** Each target's weight as read. */
  readonly weights: Readonly<Record<TargetId, number>>;
  /** The service's targets, most preferred first. */
  readonly order: readonly TargetId[];
  readonly activeWeight: number;
  /** The hold a ramp step recorded now would get (see `stepHoldSeconds`). */
  readonly holdSeconds: number;
}

/**
 * Reconciliation by the whole weight map (issue #13): Route 53 may show a split while a ramped
 * failback is under way. Without a ramp or a ramp step in flight, and with one target weighted,
 * this is exactly `reconcile`; so it is while weights are pending behind a data-plane decision
 * (issue #12, with `actual` null for a split). Otherwise:
 *
 *   Route 53 shows                              record
 *   the weights the state expects              nothing (an operator's claim past the grace: released)
 *   the weights of the move (or claim) in      the step (or move) it was, epoch+1: its write was lost
 *     flight, past the grace
 *   anything else                              a hand edit: that split, or that one target, recorded
 *                                              with an operator hold (automation holds off)
 *
 * @example
 * reconcileWeights(state, { weights: { primary: 10, secondary: 90 }, order, activeWeight: 100, holdSeconds: 60 }, now, 'primary');
 * // null while the state's ramp is at 10 %
 */
export function reconcileWeights(
  state: ServiceState,
  view: ReconcileView,
  now: number,
  first: TargetId,
  graceMs: number = RECONCILE_GRACE_MS,
): Reconciliation | null {
  const { weights, order, activeWeight } = view;
  const live = order.filter((id) => (weights[id] ?? 0) > 0);
  const [only] = live;
  const sole = live.length === 1 && only !== undefined ? only : null;
  if (state.weightsPending !== undefined) {
    // Issue #12 meets #13: weights pending behind a data-plane decision (e.g. a ramp's rollback that
    // landed through the data plane, leaving the ramp's split) are no evidence, split or not — the
    // record is the truth, as in `reconcile`; `weightsToMatch` brings the weights in line. Never a
    // hand edit. (A data-plane decision is never a ramp step, so no ramp is recorded beside the mark.)
    return reconcile(state, sole, now, first, graceMs);
  }
  const stepInFlight = state.moving?.step !== undefined || state.claim?.step !== undefined;
  if (state.ramp === null && !stepInFlight) {
    return sole === null ? splitEdit(state, weights, now) : reconcile(state, sole, now, first, graceMs);
  }
  if (sameWeights(weights, expectedWeights(state, order, activeWeight))) {
    // As recorded: a move of the watchdog's is re-sent or withdrawn by `decide`; a claim past the
    // grace never landed (its target is not where the weights are) and is released.
    return state.claim !== null && state.moving === null
      ? reconcile(state, state.active, now, first, graceMs)
      : null;
  }
  const inFlight = movingOrClaim(state);
  if (inFlight !== null) {
    const landed = weightsAfterMove(order, state.active, inFlight.to, inFlight.step, activeWeight);
    if (sameWeights(weights, landed)) {
      if (Math.abs(now - inFlight.at) < graceMs) return null;
      const kind = inFlight.by === 'watchdog' ? 'automatic' : 'operator';
      const next =
        inFlight.step === undefined
          ? afterFlip(state, inFlight.to, now, kind, first)
          : afterStep(state, inFlight.to, inFlight.step, now, view.holdSeconds, inFlight.by, kind);
      return {
        next: { ...next, hold: inFlight.hold },
        kind: 'lost-write',
        from: state.active,
        to: inFlight.to,
        message:
          `Route 53 already shows the ${describeWeights(weights, order)} weights of ${state.service} that the move ` +
          `of epoch ${state.epoch} to the ${inFlight.to} wrote, but it was never recorded (the flip function stopped ` +
          `between the Route 53 change and its state write). Recorded it now as epoch ${state.epoch + 1}; no second ` +
          'change was made.',
      };
    }
  }
  if (sole !== null) {
    // One target weighted where the state expected a split (or another split): a hand edit.
    return handEdit(state, sole, now, first);
  }
  return splitEdit(state, weights, now);
}

/** The watchdog's move or the operator's claim in flight, as reconciliation judges it. */
function movingOrClaim(state: ServiceState): {
  readonly to: TargetId;
  readonly at: number;
  readonly by: string;
  readonly step: RampStep | undefined;
  readonly hold: ServiceState['hold'];
} | null {
  if (state.moving !== null) {
    return {
      to: state.moving.to,
      at: state.moving.since,
      by: 'watchdog',
      step: state.moving.step,
      hold: state.hold,
    };
  }
  if (state.claim !== null) {
    const { to, at, by, step, hold } = state.claim;
    return { to, at, by, step, hold };
  }
  return null;
}

/**
 * A split nobody recorded: set by hand (or a step whose write was lost after its move was
 * withdrawn). Recorded as the hand edit it looks like: an operator hold (automation holds off), the
 * epoch advanced (every move decided before is stale), the weights left as they are.
 */
function splitEdit(
  state: ServiceState,
  weights: Readonly<Record<TargetId, number>>,
  now: number,
): Reconciliation | null {
  const order = Object.keys(weights);
  const reason = `traffic split outside the controller: ${describeWeights(weights, order)}`;
  if (
    state.hold?.kind === 'manual-edit' &&
    state.hold.reason === reason &&
    state.moving === null &&
    state.claim === null
  ) {
    return null;
  }
  return {
    next: {
      ...state,
      epoch: state.epoch + 1,
      moving: null,
      claim: null,
      hold: { kind: 'manual-edit', by: 'route53', reason, at: now },
    },
    kind: 'hand-edit',
    from: state.active,
    to: state.active,
    message:
      `Route 53 splits ${state.service} traffic (${describeWeights(weights, order)}), which the controller did not ` +
      `record: the weights were changed outside it. Set an operator hold (epoch ${state.epoch + 1}): no automatic flip ` +
      'until someone fails over or back with failoverctl, which moves all traffic to one target.',
  };
}

/** `primary=10, secondary=90`. */
function describeWeights(weights: Readonly<Record<TargetId, number>>, order: readonly TargetId[]): string {
  return order.map((id) => `${id}=${weights[id] ?? 0}`).join(', ');
}

/**
 * The weights are not evidence (see `reconcile`): the record is the truth. `actual` null: not read
 * (`dataPlane: only`), or a split (`reconcileWeights`), which never shows the decision.
 */
function reconcileByRecord(
  state: ServiceState,
  actual: TargetId | null,
  now: number,
  first: TargetId,
  graceMs: number,
): Reconciliation | null {
  if (state.moving !== null) return null;
  if (state.claim !== null) {
    // As if the weights showed the recorded target: a claim past its grace never landed.
    return settleClaim(state, state.claim, state.active, now, first, graceMs);
  }
  if (state.weightsPending === undefined || actual !== state.active) return null;
  const { weightsPending, ...settled } = state;
  return {
    next: settled,
    kind: 'weights-reconciled',
    from: state.active,
    to: state.active,
    message:
      `Route 53's weights for ${state.service} now send traffic to the ${state.active}, as decided through the ` +
      `data plane ${formatDuration(Math.max(0, now - weightsPending.since))} ago (epoch ${state.epoch}). ` +
      'The control plane and the data plane agree again.',
  };
}

/**
 * Where the watchdog's compare-and-swap must move the weights so that they match a data-plane
 * decision: the recorded active target, when the mark is set, nothing is on its way and the weights
 * show another target, or a split (`actual` null: e.g. a ramp's split left by a rollback that landed
 * through the data plane, issue #13); else null. The compare-and-swap moves all the weight to it.
 *
 * @example
 * weightsToMatch({ ...state, active: 'secondary', weightsPending: { since } }, 'primary'); // 'secondary'
 * weightsToMatch({ ...state, active: 'secondary', weightsPending: { since } }, null); // 'secondary'
 */
export function weightsToMatch(state: ServiceState, actual: TargetId | null): TargetId | null {
  if (state.weightsPending === undefined || state.moving !== null || state.claim !== null) return null;
  return actual === state.active ? null : state.active;
}

/**
 * The state once the watchdog's compare-and-swap has brought the weights in line with the decision
 * of `epoch`: the mark cleared. Null when a newer decision or no mark stands (nothing to clear).
 *
 * @example
 * weightsMatched(state, state.epoch)?.weightsPending; // undefined
 */
export function weightsMatched(stored: ServiceState, epoch: number): ServiceState | null {
  if (stored.epoch !== epoch || stored.weightsPending === undefined) return null;
  const { weightsPending: _cleared, ...settled } = stored;
  return settled;
}

/**
 * Reconciliation of an active-active service (issue #13 item 3) by its whole weight map: the stored
 * decision (or, before any, every target's configured weight) is what Route 53 should show.
 *
 *   Route 53 shows                                  record
 *   the decided weights                             nothing
 *   the weights of the move on its way, past grace  that move, epoch+1: its write was lost
 *   anything else                                   a hand edit: an operator hold (automation holds off)
 *
 * @example
 * reconcileShares(state, { a: 63, b: 37, c: 0 }, ['a', 'b', 'c'], settings, now, 60); // null when recorded so
 */
export function reconcileShares(
  state: ServiceState,
  weights: Readonly<Record<TargetId, number>>,
  order: readonly TargetId[],
  settings: ActiveActive,
  now: number,
  holdSeconds: number,
  graceMs: number = RECONCILE_GRACE_MS,
): Reconciliation | null {
  if (sameWeights(weights, sharesOf(state, settings, order).weights)) return null;
  const moving = state.moving;
  if (moving?.weights !== undefined && sameWeights(weights, moving.weights)) {
    if (Math.abs(now - moving.since) < graceMs) return null;
    return {
      next: afterShares(state, moving.to, moving.weights, moving.step, now, holdSeconds),
      kind: 'lost-write',
      from: state.active,
      to: moving.to,
      message:
        `Route 53 already shows the weights ${describeWeights(weights, order)} of ${state.service} that the move of ` +
        `epoch ${state.epoch} wrote, but it was never recorded (the flip function stopped between the Route 53 ` +
        `change and its state write). Recorded it now as epoch ${state.epoch + 1}; no second change was made.`,
    };
  }
  if (moving !== null && Math.abs(now - moving.since) < graceMs) return null;
  const edit = splitEdit(state, weights, now);
  if (edit === null) return null;
  // The edited map becomes the recorded one, so that after `failoverctl resume` the controller
  // drains and ramps from what Route 53 really shows instead of calling it a hand edit again.
  return {
    ...edit,
    next: { ...edit.next, shares: { weights: { ...weights }, ramp: null } },
    message:
      `Route 53 shows the weights ${describeWeights(weights, order)} for ${state.service}, which the controller did ` +
      `not decide: they were changed outside it. Recorded them with an operator hold (epoch ${state.epoch + 1}): ` +
      'no automatic change until someone runs failoverctl resume.',
  };
}
