/**
 * Route 53 health checks of type CLOUDWATCH_METRIC: CreateHealthCheck, GetHealthCheck,
 * GetHealthCheckStatus, ListHealthChecks and DeleteHealthCheck, and the status the DNS responder
 * answers by. As on Route 53, a check follows the state the alarm's metric data gives (its "data
 * stream"), not the alarm state shown by DescribeAlarms, so SetAlarmState does not move it
 * (docs/reference/route53-health-checks.md).
 */
import { randomUUID } from 'node:crypto';
import type { AlarmStateSource } from '../cloudwatch/index.ts';
import { invalidInput, Route53ApiError } from './errors.ts';
import { checkChildren, child, parseRequest, renderDocument, text, type XmlNode } from './xml.ts';

export type InsufficientDataHealthStatus = 'Healthy' | 'Unhealthy' | 'LastKnownStatus';
const INSUFFICIENT: readonly InsufficientDataHealthStatus[] = ['Healthy', 'Unhealthy', 'LastKnownStatus'];
const HEALTH_CHECK_TYPES = [
  'HTTP',
  'HTTPS',
  'HTTP_STR_MATCH',
  'HTTPS_STR_MATCH',
  'TCP',
  'CALCULATED',
  'CLOUDWATCH_METRIC',
  'RECOVERY_CONTROL',
] as const;
/** Endpoint and calculated settings a CLOUDWATCH_METRIC check must not carry. */
const ENDPOINT_FIELDS = [
  'IPAddress',
  'Port',
  'ResourcePath',
  'FullyQualifiedDomainName',
  'SearchString',
  'RequestInterval',
  'FailureThreshold',
  'MeasureLatency',
  'HealthThreshold',
  'ChildHealthChecks',
  'EnableSNI',
  'Regions',
  'RoutingControlArn',
] as const;
const CONFIG_FIELDS = [
  ...ENDPOINT_FIELDS,
  'Type',
  'Inverted',
  'Disabled',
  'AlarmIdentifier',
  'InsufficientDataHealthStatus',
];
const MAX_LIST = 1000;
const DEFAULT_LIST = 100;

export interface HealthCheck {
  /** A UUID, as the service assigns. */
  readonly id: string;
  readonly callerReference: string;
  readonly alarmRegion: string;
  readonly alarmName: string;
  readonly insufficientData: InsufficientDataHealthStatus;
  readonly inverted: boolean;
  readonly disabled: boolean;
  /** The alarm's settings when the check was created (CloudWatchAlarmConfiguration). */
  readonly alarm: NonNullable<ReturnType<AlarmStateSource['describe']>>;
}

export interface HealthStatus {
  readonly healthy: boolean;
  readonly reason: string;
  readonly checkedAt: number;
}

export interface HealthCheckStoreOptions {
  /** Where alarm states come from; without one, CLOUDWATCH_METRIC checks cannot be created. */
  readonly alarms?: AlarmStateSource;
  /** How long a change of the alarm's data takes to reach the check (default 0; see README). */
  readonly observationDelayMs: number;
}

/**
 * The account's health checks. Deleting one that records still use is allowed, as on Route 53; such a
 * record is then treated as unhealthy (Route 53 calls that state unpredictable).
 */
export class HealthCheckStore {
  readonly #checks = new Map<string, HealthCheck>();
  /** Caller references of deleted checks: reusing one is HealthCheckAlreadyExists. */
  readonly #deletedReferences = new Set<string>();
  readonly #options: HealthCheckStoreOptions;

  constructor(options: HealthCheckStoreOptions) {
    this.#options = options;
  }

  get observationDelayMs(): number {
    return this.#options.observationDelayMs;
  }

  get(id: string): HealthCheck | undefined {
    return this.#checks.get(id);
  }

