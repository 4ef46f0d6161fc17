/**
 * The local DynamoDB's fault layer, seen through the real SDK client over HTTP: each fault must
 * look to the client exactly as DynamoDB's would (error name, status, retry behaviour).
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createStateTable,
  DynamoFaultRequestError,
  type LocalDynamo,
  startLocalDynamo,
} from '../../local/dynamodb/index.ts';

const TABLE = 'fault-layer';
const key = (id: string) => ({ pk: { S: id }, sk: { S: 'state' } });

describe('local DynamoDB fault injection', () => {
  let dynamo: LocalDynamo;
  /** One attempt per call: shows exactly what the server answered. */
  let once: DynamoDBClient;
  /** The SDK's default retries, and a short request timeout. */
  let retrying: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    once = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 1 });
    retrying = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    await createStateTable(once, TABLE);
  });

  afterEach(() => dynamo.faults.reset());

  afterAll(async () => {
    once?.destroy();
    retrying?.destroy();
    await dynamo?.close();
  });

  const put = (client: DynamoDBClient, id: string, value: string) =>
    client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(id), value: { S: value } } }));
  const read = async (id: string) =>
    (await once.send(new GetItemCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }))).Item
      ?.value?.S;

  it.each([
    ['ProvisionedThroughputExceededException', 400],
    ['ThrottlingException', 400],
    ['InternalServerError', 500],
  ] as const)(
    'failNext answers %s with HTTP %i in the JSON error shape, and applies nothing',
    async (name, status) => {
      dynamo.faults.failNext(1, name, 'PutItem');

      const error = await put(once, `fail-${name}`, 'x').catch((e: unknown) => e);

      expect(error).toMatchObject({ name, $metadata: { httpStatusCode: status } });
      expect(await read(`fail-${name}`)).toBeUndefined();
      await put(once, `fail-${name}`, 'y'); // consumed: the next call goes through
      expect(await read(`fail-${name}`)).toBe('y');
    },
  );

  it('failNext with an operation leaves other operations alone; the SDK retries through a short burst', async () => {
    dynamo.faults.failNext(2, 'ProvisionedThroughputExceededException', 'PutItem');
    const before = dynamo.operations.length;

    expect(await read('burst')).toBeUndefined(); // GetItem is not affected
    await put(retrying, 'burst', 'landed');

    expect(await read('burst')).toBe('landed');
    expect(dynamo.operations.slice(before).filter((op) => op === 'PutItem')).toHaveLength(3);
  });

  it('setLatency delays the named operation only', async () => {
    dynamo.faults.setLatency(400, 'PutItem');

    const t0 = Date.now();
    await read('slow');
    const readMs = Date.now() - t0;
    const t1 = Date.now();
    await put(once, 'slow', 'late');
    const putMs = Date.now() - t1;

    expect(putMs).toBeGreaterThanOrEqual(390);
    expect(readMs).toBeLessThan(390);
    expect(await read('slow')).toBe('late');
  });

  it('applyThenTimeout applies the write, then never answers: the client times out not knowing', async () => {
    dynamo.faults.applyThenTimeout(1, 'PutItem');
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });

    const error = await put(client, 'ghost', 'applied').catch((e: unknown) => e);
    client.destroy();

    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(await read('ghost')).toBe('applied');
  });

  it('refuses an unknown operation or error rather than never firing', () => {
    expect(() => dynamo.faults.failNext(1, 'ThrottlingException', 'PutItems' as 'PutItem')).toThrow(
      DynamoFaultRequestError,
    );
    expect(() => dynamo.faults.failNext(1, 'Throttling' as 'ThrottlingException')).toThrow(/is not one of/);
    expect(() => dynamo.faults.applyThenTimeout(-1)).toThrow(/whole number/);
  });
});
