/**
 * The CloudWatch operations the project uses, in the AWS JSON 1.0 protocol the JS SDK v3 sends with
 * `awsQueryCompatible` (`x-amz-target: GraniteServiceVersion20100801.<Operation>`): PutMetricData,
 * PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState.
 */
import {
  type AlarmConfig,
  type AlarmState,
  COMPARISONS,
  type Comparison,
  type Dimension,
  type MetricStore,
  MISSING_DATA,
  STATISTICS,
  type Statistic,
  type TreatMissingData,
} from './alarms.ts';

export const OPERATIONS = [
  'PutMetricData',
  'PutMetricAlarm',
  'DescribeAlarms',
  'DeleteAlarms',
  'SetAlarmState',
] as const;
export type CloudWatchOperation = (typeof OPERATIONS)[number];

export const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/** An error as the service sends it: the query-protocol code (header) and the JSON `__type` shape name. */
export class CloudWatchApiError extends Error {
  override name = 'CloudWatchApiError';
  readonly code: string;
  readonly shape: string;
  readonly status: number;

  constructor(code: string, shape: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.shape = shape;
    this.status = status;
  }
}

export function invalidParameter(message: string): CloudWatchApiError {
  return new CloudWatchApiError('InvalidParameterValue', 'InvalidParameterValueException', 400, message);
}

export function missingParameter(name: string): CloudWatchApiError {
  return new CloudWatchApiError(
    'MissingParameter',
    'MissingRequiredParameterException',
    400,
    `The parameter ${name} is required.`,
  );
}

function notFound(message: string): CloudWatchApiError {
  return new CloudWatchApiError('ResourceNotFound', 'ResourceNotFound', 404, message);
}

type Json = { readonly [key: string]: unknown };

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_METRICS_PER_CALL = 1000;
const MAX_DIMENSIONS = 30;
const MAX_PERIOD_SECONDS_TOTAL = 604_800;
const MAX_DESCRIBE = 100;
const STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/**
 * Runs one operation; throws `CloudWatchApiError` for an API error.
 * @example
 * runOperation('DescribeAlarms', { AlarmNames: ['x'] }, store, () => Date.now());
 */
export function runOperation(
  operation: CloudWatchOperation,
  input: Json,
  store: MetricStore,
  now: () => number,
): Json {
  switch (operation) {
    case 'PutMetricData':
      putMetricData(input, store, now);
      return {};
    case 'PutMetricAlarm':
      store.putAlarm(readAlarm(input));
      return {};
    case 'DescribeAlarms':
      return describeAlarms(input, store);
    case 'DeleteAlarms': {
      const names = stringList(input, 'AlarmNames', true);
      const missing = names.filter((name) => !store.deleteAlarm(name));
      if (missing.length > 0)
        throw notFound(`${missing.length} of ${names.length} alarm(s) not found: ${missing.join(', ')}`);
      return {};
    }
    case 'SetAlarmState': {
      const name = requiredString(input, 'AlarmName');
      const state = requiredString(input, 'StateValue');
      const reason = requiredString(input, 'StateReason');
      if (!(STATES as readonly string[]).includes(state)) {
        throw invalidParameter(
          `The value ${state} for parameter StateValue is not one of ${STATES.join(', ')}.`,
        );
      }
      const alarm = store.alarm(name);
      if (alarm === undefined) throw notFound(`Alarm ${name} not found`);
      store.setState(alarm, state as AlarmState, reason);
      return {};
    }
  }
}

function putMetricData(input: Json, store: MetricStore, now: () => number): void {
  const namespace = requiredString(input, 'Namespace');
  if (namespace.startsWith('AWS/')) {
    throw invalidParameter(
      `The value ${namespace} for parameter Namespace is invalid: namespaces starting with AWS/ are reserved.`,
    );
  }
  const data = input.MetricData;
  if (!Array.isArray(data) || data.length === 0) throw missingParameter('MetricData');
  if (data.length > MAX_METRICS_PER_CALL) {
    throw invalidParameter(
      `The collection MetricData must not have a size greater than ${MAX_METRICS_PER_CALL}.`,
    );
  }
  const received = now();
  const points = data.map((datum, i) => {
    const where = `MetricData.member.${i + 1}`;
    if (!isJson(datum)) throw invalidParameter(`${where} must be a structure.`);
    const metricName = requiredString(datum, 'MetricName', `${where}.MetricName`);
    const dimensions = readDimensions(datum.Dimensions, `${where}.Dimensions`);
    const values = readValues(datum, where);
    const timestamp = datum.Timestamp;
    if (timestamp !== undefined && typeof timestamp !== 'number') {
      throw invalidParameter(`The parameter ${where}.Timestamp must be a timestamp.`);
    }
    const at = typeof timestamp === 'number' ? timestamp * 1000 : received;
    const resolution = datum.StorageResolution;
    if (resolution !== undefined && resolution !== 1 && resolution !== 60) {
      throw invalidParameter(
        `The value ${String(resolution)} for parameter ${where}.StorageResolution is invalid: 1 or 60.`,
      );
    }
    return { metricName, dimensions, values, at, highResolution: resolution === 1 };
  });
  // All or nothing: the whole call is checked before any value is stored.
  for (const point of points) {
    for (const value of point.values) {
      store.put(
        { namespace, metricName: point.metricName, dimensions: point.dimensions },
        point.at,
        value,
        point.highResolution,
      );
    }
  }
}

