import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '../../../local/dynamodb/index.ts';
import {
  CorruptStateError,
  createStateStore,
  InvalidStoreInputError,
  StateStoreError,
  StateTableMissingError,
  StateTableNotConfiguredError,
  stateStoreFromEnv,
} from '../../../shared/aws/state-store.ts';
import type { Clock } from '../../../shared/domain/ports.ts';
import { healthOf } from '../../../shared/domain/state.ts';
import {
  anAuditEvent,
  aServiceState,
  recordCommands,
  startTestDynamo,
  type TestDynamo,
} from '../../support/dynamo.ts';

const NOW = Date.UTC(2026, 10, 26, 6, 0, 0);
const DAY_SECONDS = 86_400;

function fixedClock(now = NOW): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms) => void sleeps.push(ms) };
}

let local: TestDynamo;

beforeAll(async () => {
  local = await startTestDynamo();
});

afterAll(async () => {
  await local.close();
});

async function newStore(options: { auditTtlDays?: number; clock?: Clock } = {}) {
  const table = await local.newTable();
  const clock = options.clock ?? fixedClock();
  const store = createStateStore({ client: local.client, table, clock, ...options });
  return { store, table, clock };
}

describe('createStateStore: service state', () => {
  it('returns null for a service that was never saved', async () => {
    const { store } = await newStore();

    const loaded = await store.load('payments-api');

    expect(loaded).toBeNull();
  });

  it('creates a state at version 1 and loads the whole ServiceState back', async () => {
    const { store } = await newStore();
    const state = aServiceState('payments-api');

    const saved = await store.save(state, null);
    const loaded = await store.load('payments-api');

    expect(saved).toEqual({ ok: true, version: 1 });
    expect(loaded).toEqual({ value: state, version: 1 });
  });

  it('increments the version on every save and keeps the last write', async () => {
    const { store } = await newStore();
    const first = aServiceState('payments-api', { epoch: 1 });

    const results = [await store.save(first, null)];
    results.push(await store.save({ ...first, epoch: 2 }, 1));
    results.push(await store.save({ ...first, epoch: 3, moving: { to: 'primary', since: NOW } }, 2));
    const loaded = await store.load('payments-api');

    expect(results.map((result) => result.ok && result.version)).toEqual([1, 2, 3]);
    expect(loaded?.version).toBe(3);
    expect(loaded?.value).toMatchObject({
      epoch: 3,
      active: 'secondary',
      moving: { to: 'primary', since: NOW },
    });
  });

  it('refuses a save with a stale version and returns the current state, writing nothing', async () => {
    const { store } = await newStore();
    await store.save(aServiceState('payments-api', { epoch: 1 }), null);
    const winner = aServiceState('payments-api', {
      epoch: 2,
      active: 'primary',
      moving: { to: 'secondary', since: NOW },
    });
    await store.save(winner, 1);

    const stale = await store.save(aServiceState('payments-api', { epoch: 9 }), 1);
    const loaded = await store.load('payments-api');

    expect(stale).toEqual({ ok: false, reason: 'conflict', current: { value: winner, version: 2 } });
    expect(loaded).toEqual({ value: winner, version: 2 });
  });

  it('reports a write another Region kept conflicting with (MRSC) as a conflict with the current state', async () => {
    const { store } = await newStore();
    const existing = aServiceState('payments-api', { epoch: 1 });
    await store.save(existing, null);
    // More than the SDK's own retries of the retryable error: every attempt of this write conflicts.
    local.dynamo.faults.failNext(10, 'ReplicatedWriteConflictException', 'PutItem');

    const result = await store.save(aServiceState('payments-api', { epoch: 2 }), 1);
    local.dynamo.faults.reset();

    expect(result).toEqual({ ok: false, reason: 'conflict', current: { value: existing, version: 1 } });
  });

  it('refuses to create a state that already exists and returns the existing one', async () => {
    const { store } = await newStore();
    const existing = aServiceState('payments-api', { epoch: 5 });
    await store.save(existing, null);

    const second = await store.save(aServiceState('payments-api', { epoch: 0, active: 'primary' }), null);

    expect(second).toEqual({ ok: false, reason: 'conflict', current: { value: existing, version: 1 } });
  });

  it('reports a conflict with no current state when updating a service that does not exist', async () => {
    const { store } = await newStore();

    const result = await store.save(aServiceState('payments-api'), 4);

    expect(result).toEqual({ ok: false, reason: 'conflict', current: null });
    expect(await store.load('payments-api')).toBeNull();
  });

  it('stores version, epoch, active and updatedAt as readable top-level attributes, as format 2', async () => {
    const { store, table } = await newStore({ clock: fixedClock(NOW + 1234) });
    const moving = { to: 'primary', since: NOW };
    await store.save(aServiceState('payments-api', { epoch: 7, moving }), null);

    const { Item } = await local.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'SERVICE#payments-api' }, sk: { S: 'STATE' } },
      }),
    );

    expect(Item).toMatchObject({
      version: { N: '1' },
      epoch: { N: '7' },
      active: { S: 'secondary' },
      format: { N: '2' },
      service: { S: 'payments-api' },
      updatedAt: { S: new Date(NOW + 1234).toISOString() },
    });
    expect(Item).not.toHaveProperty('phase');
    expect(JSON.parse(Item?.state?.S ?? 'null')).toEqual(aServiceState('payments-api', { epoch: 7, moving }));
  });

  it('rejects an invalid state or version before writing anything', async () => {
    const { store } = await newStore();
    const sent = recordCommands(local.client);
    const broken = { ...aServiceState('payments-api'), epoch: -1 };

    await expect(store.save(broken, null)).rejects.toThrow(InvalidStoreInputError);
    await expect(store.save(broken, null)).rejects.toThrow(/payments-api.*state\.epoch/);
    await expect(store.save(aServiceState('payments-api'), 0)).rejects.toThrow(InvalidStoreInputError);
    expect(sent.filter((name) => name === 'PutItemCommand')).toHaveLength(0);
  });
});

