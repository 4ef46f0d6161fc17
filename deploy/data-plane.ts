/**
 * The data-plane resources of issue #12, built from the parsed config in one place: per target of a
 * `dataPlane` service, a CloudWatch alarm on its `TrafficAllowed` signal and a Route 53
 * CLOUDWATCH_METRIC health check that follows the alarm. The deploy renders them as CloudFormation
 * (`dataPlaneTemplate`), the local stack provisions the same definitions through the API
 * (local/data-plane.ts), and `failoverctl attach` finds the health checks by their alarm's name.
 *
 * Why each setting (docs/reference/route53-health-checks.md):
 *  - Period 60, no StorageResolution: Route 53 accepts only standard-resolution alarms.
 *  - Statistic Maximum, `< 1` for 1 of 1 periods: a target is unhealthy for a minute in which every
 *    published value said 0; the minute of a flip holds both values and leaves both targets as they
 *    were for that minute, and the next minute is clean.
 *  - TreatMissingData `missing` + InsufficientDataHealthStatus `LastKnownStatus`: a dead watchdog
 *    publishes nothing, the alarm goes INSUFFICIENT_DATA, and the records keep their last status —
 *    a dead controller never moves traffic (`breaching` would mark every target unhealthy, and then
 *    Route 53 treats all as healthy and answers by weight).
 *  - ActionsEnabled false: the alarm only feeds the health check; people are told by the controller.
 */
import { createHash } from 'node:crypto';
import type { ControllerConfig, ServiceConfig } from '../shared/domain/config.ts';
import { METRIC } from '../shared/telemetry/metric-names.ts';

export interface DataPlaneScope {
  /** `failover-controller-<stage>`: the stack's name, the prefix of every alarm name. */
  readonly stack: string;
  readonly stage: string;
  /** Where the alarms live (the controller's own region; Route 53 accepts any CloudWatch region). */
  readonly region: string;
  readonly namespace: string;
}

/** One target's alarm (PutMetricAlarm's fields) and health check (CreateHealthCheck's). */
export interface DataPlaneTarget {
  readonly service: string;
  readonly target: string;
  readonly setIdentifier: string;
  readonly alarm: {
    readonly AlarmName: string;
    readonly AlarmDescription: string;
    readonly Namespace: string;
    readonly MetricName: string;
    readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
    readonly Statistic: 'Maximum';
    readonly Period: 60;
    readonly EvaluationPeriods: 1;
    readonly DatapointsToAlarm: 1;
    readonly Threshold: 1;
    readonly ComparisonOperator: 'LessThanThreshold';
    readonly TreatMissingData: 'missing';
    readonly ActionsEnabled: false;
  };
  readonly healthCheck: {
    readonly Type: 'CLOUDWATCH_METRIC';
    readonly AlarmIdentifier: { readonly Region: string; readonly Name: string };
    readonly InsufficientDataHealthStatus: 'LastKnownStatus';
  };
}

/**
 * The alarm name of one target: what the health check names and what `attach` looks for.
 *
 * @example
 * trafficAlarmName('failover-controller-prod', 'payments-api', 'secondary');
 * // 'failover-controller-prod-payments-api-secondary-traffic-allowed'
 */
export function trafficAlarmName(stack: string, service: string, target: string): string {
  return `${stack}-${service}-${target}-traffic-allowed`;
}

/**
 * Every target of every `dataPlane` service (mode `fallback` or `only`), in config order.
 *
 * @example
 * dataPlaneTargets(config, { stack: 'failover-controller-prod', stage: 'prod', region: 'us-west-2', namespace: 'FailoverController' });
 * // [{ service: 'payments-api', target: 'primary', alarm: { AlarmName: '…-primary-traffic-allowed', … }, healthCheck: { … } }, …]
 */
export function dataPlaneTargets(
  config: Pick<ControllerConfig, 'services'>,
  scope: DataPlaneScope,
): DataPlaneTarget[] {
  return config.services
    .filter((service) => service.dataPlane.mode !== 'off')
    .flatMap((service) => targetsOf(service, scope));
}

function targetsOf(service: ServiceConfig, scope: DataPlaneScope): DataPlaneTarget[] {
  return service.targets.map((target) => {
    const name = trafficAlarmName(scope.stack, service.name, target.id);
    return {
      service: service.name,
      target: target.id,
      setIdentifier: target.setIdentifier,
      alarm: {
        AlarmName: name,
        AlarmDescription:
          `Data-plane signal of ${service.name}/${target.id} (failover-controller, issue #12): ALARM = the ` +
          'controller does not send traffic here. Feeds a Route 53 health check; no actions.',
        Namespace: scope.namespace,
        MetricName: METRIC.trafficAllowed.name,
        Dimensions: [
          { Name: 'Stage', Value: scope.stage },
          { Name: 'Service', Value: service.name },
          { Name: 'Target', Value: target.id },
        ],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'missing',
        ActionsEnabled: false,
      },
      healthCheck: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Region: scope.region, Name: name },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
    };
  });
}

/**
 * The CloudFormation resources (serverless.yml's `resources`): an `AWS::CloudWatch::Alarm` and an
 * `AWS::Route53::HealthCheck` per target, with logical ids stable across config reorderings (a
 * replaced health check would leave the records naming a deleted one).
 *
 * @example
 * dataPlaneTemplate(config, scope).Resources; // { TrafficAlarmPaymentsapiPrimary1a2b3c4d: {…}, TrafficCheckPaymentsapiPrimary1a2b3c4d: {…} }
 */
export function dataPlaneTemplate(
  config: Pick<ControllerConfig, 'services'>,
  scope: DataPlaneScope,
): { Resources?: Record<string, unknown> } {
  const targets = dataPlaneTargets(config, scope);
  if (targets.length === 0) return {};
  const resources: Record<string, unknown> = {};
  for (const t of targets) {
    const id = logicalId(t.service, t.target);
    resources[`TrafficAlarm${id}`] = { Type: 'AWS::CloudWatch::Alarm', Properties: { ...t.alarm } };
    resources[`TrafficCheck${id}`] = {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: {
          ...t.healthCheck,
          AlarmIdentifier: { Region: { Ref: 'AWS::Region' }, Name: { Ref: `TrafficAlarm${id}` } },
        },
        HealthCheckTags: [{ Key: 'Name', Value: t.alarm.AlarmName }],
      },
    };
  }
  return { Resources: resources };
}

function logicalId(service: string, target: string): string {
  const word = (text: string) =>
    text
      .replace(/[^A-Za-z0-9]/g, '')
      .replace(/^./, (c) => c.toUpperCase())
      .slice(0, 40);
  const hash = createHash('sha256').update(`${service}/${target}`).digest('hex').slice(0, 8);
  return `${word(service)}${word(target)}${hash}`;
}
