/**
 * A full watchdog loop around `decide`, for property tests: one round every
 * `probeIntervalSeconds` of real time; a flip action runs the flip function's effect at once
 * (fenced by phase and epoch, like the real one) unless the step loses the async invoke; the
 * reported clock may jump; an operator may pause and resume automation.
 * Beside it runs a reference model of the target hysteresis, written independently of
 * `observeTarget` (plain unbounded counters), to check the engine against.
 */
import { afterFlip } from '../../shared/domain/after-flip.ts';
import type { Policy } from '../../shared/domain/config.ts';
import { decide } from '../../shared/domain/decide.ts';
import type { Action } from '../../shared/domain/events.ts';
import { initialState } from '../../shared/domain/initial-state.ts';
import type { Observation, ServiceState, TargetStatus } from '../../shared/domain/state.ts';

export const T0 = Date.UTC(2025, 0, 1);

export interface Step {
  readonly primaryOk: boolean;
  readonly secondaryOk: boolean;
  /** The async invoke of a flip emitted this round never arrives. */
  readonly lostFlip: boolean;
  /** The reported clock jumps by this many seconds before this round (negative: backwards). */
  readonly clockShiftSeconds: number;
  /** An operator pauses (or resumes) automation before this round. */
  readonly togglePause: boolean;
}

export interface SimRound {
  readonly index: number;
  /** True time, epoch ms: advances `probeIntervalSeconds` per round. */
  readonly real: number;
  /** The clock `decide` was given: true time plus the clock jumps so far. */
  readonly now: number;
  readonly step: Step;
  readonly before: ServiceState;
  readonly decided: ServiceState;
  readonly actions: readonly Action[];
  /** The state after the flip function ran (equal to `decided` when no flip was applied). */
  readonly after: ServiceState;
  readonly applied: 'failover' | 'failback' | null;
  /** The reference model's status of each target after this round. */
  readonly model: { readonly primary: TargetStatus; readonly secondary: TargetStatus };
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

function observation(step: Step, now: number): Observation {
  const result = (ok: boolean) => ({
    ok,
    checks: [
      { check: 'http GET https://x/health', ok, latencyMs: 5, reason: ok ? 'status 200' : 'status 503' },
    ],
  });
  return { at: now, primary: result(step.primaryOk), secondary: result(step.secondaryOk) };
}

/** The flip function's effect: refuses a stale action (phase moved on or another epoch). */
function runFlip(state: ServiceState, action: Action, now: number): ServiceState | null {
  if (action.type !== 'failover' && action.type !== 'failback') return null;
  const pending = action.type === 'failover' ? 'failing-over' : 'failing-back';
  if (state.phase !== pending || state.epoch !== action.epoch) return null;
  return afterFlip(state, action.type === 'failover' ? 'secondary' : 'primary', now, 'automatic');
}

export function simulate(
  policy: Policy,
  steps: readonly Step[],
  start: ServiceState = initialState('svc'),
): SimRound[] {
  const primaryModel = referenceModel(policy);
  const secondaryModel = referenceModel(policy);
  const rounds: SimRound[] = [];
  let state = start;
  let offset = 0;
  steps.forEach((step, index) => {
    offset += step.clockShiftSeconds * 1000;
    const real = T0 + index * policy.probeIntervalSeconds * 1000;
    const now = real + offset;
    const before: ServiceState = step.togglePause ? { ...state, paused: !state.paused } : state;
    const { next: decided, actions } = decide(before, observation(step, now), policy, now);
    const model = { primary: primaryModel(step.primaryOk), secondary: secondaryModel(step.secondaryOk) };
    let after = decided;
    let applied: SimRound['applied'] = null;
    const flip = actions.find((action) => action.type === 'failover' || action.type === 'failback');
    const flipped = flip === undefined || step.lostFlip ? null : runFlip(decided, flip, now);
    if (flip !== undefined && flipped !== null && (flip.type === 'failover' || flip.type === 'failback')) {
      after = flipped;
      applied = flip.type;
    }
    rounds.push({ index, real, now, step, before, decided, actions, after, applied, model });
    state = after;
  });
  return rounds;
}

/** The flip action of a round, if any. */
export function flipOf(round: SimRound): 'failover' | 'failback' | null {
  for (const action of round.actions) {
    if (action.type === 'failover' || action.type === 'failback') return action.type;
  }
  return null;
}

/** A flip decided this round, as opposed to the re-send of a pending one. */
export function isNewFlip(round: SimRound): boolean {
  const flip = flipOf(round);
  if (flip === 'failover') return round.before.phase === 'primary-active';
  if (flip === 'failback') return round.before.phase === 'secondary-active';
  return false;
}
