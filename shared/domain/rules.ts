/**
 * The rules of `decide`: one rule set over the service's targets in preference order, for failover
 * and failback alike — leave a DOWN active target for the most preferred UP one; return to a more
 * preferred target once it is UP, the dwell has passed and policy allows. With two targets this is
 * failover to the secondary and failback to the primary.
 */
import { activeActiveRound } from './active-active.ts';
import type { TargetId } from './config.ts';
import { dwellPassed, flapLimitReached } from './flip-timing.ts';
import { failbackStepsOf, firstStep } from './ramp.ts';
import { rampMoveWanted, rampRound, rollbackReason } from './ramp-rules.ts';
import {
  allDownMessage,
  automationBlocked,
  emergencyFailbackReason,
  failbackReadyMessage,
  failbackReason,
  failoverReason,
  flipBlockedMessage,
} from './reasons.ts';
import { announce, awaitMove, health, move, type Round, stay, type Verdict, withdrawn } from './round.ts';
import { isFailback } from './state.ts';

/**
 * One round of a service.
 * Primary course:
 *  1. A move of the watchdog's is on its way: wait for it (re-send it after the pending timeout)
 *     while it is still wanted, else withdraw it and decide afresh
 *  2. A gradual failback is under way: its own rules (`ramp-rules.ts`: advance, roll back, finish)
 *  3. The active target is DOWN: leave it (`leaveDown`)
 *  4. A more preferred target is UP: return to it (`returnTo`) — with `failbackSteps`, by a ramp
 *  5. Otherwise nothing to do
 * An active-active service follows `active-active.ts` instead (drain, ramp back).
 */
export function decideRound(round: Round): Verdict {
  const { state, order } = round;
  // Active-active (issue #13 item 3): its own rules over the whole weight map.
  if (round.policy.activeActive !== undefined)
    return activeActiveRound(round, round.policy.activeActive, awaitMove);
  const moving = state.moving;
  if (moving !== null) {
    const type = isFailback(order, state.active, moving.to) ? 'failback' : 'failover';
    const wanted =
      state.ramp === null ? stillWanted(round, moving.to) : rampMoveWanted(round, state.ramp, moving);
    if (!wanted) return settled(withdrawn(round));
    const why =
      state.ramp !== null && moving.to === state.ramp.from
        ? rollbackReason(state.ramp, `the ${state.ramp.to} failed during the ramp`)
        : type === 'failover'
          ? failoverReason(state, order, round.policy, round.now)
          : health(round, state.active).status === 'down'
            ? emergencyFailbackReason(state, moving.to, round.policy, round.now)
            : failbackReason(state, moving.to, order, round.policy, round.now);
    return awaitMove(round, type, why);
  }
  return settled(round);
}

/**
 * A pending move is still wanted while its target is UP and automation is free, and — for a move to
 * a less preferred target — while the active target is still DOWN (a recovered primary cancels a
 * failover that has not happened yet; a late one is then stale). A pending failback is not
 * redirected when a target more preferred than its own recovers meanwhile: it lands, and the climb
 * goes on after the next dwell — one epoch, one batch at a time.
 */
function stillWanted(round: Round, to: TargetId): boolean {
  const { state, order } = round;
  if (health(round, to).status !== 'up' || automationBlocked(state) !== null) return false;
  return isFailback(order, state.active, to) || health(round, state.active).status === 'down';
}

function settled(round: Round): Verdict {
  const { state, order } = round;
  if (state.ramp !== null) return rampRound(round, state.ramp, leaveDown);
  if (health(round, state.active).status === 'down') return leaveDown(round);
  const better = order.slice(0, order.indexOf(state.active)).find((id) => health(round, id).status === 'up');
  return better === undefined ? stay(round) : returnTo(round, better);
}

/**
 * The active target is DOWN: never keep traffic on a dead target.
 * Primary course:
 *  1. Every other target is DOWN too: fail static, alert `both-down` once
 *  2. No other target is UP yet (some are not yet known): wait, never move blind
 *  3. Paused or held: alert `failover-blocked` once, a human must act
 *  4. Otherwise move to the most preferred UP target at once — to a less preferred one it is a
 *     failover; to a more preferred one an emergency failback, whatever the dwell, the failback
 *     policy or a flap freeze, and (like a failover) not counted in the flap window
 */
function leaveDown(round: Round): Verdict {
  const { state, order, policy, now } = round;
  const others = order.filter((id) => id !== state.active);
  const to = others.find((id) => health(round, id).status === 'up');
  if (to === undefined) {
    if (others.every((id) => health(round, id).status === 'down')) {
      return announce(round, {
        condition: 'both-down',
        type: 'alert',
        message: allDownMessage(state, order, policy, now),
      });
    }
    return stay(round);
  }
  const type = isFailback(order, state.active, to) ? 'failback' : 'failover';
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, to, order, policy, now, type, blocker),
    });
  }
  const reason =
    type === 'failover'
      ? failoverReason(state, order, policy, now)
      : emergencyFailbackReason(state, to, policy, now);
  return move(round, to, type, {}, reason);
}

/**
 * A more preferred target than the active one is UP.
 * Primary course:
 *  1. `minDwellSeconds` have not passed since the last flip: wait
 *  2. Paused, held, or `failback: manual`: notify `failback-ready` once
 *  3. Frozen by flap damping: wait for an operator (the freeze was alerted when it began)
 *  4. The flap limit is reached: freeze (and `decide` alerts `flapping-frozen` once)
 *  5. Otherwise fail back on the current epoch, counted in the flap window
 */
function returnTo(round: Round, to: TargetId): Verdict {
  const { state, order, policy, now } = round;
  if (!dwellPassed(state.lastFlipAt, policy, now)) return stay(round);
  const blocker = automationBlocked(state) ?? (policy.failback === 'manual' ? 'failback is manual' : null);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failback-ready',
      type: 'notify',
      message: failbackReadyMessage(state, to, policy, now, blocker),
    });
  }
  if (state.frozen) return stay(round);
  if (flapLimitReached(state.autoFailbacks, policy)) return stay(round, { frozen: true });
  // With `failbackSteps`, the first step of a ramp (issue #13); else all the traffic at once.
  return move(
    round,
    to,
    'failback',
    { autoFailbacks: [...state.autoFailbacks, now] },
    failbackReason(state, to, order, policy, now),
    firstStep(failbackStepsOf(policy)),
  );
}
