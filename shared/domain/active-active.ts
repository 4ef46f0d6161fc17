/**
 * Active-active (issue #13 item 3): every target carries its configured share of the traffic. A
 * target that goes DOWN is drained to 0 and its share goes to the others in proportion; one that is
 * UP again ramps back by the policy's `failbackSteps`. Every change is one weight map, written as one
 * compare-and-swap on its own epoch. Pure.
 *
 *   a 50 / b 30 / c 20 ──c DOWN──> a 63 / b 37 / c 0 ──c UP, dwell──> 61 / 37 / 2 (10 % of c's share)
 *                                      ──hold──> … ──> 50 / 30 / 20 (ramp done)
 *   c DOWN again during its ramp ──> a 63 / b 37 / c 0 at once (rolled back)
 */
import type { ActiveActive, TargetId } from './config.ts';
import { type FlipAction, isFlipAction } from './events.ts';
import { dwellPassed, flapLimitReached } from './flip-timing.ts';
import {
  failbackStepsOf,
  firstStep,
  type GateState,
  holdPassed,
  nextStep,
  percentOf,
  type RampStep,
  sameStep,
  sameWeights,
} from './ramp.ts';
import { automationBlocked, formatDuration } from './reasons.ts';
import { announce, health, type Round, type StateChanges, stay, type Verdict } from './round.ts';
import type { Moving, ServiceState, Shares } from './state.ts';

/**
 * The weights of `members` (target id -> percent of its configured share): each member's configured
 * weight times its percent, scaled so that together they carry the configured total (the sum of all
 * configured weights), rounded by largest remainder (ties to the more preferred target), every
 * member at least 1; every other target 0.
 *
 * @example
 * shareWeights({ a: 50, b: 30, c: 20 }, ['a', 'b', 'c'], { a: 100, b: 100 }); // { a: 63, b: 37, c: 0 }
 * shareWeights({ a: 50, b: 30, c: 20 }, ['a', 'b', 'c'], { a: 100, b: 100, c: 10 }); // { a: 61, b: 37, c: 2 }
 */
export function shareWeights(
  configured: Readonly<Record<TargetId, number>>,
  order: readonly TargetId[],
  members: Readonly<Record<TargetId, number>>,
): Record<TargetId, number> {
  const total = order.reduce((sum, id) => sum + (configured[id] ?? 0), 0);
  const ids = order.filter((id) => Object.hasOwn(members, id) && (configured[id] ?? 0) > 0);
  const raw = ids.map((id) => ((configured[id] ?? 0) * (members[id] ?? 100)) / 100);
  const rawSum = raw.reduce((sum, w) => sum + w, 0);
  const weights: Record<TargetId, number> = Object.fromEntries(order.map((id) => [id, 0]));
  if (ids.length === 0 || rawSum <= 0 || total < ids.length) return weights;
  const exact = raw.map((w) => (w * total) / rawSum);
  const base = exact.map((w) => Math.max(1, Math.floor(w)));
  let left = total - base.reduce((sum, w) => sum + w, 0);
  // Largest remainder first; a stable sort keeps ties in preference order.
  const byRemainder = ids.map((_, i) => i).sort((x, y) => remainder(exact, y) - remainder(exact, x));
  for (const i of byRemainder) {
    if (left <= 0) break;
    base[i] = (base[i] ?? 0) + 1;
    left -= 1;
  }
  // Members raised to 1 may overshoot: take back from the largest, never below 1.
  while (left < 0) {
    const largest = base.reduce((best, w, i) => (w > (base[best] ?? 0) ? i : best), 0);
    if ((base[largest] ?? 0) <= 1) break;
    base[largest] = (base[largest] ?? 0) - 1;
    left += 1;
  }
  ids.forEach((id, i) => {
    weights[id] = base[i] ?? 0;
  });
  return weights;
}

function remainder(exact: readonly number[], i: number): number {
  const w = exact[i] ?? 0;
  return w - Math.floor(w);
}

/**
 * The decision as recorded: the stored weight map, else every target at its configured weight.
 *
 * @example
 * sharesOf({ shares: undefined }, { weights: { a: 50, b: 50 }, minHealthyTargets: 1 }, ['a', 'b']);
 * // { weights: { a: 50, b: 50 }, ramp: null }
 */
export function sharesOf(
  state: Pick<ServiceState, 'shares'>,
  settings: ActiveActive,
  order: readonly TargetId[],
): Shares {
  if (state.shares !== undefined) return state.shares;
  return { weights: Object.fromEntries(order.map((id) => [id, settings.weights[id] ?? 0])), ramp: null };
}

/**
 * The target with the largest weight (the most preferred among equals): the `active` label of an
 * active-active state.
 *
 * @example
 * heaviest({ a: 30, b: 70 }, ['a', 'b']); // 'b'
 */
export function heaviest(weights: Readonly<Record<TargetId, number>>, order: readonly TargetId[]): TargetId {
  const [first = ''] = order;
  return order.reduce((best, id) => ((weights[id] ?? 0) > (weights[best] ?? 0) ? id : best), first);
}

