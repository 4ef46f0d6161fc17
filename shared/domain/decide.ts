/**
 * The decision engine: one probe round of one service in, the next state and what to do out.
 * Pure: no I/O, no clock (time is `now`), no randomness; it never throws for a valid policy.
 */
import type { Policy } from './config.ts';
import type { Action, Evidence } from './events.ts';
import { decideFailingBack, decideSecondaryActive } from './failback-rules.ts';
import { decideFailingOver, decidePrimaryActive } from './failover-rules.ts';
import { pruneFlapWindow } from './flip-timing.ts';
import { frozenMessage } from './reasons.ts';
import type { Notice, Round, Verdict } from './round.ts';
import type { AnnouncedCondition, Observation, Phase, ServiceState } from './state.ts';
import { observeTarget } from './target-health.ts';

export interface Decision {
  readonly next: ServiceState;
  /** At most one flip (first), then the notices of conditions that are new this round. */
  readonly actions: Action[];
}

const RULES: Readonly<Record<Phase, (round: Round) => Verdict>> = {
  'primary-active': decidePrimaryActive,
  'failing-over': decideFailingOver,
  'secondary-active': decideSecondaryActive,
  'failing-back': decideFailingBack,
};

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
 *  3. Apply the rules of the current phase: flip, wait, cancel a pending flip, or announce
 *  4. Announce each condition once: a notice is sent when its condition starts to hold, and
 *     forgotten when it stops holding, so a new occurrence is announced again
 *
 * @example
 * const { next, actions } = decide(state, observation, service.policy, clock.now());
 * for (const action of actions) await carryOut(action); // failover / failback / notify / alert
 * if (needsWrite(state, next)) await store.save(next, version);
 */
export function decide(state: ServiceState, observation: Observation, policy: Policy, now: number): Decision {
  const evidence: Evidence = { primary: observation.primary.checks, secondary: observation.secondary.checks };
  const round: Round = {
    state: {
      ...state,
      primary: observeTarget(state.primary, observation.primary, policy, now),
      secondary: observeTarget(state.secondary, observation.secondary, policy, now),
      autoFailbacks: pruneFlapWindow(state.autoFailbacks, now),
    },
    policy,
    now,
    evidence,
  };
  return announceOnce(state.announced, RULES[state.phase](round), round);
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
