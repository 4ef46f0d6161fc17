/**
 * `flipMany` with a mocked Route 53 client: the exact batches it sends and how it judges each
 * service after an error. The behaviour against real batch validation is in
 * test/integration/aws/traffic-switch-many.test.ts.
 */
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandOutput,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import type {
  FlipResult,
  TrafficReading,
  WeightedRecordSet,
  ZoneFlip,
} from '../../../shared/domain/ports.ts';
import { service as baseService, fakeClock, page, serviceError } from './traffic-switch-fixtures.ts';

const r53 = mockClient(Route53Client);

afterEach(() => {
  r53.reset();
});

function switchWith(options: { maxRetryMs?: number } = {}) {
  const { clock, sleeps } = fakeClock();
  const traffic = createTrafficSwitch({
    client: new Route53Client({}),
    clock,
    random: () => 0.5,
    ...options,
  });
  return { traffic, sleeps };
}

/** A two-target CNAME service named `name` at `<name>.example.com.` in `zone`. */
function serviceNamed(name: string, zone = 'Z0123456789ABC'): ServiceConfig {
  return { ...baseService, name, hostedZoneId: zone, recordName: `${name}.example.com.` };
}

function setOf(
  svc: ServiceConfig,
  id: string,
  weight: number,
  value = `${id}-${svc.name}.test`,
): WeightedRecordSet {
  return {
    Name: svc.recordName,
    Type: 'CNAME',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: value }],
  };
}

function onPrimary(svc: ServiceConfig): TrafficReading {
  return {
    service: svc.name,
    active: 'primary',
    sets: { primary: setOf(svc, 'primary', 100), secondary: setOf(svc, 'secondary', 0) },
  };
}

function onSecondary(svc: ServiceConfig): TrafficReading {
  return {
    service: svc.name,
    active: 'secondary',
    sets: { primary: setOf(svc, 'primary', 0), secondary: setOf(svc, 'secondary', 100) },
  };
}

function toSecondary(svc: ServiceConfig): ZoneFlip {
  return { service: svc, to: 'secondary', expected: onPrimary(svc) };
}

/** The readings' sets as a listing returns them (the test's sets are all CNAME). */
function listed(...readings: TrafficReading[]): ResourceRecordSet[] {
  return readings.flatMap((reading) =>
    Object.values(reading.sets).map((set): ResourceRecordSet => ({ ...set, Type: 'CNAME' })),
  );
}

function changeInputs() {
  return r53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);
}

function outcomes(results: Map<string, FlipResult>): [string, string][] {
  return [...results].map(([name, result]) => [name, result.outcome]);
}

const accepted: ChangeResourceRecordSetsCommandOutput = {
  ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date(0) },
  $metadata: { httpStatusCode: 200 },
};
const refused = () =>
  new InvalidChangeBatch({
    message: 'Tried to delete resource record set but the values provided do not match the current values',
    $metadata: { httpStatusCode: 400 },
  });

const a = serviceNamed('a');
const b = serviceNamed('b');
const c = serviceNamed('c');

