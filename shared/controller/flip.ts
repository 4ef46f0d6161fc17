/**
 * The failover and failback use case: move one service's traffic, exactly once, safely.
 *
 * Primary course:
 *  1. Parse the request strictly; find the service
 *  2. Load the state and check the fence: an automatic request must carry the epoch the watchdog
 *     decided on, for a flip still pending; anything else is stale or already done
 *  3. Read the Route 53 records; if they already show the target active, record that and stop
 *  4. Re-verify the target with a fresh probe (unless `force`, which is recorded as a hold)
 *  5. Claim the flip with a conditional write (phase `failing-*`), so one invocation proceeds
 *  6. Flip the weights with one compare-and-swap change batch
 *  7. Record the new state (epoch + 1), wait (bounded) for INSYNC, notify, audit
 *  Route 53 refused the change and the records did not move: release the claim and record the
 *  failed attempt in one conditional write, notify once per failing streak, audit every attempt
 *  (issue #17: a failed flip must never block the next one). Whether it landed is unknown (a
 *  timeout): keep the claim, fail the invocation; the watchdog settles it from Route 53 later.
 *
 *   watchdog ──decide──> failing-over (epoch N) ──invoke {epoch N}──> claim ─> Route 53 CAS ─> secondary-active (N+1)
 *   a duplicate {epoch N} after that point finds epoch N+1: stale; one racing it loses the claim.
 */

import { afterFlip } from '../domain/after-flip.ts';
import { otherTarget, type ServiceConfig, type TargetName } from '../domain/config.ts';
import { detectionDelayMs } from '../domain/detection-delay.ts';
import type { AuditEvent, EventKind, Evidence } from '../domain/events.ts';
import { planFlip } from '../domain/flip-plan.ts';
import { initialState } from '../domain/initial-state.ts';
import type {
  Clock,
  DeliveryReport,
  FlipResult,
  Notifier,
  Prober,
  StateStore,
  TrafficReading,
  TrafficSwitch,
} from '../domain/ports.ts';
import { RECONCILE_GRACE_MS } from '../domain/reconcile.ts';
import {
  activeTarget,
  type FlipFailure,
  type Hold,
  type OperatorClaim,
  type Phase,
  type ServiceState,
  type TargetObservation,
} from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import type { MetricSample, Metrics } from '../telemetry/metrics.ts';
import { failbackAdvice, failoverAdvice } from './advice.ts';
import { type FlipRequest, parseFlipRequest } from './flip-request.ts';

export type Direction = 'failover' | 'failback';
export type FlipOutcome =
  | 'failed-over'
  | 'failed-back'
  | 'already-active'
  | 'stale'
  | 'refused'
  | 'dry-run'
  | 'rejected'
  /** Route 53 did not take the change: nothing moved (claim released) or, if it threw, unknown. */
  | 'failed';

export interface FlipTimings {
  /** When the watchdog decided (automatic flips), epoch ms. */
  readonly decidedAt?: number;
  readonly startedAt: number;
  readonly verifiedAt?: number;
  readonly changeAcceptedAt?: number;
  readonly recordedAt?: number;
  readonly inSyncAt?: number;
  readonly totalMs: number;
}

export interface FlipResponse {
  readonly service: string;
  readonly outcome: FlipOutcome;
  /** One sentence for people. */
  readonly message: string;
  readonly from?: TargetName;
  readonly to?: TargetName;
  readonly epoch?: number;
  readonly changeId?: string | null;
  readonly timings?: FlipTimings;
  /** `rejected`: what was wrong with the request. */
  readonly errors?: readonly string[];
  /** `dry-run`: the exact change batch a flip would submit now. */
  readonly change?: { readonly Comment: string; readonly Changes: readonly unknown[] };
  /** The fresh probe of the target, when one was made. */
  readonly verification?: TargetObservation;
  readonly deliveries?: readonly DeliveryReport[];
}

