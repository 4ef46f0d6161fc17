/**
 * The forced-flip use case: an operator moves traffic even though the target fails its re-check
 * (a data-centre fire, a standby known to serve despite a failing health check). It runs the same
 * flip as the failover and failback functions — fence, claim, compare-and-swap, record, notify,
 * audit — with `force`, and is its own Lambda function so IAM can allow planned flips without
 * allowing force (issue #18).
 *
 * Payload: `{ direction: 'failover' | 'failback', service, reason, requestedBy?, dryRun? }`; a
 * reason is required (it is recorded with the forced hold), an epoch or evidence is refused (the
 * watchdog never forces).
 */
import { z } from 'zod';
import { type FlipDeps, type FlipResponse, runFlip } from './flip.ts';
import { MAX_REASON_CHARS } from './flip-request.ts';
import { parseStrictPayload } from './strict-payload.ts';

const envelope = z.strictObject({
  direction: z.enum(['failover', 'failback']),
  service: z.string().min(1).max(64),
  reason: z.string().min(1).max(MAX_REASON_CHARS),
  to: z.string().optional(),
  requestedBy: z.string().optional(),
  dryRun: z.boolean().optional(),
});

/**
 * @example
 * await runForcedFlip(deps, { direction: 'failover', service: 'payments-api', reason: 'dc fire', requestedBy: 'alice' });
 * // => { outcome: 'failed-over', message: 'Moved payments-api ... (forced: ...)', ... }
 */
export async function runForcedFlip(deps: FlipDeps, payload: unknown): Promise<FlipResponse> {
  const parsed = parseStrictPayload(envelope, payload);
  if (!parsed.ok) {
    const service =
      typeof payload === 'object' &&
      payload !== null &&
      'service' in payload &&
      typeof payload.service === 'string'
        ? payload.service.slice(0, 64)
        : '';
    return {
      service,
      outcome: 'rejected',
      message: `Request rejected: ${parsed.errors.join('; ')}`,
      errors: parsed.errors,
    };
  }
  const { direction, ...request } = parsed.request;
  return runFlip(deps, direction, { ...request, force: true }, { allowForce: true });
}
