import type { TargetId } from './config.ts';
import type { GateState, RampStep } from './ramp.ts';

export type TargetStatus = 'up' | 'down' | 'unknown';

/** The result of one check of one target in one round. */
export interface CheckResult {
  /** A short label of the check, e.g. `http GET https://primary.example.com/health`. */
  readonly check: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Short and human: `status 503 not in [200]`, `timeout after 3000 ms`, `status 200`. */
  readonly reason: string;
}

/** One round's verdict for one target: healthy when every check passed. */
export interface TargetObservation {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** One probe round of one service: each target's verdict, by id. `at` is epoch milliseconds. */
export interface Observation {
  readonly at: number;
  readonly targets: Readonly<Record<TargetId, TargetObservation>>;
  /**
   * The step alarm of a ramped failback (issue #13), read only while a ramp is under way and the
   * service has one; absent otherwise.
   */
  readonly gate?: GateState;
}

export interface TargetHealth {
  readonly status: TargetStatus;
  /** Consecutive healthy rounds. */
  readonly okStreak: number;
  /** Consecutive failed rounds. */
  readonly failStreak: number;
  /** When `status` last changed (epoch ms), null while unknown. */
  readonly since: number | null;
  /** The last round's check results: the evidence shown to people. */
  readonly last: readonly CheckResult[];
}

/** An operator hold: automation makes no flip for the service until it is released. */
export interface Hold {
  readonly kind: 'planned-failover' | 'manual-edit' | 'forced';
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

/**
 * The watchdog's move on its way: it decided, invoked the flip function, and has not heard back.
 * `since` is when it was (last) sent; past the pending timeout it is sent again with the same epoch.
 */
export interface Moving {
  readonly to: TargetId;
  readonly since: number;
  /** A step of a ramped failback (issue #13); absent for a move of all the traffic. */
  readonly step?: RampStep;
  /** Active-active (issue #13 item 3): the whole weight map the move writes. */
  readonly weights?: Readonly<Record<TargetId, number>>;
}

/**
 * An active-active service's decision (issue #13 item 3): the weight map Route 53 should show, and a
 * drained target ramping back, if any. Absent: every target at its configured weight.
 */
export interface Shares {
  readonly weights: Readonly<Record<TargetId, number>>;
  readonly ramp: ShareRamp | null;
}

/** A drained target returning by the policy's `failbackSteps`: `steps[step]` % of its configured share. */
export interface ShareRamp {
  readonly to: TargetId;
  readonly steps: readonly number[];
  readonly step: number;
  /** When the step landed (epoch ms). */
  readonly since: number;
  /** max(stepHoldSeconds, the records' TTL as read when it landed). */
  readonly holdSeconds: number;
}

/**
 * A gradual failback under way (issue #13): traffic is split between `from` (the standby being
 * left, still `active`) and `to` (the target being returned to), which carries `steps[step]`
 * percent of the active weight. `steps` is the list this ramp runs (the policy's, or an operator's
 * `--steps`), kept so that a config change mid-ramp never reinterprets `step`.
 */
export interface Ramp {
  readonly from: TargetId;
  readonly to: TargetId;
  /** Ascending percents ending in 100; `step` is below the last index while the ramp lasts. */
  readonly steps: readonly number[];
  readonly step: number;
  /** When the step landed (epoch ms). */
  readonly since: number;
  /** The hold of this step: max(stepHoldSeconds, the records' TTL as read when it landed). */
  readonly holdSeconds: number;
  /** Who started the ramp: `watchdog`, or the operator who failed back by hand. */
  readonly by: string;
}

/**
 * An operator's flip in flight: written (conditionally) before its Route 53 change, cleared when the
 * flip is recorded or released. The active target stays put while it is in flight, so the watchdog's
 * rules neither withdraw it nor call it a hand edit. The hold the flip sets lands with the flip
 * (`hold`), never with the claim: a flip that never happens must not leave a hold behind.
 */
export interface OperatorClaim {
  /** Where the operator moves the traffic. */
  readonly to: TargetId;
  readonly by: string;
  /** When it was claimed (epoch ms): reconciliation waits `RECONCILE_GRACE_MS` from here. */
  readonly at: number;
  /** The hold set when the flip lands (planned or forced failover); null releases any hold (failback). */
  readonly hold: Hold | null;
  /** A step of a ramped failback (issue #13); absent for a move of all the traffic. */
  readonly step?: RampStep;
}

/** The last flip attempt that did not move the traffic (cleared by the next flip that does). */
export interface FlipFailure {
  readonly to: TargetId;
  readonly by: string;
  /** When the attempt was given up (epoch ms). */
  readonly at: number;
  /** The epoch the attempt was made on. */
  readonly epoch: number;
  /** What went wrong, in a sentence (never a secret: Route 53 errors and our own words). */
  readonly error: string;
}

/**
 * A flip that landed through the data plane (issue #12): the decision is recorded and the
 * `TrafficAllowed` signal behind the records' health checks carries it, while Route 53's weights
 * may still show an older target. Reconciliation then brings the weights in line with the decision
 * (one compare-and-swap, once the API answers) instead of calling the difference a hand edit.
 */
export interface WeightsPending {
  /** When the decision landed through the data plane (epoch ms). */
  readonly since: number;
}

/**
 * The one DynamoDB item per service. `epoch` is the fencing token: +1 on every flip.
 * The optimistic-lock `version` is not part of it; the store carries it beside (`Versioned`).
 */
export interface ServiceState {
  readonly service: string;
  readonly epoch: number;
  /** Where traffic is, as recorded. */
  readonly active: TargetId;
  /** The watchdog's move on its way, else null. */
  readonly moving: Moving | null;
  /** A gradual failback under way (traffic split between two targets), else null. */
  readonly ramp: Ramp | null;
  /** Each target's health, by id (a target not seen yet is unknown). */
  readonly targets: Readonly<Record<TargetId, TargetHealth>>;
  /** When traffic last moved (epoch ms). */
  readonly lastFlipAt: number | null;
  /** An operator's flip in flight, else null. */
  readonly claim: OperatorClaim | null;
  /** The last flip attempt that failed with the records unchanged, until a flip lands. */
  readonly lastFailure: FlipFailure | null;
  readonly hold: Hold | null;
  /** Automation paused by an operator: probes and records, never flips. */
  readonly paused: boolean;
  /** Times (epoch ms) of automatic failbacks within the last hour: the flap window. */
  readonly autoFailbacks: readonly number[];
  /** Automatic failback frozen by flap damping until an operator fails back by hand. */
  readonly frozen: boolean;
  /** Notices already sent for the current condition, so a condition is announced once. */
  readonly announced: readonly AnnouncedCondition[];
  /** Present while Route 53's weights may lag the recorded decision (a data-plane flip). */
  readonly weightsPending?: WeightsPending;
  /**
   * Active-active only (issue #13 item 3): the decided weight map, written with its epoch. There,
   * `active` is a label — the target with the largest share — never where all the traffic is.
   */
  readonly shares?: Shares;
}

export type AnnouncedCondition =
  | 'both-down'
  | 'failback-ready'
  | 'flapping-frozen'
  | 'failover-blocked'
  /** Fewer fresh vantages vote than the quorum needs (issue #11): nothing moves. */
  | 'quorum-lost'
  /** A vantage sees a target otherwise than the quorum does. */
  | 'vantage-disagrees'
  /** Active-active: a drain would leave fewer UP targets than `minHealthyTargets`; nothing moves. */
  | 'drain-refused';

const UNKNOWN: TargetHealth = { status: 'unknown', okStreak: 0, failStreak: 0, since: null, last: [] };

/**
 * A target's recorded health; unknown for one never probed (e.g. added to the config since).
 *
 * @example
 * healthOf(state, 'secondary').status; // 'up'
 */
export function healthOf(state: Pick<ServiceState, 'targets'>, id: TargetId): TargetHealth {
  // Own properties only: a target id such as `constructor` must not read Object.prototype's.
  return Object.hasOwn(state.targets, id) ? (state.targets[id] ?? UNKNOWN) : UNKNOWN;
}

/**
 * Where a flip in flight is taking the traffic: the watchdog's (`moving`) or an operator's
 * (`claim`), with when it started; null when nothing is moving.
 *
 * @example
 * movingTo({ ...state, moving: { to: 'secondary', since: t } }); // { to: 'secondary', since: t, by: 'watchdog' }
 */
export function movingTo(
  state: ServiceState,
): { readonly to: TargetId; readonly since: number | null; readonly by: string } | null {
  if (state.moving !== null) return { to: state.moving.to, since: state.moving.since, by: 'watchdog' };
  if (state.claim !== null) return { to: state.claim.to, since: state.claim.at, by: state.claim.by };
  return null;
}

/**
 * The state in one word, for people: `primary-active`, `failing-over` (moving to a less preferred
 * target), `failing-back` (moving to a more preferred one), `secondary-active`, …
 *
 * @example
 * phaseOf(state, ['primary', 'secondary']); // 'failing-over'
 */
export function phaseOf(state: ServiceState, order: readonly TargetId[]): string {
  const moving = movingTo(state);
  if (moving === null) return `${state.active}-active`;
  return order.indexOf(moving.to) < order.indexOf(state.active) ? 'failing-back' : 'failing-over';
}

/** Whether a move from `from` to `to` returns traffic to a more preferred target. */
export function isFailback(order: readonly TargetId[], from: TargetId, to: TargetId): boolean {
  return order.indexOf(to) < order.indexOf(from);
}
