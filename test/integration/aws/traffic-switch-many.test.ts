/**
 * `flipMany` with the real Route 53 client over HTTP against the local Route 53 stand-in, which
 * validates batches (all or nothing, the 1,000-record and 32,000-character request limits) and
 * injects faults. Calls are counted with the stand-in's `calls`, applied batches with its `changes`.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';
import { createTrafficSwitch, type Route53TrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import type { Clock, FlipResult, ZoneFlip } from '../../../shared/domain/ports.ts';
import { virtualClock } from '../../support/virtual-clock.ts';

let r53: LocalRoute53;
let client: Route53Client;
let zoneCount = 0;

beforeAll(async () => {
  r53 = await startLocalRoute53({ inSyncDelayMs: 0 });
  client = new Route53Client({ endpoint: r53.endpoint });
});

afterEach(() => {
  r53.faults.reset();
});

afterAll(async () => {
  client.destroy();
  await r53.close();
});

function switchWith(clock: Clock = virtualClock()): Route53TrafficSwitch {
  return createTrafficSwitch({ client, clock, random: () => 0.5 });
}

/** A CNAME value of `length` characters (labels of at most 63). */
function longValue(id: string, length: number): string {
  const label = 'x'.repeat(60);
  let value = `${id}.test`;
  while (value.length + label.length + 1 <= length) value = `${label}.${value}`;
  return `${'y'.repeat(Math.max(0, length - value.length - 1))}.${value}`.replace(/^\./, '');
}

/**
 * A fresh zone with `count` services, each a pair of weighted CNAME sets (primary 100, secondary 0)
 * whose values have `valueLength` characters, created in as few batches as the request limits allow.
 */
async function zoneWithServices(count: number, valueLength = 12): Promise<ServiceConfig[]> {
  zoneCount += 1;
  const zoneName = `many${zoneCount}.example.com.`;
  const created = await client.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `flip-many-${zoneCount}-${Date.now()}` }),
  );
  const zoneId = (created.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const services = Array.from({ length: count }, (_, index) =>
    serviceAt(zoneId, `svc${zoneCount}-${index}`, `api${index}.${zoneName}`),
  );
  const creates = services.flatMap((service) =>
    ['primary', 'secondary'].map(
      (id): Change => ({
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: service.recordName,
          Type: 'CNAME',
          SetIdentifier: id,
          Weight: id === 'primary' ? 100 : 0,
          TTL: 60,
          ResourceRecords: [{ Value: longValue(`${id}-${service.name}`, valueLength) }],
        },
      }),
    ),
  );
  // Records the flips must not touch.
  creates.push({
    Action: 'CREATE',
    ResourceRecordSet: {
      Name: `www.${zoneName}`,
      Type: 'CNAME',
      TTL: 300,
      ResourceRecords: [{ Value: 'x.test' }],
    },
  });
  const perBatch = Math.min(900, Math.floor(16_000 / valueLength));
  for (let start = 0; start < creates.length; start += perBatch) {
    await change(zoneId, creates.slice(start, start + perBatch));
  }
  return services;
}

