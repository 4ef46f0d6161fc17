import type { TargetName } from './config.ts';
import type { ServiceState } from './state.ts';
import { initialTargetHealth } from './target-health.ts';

/** Who moved the traffic: the watchdog's decision, or an operator by hand. */
export type FlipKind = 'automatic' | 'operator';

/**
 * The state after a flip to `to` has completed: the matching `*-active` phase, the epoch
 * advanced (the fencing token: every flip decided on the old epoch is now stale), `lastFlipAt`
 * set, nothing pending or claimed, no failed attempt outstanding. An operator's failback also lifts the flap freeze (the freeze lasts
 * "until an operator fails back by hand"); the flap window itself still ages out normally.
 *
 * An operator's flip also forgets what the watchdog had concluded about `to` (its health becomes
 * unknown, its last evidence kept): the flip function has just probed it healthy, and a DOWN left
 * over from before must not send the traffic straight back. Were the primary still DOWN after a
 * failback by hand, the next round would fail over again while the primary answers; as unknown,
 * it must fail `failureThreshold` rounds anew first.
 *
 * @example
 * const next = afterFlip(state, 'secondary', now, 'automatic');
 * next.phase; // 'secondary-active'
 * next.epoch === state.epoch + 1; // true
 */
export function afterFlip(state: ServiceState, to: TargetName, now: number, kind: FlipKind): ServiceState {
  const verified = kind === 'operator' ? { [to]: { ...initialTargetHealth(), last: state[to].last } } : {};
  return {
    ...state,
    ...verified,
    phase: to === 'primary' ? 'primary-active' : 'secondary-active',
    epoch: state.epoch + 1,
    lastFlipAt: now,
    pendingSince: null,
    claim: null,
    lastFailure: null,
    frozen: kind === 'operator' && to === 'primary' ? false : state.frozen,
  };
}
