/**
 * The data-plane signal (issue #12): per target, `TrafficAllowed` = 1 for the target the recorded
 * decision makes active, 0 for every other. Each target's CLOUDWATCH_METRIC health check follows an
 * alarm on it, so Route 53 answers the allowed record without any ChangeResourceRecordSets
 * (docs/reference/route53-health-checks.md). The signal is the decision, never raw probe health:
 * a standby the decision rules refuse (DOWN) is never allowed, and at least one target always is —
 * all unhealthy would make Route 53 treat all as healthy and answer by weight.
 *
 * A ramped failback (issue #13) is the one decision that puts traffic on two targets: its split lives
 * in the weights (every step is a compare-and-swap), and the signal allows exactly the ramp's two
 * targets — the standby (still `active`) and the returning one — so the health checks pull answers
 * away from neither mid-ramp and Route 53 answers by the step's weights. A 0 on the returning target
 * would mark its record unhealthy and send every answer to the standby whatever the step says. The
 * ramp's end (its last step, or a rollback) records one active target again: exactly one allowed.
 */
import type { TargetId } from './config.ts';
import type { Ramp, ServiceState } from './state.ts';

/** One service's signal: each target's `TrafficAllowed` value. */
export interface ServiceSignal {
  readonly service: string;
  readonly allowed: Readonly<Record<TargetId, 0 | 1>>;
}

/**
 * The signal the recorded state gives: 1 for `state.active` (and, during a ramp, for the ramp's
 * returning target), 0 for the others. Null (publish nothing; the alarms go INSUFFICIENT_DATA and
 * the health checks keep their last status) when the active target is not among `order` — a config
 * that no longer names it must not allow no target.
 *
 * @example
 * signalOf({ service: 'payments-api', active: 'secondary', ramp: null }, ['primary', 'secondary']);
 * // => { service: 'payments-api', allowed: { primary: 0, secondary: 1 } }
 * signalOf({ service: 'payments-api', active: 'secondary', ramp }, ['primary', 'secondary']); // ramp.to 'primary'
 * // => { service: 'payments-api', allowed: { primary: 1, secondary: 1 } }
 */
export function signalOf(
  state: Pick<ServiceState, 'service' | 'active'> & { readonly ramp?: Pick<Ramp, 'to'> | null },
  order: readonly TargetId[],
): ServiceSignal | null {
  if (!order.includes(state.active)) return null;
  const returning = state.ramp?.to ?? state.active;
  return {
    service: state.service,
    allowed: Object.fromEntries(order.map((id) => [id, id === state.active || id === returning ? 1 : 0])),
  };
}