function serviceAt(zoneId: string, name: string, recordName: string): ServiceConfig {
  return {
    name,
    hostedZoneId: zoneId,
    recordName,
    recordType: 'CNAME',
    activeWeight: 100,
    targets: ['primary', 'secondary'].map((id) => ({ id, setIdentifier: id, checks: [] })),
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
}

async function change(zoneId: string, changes: Change[]): Promise<void> {
  await client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
}

/** Each service's move to its secondary, from a fresh read. */
async function movesToSecondary(
  traffic: Route53TrafficSwitch,
  services: readonly ServiceConfig[],
): Promise<ZoneFlip[]> {
  const readings = await traffic.readAll(services);
  return services.map((service) => {
    const read = readings.get(service.name);
    if (read === undefined || !read.ok)
      throw new Error(`cannot read ${service.name}: ${JSON.stringify(read)}`);
    return { service, to: 'secondary', expected: read.reading };
  });
}

function changeCallsSince(index: number): { status: number }[] {
  return r53.calls.slice(index).filter((call) => call.operation === 'ChangeResourceRecordSets');
}

function outcomes(results: Map<string, FlipResult>): Record<string, string> {
  return Object.fromEntries([...results].map(([name, result]) => [name, result.outcome]));
}

function allOutcome(services: readonly ServiceConfig[], outcome: string): Record<string, string> {
  return Object.fromEntries(services.map((service) => [service.name, outcome]));
}

/** The record names each applied batch since `index` touched, in order. */
function namesPerAppliedBatch(index: number): string[][] {
  return r53.changes
    .slice(index)
    .map((applied) => [
      ...new Set(
        applied.changes.map(
          (each) => (each as { ResourceRecordSet: { Name: string } }).ResourceRecordSet.Name,
        ),
      ),
    ]);
}

/** Where each service's traffic is now, by reading Route 53 again. */
async function activeNow(services: readonly ServiceConfig[]): Promise<Record<string, string | false | null>> {
  const readings = await switchWith().readAll(services);
  return Object.fromEntries(
    services.map((service) => {
      const read = readings.get(service.name);
      return [service.name, read?.ok === true && read.reading.active];
    }),
  );
}

describe('TrafficSwitch.flipMany against the local Route 53', () => {
  it('flips ten services of one zone with one change call', async () => {
    const services = await zoneWithServices(10);
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'flipped'));
    expect(changeCallsSince(callsBefore)).toEqual([expect.objectContaining({ status: 200 })]);
    expect(r53.calls.slice(callsBefore)).toHaveLength(1);
    expect(r53.changes.slice(appliedBefore)[0]?.changes).toHaveLength(40);
    const changeIds = new Set([...results.values()].map((r) => r.outcome === 'flipped' && r.changeId));
    expect(changeIds.size).toBe(1);
    expect(await activeNow(services)).toEqual(allOutcome(services, 'secondary'));
  });

  it('sends one change call per hosted zone', async () => {
    const zones = [await zoneWithServices(2), await zoneWithServices(3), await zoneWithServices(1)];
    const services = zones.flat();
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'flipped'));
    expect(changeCallsSince(callsBefore).map((call) => call.status)).toEqual([200, 200, 200]);
    expect([...results.keys()]).toEqual(services.map((service) => service.name));
    expect(await activeNow(services)).toEqual(allOutcome(services, 'secondary'));
  });

  it('re-sends the others at once when one service was edited by hand after the read', async () => {
    const services = await zoneWithServices(10);
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const edited = services[3];
    if (edited === undefined) throw new Error('no fourth service');
    const handEdit: ResourceRecordSet = {
      Name: edited.recordName,
      Type: 'CNAME',
      SetIdentifier: 'primary',
      Weight: 100,
      TTL: 60,
      ResourceRecords: [{ Value: 'hand-edited.test' }],
    };
    await change(edited.hostedZoneId, [{ Action: 'UPSERT', ResourceRecordSet: handEdit }]);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;

    const results = await traffic.flipMany(moves);

    const others = services.filter((service) => service !== edited);
    expect(outcomes(results)).toEqual({
      ...allOutcome(others, 'flipped'),
      [edited.name]: 'changed-underneath',
    });
    expect(r53.calls.slice(callsBefore).map((call) => `${call.operation} ${call.status}`)).toEqual([
      'ChangeResourceRecordSets 400',
      'ListResourceRecordSets 200',
      'ChangeResourceRecordSets 200',
    ]);
    const applied = r53.changes.slice(appliedBefore);
    expect(applied).toHaveLength(1);
    expect(applied[0]?.changes).toHaveLength(36);
    expect(namesPerAppliedBatch(appliedBefore)[0]).not.toContain(edited.recordName);
    expect(results.get(edited.name)).toMatchObject({
      outcome: 'changed-underneath',
      found: {
        ok: true,
        reading: {
          active: 'primary',
          sets: { primary: { ResourceRecords: [{ Value: 'hand-edited.test' }] } },
        },
      },
    });
    expect(await activeNow(services)).toEqual({
      ...allOutcome(others, 'secondary'),
      [edited.name]: 'primary',
    });
  });

  it('lands every service with three change calls when Route 53 throttles twice', async () => {
    const services = await zoneWithServices(10);
    const clock = virtualClock();
    const traffic = switchWith(clock);
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;
    r53.faults.failNext(2, 'Throttling', 'ChangeResourceRecordSets');

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'flipped'));
    expect(r53.calls.slice(callsBefore).map((call) => `${call.operation} ${call.status}`)).toEqual([
      'ChangeResourceRecordSets 400',
      'ListResourceRecordSets 200',
      'ChangeResourceRecordSets 400',
      'ListResourceRecordSets 200',
      'ChangeResourceRecordSets 200',
    ]);
    expect(r53.changes.length).toBe(appliedBefore + 1);
    expect(clock.slept()).toBe(375 + 750);
  });

  it('judges every service already flipped when Route 53 answers 500 after applying, sending nothing more', async () => {
    const services = await zoneWithServices(10);
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;
    r53.faults.failAfterApply(1);

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'already-flipped'));
    expect(changeCallsSince(callsBefore)).toMatchObject([{ status: 500 }]);
    expect(r53.changes.length).toBe(appliedBefore + 1);
    expect(await activeNow(services)).toEqual(allOutcome(services, 'secondary'));
  });

  it('splits 300 two-target services (1,200 records) into two calls without splitting a service', async () => {
    const services = await zoneWithServices(300);
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'flipped'));
    expect(changeCallsSince(callsBefore).map((call) => call.status)).toEqual([200, 200]);
    const batches = r53.changes.slice(appliedBefore);
    expect(batches.map((batch) => batch.changes.length)).toEqual([1_000, 200]);
    const names = namesPerAppliedBatch(appliedBefore);
    expect(names.map((each) => each.length)).toEqual([250, 50]);
    expect(new Set(names.flat()).size).toBe(300);
    expect(await activeNow(services)).toEqual(allOutcome(services, 'secondary'));
  });

  it('splits a batch over 32,000 characters of values into two calls without splitting a service', async () => {
    // 4 values of 250 characters per service: 1,000 characters each, 40,000 for 40 services.
    const services = await zoneWithServices(40, 250);
    const traffic = switchWith();
    const moves = await movesToSecondary(traffic, services);
    const callsBefore = r53.calls.length;
    const appliedBefore = r53.changes.length;

    const results = await traffic.flipMany(moves);

    expect(outcomes(results)).toEqual(allOutcome(services, 'flipped'));
    expect(changeCallsSince(callsBefore).map((call) => call.status)).toEqual([200, 200]);
    expect(namesPerAppliedBatch(appliedBefore).map((each) => each.length)).toEqual([32, 8]);
    expect(await activeNow(services)).toEqual(allOutcome(services, 'secondary'));
  });
});
