import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { probeAlarms } from '../../../shared/probes/alarm-probe.ts';
import { alarmCheck } from '../../support/probe-checks.ts';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../support/probe-cloudwatch-server.ts';

let local: LocalCloudWatch | undefined;

afterEach(async () => {
  await local?.close();
  local = undefined;
});

function clientFor(server: LocalCloudWatch): CloudWatchClient {
  return new CloudWatchClient({ region: 'us-east-1', endpoint: server.origin, maxAttempts: 1 });
}

describe('probeAlarms against a local CloudWatch', () => {
  it('reads all alarm states in one DescribeAlarms request over the wire', async () => {
    local = await startLocalCloudWatch({ alarms: { 'api-5xx': 'OK', 'api-errors': 'ALARM' } });

    const results = await probeAlarms(clientFor(local), [
      alarmCheck('api-5xx'),
      alarmCheck('api-errors'),
      alarmCheck('api-gone'),
    ]);

    expect(results.map((result) => [result.ok, result.reason])).toEqual([
      [true, 'state OK'],
      [false, 'state ALARM'],
      [false, 'no alarm named api-gone (check name and region)'],
    ]);
    expect(local.requests).toEqual([
      {
        operation: 'DescribeAlarms',
        body: expect.objectContaining({ AlarmNames: ['api-5xx', 'api-errors', 'api-gone'], MaxRecords: 100 }),
      },
    ]);
  });

  it('aborts a DescribeAlarms call that outlives the checks timeout', async () => {
    local = await startLocalCloudWatch({ alarms: {}, stall: true });

    const started = performance.now();
    const [result] = await probeAlarms(clientFor(local), [alarmCheck('api-5xx', 300)]);

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 300 ms' });
    expect(performance.now() - started).toBeLessThan(300 + 500);
    expect(local.requests).toHaveLength(1);
  });
});
