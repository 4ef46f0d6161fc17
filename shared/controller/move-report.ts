/**
 * What people and the record are told about each way a move can end: the sentence, the
 * notification (with the advice of `advice.ts`), the audit event and the metric — all through the
 * one `report` path. Evidence is the controller's own: the watchdog's, for its epoch-fenced move,
 * else the stored last results and the fresh re-check of the target (issue #18).
 */
import type { ServiceConfig, TargetId } from '../domain/config.ts';
import { detectionDelayMs } from '../domain/detection-delay.ts';
import type { EventKind, Evidence } from '../domain/events.ts';
import { isAutomatic, type Move, repeatsFailure } from '../domain/move.ts';
import type { DeliveryReport, Notification } from '../domain/ports.ts';
import { percentOf } from '../domain/ramp.ts';
import { RECONCILE_GRACE_MS } from '../domain/reconcile.ts';
import type { CheckResult, ServiceState, TargetObservation } from '../domain/state.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import type { MetricSample } from '../telemetry/metrics.ts';
import { failbackAdvice, failoverAdvice } from './advice.ts';
import type { Execution, Milestones } from './move-execution.ts';
import { once, type Report, type ReportDeps, report } from './report.ts';

/** The outcome a caller sees. */
export type MoveOutcome =
  | 'failed-over'
  | 'failed-back'
  | 'already-active'
  | 'stale'
  | 'refused'
  | 'dry-run'
  | 'rejected'
  /** Route 53 did not take the change: nothing moved (claim released) or, if it threw, unknown. */
  | 'failed';

export interface Told {
  readonly outcome: MoveOutcome;
  /** Where the traffic was when the move started. */
  readonly from: TargetId;
  readonly message: string;
  readonly epoch: number;
  readonly changeId: string | null;
  readonly deliveries: readonly DeliveryReport[];
}

/**
 * @example
 * const told = await tell(deps, service, move, execution, milestones);
 * told.outcome; // 'failed-over'
 */
