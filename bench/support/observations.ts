/** What the decide benchmarks share: one policy, the targets, and the two probe verdicts they replay. */
import type { Policy, TargetId } from '../../shared/domain/config.ts';
import type { TargetObservation } from '../../shared/domain/state.ts';

export const BENCH_POLICY: Policy = {
  probeIntervalSeconds: 10,
  failureThreshold: 3,
  recoveryThreshold: 6,
  minDwellSeconds: 600,
  failback: 'auto',
  maxAutoFailbacksPerHour: 2,
};

/** Every benchmarked service has two targets, most preferred first. */
export const BENCH_ORDER: readonly TargetId[] = ['primary', 'secondary'];

function target(ok: boolean): TargetObservation {
  return {
    ok,
    checks: [
      {
        check: 'http GET https://app.example.com/health',
        ok,
        latencyMs: 20,
        reason: ok ? 'status 200' : 'status 503 not in [200]',
      },
    ],
  };
}

export const OK = target(true);
export const FAIL = target(false);
