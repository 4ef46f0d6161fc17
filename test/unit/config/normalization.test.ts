import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { aService, aServiceChecking, parse } from './sample-config.ts';

describe('normalization', () => {
  it('writes record names as Route 53 stores them: lowercase with a trailing dot', () => {
    const config = parse({
      services: [
        aService('payments-api', { recordName: 'API.Example.COM' }),
        aService('ledger-api', { recordName: 'ledger.example.com.' }),
      ],
    });

    expect(config.services.map((service) => service.recordName)).toEqual([
      'api.example.com.',
      'ledger.example.com.',
    ]);
  });

  it('accepts a hosted zone id as the API returns it and keeps only the id', () => {
    const config = parse({
      services: [aService('payments-api', { hostedZoneId: '/hostedzone/Z0123456789ABC' })],
    });

    expect(config.services[0]?.hostedZoneId).toBe('Z0123456789ABC');
  });

  it('turns expected statuses into inclusive ranges', () => {
    const config = parse({
      services: [
        aServiceChecking({
          http: { url: 'https://a.example.com/', expectStatus: [200, '204', '3xx', '400-404'] },
        }),
      ],
    });

    const check = config.services[0]?.targets[0]?.checks[0];
    expect(check?.kind === 'http' && check.expectStatus).toEqual([
      { min: 200, max: 200 },
      { min: 204, max: 204 },
      { min: 300, max: 399 },
      { min: 400, max: 404 },
    ]);
  });

  it('turns each check entry into a check of its kind', () => {
    const config = parse({
      services: [
        aService('payments-api', {
          secondary: {
            setIdentifier: 'standby',
            checks: [
              { tcp: { host: 'db.internal.example.com', port: 5432 } },
              { cloudwatchAlarm: { alarmName: 'standby-5xx', timeoutMs: 1500 } },
            ],
          },
        }),
      ],
    });

    expect(config.services[0]?.targets[1]?.checks).toEqual([
      { kind: 'tcp', host: 'db.internal.example.com', port: 5432, timeoutMs: 3000 },
      { kind: 'cloudwatch-alarm', alarmName: 'standby-5xx', timeoutMs: 1500 },
    ]);
  });

  it('keeps the optional http check settings that are given', () => {
    const config = parse({
      services: [
        aServiceChecking({
          http: {
            url: 'https://a.example.com/health',
            headers: { Authorization: 'Bearer x' },
            jsonPath: 'items[0].state',
            equals: null,
            maxLatencyMs: 800,
            certMinDaysValid: 10,
          },
        }),
      ],
    });

    expect(config.services[0]?.targets[0]?.checks[0]).toMatchObject({
      headers: { Authorization: 'Bearer x' },
      jsonPath: 'items[0].state',
      equals: null,
      maxLatencyMs: 800,
      certMinDaysValid: 10,
    });
  });

  it('turns each notifier entry into a notifier of its kind', () => {
    const config = parse({
      services: [aService('payments-api', { notify: ['oncall'] })],
      notifiers: {
        oncall: [
          { sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:failover' } },
          { slack: { webhookUrl: 'https://hooks.slack.com/services/T/B/X' } },
          { pagerduty: { routingKey: 'R0123456789ABCDEF0123456789ABCDE' } },
          { webhook: { url: 'https://hooks.example.com/failover' } },
        ],
      },
    });

    expect(config.notifiers.oncall).toEqual([
      { kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:failover' },
      { kind: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
      { kind: 'pagerduty', routingKey: 'R0123456789ABCDEF0123456789ABCDE' },
      { kind: 'webhook', url: 'https://hooks.example.com/failover' },
    ]);
  });

  it('records the file as an absolute path', () => {
    const text =
      'services:\n  - {name: a, hostedZoneId: Z1, recordName: a.example.com, recordType: A, primary: {setIdentifier: p, checks: [{tcp: {host: a, port: 1}}]}, secondary: {setIdentifier: s, checks: [{tcp: {host: b, port: 1}}]}}\n';

    const config = parseConfig(text, 'config/failover.config.yml', {});

    expect(config.file).toBe(resolve('config/failover.config.yml'));
  });
});
