/**
 * The payload of the failover and failback functions, parsed strictly (see strict-payload.ts).
 */
import { z } from 'zod';
import type { Evidence } from '../domain/events.ts';
import {
  MAX_CHECK_LABEL_CHARS,
  MAX_CHECK_LATENCY_MS,
  MAX_CHECK_REASON_CHARS,
  MAX_CHECKS_PER_TARGET,
  MAX_FLIP_REASON_CHARS,
  MAX_REQUESTED_BY_CHARS,
  MAX_SERVICE_NAME_CHARS,
} from '../domain/limits.ts';
import { type ParsedRequest, parseStrictPayload } from './strict-payload.ts';

// The limits are the configuration's too (see limits.ts): the watchdog's own requests always fit.
export { MAX_FLIP_REASON_CHARS as MAX_REASON_CHARS, MAX_REQUESTED_BY_CHARS } from '../domain/limits.ts';

const checkResult = z.strictObject({
  check: z.string().max(MAX_CHECK_LABEL_CHARS),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative().max(MAX_CHECK_LATENCY_MS),
  reason: z.string().max(MAX_CHECK_REASON_CHARS),
});

const evidence = z.strictObject({
  primary: z.array(checkResult).max(MAX_CHECKS_PER_TARGET),
  secondary: z.array(checkResult).max(MAX_CHECKS_PER_TARGET),
});

const flipRequest = z.strictObject({
  service: z.string().min(1).max(MAX_SERVICE_NAME_CHARS),
  reason: z.string().max(MAX_FLIP_REASON_CHARS).optional(),
  requestedBy: z.string().min(1).max(MAX_REQUESTED_BY_CHARS).optional(),
  /** Set by the watchdog: the epoch it decided on. Absent for an operator's request. */
  epoch: z.number().int().nonnegative().optional(),
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  evidence: evidence.optional(),
});

export interface FlipRequest {
  readonly service: string;
  readonly reason?: string;
  readonly requestedBy?: string;
  readonly epoch?: number;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly evidence?: Evidence;
}

export type { ParsedRequest } from './strict-payload.ts';

/**
 * Parse an invocation payload into a {@link FlipRequest}, or readable errors.
 * @example
 * parseFlipRequest({ service: 'payments-api', reason: 'planned maintenance', requestedBy: 'alice' })
 * // => { ok: true, request: { service: 'payments-api', ... } }
 */
export function parseFlipRequest(payload: unknown): ParsedRequest<FlipRequest> {
  return parseStrictPayload(flipRequest, payload);
}
