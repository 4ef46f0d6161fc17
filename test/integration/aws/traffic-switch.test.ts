/**
 * The traffic switch with the real Route 53 client over HTTP against the local Route 53 stand-in
 * (real change-batch validation, all-or-nothing apply, fault injection). The client keeps the SDK's
 * default retries, as the handlers build it.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';
import { createTrafficSwitch, type Route53TrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import type { RecordType, ServiceConfig } from '../../../shared/domain/config.ts';
import type {
  Clock,
  TrafficReading,
  TrafficSwitch,
  WeightedRecordSet,
} from '../../../shared/domain/ports.ts';
import { healthCheckFixture } from '../../support/health-checks.ts';
import { virtualClock } from '../../support/virtual-clock.ts';

let r53: LocalRoute53;
let client: Route53Client;
let checks: Awaited<ReturnType<typeof healthCheckFixture>>;
let zoneCount = 0;

beforeAll(async () => {
  checks = await healthCheckFixture();
  r53 = await startLocalRoute53({ inSyncDelayMs: 0, cloudwatch: checks.cloudwatch.alarmStates });
  client = new Route53Client({ endpoint: r53.endpoint });
});

afterEach(() => {
  r53.faults.reset();
});

afterAll(async () => {
  client.destroy();
  await r53.close();
  await checks.close();
});

function switchWith(clock: Clock = virtualClock()): Route53TrafficSwitch {
  return createTrafficSwitch({ client, clock, random: () => 0.5 });
}

interface Fixture {
  readonly service: ServiceConfig;
  readonly zoneId: string;
  readonly zoneName: string;
}

/**
 * A fresh zone per test, holding the service's weighted sets plus records the flip must not touch.
 * The service's targets are `ids` in preference order, each with the set identifier of its id.
 */
async function zoneWith(
  type: RecordType,
  sets: (name: string) => ResourceRecordSet[],
  ids: readonly string[] = ['primary', 'secondary'],
): Promise<Fixture> {
  zoneCount += 1;
  const zoneName = `zone${zoneCount}.example.com.`;
  const created = await client.send(
    new CreateHostedZoneCommand({
      Name: zoneName,
      CallerReference: `traffic-switch-${zoneCount}-${Date.now()}`,
    }),
  );
  const zoneId = (created.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const recordName = `api.${zoneName}`;
  await change(zoneId, [
    ...sets(recordName).map((set): Change => ({ Action: 'CREATE', ResourceRecordSet: set })),
    {
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: `www.${zoneName}`,
        Type: 'CNAME',
        TTL: 300,
        ResourceRecords: [{ Value: 'x.test' }],
      },
    },
  ]);
  const service: ServiceConfig = {
    name: `svc-${zoneCount}`,
    hostedZoneId: zoneId,
    recordName,
    recordType: type,
    activeWeight: 100,
    targets: ids.map((id) => ({ id, setIdentifier: id, checks: [] })),
    notify: [],
    policy: {
      probeIntervalSeconds: 10,
      failureThreshold: 3,
      recoveryThreshold: 6,
      minDwellSeconds: 600,
      failback: 'manual',
      maxAutoFailbacksPerHour: 2,
    },
    metrics: 'basic',
    dataPlane: { mode: 'off', deadlineSeconds: 30 },
  };
  return { service, zoneId, zoneName };
}

function cnamePair(name: string): ResourceRecordSet[] {
  const set = (id: string, weight: number, value: string): ResourceRecordSet => ({
    Name: name,
    Type: 'CNAME',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: value }],
  });
  // A third weighted set of the same name: not the service's, so never touched.
  return [
    set('primary', 100, 'primary.test'),
    set('secondary', 0, 'standby.test'),
    set('canary', 0, 'canary.test'),
  ];
}

/** Three weighted CNAME sets, the first active, and a fourth of the same name that is not the service's. */
function threeSets(name: string): ResourceRecordSet[] {
  const set = (id: string, weight: number): ResourceRecordSet => ({
    Name: name,
    Type: 'CNAME',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: `${id}.test` }],
  });
  return [set('eu-west', 100), set('us-east', 0), set('ap-south', 0), set('canary', 0)];
}

function aPair(name: string): ResourceRecordSet[] {
  const set = (id: string, weight: number, values: string[]): ResourceRecordSet => ({
    Name: name,
    Type: 'A',
    SetIdentifier: id,
    Weight: weight,
    TTL: 30,
    ResourceRecords: values.map((Value) => ({ Value })),
  });
  return [
    set('primary', 100, ['192.0.2.10', '192.0.2.11', '192.0.2.12']),
    set('secondary', 0, ['198.51.100.7']),
  ];
}

