import { describe, expect, it } from 'vitest';
import { formatStatusRanges, isStatusExpected } from '../../../shared/probes/status-ranges.ts';

describe('status ranges', () => {
  it('formats ranges the way people write them', () => {
    expect(formatStatusRanges([{ min: 200, max: 200 }])).toBe('[200]');
    expect(formatStatusRanges([{ min: 200, max: 299 }])).toBe('[2xx]');
    expect(formatStatusRanges([{ min: 200, max: 399 }])).toBe('[200-399]');
    expect(
      formatStatusRanges([
        { min: 200, max: 204 },
        { min: 301, max: 301 },
        { min: 400, max: 499 },
      ]),
    ).toBe('[200-204, 301, 4xx]');
  });

  it('accepts a status inside any range, bounds included', () => {
    const ranges = [
      { min: 200, max: 204 },
      { min: 301, max: 301 },
    ];

    expect([199, 200, 204, 205, 301, 302].map((status) => isStatusExpected(status, ranges))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
  });
});