export interface FlipDeps {
  readonly services: readonly ServiceConfig[];
  readonly store: StateStore;
  readonly traffic: TrafficSwitch;
  readonly prober: Prober;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** How long to wait for INSYNC before reporting (bounded by the caller's remaining time). */
  readonly inSyncWaitMs?: number;
  readonly stage?: string;
}

/** Thrown for infrastructure failures (Route 53 unreadable or failing): the invocation fails and alarms. */
export class FlipError extends Error {
  override name = 'FlipError';
}

const CLAIM_ATTEMPTS = 4;

/** A claimed flip: the state as written by the claim, its version, and the state it replaced. */
interface Claim {
  readonly value: ServiceState;
  readonly version: number;
  readonly before: ServiceState;
}
const RECORD_ATTEMPTS = 6;

/** Which function a request came through: only the forced-flip function may carry `force`. */
export interface FlipEntry {
  readonly allowForce: boolean;
}

/**
 * Why `force` is refused by the failover and failback functions: forcing skips the re-check of the
 * target, so it has its own function, and IAM can let operators flip without letting them force.
 */
export const FORCE_ELSEWHERE =
  "force: the failover and failback functions do not accept force; forced flips go through the 'forced' " +
  'function (failoverctl failover|failback --force), which IAM grants separately';

export async function runFlip(
  deps: FlipDeps,
  direction: Direction,
  payload: unknown,
  entry: FlipEntry = { allowForce: false },
): Promise<FlipResponse> {
  const startedAt = deps.clock.now();
  const parsed = parseFlipRequest(payload);
  if (!parsed.ok) {
    return rejected(
      typeof payload === 'object' && payload && 'service' in payload ? payload.service : '',
      parsed.errors,
    );
  }
  const request = parsed.request;
  if (request.force && !entry.allowForce) return rejected(request.service, [FORCE_ELSEWHERE]);
  const service = deps.services.find((s) => s.name === request.service);
  if (!service) {
    const known = deps.services.map((s) => s.name).join(', ');
    return rejected(request.service, [`service: unknown service '${request.service}'; configured: ${known}`]);
  }
  const flip = new Flip(deps, direction, service, request, startedAt);
  return flip.run();
}

function rejected(service: unknown, errors: readonly string[]): FlipResponse {
  return {
    service: typeof service === 'string' ? service.slice(0, 64) : '',
    outcome: 'rejected',
    message: `Request rejected: ${errors.join('; ')}`,
    errors,
  };
}

/** One flip attempt; a class only to keep the steps' shared context in one place. */
class Flip {
  readonly deps: FlipDeps;
  readonly direction: Direction;
  readonly service: ServiceConfig;
  readonly request: FlipRequest;
  readonly to: TargetName;
  readonly from: TargetName;
  readonly automatic: boolean;
  readonly requestedBy: string;
  readonly log: Logger;
  readonly timings: { -readonly [K in keyof FlipTimings]?: FlipTimings[K] };

  constructor(
    deps: FlipDeps,
    direction: Direction,
    service: ServiceConfig,
    request: FlipRequest,
    startedAt: number,
  ) {
    this.deps = deps;
    this.direction = direction;
    this.service = service;
    this.request = request;
    this.to = direction === 'failover' ? 'secondary' : 'primary';
    this.from = otherTarget(this.to);
    this.automatic = request.epoch !== undefined;
    this.requestedBy = request.requestedBy ?? (this.automatic ? 'watchdog' : 'operator');
    this.log = deps.log.child({ service: service.name, direction, requestedBy: this.requestedBy });
    this.timings = { startedAt };
  }

  get pendingPhase(): Phase {
    return this.direction === 'failover' ? 'failing-over' : 'failing-back';
  }