async function change(zoneId: string, changes: Change[]): Promise<void> {
  await client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
}

/** Every record set of the zone, in listing order. */
async function allSets(zoneId: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let next: {
    StartRecordName?: string;
    StartRecordType?: ResourceRecordSet['Type'];
    StartRecordIdentifier?: string;
  } = {};
  for (;;) {
    const out = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }));
    sets.push(...(out.ResourceRecordSets ?? []));
    if (out.IsTruncated !== true) return sets;
    next = {
      StartRecordName: out.NextRecordName,
      StartRecordType: out.NextRecordType,
      StartRecordIdentifier: out.NextRecordIdentifier,
    };
  }
}

/** The sets as they must be after a flip to `to`: the service's two weights swapped, everything else equal. */
function withWeights(sets: ResourceRecordSet[], weights: Record<string, number>): ResourceRecordSet[] {
  return sets.map((set) =>
    set.SetIdentifier !== undefined && set.SetIdentifier in weights
      ? { ...set, Weight: weights[set.SetIdentifier] }
      : set,
  );
}

async function readOk(traffic: TrafficSwitch, service: ServiceConfig): Promise<TrafficReading> {
  const result = await traffic.read(service);
  if (!result.ok) throw new Error(`read failed: ${result.reason}: ${result.message}`);
  return result.reading;
}

/** One target's set of a reading; fails the test when the reading has none. */
function setOf(reading: TrafficReading, id: string): WeightedRecordSet {
  const set = reading.sets[id];
  if (set === undefined) throw new Error(`the reading has no set for ${id}`);
  return set;
}

function changeCalls(): { status: number }[] {
  return r53.calls.filter((call) => call.operation === 'ChangeResourceRecordSets');
}

