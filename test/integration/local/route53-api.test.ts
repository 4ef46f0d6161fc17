import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LocalRoute53,
  type LocalRoute53Options,
  startLocalRoute53,
} from '../../../local/route53/index.ts';
import { healthCheckFixture } from '../../support/health-checks.ts';

// What each test started, stopped afterwards even when an assertion fails.
const servers: { close(): Promise<void> }[] = [];
const clients: Route53Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function start(
  options: LocalRoute53Options = {},
): Promise<{ r53: LocalRoute53; client: Route53Client }> {
  const r53 = await startLocalRoute53(options);
  servers.push(r53);
  // One attempt: each test sees exactly the answer the server gave.
  const client = new Route53Client({ endpoint: r53.endpoint, maxAttempts: 1 });
  clients.push(client);
  return { r53, client };
}

async function createZone(client: Route53Client, name = 'example.com'): Promise<string> {
  const created = await client.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `ref-${name}-${Math.random()}` }),
  );
  return created.HostedZone?.Id ?? '';
}

function weighted(setIdentifier: string, weight: number, value: string, ttl = 60): ResourceRecordSet {
  return {
    Name: 'api.example.com',
    Type: 'CNAME',
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: ttl,
    ResourceRecords: [{ Value: value }],
  };
}

function a(name: string, values: string[], ttl = 300): ResourceRecordSet {
  return { Name: name, Type: 'A', TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) };
}

async function change(client: Route53Client, zoneId: string, changes: Change[]) {
  return client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
}

async function listAll(client: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const listed = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return listed.ResourceRecordSets ?? [];
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) {
      const metadata: unknown = Reflect.get(error, '$metadata');
      const status =
        typeof metadata === 'object' && metadata !== null
          ? Reflect.get(metadata, 'httpStatusCode')
          : undefined;
      return typeof status === 'number'
        ? { name: error.name, message: error.message, status }
        : { name: error.name, message: error.message };
    }
    throw error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** A zone with the failover pair: primary 100, secondary 0. */
async function zoneWithPair(client: Route53Client): Promise<string> {
  const zoneId = await createZone(client);
  await change(client, zoneId, [
    { Action: 'CREATE', ResourceRecordSet: weighted('primary', 100, 'primary.example.net') },
    { Action: 'CREATE', ResourceRecordSet: weighted('secondary', 0, 'standby.example.net') },
  ]);
  return zoneId;
}

const flipToSecondary: Change[] = [
  { Action: 'DELETE', ResourceRecordSet: weighted('primary', 100, 'primary.example.net') },
  { Action: 'CREATE', ResourceRecordSet: weighted('primary', 0, 'primary.example.net') },
  { Action: 'DELETE', ResourceRecordSet: weighted('secondary', 0, 'standby.example.net') },
  { Action: 'CREATE', ResourceRecordSet: weighted('secondary', 100, 'standby.example.net') },
];