describe('TrafficSwitch.flipMany: the batches', () => {
  it('sends one batch per zone carrying each service compare-and-swap in the order asked', async () => {
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const elsewhere = serviceNamed('d', 'ZOTHER000000000');
    const { traffic } = switchWith();

    const results = await traffic.flipMany([toSecondary(a), toSecondary(elsewhere), toSecondary(b)]);

    const swap = (svc: ServiceConfig) => [
      { Action: 'DELETE', ResourceRecordSet: setOf(svc, 'primary', 100) },
      { Action: 'CREATE', ResourceRecordSet: setOf(svc, 'primary', 0) },
      { Action: 'DELETE', ResourceRecordSet: setOf(svc, 'secondary', 0) },
      { Action: 'CREATE', ResourceRecordSet: setOf(svc, 'secondary', 100) },
    ];
    expect(changeInputs()).toEqual([
      {
        HostedZoneId: 'Z0123456789ABC',
        ChangeBatch: {
          Comment: 'failover-controller: move 2 services: a to secondary, b to secondary',
          Changes: [...swap(a), ...swap(b)],
        },
      },
      {
        HostedZoneId: 'ZOTHER000000000',
        ChangeBatch: {
          Comment: 'failover-controller: move d from primary to secondary',
          Changes: swap(elsewhere),
        },
      },
    ]);
    expect([...results]).toEqual([
      ['a', { outcome: 'flipped', changeId: 'C2682N5HXP0BZ4', reading: onSecondary(a) }],
      ['d', { outcome: 'flipped', changeId: 'C2682N5HXP0BZ4', reading: onSecondary(elsewhere) }],
      ['b', { outcome: 'flipped', changeId: 'C2682N5HXP0BZ4', reading: onSecondary(b) }],
    ]);
  });

  it('confirms a service already on its target and refuses an impossible plan, batching only the rest', async () => {
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    r53.on(ListResourceRecordSetsCommand).resolves(page(listed(onSecondary(b))));
    const { traffic } = switchWith();

    const results = await traffic.flipMany([
      toSecondary(a),
      { service: b, to: 'secondary', expected: onSecondary(b) },
      { service: { ...c, activeWeight: 0 }, to: 'secondary', expected: onPrimary(c) },
    ]);

    expect(outcomes(results)).toEqual([
      ['a', 'flipped'],
      ['b', 'already-flipped'],
      ['c', 'error'],
    ]);
    expect(results.get('c')).toMatchObject({ applied: 'no', found: null });
    expect(changeInputs().map((input) => input.ChangeBatch?.Changes?.length)).toEqual([4]);
  });

  it('refuses a service too large for one request without sending it, and flips the others', async () => {
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const big = serviceNamed('big');
    const values = Array.from({ length: 300 }, (_, i) => ({ Value: `192.0.2.${i % 250}-${i}` }));
    const wide = (id: string, weight: number): WeightedRecordSet => ({
      ...setOf(big, id, weight),
      ResourceRecords: values,
    });
    const { traffic } = switchWith();

    const results = await traffic.flipMany([
      toSecondary(a),
      {
        service: big,
        to: 'secondary',
        expected: {
          service: 'big',
          active: 'primary',
          sets: { primary: wide('primary', 100), secondary: wide('secondary', 0) },
        },
      },
    ]);

    expect(outcomes(results)).toEqual([
      ['a', 'flipped'],
      ['big', 'error'],
    ]);
    expect(results.get('big')).toMatchObject({ applied: 'no' });
    expect(results.get('big')?.outcome === 'error' && results.get('big')).toMatchObject({
      message: expect.stringContaining('needs 1200 ResourceRecord elements'),
    });
    expect(changeInputs().map((input) => input.ChangeBatch?.Changes?.length)).toEqual([4]);
  });

  it('refuses a service listed twice before sending anything', async () => {
    const { traffic } = switchWith();

    await expect(traffic.flipMany([toSecondary(a), toSecondary(a)])).rejects.toThrow(
      'service "a" is listed twice',
    );
    expect(r53.calls()).toHaveLength(0);
  });
});

