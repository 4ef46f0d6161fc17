/**
 * A local stand-in for the Lambda Invoke API: the real `@aws-sdk/client-lambda` (pointed here by
 * `AWS_ENDPOINT_URL_LAMBDA`) invokes handlers that run in this process.
 *
 * - `POST /2015-03-31/functions/{name}/invocations` with `X-Amz-Invocation-Type: Event` answers
 *   202 at once and runs the handler in the background (as Lambda's async invoke does), retrying a
 *   failed run up to the function's `maximumRetryAttempts`.
 * - `RequestResponse` (the default) runs the handler and answers 200 with its JSON result, or
 *   200 with `X-Amz-Function-Error: Unhandled` and an error body when it throws.
 * - `DryRun` answers 204 after checking the function exists.
 * - An unknown function answers 404 `ResourceNotFoundException`, as the real service does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  /** Lambda's timeout for the function, in ms (default 30 s): the context's remaining time counts down from it. */
  readonly timeoutMs?: number;
  /** Retries of a failed async invocation (Lambda's `MaximumRetryAttempts`, default 0 here). */
  readonly maximumRetryAttempts?: number;
}

export interface InvocationRecord {
  readonly functionName: string;
  readonly type: 'Event' | 'RequestResponse';
  readonly payload: unknown;
  readonly attempt: number;
  readonly at: number;
  /** 'ok' or the error message of a failed run; undefined while running. */
  outcome?: string;
  result?: unknown;
}

export interface LocalLambda {
  readonly endpoint: string;
  /** Every run of every function, in start order (a retried async event appears once per attempt). */
  readonly invocations: readonly InvocationRecord[];
  register(name: string, fn: LocalFunction): void;
  /** Resolves when no async invocation is running or queued. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalLambdaOptions {
  readonly host?: string;
  readonly port?: number;
  readonly region?: string;
  readonly accountId?: string;
  /** Called when an async run fails for good (after its retries): Lambda's on-failure destination. */
  readonly onAsyncFailure?: (record: InvocationRecord, error: unknown) => void;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const MAX_PAYLOAD_BYTES = 256 * 1024; // the async-invoke payload limit

export async function startLocalLambda(options: LocalLambdaOptions = {}): Promise<LocalLambda> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const functions = new Map<string, LocalFunction>();
  const invocations: InvocationRecord[] = [];
  const running = new Set<Promise<void>>();
  let idleWaiters: (() => void)[] = [];

  const run = async (name: string, fn: LocalFunction, record: InvocationRecord): Promise<unknown> => {
    const timeoutMs = fn.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const context: InvocationContext = {
      functionName: name,
      awsRequestId: randomUUID(),
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
    invocations.push(record);
    try {
      const result = await fn.handler(record.payload, context);
      record.outcome = 'ok';
      record.result = result;
      return result;
    } catch (error) {
      record.outcome = error instanceof Error ? error.message : String(error);
      throw error;
    }
  };

  const runAsync = (name: string, fn: LocalFunction, payload: unknown): void => {
    const task = (async () => {
      const attempts = 1 + (fn.maximumRetryAttempts ?? 0);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const record: InvocationRecord = {
          functionName: name,
          type: 'Event',
          payload,
          attempt,
          at: Date.now(),
        };
        try {
          await run(name, fn, record);
          return;
        } catch (error) {
          if (attempt === attempts) options.onAsyncFailure?.(record, error);
        }
      }
    })();
    running.add(task);
    void task.finally(() => {
      running.delete(task);
      if (running.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
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
      const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
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
    if (type === 'DryRun') {
      res.writeHead(204).end();
      return;
    }
    if (type === 'Event') {
      runAsync(name, fn, payload);
      res.writeHead(202, { 'x-amzn-requestid': randomUUID() }).end();
      return;
    }
    const record: InvocationRecord = {
      functionName: name,
      type: 'RequestResponse',
      payload,
      attempt: 1,
      at: Date.now(),
    };
    try {
      const result = await run(name, fn, record);
      const text = JSON.stringify(result ?? null);
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
        .end(text);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const text = JSON.stringify({ errorType: err.name, errorMessage: err.message, trace: [] });
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
        .end(text);
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
    register: (name, fn) => {
      functions.set(name, fn);
    },
    idle: () =>
      running.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    close: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
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

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
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
    .end(JSON.stringify({ Type: 'User', message }));
}
