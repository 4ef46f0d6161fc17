import { describe, expect, it } from 'vitest';
import { createEmfMetrics, EMF_LIMITS, MetricShapeError } from '../../../shared/telemetry/metrics.ts';

interface Document {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

describe('createEmfMetrics within CloudWatch EMF limits (issue #19)', () => {
  const capture = () => {
    const documents: Document[] = [];
    const metrics = createEmfMetrics({ write: (line) => documents.push(JSON.parse(line)), now: () => 0 });
    return { documents, metrics };
  };

  it('publishes every value of a metric with more than 100, split across documents', () => {
    const { documents, metrics } = capture();
    const values = Array.from({ length: 250 }, (_, i) => i);

    metrics.put({ Stage: 'prod' }, [{ name: 'RoundDuration', unit: 'Milliseconds', value: values }]);

    expect(documents.map((d) => (d.RoundDuration as number[]).length)).toEqual([100, 100, 50]);
    expect(documents.flatMap((d) => d.RoundDuration as number[])).toEqual(values);
  });

  it('keeps at most 100 metrics in one document', () => {
    const { documents, metrics } = capture();
    const samples = Array.from({ length: 130 }, (_, i) => ({
      name: `M${i}`,
      unit: 'Count' as const,
      value: 1,
    }));

    metrics.put({ Stage: 'prod' }, samples);

    const counts = documents.map((d) => d._aws.CloudWatchMetrics[0]?.Metrics.length);
    expect(counts).toEqual([EMF_LIMITS.metricsPerDocument, 30]);
    expect(documents.every((d) => d.Stage === 'prod')).toBe(true);
  });

  it('refuses a dimension set CloudWatch would reject, instead of losing the document', () => {
    const { metrics } = capture();
    const dimensions = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'x']));

    expect(() => metrics.put(dimensions, [{ name: 'Flips', unit: 'Count', value: 1 }])).toThrow(
      MetricShapeError,
    );
  });

  it('writes a small put as one document, as before', () => {
    const { documents, metrics } = capture();

    metrics.put({ Stage: 'prod', Service: 'api' }, [{ name: 'Flips', unit: 'Count', value: 1 }], [['Stage']]);

    expect(documents).toHaveLength(1);
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Stage', 'Service'], ['Stage']]);
  });
});