describe('createStateStore: loadAll', () => {
  it('returns the states that exist and leaves out the rest', async () => {
    const { store } = await newStore();
    await store.save(aServiceState('alpha'), null);
    await store.save(aServiceState('gamma', { epoch: 1 }), null);
    await store.save(aServiceState('gamma', { epoch: 2 }), 1);

    const found = await store.loadAll(['alpha', 'beta', 'gamma', 'alpha']);

    expect([...found.keys()].sort()).toEqual(['alpha', 'gamma']);
    expect(found.get('gamma')).toEqual({ value: aServiceState('gamma', { epoch: 2 }), version: 2 });
  });

  it('reads 250 services in at most ceil(250 / 100) BatchGetItem calls', async () => {
    const { store } = await newStore();
    const names = Array.from({ length: 250 }, (_, index) => `svc-${String(index).padStart(3, '0')}`);
    for (const name of names) await store.save(aServiceState(name, { epoch: names.indexOf(name) }), null);
    const sent = recordCommands(local.client);

    const found = await store.loadAll(names);

    expect(sent.filter((name) => name === 'BatchGetItemCommand').length).toBeLessThanOrEqual(
      Math.ceil(250 / 100),
    );
    expect(found.size).toBe(250);
    expect(names.every((name, index) => found.get(name)?.value.epoch === index)).toBe(true);
  });

  it('sends no request for an empty list', async () => {
    const { store } = await newStore();
    const sent = recordCommands(local.client);

    const found = await store.loadAll([]);

    expect(found.size).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('asks again for UnprocessedKeys until every state is read', async () => {
    // dynalite, like DynamoDB, stops a BatchGetItem response near 1 MB and returns the rest as UnprocessedKeys.
    const clock = fixedClock();
    const { store } = await newStore({ clock });
    const bulky = (name: string) =>
      aServiceState(name, {
        targets: {
          ...aServiceState(name).targets,
          primary: {
            ...healthOf(aServiceState(name), 'primary'),
            last: [{ check: 'x', ok: false, latencyMs: 1, reason: 'r'.repeat(30_000) }],
          },
        },
      });
    const names = Array.from({ length: 60 }, (_, index) => `big-${index}`);
    for (const name of names) await store.save(bulky(name), null);
    const sent = recordCommands(local.client);

    const found = await store.loadAll(names);

    expect(found.size).toBe(60);
    expect(found.get('big-42')?.value).toEqual(bulky('big-42'));
    expect(sent.filter((name) => name === 'BatchGetItemCommand').length).toBeGreaterThan(1);
    expect(clock.sleeps.length).toBe(sent.length - 1);
  });
});

describe('createStateStore: audit trail', () => {
  it('returns events newest first, at most `limit`', async () => {
    const { store } = await newStore();
    const times = [5, 1, 9, 3, 7].map((minute) => NOW + minute * 60_000);
    for (const [index, at] of times.entries())
      await store.appendAudit(anAuditEvent('payments-api', at, `e${index}`));

    const newest = await store.history('payments-api', 3);

    expect(newest.map((event) => event.at)).toEqual([NOW + 9 * 60_000, NOW + 7 * 60_000, NOW + 5 * 60_000]);
    expect(newest[0]).toEqual(anAuditEvent('payments-api', NOW + 9 * 60_000, 'e2'));
  });

  it('keeps events of services whose names share a prefix apart, and leaves the state item out', async () => {
    const { store } = await newStore();
    await store.save(aServiceState('api'), null);
    await store.appendAudit(anAuditEvent('api', NOW, 'a1'));
    await store.appendAudit(anAuditEvent('api-2', NOW + 1, 'b1'));

    const history = await store.history('api', 1000);

    expect(history.map((event) => `${event.service}/${event.id}`)).toEqual(['api/a1']);
  });

  it('orders events at the same millisecond by id and keeps both', async () => {
    const { store } = await newStore();
    await store.appendAudit(anAuditEvent('payments-api', NOW, 'b'));
    await store.appendAudit(anAuditEvent('payments-api', NOW, 'a'));

    const history = await store.history('payments-api', 10);

    expect(history.map((event) => event.id)).toEqual(['b', 'a']);
  });

  it('reads past 1 MB query pages to return `limit` events', async () => {
    const { store } = await newStore();
    const big = { blob: 'x'.repeat(60_000) };
    for (let index = 0; index < 25; index += 1) {
      await store.appendAudit(anAuditEvent('payments-api', NOW + index, `e${index}`, { details: big }));
    }
    const sent = recordCommands(local.client);

    const history = await store.history('payments-api', 25);

    expect(history).toHaveLength(25);
    expect(history[24]?.id).toBe('e0');
    expect(sent.filter((name) => name === 'QueryCommand').length).toBeGreaterThan(1);
  });

  it('refuses a limit outside 1..1000', async () => {
    const { store } = await newStore();

    await expect(store.history('payments-api', 0)).rejects.toThrow(RangeError);
    await expect(store.history('payments-api', 1001)).rejects.toThrow(RangeError);
    await expect(store.history('payments-api', 2.5)).rejects.toThrow(RangeError);
  });

  it('writes expiresAt 90 days after the clock, in epoch seconds', async () => {
    const { store, table } = await newStore({ clock: fixedClock(NOW + 999) });
    await store.appendAudit(anAuditEvent('payments-api', NOW - 5_000, 'e1'));

    const { Items } = await local.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'SERVICE#payments-api' } },
      }),
    );

    expect(Items).toHaveLength(1);
    expect(Items?.[0]?.expiresAt).toEqual({ N: String(Math.floor((NOW + 999) / 1000) + 90 * DAY_SECONDS) });
  });

  it('honours a custom audit retention', async () => {
    const { store, table } = await newStore({ auditTtlDays: 7 });
    await store.appendAudit(anAuditEvent('payments-api', NOW, 'e1'));

    const { Items } = await local.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'SERVICE#payments-api' } },
      }),
    );

    expect(Number(Items?.[0]?.expiresAt?.N)).toBe(NOW / 1000 + 7 * DAY_SECONDS);
  });

  it('records a repeated event once, keeping the first write, without an error', async () => {
    const { store } = await newStore();
    const event = anAuditEvent('payments-api', NOW, 'flip-4');
    await store.appendAudit(event);

    await store.appendAudit(event);
    await store.appendAudit({ ...event, outcome: 'retried' });
    const history = await store.history('payments-api', 1000);

    expect(history).toEqual([event]);
  });
});

