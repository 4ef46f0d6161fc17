import {
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TrafficReadError } from '../../../shared/aws/route53-errors.ts';
import { createTrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import {
  cnamePrimary,
  cnameSecondary,
  fakeClock,
  page,
  service,
  serviceError,
} from './traffic-switch-fixtures.ts';

const r53 = mockClient(Route53Client);
const traffic = createTrafficSwitch({ client: new Route53Client({}), clock: fakeClock().clock });

afterEach(() => {
  r53.reset();
});

const canary: ResourceRecordSet = { ...cnamePrimary, SetIdentifier: 'canary', Weight: 5 };
const www: ResourceRecordSet = {
  Name: 'www.example.com.',
  Type: 'CNAME',
  TTL: 300,
  ResourceRecords: [{ Value: 'x' }],
};

describe('TrafficSwitch.read', () => {
  it('starts the listing at the record name and type and reports the weighted target as active', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, canary, cnameSecondary, www]));

    const result = await traffic.read(service);

    expect(result).toEqual({
      ok: true,
      reading: {
        service: 'payments-api',
        active: 'primary',
        sets: { primary: cnamePrimary, secondary: cnameSecondary },
      },
    });
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC', StartRecordName: 'api.example.com.', StartRecordType: 'CNAME' },
    ]);
  });

  it('reports the secondary active when it carries the weight', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...cnamePrimary, Weight: 0 },
        { ...cnameSecondary, Weight: 100 },
      ]),
    );

    const result = await traffic.read(service);

    expect(result.ok && result.reading.active).toBe('secondary');
  });

  it('follows NextRecordName, NextRecordType and NextRecordIdentifier across pages', async () => {
    const next = (identifier: string) => ({
      NextRecordName: 'api.example.com.',
      NextRecordType: 'CNAME' as const,
      NextRecordIdentifier: identifier,
    });
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(page([canary], next('primary')))
      .resolvesOnce(page([cnamePrimary], next('secondary')))
      .resolvesOnce(page([cnameSecondary], { NextRecordName: 'www.example.com.', NextRecordType: 'CNAME' }));

    const result = await traffic.read(service);

    expect(result).toMatchObject({ ok: true, reading: { active: 'primary' } });
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC', StartRecordName: 'api.example.com.', StartRecordType: 'CNAME' },
      {
        HostedZoneId: 'Z0123456789ABC',
        StartRecordName: 'api.example.com.',
        StartRecordType: 'CNAME',
        StartRecordIdentifier: 'primary',
      },
      {
        HostedZoneId: 'Z0123456789ABC',
        StartRecordName: 'api.example.com.',
        StartRecordType: 'CNAME',
        StartRecordIdentifier: 'secondary',
      },
    ]);
  });

  it('stops at the first record past the name and type even when the listing goes on', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(
        page([cnamePrimary, www], { NextRecordName: 'www.example.com.', NextRecordType: 'CNAME' }),
      )
      .resolvesOnce(page([cnameSecondary]));

    const result = await traffic.read(service);

    expect(result).toMatchObject({ ok: false, reason: 'missing-set' });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('matches the record name case-insensitively, with or without the trailing dot', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...cnamePrimary, Name: 'API.example.com.' },
        { ...cnameSecondary, Name: 'api.example.com' },
      ]),
    );

    const result = await traffic.read({ ...service, recordName: 'Api.Example.COM' });

    expect(result).toMatchObject({ ok: true, reading: { active: 'primary' } });
  });

  it('names the missing set and the identifiers it found instead', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(page([cnamePrimary, canary]));

    const result = await traffic.read(service);

    expect(result).toEqual({
      ok: false,
      reason: 'missing-set',
      message:
        'Service "payments-api": no weighted record set for secondary "secondary" at api.example.com. CNAME in ' +
        'hosted zone Z0123456789ABC (set identifiers found: "primary", "canary"); create it, or fix setIdentifier ' +
        'in the service config.',
    });
  });

  it('reports both sets missing when the name has no records of the type', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(page([www]));

    const result = await traffic.read(service);

    expect(result.ok === false && result.message).toContain(
      'no weighted record set for primary "primary", secondary "secondary" at api.example.com. CNAME',
    );
  });

  it('refuses a simple record as not weighted', async () => {
    const simple: ResourceRecordSet = {
      Name: 'api.example.com.',
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [],
    };
    r53.on(ListResourceRecordSetsCommand).resolves(page([simple]));

    const result = await traffic.read(service);

    expect(result).toMatchObject({ ok: false, reason: 'not-weighted' });
    expect(result.ok === false && result.message).toContain('is a simple record');
  });

  it('refuses sets of another routing policy as not weighted', async () => {
    const { Weight: _p, ...failoverPrimary } = cnamePrimary;
    const { Weight: _s, ...failoverSecondary } = cnameSecondary;
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...failoverPrimary, Failover: 'PRIMARY' },
        { ...failoverSecondary, Failover: 'SECONDARY' },
      ]),
    );

    const result = await traffic.read(service);

    expect(result).toMatchObject({ ok: false, reason: 'not-weighted' });
    expect(result.ok === false && result.message).toContain('record set "primary", "secondary" at');
  });

  it.each([['both 0', 0, 0, 'both weights are 0']])(
    'reports ambiguous weights when they are %s',
    async (_, primaryWeight, secondaryWeight, text) => {
      r53.on(ListResourceRecordSetsCommand).resolves(
        page([
          { ...cnamePrimary, Weight: primaryWeight },
          { ...cnameSecondary, Weight: secondaryWeight },
        ]),
      );

      const result = await traffic.read(service);

      expect(result).toMatchObject({ ok: false, reason: 'ambiguous-weights' });
      expect(result.ok === false && result.message).toContain(text);
      expect(result.ok === false && result.message).toContain(
        `primary=${primaryWeight}, secondary=${secondaryWeight}`,
      );
    },
  );

  it('reports an unknown hosted zone', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .rejects(
        new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z0123456789ABC', $metadata: {} }),
      );

    const result = await traffic.read(service);

    expect(result).toMatchObject({ ok: false, reason: 'no-such-zone' });
    expect(result.ok === false && result.message).toContain('hosted zone Z0123456789ABC does not exist');
  });

  it('throws a TrafficReadError naming the service and zone for other failures', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(serviceError('AccessDenied', 403, 'not authorized'));

    const error = await traffic.read(service).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TrafficReadError);
    expect(error).toMatchObject({
      service: 'payments-api',
      hostedZoneId: 'Z0123456789ABC',
      message:
        'Service "payments-api": cannot list the records of hosted zone Z0123456789ABC: AccessDenied (HTTP 403): not authorized',
    });
  });
});