describe('local Route 53 hosted zones', () => {
  it('creates a zone with its SOA and NS sets, a Location, a delegation set and a PENDING change', async () => {
    const { r53, client } = await start();

    const created = await client.send(
      new CreateHostedZoneCommand({ Name: 'Example.COM', CallerReference: 'first' }),
    );
    const sets = await listAll(client, created.HostedZone?.Id ?? '');

    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.HostedZone).toMatchObject({
      Id: expect.stringMatching(/^\/hostedzone\/Z[0-9A-Z]{20}$/),
      Name: 'example.com.',
      CallerReference: 'first',
      Config: { PrivateZone: false },
      ResourceRecordSetCount: 2,
    });
    expect(created.Location).toBe(`${r53.endpoint}/2013-04-01${created.HostedZone?.Id}`);
    expect(created.ChangeInfo).toMatchObject({
      Id: expect.stringMatching(/^\/change\/C[0-9A-Z]{20}$/),
      Status: 'PENDING',
    });
    expect(created.DelegationSet?.NameServers).toHaveLength(4);
    expect(sets.map((set) => [set.Name, set.Type, set.TTL])).toEqual([
      ['example.com.', 'NS', 172800],
      ['example.com.', 'SOA', 900],
    ]);
    expect(sets[0]?.ResourceRecords?.map((record) => record.Value)).toEqual(
      created.DelegationSet?.NameServers?.map((ns) => `${ns}.`),
    );
    expect(sets[1]?.ResourceRecords?.[0]?.Value).toMatch(
      /^ns-\S+\. awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 86400$/,
    );
  });

  it('refuses a second zone with a CallerReference already used (HostedZoneAlreadyExists, 409)', async () => {
    const { client } = await start();
    await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'once' }));

    const error = await failure(
      client.send(new CreateHostedZoneCommand({ Name: 'example.org', CallerReference: 'once' })),
    );
    const zones = await client.send(new ListHostedZonesCommand({}));

    expect(error).toEqual({
      name: 'HostedZoneAlreadyExists',
      message: 'A hosted zone has already been created with the specified caller reference.',
      status: 409,
    });
    expect(zones.HostedZones).toHaveLength(1);
  });

  it('gets a zone by id with or without the /hostedzone/ prefix', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const withPrefix = await client.send(new GetHostedZoneCommand({ Id: zoneId }));
    const bare = await client.send(new GetHostedZoneCommand({ Id: zoneId.replace('/hostedzone/', '') }));

    expect(withPrefix.HostedZone?.Id).toBe(zoneId);
    expect(bare.HostedZone).toEqual(withPrefix.HostedZone);
    expect(bare.DelegationSet?.NameServers).toHaveLength(4);
  });

  it('answers NoSuchHostedZone (404) for an unknown zone on every zone operation', async () => {
    const { client } = await start();
    const expected = {
      name: 'NoSuchHostedZone',
      message: 'No hosted zone found with ID: ZNOPE',
      status: 404,
    };

    const errors = await Promise.all([
      failure(client.send(new GetHostedZoneCommand({ Id: 'ZNOPE' }))),
      failure(client.send(new ListResourceRecordSetsCommand({ HostedZoneId: '/hostedzone/ZNOPE' }))),
      failure(
        change(client, 'ZNOPE', [{ Action: 'CREATE', ResourceRecordSet: a('x.example.com', ['10.0.0.1']) }]),
      ),
    ]);

    expect(errors).toEqual([expected, expected, expected]);
  });

  it('lists zones page by page with Marker and NextMarker', async () => {
    const { client } = await start();
    const ids = [
      await createZone(client, 'one.com'),
      await createZone(client, 'two.com'),
      await createZone(client, 'three.com'),
    ];

    const first = await client.send(new ListHostedZonesCommand({ MaxItems: 2 }));
    const second = await client.send(new ListHostedZonesCommand({ MaxItems: 2, Marker: first.NextMarker }));

    expect(first.HostedZones?.map((zone) => zone.Id)).toEqual(ids.slice(0, 2));
    expect(first).toMatchObject({
      IsTruncated: true,
      MaxItems: 2,
      NextMarker: ids[2]?.replace('/hostedzone/', ''),
    });
    expect(second.HostedZones?.map((zone) => zone.Id)).toEqual(ids.slice(2));
    expect(second.IsTruncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
  });

  it('lists zones by name in reversed-label order, one page at a time', async () => {
    const { client } = await start();
    await createZone(client, 'a.example.org');
    await createZone(client, 'b.example.com');
    await createZone(client, 'example.com');
    const names: string[] = [];
    let next: { DNSName?: string; HostedZoneId?: string } = {};

    for (let page = 0; page < 5; page++) {
      const listed = await client.send(new ListHostedZonesByNameCommand({ MaxItems: 1, ...next }));
      names.push(...(listed.HostedZones ?? []).map((zone) => zone.Name ?? ''));
      if (!listed.IsTruncated) break;
      next = { DNSName: listed.NextDNSName, HostedZoneId: listed.NextHostedZoneId };
    }

    expect(names).toEqual(['example.com.', 'b.example.com.', 'a.example.org.']);
  });
});

