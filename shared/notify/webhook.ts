/**
 * The generic webhook delivery body: a stable JSON document with exactly these fields, absent
 * values as `null` (never missing keys), so receivers can validate a fixed schema.
 */
import type { TargetId } from '../domain/config.ts';
import type { EventKind, Evidence } from '../domain/events.ts';
import type { Notification } from '../domain/ports.ts';
import { toIsoTime } from './render.ts';

export interface WebhookBody {
  readonly event: EventKind;
  readonly service: string;
  readonly from: TargetId | null;
  readonly to: TargetId | null;
  readonly reason: string;
  readonly requestedBy: string;
  readonly epoch: number;
  readonly changeId: string | null;
  readonly evidence: Evidence | null;
  /** ISO 8601, UTC: when the notification was made. */
  readonly at: string | null;
  /** The controller's CloudWatch dashboard (console URL), when it has one. */
  readonly dashboardUrl: string | null;
}

/**
 * The body POSTed to a webhook, in a fixed field order.
 *
 * @example
 * JSON.stringify(webhookBody(notification));
 * // '{"event":"failover","service":"payments-api","from":"primary","to":"secondary",...,"at":"2026-...Z"}'
 */
export function webhookBody(notification: Notification): WebhookBody {
  return {
    event: notification.event,
    service: notification.service,
    from: notification.from ?? null,
    to: notification.to ?? null,
    reason: notification.reason,
    requestedBy: notification.requestedBy,
    epoch: notification.epoch,
    changeId: notification.changeId ?? null,
    evidence: notification.evidence ?? null,
    at: toIsoTime(notification.at) ?? null,
    dashboardUrl: notification.dashboardUrl ?? null,
  };
}