export async function tell(
  deps: ReportDeps,
  service: ServiceConfig,
  move: Move,
  execution: Execution,
  milestones: Milestones,
): Promise<Told> {
  const from = fromOf(execution);
  const say = (outcome: MoveOutcome, message: string, epoch: number, changeId: string | null = null) => ({
    outcome,
    from,
    message,
    epoch,
    changeId,
  });
  switch (execution.kind) {
    case 'stopped':
      return record(
        deps,
        service,
        move,
        say(execution.stop.outcome, execution.stop.message, execution.state.epoch),
      );
    case 'dry-run':
      return { ...say('dry-run', '', execution.state.epoch), deliveries: [] };
    case 'changed-underneath': {
      const message =
        `The Route 53 records of ${service.name} changed between read and flip (now: ${execution.found}); ` +
        'nothing was written. The watchdog will reconcile on its next run.';
      return record(deps, service, move, say('stale', message, execution.state.epoch));
    }
    case 'refused': {
      const { state, verification } = execution;
      const message =
        `Refused to ${move.direction === 'failover' ? 'fail over' : 'fail back'} ${service.name}: the ${move.to} ` +
        `failed its re-check right before the flip (${failedReasons(verification)}). Traffic stays on the ${from}.`;
      const event: EventKind = move.direction === 'failover' ? 'failover-refused' : 'failback-refused';
      return record(deps, service, move, say('refused', message, state.epoch), {
        event,
        evidence: withCheck(state, move, verification.checks),
        milestones,
      });
    }
    case 'failed': {
      const { claimed, before, failure, applied } = execution;
      const verb = move.direction === 'failover' ? 'fail over' : 'fail back';
      const message =
        applied === 'no'
          ? `Could not ${verb} ${service.name}: ${failure.error} Nothing moved: the claim was released ` +
            `(no hold was set), so automation and the next flip go on. See failoverctl history ${service.name}.`
          : `Could not ${verb} ${service.name}: ${failure.error} Whether the change landed is unknown: the ` +
            `watchdog decides from what Route 53 shows on its next run, and releases the claim after ` +
            `${RECONCILE_GRACE_MS / 1000} s if the records did not move.`;
      deps.log.error(`${move.direction} failed`, { epoch: claimed.epoch, recordsMoved: applied, message });
      // One notification per failing streak: an automatic move retried every round until Route 53
      // takes it again must not page every round. The audit trail keeps every attempt.
      const event: EventKind = move.direction === 'failover' ? 'failover-failed' : 'failback-failed';
      return record(deps, service, move, say('failed', message, claimed.epoch), {
        event: repeatsFailure(before, move, claimed.epoch) ? null : event,
        evidence: lastResults(claimed),
        milestones,
        details: { error: failure.error, recordsMoved: applied, claimReleased: applied === 'no' },
        metric: [once(METRIC.flipFailures)],
      });
    }
    case 'moved': {
      const { recorded, changeId, verification, ramp } = execution;
      const outcome: MoveOutcome = move.direction === 'failover' ? 'failed-over' : 'failed-back';
      const rolledBack = ramp !== null && move.to === ramp.from;
      // Active-active (issue #13 item 3): a drain pages like a failover, a ramp back as a failback's.
      const inRamp =
        move.weights !== undefined && move.direction === 'failover'
          ? 'failover'
          : rampEvent(move, rolledBack);
      const event: EventKind | null = inRamp === undefined ? movedEvent(move) : inRamp;
      const why = move.reason ?? (isAutomatic(move) ? 'automatic decision' : 'operator request');
      const forced = move.force && !verification.ok ? ` (forced: the ${move.to} failed its re-check)` : '';
      // Accepted is not yet answered: Route 53's name servers take up to about 60 s, resolvers the TTL.
      const propagating =
        changeId !== null && milestones.inSyncAt === undefined
          ? ` Route 53 accepted the change (${changeId}); its name servers answer the ${move.to} once it is in sync (typically within 60 s), resolvers after the record's TTL.`
          : '';
      const what =
        move.weights !== undefined
          ? `Set the weights of ${service.name} to ${Object.entries(move.weights)
              .map(([id, w]) => `${id} ${w}`)
              .join(
                ', ',
              )}${move.step === undefined ? '' : ` (the ${move.to} at ${percentOf(move.step)} % of its share, step ${move.step.step + 1} of ${move.step.steps.length})`}`
          : move.step === undefined
            ? `Moved ${service.name} from the ${from} to the ${move.to}`
            : `Moved ${percentOf(move.step)} % of ${service.name} traffic to the ${move.to} (step ${move.step.step + 1} of ${move.step.steps.length}; the ${from} keeps the rest)`;
      // Never a ramp step (those land through the compare-and-swap only); a ramp's rollback may.
      const dataPlane =
        execution.mechanism === 'data-plane'
          ? ` Moved through the data plane (${execution.cause ?? 'dataPlane'}): the TrafficAllowed signal now allows only the ${move.to}; Route 53's health checks answer it once its alarm has evaluated the signal (one 60 s period, then Route 53's own delay), resolvers after the record's TTL. The weights are brought in line once the Route 53 API answers.`
          : '';
      const message = `${what}${forced}: ${why}.${propagating}${dataPlane}`;
      const given = isAutomatic(move) ? move.evidence : undefined;
      const evidence = given ?? withCheck(recorded, move, verification.checks);
      return record(deps, service, move, say(outcome, message, recorded.epoch, changeId), {
        event,
        evidence,
        auditEvidence: true,
        milestones,
        ...(rolledBack ? { kind: 'failback-rollback' } : {}),
        details: {
          mechanism: execution.mechanism,
          ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        },
        metric: [once(METRIC.flips), ...detectionDelay(recorded, execution.from, move, milestones)],
      });
    }
  }
}

/** The notification of a move that landed, outside a ramp. */
function movedEvent(move: Move): EventKind {
  return move.direction === 'failback' ? 'failback' : isAutomatic(move) ? 'failover' : 'planned-failover';
}

/**
 * The notification of a ramp's move (issue #13): its first step starts it, a rollback pages like a
 * failover; the steps between are only recorded (the audit trail and `failoverctl status` show them:
 * a message per step would teach people to ignore the channel). Undefined: not a ramp's move.
 */
function rampEvent(move: Move, rolledBack: boolean): EventKind | null | undefined {
  if (rolledBack) return 'failback-rolled-back';
  if (move.step === undefined) return undefined;
  return move.step.step === 0 ? 'failback-started' : null;
}