  async run(): Promise<FlipResponse> {
    const loaded = await this.load();
    const fence = this.checkFence(loaded.value);
    if (fence) return this.finishWithoutFlip(loaded.value, fence.outcome, fence.message);
    if (loaded.value.phase === this.pendingPhase && loaded.value.pendingSince !== null) {
      this.timings.decidedAt = loaded.value.pendingSince;
    }

    const read = await this.deps.traffic.read(this.service);
    if (!read.ok) {
      throw new FlipError(`Cannot ${this.direction} ${this.service.name}: ${read.message}`);
    }
    if (read.reading.active === this.to) {
      if (!this.request.dryRun) await this.recordFlip(loaded, null);
      return this.finishWithoutFlip(
        loaded.value,
        'already-active',
        `Route 53 already sends ${this.service.name} traffic to the ${this.to}.`,
      );
    }

    const verification = await this.deps.prober.probeTarget(this.service, this.to);
    this.timings.verifiedAt = this.deps.clock.now();
    if (this.request.dryRun) return this.dryRun(read.reading, verification, loaded.value);
    if (!verification.ok && !this.request.force) return this.refuse(loaded, verification);

    const claimed = await this.claim(loaded);
    if ('outcome' in claimed) return claimed;

    const result = await this.deps.traffic.flip(this.service, this.to, read.reading);
    switch (result.outcome) {
      case 'flipped':
      case 'already-flipped': {
        this.timings.changeAcceptedAt = this.deps.clock.now();
        const changeId = result.outcome === 'flipped' ? result.changeId : null;
        const recorded = await this.recordFlip(claimed, changeId);
        return this.finishFlip(recorded, changeId, verification);
      }
      case 'changed-underneath': {
        await this.release(claimed);
        const found = result.found.ok ? `${result.found.reading.active} active` : result.found.message;
        return this.finishWithoutFlip(
          loaded.value,
          'stale',
          `The Route 53 records of ${this.service.name} changed between read and flip (now: ${found}); ` +
            'nothing was written. The watchdog will reconcile on its next run.',
        );
      }
      case 'error':
        return this.failed(claimed, result);
    }
  }

  /**
   * The change did not go through. When Route 53 answered and the records are unchanged, nothing
   * can land later: release the claim (and record the failure) so the watchdog and the next
   * request go on. When it cannot be known (no answer), keep the claim for the watchdog to settle
   * from what Route 53 shows, and fail the invocation so the alarm fires.
   */
  async failed(claimed: Claim, result: FlipResult & { outcome: 'error' }): Promise<FlipResponse> {
    const epoch = claimed.value.epoch;
    const certain = result.applied === 'no';
    const failure: FlipFailure = {
      to: this.to,
      by: this.requestedBy,
      at: this.deps.clock.now(),
      epoch,
      error: result.message,
    };
    if (certain) await this.release(claimed, failure);
    const verb = this.direction === 'failover' ? 'fail over' : 'fail back';
    const message = certain
      ? `Could not ${verb} ${this.service.name}: ${result.message} Nothing moved: the claim was released ` +
        `(no hold was set), so automation and the next flip go on. See failoverctl history ${this.service.name}.`
      : `Could not ${verb} ${this.service.name}: ${result.message} Whether the change landed is unknown: the ` +
        `watchdog decides from what Route 53 shows on its next run, and releases the claim after ` +
        `${RECONCILE_GRACE_MS / 1000} s if the records did not move.`;
    this.log.error(`${this.direction} failed`, { epoch, recordsMoved: certain ? 'no' : 'unknown', message });
    this.deps.metrics.put(
      { Stage: this.deps.stage ?? 'local', Service: this.service.name, Direction: this.direction },
      [{ name: METRIC.flipFailures.name, unit: METRIC.flipFailures.unit, value: 1 }],
      [['Stage']],
    );
    // One notification per failing streak: an automatic flip retried every round until Route 53
    // takes it again must not page every round. The audit trail keeps every attempt.
    const previous = claimed.before.lastFailure;
    const repeated = previous !== null && previous.to === this.to && previous.epoch === epoch;
    const evidence: Evidence = {
      primary: claimed.value.primary.last,
      secondary: claimed.value.secondary.last,
    };
    const event: EventKind = this.direction === 'failover' ? 'failover-failed' : 'failback-failed';
    const deliveries = repeated ? [] : await this.tell(event, message, epoch, null, evidence);
    await this.audit('failed', epoch, message, null, deliveries, undefined, {
      error: result.message,
      recordsMoved: certain ? 'no' : 'unknown',
      claimReleased: certain,
    });
    if (!certain) throw new FlipError(message, { cause: result });
    return { ...this.response('failed', message, epoch, null), deliveries };
  }

