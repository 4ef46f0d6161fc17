/**
 * Small builders for the `decide` unit tests: policies, observations, states, and a helper that
 * plays a sequence of rounds.
 */
import type { Policy } from '../../../shared/domain/config.ts';
import { decide } from '../../../shared/domain/decide.ts';
import type { Action } from '../../../shared/domain/events.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type {
  CheckResult,
  Observation,
  ServiceState,
  TargetHealth,
  TargetObservation,
} from '../../../shared/domain/state.ts';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const T0 = Date.UTC(2025, 0, 1);

export function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    probeIntervalSeconds: 10,
    failureThreshold: 3,
    recoveryThreshold: 6,
    minDwellSeconds: 600,
    failback: 'auto',
    maxAutoFailbacksPerHour: 2,
    ...overrides,
  };
}

export type Verdict = 'ok' | 'fail';

export function checks(verdict: Verdict): CheckResult[] {
  return verdict === 'ok'
    ? [{ check: 'http GET https://app.example.com/health', ok: true, latencyMs: 12, reason: 'status 200' }]
    : [
        {
          check: 'http GET https://app.example.com/health',
          ok: false,
          latencyMs: 40,
          reason: 'status 503 not in [200]',
        },
      ];
}

export function target(verdict: Verdict): TargetObservation {
  return { ok: verdict === 'ok', checks: checks(verdict) };
}

export function observe(primary: Verdict, secondary: Verdict, at = T0): Observation {
  return { at, primary: target(primary), secondary: target(secondary) };
}

export function health(status: TargetHealth['status'], overrides: Partial<TargetHealth> = {}): TargetHealth {
  const p = policy();
  return {
    status,
    okStreak: status === 'up' ? p.recoveryThreshold : 0,
    failStreak: status === 'down' ? p.failureThreshold : 0,
    since: status === 'unknown' ? null : T0 - 10 * MINUTE,
    last: checks(status === 'down' ? 'fail' : 'ok'),
    ...overrides,
  };
}

/** A settled service: both targets up for a while, traffic on the primary. */
export function state(overrides: Partial<ServiceState> = {}): ServiceState {
  return { ...initialState('payments-api'), primary: health('up'), secondary: health('up'), ...overrides };
}

/** Traffic on the secondary since `flippedAt`, the primary down. */
export function onSecondary(flippedAt: number, overrides: Partial<ServiceState> = {}): ServiceState {
  return state({
    phase: 'secondary-active',
    epoch: 1,
    lastFlipAt: flippedAt,
    primary: health('down'),
    ...overrides,
  });
}

export interface Played {
  readonly state: ServiceState;
  /** The actions of every round, in order. */
  readonly actions: Action[];
  /** The `now` of the last round. */
  readonly now: number;
}

/** Play `rounds` identical observations, `probeIntervalSeconds` apart, starting at `start`. */
export function play(
  from: ServiceState,
  primary: Verdict,
  secondary: Verdict,
  rounds: number,
  p: Policy,
  start = T0,
): Played {
  let current = from;
  let now = start;
  const actions: Action[] = [];
  for (let i = 0; i < rounds; i++) {
    now = start + i * p.probeIntervalSeconds * SECOND;
    const decision = decide(current, observe(primary, secondary, now), p, now);
    current = decision.next;
    actions.push(...decision.actions);
  }
  return { state: current, actions, now };
}

/** The `type:event` (or bare type for flips) of each action: compact to assert on. */
export function kinds(actions: readonly Action[]): string[] {
  return actions.map((action) => ('event' in action ? `${action.type}:${action.event}` : action.type));
}