/**
 * One round of an active-active service.
 * Primary course:
 *  1. A move is on its way: re-send it (after the pending timeout) while this round would decide the
 *     same weights, else withdraw it and decide afresh
 *  2. A target with weight is DOWN, or the ramping target's step alarm is in ALARM: drain (`drain`)
 *  3. A ramp is under way: the next step once its hold passed and the alarm (if any) is OK
 *  4. A drained target is UP again: start its ramp (dwell, failback policy and flap damping apply)
 *  5. Otherwise nothing to do
 *
 * @example
 * const verdict = activeActiveRound(round, service.policy.activeActive, awaitMove);
 */
export function activeActiveRound(
  round: Round,
  settings: ActiveActive,
  awaitMove: (round: Round, type: 'failover' | 'failback', why: string) => Verdict,
): Verdict {
  const moving = round.state.moving;
  if (moving === null) return settled(round, settings);
  const fresh = settled({ ...round, state: { ...round.state, moving: null } }, settings);
  const flip = fresh.flip !== null && isFlipAction(fresh.flip) ? fresh.flip : null;
  // Still wanted: this round decides the very same move (target, weights, step); else it is withdrawn
  // (the fresh verdict has no move on its way) and whatever this round decides stands.
  if (flip === null || !sameMove(flip, moving)) return fresh;
  return awaitMove(round, flip.type, flip.reason);
}

function sameMove(flip: FlipAction, moving: Moving): boolean {
  return (
    flip.to === moving.to &&
    sameStep(flip.step, moving.step) &&
    flip.weights !== undefined &&
    moving.weights !== undefined &&
    sameWeights(flip.weights, moving.weights)
  );
}

function settled(round: Round, settings: ActiveActive): Verdict {
  const { order } = round;
  const current = sharesOf(round.state, settings, order);
  const ramp = current.ramp;
  const inRotation = order.filter((id) => (current.weights[id] ?? 0) > 0);
  const down = inRotation.filter((id) => health(round, id).status === 'down');
  const alarmed = ramp !== null && round.gate === 'ALARM' && !down.includes(ramp.to) ? [ramp.to] : [];
  if (down.length > 0 || alarmed.length > 0) {
    return drain(round, settings, current, [...down, ...alarmed], alarmed.length > 0);
  }
  if (ramp !== null) return advance(round, settings, current);
  return readmit(round, settings, current);
}

/**
 * Take `out` out of rotation.
 * Primary course:
 *  1. The others with weight, at their configured share (a ramping one kept at its step's percent)
 *  2. None left: the drained targets that are UP again, at once (no ramp: nothing else carries traffic)
 *  3. Nobody to carry the traffic: fail static, alert `both-down` once
 *  4. Fewer UP than `minHealthyTargets`: refuse, alert `drain-refused` once (fail static)
 *  5. Paused or held: alert `failover-blocked` once
 *  6. Otherwise the new weight map, one move (a failover in direction)
 */
function drain(
  round: Round,
  settings: ActiveActive,
  current: Shares,
  out: readonly TargetId[],
  alarmed: boolean,
): Verdict {
  const { order, state } = round;
  const status = (id: TargetId) => health(round, id).status;
  let keep = order.filter((id) => (current.weights[id] ?? 0) > 0 && !out.includes(id));
  if (keep.length === 0) keep = order.filter((id) => !out.includes(id) && status(id) === 'up');
  const outList = out.join(', ');
  if (keep.length === 0) {
    if (!order.every((id) => out.includes(id) || status(id) === 'down')) return stay(round);
    return announce(round, {
      condition: 'both-down',
      type: 'alert',
      message: `all ${order.length} targets down (${outList} carrying traffic): the weights stay as they are (fail static)`,
    });
  }
  const up = keep.filter((id) => status(id) === 'up');
  if (up.length < settings.minHealthyTargets) {
    return announce(round, {
      condition: 'drain-refused',
      type: 'alert',
      message:
        `${outList} ${out.length === 1 ? 'is' : 'are'} down, but draining would leave ${up.length} UP ` +
        `target${up.length === 1 ? '' : 's'} (${up.join(', ') || 'none'}), fewer than minHealthyTargets ` +
        `${settings.minHealthyTargets}: the weights stay as they are (fail static); add capacity or drain by hand`,
    });
  }
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: `${outList} should be drained, but ${blocker}: traffic still goes to ${outList}; a human must act`,
    });
  }
  // A ramp of a target kept in rotation goes on at its step (its hold restarts when the drain lands).
  const ramp = current.ramp !== null && keep.includes(current.ramp.to) ? current.ramp : null;
  const members: Record<TargetId, number> = Object.fromEntries(keep.map((id) => [id, 100]));
  if (ramp !== null) members[ramp.to] = percentOf(ramp);
  const weights = shareWeights(settings.weights, order, members);
  const why = alarmed
    ? `the step alarm is in ALARM at the ${percentOf(current.ramp)} % step of ${outList}`
    : `${outList} down`;
  const to = ramp === null ? heaviest(weights, order) : ramp.to;
  const step = ramp === null ? null : { steps: ramp.steps, step: ramp.step };
  return shift(round, to, 'failover', weights, {}, `${why}: drained to 0, ${describe(weights, order)}`, step);
}

