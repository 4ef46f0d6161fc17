/**
 * A real DynamoDB API for tests: dynalite in this process, the real SDK client pointed at it through
 * the SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` (no endpoint option anywhere in production code).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStateTable, type LocalDynamo, startLocalDynamo } from '../../local/dynamodb/index.ts';
import type { AuditEvent } from '../../shared/domain/events.ts';
import type { ServiceState } from '../../shared/domain/state.ts';

export interface TestDynamo {
  readonly dynamo: LocalDynamo;
  /** A client built after `AWS_ENDPOINT_URL_DYNAMODB` was set, so it talks to dynalite. */
  readonly client: DynamoDBClient;
  /** Destroys every client made here, then stops dynalite. */
  close(): Promise<void>;
  /** Another client (own connection pool, optional SDK settings) on the same dynalite. */
  newClient(config?: { maxAttempts?: number }): DynamoDBClient;
  /** Creates a fresh state table (unique name) and returns its name. */
  newTable(prefix?: string): Promise<string>;
}

let tableCounter = 0;
let recorderCounter = 0;

export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startLocalDynamo();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  const clients: DynamoDBClient[] = [];
  const newClient = (config: { maxAttempts?: number } = {}) => {
    const client = new DynamoDBClient(config);
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    dynamo,
    client,
    newClient,
    async newTable(prefix = 'state') {
      tableCounter += 1;
      const table = `${prefix}-${tableCounter}`;
      await createStateTable(client, table);
      return table;
    },
    async close() {
      for (const each of clients) each.destroy();
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      await dynamo.close();
    },
  };
}

/**
 * Records the name of every command a client sends (a real middleware: the requests still go out).
 *
 * @example
 * const sent = recordCommands(client);
 * await store.loadAll(names);
 * expect(sent.filter((name) => name === 'BatchGetItemCommand')).toHaveLength(3);
 */
export function recordCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  recorderCounter += 1;
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: `recordCommands-${recorderCounter}` },
  );
  return sent;
}

// ---- Fixtures for the state-store tests ---------------------------------------------------------

/** A service state with every field filled in (nested arrays, nulls and a hold), so round-trips are tested whole. */
export function aServiceState(service: string, overrides: Partial<ServiceState> = {}): ServiceState {
  return {
    service,
    epoch: 3,
    active: 'secondary',
    moving: null,
    targets: {
      primary: {
        status: 'down',
        okStreak: 0,
        failStreak: 4,
        since: 1_780_000_000_000,
        last: [
          {
            check: 'http GET https://primary.example.com/health',
            ok: false,
            latencyMs: 3000,
            reason: 'timeout after 3000 ms',
          },
        ],
      },
      secondary: {
        status: 'up',
        okStreak: 12,
        failStreak: 0,
        since: null,
        last: [{ check: 'tcp standby.example.com:443', ok: true, latencyMs: 4.5, reason: 'connected' }],
      },
    },
    lastFlipAt: 1_780_000_060_000,
    claim: {
      to: 'primary',
      by: 'bob',
      at: 1_780_000_070_000,
      hold: null,
    },
    lastFailure: {
      to: 'primary',
      by: 'watchdog',
      at: 1_780_000_065_000,
      epoch: 3,
      error: 'Route 53 refused the flip to primary: Throttling (HTTP 400): Rate exceeded',
    },
    hold: {
      kind: 'planned-failover',
      by: 'alice',
      reason: 'db maintenance "phase 2"',
      at: 1_780_000_050_000,
    },
    paused: false,
    autoFailbacks: [1_779_999_000_000, 1_779_999_500_000],
    frozen: false,
    announced: ['failback-ready'],
    ramp: null,
    ...overrides,
  };
}

export function anAuditEvent(
  service: string,
  at: number,
  id: string,
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    service,
    at,
    id,
    kind: 'failover',
    epoch: 4,
    from: 'primary',
    to: 'secondary',
    reason: 'primary down 3 rounds, secondary up',
    requestedBy: 'watchdog',
    outcome: 'flipped',
    changeId: 'C123',
    evidence: {
      primary: [
        {
          check: 'http GET https://primary.example.com/health',
          ok: false,
          latencyMs: 12,
          reason: 'status 503 not in [200]',
        },
      ],
      secondary: [
        {
          check: 'http GET https://standby.example.com/health',
          ok: true,
          latencyMs: 8,
          reason: 'status 200',
        },
      ],
    },
    details: { attempt: 1, zone: 'Z0123' },
    ...overrides,
  };
}
