/**
 * CloudWatch metrics as Embedded Metric Format log lines: CloudWatch extracts them from the
 * function's log stream, so publishing costs no API call, adds no latency to a round and
 * cannot fail one. Each custom metric costs about $0.30 a month: per-endpoint latency is opt-in.
 */
export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

export interface MetricSample {
  readonly name: string;
  readonly unit: MetricUnit;
  /** One value, or up to 100 values (e.g. one per probe round of a run). */
  readonly value: number | readonly number[];
}

export interface Metrics {
  /**
   * Emit samples under one set of dimensions (e.g. `{ Stage: 'prod', Service: 'payments-api' }`),
   * and also under each roll-up (a subset of the dimension names, e.g. `['Stage']`) so one alarm can
   * watch every service.
   */
  put(
    dimensions: Readonly<Record<string, string>>,
    samples: readonly MetricSample[],
    rollups?: readonly (readonly string[])[],
  ): void;
}

export interface MetricsOptions {
  readonly namespace?: string;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;

/**
 * @example
 * const metrics = createEmfMetrics();
 * metrics.put({ Stage: 'prod' }, [{ name: 'Heartbeat', unit: 'Count', value: 1 }]);
 */
export function createEmfMetrics(options: MetricsOptions = {}): Metrics {
  const namespace = options.namespace ?? process.env.METRICS_NAMESPACE ?? 'FailoverController';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  return {
    put(dimensions, samples, rollups = []) {
      if (samples.length === 0) return;
      const values: Record<string, number | number[]> = {};
      for (const sample of samples) {
        values[sample.name] =
          typeof sample.value === 'number' ? sample.value : sample.value.slice(-MAX_VALUES);
      }
      const document = {
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(dimensions), ...rollups.map((names) => [...names])],
              Metrics: samples.map((s) => ({ Name: s.name, Unit: s.unit })),
            },
          ],
        },
        ...dimensions,
        ...values,
      };
      write(JSON.stringify(document));
    },
  };
}

/** Metrics that go nowhere (tests, and the CLI). */
export const noMetrics: Metrics = { put: () => {} };
