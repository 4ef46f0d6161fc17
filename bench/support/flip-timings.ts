/**
 * The parts of one automatic failover, as the detection bench measures them, and how it prints
 * them: each part on its own line (detection, the flip, propagation, the DNS answer), then the
 * end to end, then what a client may see on top (the record's TTL).
 */

export interface FlipSample {
  readonly kind: '503' | 'hang';
  /** Epoch ms the primary started failing. */
  readonly failedAt: number;
  /** The watchdog invoked the failover function. */
  readonly decidedAt: number;
  /** Route 53 (the stand-in) applied the change: ChangeResourceRecordSets answered PENDING. */
  readonly acceptedAt: number;
  /** GetChange first answered INSYNC. */
  readonly inSyncAt: number;
  /** The authoritative DNS answer first named the standby. */
  readonly dnsAt: number;
}

/** Median and worst of `values` in seconds, e.g. `median 1.52 s, worst 2.31 s`. */
export function stats(values: readonly number[]): string {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return 'no samples';
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const missing = values.length - sorted.length;
  return `median ${(median / 1000).toFixed(2)} s, worst ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)} s${missing > 0 ? ` (${missing} not seen)` : ''}`;
}

/**
 * The report lines of one run: every part separately, from one moment to the next, then the total.
 *
 * @example
 * for (const line of reportParts(samples, { ttlSeconds: 30, boundMs: 2500 })) console.log(line);
 */
export function reportParts(
  samples: readonly FlipSample[],
  options: { readonly ttlSeconds: number; readonly boundMs: number },
): string[] {
  const parts: readonly (readonly [string, (s: FlipSample) => number])[] = [
    ['detection: primary fails -> watchdog invokes failover', (s) => s.decidedAt - s.failedAt],
    ['flip: invoke -> Route 53 accepts the change (PENDING)', (s) => s.acceptedAt - s.decidedAt],
    ['propagation: accepted -> GetChange says INSYNC', (s) => s.inSyncAt - s.acceptedAt],
    ['DNS: INSYNC -> authoritative answer names the standby', (s) => s.dnsAt - s.inSyncAt],
    ['end to end: primary fails -> DNS answers the standby', (s) => s.dnsAt - s.failedAt],
  ];
  const lines = parts.map(([label, pick]) => `  ${label}: ${stats(samples.map(pick))}`);
  const detection = (kind: FlipSample['kind']) =>
    stats(samples.filter((s) => s.kind === kind).map((s) => s.decidedAt - s.failedAt));
  lines.splice(
    1,
    0,
    `    detection, 503 at once: ${detection('503')}; hanging until the timeout: ${detection('hang')}`,
  );
  const within = samples.filter((s) => s.decidedAt - s.failedAt <= options.boundMs).length;
  const worstEnd = Math.max(...samples.map((s) => s.dnsAt - s.failedAt));
  lines.push(
    `  detections within the bound (${options.boundMs / 1000} s): ${within}/${samples.length}`,
    `  a client's resolver may keep the old answer up to the TTL (${options.ttlSeconds} s) more: worst end to end for a client ${((worstEnd + options.ttlSeconds * 1000) / 1000).toFixed(1)} s`,
  );
  return lines;
}
