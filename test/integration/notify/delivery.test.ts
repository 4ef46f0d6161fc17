import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifierConfig } from '../../../shared/domain/config.ts';
import { createNotifier, type NotifierOptions } from '../../../shared/notify/notifier.ts';
import {
  aNotification,
  closedPort,
  type Receiver,
  type SkippingClock,
  skippingClock,
  startReceiver,
} from '../../support/receivers.ts';

const SECOND = Date.UTC(2026, 10, 26, 6, 30, 0);

describe('notification delivery: retries, bounds and isolation', () => {
  let receiver: Receiver;
  let other: Receiver;
  let clock: SkippingClock;
  let logs: object[];

  beforeEach(async () => {
    receiver = await startReceiver({ status: 200, body: 'ok' });
    other = await startReceiver({ status: 202 });
    clock = skippingClock(SECOND);
    logs = [];
  });

  afterEach(async () => {
    await Promise.all([receiver.close(), other.close()]);
  });

  const notifierFor = (configs: NotifierConfig[], options: Partial<NotifierOptions> = {}) =>
    createNotifier({
      notifiers: { oncall: configs },
      clock,
      pagerdutyUrl: `${other.url}/v2/enqueue`,
      log: (entry) => logs.push(entry),
      ...options,
    });
  const slackAt = (base: string) => ({ kind: 'slack', webhookUrl: `${base}/services/T0/B0/tok` }) as const;

  it('retries a 429 after the Retry-After seconds it was given', async () => {
    receiver.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } });
    const notifier = notifierFor([slackAt(receiver.url)]);

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/slack', ok: true, attempts: 2 }]);
    expect(receiver.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([2000]);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'WARN',
        channel: 'oncall/slack',
        attempt: 1,
        retryInMs: 2000,
        problem: `${new URL(receiver.url).host} answered 429 "rate_limited"`,
      }),
    ]);
  });

  it('retries a 503 after a Retry-After given as an HTTP date', async () => {
    receiver.script({ status: 503, headers: { 'retry-after': new Date(SECOND + 3000).toUTCString() } });
    const notifier = notifierFor([{ kind: 'webhook', url: `${receiver.url}/hook` }]);

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/webhook', ok: true, attempts: 2 }]);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(2500);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(3000);
  });

  it('retries 5xx with a doubling backoff until the receiver accepts', async () => {
    other.script({ status: 500 }, { status: 502 });
    const notifier = notifierFor([{ kind: 'pagerduty', routingKey: 'rk-0123456789' }]);

    const reports = await notifier.notify(aNotification({ event: 'both-down' }), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/pagerduty', ok: true, attempts: 3 }]);
    expect(other.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('does not retry a 400, and reports what the receiver said', async () => {
    other.script({ status: 400, body: '{"status":"invalid event","errors":["Event object is invalid"]}' });
    const notifier = notifierFor([{ kind: 'pagerduty', routingKey: 'rk-0123456789' }]);

    const [report] = await notifier.notify(aNotification({ event: 'both-down' }), ['oncall']);

    expect(other.requests).toHaveLength(1);
    expect(report).toEqual({
      channel: 'oncall/pagerduty',
      ok: false,
      attempts: 1,
      error:
        `trigger failover-controller/payments-api/both-down: ${new URL(other.url).host} answered 400 ` +
        '"{"status":"invalid event","errors":["Event object is invalid"]}" (not retried)',
    });
  });

  it('gives up after the last attempt when the receiver keeps failing', async () => {
    receiver.script(...Array.from({ length: 10 }, () => ({ status: 500 })));
    const notifier = notifierFor([slackAt(receiver.url)], { maxAttempts: 3 });

    const [report] = await notifier.notify(aNotification(), ['oncall']);

    expect(receiver.requests).toHaveLength(3);
    expect(report).toMatchObject({
      ok: false,
      attempts: 3,
      error: expect.stringContaining('gave up after 3 attempts'),
    });
  });

  it('fails at once when Retry-After asks for longer than the delivery bound has left', async () => {
    receiver.script({ status: 429, headers: { 'retry-after': '30' } });
    const notifier = notifierFor([slackAt(receiver.url)], { totalTimeoutMs: 8000 });

    const [report] = await notifier.notify(aNotification(), ['oncall']);

    expect(receiver.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(report).toMatchObject({
      ok: false,
      attempts: 1,
      error: expect.stringMatching(/answered 429; Retry-After 30000 ms does not fit in the \d+ ms left/),
    });
  });

  it('bounds a receiver that never answers by the per-attempt and total timeouts', async () => {
    const hanging = await startReceiver('hang');
    try {
      const notifier = notifierFor([slackAt(hanging.url)], {
        totalTimeoutMs: 400,
        attemptTimeoutMs: 150,
        backoffBaseMs: 10,
      });
      const started = performance.now();

      const [report] = await notifier.notify(aNotification(), ['oncall']);

      expect(performance.now() - started).toBeLessThan(1000);
      expect(report?.ok).toBe(false);
      expect(report?.error).toContain('did not answer within');
      expect(report?.attempts).toBeGreaterThanOrEqual(2);
      expect(hanging.requests).toHaveLength(report?.attempts ?? -1);
    } finally {
      await hanging.close();
    }
  });

  it('delivers to the healthy channels when others refuse, hang or redirect', async () => {
    const hanging = await startReceiver('hang');
    const redirecting = await startReceiver({
      status: 302,
      headers: { location: 'https://elsewhere.example/' },
    });
    try {
      const refused = `http://127.0.0.1:${await closedPort()}`;
      const notifier = notifierFor(
        [
          slackAt(refused),
          { kind: 'pagerduty', routingKey: 'rk-0123456789' },
          { kind: 'webhook', url: `${hanging.url}/hook` },
          { kind: 'webhook', url: `${redirecting.url}/hook` },
        ],
        { totalTimeoutMs: 300, maxAttempts: 2, backoffBaseMs: 10 },
      );

      const reports = await notifier.notify(aNotification({ event: 'both-down' }), ['oncall']);

      expect(reports.map((report) => [report.channel, report.ok])).toEqual([
        ['oncall/slack', false],
        ['oncall/pagerduty', true],
        ['oncall/webhook', false],
        ['oncall/webhook#2', false],
      ]);
      expect(reports[0]?.error).toMatch(
        /^127\.0\.0\.1:\d+ refused the connection \(gave up after 2 attempts\)$/,
      );
      expect(reports[2]?.error).toContain('did not answer within');
      expect(reports[3]).toMatchObject({
        attempts: 1,
        error: expect.stringContaining('answered 302 (a redirect'),
      });
      expect(other.requests).toHaveLength(1);
    } finally {
      await Promise.all([hanging.close(), redirecting.close()]);
    }
  });

  it('reports an unknown group as a failed delivery and still delivers to the known ones', async () => {
    const notifier = notifierFor([slackAt(receiver.url)]);

    const reports = await notifier.notify(aNotification(), ['oncall', 'nosuch', 'oncall']);

    expect(reports).toEqual([
      { channel: 'oncall/slack', ok: true, attempts: 1 },
      {
        channel: 'nosuch',
        ok: false,
        attempts: 0,
        error: 'no notifier group "nosuch" in the config (known groups: oncall)',
      },
    ]);
    expect(receiver.requests).toHaveLength(1);
    expect(logs).toEqual([
      expect.objectContaining({ level: 'ERROR', channel: 'nosuch', service: 'payments-api' }),
    ]);
  });

  it('sends PagerDuty nothing for an event that concerns no incident', async () => {
    const notifier = notifierFor([{ kind: 'pagerduty', routingKey: 'rk-0123456789' }]);

    const reports = await notifier.notify(aNotification({ event: 'reconciled' }), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/pagerduty', ok: true, attempts: 0 }]);
    expect(other.requests).toHaveLength(0);
  });
});
