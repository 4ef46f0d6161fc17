/**
 * Small text helpers for terminal output: aligned tables, times and durations.
 */

/**
 * Rows as aligned columns, the first row being the header.
 * @example
 * table([['SERVICE', 'PHASE'], ['payments-api', 'primary-active']]);
 * // 'SERVICE       PHASE\npayments-api  primary-active'
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `2026-11-26T06:29:00Z` (seconds precision), or `-` for null. */
export function isoSeconds(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '-';
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `850 ms`, `1.2 s`, `3 min 5 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/** `12 min ago`, or `just now`. */
export function ago(epochMs: number | null, now: number): string {
  if (epochMs === null) return '';
  const ms = now - epochMs;
  return ms < 1000 ? 'just now' : `${duration(ms).replace(/\.\d s$/, ' s')} ago`;
}

/** US dollars with cents, or more digits for sums under a cent. */
export function usd(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.01) return `$${amount.toFixed(4)}`;
  return `$${amount.toFixed(2)}`;
}
