/**
 * A full watchdog loop around `decide`, for property tests: one round every
 * `probeIntervalSeconds` of real time; a move runs the flip function's effect at once (fenced by
 * the pending move and the epoch, like the real one) unless the step loses the async invoke; the
 * reported clock may jump; an operator may pause and resume automation.
 * Beside it runs a reference model of the target hysteresis, written independently of
 * `observeTarget` (plain unbounded counters), to check the engine against.
 *
 * `simulate` plays the two classic targets (`primary`, `secondary`); `simulateTargets` plays any
 * number of targets in preference order.
 */
import { afterFlip, afterShares, afterStep } from '../../shared/domain/after-flip.ts';
import type { Policy, TargetId } from '../../shared/domain/config.ts';
import { decide } from '../../shared/domain/decide.ts';
import { type Action, type FlipAction, isFlipAction } from '../../shared/domain/events.ts';
import { initialState } from '../../shared/domain/initial-state.ts';
import { sameStep, sameWeights, stepHoldSeconds } from '../../shared/domain/ramp.ts';
import type { Observation, ServiceState, TargetStatus } from '../../shared/domain/state.ts';

export const T0 = Date.UTC(2025, 0, 1);

/** The two classic targets, the primary first. */
export const ORDER: readonly TargetId[] = ['primary', 'secondary'];

/** What happens around one round, whatever the targets. */
export interface Noise {
  /** The async invoke of a move emitted this round never arrives. */
  readonly lostFlip: boolean;
  /** The reported clock jumps by this many seconds before this round (negative: backwards). */
  readonly clockShiftSeconds: number;
  /** An operator pauses (or resumes) automation before this round. */
  readonly togglePause: boolean;
}

/** One round of the two classic targets. */
export interface Step extends Noise {
  readonly primaryOk: boolean;
  readonly secondaryOk: boolean;
}

/** One round of any targets: each target's verdict, by id. */
export interface TargetsStep extends Noise {
  readonly ok: Readonly<Record<TargetId, boolean>>;
}

export interface SimRound<S = Step> {
  readonly index: number;
  /** True time, epoch ms: advances `probeIntervalSeconds` per round. */
  readonly real: number;
  /** The clock `decide` was given: true time plus the clock jumps so far. */
  readonly now: number;
  readonly step: S;
  readonly before: ServiceState;
  readonly decided: ServiceState;
  readonly actions: readonly Action[];
  /** The state after the flip function ran (equal to `decided` when no move was applied). */
  readonly after: ServiceState;
  /** The move the flip function carried out this round, if any. */
  readonly applied: 'failover' | 'failback' | null;
  /** Where that move took the traffic. */
  readonly appliedTo: TargetId | null;
  /** The reference model's status of each target after this round, by id. */
  readonly model: Readonly<Record<TargetId, TargetStatus>>;
}

/** The reference hysteresis: counts without limit, decides with the thresholds as DESIGN.md says. */
export function referenceModel(policy: Policy): (ok: boolean) => TargetStatus {
  let status: TargetStatus = 'unknown';
  let oks = 0;
  let fails = 0;
  return (ok) => {
    oks = ok ? oks + 1 : 0;
    fails = ok ? 0 : fails + 1;
    if (fails >= policy.failureThreshold) status = 'down';
    else if (ok && (status !== 'down' || oks >= policy.recoveryThreshold)) status = 'up';
    return status;
  };
}

function observation(
  order: readonly TargetId[],
  verdicts: Readonly<Record<TargetId, boolean>>,
  now: number,
): Observation {
  const targets: Record<TargetId, Observation['targets'][TargetId]> = {};
  for (const id of order) {
    const ok = verdicts[id] ?? false;
    targets[id] = {
      ok,
      checks: [
        { check: 'http GET https://x/health', ok, latencyMs: 5, reason: ok ? 'status 200' : 'status 503' },
      ],
    };
  }
  return { at: now, targets };
}

/** The records' TTL the simulated flip function reads (the hold of a ramp step is at least this). */
export const SIM_TTL_SECONDS = 60;

