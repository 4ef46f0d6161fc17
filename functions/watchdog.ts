/**
 * The watchdog Lambda: scheduled every minute; probes every `probeIntervalSeconds` until the next
 * scheduled run takes over (or the run's time is nearly up). Thin: parse, call the use case, map the result.
 */
import middy from '@middy/core';
import { type Runtime, runtime } from '../shared/controller/runtime.ts';
import { runWatchdog, type WatchdogReport } from '../shared/controller/watchdog.ts';
import { type LambdaContext as Context, invocationLog } from './lambda-context.ts';
import { logErrors } from './middleware.ts';

interface ScheduledEvent {
  readonly time?: unknown;
  /** The schedule's period (serverless.yml's Input): runs that know it overlap and hand over. */
  readonly periodSeconds?: unknown;
}

export function watchdogHandler(getRuntime: () => Runtime = () => runtime('watchdog')) {
  const watchdog = async (
    event: ScheduledEvent | null,
    context: Context,
    options?: { readonly signal?: AbortSignal },
  ): Promise<WatchdogReport> => {
    const rt = getRuntime();
    const log = invocationLog('watchdog', rt.log, context);
    const vantages = rt.config.vantages;
    const quorum =
      vantages === undefined ? {} : { quorum: { vantages, vantage: rt.vantage, votes: rt.votes } };
    return runWatchdog(
      { ...rt, log, services: rt.config.services, invoker: rt.invoker(), ...quorum },
      event ?? {},
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
        ...(options?.signal ? { signal: options.signal } : {}),
      },
    );
  };
  return middy(watchdog).use(logErrors('watchdog'));
}

export const handler = watchdogHandler();
