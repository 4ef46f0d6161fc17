/**
 * CLOUDWATCH_METRIC health checks in the local Route 53, through the real SDK clients over HTTP: the
 * health-check API and its errors, DNS answers chosen by health (all-unhealthy, weight 0), and the
 * data-plane failover path of issue #12 end to end on the local stack. Time is a manual clock handed to
 * the local CloudWatch (Route 53 reads alarm states on that clock), so nothing waits on the wall clock.
 */
import { Resolver } from 'node:dns/promises';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  DeleteHealthCheckCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../../local/cloudwatch/index.ts';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/stack.ts';

const closers: { close(): Promise<void> }[] = [];
const clients: { destroy(): void }[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const closer of closers.splice(0).reverse()) await closer.close();
});

function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const ADDRESSES = { primary: '192.0.2.1', secondary: '192.0.2.2', spare: '192.0.2.3' } as const;
type Target = keyof typeof ADDRESSES;

/** Route 53 and CloudWatch clients plus helpers, against either a stack or a pair of stand-ins. */
async function connect(r53: LocalRoute53, cw: LocalCloudWatch, clock: ReturnType<typeof manualClock>) {
  const route53 = new Route53Client({ endpoint: r53.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const cloudwatch = new CloudWatchClient({ endpoint: cw.endpoint, region: cw.region, maxAttempts: 1 });
  clients.push(route53, cloudwatch);
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'hc' }),
  );
  const zoneId = zone.HostedZone?.Id ?? '';
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${r53.dnsPort}`]);

  /** An alarm on `<target>-healthy` (Minimum < 1 over one 60 s period) and a health check following it. */
  async function monitored(target: Target): Promise<string> {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: `${target}-healthy`,
        Namespace: 'Failover',
        MetricName: 'healthy',
        Dimensions: [{ Name: 'Target', Value: target }],
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'missing',
      }),
    );
    const created = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `hc-${target}`,
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: 'us-east-1', Name: `${target}-healthy` },
          InsufficientDataHealthStatus: 'LastKnownStatus',
        },
      }),
    );
    return created.HealthCheck?.Id ?? '';
  }

  async function report(values: Partial<Record<Target, number>>): Promise<void> {
    for (const [target, value] of Object.entries(values)) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'Failover',
          MetricData: [
            { MetricName: 'healthy', Dimensions: [{ Name: 'Target', Value: target }], Value: value },
          ],
        }),
      );
    }
  }

  function weighted(target: Target, weight: number, healthCheckId?: string): ResourceRecordSet {
    return {
      Name: 'api.example.com',
      Type: 'A',
      SetIdentifier: target,
      Weight: weight,
      TTL: 60,
      ResourceRecords: [{ Value: ADDRESSES[target] }],
      ...(healthCheckId === undefined ? {} : { HealthCheckId: healthCheckId }),
    };
  }

  async function create(...sets: ResourceRecordSet[]) {
    return route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: sets.map((set) => ({ Action: 'CREATE', ResourceRecordSet: set })) },
      }),
    );
  }

  /** The distinct addresses of `queries` answers (the responder's rolls are random). */
  async function answered(queries = 40): Promise<string[]> {
    const seen = new Set<string>();
    for (let i = 0; i < queries; i++)
      for (const address of await resolver.resolve4('api.example.com')) seen.add(address);
    return [...seen].sort();
  }

  /** One minute passes with these values reported in it. */
  async function minute(values: Partial<Record<Target, number>>): Promise<void> {
    await report(values);
    clock.advance(60_000);
  }

  return { route53, cloudwatch, zoneId, monitored, report, weighted, create, answered, minute };
}

async function standIns(healthCheckDelayMs = 0) {
  const clock = manualClock();
  const cw = await startLocalCloudWatch({ now: clock.now });
  closers.push(cw);
  const r53 = await startLocalRoute53({ cloudwatch: cw.alarmStates, healthCheckDelayMs });
  closers.push(r53);
  return { clock, r53, cw, ...(await connect(r53, cw, clock)) };
}

describe('local Route 53 health checks (API)', () => {
  it('creates, gets, lists and deletes a CLOUDWATCH_METRIC check, idempotently by caller reference', async () => {
    const { route53, monitored } = await standIns();
    const id = await monitored('primary');
    const again = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'hc-primary',
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: 'us-east-1', Name: 'primary-healthy' },
          InsufficientDataHealthStatus: 'LastKnownStatus',
        },
      }),
    );
    expect(again.HealthCheck?.Id).toBe(id);
    const got = await route53.send(new GetHealthCheckCommand({ HealthCheckId: id }));
    expect(got.HealthCheck?.HealthCheckConfig).toMatchObject({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: 'us-east-1', Name: 'primary-healthy' },
      InsufficientDataHealthStatus: 'LastKnownStatus',
    });
    expect(got.HealthCheck?.CloudWatchAlarmConfiguration).toMatchObject({
      Period: 60,
      Statistic: 'Minimum',
      Dimensions: [{ Name: 'Target', Value: 'primary' }],
    });
    const listed = await route53.send(new ListHealthChecksCommand({}));
    expect(listed.HealthChecks?.map((check) => check.Id)).toEqual([id]);
    const status = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
    expect(status.HealthCheckObservations?.[0]?.StatusReport?.Status).toMatch(/^Success: /);
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    await expect(route53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).rejects.toMatchObject({
      name: 'NoSuchHealthCheck',
    });
  });

  it('refuses a reused caller reference with other settings, after deletion too', async () => {
    const { route53, monitored } = await standIns();
    const id = await monitored('primary');
    const other = new CreateHealthCheckCommand({
      CallerReference: 'hc-primary',
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Region: 'us-east-1', Name: 'primary-healthy' },
        InsufficientDataHealthStatus: 'Unhealthy',
      },
    });
    await expect(route53.send(other)).rejects.toMatchObject({ name: 'HealthCheckAlreadyExists' });
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    await expect(route53.send(other)).rejects.toMatchObject({ name: 'HealthCheckAlreadyExists' });
  });

  it('refuses other types, a missing alarm and a high-resolution alarm with InvalidInput', async () => {
    const { route53, cloudwatch } = await standIns();
    const create = (ref: string, config: Record<string, unknown>) =>
      route53.send(
        new CreateHealthCheckCommand({
          CallerReference: ref,
          HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', ...config } as never,
        }),
      );
    await expect(
      route53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'http',
          HealthCheckConfig: { Type: 'HTTP', IPAddress: '192.0.2.9', Port: 80 },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('HTTP') });
    await expect(create('none', {})).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(
      create('gone', { AlarmIdentifier: { Region: 'us-east-1', Name: 'gone' } }),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('gone'),
    });
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'fast',
        Namespace: 'Failover',
        MetricName: 'healthy',
        Statistic: 'Minimum',
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
    await expect(
      create('fast', { AlarmIdentifier: { Region: 'us-east-1', Name: 'fast' } }),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('standard-resolution'),
    });
    expect((await route53.send(new ListHealthChecksCommand({}))).HealthChecks).toEqual([]);
  });

  it('refuses a record whose HealthCheckId does not exist, and changes nothing', async () => {
    const { create, weighted, answered } = await standIns();
    await create(weighted('secondary', 0));
    await expect(
      create(weighted('primary', 100, '00000000-0000-0000-0000-000000000000')),
    ).rejects.toMatchObject({
      name: 'NoSuchHealthCheck',
    });
    expect(await answered(5)).toEqual([ADDRESSES.secondary]);
  });

  it('lets a check that records use be deleted; such a record then counts as unhealthy', async () => {
    const { route53, monitored, create, weighted, answered, minute } = await standIns();
    const primary = await monitored('primary');
    await create(weighted('primary', 100, primary), weighted('secondary', 0));
    await minute({ primary: 1 });
    expect(await answered()).toEqual([ADDRESSES.primary]);
    await route53.send(new DeleteHealthCheckCommand({ HealthCheckId: primary }));
    expect(await answered()).toEqual([ADDRESSES.secondary]);
  });
});

describe('local Route 53 DNS answers by health', () => {
  it('skips an unhealthy weighted record and returns when it is healthy again', async () => {
    const { monitored, create, weighted, answered, minute } = await standIns();
    const [primary, secondary] = [await monitored('primary'), await monitored('secondary')];
    await create(weighted('primary', 1, primary), weighted('secondary', 1, secondary));
    await minute({ primary: 1, secondary: 1 });
    expect(await answered()).toEqual([ADDRESSES.primary, ADDRESSES.secondary]);
    await minute({ primary: 0, secondary: 1 });
    expect(await answered()).toEqual([ADDRESSES.secondary]);
    await minute({ primary: 1, secondary: 1 });
    expect(await answered()).toEqual([ADDRESSES.primary, ADDRESSES.secondary]);
  });

  it('treats all records as healthy when all are unhealthy, and still never answers weight 0 then', async () => {
    const { monitored, create, weighted, answered, minute } = await standIns();
    const ids = {
      primary: await monitored('primary'),
      secondary: await monitored('secondary'),
      spare: await monitored('spare'),
    };
    await create(
      weighted('primary', 1, ids.primary),
      weighted('secondary', 1, ids.secondary),
      weighted('spare', 0, ids.spare),
    );
    await minute({ primary: 0, secondary: 0, spare: 0 });
    expect(await answered()).toEqual([ADDRESSES.primary, ADDRESSES.secondary]);
  });

  it('answers a healthy weight-0 record only when every nonzero record is unhealthy', async () => {
    const { monitored, create, weighted, answered, minute } = await standIns();
    const ids = { primary: await monitored('primary'), secondary: await monitored('secondary') };
    await create(weighted('primary', 100, ids.primary), weighted('secondary', 0, ids.secondary));
    await minute({ primary: 1, secondary: 1 });
    expect(await answered()).toEqual([ADDRESSES.primary]);
    await minute({ primary: 0, secondary: 1 });
    expect(await answered()).toEqual([ADDRESSES.secondary]);
  });

  it('counts a record without a health check as healthy', async () => {
    const { monitored, create, weighted, answered, minute } = await standIns();
    const primary = await monitored('primary');
    await create(weighted('primary', 100, primary), weighted('secondary', 0));
    await minute({ primary: 0 });
    expect(await answered()).toEqual([ADDRESSES.secondary]);
  });

  it('keeps the last known status while the alarm has insufficient data (a dead reporter moves nothing)', async () => {
    const { monitored, create, weighted, answered, minute, clock } = await standIns();
    const primary = await monitored('primary');
    await create(weighted('primary', 100, primary), weighted('secondary', 0));
    await minute({ primary: 1 });
    clock.advance(10 * 60_000); // nothing reported: the alarm goes INSUFFICIENT_DATA
    expect(await answered()).toEqual([ADDRESSES.primary]);
  });

  it('does not follow SetAlarmState, only the metric data', async () => {
    const { cloudwatch, monitored, create, weighted, answered, minute } = await standIns();
    const primary = await monitored('primary');
    await create(weighted('primary', 100, primary), weighted('secondary', 0));
    await minute({ primary: 1 });
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'primary-healthy', StateValue: 'ALARM', StateReason: 'drill' }),
    );
    expect(await answered()).toEqual([ADDRESSES.primary]);
  });

  it('sees an alarm change only after the configured health-check delay', async () => {
    const { monitored, create, weighted, answered, minute, clock } = await standIns(30_000);
    const primary = await monitored('primary');
    await create(weighted('primary', 100, primary), weighted('secondary', 0));
    await minute({ primary: 1 });
    await minute({ primary: 0 }); // ALARM at this minute's boundary
    expect(await answered()).toEqual([ADDRESSES.primary]);
    clock.advance(30_000);
    expect(await answered()).toEqual([ADDRESSES.secondary]);
  });
});

describe('data-plane failover on the local stack (issue #12)', () => {
  it('moves the DNS answer to the standby when the reported metric says unhealthy, with no record change', async () => {
    // prepare
    const clock = manualClock();
    const stack: LocalStack = await startLocalStack({
      cloudwatch: { now: clock.now, evaluationDelayMs: 5_000 },
      healthCheckDelayMs: 10_000,
    });
    closers.push(stack);
    expect(stack.env.AWS_ENDPOINT_URL_CLOUDWATCH).toBe(stack.cloudwatch.endpoint);
    const { monitored, create, weighted, answered, minute, report } = await connect(
      stack.route53,
      stack.cloudwatch,
      clock,
    );
    const ids = { primary: await monitored('primary'), secondary: await monitored('secondary') };
    await create(weighted('primary', 100, ids.primary), weighted('secondary', 0, ids.secondary));
    await minute({ primary: 1, secondary: 1 });
    clock.advance(15_000);
    expect(await answered()).toEqual([ADDRESSES.primary]);
    const changesBefore = stack.route53.calls.filter(
      (call) => call.operation === 'ChangeResourceRecordSets',
    ).length;

    // act: the watchdog reports primary healthy=0 for one round (at :15 into the minute)
    await report({ primary: 0, secondary: 1 });
    clock.advance(45_000); // the period ends

    // assess: not before the evaluation delay plus the health-check delay, then on the standby
    clock.advance(5_000 + 10_000 - 1);
    expect(await answered()).toEqual([ADDRESSES.primary]);
    clock.advance(1);
    expect(await answered()).toEqual([ADDRESSES.secondary]);
    const changesAfter = stack.route53.calls.filter(
      (call) => call.operation === 'ChangeResourceRecordSets',
    ).length;
    expect(changesAfter).toBe(changesBefore);
  });
});
