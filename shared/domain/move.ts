/**
 * A `Move` is the unit of work of the flip engine: move one service's traffic to one target,
 * decided by the watchdog on an epoch or asked for by an operator. The flip use case executes a
 * list of moves; each move's steps — fence, claim, record, release, refuse — are the pure rules
 * below, applied to the state as stored at write time (so a pause, a hold or a newer epoch written
 * meanwhile is never undone).
 *
 *   watchdog ──decide──> failing-over (epoch N) ──Move{epoch N}──> fence ─> claim ─> Route 53 CAS ─> record (N+1)
 *   a duplicate Move{epoch N} after that finds epoch N+1: stale; one racing it loses the claim.
 */
import { afterFlip } from './after-flip.ts';
import { otherTarget, type Policy, type TargetName } from './config.ts';
import type { Evidence } from './events.ts';
import {
  activeTarget,
  type FlipFailure,
  type Hold,
  type OperatorClaim,
  type Phase,
  type ServiceState,
  type TargetObservation,
} from './state.ts';

export type Direction = 'failover' | 'failback';

export interface Move {
  readonly service: string;
  readonly to: TargetName;
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
}

/** What a step decides without touching anything: stop here, with an outcome and a sentence. */
export interface Stop {
  readonly outcome: 'stale' | 'already-active';
  readonly message: string;
}

export function isAutomatic(move: Move): boolean {
  return move.epoch !== undefined;
}

export function directionOf(move: Move): Direction {
  return move.to === 'secondary' ? 'failover' : 'failback';
}

export function fromOf(move: Move): TargetName {
  return otherTarget(move.to);
}

/** The phase the watchdog records while its move is on its way. */
export function pendingPhaseOf(move: Move): Phase {
  return move.to === 'secondary' ? 'failing-over' : 'failing-back';
}

function settledPhase(target: TargetName): Phase {
  return target === 'primary' ? 'primary-active' : 'secondary-active';
}

/**
 * The fence: which moves may go on at all. An automatic move needs the epoch it was decided on and
 * its decision still pending with automation free; an operator's waits while the other direction is
 * under way (unless forced), and has nothing to do when the target is already active.
 *
 * @example
 * fence({ ...state, epoch: 5 }, { ...move, epoch: 4 }); // { outcome: 'stale', message: 'Decided on epoch 4, ...' }
 */
export function fence(state: ServiceState, move: Move): Stop | null {
  const active = activeTarget(state.phase);
  const pending = pendingPhaseOf(move);
  const direction = directionOf(move);
  if (move.epoch === undefined) {
    const otherPending: Phase = pending === 'failing-over' ? 'failing-back' : 'failing-over';
    if (state.phase === otherPending && !move.force) {
      return {
        outcome: 'stale',
        message:
          `A ${direction === 'failover' ? 'failback' : 'failover'} of ${move.service} is under way ` +
          `(epoch ${state.epoch}); try again once it has finished, or force it.`,
      };
    }
    if (active === move.to && state.phase !== pending) {
      return { outcome: 'already-active', message: `${move.service} is already on the ${move.to}.` };
    }
    return null;
  }
  if (move.epoch !== state.epoch) {
    return {
      outcome: 'stale',
      message: `Decided on epoch ${move.epoch}, but ${move.service} is at epoch ${state.epoch}: a newer decision stands.`,
    };
  }
  if (state.phase !== pending) {
    return active === move.to
      ? { outcome: 'already-active', message: `${move.service} is already on the ${move.to}.` }
      : {
          outcome: 'stale',
          message: `The ${direction} decided on epoch ${move.epoch} was withdrawn (phase is ${state.phase}).`,
        };
  }
  if (state.paused || state.hold) {
    return {
      outcome: 'stale',
      message: `Automation for ${move.service} is ${state.paused ? 'paused' : 'held'}; the automatic ${direction} was not carried out.`,
    };
  }
  return null;
}

/**
 * The hold a move sets when it lands: a failback releases any hold; a forced or an operator's
 * failover holds automatic failback off; the watchdog's own failover sets none.
 */
export function holdAfter(move: Move, now: number): Hold | null {
  if (move.to === 'primary') return null;
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
 * moves the phase to `failing-*` (the watchdog decided it). An operator's keeps the phase — so the
 * watchdog's rules, which would withdraw a pending flip they see no reason for, leave it alone — and
 * records an explicit `claim` with the hold it sets when it lands: reconciliation records it if it
 * landed and never recorded itself, and releases it if it never landed (issue #17).
 */
export function claim(state: ServiceState, move: Move, now: number): ServiceState {
  if (isAutomatic(move)) return { ...state, phase: pendingPhaseOf(move), pendingSince: now };
  const operatorClaim: OperatorClaim = {
    to: move.to,
    by: move.requestedBy,
    at: now,
    hold: holdAfter(move, now),
  };
  return { ...state, claim: operatorClaim };
}

/** Whether `fresh` still shows the state a claim was computed from: nobody else claimed or moved since. */
export function stillClaimable(fresh: ServiceState, before: ServiceState): boolean {
  return (
    fresh.epoch === before.epoch &&
    fresh.phase === before.phase &&
    fresh.pendingSince === before.pendingSince &&
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
  if (isAutomatic(move)) {
    return stored.phase === pendingPhaseOf(move)
      ? { ...stored, phase: settledPhase(fromOf(move)), pendingSince: null, ...recorded }
      : null;
  }
  return sameClaim(stored.claim, claimed.claim) ? { ...stored, claim: null, ...recorded } : null;
}

/**
 * The state once the move has landed (epoch + 1, with its hold), whoever else wrote meanwhile; null
 * when it is already recorded (e.g. the watchdog reconciled it first).
 */
export function record(
  stored: ServiceState,
  claimedEpoch: number,
  move: Move,
  now: number,
): ServiceState | null {
  if (stored.epoch !== claimedEpoch) return null;
  const flipped = afterFlip(stored, move.to, now, isAutomatic(move) ? 'automatic' : 'operator');
  return { ...flipped, hold: holdAfter(move, now) };
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
  const pending = stored.phase === pendingPhaseOf(move);
  const health = stored[move.to];
  return {
    ...stored,
    phase: pending ? settledPhase(fromOf(move)) : stored.phase,
    pendingSince: pending ? null : stored.pendingSince,
    [move.to]: {
      status: 'down',
      okStreak: 0,
      failStreak: policy.failureThreshold,
      since: health.status === 'down' ? health.since : now,
      last: verification.checks,
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

function sameClaim(a: OperatorClaim | null, b: OperatorClaim | null): boolean {
  if (a === null || b === null) return a === b;
  return a.at === b.at && a.by === b.by && a.to === b.to;
}
