import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandOutput,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import type { TrafficReading, WeightedRecordSet } from '../../../shared/domain/ports.ts';
import {
  cnamePrimary,
  cnameSecondary,
  fakeClock,
  page,
  service,
  serviceError,
} from './traffic-switch-fixtures.ts';

const r53 = mockClient(Route53Client);

afterEach(() => {
  r53.reset();
});

function switchWith(options: { maxRetryMs?: number; random?: () => number } = {}) {
  const { clock, sleeps } = fakeClock();
  const traffic = createTrafficSwitch({
    client: new Route53Client({}),
    clock,
    random: () => 0.5,
    ...options,
  });
  return { traffic, clock, sleeps };
}

function reading(primary: ResourceRecordSet, secondary: ResourceRecordSet): TrafficReading {
  const asWeighted = (set: ResourceRecordSet): WeightedRecordSet => ({
    ...set,
    Name: set.Name ?? '',
    Type: set.Type ?? '',
    SetIdentifier: set.SetIdentifier ?? '',
    Weight: set.Weight ?? -1,
  });
  return {
    service: 'payments-api',
    active: (primary.Weight ?? 0) > 0 ? 'primary' : 'secondary',
    sets: { primary: asWeighted(primary), secondary: asWeighted(secondary) },
  };
}

const accepted: ChangeResourceRecordSetsCommandOutput = {
  ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date(0) },
  $metadata: { httpStatusCode: 200 },
};
const onPrimary = reading(cnamePrimary, cnameSecondary);
const flippedPrimary: ResourceRecordSet = { ...cnamePrimary, Weight: 0 };
const flippedSecondary: ResourceRecordSet = { ...cnameSecondary, Weight: 100 };
const flippedSets = [flippedPrimary, flippedSecondary];
const onSecondary = reading(flippedPrimary, flippedSecondary);
const throttling = () => serviceError('Throttling', 400, 'Rate exceeded');

function changeInputs() {
  return r53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);
}

describe('TrafficSwitch.flip: the change batch', () => {
  it('sends one compare-and-swap batch for CNAME records and returns the change id without its prefix', async () => {
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(changeInputs()).toEqual([
      {
        HostedZoneId: 'Z0123456789ABC',
        ChangeBatch: {
          Comment: 'failover-controller: move payments-api from primary to secondary',
          Changes: [
            { Action: 'DELETE', ResourceRecordSet: cnamePrimary },
            { Action: 'CREATE', ResourceRecordSet: { ...cnamePrimary, Weight: 0 } },
            { Action: 'DELETE', ResourceRecordSet: cnameSecondary },
            { Action: 'CREATE', ResourceRecordSet: { ...cnameSecondary, Weight: 100 } },
          ],
        },
      },
    ]);
    expect(result).toEqual({
      outcome: 'flipped',
      changeId: 'C2682N5HXP0BZ4',
      reading: onSecondary,
    });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('copies every value of A records with several addresses', async () => {
    const a = (identifier: string, weight: number, values: string[]): ResourceRecordSet => ({
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: identifier,
      Weight: weight,
      TTL: 30,
      ResourceRecords: values.map((Value) => ({ Value })),
    });
    const primary = a('primary', 100, ['192.0.2.10', '192.0.2.11', '192.0.2.12']);
    const secondary = a('secondary', 0, ['198.51.100.20', '198.51.100.21']);
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const { traffic } = switchWith();

    await traffic.flip({ ...service, recordType: 'A' }, 'secondary', reading(primary, secondary));

    expect(changeInputs()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: primary },
      { Action: 'CREATE', ResourceRecordSet: a('primary', 0, ['192.0.2.10', '192.0.2.11', '192.0.2.12']) },
      { Action: 'DELETE', ResourceRecordSet: secondary },
      { Action: 'CREATE', ResourceRecordSet: a('secondary', 100, ['198.51.100.20', '198.51.100.21']) },
    ]);
  });

  it('copies alias targets untouched', async () => {
    const alias = (identifier: string, weight: number, dnsName: string): ResourceRecordSet => ({
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: identifier,
      Weight: weight,
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: dnsName, EvaluateTargetHealth: true },
    });
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const { traffic } = switchWith();

    await traffic.flip(
      { ...service, recordType: 'A' },
      'secondary',
      reading(
        alias('primary', 100, 'lb-1.us-east-1.elb.amazonaws.com.'),
        alias('secondary', 0, 'lb-2.us-west-2.elb.amazonaws.com.'),
      ),
    );

    expect(changeInputs()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: alias('primary', 100, 'lb-1.us-east-1.elb.amazonaws.com.') },
      { Action: 'CREATE', ResourceRecordSet: alias('primary', 0, 'lb-1.us-east-1.elb.amazonaws.com.') },
      { Action: 'DELETE', ResourceRecordSet: alias('secondary', 0, 'lb-2.us-west-2.elb.amazonaws.com.') },
      { Action: 'CREATE', ResourceRecordSet: alias('secondary', 100, 'lb-2.us-west-2.elb.amazonaws.com.') },
    ]);
  });

  it('keeps each record health check and moves traffic back to the primary', async () => {
    const primary = { ...cnamePrimary, Weight: 0, HealthCheckId: '11111111-aaaa-bbbb-cccc-000000000001' };
    const secondary = {
      ...cnameSecondary,
      Weight: 100,
      HealthCheckId: '11111111-aaaa-bbbb-cccc-000000000002',
    };
    r53.on(ChangeResourceRecordSetsCommand).resolves(accepted);
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'primary', reading(primary, secondary));

    expect(changeInputs()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: primary },
      { Action: 'CREATE', ResourceRecordSet: { ...primary, Weight: 100 } },
      { Action: 'DELETE', ResourceRecordSet: secondary },
      { Action: 'CREATE', ResourceRecordSet: { ...secondary, Weight: 0 } },
    ]);
    expect(result).toMatchObject({ outcome: 'flipped', reading: { active: 'primary' } });
  });

  it('refuses an active weight of 0 and sends nothing', async () => {
    const { traffic } = switchWith();

    const result = await traffic.flip({ ...service, activeWeight: 0 }, 'secondary', onPrimary);

    expect(result).toMatchObject({ outcome: 'error', found: null, applied: 'no' });
    expect(result.outcome === 'error' && result.message).toContain(
      'refusing to flip to secondary with activeWeight 0: every record would have weight 0',
    );
    expect(r53.calls()).toHaveLength(0);
  });

  it('sends nothing when the target is already active and the records confirm it', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(page(flippedSets));
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onSecondary);

    expect(result).toEqual({ outcome: 'already-flipped', reading: onSecondary });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });
});

