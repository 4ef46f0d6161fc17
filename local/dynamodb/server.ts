import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The part of dynalite's options this starter uses (dynalite ships no type declarations). */
interface DynaliteOptions {
  /** LevelDB directory; in memory when absent. */
  readonly path?: string;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

type Dynalite = (options?: DynaliteOptions) => Server;

// dynalite is CommonJS without types: load it through require and name the one call we make.
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

/**
 * How long dynalite keeps a new table in CREATING (its default is 500 ms). Short, but not zero,
 * so callers still meet a real CREATING phase and have to wait for ACTIVE as on AWS.
 */
const TABLE_TRANSITION_MS = 50;

export interface LocalDynamoOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Address to bind; default 127.0.0.1 (never all interfaces unless asked). */
  readonly host?: string;
  /** Keep the tables on disk in this directory (created if missing); in memory when absent. */
  readonly dataDir?: string;
}

export interface LocalDynamo {
  /** Base URL for `AWS_ENDPOINT_URL_DYNAMODB`, e.g. `http://127.0.0.1:54321`. */
  readonly endpoint: string;
  /** Every request's operation (`PutItem`, `Query`, ...) in arrival order: lets tests count writes. */
  readonly operations: readonly string[];
  /** Stops listening and closes the store (idempotent). */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB on LevelDB) inside this process.
 *
 * @example
 * const dynamo = await startLocalDynamo();
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
 * const client = new DynamoDBClient({});
 * await createStateTable(client, 'failover-state');
 * // ...
 * client.destroy();
 * await dynamo.close();
 */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const server = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: TABLE_TRANSITION_MS,
    deleteTableMs: TABLE_TRANSITION_MS,
    updateTableMs: TABLE_TRANSITION_MS,
  });

  const operations: string[] = [];
  // `X-Amz-Target: DynamoDB_20120810.PutItem`: record the operation before dynalite handles it.
  server.prependListener('request', (req: IncomingMessage) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') operations.push(target.slice(target.indexOf('.') + 1));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch(async (error: unknown) => {
    // The store opened with the server: release it (and a dataDir's LOCK file) before failing.
    await closeServer(server).catch(() => undefined);
    throw error;
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${urlHost(host)}:${port}`,
    operations,
    close: () => {
      closing ??= closeServer(server);
      return closing;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // dynalite's close() stops the HTTP server, waits for pending LevelDB operations, then closes the store.
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets of clients that were not destroyed would otherwise hold close() open.
    server.closeIdleConnections();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
