/**
 * The signature of webhook deliveries, for the sender and for receivers:
 * `X-Failover-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Signing the timestamp with the body lets a receiver reject replays of an old delivery.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Failover-Signature';

/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The header value that signs `rawBody` at `nowMs`.
 *
 * @example
 * signWebhookBody('{"event":"failover"}', 'whsec', 1_790_000_000_000);
 * // 't=1790000000,v1=5f1c...'
 */
export function signWebhookBody(rawBody: string, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

export type SignatureVerdict =
  | { readonly valid: true /** The signed time, unix seconds. */; readonly timestamp: number }
  | {
      readonly valid: false;
      readonly reason: 'missing-header' | 'malformed-header' | 'too-old' | 'in-the-future' | 'mismatch';
    };

export interface VerifyOptions {
  /** Largest accepted distance between the signed time and `now`. Default 300 s. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, epoch milliseconds. Default `Date.now()`. */
  readonly now?: number;
}

/**
 * Verify a delivery as received: the raw body exactly as it arrived (not re-serialized JSON), the
 * `X-Failover-Signature` header, and the shared secret. Pass several secrets while rotating one.
 * The comparison is constant-time; a timestamp more than `toleranceSeconds` away from `now` is rejected.
 *
 * @example
 * const verdict = verifyWebhookSignature(rawBody, req.headers['x-failover-signature'], process.env.HMAC_SECRET);
 * if (!verdict.valid) return reply(401, verdict.reason);
 */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | readonly string[] | null | undefined,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): SignatureVerdict {
  // Node gives a repeated header as an array: the first one counts.
  const value = typeof header === 'string' || header === null || header === undefined ? header : header[0];
  if (typeof value !== 'string' || value.trim() === '') return { valid: false, reason: 'missing-header' };
  const parsed = parseSignatureHeader(value);
  if (parsed === null) return { valid: false, reason: 'malformed-header' };

  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (parsed.timestamp < nowSeconds - tolerance) return { valid: false, reason: 'too-old' };
  if (parsed.timestamp > nowSeconds + tolerance) return { valid: false, reason: 'in-the-future' };

  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let matched = false;
  // Compare every candidate against every secret (no early exit), so timing says nothing about which.
  for (const each of secrets) {
    const expected = Buffer.from(hmacHex(each, parsed.timestamp, body), 'hex');
    for (const candidate of parsed.signatures) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched ? { valid: true, timestamp: parsed.timestamp } : { valid: false, reason: 'mismatch' };
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** `t=1790000000,v1=ab12...[,v1=...]`; unknown schemes (`v0=`) are ignored. */
function parseSignatureHeader(value: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const field = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(field)) return null;
      timestamp = Number(field);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(field)) return null;
      signatures.push(Buffer.from(field, 'hex'));
    }
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}