  async load(): Promise<{ value: ServiceState; version: number | null }> {
    const stored = await this.deps.store.load(this.service.name);
    return stored ?? { value: initialState(this.service.name), version: null };
  }

  /** The fence: which requests may flip at all. */
  checkFence(state: ServiceState): { outcome: FlipOutcome; message: string } | null {
    const { epoch } = this.request;
    const active = activeTarget(state.phase);
    if (epoch === undefined) {
      const otherPending: Phase = this.direction === 'failover' ? 'failing-back' : 'failing-over';
      if (state.phase === otherPending && !this.request.force) {
        return {
          outcome: 'stale',
          message:
            `A ${this.direction === 'failover' ? 'failback' : 'failover'} of ${this.service.name} is under way ` +
            `(epoch ${state.epoch}); try again once it has finished, or add force to override.`,
        };
      }
      if (active === this.to && state.phase !== this.pendingPhase) {
        return { outcome: 'already-active', message: `${this.service.name} is already on the ${this.to}.` };
      }
      return null;
    }
    if (epoch !== state.epoch) {
      return {
        outcome: 'stale',
        message: `Decided on epoch ${epoch}, but ${this.service.name} is at epoch ${state.epoch}: a newer decision stands.`,
      };
    }
    if (state.phase !== this.pendingPhase) {
      return active === this.to
        ? { outcome: 'already-active', message: `${this.service.name} is already on the ${this.to}.` }
        : {
            outcome: 'stale',
            message: `The ${this.direction} decided on epoch ${epoch} was withdrawn (phase is ${state.phase}).`,
          };
    }
    if (state.paused || state.hold) {
      return {
        outcome: 'stale',
        message: `Automation for ${this.service.name} is ${state.paused ? 'paused' : 'held'}; the automatic ${this.direction} was not carried out.`,
      };
    }
    return null;
  }

  dryRun(reading: TrafficReading, verification: TargetObservation, state: ServiceState): FlipResponse {
    const plan = planFlip(reading, this.to, this.service.activeWeight);
    const change = plan.kind === 'flip' ? { Comment: plan.comment, Changes: plan.changes } : undefined;
    const health = verification.ok ? 'healthy' : `NOT healthy (${failedReasons(verification)})`;
    return {
      service: this.service.name,
      outcome: 'dry-run',
      message:
        `A ${this.direction} would move ${this.service.name} from the ${this.from} to the ${this.to}; ` +
        `the ${this.to} is ${health}${verification.ok || this.request.force ? '' : ', so it would be refused'}. Nothing was changed.`,
      from: this.from,
      to: this.to,
      epoch: state.epoch,
      ...(change ? { change } : {}),
      verification,
      timings: this.finalTimings(),
    };
  }

  /** The target failed its fresh probe: no flip. Mark it down so the watchdog does not ask again at once. */
  async refuse(
    loaded: { value: ServiceState; version: number | null },
    verification: TargetObservation,
  ): Promise<FlipResponse> {
    const now = this.deps.clock.now();
    const policy = this.service.policy;
    const state = loaded.value;
    // Applied to the state as stored at write time: a pause, a hold or a newer epoch written
    // meanwhile is kept (a newer epoch means someone else moved the traffic: nothing to write).
    await this.saveWithRetry(loaded, (s) =>
      s.epoch !== state.epoch
        ? null
        : {
            ...s,
            phase: s.phase === this.pendingPhase ? settledPhase(this.from) : s.phase,
            pendingSince: s.phase === this.pendingPhase ? null : s.pendingSince,
            [this.to]: {
              status: 'down',
              okStreak: 0,
              failStreak: policy.failureThreshold,
              since: s[this.to].status === 'down' ? s[this.to].since : now,
              last: verification.checks,
            },
          },
    );
    const reasons = failedReasons(verification);
    const message =
      `Refused to ${this.direction === 'failover' ? 'fail over' : 'fail back'} ${this.service.name}: the ${this.to} failed its re-check right before the flip ` +
      `(${reasons}). Traffic stays on the ${this.from}.`;
    const evidence: Evidence =
      this.to === 'secondary'
        ? { primary: state.primary.last, secondary: verification.checks }
        : { primary: verification.checks, secondary: state.secondary.last };
    const refusal: EventKind = this.direction === 'failover' ? 'failover-refused' : 'failback-refused';
    const deliveries = await this.tell(refusal, message, state.epoch, null, evidence);
    await this.audit('refused', state.epoch, message, null, deliveries);
    return { ...this.response('refused', message, state.epoch, null), verification, deliveries };
  }

