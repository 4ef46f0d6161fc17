/**
 * `invokeFunction` turns any throttle the Lambda API answers (not only the concurrency 429 of the
 * stand-in) into the operator's "busy" answer, honouring a Retry-After the service sends. A real
 * HTTP server on 127.0.0.1 plays a Lambda endpoint that throttles every request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../cli/context.ts';
import { FunctionBusyError, invokeFunction } from '../../../cli/invoke.ts';

interface Throttle {
  readonly type: string;
  readonly headers?: Record<string, string>;
}

describe('invokeFunction under throttling', () => {
  let server: Server;
  let answer: Throttle = { type: 'ThrottlingException' };
  let requests = 0;
  const previous = process.env.AWS_ENDPOINT_URL_LAMBDA;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => {
        res
          .writeHead(429, {
            'content-type': 'application/json',
            'x-amzn-errortype': answer.type,
            ...answer.headers,
          })
          .end(JSON.stringify({ Type: 'User', message: 'Rate exceeded' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    requests = 0;
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    else process.env.AWS_ENDPOINT_URL_LAMBDA = previous;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const invoke = async () => {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const env = { ...process.env, FAILOVER_CONFIG: '/nonexistent/failover.config.yml' };
    const ctx = createContext(
      { out: sink, err: sink, env },
      { stage: 'test', region: 'us-east-1', debug: false },
    );
    try {
      return await invokeFunction(ctx, 'failover', { service: 'payments-api' }).catch(
        (error: unknown) => error,
      );
    } finally {
      ctx.close();
    }
  };

  it('answers a throttled SDK error with busy and a retry time, after the SDK’s own retries', async () => {
    answer = { type: 'ThrottlingException' };

    const error = await invoke();

    expect(error).toBeInstanceOf(FunctionBusyError);
    expect((error as Error).message).toMatch(/^busy: other flips are running; retry in 30 s\. /);
    expect((error as Error).message).not.toMatch(/ThrottlingException|Rate exceeded/);
    expect(requests).toBe(3);
  });

  // The SDK also waits Retry-After between its own attempts: 1 s keeps this test short.
  it('takes the retry time from Retry-After when Lambda sends one', async () => {
    answer = { type: 'TooManyRequestsException', headers: { 'retry-after': '1' } };

    const error = await invoke();

    expect(error).toMatchObject({ name: 'FunctionBusyError', retryAfterSeconds: 1 });
    expect((error as Error).message).toContain('retry in 1 s.');
  });
});
