/**
 * A middy middleware that logs an invocation's error as one structured line before Lambda sees it
 * (so the alarm's cause is one search away), then lets it propagate: a failed async invocation
 * must fail, to be retried once and reach the on-failure destination.
 */
import type middy from '@middy/core';
import { createLogger } from '../shared/telemetry/log.ts';

export function logErrors(fn: string): middy.MiddlewareObj {
  const log = createLogger({ fn });
  return {
    onError: async (request) => {
      const error = request.error;
      const context: { awsRequestId?: unknown } = request.context ?? {};
      log.error('invocation failed', {
        requestId: typeof context.awsRequestId === 'string' ? context.awsRequestId : null,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
    },
  };
}
