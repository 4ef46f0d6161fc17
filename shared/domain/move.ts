/**
 * A `Move` is the unit of work of the flip engine: move one service's traffic to one target,
 * decided by the watchdog on an epoch or asked for by an operator. The flip use case executes a
 * list of moves; each move's steps — fence, claim, record, release, refuse — are the pure rules
 * below, applied to the state as stored at write time (so a pause, a hold or a newer epoch written
 * meanwhile is never undone).
 *
 *   watchdog ──decide──> moving (epoch N) ──Move{epoch N}──> fence ─> claim ─> Route 53 CAS ─> record (N+1)
 *   a duplicate Move{epoch N} after that finds epoch N+1: stale; one racing it loses the claim.
 */
import { afterFlip, afterShares, afterStep } from './after-flip.ts';
import type { Policy, TargetId } from './config.ts';
import type { Evidence } from './events.ts';
import { DEFAULT_STEP_HOLD_SECONDS, percentOf, type RampStep, sameStep, sameWeights } from './ramp.ts';
import {
  type FlipFailure,
  type Hold,
  healthOf,
  type OperatorClaim,
  type ServiceState,
  type TargetObservation,
} from './state.ts';

export type Direction = 'failover' | 'failback';

export interface Move {
  readonly service: string;
  /** Which function carries it: `failback` returns to a more preferred target, `failover` leaves for a less preferred one. */
  readonly direction: Direction;
  readonly to: TargetId;
  /** The service's most preferred target (an operator's move there lifts a flap freeze). */
  readonly first: TargetId;
  /** The epoch the watchdog decided on; absent for an operator's request. */
  readonly epoch?: number;
  /** `watchdog` for automatic moves, else the operator's name. */
  readonly requestedBy: string;
  /** Why, as given (an operator's words) or decided (the watchdog's reason). */
  readonly reason?: string;
  /** Move even if the target fails its re-check (operators only, through the forced function). */
  readonly force: boolean;
  /** The watchdog's probe results, for its own epoch-fenced moves only. */
  readonly evidence?: Evidence;
  /** Follows the move through logs, audit events and notifications. */
  readonly correlationId: string;
  /**
   * A step of a ramped failback (issue #13): `to` gets `steps[step]` percent of the active weight and
   * the active target keeps the rest. Absent: all the traffic moves (the last step, a rollback, any
   * other move).
   */
  readonly step?: RampStep;
  /**
   * Active-active (issue #13 item 3): the whole weight map to write, decided by the watchdog; with
   * `step`, `to` is a drained target ramping back. Absent for every active-passive move.
   */
  readonly weights?: Readonly<Record<TargetId, number>>;
}

/** What a step decides without touching anything: stop here, with an outcome and a sentence. */
export interface Stop {
  readonly outcome: 'stale' | 'already-active';
  readonly message: string;
}

export function isAutomatic(move: Move): boolean {
  return move.epoch !== undefined;
}

/** Whether the watchdog's move on its way is this one (the same target, the same step). */
function pending(state: ServiceState, move: Move): boolean {
  return (
    state.moving !== null &&
    state.moving.to === move.to &&
    sameStep(state.moving.step, move.step) &&
    sameMap(state.moving.weights, move.weights)
  );
}

function sameMap(
  a: Readonly<Record<TargetId, number>> | undefined,
  b: Readonly<Record<TargetId, number>> | undefined,
): boolean {
  return a === undefined || b === undefined ? a === b : sameWeights(a, b);
}

/**
 * Whether the traffic is already where the move takes it, as recorded: on `to` alone with no ramp,
 * or (for a ramp step) a ramp to `to` already at this step or beyond.
 */
function alreadyThere(state: ServiceState, move: Move): boolean {
  if (move.weights !== undefined) {
    return state.shares !== undefined && sameWeights(state.shares.weights, move.weights);
  }
  if (move.step === undefined) return state.active === move.to && state.ramp === null;
  const ramp = state.ramp;
  return ramp !== null && ramp.to === move.to && percentOf(ramp) >= percentOf(move.step);
}

function alreadyMessage(state: ServiceState, move: Move): string {
  const ramp = state.ramp;
  return ramp !== null && ramp.to === move.to
    ? `${move.service} is already failing back to the ${move.to} at ${percentOf(ramp)} %.`
    : `${move.service} is already on the ${move.to}.`;
}

/**
 * The fence: which moves may go on at all. An automatic move needs the epoch it was decided on and
 * its decision still on its way with automation free; an operator's waits while the watchdog moves
 * the service elsewhere (unless forced), and has nothing to do when the target is already active.
 *
 * @example
 * fence({ ...state, epoch: 5 }, { ...move, epoch: 4 }); // { outcome: 'stale', message: 'Decided on epoch 4, ...' }
 */
