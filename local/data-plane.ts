/**
 * Provision the data-plane resources of issue #12 on the local stack (or any endpoint the clients
 * point at) from the same definitions the deploy renders (deploy/data-plane.ts): PutMetricAlarm and
 * CreateHealthCheck per target of each `dataPlane` service. Idempotent: an alarm is replaced with the
 * same settings, a health check with the same CallerReference and settings is returned as it is.
 */
import { type CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  type CloudWatchRegion,
  CreateHealthCheckCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { type DataPlaneScope, dataPlaneTargets } from '../deploy/data-plane.ts';
import type { ControllerConfig } from '../shared/domain/config.ts';

export interface ProvisionedTarget {
  readonly service: string;
  readonly target: string;
  readonly alarmName: string;
  readonly healthCheckId: string;
}

/**
 * @example
 * const made = await provisionDataPlane({ cloudwatch, route53 }, config, { stack: 'failover-controller-local', stage: 'local', region: 'us-east-1', namespace: 'FailoverController' });
 * made[0]; // { service: 'payments-api', target: 'primary', alarmName: '…-traffic-allowed', healthCheckId: '…' }
 */
export async function provisionDataPlane(
  clients: { readonly cloudwatch: CloudWatchClient; readonly route53: Route53Client },
  config: Pick<ControllerConfig, 'services'>,
  scope: DataPlaneScope,
): Promise<ProvisionedTarget[]> {
  const made: ProvisionedTarget[] = [];
  for (const t of dataPlaneTargets(config, scope)) {
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({ ...t.alarm, Dimensions: [...t.alarm.Dimensions] }),
    );
    const created = await clients.route53.send(
      new CreateHealthCheckCommand({
        CallerReference: t.alarm.AlarmName,
        HealthCheckConfig: {
          ...t.healthCheck,
          // Route 53 checks the region against its list of CloudWatch regions.
          AlarmIdentifier: {
            ...t.healthCheck.AlarmIdentifier,
            Region: t.healthCheck.AlarmIdentifier.Region as CloudWatchRegion,
          },
        },
      }),
    );
    const id = created.HealthCheck?.Id;
    if (id === undefined) throw new Error(`CreateHealthCheck for ${t.alarm.AlarmName} returned no id`);
    made.push({ service: t.service, target: t.target, alarmName: t.alarm.AlarmName, healthCheckId: id });
  }
  return made;
}