/**
 * The flip function's effect: refuses a stale move (not the one on its way — the same target and
 * ramp step — or another epoch); a ramp step records the ramp (issue #13), any other move all the traffic.
 */
function runFlip(
  state: ServiceState,
  action: FlipAction,
  now: number,
  first: TargetId,
  policy: Policy,
): ServiceState | null {
  const moving = state.moving;
  if (moving?.to !== action.to || !sameStep(moving.step, action.step) || state.epoch !== action.epoch)
    return null;
  if (action.weights !== undefined) {
    // Active-active (issue #13 item 3): the weight map as decided, one epoch.
    if (moving.weights === undefined || !sameWeights(moving.weights, action.weights)) return null;
    const hold = stepHoldSeconds(policy, SIM_TTL_SECONDS);
    return afterShares(state, action.to, action.weights, action.step, now, hold);
  }
  if (action.step === undefined) return afterFlip(state, action.to, now, 'automatic', first);
  const hold = stepHoldSeconds(policy, SIM_TTL_SECONDS);
  return afterStep(state, action.to, action.step, now, hold, 'watchdog', 'automatic');
}

/** Play `steps` over the targets of `order` (most preferred first). */
export function simulateTargets(
  policy: Policy,
  order: readonly TargetId[],
  steps: readonly TargetsStep[],
  start?: ServiceState,
): SimRound<TargetsStep>[] {
  return run(policy, order, steps, (step) => step.ok, start);
}

/** Play `steps` over the two classic targets. */
export function simulate(policy: Policy, steps: readonly Step[], start?: ServiceState): SimRound[] {
  return run(
    policy,
    ORDER,
    steps,
    (step) => ({ primary: step.primaryOk, secondary: step.secondaryOk }),
    start,
  );
}

function run<S extends Noise>(
  policy: Policy,
  order: readonly TargetId[],
  steps: readonly S[],
  verdicts: (step: S) => Readonly<Record<TargetId, boolean>>,
  start: ServiceState | undefined,
): SimRound<S>[] {
  const first = order[0] ?? 'primary';
  const models = new Map(order.map((id) => [id, referenceModel(policy)] as const));
  const rounds: SimRound<S>[] = [];
  let state = start ?? initialState('svc', first);
  let offset = 0;
  steps.forEach((step, index) => {
    offset += step.clockShiftSeconds * 1000;
    const real = T0 + index * policy.probeIntervalSeconds * 1000;
    const now = real + offset;
    const before: ServiceState = step.togglePause ? { ...state, paused: !state.paused } : state;
    const ok = verdicts(step);
    const { next: decided, actions } = decide(before, observation(order, ok, now), policy, order, now);
    const model: Record<TargetId, TargetStatus> = {};
    for (const [id, seen] of models) model[id] = seen(ok[id] ?? false);
    let after = decided;
    let applied: SimRound['applied'] = null;
    let appliedTo: TargetId | null = null;
    const flip = actions.find(isFlipAction);
    const flipped = flip === undefined || step.lostFlip ? null : runFlip(decided, flip, now, first, policy);
    if (flip !== undefined && flipped !== null) {
      after = flipped;
      applied = flip.type;
      appliedTo = flip.to;
    }
    rounds.push({ index, real, now, step, before, decided, actions, after, applied, appliedTo, model });
    state = after;
  });
  return rounds;
}

/** The move asked for in a round, if any. */
export function moveOf(round: SimRound<unknown>): FlipAction | null {
  return round.actions.find(isFlipAction) ?? null;
}

/** The kind of move asked for in a round, if any. */
export function flipOf(round: SimRound<unknown>): 'failover' | 'failback' | null {
  return moveOf(round)?.type ?? null;
}

/** A move decided this round, as opposed to the re-send of a pending one. */
export function isNewFlip(round: SimRound<unknown>): boolean {
  return moveOf(round) !== null && round.before.moving === null;
}

/** The reference model's status of a target in a round (unknown for an id it does not follow). */
export function modelOf(round: SimRound<unknown>, id: TargetId): TargetStatus {
  return round.model[id] ?? 'unknown';
}
