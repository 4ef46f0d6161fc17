import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createStateTable,
  type LocalDynamo,
  StateTableSetupError,
  startLocalDynamo,
} from '../../../local/dynamodb/index.ts';
import { createStateStore } from '../../../shared/aws/state-store.ts';
import { aServiceState } from '../../support/dynamo.ts';

// What each test started, stopped afterwards even when an assertion fails.
const servers: LocalDynamo[] = [];
const clients: DynamoDBClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
});

async function start(options: Parameters<typeof startLocalDynamo>[0] = {}): Promise<LocalDynamo> {
  const server = await startLocalDynamo(options);
  servers.push(server);
  return server;
}

/** A client for `server`: the SDK reads AWS_ENDPOINT_URL_DYNAMODB on the client's first request. */
function clientFor(server: LocalDynamo): DynamoDBClient {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
  const client = new DynamoDBClient({});
  clients.push(client);
  return client;
}

describe('startLocalDynamo', () => {
  it('listens on 127.0.0.1 on a free port by default', async () => {
    const first = await start();
    const second = await start();

    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.endpoint).not.toBe(first.endpoint);
  });

  it('stops answering after close, and a second close is harmless', async () => {
    const server = await start();
    const before = await fetch(server.endpoint);
    await before.text();

    await server.close();
    await server.close();

    expect(before.status).toBe(200);
    await expect(fetch(server.endpoint)).rejects.toThrow();
  });

  it('fails to start on a port that is taken', async () => {
    const taken = await start();

    await expect(startLocalDynamo({ port: Number(new URL(taken.endpoint).port) })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });

  it('keeps tables and items across restarts when given a data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dynalite-'));
    dirs.push(dataDir);
    const first = await start({ dataDir: join(dataDir, 'nested') });
    const writer = clientFor(first);
    await createStateTable(writer, 'kept-state');
    await createStateStore({ client: writer, table: 'kept-state' }).save(aServiceState('payments-api'), null);
    await first.close();

    const second = await start({ dataDir: join(dataDir, 'nested') });
    const reader = clientFor(second);
    const loaded = await createStateStore({ client: reader, table: 'kept-state' }).load('payments-api');

    expect(second.endpoint).not.toBe(first.endpoint);
    expect(loaded).toEqual({ value: aServiceState('payments-api'), version: 1 });
  });
});

describe('createStateTable', () => {
  it('creates an ACTIVE on-demand table keyed pk/sk, and accepts it when it already exists', async () => {
    const client = clientFor(await start());

    await createStateTable(client, 'failover-state');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'failover-state' }));
    const again = createStateTable(client, 'failover-state');

    await expect(again).resolves.toBeUndefined();
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('waits for a table another caller is still creating', async () => {
    const client = clientFor(await start());

    await Promise.all([
      createStateTable(client, 'failover-state'),
      createStateTable(client, 'failover-state'),
    ]);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'failover-state' }));

    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('refuses an existing table with other keys', async () => {
    const client = clientFor(await start());
    await client.send(
      new CreateTableCommand({
        TableName: 'someone-elses',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const creating = createStateTable(client, 'someone-elses');

    await expect(creating).rejects.toThrow(StateTableSetupError);
    await expect(creating).rejects.toThrow(/someone-elses exists with keys \[id HASH\]/);
  });
});