describe('TrafficSwitch.flip: after an error', () => {
  it('re-reads and re-sends after throttling until the batch lands, backing off without real sleep', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(
        new PriorRequestNotComplete({ message: 'still processing', $metadata: { httpStatusCode: 400 } }),
      )
      .rejectsOnce(serviceError('ServiceUnavailable', 503))
      .resolves(accepted);
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic, sleeps } = switchWith({ random: () => 0.5 });

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toMatchObject({ outcome: 'flipped', changeId: 'C2682N5HXP0BZ4' });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(4);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(3);
    // Equal jitter over 500 ms doubling: half the ceiling plus random() of the other half.
    expect(sleeps).toEqual([375, 750, 1500]);
    expect(new Set(changeInputs().map((input) => JSON.stringify(input))).size).toBe(1);
  });

  it('re-reads before every re-send, never sending twice in a row', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(accepted);
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic } = switchWith();

    await traffic.flip(service, 'secondary', onPrimary);

    expect(r53.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'ChangeResourceRecordSetsCommand',
      'ListResourceRecordSetsCommand',
      'ChangeResourceRecordSetsCommand',
    ]);
  });

  it('gives up within maxRetryMs when Route 53 keeps throttling, saying what it found', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic, sleeps } = switchWith({ maxRetryMs: 3_000, random: () => 0 });

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(sleeps).toEqual([250, 500, 1_000]);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(4);
    expect(result).toEqual({
      outcome: 'error',
      message:
        'Service "payments-api": Route 53 refused the flip to secondary: Throttling (HTTP 400): Rate exceeded ' +
        '(gave up after 4 attempts in 1750 ms (maxRetryMs 3000)). The records are unchanged: primary is still active.',
      found: { ok: true, reading: onPrimary },
      applied: 'no',
    });
  });

  it('says whether the change may still land when Route 53 never answered (a timeout)', async () => {
    const timeout = Object.assign(new Error('Connection timed out after 15000 ms'), { name: 'TimeoutError' });
    r53.on(ChangeResourceRecordSetsCommand).rejects(timeout);
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic } = switchWith({ maxRetryMs: 1_000, random: () => 0 });

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toMatchObject({ outcome: 'error', applied: 'unknown', found: { ok: true } });
    expect(result.outcome === 'error' && result.message).toContain(
      'no answer from Route 53 for the flip to secondary: TimeoutError',
    );
    expect(result.outcome === 'error' && result.message).toContain(
      'unless the unanswered change still lands',
    );
  });

  it('caps each wait at 5 s so the default budget still allows several attempts', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic, sleeps } = switchWith({ random: () => 0.999 });

    await traffic.flip(service, 'secondary', onPrimary);

    expect(sleeps.every((ms) => ms <= 5_000)).toBe(true);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(20_000);
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
  });

  it('reports already-flipped when an error arrived after Route 53 applied the batch', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('InternalFailure', 500, 'internal error'));
    r53.on(ListResourceRecordSetsCommand).resolves(page(flippedSets));
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toEqual({
      outcome: 'already-flipped',
      reading: onSecondary,
    });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('reports already-flipped when a re-sent batch was refused because the first one had landed', async () => {
    const notFound = new InvalidChangeBatch({
      message:
        'Tried to delete resource record set [name=...] but the values provided do not match the current values',
      messages: ['Tried to delete ... but the values provided do not match the current values'],
      $metadata: { httpStatusCode: 400 },
    });
    r53.on(ChangeResourceRecordSetsCommand).rejects(notFound);
    r53.on(ListResourceRecordSetsCommand).resolves(page(flippedSets));
    const { traffic, sleeps } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result.outcome).toBe('already-flipped');
    expect(sleeps).toEqual([]);
  });

  it('reports changed-underneath with what it found, and sends nothing more', async () => {
    const edited = { ...cnamePrimary, TTL: 300 };
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(
        new InvalidChangeBatch({ message: 'values do not match', $metadata: { httpStatusCode: 400 } }),
      );
    r53.on(ListResourceRecordSetsCommand).resolves(page([edited, cnameSecondary]));
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toEqual({
      outcome: 'changed-underneath',
      found: { ok: true, reading: reading(edited, cnameSecondary) },
    });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('reports changed-underneath when a throttled re-try finds the records edited', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...cnamePrimary, Weight: 50 },
        { ...cnameSecondary, Weight: 50 },
      ]),
    );
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toMatchObject({
      outcome: 'changed-underneath',
      found: { ok: true, reading: { active: null } },
    });
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('returns an error with what it found when Route 53 refuses the batch for another reason', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(serviceError('AccessDenied', 403, 'not authorized to DELETE'));
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic, sleeps } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toEqual({
      outcome: 'error',
      message:
        'Service "payments-api": Route 53 refused the flip to secondary: AccessDenied (HTTP 403): not authorized ' +
        'to DELETE (1 attempt in 0 ms, not retryable). The records are unchanged: primary is still active.',
      found: { ok: true, reading: onPrimary },
      applied: 'no',
    });
    expect(sleeps).toEqual([]);
  });

  it('retries a connection reset like a 5xx: the batch may or may not have landed', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    r53.on(ChangeResourceRecordSetsCommand).rejectsOnce(reset).resolves(accepted);
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result.outcome).toBe('flipped');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(2);
  });

  it('retries a throttled re-read before judging, then re-sends', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(accepted);
    r53
      .on(ListResourceRecordSetsCommand)
      .rejectsOnce(throttling())
      .resolves(page([cnamePrimary, cnameSecondary]));
    const { traffic, sleeps } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result.outcome).toBe('flipped');
    expect(sleeps).toHaveLength(2);
  });

  it('returns an error without a reading when the records cannot be re-read', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('InternalFailure', 500));
    r53
      .on(ListResourceRecordSetsCommand)
      .rejects(serviceError('AccessDenied', 403, 'no ListResourceRecordSets'));
    const { traffic } = switchWith();

    const result = await traffic.flip(service, 'secondary', onPrimary);

    expect(result).toMatchObject({ outcome: 'error', found: null, applied: 'unknown' });
    expect(result.outcome === 'error' && result.message).toContain(
      'could not be re-read (AccessDenied (HTTP 403): no ListResourceRecordSets)',
    );
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('reports changed-underneath when the zone has gone', async () => {
    const svc: ServiceConfig = service;
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('NoSuchHostedZone', 404, 'gone'));
    r53.on(ListResourceRecordSetsCommand).rejects(serviceError('NoSuchHostedZone', 404, 'gone'));
    const { traffic } = switchWith();

    const result = await traffic.flip(svc, 'secondary', onPrimary);

    expect(result).toMatchObject({
      outcome: 'changed-underneath',
      found: { ok: false, reason: 'no-such-zone' },
    });
  });
});