describe('TrafficSwitch.readAll', () => {
  const billing = { ...service, name: 'billing-api', recordName: 'billing.example.com.' };
  const billingPrimary = { ...cnamePrimary, Name: 'billing.example.com.', Weight: 0 };
  const billingSecondary = { ...cnameSecondary, Name: 'billing.example.com.', Weight: 10 };
  const elsewhere = { ...service, name: 'search-api', hostedZoneId: 'ZOTHER' };

  it('lists a zone that holds several services once, following pages, and reads each service from it', async () => {
    r53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0123456789ABC' })
      .resolvesOnce(
        page([cnamePrimary, canary, cnameSecondary], {
          NextRecordName: 'billing.example.com.',
          NextRecordType: 'CNAME',
          NextRecordIdentifier: 'primary',
        }),
      )
      .resolvesOnce(page([billingPrimary, billingSecondary, www]));
    r53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'ZOTHER' })
      .resolves(page([cnamePrimary, cnameSecondary]));

    const results = await traffic.readAll([service, billing, elsewhere]);

    expect(
      [...results.entries()].map(([name, result]) => [name, result.ok && result.reading.active]),
    ).toEqual([
      ['payments-api', 'primary'],
      ['billing-api', 'secondary'],
      ['search-api', 'primary'],
    ]);
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC' },
      {
        HostedZoneId: 'Z0123456789ABC',
        StartRecordName: 'billing.example.com.',
        StartRecordType: 'CNAME',
        StartRecordIdentifier: 'primary',
      },
      { HostedZoneId: 'ZOTHER', StartRecordName: 'api.example.com.', StartRecordType: 'CNAME' },
    ]);
  });

  it('reports each service of a missing zone, and a missing set per service', async () => {
    r53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0123456789ABC' })
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone found', $metadata: {} }));
    r53.on(ListResourceRecordSetsCommand, { HostedZoneId: 'ZOTHER' }).resolves(page([www]));

    const results = await traffic.readAll([service, billing, elsewhere]);

    expect([...results.values()].map((result) => !result.ok && result.reason)).toEqual([
      'no-such-zone',
      'no-such-zone',
      'missing-set',
    ]);
  });

  it('reports the services of a zone that cannot be listed as unavailable, and still reads the other zones', async () => {
    r53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0123456789ABC' })
      .rejects(serviceError('AccessDenied', 403, 'User is not authorized'));
    r53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'ZOTHER' })
      .resolves(page([cnamePrimary, cnameSecondary]));

    const results = await traffic.readAll([service, billing, elsewhere]);

    expect([...results.entries()].map(([name, r]) => [name, r.ok ? r.reading.active : r.reason])).toEqual([
      ['payments-api', 'unavailable'],
      ['billing-api', 'unavailable'],
      ['search-api', 'primary'],
    ]);
    const failed = results.get('payments-api');
    expect(failed && !failed.ok && failed.message).toMatch(/hosted zone Z0123456789ABC could not be read/);
  });
});