  /** Step 5: the conditional write that lets exactly one invocation go on to Route 53. */
  async claim(loaded: { value: ServiceState; version: number | null }): Promise<Claim | FlipResponse> {
    let current = loaded;
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const claimedState = this.claimed(current.value);
      const saved = await this.deps.store.save(claimedState, current.version);
      if (saved.ok) return { value: claimedState, version: saved.version, before: current.value };
      const fresh = saved.current ?? (await this.load());
      const before = current.value;
      const stillOurs =
        fresh.value.epoch === before.epoch &&
        fresh.value.phase === before.phase &&
        fresh.value.pendingSince === before.pendingSince &&
        sameClaim(fresh.value.claim, before.claim);
      if (!stillOurs) {
        const message =
          fresh.value.epoch !== before.epoch
            ? `${this.service.name} moved to epoch ${fresh.value.epoch} while this ${this.direction} was starting; nothing done.`
            : `Another invocation is already carrying out this ${this.direction} of ${this.service.name}; nothing done.`;
        return this.finishWithoutFlip(fresh.value, 'stale', message);
      }
      // Whatever changed meanwhile (a pause, a hold) must still let this request through.
      const fence = this.checkFence(fresh.value);
      if (fence) return this.finishWithoutFlip(fresh.value, fence.outcome, fence.message);
      current = fresh;
    }
    throw new FlipError(
      `Could not claim the ${this.direction} of ${this.service.name}: the state kept changing.`,
    );
  }

  /**
   * The claim. An automatic flip moves the phase to `failing-*` (the watchdog decided it). An
   * operator's flip keeps the phase — so the watchdog's rules, which would withdraw a pending flip
   * they see no reason for, leave it alone — and records an explicit `claim` with the hold it will
   * set when it lands: reconciliation waits for it, records it as the operator's if it landed and
   * never recorded itself, and releases it if it never landed. The hold itself is set only when the
   * flip lands, so a flip that fails leaves none behind (issue #17).
   */
  claimed(state: ServiceState): ServiceState {
    const now = this.deps.clock.now();
    if (this.automatic) return { ...state, phase: this.pendingPhase, pendingSince: now };
    const claim: OperatorClaim = { to: this.to, by: this.requestedBy, at: now, hold: this.holdAfter() };
    return { ...state, claim };
  }

  /**
   * Undo a claim whose flip did not happen, so the watchdog decides afresh; with `failure`, record
   * the failed attempt in the same conditional write. Applied to the state as stored, fenced by the
   * epoch: a newer flip, or another invocation's claim, is never undone.
   */
  async release(claimed: Claim, failure: FlipFailure | null = null): Promise<void> {
    const recorded = failure === null ? {} : { lastFailure: failure };
    await this.saveWithRetry(claimed, (s) => {
      if (s.epoch !== claimed.value.epoch) return null;
      if (this.automatic) {
        return s.phase === this.pendingPhase
          ? { ...s, phase: settledPhase(this.from), pendingSince: null, ...recorded }
          : null;
      }
      return sameClaim(s.claim, claimed.value.claim) ? { ...s, claim: null, ...recorded } : null;
    });
  }

