/**
 * Strict parsing of invocation payloads: unknown fields (`__proto__` and `constructor` included)
 * are rejected, never stripped, so a typo such as `{"froce": true}` cannot silently do something
 * else; and every problem comes back as a readable line, never a stack trace.
 */
import type { z } from 'zod';

export type ParsedRequest<T> =
  | { readonly ok: true; readonly request: T }
  | { readonly ok: false; readonly errors: string[] };

/**
 * A rejection lists at most this many problems and unknown keys, each key cut to a readable
 * length: the payload is the caller's, and an answer that echoed 100,000 bad array entries or a
 * megabyte-long key would itself break the response and the logs.
 */
const MAX_LISTED = 10;
const MAX_KEY_CHARS = 60;

/**
 * Parse `payload` with a strict object schema into the request, or readable errors.
 * @example
 * parseStrictPayload(z.strictObject({ service: z.string() }), { service: 'api', froce: true })
 * // => { ok: false, errors: ["payload: unknown field 'froce'; allowed: service"] }
 */
export function parseStrictPayload<S extends z.ZodObject>(
  schema: S,
  payload: unknown,
): ParsedRequest<z.infer<S>> {
  const allowed = Object.keys(schema.shape).join(', ');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, errors: [`the payload must be a JSON object with the fields: ${allowed}`] };
  }
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, request: parsed.data };
  const { issues } = parsed.error;
  const errors = issues.slice(0, MAX_LISTED).map((issue) => describeIssue(issue, payload, allowed));
  if (issues.length > MAX_LISTED) errors.push(`and ${issues.length - MAX_LISTED} more problems`);
  return { ok: false, errors };
}

function describeIssue(issue: z.core.$ZodIssue, payload: object, allowed: string): string {
  const where = issue.path.length === 0 ? 'payload' : issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${listKeys(issue.keys)}; allowed: ${
        where === 'payload' ? allowed : 'see the documentation'
      }`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`;
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
