/**
 * Small builders for the `decide` unit tests: policies, observations, states, and helpers that
 * play a sequence of rounds — over the two classic targets (`primary`, `secondary`) or over any
 * number of targets in preference order.
 */
import type { Policy, TargetId } from '../../../shared/domain/config.ts';
import { decide } from '../../../shared/domain/decide.ts';
import type { Action, FlipAction } from '../../../shared/domain/events.ts';
import { isFlipAction } from '../../../shared/domain/events.ts';
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

/** The two classic targets, the primary first. */
export const ORDER: readonly TargetId[] = ['primary', 'secondary'];
/** Three targets in preference order: the issue #19 shape. */
export const THREE: readonly TargetId[] = ['primary', 'secondary', 'tertiary'];

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

/** One round of the two classic targets. */
export function observe(primary: Verdict, secondary: Verdict, at = T0): Observation {
  return { at, targets: { primary: target(primary), secondary: target(secondary) } };
}

/** One round of any targets, by id. */
export function observeAll(verdicts: Readonly<Record<TargetId, Verdict>>, at = T0): Observation {
  const targets: Record<TargetId, TargetObservation> = {};
  for (const [id, verdict] of Object.entries(verdicts)) targets[id] = target(verdict);
  return { at, targets };
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

/** State fields, plus the health of the classic targets by name (merged into `targets`). */
export type StateOverrides = Partial<ServiceState> & {
  readonly primary?: TargetHealth;
  readonly secondary?: TargetHealth;
};

/** A settled service: both targets up for a while, traffic on the primary. */
export function state(overrides: StateOverrides = {}): ServiceState {
  const { primary, secondary, targets, ...rest } = overrides;
  return {
    ...initialState('payments-api', 'primary'),
    ...rest,
    targets: {
      primary: health('up'),
      secondary: health('up'),
      ...targets,
      ...(primary === undefined ? {} : { primary }),
      ...(secondary === undefined ? {} : { secondary }),
    },
  };
}

/** Traffic on the secondary since `flippedAt`, the primary down. */
export function onSecondary(flippedAt: number, overrides: StateOverrides = {}): ServiceState {
  return state({
    active: 'secondary',
    epoch: 1,
    lastFlipAt: flippedAt,
    primary: health('down'),
    ...overrides,
  });
}

/** A service over `order` with traffic on `active` and each target's health as given (else up). */
export function stateOver(
  order: readonly TargetId[],
  active: TargetId,
  statuses: Readonly<Record<TargetId, TargetHealth['status']>> = {},
  overrides: Partial<ServiceState> = {},
): ServiceState {
  const first = order[0] ?? active;
  const targets: Record<TargetId, TargetHealth> = {};
  for (const id of order) targets[id] = health(statuses[id] ?? 'up');
  return { ...initialState('payments-api', first), active, targets, ...overrides };
}

export interface Played {
  readonly state: ServiceState;
  /** The actions of every round, in order. */
  readonly actions: Action[];
  /** The `now` of the last round. */
  readonly now: number;
}

/** Play `rounds` identical observations of the two classic targets, `probeIntervalSeconds` apart. */
export function play(
  from: ServiceState,
  primary: Verdict,
  secondary: Verdict,
  rounds: number,
  p: Policy,
  start = T0,
): Played {
  return playAll(from, ORDER, { primary, secondary }, rounds, p, start);
}

/** Play `rounds` identical observations of the targets of `order`, `probeIntervalSeconds` apart. */
export function playAll(
  from: ServiceState,
  order: readonly TargetId[],
  verdicts: Readonly<Record<TargetId, Verdict>>,
  rounds: number,
  p: Policy,
  start = T0,
): Played {
  let current = from;
  let now = start;
  const actions: Action[] = [];
  for (let i = 0; i < rounds; i++) {
    now = start + i * p.probeIntervalSeconds * SECOND;
    const decision = decide(current, observeAll(verdicts, now), p, order, now);
    current = decision.next;
    actions.push(...decision.actions);
  }
  return { state: current, actions, now };
}

/** The `type:event` (or bare type for flips) of each action: compact to assert on. */
export function kinds(actions: readonly Action[]): string[] {
  return actions.map((action) => ('event' in action ? `${action.type}:${action.event}` : action.type));
}

/** The moves among `actions`. */
export function moves(actions: readonly Action[]): FlipAction[] {
  return actions.filter(isFlipAction);
}
