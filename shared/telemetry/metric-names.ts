/**
 * The one list of the controller's CloudWatch metrics: their names, units and the dimension sets
 * they are published under. The watchdog and the flip functions emit from it; the dashboard and
 * the alarms read from it, so a renamed metric cannot leave a graph or an alarm watching nothing.
 */
import type { MetricUnit } from './metrics.ts';

/** A dimension set, in the order EMF declares it (e.g. `['Stage', 'Service']`). */
export type DimensionSet = readonly string[];

export const STAGE_DIMENSIONS = ['Stage'] as const satisfies DimensionSet;
export const SERVICE_DIMENSIONS = ['Stage', 'Service'] as const satisfies DimensionSet;
export const TARGET_DIMENSIONS = ['Stage', 'Service', 'Target'] as const satisfies DimensionSet;
export const PROBE_DIMENSIONS = ['Stage', 'Service', 'Target', 'Check'] as const satisfies DimensionSet;
export const FLIP_DIMENSIONS = ['Stage', 'Service', 'Direction'] as const satisfies DimensionSet;

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  /** Every dimension set the metric is published under (its own, then any roll-up). */
  readonly dimensions: readonly DimensionSet[];
  /** What a point means, for people reading the dashboard or the code. */
  readonly meaning: string;
}

/**
 * @example
 * metrics.put({ Stage: 'prod' }, [{ name: METRIC.heartbeat.name, unit: METRIC.heartbeat.unit, value: 1 }]);
 */
export const METRIC = {
  heartbeat: {
    name: 'Heartbeat',
    unit: 'Count',
    dimensions: [STAGE_DIMENSIONS],
    meaning: 'one per finished watchdog run',
  },
  runDuration: {
    name: 'RunDuration',
    unit: 'Milliseconds',
    dimensions: [STAGE_DIMENSIONS],
    meaning: 'how long one watchdog run took',
  },
  rounds: {
    name: 'Rounds',
    unit: 'Count',
    dimensions: [STAGE_DIMENSIONS],
    meaning: 'probe rounds in one watchdog run',
  },
  roundDuration: {
    name: 'RoundDuration',
    unit: 'Milliseconds',
    dimensions: [STAGE_DIMENSIONS],
    meaning: 'how long one probe round took (every service)',
  },
  targetHealthy: {
    name: 'TargetHealthy',
    unit: 'None',
    dimensions: [TARGET_DIMENSIONS],
    meaning: '1 when every check of the target passed in a round, else 0',
  },
  activeTarget: {
    name: 'ActiveTarget',
    unit: 'None',
    dimensions: [SERVICE_DIMENSIONS],
    meaning: 'the position of the target traffic goes to, in preference order: 0 the primary, 1 the next, …',
  },
  probeLatency: {
    name: 'ProbeLatency',
    unit: 'Milliseconds',
    dimensions: [PROBE_DIMENSIONS],
    meaning: 'latency of one check (services with `metrics: detailed` only)',
  },
  vantageVoters: {
    name: 'VantageVoters',
    unit: 'Count',
    dimensions: [SERVICE_DIMENSIONS],
    meaning:
      'vantages whose fresh vote counted in a round (with `vantages` only); below the quorum nothing moves',
  },
  flappingFrozen: {
    name: 'FlappingFrozen',
    unit: 'Count',
    dimensions: [SERVICE_DIMENSIONS, STAGE_DIMENSIONS],
    meaning: 'automatic failback was frozen by flap damping',
  },
  flips: {
    name: 'Flips',
    unit: 'Count',
    dimensions: [FLIP_DIMENSIONS, STAGE_DIMENSIONS],
    meaning: 'traffic moved (failover or failback, automatic or by an operator)',
  },
  flipFailures: {
    name: 'FlipFailures',
    unit: 'Count',
    dimensions: [FLIP_DIMENSIONS, STAGE_DIMENSIONS],
    meaning: 'a flip Route 53 refused, or whose outcome is unknown',
  },
  detectionDelay: {
    name: 'DetectionDelay',
    unit: 'Milliseconds',
    dimensions: [FLIP_DIMENSIONS, STAGE_DIMENSIONS],
    meaning:
      'automatic failovers: from the round that marked the primary DOWN to Route 53 accepting the change',
  },
  trafficAllowed: {
    name: 'TrafficAllowed',
    unit: 'None',
    dimensions: [TARGET_DIMENSIONS],
    meaning:
      'the data-plane signal (services with `dataPlane` only; PutMetricData, not EMF): 1 for the target the ' +
      "decision makes active, 0 for the others; each target's Route 53 health check follows an alarm on it",
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRIC;

/** Every metric the controller publishes. */
export const ALL_METRICS: readonly MetricDefinition[] = Object.values(METRIC);
