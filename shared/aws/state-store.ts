/**
 * The DynamoDB `StateStore`: one item per service (optimistic lock on `version`) plus audit events
 * under the same partition. Item layout: see `state-codec.ts`.
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditEvent } from '../domain/events.ts';
import {
  type Clock,
  type SaveResult,
  type StateStore,
  systemClock,
  type Versioned,
} from '../domain/ports.ts';
import type { ServiceState } from '../domain/state.ts';
import {
  decodeAudit,
  decodeState,
  EVENT_PREFIX,
  encodeAudit,
  encodeState,
  type Item,
  servicePartitionKey,
  stateKey,
} from './state-codec.ts';
import {
  InvalidStoreInputError,
  StateStoreError,
  StateTableMissingError,
  StateTableNotConfiguredError,
} from './state-errors.ts';

export {
  CorruptStateError,
  InvalidStoreInputError,
  StateStoreError,
  StateTableMissingError,
  StateTableNotConfiguredError,
} from './state-errors.ts';

export const DEFAULT_AUDIT_TTL_DAYS = 90;
/** BatchGetItem takes at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
export const HISTORY_MAX_LIMIT = 1000;

/** UnprocessedKeys retries: back off while a round returns nothing new; give up after this many such rounds. */
const MAX_STALLED_ROUNDS = 6;
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1000;

const SECONDS_PER_DAY = 86_400;

/**
 * Another writer got there first: the condition failed, or — on a multi-Region strongly consistent
 * global table (vantages, issue #11) — another Region wrote the same item at the same moment
 * (`ReplicatedWriteConflictException`, retryable). Either way nothing of this write landed: re-read
 * and let the caller decide again on what is there.
 */
const LOST_RACE = new Set(['ConditionalCheckFailedException', 'ReplicatedWriteConflictException']);

export interface StateStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Audit events expire (DynamoDB TTL on `expiresAt`) this many days after they are written. Default 90. */
  readonly auditTtlDays?: number;
  /** Time source for `updatedAt`, `expiresAt` and retry backoff. */
  readonly clock?: Clock;
}

/**
 * The state store on one DynamoDB table (keys `pk`/`sk`, see `createStateTable`).
 *
 * @example
 * const store = createStateStore({ client: new DynamoDBClient({}), table: 'failover-state' });
 * const current = await store.load('payments-api');
 * const saved = await store.save(next, current?.version ?? null);
 * if (!saved.ok) { // someone else wrote first: decide again from saved.current }
 */