describe('local Route 53 ChangeResourceRecordSets', () => {
  it('creates weighted sets with normalized names and lists every field as sent', async () => {
    const fixture = await healthCheckFixture();
    servers.push(fixture);
    const { r53, client } = await start({ cloudwatch: fixture.cloudwatch.alarmStates });
    const [hc1 = ''] = await fixture.createChecks(r53.endpoint, 1);
    const zoneId = await createZone(client);

    const changed = await change(client, zoneId, [
      {
        Action: 'CREATE',
        ResourceRecordSet: { ...weighted('primary', 100, 'primary.example.net'), Name: 'API.Example.com' },
      },
      {
        Action: 'CREATE',
        ResourceRecordSet: { ...weighted('secondary', 0, 'standby.example.net'), HealthCheckId: hc1 },
      },
    ]);
    const sets = (await listAll(client, zoneId)).filter((set) => set.Type === 'CNAME');

    expect(changed.ChangeInfo).toMatchObject({
      Status: 'PENDING',
      Id: expect.stringMatching(/^\/change\/C/),
    });
    expect(sets).toEqual([
      { ...weighted('primary', 100, 'primary.example.net'), Name: 'api.example.com.' },
      { ...weighted('secondary', 0, 'standby.example.net'), Name: 'api.example.com.', HealthCheckId: hc1 },
    ]);
  });

  it('refuses to CREATE a set that already exists', async () => {
    const { client } = await start();
    const zoneId = await zoneWithPair(client);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: weighted('primary', 5, 'x.example.net') },
      ]),
    );

    expect(error).toEqual({
      name: 'InvalidChangeBatch',
      message:
        "[Tried to create resource record set [name='api.example.com.', type='CNAME', set-identifier='primary'] but it already exists]",
      status: 400,
    });
  });

  it('refuses to DELETE a set that does not exist', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const error = await failure(
      change(client, zoneId, [{ Action: 'DELETE', ResourceRecordSet: a('gone.example.com', ['10.0.0.1']) }]),
    );

    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found]",
    );
  });

  it.each([
    ['TTL', weighted('primary', 100, 'primary.example.net', 300)],
    ['value', weighted('primary', 100, 'elsewhere.example.net')],
    ['weight', weighted('primary', 99, 'primary.example.net')],
    ['health check', { ...weighted('primary', 100, 'primary.example.net'), HealthCheckId: 'hc-9' }],
  ])('refuses a DELETE whose %s differs from the current set', async (_field, stale) => {
    const { client } = await start();
    const zoneId = await zoneWithPair(client);

    const error = await failure(change(client, zoneId, [{ Action: 'DELETE', ResourceRecordSet: stale }]));

    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='api.example.com.', type='CNAME', set-identifier='primary'] but the values provided do not match the current values]",
    );
  });

  it('deletes a set whose values are given in another order', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1', '10.0.0.2']) },
    ]);

    await change(client, zoneId, [
      { Action: 'DELETE', ResourceRecordSet: a('www.example.com', ['10.0.0.2', '10.0.0.1']) },
    ]);

    expect((await listAll(client, zoneId)).map((set) => set.Type)).toEqual(['NS', 'SOA']);
  });

  it('swaps the weights with DELETE and CREATE in one batch (compare-and-swap)', async () => {
    const { r53, client } = await start();
    const zoneId = await zoneWithPair(client);

    const swapped = await change(client, zoneId, flipToSecondary);
    const weights = (await listAll(client, zoneId))
      .filter((set) => set.Type === 'CNAME')
      .map((set) => [set.SetIdentifier, set.Weight]);

    expect(weights).toEqual([
      ['primary', 0],
      ['secondary', 100],
    ]);
    expect(r53.changes.at(-1)).toMatchObject({
      id: swapped.ChangeInfo?.Id,
      zoneId: zoneId.replace('/hostedzone/', ''),
    });
    expect(r53.changes.at(-1)?.changes).toHaveLength(4);
  });

  it('rejects a stale compare-and-swap with every problem in one bracketed message and changes nothing', async () => {
    const { r53, client } = await start();
    const zoneId = await zoneWithPair(client);
    await change(client, zoneId, flipToSecondary);
    const before = await listAll(client, zoneId);

    const error = await failure(change(client, zoneId, flipToSecondary));

    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='api.example.com.', type='CNAME', set-identifier='primary'] but the values provided do not match the current values, " +
        "Tried to create resource record set [name='api.example.com.', type='CNAME', set-identifier='primary'] but it already exists, " +
        "Tried to delete resource record set [name='api.example.com.', type='CNAME', set-identifier='secondary'] but the values provided do not match the current values, " +
        "Tried to create resource record set [name='api.example.com.', type='CNAME', set-identifier='secondary'] but it already exists]",
    );
    expect(await listAll(client, zoneId)).toEqual(before);
    expect(r53.changes).toHaveLength(2);
  });

  it('applies nothing of a batch in which one change is invalid', async () => {
    const { client } = await start();
    const zoneId = await zoneWithPair(client);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: a('new.example.com', ['10.0.0.9']) },
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 0, 'primary.example.net') },
        { Action: 'DELETE', ResourceRecordSet: a('missing.example.com', ['10.0.0.1']) },
      ]),
    );
    const sets = await listAll(client, zoneId);

    expect(error.name).toBe('InvalidChangeBatch');
    expect(sets.some((set) => set.Name === 'new.example.com.')).toBe(false);
    expect(sets.find((set) => set.SetIdentifier === 'primary')?.Weight).toBe(100);
  });

  it('UPSERTs a missing set into existence and replaces an existing one', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    await change(client, zoneId, [
      { Action: 'UPSERT', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);
    await change(client, zoneId, [
      { Action: 'UPSERT', ResourceRecordSet: a('www.example.com', ['10.0.0.2'], 60) },
    ]);
    const www = (await listAll(client, zoneId)).filter((set) => set.Name === 'www.example.com.');

    expect(www).toEqual([
      { Name: 'www.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.2' }] },
    ]);
  });

  it('compares names case-insensitively and with or without the trailing dot', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('WWW.Example.COM', ['10.0.0.1']) },
    ]);

    const duplicate = await failure(
      change(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: a('www.example.com.', ['10.0.0.1']) }]),
    );
    await change(client, zoneId, [
      { Action: 'DELETE', ResourceRecordSet: a('www.EXAMPLE.com.', ['10.0.0.1']) },
    ]);

    expect(duplicate.message).toBe(
      "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]",
    );
    expect((await listAll(client, zoneId)).map((set) => set.Name)).toEqual(['example.com.', 'example.com.']);
  });

  it('refuses Weight outside 0..255 as InvalidInput before looking at the zone', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: weighted('primary', 256, 'p.example.net') },
      ]),
    );

    expect(error).toEqual({
      name: 'InvalidInput',
      message:
        "1 validation error detected: Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255",
      status: 400,
    });
  });

  it('requires SetIdentifier with Weight and Weight with SetIdentifier', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    const { SetIdentifier: _id, ...noIdentifier } = weighted('primary', 100, 'p.example.net');
    const { Weight: _weight, ...noWeight } = weighted('primary', 100, 'p.example.net');

    const missingIdentifier = await failure(
      change(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: noIdentifier }]),
    );
    const missingWeight = await failure(
      change(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: noWeight }]),
    );

    expect(missingIdentifier).toEqual({
      name: 'InvalidInput',
      message:
        "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=api.example.com., Type=CNAME, SetIdentifier=null]",
      status: 400,
    });
    expect(missingWeight.name).toBe('InvalidInput');
    expect(missingWeight.message).toBe(
      'Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in Change with [Action=CREATE, Name=api.example.com., Type=CNAME, SetIdentifier=primary]',
    );
  });

  it('refuses a weighted set beside a non-weighted one of the same name and type, either way round', async () => {
    const { client } = await start();
    const simpleFirst = await createZone(client, 'example.com');
    const weightedFirst = await createZone(client, 'example.com');
    const simple: ResourceRecordSet = {
      Name: 'api.example.com',
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'x.example.net' }],
    };
    await change(client, simpleFirst, [{ Action: 'CREATE', ResourceRecordSet: simple }]);
    await change(client, weightedFirst, [
      { Action: 'CREATE', ResourceRecordSet: weighted('primary', 1, 'p.example.net') },
    ]);

    const weightedAfterSimple = await failure(
      change(client, simpleFirst, [
        { Action: 'CREATE', ResourceRecordSet: weighted('primary', 1, 'p.example.net') },
      ]),
    );
    const simpleAfterWeighted = await failure(
      change(client, weightedFirst, [{ Action: 'UPSERT', ResourceRecordSet: simple }]),
    );

    expect(weightedAfterSimple.message).toBe(
      '[RRSet with DNS name api.example.com., type CNAME, SetIdentifier primary cannot be created as a non-weighted set exists with the same name and type.]',
    );
    expect(simpleAfterWeighted.message).toBe(
      '[RRSet with DNS name api.example.com., type CNAME cannot be created as other RRSets exist with the same name and type.]',
    );
  });

  it('keeps one TTL per weighted name and type, and accepts a batch that changes every TTL together', async () => {
    const { client } = await start();
    const zoneId = await zoneWithPair(client);

    const oneTtl = await failure(
      change(client, zoneId, [
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 100, 'primary.example.net', 30) },
      ]),
    );
    await change(client, zoneId, [
      { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 100, 'primary.example.net', 30) },
      { Action: 'UPSERT', ResourceRecordSet: weighted('secondary', 0, 'standby.example.net', 30) },
    ]);
    const ttls = (await listAll(client, zoneId)).filter((set) => set.Type === 'CNAME').map((set) => set.TTL);

    expect(oneTtl).toMatchObject({
      name: 'InvalidChangeBatch',
      message:
        '[RRSet with DNS name api.example.com., type CNAME, SetIdentifier primary cannot be created as weighted sets must contain the same TTL.]',
    });
    expect(ttls).toEqual([30, 30]);
  });

  it('refuses a 101st weighted set of one name and type', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    const hundred = Array.from(
      { length: 100 },
      (_, i): Change => ({
        Action: 'CREATE',
        ResourceRecordSet: weighted(`set-${String(i).padStart(3, '0')}`, 1, `t${i}.example.net`),
      }),
    );
    await change(client, zoneId, hundred);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: weighted('one-more', 1, 'x.example.net') },
      ]),
    );

    expect(error.message).toBe(
      '[Exceeded limit on number of weighted RRSets for api.example.com., type CNAME in this zone.]',
    );
  });

  it('refuses names outside the zone', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: a('www.example.org', ['10.0.0.1']) },
        { Action: 'CREATE', ResourceRecordSet: a('notexample.com', ['10.0.0.1']) },
      ]),
    );

    expect(error.message).toBe(
      '[RRSet with DNS name www.example.org. is not permitted in zone example.com., RRSet with DNS name notexample.com. is not permitted in zone example.com.]',
    );
  });

  it('refuses a CNAME beside another type at the same name and at the zone apex', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);
    const cname = (name: string): ResourceRecordSet => ({
      Name: name,
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'x.example.net' }],
    });

    const error = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: cname('www.example.com') },
        { Action: 'CREATE', ResourceRecordSet: cname('example.com') },
      ]),
    );

    expect(error.message).toBe(
      '[RRSet of type CNAME with DNS name www.example.com. is not permitted because a conflicting RRSet of type A with the same DNS name already exists in zone example.com., ' +
        'RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]',
    );
  });

  it('refuses A values that are not IPv4 addresses', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const error = await failure(
      change(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['not-an-ip']) }]),
    );

    expect(error.message).toBe(
      "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'not-an-ip'']",
    );
  });

  it("refuses to delete the zone's own SOA and NS sets", async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    const [ns, soa] = await listAll(client, zoneId);

    const error = await failure(
      change(client, zoneId, [
        { Action: 'DELETE', ResourceRecordSet: soa },
        { Action: 'DELETE', ResourceRecordSet: ns },
      ]),
    );

    expect(error.message).toBe(
      '[A HostedZone must contain exactly one SOA record., A HostedZone must contain at least one NS record for the zone itself.]',
    );
  });

  it('accepts a batch with a Comment, which the SDK sends after Changes, and echoes it in ChangeInfo', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const changed = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: 'flip api to secondary',
          Changes: [{ Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) }],
        },
      }),
    );

    expect(changed.ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'flip api to secondary' });
  });

  it('refuses the same value twice, an unquoted TXT value and a set changed twice, with the service texts', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    const txt = (value: string): ResourceRecordSet => ({
      Name: 'txt.example.com',
      Type: 'TXT',
      TTL: 60,
      ResourceRecords: [{ Value: value }],
    });

    const duplicate = await failure(
      change(client, zoneId, [
        { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1', '10.0.0.1']) },
      ]),
    );
    const unquoted = await failure(
      change(client, zoneId, [{ Action: 'CREATE', ResourceRecordSet: txt('hello') }]),
    );
    const twice = await failure(
      change(client, zoneId, [
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 100, 'primary.example.net') },
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 0, 'primary.example.net') },
      ]),
    );

    expect(duplicate).toMatchObject({
      name: 'InvalidChangeBatch',
      message: "[Duplicate Resource Record: '10.0.0.1']",
    });
    expect(unquoted).toMatchObject({
      name: 'InvalidChangeBatch',
      message:
        "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'hello'']",
    });
    expect(twice).toMatchObject({
      name: 'InvalidChangeBatch',
      message:
        "[The request contains an invalid set of changes for a resource record set 'CNAME api.example.com.']",
    });
    expect(await listAll(client, zoneId)).toHaveLength(2);
  });
});

