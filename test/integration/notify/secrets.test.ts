import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import { createNotifier } from '../../../shared/notify/notifier.ts';
import { verifyWebhookSignature } from '../../../shared/notify/webhook-signature.ts';
import { aNotification, type Receiver, skippingClock, startReceiver } from '../../support/receivers.ts';

const SLACK_TOKEN_PATH = '/services/T0SECRET/B0SECRET/xoxbSecretToken123';
const ROUTING_KEY = 'pdRoutingKeySecret0123456789ab';
const HMAC_SECRET = 'hmacSecretValue-0123456789';

const ssm = new SSMClient({ region: 'us-east-1' });
const ssmMock = mockClient(ssm);

describe('notifier secrets from SSM', () => {
  let receiver: Receiver;
  let pagerduty: Receiver;
  let logs: object[];

  beforeEach(async () => {
    receiver = await startReceiver({ status: 200, body: 'ok' });
    pagerduty = await startReceiver({ status: 202 });
    logs = [];
  });

  afterEach(async () => {
    ssmMock.reset();
    await Promise.all([receiver.close(), pagerduty.close()]);
  });

  const parameters = (values: Record<string, string>) => {
    ssmMock.on(GetParameterCommand).callsFake(async (input: { Name?: string }) => {
      const value = input.Name === undefined ? undefined : values[input.Name];
      if (value === undefined) {
        throw Object.assign(new Error(''), { name: 'ParameterNotFound' });
      }
      return { Parameter: { Name: input.Name, Type: 'SecureString', Value: value } };
    });
  };

  const notifierFor = (notifiers: ControllerConfig['notifiers'], clock = skippingClock()) =>
    createNotifier({
      notifiers,
      ssm,
      clock,
      pagerdutyUrl: `${pagerduty.url}/v2/enqueue`,
      log: (entry) => logs.push(entry),
    });

  it('reads each SSM path once, decrypted, however many notifications use it at once', async () => {
    parameters({
      '/failover/slack-webhook': `${receiver.url}${SLACK_TOKEN_PATH}`,
      '/failover/hmac': HMAC_SECRET,
    });
    const clock = skippingClock();
    const notifier = notifierFor(
      {
        oncall: [
          { kind: 'slack', webhookUrl: { kind: 'ssm', path: '/failover/slack-webhook' } },
          { kind: 'webhook', url: `${receiver.url}/hook`, secret: { kind: 'ssm', path: '/failover/hmac' } },
        ],
        audit: [{ kind: 'slack', webhookUrl: { kind: 'ssm', path: '/failover/slack-webhook' } }],
      },
      clock,
    );

    const concurrent = await Promise.all([
      notifier.notify(aNotification(), ['oncall', 'audit']),
      notifier.notify(aNotification({ epoch: 8 }), ['oncall']),
    ]);
    const later = await notifier.notify(aNotification({ epoch: 9 }), ['oncall']);

    expect([...concurrent.flat(), ...later].every((report) => report.ok)).toBe(true);
    const calls = ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { Name: '/failover/slack-webhook', WithDecryption: true },
      { Name: '/failover/hmac', WithDecryption: true },
    ]);
    expect(receiver.requests.filter((request) => request.path === SLACK_TOKEN_PATH)).toHaveLength(4);
    const hook = receiver.requests.find((request) => request.path === '/hook');
    expect(
      verifyWebhookSignature(hook?.body ?? '', hook?.headers['x-failover-signature'], HMAC_SECRET, {
        now: clock.now(),
      }).valid,
    ).toBe(true);
  });

  it('fails only the channel whose parameter cannot be read, naming the path, and tries again next time', async () => {
    parameters({ '/failover/slack-webhook': `${receiver.url}${SLACK_TOKEN_PATH}` });
    const notifier = notifierFor({
      oncall: [
        { kind: 'pagerduty', routingKey: { kind: 'ssm', path: '/failover/pagerduty' } },
        { kind: 'slack', webhookUrl: { kind: 'ssm', path: '/failover/slack-webhook' } },
      ],
    });

    const first = await notifier.notify(aNotification(), ['oncall']);
    parameters({ '/failover/pagerduty': ROUTING_KEY, '/failover/slack-webhook': 'unused' });
    const second = await notifier.notify(aNotification(), ['oncall']);

    expect(first).toEqual([
      {
        channel: 'oncall/pagerduty',
        ok: false,
        attempts: 0,
        error:
          'SSM parameter /failover/pagerduty could not be read: ParameterNotFound ' +
          '(create it, or fix the path in the notifier config)',
      },
      { channel: 'oncall/slack', ok: true, attempts: 1 },
    ]);
    expect(second.map((report) => report.ok)).toEqual([true, true]);
    const paths = ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input.Name);
    expect(paths.filter((path) => path === '/failover/pagerduty')).toHaveLength(2);
    expect(paths.filter((path) => path === '/failover/slack-webhook')).toHaveLength(1);
  });

  it('never shows a secret in a report or a log line, even when a receiver echoes it back', async () => {
    parameters({ '/failover/hmac': HMAC_SECRET });
    receiver.script(
      { status: 500, body: `upstream error for ${SLACK_TOKEN_PATH}` },
      { status: 404, body: 'no_service' },
    );
    const echo = await startReceiver({
      status: 400,
      body: `invalid routing_key ${ROUTING_KEY} / ${HMAC_SECRET}`,
    });
    try {
      const notifier = createNotifier({
        notifiers: {
          oncall: [
            { kind: 'slack', webhookUrl: `${receiver.url}${SLACK_TOKEN_PATH}` },
            { kind: 'pagerduty', routingKey: ROUTING_KEY },
            {
              kind: 'webhook',
              url: `${echo.url}/hook?token=${HMAC_SECRET}`,
              secret: { kind: 'ssm', path: '/failover/hmac' },
            },
            { kind: 'slack', webhookUrl: 'not a url/xoxbSecretToken123' },
          ],
        },
        ssm,
        clock: skippingClock(),
        pagerdutyUrl: `${echo.url}/v2/enqueue`,
        log: (entry) => logs.push(entry),
      });

      const reports = await notifier.notify(aNotification({ event: 'both-down' }), ['oncall']);

      expect(reports.map((report) => report.ok)).toEqual([false, false, false, false]);
      expect(reports[3]?.error).toBe('slack.webhookUrl is not a valid URL (value not shown)');
      const shown = JSON.stringify({ reports, logs });
      for (const secret of [SLACK_TOKEN_PATH, 'xoxbSecretToken123', ROUTING_KEY, HMAC_SECRET]) {
        expect(shown).not.toContain(secret);
      }
      expect(shown).toContain(new URL(receiver.url).host);
      expect(shown).toContain('[redacted]');
      expect(logs.filter((entry) => 'level' in entry && entry.level === 'ERROR')).toHaveLength(4);
    } finally {
      await echo.close();
    }
  });
});
