// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
/**
 * `serverless package` (osls + serverless-esbuild) works offline and produces the template the
 * design calls for: Node 22 on arm64, least-privilege roles per function, capped retries, the
 * alarms, and bundles under 1 MB.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../support/zip.ts';

const run = promisify(execFile);

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const FUNCTIONS = ['Watchdog', 'Failover', 'Failback', 'Control'] as const;

describe('serverless package', () => {
  let dir: string;
  let resources: Record<string, Resource>;

  const props = (name: string) => {
    const resource = resources[name];
    if (!resource) throw new Error(`no resource ${name} in the template`);
    return resource.Properties;
  };
  const statements = (role: string) =>
    (props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]?.PolicyDocument.Statement ??
    [];
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const allows = (role: string, action: string) =>
    statements(role).filter((s) => actions(s).includes(action));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-package-'));
    await run('npx', ['serverless', 'package', '--stage', 'ci', '--package', dir], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        FAILOVER_CONFIG: 'failover.config.example.yml',
        HEALTH_TOKEN: 'token',
        LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
        PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
        PAGERDUTY_ROUTING_KEY: 'routing-key',
        SLS_TELEMETRY_DISABLED: '1',
      },
      timeout: 120_000,
    });
    const template = JSON.parse(
      await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as {
      Resources: Record<string, Resource>;
    };
    resources = template.Resources;
  }, 150_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deploys every function on Node 22 and arm64, each with its own role', () => {
    for (const fn of FUNCTIONS) {
      const p = props(`${fn}LambdaFunction`);
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Role).toEqual({ 'Fn::GetAtt': [`${fn}Role`, 'Arn'] });
    }
  });

  it('uses no wildcard action in any role', () => {
    for (const role of ['WatchdogRole', 'FailoverRole', 'FailbackRole', 'ControlRole', 'SchedulerRole']) {
      const all = (props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) =>
        p.PolicyDocument.Statement.flatMap(actions),
      );
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((a) => a.includes('*'))).toEqual([]);
    }
  });

  it('lets only failover and failback change records, scoped to the zones and record names of the config', () => {
    expect(allows('WatchdogRole', 'route53:ChangeResourceRecordSets')).toEqual([]);
    for (const role of ['FailoverRole', 'FailbackRole']) {
      const [change, ...more] = allows(role, 'route53:ChangeResourceRecordSets');
      expect(more).toEqual([]);
      expect(change?.Resource).toEqual([
        'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
        'arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSR',
      ]);
      expect(change?.Condition).toEqual({
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
            'api.example.com',
            'ledger.internal.example.com',
          ],
          'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME', 'A'],
        },
      });
    }
  });

  it('lets the watchdog invoke only the two flip functions', () => {
    const [invoke, ...more] = allows('WatchdogRole', 'lambda:InvokeFunction');
    expect(more).toEqual([]);
    expect(invoke?.Resource).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-failover',
      },
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-failback',
      },
    ]);
    expect(allows('FailoverRole', 'lambda:InvokeFunction')).toEqual([]);
  });

  it('lets the control function change only the state: no record change, no invoke, no metrics', () => {
    expect(allows('ControlRole', 'route53:ChangeResourceRecordSets')).toEqual([]);
    expect(allows('ControlRole', 'lambda:InvokeFunction')).toEqual([]);
    expect(allows('ControlRole', 'cloudwatch:PutMetricData')).toEqual([]);
    expect(allows('ControlRole', 'dynamodb:PutItem').map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': ['StateTable', 'Arn'] },
    ]);
    expect(allows('ControlRole', 'sns:Publish')).toHaveLength(1);
    expect(allows('ControlRole', 'ssm:GetParameter')).toHaveLength(1);
    expect(props('ControlLambdaFunction').ReservedConcurrentExecutions).toBe(1);
    expect(props('ControlLambdaEvConf').MaximumRetryAttempts).toBe(0);
  });

  it('scopes DynamoDB to the state table and PutMetricData to the namespace', () => {
    for (const role of ['WatchdogRole', 'FailoverRole', 'FailbackRole']) {
      for (const action of [
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:BatchGetItem',
      ]) {
        expect(allows(role, action).map((s) => s.Resource)).toEqual([
          { 'Fn::GetAtt': ['StateTable', 'Arn'] },
        ]);
      }
      expect(allows(role, 'cloudwatch:PutMetricData').map((s) => s.Condition)).toEqual([
        { StringEquals: { 'cloudwatch:namespace': 'FailoverController' } },
      ]);
    }
  });

  it('caps async retries and event age, with an on-failure destination and reserved concurrency 1', () => {
    for (const fn of ['Failover', 'Failback']) {
      const conf = props(`${fn}LambdaEvConf`);
      expect(conf.MaximumRetryAttempts).toBeLessThanOrEqual(1);
      expect(conf.MaximumEventAgeInSeconds).toBeLessThanOrEqual(120);
      expect(conf.DestinationConfig).toEqual({ OnFailure: { Destination: { Ref: 'NotificationsTopic' } } });
      expect(props(`${fn}LambdaFunction`).ReservedConcurrentExecutions).toBe(1);
    }
    const schedule = props('WatchdogSchedule');
    expect(schedule.ScheduleExpression).toBe('rate(1 minute)');
    expect((schedule.Target as Json).RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 60,
      MaximumRetryAttempts: 0,
    });
    expect((schedule.Target as Json).Arn).toEqual({ 'Fn::GetAtt': ['WatchdogLambdaFunction', 'Arn'] });
  });

  it('has the alarms: watchdog errors, missing heartbeat (breaching), any flip, flapping freeze, flip errors', () => {
    const heartbeat = props('HeartbeatMissingAlarm');
    expect(heartbeat).toMatchObject({
      Namespace: 'FailoverController',
      MetricName: 'Heartbeat',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 3,
      Period: 60,
    });
    for (const alarm of [
      'WatchdogErrorsAlarm',
      'HeartbeatMissingAlarm',
      'FailoverErrorsAlarm',
      'FailbackErrorsAlarm',
    ]) {
      expect(props(alarm).AlarmActions).toEqual([{ Ref: 'NotificationsTopic' }]);
    }
  });

  it('keeps state in an encrypted, point-in-time-recoverable, on-demand table with a TTL on expiresAt', () => {
    expect(props('StateTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('bundles each function with its config in under 1 MB', async () => {
    for (const fn of ['watchdog', 'failover', 'failback', 'control']) {
      const size = (await stat(join(dir, `${fn}.zip`))).size;
      expect(size).toBeLessThan(1024 * 1024);
      const entries = readZip(await readFile(join(dir, `${fn}.zip`)));
      expect([...entries.keys()].sort()).toEqual(['failover.config.example.yml', `functions/${fn}.mjs`]);
    }
  });

  it('ships a bundle that runs on its own: the packaged failover handler rejects a bad payload', async () => {
    const entries = readZip(await readFile(join(dir, 'failover.zip')));
    const taskRoot = join(dir, 'task');
    for (const [name, data] of entries) {
      await mkdir(dirname(join(taskRoot, name)), { recursive: true });
      await writeFile(join(taskRoot, name), data);
    }
    const script = [
      `const { handler } = await import(${JSON.stringify(pathToFileURL(join(taskRoot, 'functions/failover.mjs')).href)});`,
      "const out = await handler({ service: 'payments-api', forse: true }, { getRemainingTimeInMillis: () => 60000 });",
      'console.log(JSON.stringify(out));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH,
        LAMBDA_TASK_ROOT: taskRoot,
        FAILOVER_CONFIG: 'failover.config.example.yml',
        STATE_TABLE: 'unused',
        HEALTH_TOKEN: 'token',
        LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
        PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
        AWS_REGION: 'us-east-1',
      },
    });
    const response = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      outcome: string;
      errors: string[];
    };
    expect(response.outcome).toBe('rejected');
    expect(response.errors.join(' ')).toContain("unknown field 'forse'");
  });
});
