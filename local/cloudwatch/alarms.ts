/**
 * Metric datapoints and metric alarms, in memory, evaluated the way the CloudWatch User Guide describes
 * ("Evaluating an alarm", "How alarm state is evaluated when data is missing"): one datapoint per period
 * (the alarm's statistic over that period's values), the most recent `EvaluationPeriods` datapoints of an
 * evaluation range of `EvaluationPeriods + 2` periods, `DatapointsToAlarm` of them breaching for ALARM,
 * and `TreatMissingData` only when fewer datapoints exist than `EvaluationPeriods`.
 *
 * Evaluation is lazy: whenever an alarm is read, every evaluation that would have run since the last read
 * is run in order (one per period boundary, `evaluationDelayMs` after it), so an injected clock drives it
 * exactly like real time does.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];
export const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type TreatMissingData = (typeof MISSING_DATA)[number];

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
}

export interface AlarmConfig extends MetricId {
  readonly name: string;
  readonly description?: string;
  readonly statistic: Statistic;
  /** Seconds: 10, 20, 30 or a multiple of 60. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: TreatMissingData;
  readonly actionsEnabled: boolean;
  readonly unit?: string;
}

/** One change of the state the metric data gives (SetAlarmState is not one). */
export interface EvaluatedTransition {
  readonly at: number;
  readonly state: AlarmState;
  readonly reason: string;
}

export interface Alarm {
  config: AlarmConfig;
  readonly arn: string;
  configUpdatedAt: number;
  /** The state DescribeAlarms shows: the evaluated state, or one SetAlarmState put there until the next evaluation. */
  state: AlarmState;
  stateReason: string;
  stateUpdatedAt: number;
  /** The state the metric data gives, with its history: what Route 53 health checks follow. */
  readonly evaluated: EvaluatedTransition[];
  /** The period boundary (ms) of the last evaluation run. */
  lastBoundary: number;
}

interface Datapoint {
  readonly at: number;
  readonly value: number;
}

/** How many evaluations one read may catch up on; older ones cannot change the outcome. */
const MAX_CATCH_UP = 10_000;

/** A stable key for a metric: namespace, name and dimensions in name order. */
export function metricKey(metric: MetricId): string {
  const dims = [...metric.dimensions]
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
    .map((d) => `${d.Name}=${d.Value}`)
    .join(',');
  return `${metric.namespace}\u0000${metric.metricName}\u0000${dims}`;
}

/**
 * The statistic of one period's values.
 * @example
 * statisticOf('Average', [1, 0]); // 0.5
 */
export function statisticOf(statistic: Statistic, values: readonly number[]): number {
  switch (statistic) {
    case 'SampleCount':
      return values.length;
    case 'Sum':
      return values.reduce((sum, v) => sum + v, 0);
    case 'Average':
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
  }
}

/**
 * True when `value` breaches the threshold.
 * @example
 * breaches('LessThanThreshold', 0, 1); // true
 */
export function breaches(comparison: Comparison, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * The state one evaluation gives, from the evaluation range's datapoints (oldest first; `undefined` for a
 * period without data), or `undefined` for "keep the current state" (`ignore` with too little data).
 * Follows the User Guide's tables; see local/cloudwatch/README.md for the one row it does not reproduce.
 * @example
 * evaluateRange([undefined, undefined, 0, 0, 0], { ...config, comparison: 'LessThanThreshold', threshold: 1 }); // 'ALARM'
 */
export function evaluateRange(
  range: readonly (number | undefined)[],
  config: Pick<
    AlarmConfig,
    'evaluationPeriods' | 'datapointsToAlarm' | 'comparison' | 'threshold' | 'treatMissingData'
  >,
): AlarmState | undefined {
  const n = config.evaluationPeriods;
  const m = config.datapointsToAlarm;
  const breach = (value: number) => breaches(config.comparison, value, config.threshold);
  const existing = range.filter((value): value is number => value !== undefined);
  if (existing.length >= n) {
    const evaluated = existing.slice(-n);
    return evaluated.filter(breach).length >= m ? 'ALARM' : 'OK';
  }
  const breaching = existing.filter(breach).length;
  const fill = n - existing.length;
  switch (config.treatMissingData) {
    case 'breaching':
      return breaching + fill >= m ? 'ALARM' : 'OK';
    case 'notBreaching':
      return breaching >= m ? 'ALARM' : 'OK';
    case 'missing':
    case 'ignore': {
      if (existing.length === 0)
        return config.treatMissingData === 'missing' ? 'INSUFFICIENT_DATA' : undefined;
      if (breaching >= m) return 'ALARM';
      if (breaching < existing.length) return 'OK';
      return config.treatMissingData === 'missing' ? 'INSUFFICIENT_DATA' : undefined;
    }
  }
}

export interface MetricStoreOptions {
  readonly now: () => number;
  /** How long after a period ends its evaluation runs (default 0: at the boundary). */
  readonly evaluationDelayMs: number;
  readonly region: string;
  readonly accountId: string;
}

/** Datapoints per metric and the alarms on them. */
export class MetricStore {
  readonly #data = new Map<string, Datapoint[]>();
  readonly #alarms = new Map<string, Alarm>();
  readonly #options: MetricStoreOptions;

