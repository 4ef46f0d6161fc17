import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createDynamoFaultPlan,
  DYNAMO_INJECTABLE_ERRORS,
  type DynamoFaults,
  type DynamoInjectableError,
} from './faults.ts';

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
  /** Fault injection: throttling and 5xx in DynamoDB's error shape, latency, applied-but-unanswered calls. */
  readonly faults: DynamoFaults;
  /** Stops listening and closes the store (idempotent). */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB on LevelDB) inside this process, behind a small front server that
 * records each operation and injects faults (see `DynamoFaults`) before handing the call on.
 *
 *   SDK client ──HTTP──> front (faults, operations) ──HTTP──> dynalite (127.0.0.1, a private port)
 *
 * @example
 * const dynamo = await startLocalDynamo();
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
 * const client = new DynamoDBClient({});
 * await createStateTable(client, 'failover-state');
 * dynamo.faults.failNext(2, 'ProvisionedThroughputExceededException', 'PutItem');
 * // ...
 * client.destroy();
 * await dynamo.close();
 */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const store = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: TABLE_TRANSITION_MS,
    deleteTableMs: TABLE_TRANSITION_MS,
    updateTableMs: TABLE_TRANSITION_MS,
  });
  await listen(store, 0, '127.0.0.1').catch(async (error: unknown) => {
    await closeServer(store).catch(() => undefined);
    throw error;
  });
  const storePort = (store.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true });

  const operations: string[] = [];
  const plan = createDynamoFaultPlan();
  const hanging = new Set<ServerResponse>();
  const stopping = new AbortController();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // `X-Amz-Target: DynamoDB_20120810.PutItem`: record the operation before anything else.
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
    if (operation !== '') operations.push(operation);
    const body = await readBody(req);
    const latency = plan.latencyFor(operation);
    if (latency > 0) await sleep(latency, undefined, { signal: stopping.signal });
    const verdict = operation === '' ? ({ kind: 'pass' } as const) : plan.take(operation);
    if (verdict.kind === 'fail') {
      sendInjectedError(res, verdict.error);
      return;
    }
    const answer = await forward(agent, storePort, req, body);
    if (verdict.kind === 'apply-then-timeout') {
      // Applied by dynalite; the client never hears of it (until close() drops the connection).
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const front = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (stopping.signal.aborted || res.headersSent) {
        res.destroy();
        return;
      }
      res
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: 'LocalDynamoProxyError', message: String(error) }));
    });
  });

  await listen(front, options.port ?? 0, host).catch(async (error: unknown) => {
    // The store opened with dynalite: release it (and a dataDir's LOCK file) before failing.
    agent.destroy();
    await closeServer(store).catch(() => undefined);
    throw error;
  });

  const { port } = front.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${urlHost(host)}:${port}`,
    operations,
    faults: plan,
    close: () => {
      closing ??= (async () => {
        stopping.abort();
        for (const res of hanging) res.destroy();
        await closeServer(front);
        agent.destroy();
        await closeServer(store);
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** Hands the call to dynalite and reads its whole answer. */
function forward(agent: Agent, port: number, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const headers: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined || HOP_BY_HOP.has(name)) continue;
            headers[name] = value;
          }
          const payload = Buffer.concat(chunks);
          headers['content-length'] = String(payload.length);
          resolve({ status: response.statusCode ?? 500, headers, body: payload });
        });
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** DynamoDB's JSON error shape: the SDK names the error after the part of `__type` past the `#`. */
function sendInjectedError(res: ServerResponse, error: DynamoInjectableError): void {
  const { status, type, message } = DYNAMO_INJECTABLE_ERRORS[error];
  const text = JSON.stringify({ __type: type, message });
  res
    .writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    })
    .end(text);
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
