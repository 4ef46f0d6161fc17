/**
 * `Retry-After` as a number of milliseconds to wait: `delay-seconds` (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, relative to `nowMs`). A date in the past means "now" (0);
 * an unreadable value is ignored (null) and the caller falls back to its own backoff.
 *
 * @example
 * parseRetryAfter('3', now); // 3000
 * parseRetryAfter(new Date(now + 2000).toUTCString(), now); // 2000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only a date with letters in it: `Date.parse` also reads bare numbers like "-1" as years.
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
