import type { ServiceState } from './state.ts';
import { initialTargetHealth } from './target-health.ts';

/**
 * The state of a service the controller has never seen: traffic on the primary, epoch 0,
 * both targets unknown, no hold, no pause, nothing announced.
 *
 * @example
 * const state = initialState('payments-api');
 * state.phase; // 'primary-active'
 */
export function initialState(service: string): ServiceState {
  return {
    service,
    phase: 'primary-active',
    epoch: 0,
    primary: initialTargetHealth(),
    secondary: initialTargetHealth(),
    lastFlipAt: null,
    pendingSince: null,
    claim: null,
    lastFailure: null,
    hold: null,
    paused: false,
    autoFailbacks: [],
    frozen: false,
    announced: [],
  };
}