export function fence(state: ServiceState, move: Move): Stop | null {
  if (move.epoch === undefined) {
    if (state.moving !== null && state.moving.to !== move.to && !move.force) {
      return {
        outcome: 'stale',
        message:
          `A move of ${move.service} to the ${state.moving.to} is under way (epoch ${state.epoch}); ` +
          'try again once it has finished, or force it.',
      };
    }
    if (alreadyThere(state, move) && !pending(state, move)) {
      return { outcome: 'already-active', message: alreadyMessage(state, move) };
    }
    return null;
  }
  if (move.epoch !== state.epoch) {
    return {
      outcome: 'stale',
      message: `Decided on epoch ${move.epoch}, but ${move.service} is at epoch ${state.epoch}: a newer decision stands.`,
    };
  }
  if (!pending(state, move)) {
    return alreadyThere(state, move)
      ? { outcome: 'already-active', message: alreadyMessage(state, move) }
      : {
          outcome: 'stale',
          message: `The ${move.direction} decided on epoch ${move.epoch} was withdrawn (${state.moving === null ? 'nothing is moving' : `moving to the ${state.moving.to}`}).`,
        };
  }
  if (state.paused || state.hold) {
    return {
      outcome: 'stale',
      message: `Automation for ${move.service} is ${state.paused ? 'paused' : 'held'}; the automatic ${move.direction} was not carried out.`,
    };
  }
  return null;
}

/**
 * The hold a move sets when it lands: a failback releases any hold; a forced or an operator's
 * failover holds automatic failback off; the watchdog's own failover sets none.
 */
export function holdAfter(move: Move, now: number): Hold | null {
  if (move.direction === 'failback') return null;
  if (move.force)
    return { kind: 'forced', by: move.requestedBy, reason: move.reason ?? 'forced failover', at: now };
  if (!isAutomatic(move)) {
    return {
      kind: 'planned-failover',
      by: move.requestedBy,
      reason: move.reason ?? 'planned failover',
      at: now,
    };
  }
  return null;
}

/**
 * The claim, written conditionally so exactly one invocation goes on to Route 53. An automatic move
 * refreshes the watchdog's `moving` (its decision). An operator's keeps the active target — so the
 * watchdog's rules, which would withdraw a move they see no reason for, leave it alone — and records
 * an explicit `claim` with the hold it sets when it lands: reconciliation records it if it landed
 * and never recorded itself, and releases it if it never landed (issue #17).
 */
export function claim(state: ServiceState, move: Move, now: number): ServiceState {
  const step = move.step === undefined ? {} : { step: move.step };
  // An active-active move is its whole weight map: the claim must keep it, or the claimed move no
  // longer looks pending — a re-send would pass the fence and a failed flip could not be released.
  const weights = move.weights === undefined ? {} : { weights: move.weights };
  if (isAutomatic(move)) return { ...state, moving: { to: move.to, since: now, ...step, ...weights } };
  const operatorClaim: OperatorClaim = {
    to: move.to,
    by: move.requestedBy,
    at: now,
    hold: holdAfter(move, now),
    ...step,
  };
  return { ...state, claim: operatorClaim };
}

/** Whether `fresh` still shows the state a claim was computed from: nobody else claimed or moved since. */
export function stillClaimable(fresh: ServiceState, before: ServiceState): boolean {
  return (
    fresh.epoch === before.epoch &&
    fresh.active === before.active &&
    sameMoving(fresh, before) &&
    sameClaim(fresh.claim, before.claim)
  );
}

/**
 * Undo a claim whose flip did not happen, so the watchdog decides afresh; with `failure`, record the
 * failed attempt in the same write. Null when there is nothing of this claim left to undo (a newer
 * epoch, another invocation's claim).
 */
export function release(
  stored: ServiceState,
  claimed: ServiceState,
  move: Move,
  failure: FlipFailure | null,
): ServiceState | null {
  if (stored.epoch !== claimed.epoch) return null;
  const recorded = failure === null ? {} : { lastFailure: failure };
  if (isAutomatic(move)) return pending(stored, move) ? { ...stored, moving: null, ...recorded } : null;
  return sameClaim(stored.claim, claimed.claim) ? { ...stored, claim: null, ...recorded } : null;
}

/**
 * The state once the move has landed (epoch + 1, with its hold), whoever else wrote meanwhile; null
 * when it is already recorded (e.g. the watchdog reconciled it first). A ramp step records the ramp
 * (`afterStep`) with `holdSeconds`, the hold of the step (see `stepHoldSeconds`).
 */