/** The ramp's next step (or its last: the configured share) once the hold passed and the gate is open. */
function advance(round: Round, settings: ActiveActive, current: Shares): Verdict {
  const ramp = current.ramp;
  if (ramp === null || automationBlocked(round.state) !== null) return stay(round);
  if (health(round, ramp.to).status !== 'up') return stay(round);
  if (!holdPassed(ramp, round.now) || !gateOpen(round.gate)) return stay(round);
  const next = nextStep(ramp);
  const weights = withShare(round, settings, current, ramp.to, percentOf(next));
  const held = formatDuration(round.now - ramp.since);
  const what = next === null ? 'its whole share' : `${percentOf(next)} % of its share`;
  const reason = `${ramp.to} healthy for ${held} at the ${percentOf(ramp)} % step: ${what}, ${describe(weights, round.order)}`;
  return shift(round, ramp.to, 'failback', weights, {}, reason, next);
}

/**
 * A drained target is UP again: the first step of its ramp (or its whole share with `[100]`), under
 * the same rules as a failback — the dwell, `failback: manual` (notify `failback-ready`), a pause or
 * hold, the flap window.
 */
function readmit(round: Round, settings: ActiveActive, current: Shares): Verdict {
  const { order, state, policy, now } = round;
  const back = order.find(
    (id) =>
      (current.weights[id] ?? 0) === 0 &&
      (settings.weights[id] ?? 0) > 0 &&
      health(round, id).status === 'up',
  );
  if (back === undefined || !dwellPassed(state.lastFlipAt, policy, now)) return stay(round);
  const blocker = automationBlocked(state) ?? (policy.failback === 'manual' ? 'failback is manual' : null);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failback-ready',
      type: 'notify',
      message: `${back} is up again and can take back its share, but ${blocker}; fail back by hand when ready`,
    });
  }
  if (state.frozen) return stay(round);
  if (flapLimitReached(state.autoFailbacks, policy)) return stay(round, { frozen: true });
  const step = firstStep(failbackStepsOf(policy));
  const weights = withShare(round, settings, current, back, percentOf(step));
  const what = step === null ? 'its whole share' : `${percentOf(step)} % of its share`;
  return shift(
    round,
    back,
    'failback',
    weights,
    { autoFailbacks: [...state.autoFailbacks, now] },
    `${back} up again: ${what}, ${describe(weights, order)}`,
    step,
  );
}

/** Every target with weight at its configured share, and `to` at `percent` of its own. */
function withShare(
  round: Round,
  settings: ActiveActive,
  current: Shares,
  to: TargetId,
  percent: number,
): Record<TargetId, number> {
  return weightsWithShare(settings.weights, round.order, current.weights, to, percent);
}

/**
 * The weight map with `to` at `percent` of its own share and every target now in rotation at its
 * whole share, scaled to the total: the next step of a ramp back (the CLI shows it as "next").
 *
 * @example
 * weightsWithShare({ a: 50, b: 30, c: 20 }, ['a', 'b', 'c'], { a: 63, b: 37, c: 0 }, 'c', 10); // { a: 61, b: 37, c: 2 }
 */
export function weightsWithShare(
  configured: Readonly<Record<TargetId, number>>,
  order: readonly TargetId[],
  current: Readonly<Record<TargetId, number>>,
  to: TargetId,
  percent: number,
): Record<TargetId, number> {
  const members: Record<TargetId, number> = {};
  for (const id of order) if ((current[id] ?? 0) > 0) members[id] = 100;
  members[to] = percent;
  return shareWeights(configured, order, members);
}

/** Ask for the weight map `weights` on the current epoch; the state records it as on its way. */
function shift(
  round: Round,
  to: TargetId,
  type: 'failover' | 'failback',
  weights: Readonly<Record<TargetId, number>>,
  changes: StateChanges,
  reason: string,
  step: RampStep | null,
): Verdict {
  const stepped = step === null ? {} : { step };
  return {
    next: { ...round.state, moving: { to, since: round.now, weights, ...stepped }, ...changes },
    flip: { type, to, epoch: round.state.epoch, reason, evidence: round.evidence, weights, ...stepped },
    notices: [],
  };
}

function gateOpen(gate: GateState | null): boolean {
  return gate === null || gate === 'OK';
}

/** `weights a 63, b 37, c 0`. */
function describe(weights: Readonly<Record<TargetId, number>>, order: readonly TargetId[]): string {
  return `weights ${order.map((id) => `${id} ${weights[id] ?? 0}`).join(', ')}`;
}
