/**
 * Per-target hysteresis: one probe round moves a target's streaks and, past a threshold, its status.
 * Fail fast, return slow: `failureThreshold` failed rounds make a target DOWN, but a DOWN target needs
 * `recoveryThreshold` healthy rounds to be UP again. An UNKNOWN target is UP after one healthy round.
 */
import type { Policy } from './config.ts';
import type { TargetHealth, TargetObservation, TargetStatus } from './state.ts';

/** A target nobody has probed yet. */
export function initialTargetHealth(): TargetHealth {
  return { status: 'unknown', okStreak: 0, failStreak: 0, since: null, last: [] };
}

/**
 * The highest streak any rule needs. Streaks stop counting there (saturate), so repeating the same
 * verdict round after round leaves the stored state unchanged and the watchdog writes nothing.
 */
export function streakCaps(policy: Policy): { readonly ok: number; readonly fail: number } {
  return { ok: Math.max(policy.recoveryThreshold, 1), fail: Math.max(policy.failureThreshold, 1) };
}

/**
 * The health of a target after one more probe round.
 *
 * @example
 * const health = observeTarget(initialTargetHealth(), { ok: true, checks: [] }, policy, now);
 * health.status; // 'up': an unknown target is up after one healthy round
 */
export function observeTarget(
  health: TargetHealth,
  observation: TargetObservation,
  policy: Policy,
  now: number,
): TargetHealth {
  const caps = streakCaps(policy);
  const okStreak = observation.ok ? Math.min(health.okStreak + 1, caps.ok) : 0;
  const failStreak = observation.ok ? 0 : Math.min(health.failStreak + 1, caps.fail);
  const status = nextStatus(health.status, okStreak, failStreak, policy);
  return {
    status,
    okStreak,
    failStreak,
    since: status === health.status ? health.since : now,
    last: observation.checks,
  };
}

function nextStatus(
  status: TargetStatus,
  okStreak: number,
  failStreak: number,
  policy: Policy,
): TargetStatus {
  // Only one of the streaks is non-zero: the one this round's verdict extended.
  if (failStreak > 0 && failStreak >= policy.failureThreshold) return 'down';
  const needed = status === 'down' ? policy.recoveryThreshold : 1;
  if (okStreak > 0 && okStreak >= needed) return 'up';
  return status;
}
