/**
 * The local CloudWatch through the real @aws-sdk/client-cloudwatch (AWS JSON 1.0 over HTTP): metric
 * data, alarm evaluation per period, DatapointsToAlarm, TreatMissingData, SetAlarmState and errors.
 * Time is a manual clock handed to the server, so no test waits on the wall clock.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateRange } from '../../../local/cloudwatch/alarms.ts';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../../local/cloudwatch/index.ts';

const servers: LocalCloudWatch[] = [];
const clients: CloudWatchClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.close();
});

/** A clock that starts on a minute boundary and moves only when told. */
function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function setup(evaluationDelayMs = 0) {
  const clock = manualClock();
  const cw = await startLocalCloudWatch({ now: clock.now, evaluationDelayMs });
  servers.push(cw);
  const client = new CloudWatchClient({ endpoint: cw.endpoint, region: cw.region, maxAttempts: 1 });
  clients.push(client);
  const put = (value: number) =>
    client.send(
      new PutMetricDataCommand({
        Namespace: 'Failover',
        MetricData: [{ MetricName: 'healthy', Value: value }],
      }),
    );
  const state = async (name = 'primary-healthy') => {
    const out = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    return out.MetricAlarms?.[0]?.StateValue;
  };
  const alarm = (extra: Partial<PutMetricAlarmCommandInput> = {}) =>
    client.send(
      new PutMetricAlarmCommand({
        AlarmName: 'primary-healthy',
        Namespace: 'Failover',
        MetricName: 'healthy',
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        ...extra,
      }),
    );
  return { cw, clock, client, put, state, alarm };
}

describe('local CloudWatch alarms', () => {
  it('starts INSUFFICIENT_DATA and changes state only when a period has been evaluated', async () => {
    const { clock, put, state, alarm } = await setup();
    await alarm();
    await put(0);
    expect(await state()).toBe('INSUFFICIENT_DATA');
    clock.advance(59_000);
    expect(await state()).toBe('INSUFFICIENT_DATA');
    clock.advance(1_000);
    expect(await state()).toBe('ALARM');
    await put(1);
    clock.advance(60_000);
    expect(await state()).toBe('OK');
  });

  it('waits the configured evaluation delay after the period ends', async () => {
    const { clock, put, state, alarm } = await setup(5_000);
    await alarm();
    await put(0);
    clock.advance(60_000);
    expect(await state()).toBe('INSUFFICIENT_DATA');
    clock.advance(5_000);
    expect(await state()).toBe('ALARM');
  });

  it('needs DatapointsToAlarm breaching datapoints of EvaluationPeriods', async () => {
    const { clock, put, state, alarm } = await setup();
    await alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    const minute = async (value: number) => {
      await put(value);
      clock.advance(60_000);
      return state();
    };
    // With fewer datapoints than EvaluationPeriods, one that is not breaching already means OK.
    expect(await minute(1)).toBe('OK');
    expect(await minute(0)).toBe('OK');
    expect(await minute(1)).toBe('OK');
    expect(await minute(0)).toBe('ALARM');
    expect(await minute(1)).toBe('OK');
  });

  it('treats missing data as the alarm says once the data stops', async () => {
    const { clock, put, state, alarm } = await setup();
    await alarm({ AlarmName: 'missing', TreatMissingData: 'missing', EvaluationPeriods: 1 });
    await alarm({ AlarmName: 'breaching', TreatMissingData: 'breaching', EvaluationPeriods: 1 });
    await alarm({ AlarmName: 'ignore', TreatMissingData: 'ignore', EvaluationPeriods: 1 });
    await put(1);
    clock.advance(60_000);
    for (const name of ['missing', 'breaching', 'ignore']) expect(await state(name)).toBe('OK');
    // The range is EvaluationPeriods + 2 periods: the last datapoint counts until it leaves the range.
    clock.advance(3 * 60_000);
    expect(await state('missing')).toBe('INSUFFICIENT_DATA');
    expect(await state('breaching')).toBe('ALARM');
    expect(await state('ignore')).toBe('OK');
  });

  it('lets SetAlarmState show a state only until the next evaluation', async () => {
    const { clock, client, put, state, alarm, cw } = await setup();
    await alarm();
    await put(1);
    clock.advance(60_000);
    expect(await state()).toBe('OK');
    await client.send(
      new SetAlarmStateCommand({ AlarmName: 'primary-healthy', StateValue: 'ALARM', StateReason: 'test' }),
    );
    expect(await state()).toBe('ALARM');
    // What the data says (Route 53's view) never moved.
    expect(cw.alarmStates.stateAt('primary-healthy', clock.now())?.state).toBe('OK');
    await put(1);
    clock.advance(60_000);
    expect(await state()).toBe('OK');
  });

  it('refuses bad parameters and unknown alarms with the service error codes', async () => {
    const { client, alarm } = await setup();
    await expect(alarm({ Period: 45 })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
    });
    await expect(alarm({ EvaluationPeriods: 2, DatapointsToAlarm: 3 })).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
    await expect(
      client.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
    await expect(client.send(new DeleteAlarmsCommand({ AlarmNames: ['nope'] }))).rejects.toMatchObject({
      name: 'ResourceNotFound',
    });
    await expect(
      client.send(
        new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] }),
      ),
    ).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
  });

  it('deletes alarms and lists by prefix and state', async () => {
    const { client, alarm } = await setup();
    await alarm({ AlarmName: 'svc-a' });
    await alarm({ AlarmName: 'svc-b' });
    await alarm({ AlarmName: 'other' });
    const listed = await client.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'svc-', StateValue: 'INSUFFICIENT_DATA' }),
    );
    expect(listed.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['svc-a', 'svc-b']);
    await client.send(new DeleteAlarmsCommand({ AlarmNames: ['svc-a'] }));
    const after = await client.send(new DescribeAlarmsCommand({}));
    expect(after.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['other', 'svc-b']);
  });
});

describe('evaluateRange', () => {
  // The CloudWatch User Guide's tables ("How alarm state is evaluated when data is missing"): 0 is a
  // non-breaching datapoint, X a breaching one, '-' a missing one; a range of 5 for 3 evaluation periods.
  const config = { threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' as const };
  const parse = (row: string) => row.split(' ').map((c) => (c === '-' ? undefined : c === 'X' ? 1 : 0));
  const rows: [string, number, string, string, string, string][] = [
    ['0 - X - X', 3, 'OK', 'OK', 'OK', 'OK'],
    ['0 - - - -', 3, 'OK', 'OK', 'OK', 'OK'],
    ['- - - - -', 3, 'INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK'],
    ['0 X X - X', 3, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['- - - - X', 3, 'INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK'],
    ['0 - X - X', 2, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['0 0 X 0 X', 2, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['0 - X - -', 2, 'OK', 'OK', 'ALARM', 'OK'],
    ['- - - - 0', 2, 'OK', 'OK', 'ALARM', 'OK'],
    ['- - - - X', 2, 'INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK'],
  ];
  it.each(rows)('%s with %i of 3 to alarm', (row, m, missing, ignore, breaching, notBreaching) => {
    const expected = { missing, ignore, breaching, notBreaching };
    for (const [treat, want] of Object.entries(expected)) {
      const got = evaluateRange(parse(row), {
        ...config,
        evaluationPeriods: 3,
        datapointsToAlarm: m,
        treatMissingData: treat as 'missing' | 'ignore' | 'breaching' | 'notBreaching',
      });
      expect({ treat, state: got ?? 'keep' }).toEqual({ treat, state: want });
    }
  });
});
