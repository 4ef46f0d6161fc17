import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PROBE_REASON_CHARS } from '../../../shared/domain/limits.ts';
import { probeAlarms } from '../../../shared/probes/alarm-probe.ts';
import { createProber } from '../../../shared/probes/prober.ts';
import { alarmCheck, serviceWith } from '../../support/probe-checks.ts';

const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
const cloudwatchMock = mockClient(cloudwatch);

afterEach(() => {
  cloudwatchMock.reset();
});

/** Answers DescribeAlarms like CloudWatch: only the named alarms that exist, with their states. */
function alarmsExist(states: Readonly<Record<string, StateValue>>): void {
  cloudwatchMock.on(DescribeAlarmsCommand).callsFake(
    (input: DescribeAlarmsCommandInput): Partial<DescribeAlarmsCommandOutput> => ({
      MetricAlarms: (input.AlarmNames ?? [])
        .filter((name) => states[name] !== undefined)
        .map((name) => ({ AlarmName: name, StateValue: states[name] })),
      CompositeAlarms: [],
    }),
  );
}

const describeCalls = () =>
  cloudwatchMock.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);

describe('probeAlarms', () => {
  it('treats OK and INSUFFICIENT_DATA as healthy and ALARM as failing', async () => {
    alarmsExist({ 'api-5xx': 'OK', 'api-latency': 'INSUFFICIENT_DATA', 'api-errors': 'ALARM' });

    const results = await probeAlarms(cloudwatch, [
      alarmCheck('api-5xx'),
      alarmCheck('api-latency'),
      alarmCheck('api-errors'),
    ]);

    expect(results).toEqual([
      { check: 'alarm api-5xx', ok: true, latencyMs: expect.any(Number), reason: 'state OK' },
      {
        check: 'alarm api-latency',
        ok: true,
        latencyMs: expect.any(Number),
        reason: 'state INSUFFICIENT_DATA',
      },
      { check: 'alarm api-errors', ok: false, latencyMs: expect.any(Number), reason: 'state ALARM' },
    ]);
  });

  it('fails an alarm that does not exist, saying so', async () => {
    alarmsExist({});

    const [result] = await probeAlarms(cloudwatch, [alarmCheck('payments-5xx')]);

    expect(result).toMatchObject({
      ok: false,
      reason: 'no alarm named payments-5xx (check name and region)',
    });
  });

  it('cuts a state of any length from the wire to a reason a flip request can carry', async () => {
    alarmsExist({ 'api-5xx': 'X'.repeat(5_000) as StateValue });

    const [result] = await probeAlarms(cloudwatch, [alarmCheck('api-5xx')]);

    expect(result?.reason.startsWith('state XXX')).toBe(true);
    expect(result?.reason).toHaveLength(MAX_PROBE_REASON_CHARS);
  });

  it('reads every alarm of a round in one DescribeAlarms call, metric and composite alike', async () => {
    alarmsExist({ a: 'OK', b: 'OK', c: 'OK' });

    await probeAlarms(cloudwatch, [alarmCheck('a'), alarmCheck('b'), alarmCheck('c'), alarmCheck('a')]);

    expect(describeCalls()).toEqual([
      {
        AlarmNames: ['a', 'b', 'c'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
        NextToken: undefined,
      },
    ]);
  });

  it('splits more than 100 alarm names into batches of at most 100', async () => {
    const names = Array.from({ length: 250 }, (_, index) => `alarm-${index}`);
    alarmsExist(Object.fromEntries(names.map((name) => [name, 'OK'])));

    const results = await probeAlarms(
      cloudwatch,
      names.map((name) => alarmCheck(name)),
    );

    const batches = describeCalls().map((input) => input.AlarmNames ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(new Set(batches.flat())).toEqual(new Set(names));
    expect(results.every((result) => result.ok)).toBe(true);
  });

  it('follows NextToken when CloudWatch pages the answer', async () => {
    cloudwatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], NextToken: 'page-2' })
      .resolvesOnce({ CompositeAlarms: [{ AlarmName: 'b', StateValue: 'ALARM' }] });

    const results = await probeAlarms(cloudwatch, [alarmCheck('a'), alarmCheck('b')]);

    expect(results.map((result) => result.reason)).toEqual(['state OK', 'state ALARM']);
    expect(describeCalls().map((input) => input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('fails every alarm check of a batch when CloudWatch refuses the call', async () => {
    cloudwatchMock
      .on(DescribeAlarmsCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));

    const results = await probeAlarms(cloudwatch, [alarmCheck('a'), alarmCheck('b')]);

    expect(results.map((result) => [result.ok, result.reason])).toEqual([
      [false, 'cannot read alarm: AccessDenied: User is not authorized'],
      [false, 'cannot read alarm: AccessDenied: User is not authorized'],
    ]);
  });

  it('gives up when CloudWatch does not answer within the longest timeout', async () => {
    cloudwatchMock.on(DescribeAlarmsCommand).callsFake(() => new Promise(() => {}));

    const started = performance.now();
    const results = await probeAlarms(cloudwatch, [alarmCheck('a', 100), alarmCheck('b', 300)]);

    expect(results.map((result) => result.reason)).toEqual(['timeout after 300 ms', 'timeout after 300 ms']);
    expect(performance.now() - started).toBeLessThan(300 + 500);
  });

  it('fails alarm checks when no CloudWatch client was configured', async () => {
    const [result] = await probeAlarms(undefined, [alarmCheck('a')]);

    expect(result).toMatchObject({ ok: false, reason: 'no CloudWatch client configured for alarm checks' });
  });
});

describe('createProber with alarm checks', () => {
  it('makes one DescribeAlarms call for the alarm checks of all services in a round', async () => {
    alarmsExist({ 'pay-primary': 'OK', 'pay-standby': 'OK', 'cart-primary': 'ALARM', 'cart-standby': 'OK' });
    const prober = createProber({ cloudwatch });
    const services = [
      serviceWith('payments', [alarmCheck('pay-primary')], [alarmCheck('pay-standby')]),
      serviceWith('cart', [alarmCheck('cart-primary')], [alarmCheck('cart-standby')]),
    ];

    const observations = await prober.probeServices(services);

    expect(describeCalls()).toHaveLength(1);
    expect(describeCalls()[0]?.AlarmNames).toEqual([
      'pay-primary',
      'pay-standby',
      'cart-primary',
      'cart-standby',
    ]);
    expect(observations.get('payments')?.targets.primary?.ok).toBe(true);
    expect(observations.get('cart')?.targets.primary).toMatchObject({
      ok: false,
      checks: [{ reason: 'state ALARM' }],
    });
    expect(observations.get('cart')?.targets.secondary?.ok).toBe(true);
  });
});

describe('the step alarm of a ramped failback (issue #13)', () => {
  const rampService = (name: string, stepAlarm: string) => {
    const base = serviceWith(name, [alarmCheck(`${name}-health`)], [alarmCheck(`${name}-standby`)]);
    return { ...base, policy: { ...base.policy, failbackSteps: [10, 50, 100], stepAlarm } };
  };

  it('reads each state as the gate of the step: OK advances, ALARM rolls back, anything else holds', async () => {
    alarmsExist({
      ...Object.fromEntries(
        ['a', 'b', 'c', 'd'].flatMap((n) => [
          [`${n}-health`, 'OK'],
          [`${n}-standby`, 'OK'],
        ]),
      ),
      'a-5xx': 'OK',
      'b-5xx': 'ALARM',
      'c-5xx': 'INSUFFICIENT_DATA',
    });
    const prober = createProber({ cloudwatch });
    const services = ['a', 'b', 'c', 'd'].map((n) => rampService(n, `${n}-5xx`));

    const observations = await prober.probeServices(services, new Set(['a', 'b', 'c', 'd']));

    expect(['a', 'b', 'c', 'd'].map((n) => observations.get(n)?.gate)).toEqual([
      'OK',
      'ALARM',
      'INSUFFICIENT_DATA',
      'INSUFFICIENT_DATA', // d-5xx does not exist: never advance on an alarm that could not be read
    ]);
    // The step alarms ride in the round's one DescribeAlarms call.
    expect(describeCalls()).toHaveLength(1);
  });

  it('reads no step alarm for a service without a ramp under way', async () => {
    alarmsExist({ 'a-health': 'OK', 'a-standby': 'OK', 'a-5xx': 'ALARM' });
    const prober = createProber({ cloudwatch });

    const observations = await prober.probeServices([rampService('a', 'a-5xx')]);

    expect(observations.get('a')?.gate).toBeUndefined();
    expect(describeCalls().flatMap((input) => input.AlarmNames ?? [])).not.toContain('a-5xx');
  });
});