  constructor(options: MetricStoreOptions) {
    this.#options = options;
  }

  get evaluationDelayMs(): number {
    return this.#options.evaluationDelayMs;
  }

  /** Stores one value at `at` (ms); a standard-resolution value is kept at the start of its minute. */
  put(metric: MetricId, at: number, value: number, highResolution: boolean): void {
    const key = metricKey(metric);
    const points = this.#data.get(key) ?? [];
    const stamp = highResolution ? Math.floor(at / 1000) * 1000 : Math.floor(at / 60_000) * 60_000;
    points.push({ at: stamp, value });
    this.#data.set(key, points);
  }

  /** Creates an alarm (INSUFFICIENT_DATA) or replaces the configuration of an existing one (state kept). */
  putAlarm(config: AlarmConfig): Alarm {
    const now = this.#options.now();
    const existing = this.alarm(config.name);
    if (existing !== undefined) {
      existing.config = config;
      existing.configUpdatedAt = now;
      return existing;
    }
    const alarm: Alarm = {
      config,
      arn: `arn:aws:cloudwatch:${this.#options.region}:${this.#options.accountId}:alarm:${config.name}`,
      configUpdatedAt: now,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      evaluated: [{ at: now, state: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation' }],
      lastBoundary: Math.floor(now / (config.period * 1000)) * config.period * 1000,
    };
    this.#alarms.set(config.name, alarm);
    return alarm;
  }

  /** The alarm, evaluated up to now. */
  alarm(name: string): Alarm | undefined {
    const alarm = this.#alarms.get(name);
    if (alarm !== undefined) this.#catchUp(alarm);
    return alarm;
  }

  /** Every alarm, evaluated up to now, in name order. */
  alarms(): Alarm[] {
    return [...this.#alarms.keys()].sort().flatMap((name) => {
      const alarm = this.alarm(name);
      return alarm === undefined ? [] : [alarm];
    });
  }

  deleteAlarm(name: string): boolean {
    return this.#alarms.delete(name);
  }

  /** SetAlarmState: the shown state changes until the next evaluation; the evaluated state does not. */
  setState(alarm: Alarm, state: AlarmState, reason: string): void {
    alarm.state = state;
    alarm.stateReason = reason;
    alarm.stateUpdatedAt = this.#options.now();
  }

  /**
   * The state the metric data gave the alarm at time `at` (what a Route 53 health checker reads), or
   * undefined when no such alarm exists.
   */
  evaluatedStateAt(name: string, at: number): EvaluatedTransition | undefined {
    const alarm = this.alarm(name);
    if (alarm === undefined) return undefined;
    return alarm.evaluated.findLast((transition) => transition.at <= at);
  }

  /** The newest OK or ALARM state the data gave the alarm at or before `at`, if any. */
  lastKnownAt(name: string, at: number): EvaluatedTransition | undefined {
    const alarm = this.alarm(name);
    return alarm?.evaluated.findLast(
      (transition) => transition.at <= at && transition.state !== 'INSUFFICIENT_DATA',
    );
  }

  #catchUp(alarm: Alarm): void {
    const periodMs = alarm.config.period * 1000;
    const latest = Math.floor((this.#options.now() - this.#options.evaluationDelayMs) / periodMs) * periodMs;
    let boundary = Math.max(alarm.lastBoundary + periodMs, latest - MAX_CATCH_UP * periodMs);
    for (; boundary <= latest; boundary += periodMs) this.#evaluate(alarm, boundary);
  }

  #evaluate(alarm: Alarm, boundary: number): void {
    const { config } = alarm;
    const periodMs = config.period * 1000;
    const points = this.#data.get(metricKey(config)) ?? [];
    const rangeLength = config.evaluationPeriods + 2;
    const range: (number | undefined)[] = [];
    for (let i = rangeLength; i >= 1; i--) {
      const start = boundary - i * periodMs;
      const values = points.filter((p) => p.at >= start && p.at < start + periodMs).map((p) => p.value);
      range.push(values.length === 0 ? undefined : statisticOf(config.statistic, values));
    }
    alarm.lastBoundary = boundary;
    const at = boundary + this.#options.evaluationDelayMs;
    const current = alarm.evaluated.at(-1);
    const next = evaluateRange(range, config) ?? current?.state ?? 'INSUFFICIENT_DATA';
    const reason = describeRange(range, config);
    // The shown state returns to the evaluated one at every evaluation (SetAlarmState lasts until then).
    if (alarm.state !== next) {
      alarm.state = next;
      alarm.stateUpdatedAt = at;
    }
    alarm.stateReason = reason;
    if (current?.state !== next) alarm.evaluated.push({ at, state: next, reason });
  }
}

function describeRange(range: readonly (number | undefined)[], config: AlarmConfig): string {
  const shown = range
    .slice(-config.evaluationPeriods)
    .map((v) => (v === undefined ? 'missing' : String(v)))
    .join(', ');
  return `Threshold Crossed: the most recent datapoints [${shown}] compared with ${config.threshold} (${config.comparison}, ${config.datapointsToAlarm} of ${config.evaluationPeriods} to alarm).`;
}