describe('TrafficSwitch.flipMany: after an error', () => {
  it('re-reads the zone with one listing and re-sends at once without the service that changed', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejectsOnce(refused()).resolves(accepted);
    const edited = {
      ...onPrimary(b),
      sets: { ...onPrimary(b).sets, secondary: setOf(b, 'secondary', 0, 'edited.test') },
    };
    r53.on(ListResourceRecordSetsCommand).resolves(page(listed(onPrimary(a), edited, onPrimary(c))));
    const { traffic, sleeps } = switchWith();

    const results = await traffic.flipMany([toSecondary(a), toSecondary(b), toSecondary(c)]);

    expect(outcomes(results)).toEqual([
      ['a', 'flipped'],
      ['b', 'changed-underneath'],
      ['c', 'flipped'],
    ]);
    expect(results.get('b')).toEqual({ outcome: 'changed-underneath', found: { ok: true, reading: edited } });
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC' },
    ]);
    expect(changeInputs().map((input) => input.ChangeBatch?.Comment)).toEqual([
      'failover-controller: move 3 services: a to secondary, b to secondary, c to secondary',
      'failover-controller: move 2 services: a to secondary, c to secondary',
    ]);
    expect(sleeps).toEqual([]);
  });

  it('gives every service an error, and sends once, when a refused batch shows nothing changed', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(refused());
    r53.on(ListResourceRecordSetsCommand).resolves(page(listed(onPrimary(a), onPrimary(b))));
    const { traffic } = switchWith();

    const results = await traffic.flipMany([toSecondary(a), toSecondary(b)]);

    expect([...results.values()]).toMatchObject([
      { outcome: 'error', applied: 'no', found: { ok: true, reading: onPrimary(a) } },
      { outcome: 'error', applied: 'no', found: { ok: true, reading: onPrimary(b) } },
    ]);
    expect(results.get('a')?.outcome === 'error' && results.get('a')).toMatchObject({
      message: expect.stringContaining(
        'Service "a": Route 53 refused the flip to secondary: InvalidChangeBatch',
      ),
    });
    expect(changeInputs()).toHaveLength(1);
  });

  it('after a 500, reports the applied ones already flipped and re-sends the rest after the backoff', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(serviceError('InternalFailure', 500))
      .resolves(accepted);
    r53.on(ListResourceRecordSetsCommand).resolves(page(listed(onSecondary(a), onPrimary(b))));
    const { traffic, sleeps } = switchWith();

    const results = await traffic.flipMany([toSecondary(a), toSecondary(b)]);

    expect(outcomes(results)).toEqual([
      ['a', 'already-flipped'],
      ['b', 'flipped'],
    ]);
    expect(sleeps).toEqual([375]);
    expect(changeInputs()[1]?.ChangeBatch?.Changes?.map((change) => change.ResourceRecordSet?.Name)).toEqual(
      Array.from({ length: 4 }, () => b.recordName),
    );
  });

  it('gives every service applied unknown when the zone cannot be re-read', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('InternalFailure', 500));
    r53
      .on(ListResourceRecordSetsCommand)
      .rejects(serviceError('AccessDenied', 403, 'no ListResourceRecordSets'));
    const { traffic } = switchWith();

    const results = await traffic.flipMany([toSecondary(a), toSecondary(b)]);

    expect([...results.values()]).toMatchObject([
      { outcome: 'error', applied: 'unknown', found: null },
      { outcome: 'error', applied: 'unknown', found: null },
    ]);
    expect(changeInputs()).toHaveLength(1);
  });

  it('shares one maxRetryMs budget across the zones of one call', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('Throttling', 400, 'Rate exceeded'));
    r53
      .on(ListResourceRecordSetsCommand)
      .callsFake((input: { StartRecordName?: string }) =>
        page(input.StartRecordName === b.recordName ? listed(onPrimary(b)) : listed(onPrimary(a))),
      );
    const elsewhere = { ...b, hostedZoneId: 'ZOTHER000000000' };
    const { traffic, sleeps } = switchWith({ maxRetryMs: 3_000 });

    const results = await traffic.flipMany([toSecondary(a), toSecondary(elsewhere)]);

    expect([...results.values()].map((result) => result.outcome)).toEqual(['error', 'error']);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(3_000);
    // The first zone spends the budget (375 + 750 + 1500); the second is sent once, then gives up.
    expect(sleeps).toEqual([375, 750, 1_500]);
    expect(changeInputs().map((input) => input.HostedZoneId)).toEqual([
      'Z0123456789ABC',
      'Z0123456789ABC',
      'Z0123456789ABC',
      'Z0123456789ABC',
      'ZOTHER000000000',
    ]);
  });
});
