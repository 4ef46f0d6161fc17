/**
 * The small interfaces the use cases take as arguments. Adapters in `shared/aws`, `shared/probes`
 * and `shared/notify` implement them; tests pass real adapters against local servers or fakes.
 */
import type { ServiceConfig, TargetId } from './config.ts';
import type { AuditEvent, EventKind, Evidence } from './events.ts';
import type { FlipShare } from './flip-plan.ts';
import type { VantageVote } from './quorum.ts';
import type { RampStep } from './ramp.ts';
import type { Observation, ServiceState, TargetObservation } from './state.ts';
import type { ServiceSignal } from './traffic-signal.ts';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

// ---- State store -------------------------------------------------------------------------------

export interface Versioned<T> {
  readonly value: T;
  /** Optimistic-lock version as read; a write must name it. */
  readonly version: number;
}

export type SaveResult =
  | { readonly ok: true; readonly version: number }
  /** Someone else wrote first (or the item exists when creating). Nothing was written. */
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: Versioned<ServiceState> | null };

export interface StateStore {
  /** All states that exist among `services`, in as few calls as possible. */
  loadAll(services: readonly string[]): Promise<Map<string, Versioned<ServiceState>>>;
  load(service: string): Promise<Versioned<ServiceState> | null>;
  /**
   * Write `state` if the stored version is still `expectedVersion` (null: only if no item exists).
   * Returns the new version, or a typed conflict; never overwrites silently.
   */
  save(state: ServiceState, expectedVersion: number | null): Promise<SaveResult>;
  /** Idempotent put of an audit event (deterministic key), with a TTL. */
  appendAudit(event: AuditEvent): Promise<void>;
  /** Audit events of a service, newest first. */
  history(service: string, limit: number): Promise<AuditEvent[]>;
}

// ---- Votes of the vantages (issue #11) --------------------------------------------------------

/** Each vantage's latest vote per service, by service name. */
export type VantageVotes = ReadonlyMap<string, VantageVote>;

/**
 * Where the vantages record their votes: one record per vantage, written only by that vantage
 * (every round), read by all of them.
 */
export interface VoteStore {
  /** The records of those of `vantages` that have one, by vantage, strongly consistent. */
  loadVotes(vantages: readonly string[]): Promise<Map<string, VantageVotes>>;
  /** Replace `vantage`'s record with `votes`. */
  saveVotes(vantage: string, votes: VantageVotes): Promise<void>;
}

// ---- Traffic switch (Route 53 weighted records) -----------------------------------------------

/**
 * One weighted record set exactly as Route 53 returned it, in the SDK's own field names
 * (Name, Type, SetIdentifier, Weight, TTL, ResourceRecords, AliasTarget, HealthCheckId, ...).
 * Kept opaque beyond what the controller needs so a flip can copy every other field untouched.
 */
export interface WeightedRecordSet {
  readonly Name: string;
  readonly Type: string;
  readonly SetIdentifier: string;
  readonly Weight: number;
  readonly [field: string]: unknown;
}

export interface TrafficReading {
  readonly service: string;
  /**
   * The one target whose record has a weight above 0; null when several have (traffic split, as a
   * ramped failback does: issue #13). Each weight is in `sets`.
   */
  readonly active: TargetId | null;
  /** Each target's weighted record set exactly as read, by target id. */
  readonly sets: Readonly<Record<TargetId, WeightedRecordSet>>;
}

export type ReadResult =
  | { readonly ok: true; readonly reading: TrafficReading }
  | {
      readonly ok: false;
      /** `unavailable`: Route 53 could not be read (access denied, persistent errors); only `readAll` reports it. */
      readonly reason: 'missing-set' | 'not-weighted' | 'ambiguous-weights' | 'no-such-zone' | 'unavailable';
      readonly message: string;
    };

