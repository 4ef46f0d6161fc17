import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../shared/notify/retry-after.ts';

const NOW = Date.UTC(2026, 10, 26, 6, 30, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now, a past date meaning now', () => {
    expect(parseRetryAfter(new Date(NOW + 2000).toUTCString(), NOW)).toBe(2000);
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('-1', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
  });
});
