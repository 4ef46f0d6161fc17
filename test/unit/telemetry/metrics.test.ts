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

  it('publishes a series over the EMF limit of 100 values in several documents, losing none', () => {
    const lines: string[] = [];
    const metrics = createEmfMetrics({ write: (l) => lines.push(l) });

    metrics.put({ Stage: 'prod' }, [
      { name: 'RoundDuration', unit: 'Milliseconds', value: [...Array(150).keys()] },
    ]);

    const series = lines.map((line) => (JSON.parse(line) as { RoundDuration: number[] }).RoundDuration);
    expect(series.map((values) => values.length)).toEqual([100, 50]);
    expect(series.flat()).toEqual([...Array(150).keys()]);
  });

  it('writes nothing for no samples', () => {
    const lines: string[] = [];
    createEmfMetrics({ write: (l) => lines.push(l) }).put({ Stage: 'prod' }, []);
    expect(lines).toEqual([]);
  });
});
