import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalLambda, startLocalLambda } from '../../../local/lambda/index.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

describe('local Lambda invoke stand-in', () => {
  let lambda: LocalLambda;
  let client: LambdaClient;

  beforeEach(async () => {
    lambda = await startLocalLambda();
    client = new LambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
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
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: unknown[] = [];
    lambda.register('slow', {
      handler: async (event) => {
        await gate;
        seen.push(event);
      },
    });

    const out = await client.send(
      new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: encode({ n: 7 }) }),
    );
    expect(out.StatusCode).toBe(202);
    expect(seen).toEqual([]);

    release();
    await lambda.idle();
    expect(seen).toEqual([{ n: 7 }]);
  });

  it('retries a failed async run up to maximumRetryAttempts and reports the final failure', async () => {
    const failures: string[] = [];
    await lambda.close();
    lambda = await startLocalLambda({ onAsyncFailure: (record) => failures.push(`${record.attempt}`) });
    client = new LambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
    lambda.register('crash', {
      maximumRetryAttempts: 1,
      handler: async () => {
        throw new Error('boom');
      },
    });

    await client.send(
      new InvokeCommand({ FunctionName: 'crash', InvocationType: 'Event', Payload: encode({}) }),
    );
    await lambda.idle();

    expect(lambda.invocations.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'boom'],
      [2, 'boom'],
    ]);
    expect(failures).toEqual(['2']);
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
});
