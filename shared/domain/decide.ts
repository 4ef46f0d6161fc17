/**
 * The decision engine: one probe round of one service in, the next state and what to do out.
 * Pure: no I/O, no clock (time is `now`), no randomness; it never throws for a valid policy.
 */
import type { Policy, TargetId } from './config.ts';
import type { Action, Evidence } from './events.ts';
import { pruneFlapWindow } from './flip-timing.ts';
import { frozenMessage } from './reasons.ts';
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
  const round: Round = {
    state: { ...state, targets, autoFailbacks: pruneFlapWindow(state.autoFailbacks, now) },
    policy,
    order,
    now,
    evidence: evidence satisfies Evidence,
  };
  return announceOnce(state.announced, decideRound(round), round);
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
