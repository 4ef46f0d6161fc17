import { describe, expect, it } from 'vitest';
import { createEmfMetrics } from '../../../shared/telemetry/metrics.ts';

describe('createEmfMetrics', () => {
  it('writes one Embedded Metric Format document per put, with roll-up dimension sets', () => {
    const lines: string[] = [];
    const metrics = createEmfMetrics({
      namespace: 'FailoverController',
      write: (l) => lines.push(l),
      now: () => 1_000,
    });

    metrics.put(
      { Stage: 'prod', Service: 'payments-api', Direction: 'failover' },
      [{ name: 'Flips', unit: 'Count', value: 1 }],
      [['Stage']],
    );

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      _aws: {
        Timestamp: 1_000,
        CloudWatchMetrics: [
          {
            Namespace: 'FailoverController',
            Dimensions: [['Stage', 'Service', 'Direction'], ['Stage']],
            Metrics: [{ Name: 'Flips', Unit: 'Count' }],
          },
        ],
      },
      Stage: 'prod',
      Service: 'payments-api',
      Direction: 'failover',
      Flips: 1,
    });
  });

  it('keeps at most the last 100 values of a series, the EMF limit', () => {
    const lines: string[] = [];
    const metrics = createEmfMetrics({ write: (l) => lines.push(l) });

    metrics.put({ Stage: 'prod' }, [
      { name: 'RoundDuration', unit: 'Milliseconds', value: [...Array(150).keys()] },
    ]);

    const values = (JSON.parse(lines[0] ?? '') as { RoundDuration: number[] }).RoundDuration;
    expect(values).toHaveLength(100);
    expect(values[0]).toBe(50);
  });

  it('writes nothing for no samples', () => {
    const lines: string[] = [];
    createEmfMetrics({ write: (l) => lines.push(l) }).put({ Stage: 'prod' }, []);
    expect(lines).toEqual([]);
  });
});