/** `Value`, or `Values` with optional `Counts` (each value repeated `count` times). */
function readValues(datum: Json, where: string): number[] {
  if (typeof datum.Value === 'number') return [datum.Value];
  if (Array.isArray(datum.Values)) {
    const counts = Array.isArray(datum.Counts) ? datum.Counts : [];
    return datum.Values.flatMap((value, i) => {
      if (typeof value !== 'number')
        throw invalidParameter(`The parameter ${where}.Values must hold numbers.`);
      const count = counts[i];
      return Array.from(
        { length: typeof count === 'number' ? Math.max(0, Math.round(count)) : 1 },
        () => value,
      );
    });
  }
  if (datum.StatisticValues !== undefined) {
    throw invalidParameter(
      `${where}.StatisticValues is not supported by the local CloudWatch; send Value or Values.`,
    );
  }
  throw missingParameter(`${where}.Value`);
}

function readAlarm(input: Json): AlarmConfig {
  const name = requiredString(input, 'AlarmName');
  if (
    input.Metrics !== undefined ||
    input.EvaluationCriteria !== undefined ||
    input.ThresholdMetricId !== undefined
  ) {
    throw invalidParameter(
      'Metric math, anomaly detection and PromQL alarms are not supported by the local CloudWatch.',
    );
  }
  if (input.ExtendedStatistic !== undefined) {
    throw invalidParameter('ExtendedStatistic (percentiles) is not supported by the local CloudWatch.');
  }
  const namespace = requiredString(input, 'Namespace');
  const metricName = requiredString(input, 'MetricName');
  const statistic = oneOf<Statistic>(input, 'Statistic', STATISTICS);
  const comparison = oneOf<Comparison>(input, 'ComparisonOperator', COMPARISONS);
  const period = requiredNumber(input, 'Period');
  if (
    !Number.isInteger(period) ||
    !(period === 10 || period === 20 || period === 30 || (period > 0 && period % 60 === 0))
  ) {
    throw invalidParameter(
      `The value ${period} for parameter Period is invalid: valid values are 10, 20, 30 and any multiple of 60.`,
    );
  }
  const evaluationPeriods = requiredNumber(input, 'EvaluationPeriods');
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    throw invalidParameter(
      `The value ${evaluationPeriods} for parameter EvaluationPeriods must be a whole number >= 1.`,
    );
  }
  if (period * evaluationPeriods > MAX_PERIOD_SECONDS_TOTAL) {
    throw invalidParameter(
      `Period multiplied by EvaluationPeriods (${period * evaluationPeriods}) must not be more than ${MAX_PERIOD_SECONDS_TOTAL} seconds.`,
    );
  }
  const datapointsToAlarm =
    input.DatapointsToAlarm === undefined ? evaluationPeriods : requiredNumber(input, 'DatapointsToAlarm');
  if (
    !Number.isInteger(datapointsToAlarm) ||
    datapointsToAlarm < 1 ||
    datapointsToAlarm > evaluationPeriods
  ) {
    throw invalidParameter(
      `DatapointsToAlarm (${datapointsToAlarm}) must be a whole number from 1 to EvaluationPeriods (${evaluationPeriods}).`,
    );
  }
  const treatMissingData =
    input.TreatMissingData === undefined
      ? 'missing'
      : oneOf<TreatMissingData>(input, 'TreatMissingData', MISSING_DATA);
  const description = typeof input.AlarmDescription === 'string' ? input.AlarmDescription : undefined;
  const unit = typeof input.Unit === 'string' ? input.Unit : undefined;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    ...(unit === undefined ? {} : { unit }),
    namespace,
    metricName,
    dimensions: readDimensions(input.Dimensions, 'Dimensions'),
    statistic,
    period,
    evaluationPeriods,
    datapointsToAlarm,
    threshold: requiredNumber(input, 'Threshold'),
    comparison,
    treatMissingData,
    actionsEnabled: input.ActionsEnabled !== false,
  };
}

