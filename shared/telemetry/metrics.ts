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

/**
 * CloudWatch's limits for one EMF document: at most 100 values per metric, 100 metrics, 30
 * dimensions per set (EMF specification). A document over them is rejected whole — its data lost —
 * so samples are split across documents instead, and a dimension set over the limit is refused.
 */
export const EMF_LIMITS = { valuesPerMetric: 100, metricsPerDocument: 100, dimensionsPerSet: 30 } as const;

/** A metric that cannot be published as asked (too many dimensions): a bug of the caller. */
export class MetricShapeError extends Error {
  override name = 'MetricShapeError';
}

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
      const sets = [Object.keys(dimensions), ...rollups.map((names) => [...names])];
      const wide = sets.find((set) => set.length > EMF_LIMITS.dimensionsPerSet);
      if (wide !== undefined) {
        throw new MetricShapeError(
          `A dimension set has ${wide.length} dimensions (${wide.join(', ')}); CloudWatch allows ${EMF_LIMITS.dimensionsPerSet}.`,
        );
      }
      for (const chunk of documents(samples)) {
        const values = Object.fromEntries(chunk.map((s) => [s.name, s.value]));
        const document = {
          _aws: {
            Timestamp: now(),
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: sets,
                Metrics: chunk.map((s) => ({ Name: s.name, Unit: s.unit })),
              },
            ],
          },
          ...dimensions,
          ...values,
        };
        write(JSON.stringify(document));
      }
    },
  };
}

/**
 * The samples as documents within the limits: a metric with more than 100 values continues in the
 * next document (every value is published), and at most 100 metrics go in one document.
 */
type Part = { readonly name: string; readonly unit: MetricUnit; readonly value: number | readonly number[] };

function documents(samples: readonly MetricSample[]): Part[][] {
  const pieces: Part[][] = samples.map((sample): Part[] => {
    if (typeof sample.value === 'number') return [sample];
    const parts: Part[] = [];
    for (let start = 0; start < Math.max(1, sample.value.length); start += EMF_LIMITS.valuesPerMetric) {
      parts.push({ ...sample, value: sample.value.slice(start, start + EMF_LIMITS.valuesPerMetric) });
    }
    return parts;
  });
  const docs: Part[][] = [];
  // Document k holds the k-th part of every metric that has one, 100 metrics at a time.
  const depth = Math.max(...pieces.map((parts) => parts.length));
  for (let k = 0; k < depth; k++) {
    const layer = pieces.flatMap((parts) => parts.slice(k, k + 1));
    for (let start = 0; start < layer.length; start += EMF_LIMITS.metricsPerDocument) {
      docs.push(layer.slice(start, start + EMF_LIMITS.metricsPerDocument));
    }
  }
  return docs;
}

/** Metrics that go nowhere (tests, and the CLI). */
export const noMetrics: Metrics = { put: () => {} };