export type FlipResult =
  /** The change was accepted (PENDING or INSYNC); `changeId` for `waitInSync`. */
  | { readonly outcome: 'flipped'; readonly changeId: string | null; readonly reading: TrafficReading }
  /** The records already show `to` active with the intended weights (e.g. a retried batch). */
  | { readonly outcome: 'already-flipped'; readonly reading: TrafficReading }
  /** The records are not as expected: someone changed them. Nothing was written. */
  | { readonly outcome: 'changed-underneath'; readonly found: ReadResult }
  /**
   * Route 53 kept failing (after bounded retries); the records were re-read where possible.
   * `applied`: `no` when nothing can have been applied (Route 53 answered every call with an error
   * and a re-read shows the records exactly as expected, or nothing was sent); `unknown` when a
   * call may still land (a timeout or broken connection without Route 53's answer) or the records
   * could not be re-read — then only a later read can tell.
   */
  | {
      readonly outcome: 'error';
      readonly message: string;
      readonly found: ReadResult | null;
      readonly applied: 'no' | 'unknown';
    };

/** One service's move, as `flipMany` takes it: `expected` is the reading the move was decided on. */
export interface ZoneFlip {
  readonly service: ServiceConfig;
  readonly to: TargetId;
  readonly expected: TrafficReading;
  /** A ramp step (issue #13): split the active weight between `to` and `share.from`. */
  readonly share?: FlipShare;
}

export interface FlipManyOptions {
  /** Retry no later than this (epoch ms): a data-plane fallback's deadline (issue #12). */
  readonly retryUntil?: number;
}

export interface TrafficSwitch {
  read(service: ServiceConfig): Promise<ReadResult>;
  /** Read several services with at most one listing per hosted zone (the watchdog's reconciliation). */
  readAll(services: readonly ServiceConfig[]): Promise<Map<string, ReadResult>>;
  flip(service: ServiceConfig, to: TargetId, expected: TrafficReading): Promise<FlipResult>;
  /**
   * Flip several services, with one compare-and-swap change batch per hosted zone (more only where
   * Route 53's per-request limits require; one service's changes are never split). A stale record of
   * one service does not hold the others back: each service gets its own result, by service name,
   * exactly as `flip` would give it. Each service may appear once.
   */
  flipMany(flips: readonly ZoneFlip[], options?: FlipManyOptions): Promise<Map<string, FlipResult>>;
  /**
   * Polls GetChange until INSYNC, `deadline` (epoch ms) or `signal` (the invocation's end is near);
   * the caller decides what a timeout means.
   */
  waitInSync(changeId: string, deadline: number, signal?: AbortSignal): Promise<'INSYNC' | 'timeout'>;
}

// ---- The data-plane signal (issue #12) ---------------------------------------------------------

/** Publishes `TrafficAllowed` per target (a regional CloudWatch data-plane call, no Route 53 API). */
export interface TrafficSignal {
  /** Every signal, in as few PutMetricData calls as CloudWatch's limits allow; throws when refused. */
  publish(signals: readonly ServiceSignal[]): Promise<void>;
}

// ---- Probes ------------------------------------------------------------------------------------

export interface Prober {
  /**
   * One round: every check of every target of each service, concurrently and bounded. For the
   * services named in `gates` (a ramped failback under way, issue #13) it also reads the policy's
   * `stepAlarm` into the observation's `gate`.
   */
  probeServices(
    services: readonly ServiceConfig[],
    gates?: ReadonlySet<string>,
  ): Promise<Map<string, Observation>>;
  /** Probe only one target of one service (the flip functions re-verify the target). */
  probeTarget(service: ServiceConfig, target: TargetId): Promise<TargetObservation>;
}

// ---- Notifications -----------------------------------------------------------------------------

