import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandoverStore } from '../../../shared/aws/handover-store.ts';
import { StateStoreError } from '../../../shared/aws/state-store.ts';
import { firstRoundAt } from '../../../shared/controller/watchdog-handover.ts';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo.ts';

const T = Date.UTC(2026, 10, 26, 12, 0, 0);

let local: TestDynamo;
beforeAll(async () => {
  local = await startTestDynamo();
});
afterAll(async () => {
  await local.close();
});

describe('createHandoverStore', () => {
  it('hands the marker to a later run with the rounds the earlier one reserved, and fences the earlier one', async () => {
    const store = createHandoverStore({ client: local.client, table: await local.newTable() });
    expect(await store.claim('default', { id: 'a', scheduledAt: T })).toEqual({
      claimed: true,
      previous: null,
    });
    expect(await store.reserve('default', { run: 'a', scheduledAt: T, rounds: { api: T + 50_000 } })).toBe(
      true,
    );

    const taken = await store.claim('default', { id: 'b', scheduledAt: T + 60_000 });

    expect(taken).toEqual({
      claimed: true,
      previous: { run: 'a', scheduledAt: T, rounds: { api: T + 50_000 } },
    });
    expect(await store.reserve('default', { run: 'a', scheduledAt: T, rounds: { api: T + 51_000 } })).toBe(
      false,
    );
    expect(
      await store.reserve('default', { run: 'b', scheduledAt: T + 60_000, rounds: { api: T + 60_000 } }),
    ).toBe(true);
  });

  it('refuses a run scheduled at the same time or earlier, accepts the same run again, and keeps vantages apart', async () => {
    const store = createHandoverStore({ client: local.client, table: await local.newTable() });
    await store.claim('default', { id: 'b', scheduledAt: T + 60_000 });

    expect(await store.claim('default', { id: 'b-twin', scheduledAt: T + 60_000 })).toEqual({
      claimed: false,
    });
    expect(await store.claim('default', { id: 'a', scheduledAt: T })).toEqual({ claimed: false });
    expect(await store.claim('default', { id: 'b', scheduledAt: T + 60_000 })).toMatchObject({
      claimed: true,
    });
    expect(await store.claim('eu-west-1', { id: 'a', scheduledAt: T })).toEqual({
      claimed: true,
      previous: null,
    });
  });

  it('names the item and what to do when the stored marker is corrupt, and when the table is missing', async () => {
    const table = await local.newTable();
    const store = createHandoverStore({ client: local.client, table });
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'WATCHDOG#default' },
          sk: { S: 'RUN' },
          run: { S: 'a' },
          scheduledAt: { N: '1' },
          rounds: { S: '{"api":"x"}' },
        },
      }),
    );

    await expect(store.claim('default', { id: 'b', scheduledAt: T })).rejects.toThrow(
      /WATCHDOG#default, sk=RUN.*corrupt: rounds is not a map.*Delete the item/,
    );
    const missing = createHandoverStore({ client: local.client, table: 'no-such-table' });
    await expect(missing.reserve('default', { run: 'a', scheduledAt: T, rounds: {} })).rejects.toBeInstanceOf(
      StateStoreError,
    );
  });
});

describe('firstRoundAt', () => {
  const previous = { run: 'a', scheduledAt: T, rounds: { api: T + 58_000 } };

  it('starts one interval after the previous run last probed the service, never earlier', () => {
    expect(firstRoundAt(previous, 'b', 'api', 10_000, T + 62_000)).toBe(T + 68_000);
    expect(firstRoundAt(previous, 'b', 'api', 1_000, T + 62_000)).toBe(T + 62_000);
    expect(firstRoundAt(previous, 'b', 'new-service', 10_000, T + 62_000)).toBe(T + 62_000);
  });

  it('waits at most one interval for a clock ahead of ours, and one interval after a re-sent claim', () => {
    const ahead = { ...previous, rounds: { api: T + 600_000 } };
    expect(firstRoundAt(ahead, 'b', 'api', 10_000, T + 62_000)).toBe(T + 72_000);
    expect(firstRoundAt({ ...previous, run: 'b' }, 'b', 'api', 10_000, T + 62_000)).toBe(T + 72_000);
  });
});
