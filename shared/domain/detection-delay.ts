import type { TargetId } from './config.ts';
import { healthOf, type ServiceState } from './state.ts';

/**
 * How long an automatic failover took to move traffic once the watchdog knew: from the round that
 * marked the active target DOWN (its `since`, stored in the state) to Route 53 accepting the change.
 * The `failureThreshold - 1` failed rounds before that mark are not in it (the first failed round
 * is not stored; about `(failureThreshold - 1) × probeIntervalSeconds` more). Null for anything
 * else: a failback (the primary was not lost), an operator's flip (a person's timing, not the
 * controller's), a target not recorded DOWN, or clocks that disagree (a negative delay).
 *
 * @example
 * detectionDelayMs({ state, from: 'primary', failover: true, automatic: true, acceptedAt: since + 4_000 }); // 4000
 */
export function detectionDelayMs(flip: {
  readonly state: ServiceState;
  readonly from: TargetId;
  /** Whether the move leaves `from` for a less preferred target (a failover). */
  readonly failover: boolean;
  readonly automatic: boolean;
  readonly acceptedAt: number | undefined;
}): number | null {
  const { state, from, failover, automatic, acceptedAt } = flip;
  if (!automatic || !failover || acceptedAt === undefined) return null;
  const lost = healthOf(state, from);
  if (lost.status !== 'down' || lost.since === null) return null;
  const delay = acceptedAt - lost.since;
  return delay >= 0 ? delay : null;
}