/** Everything a person needs to understand one event (see `EventKind`). */
export interface Notification {
  readonly event: EventKind;
  readonly service: string;
  /** Where traffic was and where it is (or would have gone). */
  readonly from?: TargetId;
  readonly to?: TargetId;
  /** Why, in a sentence: `primary down for 3 rounds (status 503 not in [200]); secondary up`. */
  readonly reason: string;
  /** `watchdog` for automatic decisions, else the operator's name. */
  readonly requestedBy: string;
  readonly epoch: number;
  /** The Route 53 change id of the flip, when there was one. */
  readonly changeId?: string;
  readonly evidence?: Evidence;
  /** Epoch ms when the notification was made. */
  readonly at: number;
  /** Epoch ms of the milestones known so far. */
  readonly timings?: {
    readonly detectedAt?: number;
    readonly flippedAt?: number;
    readonly inSyncAt?: number;
  };
  readonly severity: 'critical' | 'error' | 'warning' | 'info';
  /** What the reader should do next, in a sentence. */
  readonly next: string;
  /** Follows one decision from the watchdog's round through the flip into logs and the audit trail. */
  readonly correlationId?: string;
  /** The stack's CloudWatch dashboard (console URL), when deployed with one. */
  readonly dashboardUrl?: string;
}

export interface DeliveryReport {
  /** `slack`, `pagerduty`, `webhook` or `sns`, with the group: `oncall/slack`. */
  readonly channel: string;
  readonly ok: boolean;
  readonly attempts: number;
  /** Why delivery failed (never contains a secret). */
  readonly error?: string;
}

export interface Notifier {
  /**
   * Deliver to every channel of the named groups in parallel, within a short total bound.
   * Never throws: a failed channel is reported, never blocks or fails the caller.
   */
  notify(notification: Notification, groups: readonly string[]): Promise<DeliveryReport[]>;
}

// ---- Invoking the flip functions ---------------------------------------------------------------

export interface FlipInvocation {
  readonly service: string;
  /** Where the traffic goes. */
  readonly to: TargetId;
  readonly epoch: number;
  readonly reason: string;
  readonly evidence: Evidence;
  /** The decision's id, carried into the flip's logs, audit events and notifications. */
  readonly correlationId: string;
  /** A step of a ramped failback (issue #13); absent when all the traffic moves. */
  readonly step?: RampStep;
}

/** Several moves of one hosted zone for one invocation: one Route 53 batch carries them all. */
export interface FlipBatchInvocation {
  readonly moves: readonly FlipInvocation[];
}

export interface Invoker {
  /**
   * Asynchronous (`InvocationType: 'Event'`) invoke of the failover or failback function, with one
   * move, or a batch of moves of one hosted zone.
   */
  invoke(fn: 'failover' | 'failback', payload: FlipInvocation | FlipBatchInvocation): Promise<void>;
}

// ---- Handover between overlapping scheduled watchdog runs ----------------------------------------

/** Which scheduled run of a watchdog is probing, and when each service's last round started. */
export interface RunMarker {
  /** The run's id (its scheduled time and a unique suffix). */
  readonly run: string;
  /** Epoch ms of the schedule's time for this run: runs are ordered by it. */
  readonly scheduledAt: number;
  /** Epoch ms at which each service's latest round started, by service name. */
  readonly rounds: Readonly<Record<string, number>>;
}

export type ClaimResult =
  /** The run now holds the marker; `previous` is what the run before it recorded (null: none). */
  | { readonly claimed: true; readonly previous: RunMarker | null }
  /** A run scheduled at the same time or later holds the marker: this one must not probe. */
  | { readonly claimed: false };

export interface HandoverStore {
  /**
   * Make `run` the watchdog's current run, only if no run scheduled at the same time or later
   * holds the marker (a late or duplicate event never takes it back). Idempotent for the same run.
   */
  claim(vantage: string, run: { readonly id: string; readonly scheduledAt: number }): Promise<ClaimResult>;
  /**
   * Record rounds about to start, only while `marker.run` still holds the marker: false when a
   * newer run has claimed it (this run must start no more rounds).
   */
  reserve(vantage: string, marker: RunMarker): Promise<boolean>;
}
