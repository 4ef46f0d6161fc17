/**
 * The data-plane signal's adapter (issue #12): `TrafficAllowed` per target with PutMetricData — a
 * regional CloudWatch call, not EMF (EMF reaches CloudWatch only through Logs, with a delay) and not
 * the Route 53 API. Standard resolution (no StorageResolution): Route 53 health checks accept only
 * standard-resolution alarms (docs/reference/route53-health-checks.md).
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { TrafficSignal } from '../domain/ports.ts';
import type { ServiceSignal } from '../domain/traffic-signal.ts';
import { METRIC } from '../telemetry/metric-names.ts';

/**
 * PutMetricData takes at most 1,000 metrics per request (and 1 MB): one datum per target, so a
 * request carries up to 1,000 targets. Source: CloudWatch API reference, PutMetricData.
 */
export const MAX_DATA_PER_REQUEST = 1_000;

export interface TrafficSignalOptions {
  readonly client: CloudWatchClient;
  /** The controller's namespace (`METRICS_NAMESPACE`, default `FailoverController`). */
  readonly namespace: string;
  readonly stage: string;
}

/**
 * @example
 * const signal = createTrafficSignal({ client: new CloudWatchClient({}), namespace: 'FailoverController', stage: 'prod' });
 * await signal.publish([{ service: 'payments-api', allowed: { primary: 0, secondary: 1 } }]);
 */
export function createTrafficSignal(options: TrafficSignalOptions): TrafficSignal {
  return {
    async publish(signals) {
      const data = signals.flatMap((signal) => datumsOf(signal, options.stage));
      for (let start = 0; start < data.length; start += MAX_DATA_PER_REQUEST) {
        await options.client.send(
          new PutMetricDataCommand({
            Namespace: options.namespace,
            MetricData: data.slice(start, start + MAX_DATA_PER_REQUEST),
          }),
        );
      }
    },
  };
}

function datumsOf(signal: ServiceSignal, stage: string): MetricDatum[] {
  return Object.entries(signal.allowed).map(([target, value]) => ({
    MetricName: METRIC.trafficAllowed.name,
    Unit: METRIC.trafficAllowed.unit,
    Value: value,
    Dimensions: [
      { Name: 'Stage', Value: stage },
      { Name: 'Service', Value: signal.service },
      { Name: 'Target', Value: target },
    ],
  }));
}
