/**
 * The payload of the failover and failback functions, parsed strictly: unknown fields
 * (`__proto__` and `constructor` included) are rejected, never stripped, so a typo such as
 * `{"servce": ...}` or `{"froce": true}` cannot silently do something else.
 */
import { z } from 'zod';
import type { Evidence } from '../domain/events.ts';

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

export type ParsedRequest<T> =
  | { readonly ok: true; readonly request: T }
  | { readonly ok: false; readonly errors: string[] };

const ALLOWED_FIELDS = Object.keys(flipRequest.shape).join(', ');

/**
 * A rejection lists at most this many problems and unknown keys, each key cut to a readable
 * length: the payload is the caller's, and an answer that echoed 100,000 bad array entries or a
 * megabyte-long key would itself break the response and the logs.
 */
const MAX_LISTED = 10;
const MAX_KEY_CHARS = 60;

/**
 * Parse an invocation payload into a {@link FlipRequest}, or readable errors.
 * @example
 * parseFlipRequest({ service: 'payments-api', reason: 'planned maintenance', requestedBy: 'alice' })
 * // => { ok: true, request: { service: 'payments-api', ... } }
 */
export function parseFlipRequest(payload: unknown): ParsedRequest<FlipRequest> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, errors: [`the payload must be a JSON object with the fields: ${ALLOWED_FIELDS}`] };
  }
  const parsed = flipRequest.safeParse(payload);
  if (parsed.success) return { ok: true, request: parsed.data };
  const { issues } = parsed.error;
  const errors = issues.slice(0, MAX_LISTED).map((issue) => describeIssue(issue, payload));
  if (issues.length > MAX_LISTED) errors.push(`and ${issues.length - MAX_LISTED} more problems`);
  return { ok: false, errors };
}

function describeIssue(issue: z.core.$ZodIssue, payload: object): string {
  const where = issue.path.length === 0 ? 'payload' : issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${listKeys(issue.keys)}; allowed: ${
        where === 'payload' ? ALLOWED_FIELDS : 'see the documentation'
      }`;
    case 'too_big':
      return issue.origin === 'string'
        ? `${where}: at most ${issue.maximum} characters`
        : `${where}: at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `${where}: must not be empty`
        : `${where}: at least ${issue.minimum}`;
    case 'invalid_type':
      return `${where}: expected ${issue.expected}${isMissing(payload, issue.path) ? ' (missing)' : ''}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function listKeys(keys: readonly string[]): string {
  const shown = keys
    .slice(0, MAX_LISTED)
    .map((key) => `'${key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS)}...` : key}'`);
  return keys.length > MAX_LISTED
    ? `${shown.join(', ')} and ${keys.length - MAX_LISTED} more`
    : shown.join(', ');
}

function isMissing(payload: object, path: readonly PropertyKey[]): boolean {
  let node: unknown = payload;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return true;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return false;
}
