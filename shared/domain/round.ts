/**
 * The vocabulary the phase rules of `decide` share: one round's inputs, and the verdict a rule
 * returns (the next state, at most one flip, the notices for conditions that hold).
 */
import type { Policy } from './config.ts';
import type { Action, Evidence } from './events.ts';
import { pendingTimeoutMs } from './flip-timing.ts';
import { resendReason } from './reasons.ts';
import type { AnnouncedCondition, Phase, ServiceState } from './state.ts';

export interface Round {
  /** The state as read, with this round's target health applied and the flap window pruned. */
  readonly state: ServiceState;
  readonly policy: Policy;
  readonly now: number;
  readonly evidence: Evidence;
}

/** A condition that holds this round; `decide` sends its message only when it is new. */
export interface Notice {
  readonly condition: AnnouncedCondition;
  readonly type: 'notify' | 'alert';
  readonly message: string;
}

export interface Verdict {
  readonly next: ServiceState;
  readonly flip: Action | null;
  readonly notices: readonly Notice[];
}

type StateChanges = Partial<Pick<ServiceState, 'phase' | 'pendingSince' | 'autoFailbacks' | 'frozen'>>;

/** Nothing to do this round, apart from `changes`. */
export function stay(round: Round, changes: StateChanges = {}): Verdict {
  return { next: { ...round.state, ...changes }, flip: null, notices: [] };
}

/** A condition holds; nothing moves. */
export function announce(round: Round, notice: Notice): Verdict {
  return { next: round.state, flip: null, notices: [notice] };
}

/** Ask for a flip decided on the current epoch. */
export function flip(
  round: Round,
  type: 'failover' | 'failback',
  changes: StateChanges,
  reason: string,
): Verdict {
  return {
    next: { ...round.state, ...changes },
    flip: { type, epoch: round.state.epoch, reason, evidence: round.evidence },
    notices: [],
  };
}

/** The same round seen from another phase: a pending flip that is no longer wanted falls back. */
export function inPhase(round: Round, phase: Phase): Round {
  return { ...round, state: { ...round.state, phase, pendingSince: null } };
}

/**
 * A flip was sent and is still wanted: wait for the flip function, and send it again with the
 * same epoch once the pending timeout has passed (a lost async invoke). A `pendingSince` that is
 * missing or in the future (the clock jumped back) restarts the wait from `now`.
 */
export function awaitFlip(round: Round, type: 'failover' | 'failback', why: string): Verdict {
  const { state, now, policy } = round;
  const since = state.pendingSince;
  if (since === null || since > now) return stay(round, { pendingSince: now });
  const waited = now - since;
  if (waited < pendingTimeoutMs(policy)) return stay(round);
  return flip(round, type, { pendingSince: now }, resendReason(type, state.epoch, waited, why));
}