  /** In creation order. */
  list(): HealthCheck[] {
    return [...this.#checks.values()];
  }

  /** Creates a check, or returns the existing one for a retried request with the same caller reference. */
  create(
    callerReference: string,
    config: Omit<HealthCheck, 'id' | 'callerReference' | 'alarm'>,
  ): HealthCheck {
    if (this.#deletedReferences.has(callerReference)) throw alreadyExists();
    const alarms = this.#options.alarms;
    if (alarms === undefined) {
      throw invalidInput(
        'Invalid parameter : the local Route 53 was started without a CloudWatch to read alarms from (pass cloudwatch to startLocalRoute53).',
      );
    }
    const existing = this.list().find((check) => check.callerReference === callerReference);
    if (existing !== undefined) {
      const same =
        existing.alarmRegion === config.alarmRegion &&
        existing.alarmName === config.alarmName &&
        existing.insufficientData === config.insufficientData &&
        existing.inverted === config.inverted &&
        existing.disabled === config.disabled;
      if (!same) throw alreadyExists();
      return existing;
    }
    const alarm = config.alarmRegion === alarms.region ? alarms.describe(config.alarmName) : undefined;
    if (alarm === undefined) {
      throw invalidInput(
        `Invalid parameter : the CloudWatch alarm ${config.alarmName} does not exist in region ${config.alarmRegion}.`,
      );
    }
    if (alarm.period < 60) {
      throw invalidInput(
        `Invalid parameter : the CloudWatch alarm ${config.alarmName} has a period of ${alarm.period} seconds; Route 53 supports only standard-resolution alarms (60 seconds or more).`,
      );
    }
    const check: HealthCheck = { id: randomUUID(), callerReference, ...config, alarm };
    this.#checks.set(check.id, check);
    return check;
  }

  delete(id: string): void {
    const check = this.#checks.get(id);
    if (check === undefined) throw noSuchHealthCheck(id);
    this.#checks.delete(id);
    this.#deletedReferences.add(check.callerReference);
  }

  /** True when the check exists and is healthy now; what the DNS responder asks. */
  isHealthy(id: string): boolean {
    const check = this.#checks.get(id);
    return check !== undefined && this.status(check).healthy;
  }

  /**
   * The check's status now: the alarm state its metric data gave `observationDelayMs` ago, mapped
   * OK -> healthy, ALARM -> unhealthy, INSUFFICIENT_DATA (or an alarm that is gone) -> the check's
   * InsufficientDataHealthStatus; then Disabled (always healthy) and Inverted.
   */
  status(check: HealthCheck): HealthStatus {
    const alarms = this.#options.alarms;
    const checkedAt = alarms?.now() ?? Date.now();
    if (check.disabled) return { healthy: true, reason: 'Success: the health check is disabled', checkedAt };
    const seen =
      alarms !== undefined && check.alarmRegion === alarms.region
        ? alarms.stateAt(check.alarmName, checkedAt - this.#options.observationDelayMs)
        : undefined;
    let healthy: boolean;
    let reason: string;
    if (seen?.state === 'OK' || seen?.state === 'ALARM') {
      healthy = seen.state === 'OK';
      reason = `the CloudWatch alarm ${check.alarmName} is ${seen.state}`;
    } else {
      const what =
        seen === undefined
          ? `the CloudWatch alarm ${check.alarmName} was not found`
          : `the CloudWatch alarm ${check.alarmName} has insufficient data`;
      if (check.insufficientData === 'LastKnownStatus') {
        healthy = seen?.lastKnown !== 'ALARM';
        reason = `${what}; last known status: ${seen?.lastKnown ?? 'none (a new check is healthy)'}`;
      } else {
        healthy = check.insufficientData === 'Healthy';
        reason = `${what}; InsufficientDataHealthStatus is ${check.insufficientData}`;
      }
    }
    if (check.inverted) healthy = !healthy;
    return {
      healthy,
      reason: `${healthy ? 'Success' : 'Failure'}: ${reason}${check.inverted ? ' (inverted)' : ''}`,
      checkedAt,
    };
  }
}

export function noSuchHealthCheck(id: string): Route53ApiError {
  return new Route53ApiError('NoSuchHealthCheck', 404, `No health check exists with the specified ID ${id}`);
}

function alreadyExists(): Route53ApiError {
  return new Route53ApiError(
    'HealthCheckAlreadyExists',
    409,
    'A different health check has already been created with the specified caller reference.',
  );
}

/**
 * Parses a CreateHealthCheckRequest body and creates (or, for a retry, returns) the check.
 * @example
 * const check = createHealthCheck(body, store); // InvalidInput for a type other than CLOUDWATCH_METRIC
 */
export function createHealthCheck(body: string, store: HealthCheckStore): HealthCheck {
  const request = parseRequest(body, 'CreateHealthCheckRequest');
  checkChildren(request, ['CallerReference', 'HealthCheckConfig']);
  const callerReference = text(request, 'CallerReference');
  if (callerReference === undefined || callerReference.length < 1 || callerReference.length > 64) {
    throw invalidInput(
      `1 validation error detected: Value ${callerReference === undefined ? 'null' : `'${callerReference}'`} at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 64`,
    );
  }
  const config = child(request, 'HealthCheckConfig');
  if (config === undefined) {
    throw invalidInput(
      "1 validation error detected: Value null at 'healthCheckConfig' failed to satisfy constraint: Member must not be null",
    );
  }
  checkChildren(config, CONFIG_FIELDS);
  const type = text(config, 'Type');
  if (type === undefined || !(HEALTH_CHECK_TYPES as readonly string[]).includes(type)) {
    throw invalidInput(
      `1 validation error detected: Value ${type === undefined ? 'null' : `'${type}'`} at 'healthCheckConfig.type' failed to satisfy constraint: Member must satisfy enum value set: [${HEALTH_CHECK_TYPES.join(', ')}]`,
    );
  }
  if (type !== 'CLOUDWATCH_METRIC') {
    throw invalidInput(
      `Invalid parameter : health checks of type ${type} are not supported by the local Route 53; only CLOUDWATCH_METRIC is.`,
    );
  }
  const extra = ENDPOINT_FIELDS.find((field) => config[field] !== undefined);
  if (extra !== undefined) {
    throw invalidInput(
      `Invalid parameter : CLOUDWATCH_METRIC health checks must not have ${extra} specified.`,
    );
  }
  const alarm = readAlarmIdentifier(child(config, 'AlarmIdentifier'));
  const insufficient = text(config, 'InsufficientDataHealthStatus') ?? 'LastKnownStatus';
  const insufficientData = INSUFFICIENT.find((value) => value === insufficient);
  if (insufficientData === undefined) {
    throw invalidInput(
      `1 validation error detected: Value '${insufficient}' at 'healthCheckConfig.insufficientDataHealthStatus' failed to satisfy constraint: Member must satisfy enum value set: [${INSUFFICIENT.join(', ')}]`,
    );
  }
  return store.create(callerReference, {
    alarmRegion: alarm.region,
    alarmName: alarm.name,
    insufficientData,
    inverted: text(config, 'Inverted') === 'true',
    disabled: text(config, 'Disabled') === 'true',
  });
}

function readAlarmIdentifier(node: XmlNode | undefined): { region: string; name: string } {
  if (node === undefined) {
    throw invalidInput(
      'Invalid parameter : CLOUDWATCH_METRIC health checks must have an AlarmIdentifier specified.',
    );
  }
  const region = text(node, 'Region');
  const name = text(node, 'Name');
  if (region === undefined || name === undefined) {
    const missing = region === undefined ? 'region' : 'name';
    throw invalidInput(
      `1 validation error detected: Value null at 'healthCheckConfig.alarmIdentifier.${missing}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (name.length < 1 || name.length > 256) {
    throw invalidInput(
      `1 validation error detected: Value '${name}' at 'healthCheckConfig.alarmIdentifier.name' failed to satisfy constraint: Member must have length between 1 and 256`,
    );
  }
  return { region, name };
}

/** The `<HealthCheck>` element, in the schema's order. */
export function healthCheckElement(check: HealthCheck): Record<string, unknown> {
  return {
    Id: check.id,
    CallerReference: check.callerReference,
    HealthCheckConfig: {
      Type: 'CLOUDWATCH_METRIC',
      Inverted: check.inverted,
      Disabled: check.disabled,
      AlarmIdentifier: { Region: check.alarmRegion, Name: check.alarmName },
      InsufficientDataHealthStatus: check.insufficientData,
    },
    HealthCheckVersion: 1,
    CloudWatchAlarmConfiguration: {
      EvaluationPeriods: check.alarm.evaluationPeriods,
      Threshold: check.alarm.threshold,
      ComparisonOperator: check.alarm.comparison,
      Period: check.alarm.period,
      MetricName: check.alarm.metricName,
      Namespace: check.alarm.namespace,
      Statistic: check.alarm.statistic,
      ...(check.alarm.dimensions.length === 0
        ? {}
        : {
            Dimensions: { Dimension: check.alarm.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) },
          }),
    },
  };
}

/** GetHealthCheckStatusResponse: one observation (see README for how it differs from Route 53's). */
export function healthCheckStatusDocument(check: HealthCheck, store: HealthCheckStore): string {
  const status = store.status(check);
  return renderDocument('GetHealthCheckStatusResponse', {
    HealthCheckObservations: {
      HealthCheckObservation: [
        {
          Region: check.alarmRegion,
          StatusReport: { Status: status.reason, CheckedTime: new Date(status.checkedAt).toISOString() },
        },
      ],
    },
  });
}

/** ListHealthChecksResponse for `marker` and `maxitems` (default 100, at most 1,000). */
export function listHealthChecksDocument(query: URLSearchParams, store: HealthCheckStore): string {
  const raw = query.get('maxitems');
  const requested = raw === null ? DEFAULT_LIST : Number(raw);
  if (!Number.isInteger(requested) || requested < 1) {
    throw invalidInput(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a whole number >= 1`,
    );
  }
  const maxItems = Math.min(requested, MAX_LIST);
  const marker = query.get('marker') ?? undefined;
  const checks = store.list();
  const start = marker === undefined ? 0 : checks.findIndex((check) => check.id === marker);
  if (start < 0) throw invalidInput(`Invalid marker: no health check with ID ${marker}`);
  const page = checks.slice(start, start + maxItems);
  const next = checks[start + maxItems];
  return renderDocument('ListHealthChecksResponse', {
    HealthChecks: { HealthCheck: page.map(healthCheckElement) },
    Marker: marker ?? '',
    IsTruncated: next !== undefined,
    ...(next === undefined ? {} : { NextMarker: next.id }),
    MaxItems: maxItems,
  });
}
