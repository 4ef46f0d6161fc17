/**
 * The rules of `decide` while traffic is on the secondary (`secondary-active`, `failing-back`).
 */
import { dwellPassed, flapLimitReached } from './flip-timing.ts';
import {
  automationBlocked,
  bothDownMessage,
  emergencyFailbackReason,
  failbackReadyMessage,
  failbackReason,
  flipBlockedMessage,
} from './reasons.ts';
import { announce, awaitFlip, flip, inPhase, type Round, stay, type Verdict } from './round.ts';

/**
 * Traffic is on the secondary.
 * Primary course:
 *  1. The secondary is DOWN: see `decideSecondaryDown`
 *  2. The primary is not UP, or `minDwellSeconds` have not passed: wait
 *  3. Paused, held, or `failback: manual`: notify `failback-ready` once
 *  4. Frozen by flap damping: wait for an operator (the freeze was alerted when it began)
 *  5. The flap limit is reached: freeze (and `decide` alerts `flapping-frozen` once)
 *  6. Otherwise fail back on the current epoch, enter `failing-back`, count it in the flap window
 */
export function decideSecondaryActive(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.secondary.status === 'down') return decideSecondaryDown(round);
  if (state.primary.status !== 'up' || !dwellPassed(state.lastFlipAt, policy, now)) return stay(round);
  const blocker = automationBlocked(state) ?? (policy.failback === 'manual' ? 'failback is manual' : null);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failback-ready',
      type: 'notify',
      message: failbackReadyMessage(state, policy, now, blocker),
    });
  }
  if (state.frozen) return stay(round);
  if (flapLimitReached(state.autoFailbacks, policy)) return stay(round, { frozen: true });
  return flip(
    round,
    'failback',
    { phase: 'failing-back', pendingSince: now, autoFailbacks: [...state.autoFailbacks, now] },
    failbackReason(state, policy, now),
  );
}

/**
 * The active secondary is DOWN: never keep traffic on a dead target.
 * Primary course:
 *  1. The primary is DOWN too: fail static, alert `both-down` once
 *  2. The primary is not yet known: nothing healthy to go to, wait
 *  3. Paused or held: alert `failover-blocked` once, a human must act
 *  4. Otherwise fail back at once, whatever the dwell, the failback policy or a flap freeze.
 *     Like a failover, this emergency failback is not counted in the flap window.
 */
function decideSecondaryDown(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.primary.status === 'down') {
    return announce(round, {
      condition: 'both-down',
      type: 'alert',
      message: bothDownMessage(state, policy, now, 'secondary'),
    });
  }
  if (state.primary.status !== 'up') return stay(round);
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, policy, now, 'failback', blocker),
    });
  }
  return flip(
    round,
    'failback',
    { phase: 'failing-back', pendingSince: now },
    emergencyFailbackReason(state, policy, now),
  );
}

/**
 * The failback function has been invoked and has not reported back.
 * Primary course:
 *  1. The failback is still wanted (primary UP, automation free): wait, and re-send it with the
 *     same epoch after the pending timeout
 *  2. Otherwise cancel: back to `secondary-active` and apply its rules this round
 */
export function decideFailingBack(round: Round): Verdict {
  const { state, policy, now } = round;
  const wanted = state.primary.status === 'up' && automationBlocked(state) === null;
  if (!wanted) return decideSecondaryActive(inPhase(round, 'secondary-active'));
  const why =
    state.secondary.status === 'down'
      ? emergencyFailbackReason(state, policy, now)
      : failbackReason(state, policy, now);
  return awaitFlip(round, 'failback', why);
}