describe('local Route 53 ListResourceRecordSets', () => {
  async function zoneForListing(client: Route53Client): Promise<string> {
    const zoneId = await zoneWithPair(client);
    await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.3']) },
      { Action: 'CREATE', ResourceRecordSet: a('a.example.com', ['10.0.0.1']) },
      { Action: 'CREATE', ResourceRecordSet: a('a-b.example.com', ['10.0.0.2']) },
    ]);
    return zoneId;
  }

  it('walks every set with maxitems=1 via NextRecordName, NextRecordType and NextRecordIdentifier', async () => {
    const { client } = await start();
    const zoneId = await zoneForListing(client);
    const seen: string[] = [];
    let from: Partial<ListResourceRecordSetsCommandInput> = {};

    for (let page = 0; page < 20; page++) {
      const listed = await client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1, ...from }),
      );
      expect(listed.MaxItems).toBe(1);
      seen.push(
        ...(listed.ResourceRecordSets ?? []).map(
          (set) => `${set.Name} ${set.Type} ${set.SetIdentifier ?? '-'}`,
        ),
      );
      if (!listed.IsTruncated) break;
      from = {
        StartRecordName: listed.NextRecordName,
        StartRecordType: listed.NextRecordType,
        StartRecordIdentifier: listed.NextRecordIdentifier,
      };
    }

    // Labels reversed: com.example. < com.example.a-b. < com.example.a. < com.example.api. < com.example.www.
    expect(seen).toEqual([
      'example.com. NS -',
      'example.com. SOA -',
      'a-b.example.com. A -',
      'a.example.com. A -',
      'api.example.com. CNAME primary',
      'api.example.com. CNAME secondary',
      'www.example.com. A -',
    ]);
  });

  it('starts at the first set at or after a name and type', async () => {
    const { client } = await start();
    const zoneId = await zoneForListing(client);

    const fromApi = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: 'API.example.com',
        StartRecordType: 'CNAME',
      }),
    );
    const fromB = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'b.example.com' }),
    );

    expect(fromApi.ResourceRecordSets?.map((set) => set.Name)).toEqual([
      'api.example.com.',
      'api.example.com.',
      'www.example.com.',
    ]);
    expect(fromB.ResourceRecordSets?.map((set) => set.Name)).toEqual(['www.example.com.']);
  });

  it('refuses a start type without a start name', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);

    const error = await failure(
      client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordType: 'A' })),
    );

    expect(error.name).toBe('InvalidInput');
    expect(error.status).toBe(400);
  });
});

