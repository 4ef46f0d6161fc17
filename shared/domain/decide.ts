/**
 * The decision engine: one probe round of one service in, the next state and what to do out.
 * Pure: no I/O, no clock (time is `now`), no randomness; it never throws for a valid policy.
 */
import type { Policy, TargetId } from './config.ts';
import { type Action, type Evidence, isFlipAction } from './events.ts';
import { pruneFlapWindow } from './flip-timing.ts';
import { describeVotes, dissent, quorumHealth, quorumLost, type Tally } from './quorum.ts';
import type { GateState } from './ramp.ts';
import { disagreeMessage, frozenMessage, quorumLostMessage } from './reasons.ts';
import type { Notice, Round, Verdict } from './round.ts';
import { decideRound } from './rules.ts';
import {
  type AnnouncedCondition,
  healthOf,
  type Observation,
  type ServiceState,
  type TargetHealth,
} from './state.ts';
import { observeTarget } from './target-health.ts';

export interface Decision {
  readonly next: ServiceState;
  /** At most one move (first), then the notices of conditions that are new this round. */
  readonly actions: Action[];
}

/** The canonical order of `announced`, so the same conditions always store the same. */
const CONDITIONS: readonly AnnouncedCondition[] = [
  'both-down',
  'failover-blocked',
  'failback-ready',
  'flapping-frozen',
  'quorum-lost',
  'vantage-disagrees',
  'drain-refused',
];

/**
 * Decide what one probe round means for a service.
 * Primary course:
 *  1. Apply the round to each target's hysteresis (fail fast, return slow; streaks saturate)
 *  2. Drop automatic failbacks older than an hour from the flap window
 *  3. Apply the rules (`rules.ts`): move, wait, withdraw a pending move, or announce
 *  4. Announce each condition once: a notice is sent when its condition starts to hold, and
 *     forgotten when it stops holding, so a new occurrence is announced again
 *
 * @example
 * const { next, actions } = decide(state, observation, service.policy, targetOrder(service), clock.now());
 * for (const action of actions) await carryOut(action); // failover / failback / notify / alert
 * if (needsWrite(state, next)) await store.save(next, version);
 */
export function decide(
  state: ServiceState,
  observation: Observation,
  policy: Policy,
  order: readonly TargetId[],
  now: number,
): Decision {
  const targets: Record<TargetId, TargetHealth> = { ...state.targets };
  const evidence: Record<TargetId, Observation['targets'][TargetId]['checks']> = {};
  for (const id of order) {
    const seen = observation.targets[id];
    if (seen === undefined) continue;
    targets[id] = observeTarget(healthOf(state, id), seen, policy, now);
    evidence[id] = seen.checks;
  }
  const round = roundOf(state, targets, evidence, policy, order, now, observation.gate ?? null);
  return announceOnce(state.announced, decideRound(round), round);
}

/**
 * `decide` for a watchdog with several vantages (issue #11): each target's health is the quorum's
 * (`quorum.ts`), not this vantage's; `evidence` is this vantage's own last checks.
 * Primary course:
 *  1. Judge each target by the votes: DOWN or UP when a quorum says so, else as it was
 *  2. Fewer voters than a quorum: change nothing and alert (fail static)
 *  3. Apply the rules as `decide` does; a move's reason names the vantages and their votes
 *  4. Announce a vantage that sees a target otherwise than the quorum (once, as every condition)
 *
 * @example
 * const count = tally(votes, config.vantages, order, service.policy, now);
 * const { next, actions } = decideByQuorum(state, count, evidence, service.policy, order, now);
 */
