import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../../shared/domain/config.ts';
import { createNotifier } from '../../../shared/notify/notifier.ts';
import { verifyWebhookSignature } from '../../../shared/notify/webhook-signature.ts';
import { aNotification, type Receiver, skippingClock, startReceiver } from '../../support/receivers.ts';

const HMAC_SECRET = 'whsec-test-0123456789';
const ROUTING_KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL';

describe('notification channels against real receivers', () => {
  let slack: Receiver;
  let pagerduty: Receiver;
  let webhook: Receiver;

  beforeEach(async () => {
    slack = await startReceiver({ status: 200, body: 'ok' });
    pagerduty = await startReceiver({
      status: 202,
      body: '{"status":"success","message":"Event processed"}',
    });
    webhook = await startReceiver({ status: 204 });
  });

  afterEach(async () => {
    await Promise.all([slack.close(), pagerduty.close(), webhook.close()]);
  });

  const notifierFor = (configs: NotifierConfig[], clock = skippingClock()) =>
    createNotifier({
      notifiers: { oncall: configs },
      clock,
      pagerdutyUrl: `${pagerduty.url}/v2/enqueue`,
      log: () => {},
    });

  it('posts Slack a Block Kit message with a plain-text fallback', async () => {
    const notifier = notifierFor([{ kind: 'slack', webhookUrl: `${slack.url}/services/T000/B000/XXXX` }]);

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/slack', ok: true, attempts: 1 }]);
    const [request] = slack.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/services/T000/B000/XXXX');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}');
    expect(Object.keys(body)).toEqual(['text', 'blocks']);
    expect(body.text.split('\n')[0]).toBe('FAILOVER payments-api: primary → secondary');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'FAILOVER payments-api: primary → secondary', emoji: true },
    });
    const blockText = JSON.stringify(body.blocks);
    for (const expected of [
      '*Why:* primary down for 3 rounds (status 503 not in [200]); secondary up',
      '*Requested by*\\nwatchdog (automatic)',
      '*Epoch*\\n7',
      '*Route 53 change*\\nC0123456789ABCDEF',
      '*In sync*\\n2026-11-26T06:30:45.000Z (41 s after the flip)',
      '*primary*: FAIL http GET https://primary.example.com/health: status 503 not in [200] (12 ms)',
      '*Next:* Investigate the primary',
    ]) {
      expect(blockText).toContain(expected);
    }
  });

  it('triggers a PagerDuty incident on failover and resolves the same dedup key on failback', async () => {
    const notifier = notifierFor([{ kind: 'pagerduty', routingKey: ROUTING_KEY }]);

    const failover = await notifier.notify(aNotification({ severity: 'critical' }), ['oncall']);
    const failback = await notifier.notify(
      aNotification({ event: 'failback', from: 'secondary', to: 'primary', epoch: 8, severity: 'info' }),
      ['oncall'],
    );

    // A trigger plus the resolves of both-down, failover-blocked, failover-refused, failover-failed
    // and drain-refused (an active-active drain is a failover, issue #13 item 3).
    expect(failover).toEqual([{ channel: 'oncall/pagerduty', ok: true, attempts: 6 }]);
    expect(failback).toEqual([{ channel: 'oncall/pagerduty', ok: true, attempts: 6 }]);
    const events = pagerduty.requests.map((request) => JSON.parse(request.body));
    expect(pagerduty.requests.every((request) => request.path === '/v2/enqueue')).toBe(true);
    const trigger = events.find((event) => event.event_action === 'trigger');
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      dedup_key: 'failover-controller/payments-api/failover',
      payload: {
        summary: expect.stringMatching(/^FAILOVER payments-api: primary → secondary — primary down/),
        source: 'payments-api',
        severity: 'critical',
        custom_details: expect.objectContaining({ epoch: '7', route53_change: 'C0123456789ABCDEF' }),
      },
    });
    const resolves = events.slice(6);
    expect(resolves).toContainEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'failover-controller/payments-api/failover',
    });
    expect(resolves.every((event) => event.event_action === 'resolve')).toBe(true);
  });

  it('posts the webhook exactly the documented fields, signed so the receiver can verify them', async () => {
    const clock = skippingClock();
    const notifier = notifierFor(
      [{ kind: 'webhook', url: `${webhook.url}/hooks/failover`, secret: HMAC_SECRET }],
      clock,
    );

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/webhook', ok: true, attempts: 1 }]);
    const [request] = webhook.requests;
    const raw = request?.body ?? '';
    expect(JSON.parse(raw)).toEqual({
      event: 'failover',
      service: 'payments-api',
      from: 'primary',
      to: 'secondary',
      reason: 'primary down for 3 rounds (status 503 not in [200]); secondary up',
      requestedBy: 'watchdog',
      epoch: 7,
      changeId: 'C0123456789ABCDEF',
      evidence: aNotification().evidence,
      at: '2026-11-26T06:30:46.000Z',
      dashboardUrl: null,
    });
    const header = request?.headers['x-failover-signature'];
    const now = clock.now();
    expect(verifyWebhookSignature(raw, header, HMAC_SECRET, { now })).toMatchObject({ valid: true });
    expect(
      verifyWebhookSignature(raw.replace('"epoch":7', '"epoch":8'), header, HMAC_SECRET, { now }),
    ).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(raw, header, HMAC_SECRET, { now: now + 600_000 })).toEqual({
      valid: false,
      reason: 'too-old',
    });
  });

  it('posts the webhook unsigned, with null for what it does not know, when no secret is set', async () => {
    const notifier = notifierFor([{ kind: 'webhook', url: `${webhook.url}/hooks/failover` }]);

    await notifier.notify(
      aNotification({ event: 'both-down', to: undefined, changeId: undefined, evidence: undefined }),
      ['oncall'],
    );

    const [request] = webhook.requests;
    expect(request?.headers['x-failover-signature']).toBeUndefined();
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      event: 'both-down',
      to: null,
      changeId: null,
      evidence: null,
    });
  });
});