describe('local Route 53 GetChange', () => {
  it('reports INSYNC on the first GetChange by default', async () => {
    const { client } = await start();
    const zoneId = await createZone(client);
    const changed = await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);

    const got = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));

    expect(changed.ChangeInfo?.Status).toBe('PENDING');
    expect(got.ChangeInfo).toMatchObject({ Id: changed.ChangeInfo?.Id, Status: 'INSYNC' });
    expect(got.ChangeInfo?.SubmittedAt).toEqual(changed.ChangeInfo?.SubmittedAt);
  });

  it('reports PENDING until inSyncDelayMs has passed, then INSYNC', async () => {
    const { client } = await start({ inSyncDelayMs: 150 });
    const zoneId = await createZone(client);
    const changed = await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);

    const early = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));

    expect(early.ChangeInfo?.Status).toBe('PENDING');
    expect(late.ChangeInfo?.Status).toBe('INSYNC');
  });

  it('applies a propagation model set at run time to later changes only, and shows it in /_local/state', async () => {
    const { r53, client } = await start();
    const zoneId = await createZone(client);
    const before = await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);

    r53.setPropagation({ kind: 'realistic', random: () => 0.5 });
    const after = await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('mail.example.com', ['10.0.0.2']) },
    ]);
    const old = await client.send(new GetChangeCommand({ Id: before.ChangeInfo?.Id }));
    const fresh = await client.send(new GetChangeCommand({ Id: after.ChangeInfo?.Id }));
    const state: unknown = await (await fetch(`${r53.endpoint}/_local/state`)).json();

    expect(old.ChangeInfo?.Status).toBe('INSYNC');
    expect(fresh.ChangeInfo?.Status).toBe('PENDING');
    expect(r53.propagation.kind).toBe('realistic');
    expect(state).toMatchObject({ propagation: expect.stringMatching(/^realistic: .*median 30 s/) });
  });

  it('keeps a change PENDING while held and reports INSYNC once released', async () => {
    const { r53, client } = await start();
    const zoneId = await createZone(client);
    r53.faults.holdPending(true);
    const changed = await change(client, zoneId, [
      { Action: 'CREATE', ResourceRecordSet: a('www.example.com', ['10.0.0.1']) },
    ]);

    const held = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));
    r53.faults.holdPending(false);
    const released = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));

    expect(held.ChangeInfo?.Status).toBe('PENDING');
    expect(released.ChangeInfo?.Status).toBe('INSYNC');
  });

  it('answers NoSuchChange (404) for an unknown change id', async () => {
    const { client } = await start();

    const error = await failure(client.send(new GetChangeCommand({ Id: '/change/CNOPE' })));

    expect(error).toEqual({
      name: 'NoSuchChange',
      message: 'Could not find resource with ID: CNOPE',
      status: 404,
    });
  });
});
