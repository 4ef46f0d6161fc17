/**
 * The `Invoker` port over Lambda: asynchronous (`Event`) invokes of the failover and failback
 * functions, named by env `FAILOVER_FUNCTION_NAME` / `FAILBACK_FUNCTION_NAME`. Lambda queues the
 * event and answers 202; retries and event age are capped in serverless.yml.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FlipBatchInvocation, FlipInvocation, Invoker } from '../domain/ports.ts';

export class InvokeError extends Error {
  override name = 'InvokeError';
}

export interface LambdaInvokerOptions {
  readonly client: LambdaClient;
  readonly functionNames: { readonly failover: string; readonly failback: string };
  /** Bound on one invoke call (the queueing, not the run), default 5 s. */
  readonly timeoutMs?: number;
}

/**
 * @example
 * const invoker = createLambdaInvoker({ client, functionNames: flipFunctionNamesFromEnv() });
 * await invoker.invoke('failover', { service: 'payments-api', epoch: 3, reason, evidence });
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): Invoker {
  const encoder = new TextEncoder();
  return {
    async invoke(fn, payload: FlipInvocation | FlipBatchInvocation) {
      const out = await options.client.send(
        new InvokeCommand({
          FunctionName: options.functionNames[fn],
          InvocationType: 'Event',
          Payload: encoder.encode(JSON.stringify(payload)),
        }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 5_000) },
      );
      if (out.StatusCode !== 202) {
        throw new InvokeError(
          `Invoking ${options.functionNames[fn]} returned status ${out.StatusCode}, expected 202`,
        );
      }
    },
  };
}

/** The flip functions' names from the environment; a clear error names the missing variable. */
export function flipFunctionNamesFromEnv(env: NodeJS.ProcessEnv = process.env): {
  failover: string;
  failback: string;
} {
  const failover = env.FAILOVER_FUNCTION_NAME;
  const failback = env.FAILBACK_FUNCTION_NAME;
  const missing = [!failover && 'FAILOVER_FUNCTION_NAME', !failback && 'FAILBACK_FUNCTION_NAME'].filter(
    Boolean,
  );
  if (!failover || !failback) {
    throw new InvokeError(
      `Missing environment variable(s) ${missing.join(', ')}: the watchdog needs the flip functions' names.`,
    );
  }
  return { failover, failback };
}
