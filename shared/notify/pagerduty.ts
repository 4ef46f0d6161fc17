/**
 * PagerDuty Events API v2: which incidents an event opens and which it closes.
 *
 * Each incident has a deterministic `dedup_key`, `failover-controller/<service>/<incident>`, so a
 * retried or repeated trigger updates the open incident instead of paging twice, and a later event
 * resolves it without any stored state (resolving an incident that is not open is a harmless no-op).
 *
 * | event              | triggers           | resolves                                                       |
 * |--------------------|--------------------|----------------------------------------------------------------|
 * | failover           | `failover`         | `both-down`, `failover-blocked`, `failover-refused`, `failover-failed` |
 * | planned-failover   | `failover`         | `failover-blocked`, `failover-refused`, `failover-failed`      |
 * | failback           | —                  | `failover`, `both-down`, `failover-blocked`, `failover-refused`, `failover-failed`, `flapping-frozen` |
 * | failback-ready     | —                  | `both-down` (the primary is verified healthy again)            |
 * | both-down          | `both-down`        | —                                                              |
 * | flapping-frozen    | `flapping-frozen`  | —                                                              |
 * | failover-refused   | `failover-refused` | —                                                              |
 * | failover-blocked   | `failover-blocked` | —                                                              |
 * | failback-refused   | —                  | —                                                              |
 * | failover-failed    | `failover-failed`  | —                                                              |
 * | failback-failed    | —                  | —                                                              |
 * | reconciled         | —                  | — (healed by itself: Slack, SNS and the webhook carry it)      |
 * | paused             | —                  | —                                                              |
 * | resumed            | —                  | `failover-blocked`                                             |
 */
import type { EventKind } from '../domain/events.ts';
import { plainLine } from '../domain/plain-text.ts';
import type { Notification } from '../domain/ports.ts';
import type { RenderedNotification } from './render.ts';
import { toIsoTime, truncate } from './render.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** PagerDuty truncates nothing for us: a longer summary is rejected with 400. */
const SUMMARY_MAX = 1024;

export type Incident =
  | 'failover'
  | 'both-down'
  | 'flapping-frozen'
  | 'failover-refused'
  | 'failover-blocked'
  | 'failover-failed'
  | 'quorum-lost'
  | 'vantage-blind'
  | 'drain-refused';

interface IncidentRule {
  readonly triggers: Incident | null;
  readonly resolves: readonly Incident[];
}

const RULES: Readonly<Record<EventKind, IncidentRule>> = {
  failover: {
    triggers: 'failover',
    resolves: ['both-down', 'failover-blocked', 'failover-refused', 'failover-failed', 'drain-refused'],
  },
  // A planned failover may be forced onto a standby that is down: it does not prove both-down is over.
  'planned-failover': {
    triggers: 'failover',
    resolves: ['failover-blocked', 'failover-refused', 'failover-failed'],
  },
  failback: {
    triggers: null,
    resolves: [
      'failover',
      'both-down',
      'failover-blocked',
      'failover-refused',
      'failover-failed',
      'flapping-frozen',
    ],
  },
  // A ramp's first step (issue #13): traffic starts to return; the failover's incident stays open
  // until the failback completes (or is rolled back, which pages again).
  'failback-started': { triggers: null, resolves: ['both-down', 'failover-blocked'] },
  // The returning target failed during a ramp and all traffic is back on the standby: page like a failover.
  'failback-rolled-back': { triggers: 'failover', resolves: [] },
  'failback-ready': { triggers: null, resolves: ['both-down'] },
  'both-down': { triggers: 'both-down', resolves: [] },
  'flapping-frozen': { triggers: 'flapping-frozen', resolves: [] },
  'failover-refused': { triggers: 'failover-refused', resolves: [] },
  // Traffic stays on the healthy standby: worth a message, not a page.
  'failback-refused': { triggers: null, resolves: [] },
  // Traffic is still on a primary the watchdog (or an operator) wanted to leave: page.
  'failover-failed': { triggers: 'failover-failed', resolves: [] },
  'failback-failed': { triggers: null, resolves: [] },
  'failover-blocked': { triggers: 'failover-blocked', resolves: [] },
  reconciled: { triggers: null, resolves: [] },
  paused: { triggers: null, resolves: [] },
  // Resuming releases a hold or pause: a blocked failover is now up to the watchdog again.
  resumed: { triggers: null, resolves: ['failover-blocked'] },
  // The controller itself cannot decide (issue #11): page; an operator resolves it once vantages vote again.
  'quorum-lost': { triggers: 'quorum-lost', resolves: [] },
  'vantage-blind': { triggers: 'vantage-blind', resolves: [] },
  // A minority's view: worth a message, not a page.
  'vantage-disagrees': { triggers: null, resolves: [] },
  // Active-active: a DOWN target keeps its weight because too few would be left: page.
  'drain-refused': { triggers: 'drain-refused', resolves: [] },
};

export type PagerDutyEvent =
  | {
      readonly routing_key: string;
      readonly event_action: 'trigger';
      readonly dedup_key: string;
      readonly payload: {
        readonly summary: string;
        readonly source: string;
        readonly severity: Notification['severity'];
        readonly timestamp?: string;
        readonly class: EventKind;
        readonly custom_details: Readonly<Record<string, unknown>>;
      };
      /** Shown on the incident: the CloudWatch dashboard, when the controller has one. */
      readonly links?: readonly { readonly href: string; readonly text: string }[];
    }
  | { readonly routing_key: string; readonly event_action: 'resolve'; readonly dedup_key: string };

/**
 * The deterministic dedup key of one incident of one service.
 *
 * @example
 * pagerDutyDedupKey('payments-api', 'failover'); // 'failover-controller/payments-api/failover'
 */
export function pagerDutyDedupKey(service: string, incident: Incident): string {
  return `failover-controller/${service}/${incident}`;
}

/**
 * The events to send for one notification: the trigger first (if any), then the resolves.
 * Empty when the event concerns no incident (`reconciled`).
 *
 * @example
 * pagerDutyEvents(failback, rendered, key).map((e) => e.event_action); // ['resolve', 'resolve', ...]
 */
export function pagerDutyEvents(
  notification: Notification,
  rendered: RenderedNotification,
  routingKey: string,
): PagerDutyEvent[] {
  const rule = RULES[notification.event];
  const events: PagerDutyEvent[] = [];
  if (rule.triggers !== null) {
    events.push({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: pagerDutyDedupKey(notification.service, rule.triggers),
      payload: {
        // One line: PagerDuty shows the summary as the incident's title (issue #18).
        summary: truncate(plainLine(rendered.summary), SUMMARY_MAX),
        source: notification.service,
        severity: notification.severity,
        ...timestamp(notification.at),
        class: notification.event,
        custom_details: rendered.details,
      },
      ...(notification.dashboardUrl === undefined
        ? {}
        : { links: [{ href: notification.dashboardUrl, text: 'CloudWatch dashboard' }] }),
    });
  }
  for (const incident of rule.resolves) {
    events.push({
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: pagerDutyDedupKey(notification.service, incident),
    });
  }
  return events;
}

function timestamp(at: number): { readonly timestamp?: string } {
  const iso = toIsoTime(at);
  return iso === undefined ? {} : { timestamp: iso };
}