function describeAlarms(input: Json, store: MetricStore): Json {
  const names = input.AlarmNames === undefined ? undefined : stringList(input, 'AlarmNames', false);
  const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : undefined;
  if (names !== undefined && prefix !== undefined) {
    throw invalidParameter('AlarmNames and AlarmNamePrefix cannot be specified together.');
  }
  const stateValue = typeof input.StateValue === 'string' ? input.StateValue : undefined;
  const types = Array.isArray(input.AlarmTypes) ? input.AlarmTypes : ['MetricAlarm'];
  const maxRecords = typeof input.MaxRecords === 'number' ? input.MaxRecords : 50;
  if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_DESCRIBE) {
    throw invalidParameter(
      `The value ${maxRecords} for parameter MaxRecords must be from 1 to ${MAX_DESCRIBE}.`,
    );
  }
  const matching = store
    .alarms()
    .filter((alarm) => names === undefined || names.includes(alarm.config.name))
    .filter((alarm) => prefix === undefined || alarm.config.name.startsWith(prefix))
    .filter((alarm) => stateValue === undefined || alarm.state === stateValue);
  const start =
    typeof input.NextToken === 'string' ? matching.findIndex((a) => a.config.name === input.NextToken) : 0;
  if (start < 0)
    throw new CloudWatchApiError(
      'InvalidNextToken',
      'InvalidNextToken',
      400,
      'The next token specified is invalid.',
    );
  const page = types.includes('MetricAlarm') ? matching.slice(start, start + maxRecords) : [];
  const next = types.includes('MetricAlarm') ? matching[start + maxRecords] : undefined;
  return {
    MetricAlarms: page.map((alarm) => ({
      AlarmName: alarm.config.name,
      AlarmArn: alarm.arn,
      ...(alarm.config.description === undefined ? {} : { AlarmDescription: alarm.config.description }),
      AlarmConfigurationUpdatedTimestamp: alarm.configUpdatedAt / 1000,
      ActionsEnabled: alarm.config.actionsEnabled,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: alarm.state,
      StateReason: alarm.stateReason,
      StateUpdatedTimestamp: alarm.stateUpdatedAt / 1000,
      MetricName: alarm.config.metricName,
      Namespace: alarm.config.namespace,
      Statistic: alarm.config.statistic,
      Dimensions: alarm.config.dimensions,
      Period: alarm.config.period,
      ...(alarm.config.unit === undefined ? {} : { Unit: alarm.config.unit }),
      EvaluationPeriods: alarm.config.evaluationPeriods,
      DatapointsToAlarm: alarm.config.datapointsToAlarm,
      Threshold: alarm.config.threshold,
      ComparisonOperator: alarm.config.comparison,
      TreatMissingData: alarm.config.treatMissingData,
      StateTransitionedTimestamp: alarm.stateUpdatedAt / 1000,
    })),
    CompositeAlarms: [],
    ...(next === undefined ? {} : { NextToken: next.config.name }),
  };
}

function readDimensions(raw: unknown, where: string): Dimension[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidParameter(`The parameter ${where} must be a list.`);
  if (raw.length > MAX_DIMENSIONS) {
    throw invalidParameter(`The collection ${where} must not have a size greater than ${MAX_DIMENSIONS}.`);
  }
  return raw.map((dimension, i) => {
    if (!isJson(dimension)) throw invalidParameter(`${where}.member.${i + 1} must be a structure.`);
    return {
      Name: requiredString(dimension, 'Name', `${where}.member.${i + 1}.Name`),
      Value: requiredString(dimension, 'Value', `${where}.member.${i + 1}.Value`),
    };
  });
}

function requiredString(input: Json, key: string, label = key): string {
  const value = input[key];
  if (value === undefined || value === null) throw missingParameter(label);
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidParameter(`The parameter ${label} must be a non-empty string.`);
  }
  return value;
}

function requiredNumber(input: Json, key: string): number {
  const value = input[key];
  if (value === undefined || value === null) throw missingParameter(key);
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidParameter(`The parameter ${key} must be a number.`);
  return value;
}

function oneOf<T extends string>(input: Json, key: string, allowed: readonly T[]): T {
  const value = requiredString(input, key);
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw invalidParameter(`The value ${value} for parameter ${key} is not one of ${allowed.join(', ')}.`);
  }
  return found;
}

function stringList(input: Json, key: string, required: boolean): string[] {
  const value = input[key];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) throw missingParameter(key);
  if (value.length > MAX_DESCRIBE) {
    throw invalidParameter(`The collection ${key} must not have a size greater than ${MAX_DESCRIBE}.`);
  }
  return value.map((item) => {
    if (typeof item !== 'string') throw invalidParameter(`The parameter ${key} must hold strings.`);
    return item;
  });
}