describe('TrafficSwitch against the local Route 53', () => {
  it('reads which target is active from CNAME records, ignoring other set identifiers', async () => {
    const { service } = await zoneWith('CNAME', cnamePair);
    const traffic = switchWith();

    const result = await traffic.read(service);

    expect(result).toEqual({
      ok: true,
      reading: {
        service: service.name,
        active: 'primary',
        sets: {
          primary: {
            Name: service.recordName,
            Type: 'CNAME',
            SetIdentifier: 'primary',
            Weight: 100,
            TTL: 60,
            ResourceRecords: [{ Value: 'primary.test' }],
          },
          secondary: {
            Name: service.recordName,
            Type: 'CNAME',
            SetIdentifier: 'secondary',
            Weight: 0,
            TTL: 60,
            ResourceRecords: [{ Value: 'standby.test' }],
          },
        },
      },
    });
  });

  it('reports a zone that does not exist', async () => {
    const { service } = await zoneWith('CNAME', cnamePair);

    const result = await switchWith().read({ ...service, hostedZoneId: 'ZNOTAZONE0000000000000' });

    expect(result).toMatchObject({ ok: false, reason: 'no-such-zone' });
  });

  it('reads through throttling of the listing with the SDK retries the client keeps', async () => {
    const { service } = await zoneWith('CNAME', cnamePair);
    r53.faults.failNext(2, 'Throttling', 'ListResourceRecordSets');

    const result = await switchWith().read(service);

    expect(result).toMatchObject({ ok: true, reading: { active: 'primary' } });
  });

  it('reads every service of a zone from one listing', async () => {
    const { service, zoneId, zoneName } = await zoneWith('CNAME', cnamePair);
    const billing: ServiceConfig = {
      ...service,
      name: `${service.name}-billing`,
      recordName: `billing.${zoneName}`,
    };
    await change(
      zoneId,
      aPair(billing.recordName).map(
        (set): Change => ({
          Action: 'CREATE',
          ResourceRecordSet: { ...set, Weight: 100 - (set.Weight ?? 0) },
        }),
      ),
    );
    const callsBefore = r53.calls.length;

    const results = await switchWith().readAll([service, { ...billing, recordType: 'A' }]);

    expect(
      [...results.entries()].map(([name, result]) => [name, result.ok && result.reading.active]),
    ).toEqual([
      [service.name, 'primary'],
      [billing.name, 'secondary'],
    ]);
    expect(r53.calls.slice(callsBefore).map((call) => call.operation)).toEqual(['ListResourceRecordSets']);
  });

  it.each([
    ['CNAME', cnamePair],
    ['A', aPair],
  ] as const)('flips %s records by moving the weights and nothing else, then back', async (type, sets) => {
    const { service, zoneId } = await zoneWith(type, sets);
    const traffic = switchWith();
    const before = await allSets(zoneId);
    const appliedBefore = r53.changes.length;

    const result = await traffic.flip(service, 'secondary', await readOk(traffic, service));

    expect(result).toMatchObject({ outcome: 'flipped', reading: { active: 'secondary' } });
    expect(await allSets(zoneId)).toEqual(withWeights(before, { primary: 0, secondary: 100 }));
    expect(r53.changes.length).toBe(appliedBefore + 1);
    expect(result.outcome === 'flipped' && result.changeId).toMatch(/^C[A-Z0-9]+$/);
    expect(await readOk(traffic, service)).toEqual(result.outcome === 'flipped' && result.reading);

    const back = await traffic.flip(service, 'primary', await readOk(traffic, service));

    expect(back.outcome).toBe('flipped');
    expect(await allSets(zoneId)).toEqual(before);
  });

  it('flips among three weighted sets with one compare-and-swap batch of six changes', async () => {
    const { service, zoneId } = await zoneWith('CNAME', threeSets, ['eu-west', 'us-east', 'ap-south']);
    const traffic = switchWith();
    const before = await allSets(zoneId);
    const appliedBefore = r53.changes.length;

    const result = await traffic.flip(service, 'ap-south', await readOk(traffic, service));

    expect(result).toMatchObject({ outcome: 'flipped', reading: { active: 'ap-south' } });
    expect(await allSets(zoneId)).toEqual(
      withWeights(before, { 'eu-west': 0, 'us-east': 0, 'ap-south': 100 }),
    );
    const applied = r53.changes.slice(appliedBefore);
    expect(applied).toHaveLength(1);
    expect(
      applied[0]?.changes.map((each) => {
        const { Action, ResourceRecordSet } = each as {
          Action: string;
          ResourceRecordSet: { SetIdentifier: string; Weight: number };
        };
        return [Action, ResourceRecordSet.SetIdentifier, ResourceRecordSet.Weight];
      }),
    ).toEqual([
      ['DELETE', 'eu-west', 100],
      ['CREATE', 'eu-west', 0],
      ['DELETE', 'us-east', 0],
      ['CREATE', 'us-east', 0],
      ['DELETE', 'ap-south', 0],
      ['CREATE', 'ap-south', 100],
    ]);

    const back = await traffic.flip(service, 'us-east', await readOk(traffic, service));

    expect(back).toMatchObject({ outcome: 'flipped', reading: { active: 'us-east' } });
    expect(await allSets(zoneId)).toEqual(
      withWeights(before, { 'eu-west': 0, 'us-east': 100, 'ap-south': 0 }),
    );
  });

  it('refuses a flip among three sets when a passive one was edited underneath, writing nothing', async () => {
    const { service, zoneId } = await zoneWith('CNAME', threeSets, ['eu-west', 'us-east', 'ap-south']);
    const traffic = switchWith();
    const expected = await readOk(traffic, service);
    const edited = { ...setOf(expected, 'us-east'), ResourceRecords: [{ Value: 'hand-edited.test' }] };
    await change(zoneId, [{ Action: 'UPSERT', ResourceRecordSet: { ...edited, Type: 'CNAME' } }]);
    const afterEdit = await allSets(zoneId);
    const appliedBefore = r53.changes.length;

    const result = await traffic.flip(service, 'ap-south', expected);

    expect(result).toMatchObject({ outcome: 'changed-underneath' });
    expect(r53.changes.length).toBe(appliedBefore);
    expect(await allSets(zoneId)).toEqual(afterEdit);
  });

  it('flips alias records with health checks, keeping both', async () => {
    const healthCheckIds = await checks.createChecks(r53.endpoint, 2);
    const alias = (name: string): ResourceRecordSet[] =>
      (['primary', 'secondary'] as const).map((id, index) => ({
        Name: name,
        Type: 'A',
        SetIdentifier: id,
        Weight: index === 0 ? 100 : 0,
        HealthCheckId: healthCheckIds[index] ?? '',
        AliasTarget: {
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          DNSName: `lb-${id}.us-east-1.elb.amazonaws.com.`,
          EvaluateTargetHealth: true,
        },
      }));
    const { service, zoneId } = await zoneWith('A', alias);
    const traffic = switchWith();
    const before = await allSets(zoneId);

    const result = await traffic.flip(service, 'secondary', await readOk(traffic, service));

    expect(result.outcome).toBe('flipped');
    expect(await allSets(zoneId)).toEqual(withWeights(before, { primary: 0, secondary: 100 }));
  });

  it('refuses a flip whose records were changed underneath, writes nothing and says what it found', async () => {
    const { service, zoneId } = await zoneWith('CNAME', cnamePair);
    const traffic = switchWith();
    const expected = await readOk(traffic, service);
    const edited = { ...setOf(expected, 'primary'), ResourceRecords: [{ Value: 'hand-edited.test' }] };
    await change(zoneId, [{ Action: 'UPSERT', ResourceRecordSet: { ...edited, Type: 'CNAME' } }]);
    const afterEdit = await allSets(zoneId);
    const appliedBefore = r53.changes.length;

    const result = await traffic.flip(service, 'secondary', expected);

    expect(result).toEqual({
      outcome: 'changed-underneath',
      found: { ok: true, reading: { ...expected, sets: { ...expected.sets, primary: edited } } },
    });
    expect(r53.changes.length).toBe(appliedBefore);
    expect(await allSets(zoneId)).toEqual(afterEdit);
  });

  it('lands exactly once under throttling, re-reading before each re-send', async () => {
    const { service, zoneId } = await zoneWith('CNAME', cnamePair);
    const clock = virtualClock();
    const traffic = switchWith(clock);
    const expected = await readOk(traffic, service);
    const before = await allSets(zoneId);
    const appliedBefore = r53.changes.length;
    const callsBefore = r53.calls.length;
    r53.faults.failNext(5, 'Throttling', 'ChangeResourceRecordSets');

    const result = await traffic.flip(service, 'secondary', expected);

    expect(result.outcome).toBe('flipped');
    expect(r53.changes.length).toBe(appliedBefore + 1);
    expect(await allSets(zoneId)).toEqual(withWeights(before, { primary: 0, secondary: 100 }));
    expect(r53.calls.slice(callsBefore).map((call) => `${call.operation} ${call.status}`)).toEqual([
      ...Array.from({ length: 5 }, () => [
        'ChangeResourceRecordSets 400',
        'ListResourceRecordSets 200',
      ]).flat(),
      'ChangeResourceRecordSets 200',
      // the test's own listing of the zone
      'ListResourceRecordSets 200',
    ]);
    expect(clock.slept()).toBeLessThanOrEqual(20_000);
  });

  it('reports already-flipped, with one applied change, when Route 53 answers 500 after applying the batch', async () => {
    const { service, zoneId } = await zoneWith('CNAME', cnamePair);
    const traffic = switchWith();
    const expected = await readOk(traffic, service);
    const before = await allSets(zoneId);
    const appliedBefore = r53.changes.length;
    const changeCallsBefore = changeCalls().length;
    r53.faults.failAfterApply(1);

    const result = await traffic.flip(service, 'secondary', expected);

    expect(result).toMatchObject({ outcome: 'already-flipped', reading: { active: 'secondary' } });
    expect(r53.changes.length).toBe(appliedBefore + 1);
    // The change call bypasses the SDK's blind re-send: one call, answered 500.
    expect(changeCalls().slice(changeCallsBefore)).toMatchObject([{ status: 500 }]);
    expect(await allSets(zoneId)).toEqual(withWeights(before, { primary: 0, secondary: 100 }));
  });

  it('times out waiting while the change is held PENDING, then sees it INSYNC once released', async () => {
    const { service } = await zoneWith('CNAME', cnamePair);
    const clock = virtualClock();
    const traffic = switchWith(clock);
    r53.faults.holdPending(true);
    const result = await traffic.flip(service, 'secondary', await readOk(traffic, service));
    const changeId = result.outcome === 'flipped' ? result.changeId : null;
    if (changeId === null) throw new Error(`expected a change id, got ${JSON.stringify(result)}`);

    const held = await traffic.waitInSync(changeId, clock.now() + 10_000);
    r53.faults.holdPending(false);
    const released = await traffic.waitInSync(changeId, clock.now() + 10_000);

    expect(held).toBe('timeout');
    expect(released).toBe('INSYNC');
  });

  it('keeps the records when the target is already active', async () => {
    const { service, zoneId } = await zoneWith('CNAME', cnamePair);
    const traffic = switchWith();
    const before = await allSets(zoneId);
    const appliedBefore = r53.changes.length;

    const result = await traffic.flip(service, 'primary', await readOk(traffic, service));

    expect(result).toMatchObject({ outcome: 'already-flipped', reading: { active: 'primary' } });
    expect(r53.changes.length).toBe(appliedBefore);
    expect(await allSets(zoneId)).toEqual(before);
  });
});
