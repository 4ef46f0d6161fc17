/**
 * The rules of `decide` while a gradual failback is under way (issue #13): advance a step once its
 * gate holds, roll back at once when the returning target fails, finish at once when the target
 * being left fails. `active` is still the target being left (the ramp's `from`), so a rollback is a
 * move of all the traffic to the active target, and finishing is an ordinary (emergency) failback.
 */

import { type GateState, holdPassed, nextStep, percentOf, stepDueAt } from './ramp.ts';
import { automationBlocked, flipBlockedMessage, formatDuration } from './reasons.ts';
import { announce, health, move, type Round, stay, type Verdict } from './round.ts';
import type { Moving, Ramp } from './state.ts';

/**
 * One round of a service with a ramp and nothing moving.
 * Primary course:
 *  1. The returning target is DOWN, or the step alarm is in ALARM: roll back — all the traffic to
 *     the target being left, at once, with no gate on the way out (`rollBack`)
 *  2. The target being left is DOWN: hand over to the rules of a DOWN active target (`leaveDown`),
 *     which finish the failback at once when the returning target is UP
 *  3. Paused or held: the step holds (nothing moves until a human acts)
 *  4. The returning target is UP, the step's hold has passed and the alarm (if any) is OK: the next
 *     step, or the last (all the traffic, the failback proper)
 *  5. Otherwise the step holds
 */
export function rampRound(round: Round, ramp: Ramp, leaveDown: (round: Round) => Verdict): Verdict {
  const blocked = automationBlocked(round.state);
  const to = health(round, ramp.to).status;
  const from = health(round, ramp.from).status;
  if (to === 'down' || round.gate === 'ALARM') {
    const why =
      to === 'down'
        ? `the ${ramp.to} went down at the ${percentOf(ramp)} % step`
        : `the step alarm is in ALARM at the ${percentOf(ramp)} % step`;
    if (from === 'up') return rollBack(round, ramp, why, blocked);
    // The target being left is not UP either: the rules of a DOWN active target (all the traffic to
    // the most preferred UP target, else fail static) — for a DOWN returning target even while the
    // one being left is unknown, so no weight stays on a DOWN target while another is UP.
    return to === 'down' || from === 'down' ? leaveDown(round) : stay(round);
  }
  if (from === 'down') return leaveDown(round);
  if (blocked !== null || to !== 'up') return stay(round);
  if (!holdPassed(ramp, round.now) || !gateOpen(round.gate)) return stay(round);
  const next = nextStep(ramp);
  const reason = stepReason(ramp, next === null ? 100 : percentOf(next), round.gate, round.now);
  return move(round, ramp.to, 'failback', {}, reason, next);
}

/**
 * Whether a move of the watchdog's on its way during a ramp is still wanted: a rollback while the
 * target being left is UP and the returning one is not; a step (or the finish) while the returning
 * target is UP and its alarm not in ALARM (or the target being left is DOWN: finishing is then the
 * way out); never while automation is paused or held.
 */
export function rampMoveWanted(round: Round, ramp: Ramp, moving: Moving): boolean {
  if (automationBlocked(round.state) !== null) return false;
  const to = health(round, ramp.to).status;
  const from = health(round, ramp.from).status;
  if (moving.to === ramp.from) return from === 'up' && (to !== 'up' || round.gate === 'ALARM');
  if (moving.to === ramp.to) return to === 'up' && (round.gate !== 'ALARM' || from === 'down');
  return health(round, moving.to).status === 'up' && from === 'down';
}

/** A step may advance on an OK alarm, or without one; INSUFFICIENT_DATA holds it. */
function gateOpen(gate: GateState | null): boolean {
  return gate === null || gate === 'OK';
}

/** `primary healthy for 2 min at the 10 % step (alarm OK): 50 %`. */
function stepReason(ramp: Ramp, percent: number, gate: GateState | null, now: number): string {
  const held = formatDuration(now - ramp.since);
  const alarm = gate === null ? '' : ` and its step alarm ${gate}`;
  const what = percent >= 100 ? 'all the traffic' : `${percent} %`;
  return (
    `${ramp.to} healthy for ${held}${alarm} at the ${percentOf(ramp)} % step ` +
    `(hold ${formatDuration(stepDueAt(ramp) - ramp.since)}): ${what} to the ${ramp.to}`
  );
}

/**
 * All the traffic back to the target being left, at once: a move to the active target (a failover
 * in direction), never gated, never counted in the flap window. Paused or held: alert, a human acts.
 */
function rollBack(round: Round, ramp: Ramp, why: string, blocked: string | null): Verdict {
  const { state, order, policy, now } = round;
  if (blocked !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, ramp.from, order, policy, now, 'failover', blocked),
    });
  }
  return move(round, ramp.from, 'failover', {}, rollbackReason(ramp, why));
}

/**
 * Why a ramp is rolled back.
 *
 * @example
 * rollbackReason(ramp, 'the primary went down at the 50 % step');
 * // 'the primary went down at the 50 % step: all traffic back to the secondary at once (gradual failback rolled back)'
 */
export function rollbackReason(ramp: Ramp, why: string): string {
  return `${why}: all traffic back to the ${ramp.from} at once (gradual failback rolled back)`;
}
