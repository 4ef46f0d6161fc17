import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { STATE_TABLE_KEYS } from '../../deploy/state-table.ts';

/** How long `createStateTable` waits for the table to become ACTIVE. */
const ACTIVE_TIMEOUT_MS = 30_000;

/** An existing table cannot hold the state store's items (wrong keys), or never became ACTIVE. */
export class StateTableSetupError extends Error {
  override readonly name = 'StateTableSetupError';
}

/**
 * Creates the state table (`pk` HASH / `sk` RANGE, both strings, on-demand) and waits until it is ACTIVE.
 * Idempotent: an existing table with the same keys is fine; one with other keys is an error.
 * TTL on `expiresAt` is set by the deployment (serverless.yml), not here: dynalite lacks UpdateTimeToLive.
 *
 * @example
 * await createStateTable(new DynamoDBClient({}), 'failover-state');
 */
export async function createStateTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        // The keys every deployed stack declares (deploy/state-table.ts).
        AttributeDefinitions: [...STATE_TABLE_KEYS.AttributeDefinitions],
        KeySchema: [...STATE_TABLE_KEYS.KeySchema],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  await waitUntilActive(client, table);
}

async function waitUntilActive(client: DynamoDBClient, table: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  let delayMs = 10;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') {
      assertStateKeys(table, Table);
      return;
    }
    if (Date.now() >= deadline) {
      throw new StateTableSetupError(
        `Table ${table} is still ${Table?.TableStatus ?? 'unknown'} after ${ACTIVE_TIMEOUT_MS} ms; check it in DynamoDB.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 500);
  }
}

function assertStateKeys(table: string, description: TableDescription): void {
  const keyType = (name: string) =>
    description.AttributeDefinitions?.find((attribute) => attribute.AttributeName === name)?.AttributeType;
  const role = (name: string) => description.KeySchema?.find((key) => key.AttributeName === name)?.KeyType;
  const fits =
    description.KeySchema?.length === 2 &&
    role('pk') === 'HASH' &&
    role('sk') === 'RANGE' &&
    keyType('pk') === 'S' &&
    keyType('sk') === 'S';
  if (!fits) {
    const found = (description.KeySchema ?? [])
      .map((key) => `${key.AttributeName} ${key.KeyType}`)
      .join(', ');
    throw new StateTableSetupError(
      `Table ${table} exists with keys [${found}]; the state store needs pk (S, HASH) and sk (S, RANGE). ` +
        'Use another table name or delete the table.',
    );
  }
}
