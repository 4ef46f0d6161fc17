import type { TargetId } from './config.ts';
import type { ServiceState } from './state.ts';

/**
 * The state of a service the controller has never seen: traffic on its most preferred target,
 * epoch 0, every target unknown, nothing moving, no hold, no pause, nothing announced.
 *
 * @example
 * const state = initialState('payments-api', 'primary');
 * state.active; // 'primary'
 */
export function initialState(service: string, first: TargetId): ServiceState {
  return {
    service,
    epoch: 0,
    active: first,
    moving: null,
    ramp: null,
    targets: {},
    lastFlipAt: null,
    claim: null,
    lastFailure: null,
    hold: null,
    paused: false,
    autoFailbacks: [],
    frozen: false,
    announced: [],
  };
}