  /** Step 7: the state after the flip, whoever else wrote meanwhile (a watchdog round, a reconciliation). */
  async recordFlip(
    base: { value: ServiceState; version: number | null },
    changeId: string | null,
  ): Promise<ServiceState> {
    const epoch = base.value.epoch;
    const now = this.deps.clock.now();
    const hold = this.holdAfter();
    const next = await this.saveWithRetry(base, (s) => {
      if (s.epoch !== epoch) return null; // already recorded (e.g. the watchdog reconciled it)
      const flipped = afterFlip(s, this.to, now, this.automatic ? 'automatic' : 'operator');
      return { ...flipped, hold };
    });
    this.timings.recordedAt = this.deps.clock.now();
    this.log.info('flip recorded', { epoch: next.epoch, changeId });
    return next;
  }

  holdAfter(): Hold | null {
    if (this.direction === 'failback') return null; // a failback releases any hold
    if (this.request.force) {
      return {
        kind: 'forced',
        by: this.requestedBy,
        reason: this.request.reason ?? 'forced failover',
        at: this.deps.clock.now(),
      };
    }
    if (!this.automatic) {
      return {
        kind: 'planned-failover',
        by: this.requestedBy,
        reason: this.request.reason ?? 'planned failover',
        at: this.deps.clock.now(),
      };
    }
    return null;
  }

