import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { EventKind } from '../../../shared/domain/events.ts';
import type { Notification } from '../../../shared/domain/ports.ts';
import { pagerDutyEvents } from '../../../shared/notify/pagerduty.ts';
import { renderNotification } from '../../../shared/notify/render.ts';
import { slackMessage } from '../../../shared/notify/slack.ts';
import { snsPublishInput } from '../../../shared/notify/sns.ts';
import { webhookBody } from '../../../shared/notify/webhook.ts';
import { signWebhookBody, verifyWebhookSignature } from '../../../shared/notify/webhook-signature.ts';

const RUNS = { numRuns: 200 };
const EVENTS: EventKind[] = [
  'failover',
  'failback',
  'failback-ready',
  'both-down',
  'flapping-frozen',
  'reconciled',
  'failover-refused',
  'failover-blocked',
  'planned-failover',
];
const text = fc.string({ unit: 'grapheme', maxLength: 3000 });
const target = fc.constantFrom('primary' as const, 'secondary' as const);
const checkResult = fc.record({ check: text, ok: fc.boolean(), latencyMs: fc.double(), reason: text });
const instant = fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.double());

const notificationArb: fc.Arbitrary<Notification> = fc.record(
  {
    event: fc.constantFrom(...EVENTS),
    service: fc.string({ minLength: 1, maxLength: 200 }),
    from: target,
    to: target,
    reason: text,
    requestedBy: text,
    epoch: fc.nat(),
    changeId: text,
    evidence: fc.record({
      primary: fc.array(checkResult, { maxLength: 8 }),
      secondary: fc.array(checkResult, { maxLength: 8 }),
    }),
    at: instant,
    timings: fc.record({ detectedAt: instant, flippedAt: instant, inSyncAt: instant }, { requiredKeys: [] }),
    severity: fc.constantFrom('critical' as const, 'error' as const, 'warning' as const, 'info' as const),
    next: text,
    dashboardUrl: text,
  },
  { requiredKeys: ['event', 'service', 'reason', 'requestedBy', 'epoch', 'at', 'severity', 'next'] },
);

describe('notification payloads for any notification', () => {
  test.prop([notificationArb], RUNS)('stay within every channel limit and never throw', (notification) => {
    const rendered = renderNotification(notification);

    const slack = slackMessage(notification, rendered);
    for (const block of slack.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section' && 'text' in block)
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    for (const event of pagerDutyEvents(notification, rendered, 'key')) {
      if (event.event_action === 'trigger') expect(event.payload.summary.length).toBeLessThanOrEqual(1024);
    }
    const subject = snsPublishInput(notification, rendered, 'arn:aws:sns:us-east-1:1:t').Subject ?? '';
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(JSON.parse(JSON.stringify(webhookBody(notification))).event).toBe(notification.event);
  });

  test.prop([fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 4_000_000_000_000 })], RUNS)(
    'signs every body so that it verifies, and only with that body',
    (body, secret, now) => {
      const header = signWebhookBody(body, secret, now);

      expect(verifyWebhookSignature(body, header, secret, { now }).valid).toBe(true);
      expect(verifyWebhookSignature(`${body}x`, header, secret, { now }).valid).toBe(false);
    },
  );
});