export function decideByQuorum(
  state: ServiceState,
  count: Tally,
  evidence: Evidence,
  policy: Policy,
  order: readonly TargetId[],
  now: number,
  gate: GateState | null = null,
): Decision {
  const targets: Record<TargetId, TargetHealth> = { ...state.targets };
  for (const id of order) {
    targets[id] = quorumHealth(healthOf(state, id), count, id, now, evidence[id] ?? [], policy);
  }
  const round = roundOf(state, targets, evidence, policy, order, now, gate);
  if (quorumLost(count)) {
    // No health-driven change on fewer votes than a quorum: no new move, no withdrawal, the alert —
    // not even that while the other vantages are still to cast their first votes. Two moves need no
    // vote and still go: re-sending the move a quorum already decided (its invoke was lost), and
    // rolling a ramp back because its step alarm fired (a CloudWatch signal, not the vantages').
    const notices: Notice[] = count.starting
      ? []
      : [{ condition: 'quorum-lost', type: 'alert', message: quorumLostMessage(count) }];
    const verdict = decideRound(round);
    const kept = verdict.flip !== null && needsNoVote(state, verdict.flip, round.gate) ? verdict : null;
    const still = kept ?? { next: round.state, flip: null, notices: [] };
    return announceOnce(state.announced, { ...still, notices: [...still.notices, ...notices] }, round);
  }
  const verdict = decideRound(round);
  const statuses = Object.fromEntries(order.map((id) => [id, healthOf(round.state, id).status]));
  const against = dissent(count, statuses, now);
  const notices: Notice[] =
    Object.keys(against).length === 0
      ? []
      : [
          {
            condition: 'vantage-disagrees',
            type: 'notify',
            message: disagreeMessage(count, against, statuses),
          },
        ];
  const decision = announceOnce(
    state.announced,
    { ...verdict, notices: [...verdict.notices, ...notices] },
    round,
  );
  const actions = decision.actions.map((action) => {
    if (!isFlipAction(action)) return action;
    // A failover is about the target left behind, a failback about the one returned to.
    const subject = action.type === 'failover' ? state.active : action.to;
    return { ...action, reason: `${action.reason} (${describeVotes(count, subject)})` };
  });
  return { ...decision, actions };
}

/**
 * A move that may go on without a quorum of votes: the re-send of the pending move (same target,
 * same epoch: decided on a quorum before), or a ramp rolled back while its step alarm is in ALARM.
 */
function needsNoVote(state: ServiceState, flip: Action, gate: GateState | null): boolean {
  if (!isFlipAction(flip)) return false;
  const resend = state.moving !== null && state.moving.to === flip.to && flip.epoch === state.epoch;
  if (resend) return true;
  if (gate !== 'ALARM') return false;
  const rampBack = state.ramp !== null && flip.to === state.ramp.from;
  const shareBack = state.shares?.ramp != null && flip.weights?.[state.shares.ramp.to] === 0;
  return rampBack || shareBack;
}

function roundOf(
  state: ServiceState,
  targets: Record<TargetId, TargetHealth>,
  evidence: Evidence,
  policy: Policy,
  order: readonly TargetId[],
  now: number,
  gate: GateState | null,
): Round {
  return {
    state: { ...state, targets, autoFailbacks: pruneFlapWindow(state.autoFailbacks, now) },
    policy,
    order,
    now,
    evidence,
    gate,
  };
}

function announceOnce(before: readonly AnnouncedCondition[], verdict: Verdict, round: Round): Decision {
  const notices: readonly Notice[] = verdict.next.frozen
    ? [
        ...verdict.notices,
        { condition: 'flapping-frozen', type: 'alert', message: frozenMessage(verdict.next, round.policy) },
      ]
    : verdict.notices;
  const actions: Action[] = verdict.flip === null ? [] : [verdict.flip];
  for (const notice of notices) {
    if (before.includes(notice.condition)) continue;
    actions.push({
      type: notice.type,
      event: notice.condition,
      message: notice.message,
      evidence: round.evidence,
    });
  }
  const holding = CONDITIONS.filter((condition) => notices.some((notice) => notice.condition === condition));
  const unchanged =
    holding.length === before.length && holding.every((condition, i) => before[i] === condition);
  return { next: { ...verdict.next, announced: unchanged ? before : holding }, actions };
}
