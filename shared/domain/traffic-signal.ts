/**
 * The data-plane signal (issue #12): per target, `TrafficAllowed` = 1 for the target the recorded
 * decision makes active, 0 for every other. Each target's CLOUDWATCH_METRIC health check follows an
 * alarm on it, so Route 53 answers the allowed record without any ChangeResourceRecordSets
 * (docs/reference/route53-health-checks.md). The signal is the decision, never raw probe health:
 * a standby the decision rules refuse (DOWN) is never allowed, and exactly one target always is —
 * all unhealthy would make Route 53 treat all as healthy and answer by weight.
 */
import type { TargetId } from './config.ts';
import type { ServiceState } from './state.ts';

/** One service's signal: each target's `TrafficAllowed` value. */
export interface ServiceSignal {
  readonly service: string;
  readonly allowed: Readonly<Record<TargetId, 0 | 1>>;
}

/**
 * The signal the recorded state gives: 1 for `state.active`, 0 for the others. Null (publish
 * nothing; the alarms go INSUFFICIENT_DATA and the health checks keep their last status) when the
 * active target is not among `order` — a config that no longer names it must not allow no target.
 *
 * @example
 * signalOf({ service: 'payments-api', active: 'secondary' }, ['primary', 'secondary']);
 * // => { service: 'payments-api', allowed: { primary: 0, secondary: 1 } }
 */
export function signalOf(
  state: Pick<ServiceState, 'service' | 'active'>,
  order: readonly TargetId[],
): ServiceSignal | null {
  if (!order.includes(state.active)) return null;
  return {
    service: state.service,
    allowed: Object.fromEntries(order.map((id) => [id, id === state.active ? 1 : 0])),
  };
}
