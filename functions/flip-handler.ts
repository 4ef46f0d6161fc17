/**
 * What the failover, failback and forced-flip Lambdas share: build the use case's ports from the
 * runtime and bound the INSYNC wait by the invocation's remaining time.
 */
import middy from '@middy/core';
import { type Direction, type FlipDeps, type FlipResponse, runFlip } from '../shared/controller/flip.ts';
import { type FlipBatchResponse, isFlipBatch, runFlipBatch } from '../shared/controller/flip-batch.ts';
import { runForcedFlip } from '../shared/controller/forced-flip.ts';
import { type Runtime, runtime } from '../shared/controller/runtime.ts';
import { type LambdaContext as Context, invocationLog } from './lambda-context.ts';
import { logErrors } from './middleware.ts';

/** Kept free at the end of an invocation for notifications and the audit write. */
const END_MARGIN_MS = 15_000;

/** middy passes its abort signal as the handler's third argument: aborted just before the timeout. */
interface Options {
  readonly signal?: AbortSignal;
}

function flipDeps(fn: string, rt: Runtime, context: Context, options: Options | undefined): FlipDeps {
  return {
    ...rt,
    log: invocationLog(fn, rt.log, context),
    ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
    ...(options?.signal ? { signal: options.signal } : {}),
    services: rt.config.services,
    inSyncWaitMs: Math.max(0, Math.min(30_000, context.getRemainingTimeInMillis() - END_MARGIN_MS)),
  };
}

export function flipHandler(direction: Direction, getRuntime: () => Runtime = () => runtime(direction)) {
  // One request (an operator's, or an older watchdog's), or the watchdog's batch of moves of a zone.
  const flip = async (
    event: unknown,
    context: Context,
    options?: Options,
  ): Promise<FlipResponse | FlipBatchResponse> => {
    const deps = flipDeps(direction, getRuntime(), context, options);
    return isFlipBatch(event) ? runFlipBatch(deps, direction, event) : runFlip(deps, direction, event);
  };
  return middy(flip).use(logErrors(direction));
}

/** The forced-flip Lambda: `{ direction, service, reason, requestedBy? }`, the only way to `force`. */
export function forcedFlipHandler(getRuntime: () => Runtime = () => runtime('forced')) {
  const forced = async (event: unknown, context: Context, options?: Options): Promise<FlipResponse> =>
    runForcedFlip(flipDeps('forced', getRuntime(), context, options), event);
  return middy(forced).use(logErrors('forced'));
}
