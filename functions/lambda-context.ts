/**
 * The part of Lambda's context the handlers use, and the log of one invocation: every line carries
 * Lambda's request id and whether this invocation was the function's cold start, beside the
 * correlation id the use case adds — one search finds a failover from the watchdog's decision to
 * the flip's audit event and notification.
 *
 * Why not Powertools Logger: its fields (`function_request_id`, `cold_start`, `correlation_id`)
 * are what these lines carry, but it would add a dependency and bundle size to every function for
 * what twenty lines do behind the existing `Logger` port.
 */
import type { Logger } from '../shared/telemetry/log.ts';

export interface LambdaContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** Functions that have served an invocation in this process (the local stack runs several in one). */
const warm = new Set<string>();

/**
 * @example
 * const log = invocationLog('failover', rt.log, context); // {"requestId":"…","coldStart":true,…}
 */
export function invocationLog(fn: string, base: Logger, context: Partial<LambdaContext> | undefined): Logger {
  const coldStart = !warm.has(fn);
  warm.add(fn);
  return base.child({ requestId: context?.awsRequestId ?? null, coldStart });
}
