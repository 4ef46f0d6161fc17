/**
 * A local stand-in for the Lambda Invoke API that keeps Lambda's concurrency and async-queue
 * semantics: the real `@aws-sdk/client-lambda` (pointed here by `AWS_ENDPOINT_URL_LAMBDA`) invokes
 * handlers that run in this process. See local/lambda/README.md for what it models and where it
 * deviates.
 *
 * - At most `reservedConcurrency` runs of a function at once, sync and async together.
 * - `Event`: answers 202 at once and queues the event. A queued event that finds no free slot is
 *   throttled and retried with a backoff growing 1 s, 2 s, 4 s ... up to 5 min. A function error is
 *   retried `maximumRetryAttempts` times, 1 min then 2 min later. An event older than
 *   `maximumEventAgeSeconds`, or out of retries, goes to the on-failure destination as an
 *   invocation record (`requestContext.condition`: `EventAgeExceeded` / `RetriesExhausted`).
 * - `RequestResponse`: runs the handler and answers 200 with its JSON result, or 200 with
 *   `X-Amz-Function-Error: Unhandled`; with no free slot, 429 `TooManyRequestsException`
 *   (`Reason: ReservedFunctionConcurrentInvocationLimitExceeded`).
 * - A run longer than the function's timeout fails with `Task timed out after N seconds`.
 * - `DryRun` answers 204 after checking the function exists; an unknown function answers 404
 *   `ResourceNotFoundException`.
 *
 * Lambda's own delays (throttle backoff, retry delays, event age) are multiplied by `timeScale`
 * (default 1 = real), so tests keep the semantics without waiting minutes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FunctionSettings,
  LAMBDA_DEFAULT_EVENT_AGE_SECONDS,
  LAMBDA_DEFAULT_RETRY_ATTEMPTS,
} from './settings.ts';

/** The part of the Lambda context our handlers use. */
export interface InvocationContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export type LocalHandler = (event: unknown, context: InvocationContext) => Promise<unknown>;

export interface LocalFunction {
  readonly handler: LocalHandler;
  /** Lambda's timeout for the function, in ms (default 30 s here). Never scaled. */
  readonly timeoutMs?: number;
  /** Runs at once, sync and async together; undefined or null: unreserved (no limit here). */
  readonly reservedConcurrency?: number | null;
  /** Retries of a failed async run (Lambda's `MaximumRetryAttempts`, default 2). */
  readonly maximumRetryAttempts?: number;
  /** An async event older than this is dropped to the destination (default 6 h). */
  readonly maximumEventAgeSeconds?: number;
  /** Where a dropped or failed async event's invocation record goes (an ARN or `Ref:Id`). */
  readonly onFailure?: string | null;
}

export interface InvocationRecord {
  readonly functionName: string;
  readonly type: 'Event' | 'RequestResponse';
  /** The same for every attempt of one async event, as Lambda keeps it. */
  readonly requestId: string;
  readonly payload: unknown;
  readonly attempt: number;
  readonly at: number;
  /** 'ok' or the error message of a failed run; undefined while running. */
  outcome?: string;
  result?: unknown;
}

/** An invocation refused or requeued because the function had no free slot. */
export interface ThrottleRecord {
  readonly functionName: string;
  readonly type: 'Event' | 'RequestResponse';
  readonly requestId: string;
  readonly at: number;
  /** Async only: how long (ms, scaled) until the event is tried again. */
  readonly retryInMs?: number;
}

/** What Lambda sends to an on-failure destination (the invocation record). */
export interface DestinationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError: string;
  };
  readonly responsePayload?: { readonly errorType: string; readonly errorMessage: string };
}

export interface DestinationDelivery {
  readonly functionName: string;
  /** The configured destination; null when the function has none (Lambda then just drops it). */
  readonly destination: string | null;
  readonly record: DestinationRecord;
}

export interface FunctionLoad {
  /** Runs in progress (each holds one slot). */
  readonly running: number;
  /** Async events accepted and not finished: waiting for a slot, a retry, or running. */
  readonly queued: number;
}

export interface LocalLambda {
  readonly endpoint: string;
  /** Every run of every function, in start order (a retried async event appears once per attempt). */
  readonly invocations: readonly InvocationRecord[];
  /** Every throttle, in order. */
  readonly throttles: readonly ThrottleRecord[];
  /** Every async event that left the queue unprocessed (too old or out of retries). */
  readonly destinations: readonly DestinationDelivery[];
  /**
   * Create a function, or replace a registered one's handler: settings left out keep their
   * registered values, as Lambda's UpdateFunctionCode keeps the configuration.
   */
  register(name: string, fn: LocalFunction): void;
  load(name: string): FunctionLoad;
  /** Resolves when no async event is running or queued (retries and throttled events included). */
  idle(): Promise<void>;
  /** Waits for running handlers; queued events that have not started are discarded. */
  close(): Promise<void>;
}

