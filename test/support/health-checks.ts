/**
 * Real CLOUDWATCH_METRIC health checks for tests that put `HealthCheckId`s on records: the local Route 53
 * refuses ids that do not exist (NoSuchHealthCheck), as the Route 53 API model says the service does.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateHealthCheckCommand, Route53Client } from '@aws-sdk/client-route-53';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../local/cloudwatch/index.ts';

/**
 * A local CloudWatch with one alarm (`fixture-healthy`); pass `cloudwatch.alarmStates` to startLocalRoute53.
 * @example
 * const fixture = await healthCheckFixture();
 * const r53 = await startLocalRoute53({ cloudwatch: fixture.cloudwatch.alarmStates });
 * const [id] = await fixture.createChecks(r53.endpoint, 1);
 */
export async function healthCheckFixture(): Promise<{
  cloudwatch: LocalCloudWatch;
  createChecks(route53Endpoint: string, count: number): Promise<string[]>;
  close(): Promise<void>;
}> {
  const cloudwatch = await startLocalCloudWatch({ region: 'us-east-1' });
  const client = new CloudWatchClient({
    endpoint: cloudwatch.endpoint,
    region: cloudwatch.region,
    maxAttempts: 1,
  });
  try {
    await client.send(
      new PutMetricAlarmCommand({
        AlarmName: 'fixture-healthy',
        Namespace: 'Fixture',
        MetricName: 'healthy',
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
  } finally {
    client.destroy();
  }
  return {
    cloudwatch,
    async createChecks(route53Endpoint, count) {
      const route53 = new Route53Client({ endpoint: route53Endpoint, region: 'us-east-1', maxAttempts: 1 });
      try {
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const created = await route53.send(
            new CreateHealthCheckCommand({
              CallerReference: `fixture-${Date.now()}-${Math.random()}`,
              HealthCheckConfig: {
                Type: 'CLOUDWATCH_METRIC',
                AlarmIdentifier: { Region: 'us-east-1', Name: 'fixture-healthy' },
                InsufficientDataHealthStatus: 'LastKnownStatus',
              },
            }),
          );
          ids.push(created.HealthCheck?.Id ?? '');
        }
        return ids;
      } finally {
        route53.destroy();
      }
    },
    close: () => cloudwatch.close(),
  };
}
