/**
 * The one path from something that happened to what people and the record see of it: the
 * notification (to the service's notifier groups), the audit event (after the notification, so it
 * records which channels failed) and the metric. The flip, the watchdog and pause/resume all report
 * through here; none of it may fail or delay what already happened.
 */
import type { ServiceConfig } from '../domain/config.ts';
import type { AuditEvent } from '../domain/events.ts';
import type { Clock, DeliveryReport, Notification, Notifier, StateStore } from '../domain/ports.ts';
import type { Logger } from '../telemetry/log.ts';
import type { MetricSample, Metrics } from '../telemetry/metrics.ts';

export interface ReportDeps {
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stage?: string;
}

export interface Report {
  readonly service: ServiceConfig;
  /** Follows one decision or request through logs, audit events and notifications. */
  readonly correlationId?: string;
  /** What people are told; omitted (or null) when this is only recorded. */
  readonly notification?: Omit<Notification, 'service' | 'at' | 'correlationId'> | null;
  /** The audit event, less what the report fills in (service, time, id, correlation, failed channels). */
  readonly audit: Omit<AuditEvent, 'service' | 'at' | 'id' | 'correlationId'>;
  /** Samples of this event (names from `metric-names.ts`), under the service's dimensions, rolled up by stage. */
  readonly metric?: {
    readonly samples: readonly MetricSample[];
    readonly dimensions?: Readonly<Record<string, string>>;
  };
}

/**
 * Notify, then audit (recording the channels that failed), then count. Never throws: a channel that
 * fails is in the audit event, an audit write that fails is in the log.
 *
 * @example
 * await report(deps, { service, audit: { kind: 'pause', outcome: 'paused', epoch: 3, requestedBy: 'alice' } });
 */
export async function report(deps: ReportDeps, event: Report): Promise<DeliveryReport[]> {
  const { service, correlationId } = event;
  const at = deps.clock.now();
  const deliveries =
    event.notification == null
      ? []
      : await deps.notifier.notify(
          { ...event.notification, service: service.name, at, ...(correlationId ? { correlationId } : {}) },
          service.notify,
        );
  const failed = deliveries.filter((d) => !d.ok);
  if (failed.length > 0) deps.log.warn('notification channels failed', { service: service.name, failed });
  const { audit } = event;
  const recorded: AuditEvent = {
    ...audit,
    service: service.name,
    at,
    id: `${audit.kind}${audit.outcome === undefined ? '' : `-${audit.outcome}`}-e${audit.epoch}-${at}`,
    ...(correlationId ? { correlationId } : {}),
    details: {
      ...audit.details,
      failedChannels: failed.map((d) => ({ channel: d.channel, error: d.error })),
    },
  };
  try {
    await deps.store.appendAudit(recorded);
  } catch (error) {
    // What happened stands; the log keeps the record.
    deps.log.error('audit write failed', { error, event: recorded });
  }
  if (event.metric) {
    // Rolled up by stage too: what the alarms and the stage-wide graphs watch.
    const dimensions = { Stage: deps.stage ?? 'local', Service: service.name, ...event.metric.dimensions };
    deps.metrics.put(dimensions, event.metric.samples, [['Stage']]);
  }
  return deliveries;
}

/** One occurrence of a counted metric (`METRIC.flips`, …). */
export function once(metric: { readonly name: string; readonly unit: MetricSample['unit'] }): MetricSample {
  return { name: metric.name, unit: metric.unit, value: 1 };
}
