import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
  type Route53ClientConfig,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LocalRoute53,
  type LocalRoute53Options,
  startLocalRoute53,
} from '../../../local/route53/index.ts';

const servers: LocalRoute53[] = [];
const clients: Route53Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.close();
  delete process.env.AWS_ENDPOINT_URL_ROUTE_53;
});

async function start(options: LocalRoute53Options = {}): Promise<LocalRoute53> {
  const r53 = await startLocalRoute53(options);
  servers.push(r53);
  return r53;
}

/** `maxAttempts: 1` unless said otherwise: a single failure is seen as is. */
function clientFor(r53: LocalRoute53, config: Route53ClientConfig = { maxAttempts: 1 }): Route53Client {
  const client = new Route53Client({ endpoint: r53.endpoint, ...config });
  clients.push(client);
  return client;
}

function weighted(setIdentifier: string, weight: number, value: string): ResourceRecordSet {
  return {
    Name: 'api.example.com',
    Type: 'CNAME',
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: value }],
  };
}

const flipToSecondary: Change[] = [
  { Action: 'DELETE', ResourceRecordSet: weighted('primary', 100, 'primary.example.net') },
  { Action: 'CREATE', ResourceRecordSet: weighted('primary', 0, 'primary.example.net') },
  { Action: 'DELETE', ResourceRecordSet: weighted('secondary', 0, 'standby.example.net') },
  { Action: 'CREATE', ResourceRecordSet: weighted('secondary', 100, 'standby.example.net') },
];

async function zoneWithPair(client: Route53Client): Promise<string> {
  const created = await client.send(
    new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `ref-${Math.random()}` }),
  );
  const zoneId = created.HostedZone?.Id ?? '';
  await client.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          { Action: 'CREATE', ResourceRecordSet: weighted('primary', 100, 'primary.example.net') },
          { Action: 'CREATE', ResourceRecordSet: weighted('secondary', 0, 'standby.example.net') },
        ],
      },
    }),
  );
  return zoneId;
}

async function weights(client: Route53Client, zoneId: string): Promise<Record<string, number | undefined>> {
  const listed = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return Object.fromEntries(
    (listed.ResourceRecordSets ?? [])
      .filter((set) => set.SetIdentifier !== undefined)
      .map((set) => [set.SetIdentifier, set.Weight]),
  );
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) {
      const metadata: unknown = Reflect.get(error, '$metadata');
      const status =
        typeof metadata === 'object' && metadata !== null
          ? Reflect.get(metadata, 'httpStatusCode')
          : undefined;
      return {
        name: error.name,
        message: error.message,
        status: typeof status === 'number' ? status : undefined,
      };
    }
    throw error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