export function createStateStore(options: StateStoreOptions): StateStore {
  const { client, table } = options;
  const clock = options.clock ?? systemClock;
  const ttlDays = options.auditTtlDays ?? DEFAULT_AUDIT_TTL_DAYS;
  if (!(Number.isFinite(ttlDays) && ttlDays > 0)) {
    throw new RangeError(`auditTtlDays must be a positive number of days, got ${ttlDays}`);
  }

  /** Runs one DynamoDB call, turning its failures into the store's typed errors. */
  async function call<T>(operation: string, service: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      const where = service === undefined ? '' : ` for service "${service}"`;
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new StateTableMissingError(
          { table, service, operation: `${operation}${where}` },
          { cause: error },
        );
      }
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const message = `${operation}${where} on table "${table}" failed: ${reason}`;
      throw new StateStoreError(message, { table, service }, { cause: error });
    }
  }

  async function load(service: string): Promise<Versioned<ServiceState> | null> {
    return call('GetItem', service, async () => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: table, Key: stateKey(service), ConsistentRead: true }),
      );
      return Item === undefined ? null : decodeState(Item, table);
    });
  }

  /**
   * Reads one chunk (at most 100 keys), re-asking for `UnprocessedKeys` (throttling, 16 MB / 1 MB caps).
   *
   *   round 1: 100 keys -> 70 items, 30 unprocessed   (progress: short pause, ask again)
   *   round 2:  30 keys -> 0 items, 30 unprocessed    (stalled: pause doubles)
   *   ...      after MAX_STALLED_ROUNDS stalled rounds in a row: StateStoreError
   */
  async function loadChunk(
    names: readonly string[],
    into: Map<string, Versioned<ServiceState>>,
  ): Promise<void> {
    let keys: Item[] = names.map(stateKey);
    let stalled = 0;
    for (;;) {
      const output = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of output.Responses?.[table] ?? []) {
        const versioned = decodeState(item, table);
        into.set(versioned.value.service, versioned);
      }
      const left = output.UnprocessedKeys?.[table]?.Keys ?? [];
      if (left.length === 0) return;
      stalled = left.length < keys.length ? 0 : stalled + 1;
      if (stalled >= MAX_STALLED_ROUNDS) {
        throw new StateStoreError(
          `BatchGetItem on table "${table}": ${left.length} keys still unprocessed after ` +
            `${MAX_STALLED_ROUNDS} retries without progress (throttled?)`,
          { table },
        );
      }
      await clock.sleep(Math.min(BACKOFF_BASE_MS * 2 ** stalled, BACKOFF_CAP_MS));
      keys = left;
    }
  }

  return {
    load,

    async loadAll(services) {
      const found = new Map<string, Versioned<ServiceState>>();
      // DynamoDB rejects a batch that names the same key twice.
      const names = [...new Set(services)];
      for (let start = 0; start < names.length; start += BATCH_GET_MAX_KEYS) {
        const chunk = names.slice(start, start + BATCH_GET_MAX_KEYS);
        await call('BatchGetItem', undefined, () => loadChunk(chunk, found));
      }
      return found;
    },

    async save(state, expectedVersion): Promise<SaveResult> {
      if (expectedVersion !== null && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 1)) {
        throw new InvalidStoreInputError(
          `Refusing to save service "${state.service}": expected version must be null or a positive integer, ` +
            `got ${expectedVersion}`,
          { table, service: state.service },
        );
      }
      const version = expectedVersion === null ? 1 : expectedVersion + 1;
      const item = encodeState(state, version, clock.now(), table);
      const condition =
        expectedVersion === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
            };
      try {
        await call('PutItem', state.service, () =>
          client.send(new PutItemCommand({ TableName: table, Item: item, ...condition })),
        );
        return { ok: true, version };
      } catch (error) {
        if (!(error instanceof StateStoreError && LOST_RACE.has(errorName(error.cause) ?? ''))) throw error;
        // Lost the race (or the item exists when creating): nothing was written. Report what is there now;
        // a consistent re-read is one extra read, and dynalite ignores ReturnValuesOnConditionCheckFailure.
        // Or our own write landed and only its answer was lost: the SDK re-sent the same request after a
        // timeout or a 5xx, and the re-sent condition failed against our write. The stored item is then
        // exactly the one sent (same version, updatedAt and state): report the write as done.
        const stored = await call('GetItem', state.service, async () => {
          const { Item } = await client.send(
            new GetItemCommand({ TableName: table, Key: stateKey(state.service), ConsistentRead: true }),
          );
          return Item;
        });
        if (stored !== undefined && isSameStateItem(stored, item)) return { ok: true, version };
        return {
          ok: false,
          reason: 'conflict',
          current: stored === undefined ? null : decodeState(stored, table),
        };
      }
    },

    async appendAudit(event: AuditEvent) {
      const expiresAt = Math.floor(clock.now() / 1000) + Math.round(ttlDays * SECONDS_PER_DAY);
      const item = encodeAudit(event, expiresAt, table);
      try {
        await call('PutItem', event.service, () =>
          client.send(
            new PutItemCommand({
              TableName: table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } catch (error) {
        // The same event (same at and id) is already recorded: a retry. The first write stays as it was.
        if (error instanceof StateStoreError && errorName(error.cause) === 'ConditionalCheckFailedException')
          return;
        throw error;
      }
    },

    async history(service, limit) {
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= HISTORY_MAX_LIMIT)) {
        throw new RangeError(`history limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}, got ${limit}`);
      }
      const events: AuditEvent[] = [];
      let startKey: Item | undefined;
      do {
        // A page stops at 1 MB even below Limit: keep reading until `limit` events or the end.
        const page = await call('Query', service, () =>
          client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
              ExpressionAttributeValues: {
                ':pk': { S: servicePartitionKey(service) },
                ':events': { S: EVENT_PREFIX },
              },
              ScanIndexForward: false,
              ConsistentRead: true,
              Limit: limit - events.length,
              ExclusiveStartKey: startKey,
            }),
          ),
        );
        for (const item of page.Items ?? []) events.push(decodeAudit(item, table));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined && events.length < limit);
      return events;
    },
  };
}

/** The state table's name from `STATE_TABLE`; `StateTableNotConfiguredError` if it is unset or empty. */
export function stateTableFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const table = env.STATE_TABLE?.trim();
  if (table === undefined || table === '') throw new StateTableNotConfiguredError();
  return table;
}

/**
 * The store a Lambda builds once at module scope: table from `STATE_TABLE`, a default client
 * (region, credentials and `AWS_ENDPOINT_URL_DYNAMODB` from the environment). Fails fast at cold start.
 *
 * @example
 * const store = stateStoreFromEnv();
 */
export function stateStoreFromEnv(
  options: { client?: DynamoDBClient; env?: NodeJS.ProcessEnv; clock?: Clock; auditTtlDays?: number } = {},
): StateStore {
  const table = stateTableFromEnv(options.env);
  return createStateStore({
    client: options.client ?? new DynamoDBClient({}),
    table,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.auditTtlDays === undefined ? {} : { auditTtlDays: options.auditTtlDays }),
  });
}

/** The item as stored is the very item this writer sent: same version, write time and state. */
function isSameStateItem(stored: Item, sent: Item): boolean {
  return (['version', 'updatedAt', 'state'] as const).every(
    (field) => JSON.stringify(stored[field]) === JSON.stringify(sent[field]),
  );
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
