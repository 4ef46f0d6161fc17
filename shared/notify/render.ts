/**
 * The one rendering of a notification that every channel uses: SNS sends `text`, Slack uses `text`
 * as its fallback and the facts for its blocks, PagerDuty uses `summary` and `details`. So a failover
 * reads the same in an email, a chat message and a page.
 */
import type { TargetId } from '../domain/config.ts';
import type { EventKind } from '../domain/events.ts';
import type { Notification } from '../domain/ports.ts';
import type { CheckResult } from '../domain/state.ts';

/** One labelled fact, e.g. `{ key: 'requested_by', label: 'Requested by', value: 'watchdog (automatic)' }`. */
export interface Fact {
  /** snake_case, for machine-readable places (PagerDuty `custom_details`). */
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

/** The last probe results of one target, one line per check. */
export interface TargetEvidence {
  readonly target: TargetId;
  /** `FAIL http GET https://primary.example.com/health: status 503 not in [200] (12 ms)` */
  readonly lines: readonly string[];
}

export interface RenderedNotification {
  /** `FAILOVER payments-api: primary → secondary` */
  readonly title: string;
  /** The title and the reason on one line (PagerDuty summary, chat previews). */
  readonly summary: string;
  /** What happened, why, who, epoch, change id, milestones: in display order, known facts only. */
  readonly facts: readonly Fact[];
  /** Empty when the notification carries no evidence. */
  readonly evidence: readonly TargetEvidence[];
  readonly next: string;
  /** The whole message as plain text, one fact per line. */
  readonly text: string;
  /** The same facts keyed for machines, plus evidence, next and severity. */
  readonly details: Readonly<Record<string, unknown>>;
}

const TITLES: Readonly<Record<EventKind, string>> = {
  failover: 'FAILOVER',
  'planned-failover': 'PLANNED FAILOVER',
  failback: 'FAILBACK',
  'failback-started': 'FAILBACK STARTED (gradual)',
  'failback-rolled-back': 'FAILBACK ROLLED BACK',
  'failback-ready': 'FAILBACK READY',
  'both-down': 'BOTH DOWN',
  'flapping-frozen': 'FAILBACK FROZEN (flapping)',
  reconciled: 'RECONCILED',
  'failover-refused': 'FAILOVER REFUSED',
  'failback-refused': 'FAILBACK REFUSED',
  'failover-failed': 'FAILOVER FAILED',
  'failback-failed': 'FAILBACK FAILED',
  'failover-blocked': 'FAILOVER BLOCKED',
  paused: 'AUTOMATION PAUSED',
  resumed: 'AUTOMATION RESUMED',
  'quorum-lost': 'QUORUM LOST',
  'vantage-disagrees': 'VANTAGE DISAGREES',
  'vantage-blind': 'VANTAGE BLIND',
  'drain-refused': 'DRAIN REFUSED',
};

/** Events whose title shows the direction (`: primary → secondary`) when `from` and `to` are known. */
const DIRECTED: ReadonlySet<EventKind> = new Set<EventKind>([
  'failover',
  'planned-failover',
  'failback',
  'failback-started',
  'failback-rolled-back',
  'reconciled',
  'failover-refused',
  'failback-refused',
  'failover-failed',
  'failback-failed',
  'failover-blocked',
]);

/**
 * `FAILOVER payments-api: primary → secondary`, `BOTH DOWN payments-api`, `FAILBACK READY payments-api`.
 *
 * @example
 * notificationTitle({ event: 'both-down', service: 'payments-api', ... }); // 'BOTH DOWN payments-api'
 */
export function notificationTitle(notification: Notification): string {
  const { event, service, from, to } = notification;
  const direction = DIRECTED.has(event) && from !== undefined && to !== undefined ? `: ${from} → ${to}` : '';
  return `${TITLES[event]} ${service}${direction}`;
}

/**
 * Render a notification once for every channel.
 *
 * @example
 * const rendered = renderNotification(notification);
 * rendered.text.split('\n')[0]; // 'FAILOVER payments-api: primary → secondary'
 */
export function renderNotification(notification: Notification): RenderedNotification {
  const title = notificationTitle(notification);
  const facts = renderFacts(notification);
  const evidence = renderEvidence(notification);
  const lines = [title, ...facts.map((fact) => `${fact.label}: ${fact.value}`)];
  if (evidence.length > 0) {
    lines.push('Evidence (last probe results):');
    for (const target of evidence) {
      for (const line of target.lines) lines.push(`  ${target.target}: ${line}`);
    }
  }
  lines.push(`Next: ${notification.next}`);
  const details: Record<string, unknown> = Object.fromEntries(facts.map((fact) => [fact.key, fact.value]));
  details.evidence = Object.fromEntries(evidence.map((target) => [target.target, target.lines]));
  details.next = notification.next;
  details.severity = notification.severity;
  details.event = notification.event;
  return {
    title,
    summary: `${title} — ${notification.reason}`,
    facts,
    evidence,
    next: notification.next,
    text: lines.join('\n'),
    details,
  };
}

function renderFacts(notification: Notification): Fact[] {
  const facts: Fact[] = [{ key: 'service', label: 'Service', value: notification.service }];
  const traffic = describeTraffic(notification);
  if (traffic !== null) facts.push({ key: 'traffic', label: 'Traffic', value: traffic });
  facts.push({ key: 'why', label: 'Why', value: notification.reason });
  facts.push({
    key: 'requested_by',
    label: 'Requested by',
    value: describeRequester(notification.requestedBy),
  });
  facts.push({ key: 'epoch', label: 'Epoch', value: String(notification.epoch) });
  if (notification.changeId !== undefined) {
    facts.push({ key: 'route53_change', label: 'Route 53 change', value: notification.changeId });
  }
  const { detectedAt, flippedAt, inSyncAt } = notification.timings ?? {};
  if (detectedAt !== undefined)
    facts.push({ key: 'detected', label: 'Detected', value: isoTime(detectedAt) });
  if (flippedAt !== undefined) {
    const after =
      detectedAt === undefined ? '' : ` (${formatElapsed(flippedAt - detectedAt)} after detection)`;
    facts.push({ key: 'flipped', label: 'Flipped', value: `${isoTime(flippedAt)}${after}` });
  }
  if (inSyncAt !== undefined) {
    const after = flippedAt === undefined ? '' : ` (${formatElapsed(inSyncAt - flippedAt)} after the flip)`;
    facts.push({ key: 'in_sync', label: 'In sync', value: `${isoTime(inSyncAt)}${after}` });
  }
  facts.push({ key: 'reported', label: 'Reported', value: isoTime(notification.at) });
  if (notification.dashboardUrl !== undefined) {
    facts.push({ key: 'dashboard', label: 'Dashboard', value: notification.dashboardUrl });
  }
  return facts;
}

function describeTraffic(notification: Notification): string | null {
  const { from, to } = notification;
  if (from !== undefined && to !== undefined && from !== to) return `${from} → ${to}`;
  const on = from ?? to;
  return on === undefined ? null : `on ${on}`;
}

/** `watchdog (automatic)` or `alice (operator)`. */
function describeRequester(requestedBy: string): string {
  return requestedBy === 'watchdog' ? 'watchdog (automatic)' : `${requestedBy} (operator)`;
}

function renderEvidence(notification: Notification): TargetEvidence[] {
  const evidence = notification.evidence;
  if (evidence === undefined) return [];
  return Object.entries(evidence).map(([target, results]) => ({
    target,
    lines: results.length === 0 ? ['no probe results'] : results.map(describeCheck),
  }));
}

function describeCheck(result: CheckResult): string {
  return `${result.ok ? 'ok' : 'FAIL'} ${result.check}: ${result.reason} (${Math.round(result.latencyMs)} ms)`;
}

function isoTime(epochMs: number): string {
  return toIsoTime(epochMs) ?? String(epochMs);
}

/** `2026-11-26T06:29:00.000Z`, or undefined for a number that is no valid time. */
export function toIsoTime(epochMs: number): string | undefined {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `850 ms`, `42 s`, `3 min 5 s`. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** Cut `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  // Never split a surrogate pair (an emoji, say): the half would be invalid UTF-16.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
