/**
 * The local Route 53 health-check API driven by the AWS CLI (botocore, independent of the JS SDK):
 * create (and retry), get, status, list, delete, and NoSuchHealthCheck. Skipped, with the reason
 * printed, where `aws` is not on the PATH.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../../local/cloudwatch/index.ts';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';

const run = promisify(execFile);

function awsMissing(): string | undefined {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `aws is not on the PATH (${probe.error.message}); pip install awscli`;
  if (probe.status !== 0) return `aws --version exited with ${probe.status}: ${probe.stderr}`;
  return undefined;
}
const noAws = awsMissing();
if (noAws !== undefined)
  process.stderr.write(`route53-health-checks-awscli.test.ts: skipping the AWS CLI tests: ${noAws}\n`);

const CLI_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const closer of closers.splice(0).reverse()) await closer.close();
});

async function aws(
  r53: LocalRoute53,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      'aws',
      ['route53', ...args, '--endpoint-url', r53.endpoint, '--output', 'json'],
      {
        env: CLI_ENV,
        timeout: 20_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

async function setup(): Promise<{ r53: LocalRoute53; cw: LocalCloudWatch }> {
  const cw = await startLocalCloudWatch();
  closers.push(cw);
  const r53 = await startLocalRoute53({ cloudwatch: cw.alarmStates });
  closers.push(r53);
  const client = new CloudWatchClient({ endpoint: cw.endpoint, region: cw.region, maxAttempts: 1 });
  await client.send(
    new PutMetricAlarmCommand({
      AlarmName: 'primary-healthy',
      Namespace: 'Failover',
      MetricName: 'healthy',
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    }),
  );
  client.destroy();
  return { r53, cw };
}

const CONFIG = JSON.stringify({
  Type: 'CLOUDWATCH_METRIC',
  AlarmIdentifier: { Region: 'us-east-1', Name: 'primary-healthy' },
  InsufficientDataHealthStatus: 'LastKnownStatus',
});

describe.skipIf(noAws !== undefined)('local Route 53 health checks with the AWS CLI', () => {
  it('creates, retries, gets, reports, lists and deletes a CLOUDWATCH_METRIC check', async () => {
    const { r53 } = await setup();
    const created = await aws(
      r53,
      'create-health-check',
      '--caller-reference',
      'cli-1',
      '--health-check-config',
      CONFIG,
    );
    expect(created.code, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { HealthCheck: { Id: string } }).HealthCheck.Id;
    const retried = await aws(
      r53,
      'create-health-check',
      '--caller-reference',
      'cli-1',
      '--health-check-config',
      CONFIG,
    );
    expect((JSON.parse(retried.stdout) as { HealthCheck: { Id: string } }).HealthCheck.Id).toBe(id);
    const got = await aws(r53, 'get-health-check', '--health-check-id', id);
    expect(JSON.parse(got.stdout)).toMatchObject({
      HealthCheck: {
        Id: id,
        HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', InsufficientDataHealthStatus: 'LastKnownStatus' },
      },
    });
    const status = await aws(r53, 'get-health-check-status', '--health-check-id', id);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      HealthCheckObservations: [{ StatusReport: { Status: expect.any(String) } }],
    });
    const listed = await aws(r53, 'list-health-checks');
    expect(
      (JSON.parse(listed.stdout) as { HealthChecks: { Id: string }[] }).HealthChecks.map((c) => c.Id),
    ).toEqual([id]);
    expect((await aws(r53, 'delete-health-check', '--health-check-id', id)).code).toBe(0);
    const gone = await aws(r53, 'get-health-check', '--health-check-id', id);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('NoSuchHealthCheck');
  }, 60_000);

  it('reports HealthCheckAlreadyExists and InvalidInput by code', async () => {
    const { r53 } = await setup();
    await aws(r53, 'create-health-check', '--caller-reference', 'cli-2', '--health-check-config', CONFIG);
    const other = JSON.stringify({ ...JSON.parse(CONFIG), InsufficientDataHealthStatus: 'Unhealthy' });
    const clash = await aws(
      r53,
      'create-health-check',
      '--caller-reference',
      'cli-2',
      '--health-check-config',
      other,
    );
    expect(clash.stderr).toContain('HealthCheckAlreadyExists');
    const http = await aws(
      r53,
      'create-health-check',
      '--caller-reference',
      'cli-3',
      '--health-check-config',
      JSON.stringify({ Type: 'TCP', IPAddress: '192.0.2.1', Port: 80 }),
    );
    expect(http.stderr).toContain('InvalidInput');
  }, 60_000);
});
