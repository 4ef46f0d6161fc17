import { heaviest } from './active-active.ts';
import type { TargetId } from './config.ts';
import type { RampStep } from './ramp.ts';
import { healthOf, type ServiceState } from './state.ts';
import { initialTargetHealth } from './target-health.ts';

/** Who moved the traffic: the watchdog's decision, or an operator by hand. */
export type FlipKind = 'automatic' | 'operator';

/**
 * The state after a move to `to` has completed: `to` active, the epoch advanced (the fencing
 * token: every move decided on the old epoch is now stale), `lastFlipAt` set, nothing moving or
 * claimed, no failed attempt outstanding. An operator's move to the most preferred target
 * (`first`) also lifts the flap freeze (the freeze lasts "until an operator fails back by hand");
 * the flap window itself still ages out normally.
 *
 * An operator's move also forgets what the watchdog had concluded about `to` (its health becomes
 * unknown, its last evidence kept): the flip function has just probed it healthy, and a DOWN left
 * over from before must not send the traffic straight back. Were the primary still DOWN after a
 * failback by hand, the next round would fail over again while the primary answers; as unknown,
 * it must fail `failureThreshold` rounds anew first.
 *
 * @example
 * const next = afterFlip(state, 'secondary', now, 'automatic', 'primary');
 * next.active; // 'secondary'
 * next.epoch === state.epoch + 1; // true
 * next.weightsPending; // undefined: the weights show what the state says
 */
export function afterFlip(
  state: ServiceState,
  to: TargetId,
  now: number,
  kind: FlipKind,
  first: TargetId,
): ServiceState {
  // A flip recorded from a compare-and-swap (or a reading) leaves the weights as decided: no mark.
  return {
    ...landed(state, to, now, kind),
    active: to,
    ramp: null,
    frozen: kind === 'operator' && to === first ? false : state.frozen,
  };
}

/**
 * The state after a step of a ramped failback has landed (issue #13): the epoch advanced like any
 * flip's, the ramp recorded with the step and when it landed; `active` stays the target being left
 * until the last step, so every rule that looks at it keeps its meaning. An operator's step forgets
 * what the watchdog had concluded about `to`, as `afterFlip` does: the flip function has just probed
 * it healthy, and a DOWN left over from before must not roll the ramp straight back.
 *
 * @example
 * const next = afterStep(state, 'primary', { steps: [10, 50, 100], step: 0 }, now, 60, 'watchdog', 'automatic');
 * next.ramp; // { from: 'secondary', to: 'primary', steps: [10, 50, 100], step: 0, since: now, holdSeconds: 60, by: 'watchdog' }
 */
export function afterStep(
  state: ServiceState,
  to: TargetId,
  step: RampStep,
  now: number,
  holdSeconds: number,
  by: string,
  kind: FlipKind,
): ServiceState {
  const ramp = state.ramp?.to === to ? state.ramp : null;
  // A step lands through the compare-and-swap of every record (never the data plane): the weights
  // are as decided, so a mark left by an earlier data-plane decision (issue #12) is settled too.
  return {
    ...landed(state, to, now, kind),
    ramp: {
      from: ramp?.from ?? state.active,
      to,
      steps: step.steps,
      step: step.step,
      since: now,
      holdSeconds,
      by: ramp?.by ?? by,
    },
  };
}

/**
 * The state after an active-active weight map has landed (issue #13 item 3): the map recorded as the
 * decision on the next epoch; with `step`, `to` is a drained target ramping back at that step (its
 * hold starting now); `active` labels the target with the largest share.
 *
 * @example
 * const next = afterShares(state, 'c', { a: 61, b: 37, c: 2 }, { steps: [10, 50, 100], step: 0 }, now, 60);
 * next.shares; // { weights: { a: 61, b: 37, c: 2 }, ramp: { to: 'c', steps: [10, 50, 100], step: 0, since: now, holdSeconds: 60 } }
 */
export function afterShares(
  state: ServiceState,
  to: TargetId,
  weights: Readonly<Record<TargetId, number>>,
  step: RampStep | undefined,
  now: number,
  holdSeconds: number,
): ServiceState {
  const ramp =
    step === undefined ? null : { to, steps: step.steps, step: step.step, since: now, holdSeconds };
  return {
    ...landed(state, to, now, 'automatic'),
    active: heaviest(weights, Object.keys(weights)),
    ramp: null,
    shares: { weights: { ...weights }, ramp },
  };
}

/**
 * What every landed move does to the state: the next epoch, nothing in flight or failed, the time of
 * the flip, the data-plane mark settled; an operator's move forgets what the watchdog had concluded
 * about its target (the flip function has just probed it healthy).
 */
function landed(state: ServiceState, to: TargetId, now: number, kind: FlipKind): ServiceState {
  const targets =
    kind === 'operator'
      ? { ...state.targets, [to]: { ...initialTargetHealth(), last: healthOf(state, to).last } }
      : state.targets;
  const { weightsPending: _settled, ...rest } = state;
  return {
    ...rest,
    targets,
    moving: null,
    epoch: state.epoch + 1,
    lastFlipAt: now,
    claim: null,
    lastFailure: null,
  };
}
