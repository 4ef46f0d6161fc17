import type { StatusRange } from '../domain/config.ts';

/** True when `status` falls inside any of the inclusive `ranges`. */
export function isStatusExpected(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => status >= range.min && status <= range.max);
}

/**
 * Formats ranges the way people write them: `[200]`, `[2xx]`, `[200-399]`, `[200, 204]`.
 *
 * @example formatStatusRanges([{ min: 200, max: 299 }, { min: 301, max: 301 }]) // '[2xx, 301]'
 */
export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return `[${ranges.map(formatRange).join(', ')}]`;
}

function formatRange({ min, max }: StatusRange): string {
  if (min === max) return String(min);
  if (min % 100 === 0 && max === min + 99) return `${min / 100}xx`;
  return `${min}-${max}`;
}