describe('createStateStore: failures', () => {
  it('names the service when the state item is not valid JSON', async () => {
    const { store, table } = await newStore();
    await store.save(aServiceState('payments-api'), null);
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'SERVICE#payments-api' },
          sk: { S: 'STATE' },
          version: { N: '2' },
          epoch: { N: '3' },
          phase: { S: 'secondary-active' },
          state: { S: '{"service": "payments-api", truncated' },
        },
      }),
    );

    const loading = store.load('payments-api');

    await expect(loading).rejects.toThrow(CorruptStateError);
    await expect(loading).rejects.toThrow(/Service "payments-api".*attribute state is not JSON/);
    await expect(store.loadAll(['payments-api'])).rejects.toMatchObject({
      name: 'CorruptStateError',
      service: 'payments-api',
      table,
    });
  });

  it('names the broken field when the stored state has the wrong shape', async () => {
    const { store, table } = await newStore();
    const state = {
      ...aServiceState('payments-api'),
      moving: 'sideways',
      targets: { primary: { status: 'up' } },
    };
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'SERVICE#payments-api' },
          sk: { S: 'STATE' },
          version: { N: '1' },
          epoch: { N: '3' },
          active: { S: 'secondary' },
          format: { N: '2' },
          state: { S: JSON.stringify(state) },
        },
      }),
    );

    const error = await store.load('payments-api').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CorruptStateError);
    expect(error).toMatchObject({ service: 'payments-api', sortKey: 'STATE' });
    const problems = error instanceof CorruptStateError ? error.problems.join('\n') : '';
    expect(problems).toMatch(/state\.moving/);
    expect(problems).toMatch(/state\.targets\.primary\.okStreak/);
  });

  it('catches a hand edit of the active attribute that the stored state does not match', async () => {
    const { store, table } = await newStore();
    await store.save(aServiceState('payments-api', { active: 'secondary' }), null);
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'SERVICE#payments-api' },
          sk: { S: 'STATE' },
          version: { N: '1' },
          epoch: { N: '3' },
          active: { S: 'primary' },
          format: { N: '2' },
          state: { S: JSON.stringify(aServiceState('payments-api', { active: 'secondary' })) },
        },
      }),
    );

    await expect(store.load('payments-api')).rejects.toThrow(
      /active=primary disagrees with state\.active=secondary/,
    );
  });

  it('reads a format-1 item (phase, primary, secondary) as the new shape and writes it back as format 2', async () => {
    const { store, table } = await newStore();
    const { active: _active, moving: _moving, targets, ...rest } = aServiceState('payments-api');
    const formatOne = {
      ...rest,
      phase: 'failing-back',
      pendingSince: NOW - 4_000,
      primary: targets.primary,
      secondary: targets.secondary,
    };
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'SERVICE#payments-api' },
          sk: { S: 'STATE' },
          version: { N: '6' },
          epoch: { N: '3' },
          phase: { S: 'failing-back' },
          format: { N: '1' },
          state: { S: JSON.stringify(formatOne) },
        },
      }),
    );

    const loaded = await store.load('payments-api');
    const saved = loaded && (await store.save({ ...loaded.value, moving: null }, loaded.version));
    const { Item } = await local.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'SERVICE#payments-api' }, sk: { S: 'STATE' } },
      }),
    );

    expect(loaded).toEqual({
      value: { ...aServiceState('payments-api'), moving: { to: 'primary', since: NOW - 4_000 } },
      version: 6,
    });
    expect(saved).toEqual({ ok: true, version: 7 });
    expect(Item).toMatchObject({ format: { N: '2' }, active: { S: 'secondary' } });
    expect(Item).not.toHaveProperty('phase');
    expect(JSON.parse(Item?.state?.S ?? 'null')).toEqual(aServiceState('payments-api'));
  });

  it('names the table when it does not exist, for every operation', async () => {
    const store = createStateStore({ client: local.client, table: 'no-such-table', clock: fixedClock() });

    const outcomes = await Promise.allSettled([
      store.load('payments-api'),
      store.loadAll(['payments-api']),
      store.save(aServiceState('payments-api'), null),
      store.appendAudit(anAuditEvent('payments-api', NOW, 'e1')),
      store.history('payments-api', 10),
    ]);

    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
      expect(reason).toBeInstanceOf(StateTableMissingError);
      expect(reason).toMatchObject({
        table: 'no-such-table',
        message: expect.stringMatching(/"no-such-table" does not exist/),
      });
    }
  });

  it('wraps a transport failure in a StateStoreError that keeps the cause', async () => {
    const gone = await startLocalDynamo();
    const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    // The SDK reads AWS_ENDPOINT_URL_DYNAMODB at a client's first request and keeps it from then on.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = gone.endpoint;
    const client = local.newClient({ maxAttempts: 1 });
    await gone.close();
    const store = createStateStore({ client, table: 'state-anywhere', clock: fixedClock() });

    const error = await store.load('payments-api').catch((caught: unknown) => caught);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;

    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).not.toBeInstanceOf(StateTableMissingError);
    expect(error).toMatchObject({ service: 'payments-api', table: 'state-anywhere' });
    expect(error instanceof Error && error.cause).toBeInstanceOf(Error);
  });
});

describe('stateStoreFromEnv', () => {
  it('fails fast with a named error when STATE_TABLE is not set', () => {
    expect(() => stateStoreFromEnv({ env: {} })).toThrow(StateTableNotConfiguredError);
    expect(() => stateStoreFromEnv({ env: { STATE_TABLE: ' ' } })).toThrow(/STATE_TABLE is not set/);
  });

  it('uses the table named by STATE_TABLE', async () => {
    const table = await local.newTable();
    const store = stateStoreFromEnv({ client: local.client, env: { STATE_TABLE: table } });

    await store.save(aServiceState('payments-api'), null);
    const direct = createStateStore({ client: local.client, table });

    expect((await direct.load('payments-api'))?.version).toBe(1);
  });
});
