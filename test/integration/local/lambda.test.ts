import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DestinationDelivery,
  type LocalLambda,
  type LocalLambdaOptions,
  startLocalLambda,
} from '../../../local/lambda/index.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that holds its slot until released. */
function gate() {
  let release: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
}

describe('local Lambda invoke stand-in', () => {
  let lambda: LocalLambda;
  let client: LambdaClient;
  let delivered: DestinationDelivery[];

  const restart = async (options: LocalLambdaOptions = {}) => {
    client?.destroy();
    await lambda?.close();
    delivered = [];
    lambda = await startLocalLambda({ ...options, onDestination: (d) => delivered.push(d) });
    client = new LambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
  };
  const send = (name: string, payload: unknown = {}) =>
    client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: encode(payload) }));

  beforeEach(async () => {
    await restart();
  });

  afterEach(async () => {
    client.destroy();
    await lambda.close();
  });

  it('runs a request-response invocation and returns the handler result', async () => {
    lambda.register('echo', { handler: async (event) => ({ got: event }) });

    const out = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: encode({ a: 1 }) }));

    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ got: { a: 1 } });
  });

  it('answers an Event invocation with 202 before the handler finishes, then runs it', async () => {
    const { opened, release } = gate();
    const seen: unknown[] = [];
    lambda.register('slow', {
      handler: async (event) => {
        await opened;
        seen.push(event);
      },
    });

    const out = await send('slow', { n: 7 });
    expect(out.StatusCode).toBe(202);
    expect(seen).toEqual([]);

    release();
    await lambda.idle();
    expect(seen).toEqual([{ n: 7 }]);
  });

  it('marks a thrown request-response invocation as an unhandled function error', async () => {
    lambda.register('crash', {
      handler: async () => {
        throw new TypeError('bad thing');
      },
    });

    const out = await client.send(new InvokeCommand({ FunctionName: 'crash', Payload: encode({}) }));

    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad thing' });
  });

  it('raises ResourceNotFoundException for an unknown function, by ARN too', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:nope';

    await expect(
      client.send(new InvokeCommand({ FunctionName: arn, Payload: encode({}) })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('gives the handler a context whose remaining time counts down from the function timeout', async () => {
    lambda.register('ctx', {
      timeoutMs: 5_000,
      handler: async (_event, context) => ({
        remaining: context.getRemainingTimeInMillis(),
        name: context.functionName,
      }),
    });

    const out = await client.send(new InvokeCommand({ FunctionName: 'ctx', Payload: encode({}) }));
    const result = decode(out.Payload) as { remaining: number; name: string };

    expect(result.name).toBe('ctx');
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(5_000);
  });

  it('fails a run that outlives the function timeout with Lambda’s timeout error', async () => {
    lambda.register('stuck', { timeoutMs: 50, handler: () => sleep(300) });

    const out = await client.send(new InvokeCommand({ FunctionName: 'stuck', Payload: encode({}) }));

    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorMessage: 'Task timed out after 0.05 seconds' });
  });

  describe('concurrency', () => {
    it('answers a request-response invocation past the reserved concurrency with 429 TooManyRequestsException', async () => {
      const { opened, release } = gate();
      lambda.register('one', { reservedConcurrency: 1, handler: () => opened });
      const held = client.send(new InvokeCommand({ FunctionName: 'one', Payload: encode({}) }));
      await sleep(50);

      const refused = await client
        .send(new InvokeCommand({ FunctionName: 'one', Payload: encode({}) }))
        .catch((error: unknown) => error);
      release();
      await held;

      expect(refused).toBeInstanceOf(TooManyRequestsException);
      expect(refused).toMatchObject({
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        $metadata: { httpStatusCode: 429 },
      });
      expect(lambda.throttles.map((t) => t.type)).toEqual(['RequestResponse']);
    });

    it('is retried by the SDK as a throttle, then surfaces after the last attempt', async () => {
      const { opened, release } = gate();
      lambda.register('one', { reservedConcurrency: 1, handler: () => opened });
      const held = client.send(new InvokeCommand({ FunctionName: 'one', Payload: encode({}) }));
      await sleep(50);
      const retrying = new LambdaClient({ endpoint: lambda.endpoint, maxAttempts: 3 });

      const refused = await retrying
        .send(new InvokeCommand({ FunctionName: 'one', Payload: encode({}) }))
        .catch((error: unknown) => error);
      retrying.destroy();
      release();
      await held;

      expect(refused).toMatchObject({ name: 'TooManyRequestsException', $metadata: { attempts: 3 } });
      expect(lambda.throttles).toHaveLength(3);
    });

    it('runs queued events one at a time under reserved concurrency 1, none lost', async () => {
      await restart({ timeScale: 0.01 });
      let running = 0;
      let most = 0;
      const done: number[] = [];
      lambda.register('serial', {
        reservedConcurrency: 1,
        handler: async (event) => {
          running += 1;
          most = Math.max(most, running);
          await sleep(30);
          running -= 1;
          done.push((event as { n: number }).n);
        },
      });

      for (const n of [1, 2, 3, 4]) await send('serial', { n });
      await lambda.idle();

      expect(most).toBe(1);
      expect([...done].sort()).toEqual([1, 2, 3, 4]);
      expect(lambda.throttles.length).toBeGreaterThan(0);
      expect(lambda.throttles.every((t) => t.type === 'Event')).toBe(true);
    });

    it('counts request-response runs against the same slots as async events', async () => {
      await restart({ timeScale: 0.01 });
      const { opened, release } = gate();
      const runs: string[] = [];
      lambda.register('shared', {
        reservedConcurrency: 1,
        handler: async (event) => {
          runs.push((event as { by: string }).by);
          if ((event as { by: string }).by === 'sync') await opened;
        },
      });
      const held = client.send(
        new InvokeCommand({ FunctionName: 'shared', Payload: encode({ by: 'sync' }) }),
      );
      await sleep(30);

      await send('shared', { by: 'async' });
      await sleep(100);
      expect(runs).toEqual(['sync']);
      release();
      await held;
      await lambda.idle();

      expect(runs).toEqual(['sync', 'async']);
    });

    it('backs a throttled event off 1 s, 2 s, 4 s ... up to 5 min (here scaled by 0.001)', async () => {
      await restart({ timeScale: 0.001 });
      const { opened, release } = gate();
      lambda.register('busy', { reservedConcurrency: 1, handler: () => opened });
      await client.send(
        new InvokeCommand({ FunctionName: 'busy', InvocationType: 'Event', Payload: encode({}) }),
      );
      await sleep(20);

      await send('busy', { second: true });
      while (lambda.throttles.length < 11) await sleep(50);
      release();
      await lambda.idle();

      const delays = lambda.throttles.slice(0, 11).map((t) => t.retryInMs);
      expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    });

    it('throttles every invocation of a function with reserved concurrency 0', async () => {
      lambda.register('off', { reservedConcurrency: 0, handler: async () => 'ran' });

      await expect(
        client.send(new InvokeCommand({ FunctionName: 'off', Payload: encode({}) })),
      ).rejects.toMatchObject({
        name: 'TooManyRequestsException',
      });
      expect(lambda.invocations).toEqual([]);
    });

    it('runs an unreserved function’s invocations all at once', async () => {
      let running = 0;
      let most = 0;
      lambda.register('free', {
        handler: async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(50);
          running -= 1;
        },
      });

      await Promise.all(
        [1, 2, 3].map(() => client.send(new InvokeCommand({ FunctionName: 'free', Payload: encode({}) }))),
      );

      expect(most).toBe(3);
      expect(lambda.throttles).toEqual([]);
    });
  });

  describe('async retries and the on-failure destination', () => {
    it('retries a failed event maximumRetryAttempts times, 1 min then 2 min apart (scaled), then reports RetriesExhausted', async () => {
      await restart({ timeScale: 0.002 });
      lambda.register('crash', {
        maximumRetryAttempts: 2,
        onFailure: 'arn:aws:sns:us-east-1:000000000000:failures',
        handler: async () => {
          throw new Error('boom');
        },
      });

      await send('crash', { order: 9 });
      await lambda.idle();

      const runs = lambda.invocations;
      expect(runs.map((r) => [r.attempt, r.outcome])).toEqual([
        [1, 'boom'],
        [2, 'boom'],
        [3, 'boom'],
      ]);
      expect(new Set(runs.map((r) => r.requestId)).size).toBe(1);
      const [first, second, third] = runs.map((r) => r.at);
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(120); // 60 s x 0.002
      expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(240); // 120 s x 0.002
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({
        functionName: 'crash',
        destination: 'arn:aws:sns:us-east-1:000000000000:failures',
        record: {
          version: '1.0',
          requestContext: {
            requestId: runs[0]?.requestId,
            functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:crash:$LATEST',
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: { order: 9 },
          responseContext: { statusCode: 200, functionError: 'Unhandled' },
          responsePayload: { errorType: 'Error', errorMessage: 'boom' },
        },
      });
    });

    it('runs a failed event once when maximumRetryAttempts is 0', async () => {
      lambda.register('once', {
        maximumRetryAttempts: 0,
        handler: async () => {
          throw new Error('no');
        },
      });

      await send('once');
      await lambda.idle();

      expect(lambda.invocations).toHaveLength(1);
      expect(delivered.map((d) => d.record.requestContext.condition)).toEqual(['RetriesExhausted']);
      expect(delivered[0]?.destination).toBeNull();
    });

    it('drops an event that waited for a slot longer than maximumEventAge, never running it', async () => {
      await restart({ timeScale: 0.01 });
      const { opened, release } = gate();
      lambda.register('jammed', {
        reservedConcurrency: 1,
        maximumEventAgeSeconds: 60, // 600 ms here
        onFailure: 'Ref:NotificationsTopic',
        handler: async (event) => {
          if ((event as { hold?: boolean }).hold) await opened;
        },
      });
      await send('jammed', { hold: true });
      await sleep(20);

      await send('jammed', { late: true });
      while (delivered.length === 0) await sleep(50);
      release();
      await lambda.idle();

      expect(lambda.invocations.map((r) => r.payload)).toEqual([{ hold: true }]);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.destination).toBe('Ref:NotificationsTopic');
      expect(delivered[0]?.record.requestContext).toMatchObject({
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 0,
      });
      expect(delivered[0]?.record.requestPayload).toEqual({ late: true });
      expect(delivered[0]?.record.responsePayload).toBeUndefined();
    });

    it('drops a retry that would run past maximumEventAge instead of running it', async () => {
      await restart({ timeScale: 0.005 });
      lambda.register('aging', {
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 60, // the first retry comes 60 s after the first run ended: too old
        handler: async () => {
          await sleep(20); // the run's own time counts toward the event's age
          throw new Error('fails');
        },
      });

      await send('aging');
      await lambda.idle();

      expect(lambda.invocations).toHaveLength(1);
      expect(delivered[0]?.record.requestContext).toMatchObject({
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 1,
      });
      expect(delivered[0]?.record.responsePayload).toEqual({ errorType: 'Error', errorMessage: 'fails' });
    });

    it('keeps a function’s settings when only its handler is replaced', async () => {
      lambda.register('kept', { reservedConcurrency: 0, handler: async () => 'old' });
      lambda.register('kept', { handler: async () => 'new' });

      await expect(
        client.send(new InvokeCommand({ FunctionName: 'kept', Payload: encode({}) })),
      ).rejects.toMatchObject({
        name: 'TooManyRequestsException',
      });
    });
  });

  it('refuses a time scale that is not a positive number', async () => {
    await expect(startLocalLambda({ timeScale: 0 })).rejects.toThrow(/timeScale must be a number > 0/);
  });
});
