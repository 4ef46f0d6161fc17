import { describe, expect, it } from 'vitest';
import { type FlipSample, reportParts, stats } from '../../../bench/support/flip-timings.ts';

const sample = (
  kind: FlipSample['kind'],
  offsets: readonly [number, number, number, number],
): FlipSample => ({
  kind,
  failedAt: 1_000,
  decidedAt: 1_000 + offsets[0],
  acceptedAt: 1_000 + offsets[1],
  inSyncAt: 1_000 + offsets[2],
  dnsAt: 1_000 + offsets[3],
});

describe('stats', () => {
  it('gives the median and the worst in seconds, and counts what was not seen', () => {
    expect(stats([3_000, 1_000, 2_000, Number.NaN])).toBe('median 2.00 s, worst 3.00 s (1 not seen)');
    expect(stats([])).toBe('no samples');
  });
});

describe('reportParts', () => {
  it('reports every part from the moment before it, then the end to end and the TTL on top', () => {
    const samples = [
      sample('503', [1_500, 1_600, 31_600, 31_605]),
      sample('hang', [2_400, 2_500, 62_500, 62_510]),
    ];

    const lines = reportParts(samples, { ttlSeconds: 30, boundMs: 2_500 });

    expect(lines).toEqual([
      '  detection: primary fails -> watchdog invokes failover: median 1.50 s, worst 2.40 s',
      '    detection, 503 at once: median 1.50 s, worst 1.50 s; hanging until the timeout: median 2.40 s, worst 2.40 s',
      '  flip: invoke -> Route 53 accepts the change (PENDING): median 0.10 s, worst 0.10 s',
      '  propagation: accepted -> GetChange says INSYNC: median 30.00 s, worst 60.00 s',
      '  DNS: INSYNC -> authoritative answer names the standby: median 0.01 s, worst 0.01 s',
      '  end to end: primary fails -> DNS answers the standby: median 31.61 s, worst 62.51 s',
      '  detections within the bound (2.5 s): 2/2',
      "  a client's resolver may keep the old answer up to the TTL (30 s) more: worst end to end for a client 92.5 s",
    ]);
  });
});