  /** Conditional write with re-read on conflict; `change` returns null when nothing is left to write. */
  async saveWithRetry(
    base: { value: ServiceState; version: number | null },
    change: (state: ServiceState) => ServiceState | null,
  ): Promise<ServiceState> {
    let current = base;
    for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
      const next = change(current.value);
      if (next === null) return current.value;
      const saved = await this.deps.store.save(next, current.version);
      if (saved.ok) return next;
      current = saved.current ?? (await this.load());
    }
    throw new FlipError(
      `Could not record the ${this.direction} of ${this.service.name}: the state kept changing.`,
    );
  }

  async finishFlip(
    recorded: ServiceState,
    changeId: string | null,
    verification: TargetObservation,
  ): Promise<FlipResponse> {
    if (changeId) {
      const wait = this.deps.inSyncWaitMs ?? 30_000;
      const status = await this.deps.traffic.waitInSync(changeId, this.deps.clock.now() + wait);
      if (status === 'INSYNC') this.timings.inSyncAt = this.deps.clock.now();
    }
    const outcome: FlipOutcome = this.direction === 'failover' ? 'failed-over' : 'failed-back';
    const event: EventKind =
      this.direction === 'failback' ? 'failback' : this.automatic ? 'failover' : 'planned-failover';
    const why = this.request.reason ?? (this.automatic ? 'automatic decision' : 'operator request');
    const forced =
      this.request.force && !verification.ok ? ` (forced: the ${this.to} failed its re-check)` : '';
    const message = `Moved ${this.service.name} from the ${this.from} to the ${this.to}${forced}: ${why}.`;
    this.deps.metrics.put(
      { Stage: this.deps.stage ?? 'local', Service: this.service.name, Direction: this.direction },
      [
        { name: METRIC.flips.name, unit: METRIC.flips.unit, value: 1 },
        ...detectionDelaySamples(recorded, this.from, this.automatic, this.timings.changeAcceptedAt),
      ],
      [['Stage']],
    );
    // The watchdog's own evidence, for its epoch-fenced request; never a caller's (issue #18).
    const given = this.automatic ? this.request.evidence : undefined;
    const evidence: Evidence = given ?? {
      primary: this.to === 'primary' ? verification.checks : recorded.primary.last,
      secondary: this.to === 'secondary' ? verification.checks : recorded.secondary.last,
    };
    const deliveries = await this.tell(event, message, recorded.epoch, changeId, evidence);
    await this.audit(outcome, recorded.epoch, message, changeId, deliveries, evidence);
    return { ...this.response(outcome, message, recorded.epoch, changeId), verification, deliveries };
  }

  async finishWithoutFlip(state: ServiceState, outcome: FlipOutcome, message: string): Promise<FlipResponse> {
    this.log.info(`${this.direction} ${outcome}`, { epoch: state.epoch, message });
    if (!this.request.dryRun) await this.audit(outcome, state.epoch, message, null, []);
    return this.response(outcome, message, state.epoch, null);
  }

  response(outcome: FlipOutcome, message: string, epoch: number, changeId: string | null): FlipResponse {
    return {
      service: this.service.name,
      outcome,
      message,
      from: this.from,
      to: this.to,
      epoch,
      changeId,
      timings: this.finalTimings(),
    };
  }

  finalTimings(): FlipTimings {
    const startedAt = this.timings.startedAt ?? this.deps.clock.now();
    return { ...this.timings, startedAt, totalMs: this.deps.clock.now() - startedAt };
  }

  async tell(
    event: EventKind,
    message: string,
    epoch: number,
    changeId: string | null,
    evidence: Evidence,
  ): Promise<DeliveryReport[]> {
    const advice =
      this.direction === 'failover'
        ? failoverAdvice(this.service, event)
        : failbackAdvice(this.service, event);
    return this.deps.notifier.notify(
      {
        event,
        service: this.service.name,
        from: this.from,
        to: this.to,
        reason: this.request.reason ? `${message} Reason given: ${this.request.reason}` : message,
        requestedBy: this.requestedBy,
        epoch,
        ...(changeId ? { changeId } : {}),
        evidence,
        at: this.deps.clock.now(),
        timings: {
          ...(this.timings.decidedAt !== undefined ? { detectedAt: this.timings.decidedAt } : {}),
          ...(this.timings.changeAcceptedAt !== undefined
            ? { flippedAt: this.timings.changeAcceptedAt }
            : {}),
          ...(this.timings.inSyncAt !== undefined ? { inSyncAt: this.timings.inSyncAt } : {}),
        },
        severity: advice.severity,
        next: advice.next,
      },
      this.service.notify,
    );
  }

  async audit(
    outcome: string,
    epoch: number,
    message: string,
    changeId: string | null,
    deliveries: readonly DeliveryReport[],
    evidence?: Evidence,
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<void> {
    const at = this.deps.clock.now();
    const event: AuditEvent = {
      service: this.service.name,
      at,
      id: `${this.direction}-${outcome}-e${epoch}-${at}`,
      kind: this.direction,
      epoch,
      from: this.from,
      to: this.to,
      reason: this.request.reason ?? message,
      requestedBy: this.requestedBy,
      outcome,
      ...(changeId ? { changeId } : {}),
      ...(evidence ? { evidence } : {}),
      details: {
        message,
        automatic: this.automatic,
        ...(this.request.force ? { force: true } : {}),
        ...(this.request.epoch !== undefined ? { requestedEpoch: this.request.epoch } : {}),
        ...extra,
        failedChannels: deliveries.filter((d) => !d.ok).map((d) => ({ channel: d.channel, error: d.error })),
      },
    };
    try {
      await this.deps.store.appendAudit(event);
    } catch (error) {
      // The audit trail must not undo or fail a flip that happened; the log keeps the record.
      this.log.error('audit write failed', { error, event });
    }
  }
}

function failedReasons(observation: TargetObservation): string {
  const reasons = observation.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.reason}`);
  return reasons.length > 0 ? reasons.join('; ') : 'no passing check';
}

function sameClaim(a: OperatorClaim | null, b: OperatorClaim | null): boolean {
  if (a === null || b === null) return a === b;
  return a.at === b.at && a.by === b.by && a.to === b.to;
}

function settledPhase(target: TargetName): Phase {
  return target === 'primary' ? 'primary-active' : 'secondary-active';
}

/** `DetectionDelay` of an automatic failover, when known (see `detectionDelayMs`). */
function detectionDelaySamples(
  state: ServiceState,
  from: TargetName,
  automatic: boolean,
  acceptedAt: number | undefined,
): MetricSample[] {
  const delay = detectionDelayMs({ state, from, automatic, acceptedAt });
  return delay === null
    ? []
    : [{ name: METRIC.detectionDelay.name, unit: METRIC.detectionDelay.unit, value: delay }];
}