export function record(
  stored: ServiceState,
  claimedEpoch: number,
  move: Move,
  now: number,
  holdSeconds: number = DEFAULT_STEP_HOLD_SECONDS,
): ServiceState | null {
  if (stored.epoch !== claimedEpoch) return null;
  if (move.weights !== undefined) {
    return {
      ...afterShares(stored, move.to, move.weights, move.step, now, holdSeconds),
      hold: holdAfter(move, now),
    };
  }
  if (move.step !== undefined) {
    const kind = isAutomatic(move) ? 'automatic' : 'operator';
    const stepped = afterStep(stored, move.to, move.step, now, holdSeconds, move.requestedBy, kind);
    return { ...stepped, hold: holdAfter(move, now) };
  }
  const flipped = afterFlip(stored, move.to, now, isAutomatic(move) ? 'automatic' : 'operator', move.first);
  return { ...flipped, hold: holdAfter(move, now) };
}

/**
 * The state once the move has landed through the data plane (issue #12): as `record` (epoch + 1, one
 * decision), marked so that the watchdog brings Route 53's weights in line with it instead of calling
 * the difference a hand edit. Null when it is already recorded.
 *
 * Never a ramp step (issue #13): the signal allows whole targets, so a split cannot land through it
 * (the controller sends steps through the compare-and-swap only). A ramp's rollback — all the traffic
 * back to the standby — can: it ends the ramp like any move of all the traffic.
 *
 * @throws DataPlaneStepError for a move with a ramp step.
 * @example
 * recordThroughDataPlane(state, 4, move, now)?.weightsPending; // { since: now }
 */
export function recordThroughDataPlane(
  stored: ServiceState,
  claimedEpoch: number,
  move: Move,
  now: number,
): ServiceState | null {
  if (move.step !== undefined || move.weights !== undefined) throw new DataPlaneStepError(move);
  const recorded = record(stored, claimedEpoch, move, now);
  return recorded === null ? null : { ...recorded, weightsPending: { since: now } };
}

/** A ramp step asked to be recorded as a data-plane landing: a bug, since a split cannot land there. */
export class DataPlaneStepError extends Error {
  override name = 'DataPlaneStepError';
  readonly service: string;

  constructor(move: Move) {
    super(
      `Service "${move.service}": a gradual-failback step (${percentOf(move.step)} % to the ${move.to}) cannot land ` +
        'through the data plane, whose signal allows whole targets only; it must go through the compare-and-swap.',
    );
    this.service = move.service;
  }
}

/**
 * The target failed its fresh re-check: mark it DOWN (so the watchdog does not ask again at once)
 * and withdraw the watchdog's pending move. Null when a newer epoch means someone else moved the
 * traffic meanwhile.
 */
export function refuse(
  stored: ServiceState,
  loadedEpoch: number,
  move: Move,
  verification: TargetObservation,
  policy: Policy,
  now: number,
): ServiceState | null {
  if (stored.epoch !== loadedEpoch) return null;
  const health = healthOf(stored, move.to);
  return {
    ...stored,
    moving: pending(stored, move) ? null : stored.moving,
    targets: {
      ...stored.targets,
      [move.to]: {
        status: 'down',
        okStreak: 0,
        failStreak: policy.failureThreshold,
        since: health.status === 'down' ? health.since : now,
        last: verification.checks,
      },
    },
  };
}

/** The failed attempt of a move, as recorded in the state (issue #17). */
export function failureOf(move: Move, epoch: number, error: string, now: number): FlipFailure {
  return { to: move.to, by: move.requestedBy, at: now, epoch, error };
}

/** Whether `before` already holds a failure of this same move (one notification per failing streak). */
export function repeatsFailure(before: ServiceState, move: Move, epoch: number): boolean {
  const previous = before.lastFailure;
  return previous !== null && previous.to === move.to && previous.epoch === epoch;
}

function sameMoving(a: ServiceState, b: ServiceState): boolean {
  if (a.moving === null || b.moving === null) return a.moving === b.moving;
  return (
    a.moving.to === b.moving.to &&
    a.moving.since === b.moving.since &&
    sameStep(a.moving.step, b.moving.step) &&
    sameMap(a.moving.weights, b.moving.weights)
  );
}

function sameClaim(a: OperatorClaim | null, b: OperatorClaim | null): boolean {
  if (a === null || b === null) return a === b;
  return a.at === b.at && a.by === b.by && a.to === b.to && sameStep(a.step, b.step);
}
