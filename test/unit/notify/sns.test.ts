import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../../shared/notify/notifier.ts';
import { snsSubject } from '../../../shared/notify/sns.ts';
import { aNotification, skippingClock } from '../../support/receivers.ts';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:failover';
const sns = new SNSClient({ region: 'us-west-2' });
const snsMock = mockClient(sns);

describe('SNS notifier', () => {
  afterEach(() => {
    snsMock.reset();
  });

  it('publishes the plain-text rendering with an email subject and filterable attributes', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = createNotifier({ notifiers: { oncall: [{ kind: 'sns', topicArn: TOPIC }] }, sns });

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([{ channel: 'oncall/sns', ok: true, attempts: 1 }]);
    const [call] = snsMock.commandCalls(PublishCommand);
    const input = call?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe('FAILOVER payments-api: primary -> secondary');
    expect(input?.Message?.split('\n')[0]).toBe('FAILOVER payments-api: primary → secondary');
    expect(input?.Message).toContain(
      'Why: primary down for 3 rounds (status 503 not in [200]); secondary up',
    );
    expect(input?.MessageAttributes).toEqual({
      event: { DataType: 'String', StringValue: 'failover' },
      service: { DataType: 'String', StringValue: 'payments-api' },
      severity: { DataType: 'String', StringValue: 'critical' },
    });
  });

  it('reports a failed publish instead of throwing', async () => {
    snsMock
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    const notifier = createNotifier({ notifiers: { oncall: [{ kind: 'sns', topicArn: TOPIC }] }, sns });

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([
      {
        channel: 'oncall/sns',
        ok: false,
        attempts: 1,
        error: `SNS Publish to ${TOPIC} failed: NotFoundException: Topic does not exist`,
      },
    ]);
  });

  it('stops a publish that outlasts the total bound', async () => {
    snsMock.on(PublishCommand).callsFake(() => new Promise(() => {}));
    const notifier = createNotifier({
      notifiers: { oncall: [{ kind: 'sns', topicArn: TOPIC }] },
      sns,
      clock: skippingClock(),
      totalTimeoutMs: 100,
    });

    const reports = await notifier.notify(aNotification(), ['oncall']);

    expect(reports).toEqual([
      expect.objectContaining({
        channel: 'oncall/sns',
        ok: false,
        error: 'gave up: the 100 ms delivery bound passed',
      }),
    ]);
  });
});

describe('snsSubject', () => {
  it('makes an ASCII subject of fewer than 100 characters on one line', () => {
    const subject = snsSubject(`FAILOVER ${'very-long-service-name-'.repeat(8)}: primary → secondary\n`);

    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });
});