async function control(
  r53: LocalRoute53,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${r53.endpoint}${path}`, {
    method: body === undefined && path === '/_local/state' ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: await response.json() };
}

describe('local Route 53 fault injection', () => {
  it.each([
    ['Throttling', 400, 'Rate exceeded'],
    [
      'PriorRequestNotComplete',
      400,
      'The request was rejected because Route 53 was still processing a prior request.',
    ],
    ['InternalFailure', 500, 'An internal error occurred. Try your request again.'],
    ['ServiceUnavailable', 503, 'Service Unavailable'],
  ] as const)(
    'fails the next call with %s, which the SDK names by its code (HTTP %i)',
    async (code, status, message) => {
      const r53 = await start();
      const client = clientFor(r53);
      r53.faults.failNext(1, code);

      const error = await failure(client.send(new ListHostedZonesCommand({})));
      const after = await client.send(new ListHostedZonesCommand({}));

      expect(error).toEqual({ name: code, message, status });
      expect(after.HostedZones).toEqual([]);
    },
  );

  it('fails only the operation it names', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);
    r53.faults.failNext(1, 'PriorRequestNotComplete', 'ChangeResourceRecordSets');

    const zone = await client.send(new GetHostedZoneCommand({ Id: zoneId }));
    const error = await failure(
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: flipToSecondary },
        }),
      ),
    );

    expect(zone.HostedZone?.Id).toBe(zoneId);
    expect(error.name).toBe('PriorRequestNotComplete');
    expect(await weights(client, zoneId)).toEqual({ primary: 100, secondary: 0 });
  });

  it('lets the default SDK retry succeed after two injected throttles', async () => {
    const r53 = await start();
    const client = clientFor(r53, {});
    const zoneId = await zoneWithPair(client);
    r53.faults.failNext(2, 'Throttling', 'ChangeResourceRecordSets');

    const changed = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: flipToSecondary },
      }),
    );

    expect(changed.$metadata.attempts).toBe(3);
    expect(
      r53.calls.filter((call) => call.operation === 'ChangeResourceRecordSets').map((call) => call.status),
    ).toEqual([200, 400, 400, 200]);
    expect(await weights(client, zoneId)).toEqual({ primary: 0, secondary: 100 });
  });

  it('applies a change once when the answer is lost, and the SDK retry of the same batch gets InvalidChangeBatch', async () => {
    const r53 = await start();
    const client = clientFor(r53, {});
    const zoneId = await zoneWithPair(client);
    const before = r53.changes.length;
    r53.faults.failAfterApply(1);

    const error = await failure(
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: flipToSecondary },
        }),
      ),
    );

    expect(error.name).toBe('InvalidChangeBatch');
    expect(r53.changes.length - before).toBe(1);
    expect(
      r53.calls.filter((call) => call.operation === 'ChangeResourceRecordSets').map((call) => call.status),
    ).toEqual([200, 500, 400]);
    expect(await weights(client, zoneId)).toEqual({ primary: 0, secondary: 100 });
  });

  it('adds latency to the operation it names and not to others', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);
    r53.faults.setLatency(300, 'GetHostedZone');

    const slowStart = performance.now();
    await client.send(new GetHostedZoneCommand({ Id: zoneId }));
    const slow = performance.now() - slowStart;
    const fastStart = performance.now();
    await client.send(new ListHostedZonesCommand({}));
    const fast = performance.now() - fastStart;

    expect(slow).toBeGreaterThanOrEqual(295);
    expect(fast).toBeLessThan(300);
  });

  it('clears every fault on reset', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);
    r53.faults.failNext(5, 'Throttling');
    r53.faults.failAfterApply(5);
    r53.faults.setLatency(5_000);
    r53.faults.holdPending(true);

    r53.faults.reset();
    const changed = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: flipToSecondary },
      }),
    );
    const status = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));

    expect(status.ChangeInfo?.Status).toBe('INSYNC');
  });

  it('refuses an unknown operation name instead of never firing', async () => {
    const r53 = await start();

    expect(() => r53.faults.failNext(1, 'Throttling', 'ChangeRecords')).toThrow(
      "operation 'ChangeRecords' is not one of CreateHostedZone, GetHostedZone, ListHostedZones, ListHostedZonesByName, ListResourceRecordSets, ChangeResourceRecordSets, GetChange",
    );
  });

  it('counts every API request with its operation and HTTP status', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);
    r53.faults.failNext(1, 'ServiceUnavailable', 'GetHostedZone');

    await failure(client.send(new GetHostedZoneCommand({ Id: zoneId })));
    await failure(client.send(new GetHostedZoneCommand({ Id: 'ZNOPE' })));

    expect(r53.calls.map(({ operation, status }) => [operation, status])).toEqual([
      ['CreateHostedZone', 201],
      ['ChangeResourceRecordSets', 200],
      ['GetHostedZone', 503],
      ['GetHostedZone', 404],
    ]);
    expect(r53.calls.every((call) => typeof call.at === 'number' && call.at > 0)).toBe(true);
  });
});

describe('local Route 53 control API', () => {
  it('injects a failure through POST /_local/faults', async () => {
    const r53 = await start();
    const client = clientFor(r53);

    const reply = await control(r53, '/_local/faults', {
      action: 'failNext',
      count: 1,
      error: 'Throttling',
      operation: 'ListHostedZones',
    });
    const error = await failure(client.send(new ListHostedZonesCommand({})));

    expect(reply.status).toBe(200);
    expect(error.name).toBe('Throttling');
  });

  it('holds changes PENDING through the control API and releases them with POST /_local/reset', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);

    await control(r53, '/_local/faults', { action: 'holdPending', hold: true });
    const changed = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: flipToSecondary },
      }),
    );
    const held = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));
    const reset = await control(r53, '/_local/reset', {});
    const released = await client.send(new GetChangeCommand({ Id: changed.ChangeInfo?.Id }));

    expect(held.ChangeInfo?.Status).toBe('PENDING');
    expect(reset.status).toBe(200);
    expect(released.ChangeInfo?.Status).toBe('INSYNC');
  });

  it('applies failAfterApply and setLatency through the control API', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    const zoneId = await zoneWithPair(client);

    await control(r53, '/_local/faults', { action: 'failAfterApply', count: 1 });
    await control(r53, '/_local/faults', { action: 'setLatency', ms: 200 });
    const startedAt = performance.now();
    const error = await failure(
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: flipToSecondary },
        }),
      ),
    );

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(195);
    expect(error).toMatchObject({ name: 'InternalFailure', status: 500 });
    expect(await weights(client, zoneId)).toEqual({ primary: 0, secondary: 100 });
  });

  it.each([
    [
      { action: 'failNext', count: 1, error: 'Teapot' },
      '"error" must be one of Throttling, PriorRequestNotComplete, InternalFailure, ServiceUnavailable, AccessDenied, got "Teapot"',
    ],
    [
      { action: 'failNext', count: 1, error: 'Throttling', operation: 'Nope' },
      "operation 'Nope' is not one of",
    ],
    [{ action: 'failNext', count: -1, error: 'Throttling' }, 'count must be a whole number >= 0, got -1'],
    [{ action: 'explode' }, 'unknown action "explode"'],
  ])('refuses a bad fault request with 400 naming what is allowed: %j', async (body, message) => {
    const r53 = await start();

    const reply = await control(r53, '/_local/faults', body);

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ error: expect.stringContaining(message) });
  });

  it('reports zones, record sets, faults, calls and applied changes at GET /_local/state', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    await zoneWithPair(client);
    r53.faults.failNext(2, 'Throttling', 'GetChange');

    const { status, json } = await control(r53, '/_local/state');

    expect(status).toBe(200);
    expect(json).toMatchObject({
      endpoint: r53.endpoint,
      dnsPort: r53.dnsPort,
      zones: [
        {
          name: 'example.com.',
          recordSets: expect.arrayContaining([
            expect.objectContaining({ SetIdentifier: 'primary', Weight: 100 }),
          ]),
        },
      ],
      faults: {
        failNext: [{ remaining: 2, error: 'Throttling', operation: 'GetChange' }],
        holdPending: false,
      },
      calls: [
        { operation: 'CreateHostedZone', status: 201 },
        { operation: 'ChangeResourceRecordSets', status: 200 },
      ],
      changes: [{ id: expect.stringMatching(/^\/change\/C/) }],
    });
  });
});

describe('local Route 53 lifecycle', () => {
  it('listens on 127.0.0.1 on ports chosen at run time', async () => {
    const first = await start();
    const second = await start();

    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.endpoint).not.toBe(first.endpoint);
    expect(first.dnsPort).toBeGreaterThan(0);
    expect(second.dnsPort).not.toBe(first.dnsPort);
  });

  it('is reached through AWS_ENDPOINT_URL_ROUTE_53 by a client built without an endpoint', async () => {
    const r53 = await start();
    process.env.AWS_ENDPOINT_URL_ROUTE_53 = r53.endpoint;
    const client = new Route53Client({ maxAttempts: 1 });
    clients.push(client);

    await client.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'env' }));

    expect(r53.calls.map((call) => call.operation)).toEqual(['CreateHostedZone']);
  });

  it('stops answering after close, does not wait for a request held by latency, and closes twice harmlessly', async () => {
    const r53 = await start();
    const client = clientFor(r53);
    r53.faults.setLatency(10_000);
    const pending = failure(client.send(new ListHostedZonesCommand({})));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closingStart = performance.now();
    await r53.close();
    await r53.close();

    expect(performance.now() - closingStart).toBeLessThan(2_000);
    expect((await pending).message).toBe('socket hang up');
    await expect(fetch(`${r53.endpoint}/_local/state`)).rejects.toThrow();
  });

  it('runs serve.ts with --propagation realistic and says so; refuses an unknown model with exit 2', async () => {
    const child = spawn(
      process.execPath,
      ['local/route53/serve.ts', '--port', '0', '--dns-port', '0', '--propagation', 'realistic'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [first] = await once(createInterface({ input: child.stdout }), 'line');
      child.kill('SIGTERM');
      await once(child, 'exit');
      const bad = spawnSync(process.execPath, ['local/route53/serve.ts', '--propagation', 'fast'], {
        encoding: 'utf8',
      });

      expect(JSON.parse(String(first))).toMatchObject({ propagation: expect.stringMatching(/^realistic: /) });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(
        "--propagation must be instant, realistic or a whole number of milliseconds 0..600000, got 'fast'",
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('runs standalone with serve.ts, prints where it listens and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['local/route53/serve.ts', '--port', '0', '--dns-port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = await once(lines, 'line');
      const started: unknown = JSON.parse(String(first));
      const endpoint =
        typeof started === 'object' && started !== null ? String(Reflect.get(started, 'endpoint')) : '';
      const client = new Route53Client({ endpoint, maxAttempts: 1 });
      clients.push(client);

      const zones = await client.send(new ListHostedZonesCommand({}));
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');

      expect(started).toMatchObject({
        endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        dnsPort: expect.any(Number),
      });
      expect(zones.HostedZones).toEqual([]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
