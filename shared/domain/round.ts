/**
 * The vocabulary the rules of `decide` share: one round's inputs, and the verdict a rule returns
 * (the next state, at most one move, the notices for conditions that hold).
 */
import type { Policy, TargetId } from './config.ts';
import type { Action, Evidence } from './events.ts';
import { CLOCK_ALLOWANCE_MS, pendingTimeoutMs } from './flip-timing.ts';
import type { GateState, RampStep } from './ramp.ts';
import { resendReason } from './reasons.ts';
import { type AnnouncedCondition, healthOf, type ServiceState, type TargetHealth } from './state.ts';

export interface Round {
  /** The state as read, with this round's target health applied and the flap window pruned. */
  readonly state: ServiceState;
  readonly policy: Policy;
  /** The service's targets, most preferred first. */
  readonly order: readonly TargetId[];
  readonly now: number;
  readonly evidence: Evidence;
  /**
   * The step alarm of a ramped failback (issue #13) as read this round; null when the service has
   * none or no ramp is under way.
   */
  readonly gate: GateState | null;
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

export type StateChanges = Partial<Pick<ServiceState, 'moving' | 'autoFailbacks' | 'frozen'>>;

export function health(round: Round, id: TargetId): TargetHealth {
  return healthOf(round.state, id);
}

/** Nothing to do this round, apart from `changes`. */
export function stay(round: Round, changes: StateChanges = {}): Verdict {
  return { next: { ...round.state, ...changes }, flip: null, notices: [] };
}

/** A condition holds; nothing moves. */
export function announce(round: Round, notice: Notice): Verdict {
  return { next: round.state, flip: null, notices: [notice] };
}

/**
 * Ask for a move to `to`, decided on the current epoch; the state records it as on its way. With
 * `step`, the move is a step of a ramped failback (issue #13), not all the traffic.
 */
export function move(
  round: Round,
  to: TargetId,
  type: 'failover' | 'failback',
  changes: StateChanges,
  reason: string,
  step: RampStep | null = null,
): Verdict {
  const stepped = step === null ? {} : { step };
  return {
    next: { ...round.state, moving: { to, since: round.now, ...stepped }, ...changes },
    flip: { type, to, epoch: round.state.epoch, reason, evidence: round.evidence, ...stepped },
    notices: [],
  };
}

/** The same round with the watchdog's pending move withdrawn. */
export function withdrawn(round: Round): Round {
  return { ...round, state: { ...round.state, moving: null } };
}

/**
 * A move was sent and is still wanted: wait for the flip function, and send it again with the
 * same epoch once the pending timeout has passed (a lost async invoke). A `since` further in the
 * future than two clocks may differ (`CLOCK_ALLOWANCE_MS`: the clock jumped back) restarts the
 * wait from `now`; a nearer one is another machine's clock (a flip function, another vantage), left
 * as written — rewriting it would change the move under the flip function that is claiming it.
 */
export function awaitMove(round: Round, type: 'failover' | 'failback', why: string): Verdict {
  const { state, now, policy } = round;
  const moving = state.moving;
  if (moving === null) return stay(round);
  if (moving.since > now + CLOCK_ALLOWANCE_MS) return stay(round, { moving: { ...moving, since: now } });
  const waited = now - moving.since;
  if (waited < pendingTimeoutMs(policy)) return stay(round);
  return {
    next: { ...state, moving: { ...moving, since: now } },
    flip: {
      type,
      to: moving.to,
      epoch: state.epoch,
      reason: resendReason(type, state.epoch, waited, why),
      evidence: round.evidence,
      ...(moving.step === undefined ? {} : { step: moving.step }),
      ...(moving.weights === undefined ? {} : { weights: moving.weights }),
    },
    notices: [],
  };
}