interface Telling {
  /** The notification's kind; null: only recorded (a repeated failure, a ramp's middle step). */
  readonly event: EventKind | null;
  /** The audit event's kind when it is not the move's direction (a ramp's rollback). */
  readonly kind?: string;
  readonly evidence: Evidence;
  /** Put the evidence in the audit event too (flips). */
  readonly auditEvidence?: boolean;
  readonly milestones: Milestones;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly metric?: readonly MetricSample[];
}

async function record(
  deps: ReportDeps,
  service: ServiceConfig,
  move: Move,
  said: Omit<Told, 'deliveries'>,
  telling?: Telling,
): Promise<Told> {
  const { outcome, message, epoch, changeId } = said;
  if (telling === undefined) deps.log.info(`${move.direction} ${outcome}`, { epoch, message });
  const event: Report = {
    service,
    correlationId: move.correlationId,
    notification: telling?.event == null ? null : notification(service, move, telling.event, said, telling),
    audit: {
      kind: telling?.kind ?? (move.step === undefined ? move.direction : 'failback-step'),
      epoch,
      from: said.from,
      to: move.to,
      reason: move.reason ?? message,
      requestedBy: move.requestedBy,
      outcome,
      ...(changeId ? { changeId } : {}),
      ...(telling?.auditEvidence ? { evidence: telling.evidence } : {}),
      details: {
        message,
        automatic: isAutomatic(move),
        ...(move.force ? { force: true } : {}),
        ...(move.epoch !== undefined ? { requestedEpoch: move.epoch } : {}),
        ...(move.step === undefined
          ? {}
          : { percent: percentOf(move.step), step: move.step.step, steps: move.step.steps }),
        ...(move.weights === undefined ? {} : { weights: move.weights }),
        ...telling?.details,
      },
    },
    ...(telling?.metric
      ? { metric: { samples: telling.metric, dimensions: { Direction: move.direction } } }
      : {}),
  };
  const deliveries = await report(deps, event);
  return { ...said, deliveries };
}

function notification(
  service: ServiceConfig,
  move: Move,
  event: EventKind,
  said: Omit<Told, 'deliveries'>,
  telling: Telling,
): Omit<Notification, 'service' | 'at' | 'correlationId'> {
  const advice =
    move.direction === 'failover' ? failoverAdvice(service, event) : failbackAdvice(service, event);
  const { milestones } = telling;
  return {
    event,
    from: said.from,
    to: move.to,
    reason: move.reason ? `${said.message} Reason given: ${move.reason}` : said.message,
    requestedBy: move.requestedBy,
    epoch: said.epoch,
    ...(said.changeId ? { changeId: said.changeId } : {}),
    evidence: telling.evidence,
    timings: {
      ...(milestones.decidedAt !== undefined ? { detectedAt: milestones.decidedAt } : {}),
      ...(milestones.changeAcceptedAt !== undefined ? { flippedAt: milestones.changeAcceptedAt } : {}),
      ...(milestones.inSyncAt !== undefined ? { inSyncAt: milestones.inSyncAt } : {}),
    },
    severity: advice.severity,
    next: advice.next,
  };
}

/** `DetectionDelay` of an automatic failover, when known (see `detectionDelayMs`). */
function detectionDelay(
  recorded: ServiceState,
  from: TargetId,
  move: Move,
  milestones: Milestones,
): MetricSample[] {
  const delay = detectionDelayMs({
    state: recorded,
    from,
    failover: move.direction === 'failover',
    automatic: isAutomatic(move),
    acceptedAt: milestones.changeAcceptedAt,
  });
  return delay === null
    ? []
    : [{ name: METRIC.detectionDelay.name, unit: METRIC.detectionDelay.unit, value: delay }];
}

/** Each target's stored last results. */
function lastResults(state: ServiceState): Evidence {
  return Object.fromEntries(Object.entries(state.targets).map(([id, health]) => [id, health.last]));
}

/** The stored last results, with the target's own replaced by `checks` (its fresh re-check). */
function withCheck(state: ServiceState, move: Move, checks: readonly CheckResult[]): Evidence {
  return { ...lastResults(state), [move.to]: checks };
}

/** Where the traffic was when the move started. */
function fromOf(execution: Execution): TargetId {
  switch (execution.kind) {
    case 'moved':
      return execution.from;
    case 'failed':
      return execution.claimed.active;
    default:
      return execution.state.active;
  }
}

export function failedReasons(observation: TargetObservation): string {
  const reasons = observation.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.reason}`);
  return reasons.length > 0 ? reasons.join('; ') : 'no passing check';
}