export interface LocalLambdaOptions {
  readonly host?: string;
  readonly port?: number;
  readonly region?: string;
  readonly accountId?: string;
  /**
   * Multiplies Lambda's own delays: throttle backoff, retry delays and the event-age limit
   * (default 1 = real). Handler run time and the function timeout are never scaled.
   */
  readonly timeScale?: number;
  /** Called for each record sent to an on-failure destination. */
  readonly onDestination?: (delivery: DestinationDelivery) => void;
}

/**
 * A function registered with the settings it is deployed with (see ./settings.ts).
 * @example
 * lambda.register(settings.functionName, deployedFunction(settings, handler));
 */
export function deployedFunction(settings: FunctionSettings, handler: LocalHandler): LocalFunction {
  return {
    handler,
    timeoutMs: settings.timeoutSeconds * 1000,
    reservedConcurrency: settings.reservedConcurrency,
    maximumRetryAttempts: settings.maximumRetryAttempts,
    maximumEventAgeSeconds: settings.maximumEventAgeSeconds,
    onFailure: settings.onFailure,
  };
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const MAX_PAYLOAD_BYTES = 256 * 1024; // the async-invoke payload limit
const DEFAULT_TIMEOUT_MS = 30_000;
/** Throttled async events: 1 s after the first attempt, doubling, at most 5 min (AWS Lambda guide). */
const THROTTLE_FIRST_DELAY_MS = 1_000;
const THROTTLE_MAX_DELAY_MS = 300_000;
/** Function errors: the 2nd attempt 1 min after the 1st, the 3rd 2 min after the 2nd. */
const RETRY_DELAY_MS = 60_000;

interface QueuedEvent {
  readonly name: string;
  readonly requestId: string;
  readonly payload: unknown;
  readonly receivedAt: number;
  runs: number;
  throttles: number;
  lastError?: { errorType: string; errorMessage: string };
  timer?: NodeJS.Timeout;
}

class TaskTimedOutError extends Error {
  override name = 'Sandbox.Timedout';
}

/**
 * Start the stand-in on 127.0.0.1 (a free port unless `port` is given).
 * @example
 * const lambda = await startLocalLambda({ timeScale: 0.01 });
 * lambda.register('flip', { handler, reservedConcurrency: 1, maximumRetryAttempts: 1 });
 */
export async function startLocalLambda(options: LocalLambdaOptions = {}): Promise<LocalLambda> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const scale = options.timeScale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new RangeError(
      `startLocalLambda: timeScale must be a number > 0, got ${String(options.timeScale)}`,
    );
  }
  const functions = new Map<string, LocalFunction>();
  const invocations: InvocationRecord[] = [];
  const throttles: ThrottleRecord[] = [];
  const destinations: DestinationDelivery[] = [];
  const active = new Map<string, number>();
  const queue = new Set<QueuedEvent>();
  /** Handlers still running (a timed-out one keeps running here: it cannot be killed in-process). */
  const handlers = new Set<Promise<unknown>>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const arnOf = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  const running = (name: string) => active.get(name) ?? 0;
  const hasSlot = (name: string, fn: LocalFunction) =>
    fn.reservedConcurrency === undefined ||
    fn.reservedConcurrency === null ||
    running(name) < fn.reservedConcurrency;

  const wakeIfIdle = () => {
    if (queue.size > 0 || handlers.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  /**
   * Run the handler in one slot. Resolves with its result or rejects with its error, or with
   * `Task timed out` at the timeout; the slot stays taken until the handler really ends.
   */
  const run = (name: string, fn: LocalFunction, record: InvocationRecord): Promise<unknown> => {
    const timeoutMs = fn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const context: InvocationContext = {
      functionName: name,
      awsRequestId: record.requestId,
      invokedFunctionArn: arnOf(name),
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
    invocations.push(record);
    active.set(name, running(name) + 1);
    const handler = (async () => fn.handler(record.payload, context))();
    handlers.add(handler);
    void handler
      .catch(() => undefined)
      .finally(() => {
        active.set(name, running(name) - 1);
        handlers.delete(handler);
        wakeIfIdle();
      });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TaskTimedOutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
        timeoutMs,
      );
    });
    return Promise.race([handler, timedOut]).then(
      (result) => {
        clearTimeout(timer);
        record.outcome ??= 'ok';
        record.result = result;
        return result;
      },
      (error: unknown) => {
        clearTimeout(timer);
        record.outcome ??= error instanceof Error ? error.message : String(error);
        throw error;
      },
    );
  };

  const schedule = (event: QueuedEvent, delayMs: number) => {
    event.timer = setTimeout(() => {
      event.timer = undefined;
      void dispatch(event);
    }, delayMs);
  };

  const drop = (event: QueuedEvent, condition: DestinationRecord['requestContext']['condition']) => {
    queue.delete(event);
    const fn = functions.get(event.name);
    const record: DestinationRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: event.requestId,
        functionArn: `${arnOf(event.name)}:$LATEST`,
        condition,
        approximateInvokeCount: event.runs,
      },
      requestPayload: event.payload,
      ...(event.lastError === undefined
        ? {}
        : {
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
            responsePayload: event.lastError,
          }),
    };
    const delivery: DestinationDelivery = {
      functionName: event.name,
      destination: fn?.onFailure ?? null,
      record,
    };
    destinations.push(delivery);
    options.onDestination?.(delivery);
    wakeIfIdle();
  };

  /** One attempt to hand a queued event to its function. */
  const dispatch = async (event: QueuedEvent): Promise<void> => {
    if (closed) return;
    const fn = functions.get(event.name);
    if (!fn) {
      drop(event, 'RetriesExhausted');
      return;
    }
    const maxAgeMs = (fn.maximumEventAgeSeconds ?? LAMBDA_DEFAULT_EVENT_AGE_SECONDS) * 1000 * scale;
    if (Date.now() - event.receivedAt > maxAgeMs) {
      drop(event, 'EventAgeExceeded');
      return;
    }
    if (!hasSlot(event.name, fn)) {
      event.throttles += 1;
      const retryInMs =
        Math.min(THROTTLE_FIRST_DELAY_MS * 2 ** (event.throttles - 1), THROTTLE_MAX_DELAY_MS) * scale;
      throttles.push({
        functionName: event.name,
        type: 'Event',
        requestId: event.requestId,
        at: Date.now(),
        retryInMs,
      });
      schedule(event, retryInMs);
      return;
    }
    event.runs += 1;
    const record: InvocationRecord = {
      functionName: event.name,
      type: 'Event',
      requestId: event.requestId,
      payload: event.payload,
      attempt: event.runs,
      at: Date.now(),
    };
    try {
      await run(event.name, fn, record);
      queue.delete(event);
      wakeIfIdle();
    } catch (error) {
      event.lastError = errorBody(error);
      const retries = fn.maximumRetryAttempts ?? LAMBDA_DEFAULT_RETRY_ATTEMPTS;
      if (event.runs > retries) drop(event, 'RetriesExhausted');
      else schedule(event, RETRY_DELAY_MS * event.runs * scale);
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      sendError(res, 500, 'ServiceException', error instanceof Error ? error.message : String(error));
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      sendError(res, 404, 'UnknownOperationException', `${req.method} ${url.pathname} is not supported here`);
      return;
    }
    const name = functionNameOf(decodeURIComponent(match[1]));
    const body = await readBody(req);
    const fn = functions.get(name);
    if (!fn) {
      sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${arnOf(name)}`);
      return;
    }
    if (body.length > MAX_PAYLOAD_BYTES) {
      sendError(
        res,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes`,
      );
      return;
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      return;
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const requestId = randomUUID();
    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': requestId }).end();
      return;
    }
    if (type === 'Event') {
      const event: QueuedEvent = { name, requestId, payload, receivedAt: Date.now(), runs: 0, throttles: 0 };
      queue.add(event);
      schedule(event, 0);
      res.writeHead(202, { 'x-amzn-requestid': requestId }).end();
      return;
    }
    if (!hasSlot(name, fn)) {
      throttles.push({ functionName: name, type: 'RequestResponse', requestId, at: Date.now() });
      sendError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
      return;
    }
    const record: InvocationRecord = {
      functionName: name,
      type: 'RequestResponse',
      requestId,
      payload,
      attempt: 1,
      at: Date.now(),
    };
    try {
      const result = await run(name, fn, record);
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-executed-version': '$LATEST',
          'x-amzn-requestid': requestId,
        })
        .end(JSON.stringify(result ?? null));
    } catch (error) {
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-function-error': 'Unhandled',
          'x-amzn-requestid': requestId,
        })
        .end(JSON.stringify({ ...errorBody(error), trace: [] }));
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://${host}:${port}`,
    invocations,
    throttles,
    destinations,
    register: (name, fn) => {
      functions.set(name, { ...functions.get(name), ...definedOnly(fn) });
    },
    load: (name) => ({
      running: running(name),
      queued: [...queue].filter((e) => e.name === name).length,
    }),
    idle: () =>
      queue.size === 0 && handlers.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    close: async () => {
      closed = true;
      for (const event of queue) clearTimeout(event.timer);
      queue.clear();
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
      wakeIfIdle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function definedOnly(fn: LocalFunction): LocalFunction {
  return Object.fromEntries(
    Object.entries(fn).filter(([, value]) => value !== undefined),
  ) as unknown as LocalFunction;
}

function errorBody(error: unknown): { errorType: string; errorMessage: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  return { errorType: err.name, errorMessage: err.message };
}

/** Accepts a plain name, a partial ARN or a full ARN (with an optional qualifier), as Lambda does. */
function functionNameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn.split(':')[0] ?? nameOrArn;
  const parts = nameOrArn.split(':');
  return parts[6] ?? nameOrArn;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size <= MAX_PAYLOAD_BYTES + 1) chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
    })
    .end(JSON.stringify({ Type: 'User', message, ...extra }));
}
