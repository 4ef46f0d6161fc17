/**
 * The payload of the failover and failback functions, parsed strictly (see strict-payload.ts).
 */
import { z } from 'zod';
import type { Evidence } from '../domain/events.ts';
import { type ParsedRequest, parseStrictPayload } from './strict-payload.ts';

export const MAX_REASON_CHARS = 1_000;
export const MAX_REQUESTED_BY_CHARS = 200;

const checkResult = z.strictObject({
  check: z.string().max(500),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative().max(3_600_000),
  reason: z.string().max(500),
});

const evidence = z.strictObject({
  primary: z.array(checkResult).max(50),
  secondary: z.array(checkResult).max(50),
});

const flipRequest = z.strictObject({
  service: z.string().min(1).max(64),
  reason: z.string().max(MAX_REASON_CHARS).optional(),
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
