/**
 * The local stack runs the flip functions with their deployed Lambda settings: one slot for the
 * failover (reserved concurrency from serverless.yml), and a flip event that waits past its
 * maximum age is dropped to the on-failure destination and logged, never lost silently.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLIP_FUNCTIONS, type LocalStack, startLocalStack } from '../../../local/stack.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local stack Lambda settings', () => {
  let stack: LocalStack;
  let client: LambdaClient;

  beforeAll(async () => {
    stack = await startLocalStack({ timeScale: 0.01 });
    client = new LambdaClient({ maxAttempts: 1 });
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await stack?.close();
  });

  it('holds a failover event past its maximum age while the one slot is taken, then drops and logs it', async () => {
    const failover = stack.settings.functions.get('failover');
    expect(failover?.reservedConcurrency).toBe(1);
    let release: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      release = resolve;
    });
    stack.lambda.register(FLIP_FUNCTIONS.failover, { handler: () => opened });
    const logged: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });

    try {
      await client.send(
        new InvokeCommand({
          FunctionName: FLIP_FUNCTIONS.failover,
          InvocationType: 'Event',
          Payload: encode({ n: 1 }),
        }),
      );
      await sleep(50);
      const refused = await client
        .send(new InvokeCommand({ FunctionName: FLIP_FUNCTIONS.failover, Payload: encode({ n: 2 }) }))
        .catch((error: unknown) => error);
      await client.send(
        new InvokeCommand({
          FunctionName: FLIP_FUNCTIONS.failover,
          InvocationType: 'Event',
          Payload: encode({ n: 3 }),
        }),
      );
      while (stack.lambda.destinations.length === 0) await sleep(50);

      expect(refused).toMatchObject({ name: 'TooManyRequestsException' });
      expect(stack.lambda.destinations[0]).toMatchObject({
        functionName: FLIP_FUNCTIONS.failover,
        destination: failover?.onFailure ?? null,
        record: { requestContext: { condition: 'EventAgeExceeded' }, requestPayload: { n: 3 } },
      });
      expect(logged.join('')).toContain(
        `lambda: async event for ${FLIP_FUNCTIONS.failover} not processed (EventAgeExceeded)`,
      );
    } finally {
      write.mockRestore();
      release();
      await stack.lambda.idle();
    }
  });
});
