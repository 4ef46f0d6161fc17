/**
 * The rules of `decide` while traffic is on the primary (`primary-active`, `failing-over`).
 */
import { automationBlocked, bothDownMessage, failoverReason, flipBlockedMessage } from './reasons.ts';
import { announce, awaitFlip, flip, inPhase, type Round, stay, type Verdict } from './round.ts';

/**
 * Traffic is on the primary.
 * Primary course:
 *  1. The primary is not DOWN: nothing to do
 *  2. The secondary is DOWN too: fail static, alert `both-down` once
 *  3. The secondary is not yet known: wait, never fail over blind
 *  4. Automation is paused or held: alert `failover-blocked` once, a human must act
 *  5. Otherwise fail over on the current epoch and enter `failing-over`
 */
export function decidePrimaryActive(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.primary.status !== 'down') return stay(round);
  if (state.secondary.status === 'down') {
    return announce(round, {
      condition: 'both-down',
      type: 'alert',
      message: bothDownMessage(state, policy, now, 'primary'),
    });
  }
  if (state.secondary.status !== 'up') return stay(round);
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, policy, now, 'failover', blocker),
    });
  }
  return flip(
    round,
    'failover',
    { phase: 'failing-over', pendingSince: now },
    failoverReason(state, policy, now),
  );
}

/**
 * The failover function has been invoked and has not reported back.
 * Primary course:
 *  1. The failover is still wanted (primary DOWN, secondary UP, automation free): wait, and
 *     re-send it with the same epoch after the pending timeout
 *  2. Otherwise cancel: back to `primary-active` and apply its rules this round (a late failover
 *     for this epoch then finds the phase changed and is stale)
 */
export function decideFailingOver(round: Round): Verdict {
  const { state, policy, now } = round;
  const wanted =
    state.primary.status === 'down' && state.secondary.status === 'up' && automationBlocked(state) === null;
  if (!wanted) return decidePrimaryActive(inPhase(round, 'primary-active'));
  return awaitFlip(round, 'failover', failoverReason(state, policy, now));
}
