// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
/**
 * `serverless package` (osls + serverless-esbuild) works offline and produces the template the
 * design calls for: Node 22 on arm64, least-privilege roles per function, capped retries, the
 * alarms (able to notify: a customer-managed topic key CloudWatch may use), no secret anywhere in
 * the template or bundles, and bundles under 1 MB. cfn-lint checks the template when installed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_METRICS, type MetricDefinition } from '../../../shared/telemetry/metric-names.ts';
import { readZip } from '../../support/zip.ts';

const run = promisify(execFile);

/**
 * Distinctive values in the deployer's shell. None may reach the template or a bundle: the example
 * keeps its secrets in SSM, and API_HOST / AWS_SECRET_ACCESS_KEY are named only in comments.
 */
const SECRETS = {
  HEALTH_TOKEN: 'health-token-value-b81f',
  PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/slack-secret-c6d2',
  PAGERDUTY_ROUTING_KEY: 'pagerduty-routing-key-e07a',
  API_HOST: 'api-host-value-91b3',
  AWS_SECRET_ACCESS_KEY: 'deployer-secret-access-key-2f5c',
} as const;
const LEDGER_PRIMARY_HOST = 'ledger-primary.internal';

/** Where a program is on PATH, or undefined. */
async function onPath(program: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${program}`]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

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

const FUNCTIONS = ['Watchdog', 'Failover', 'Failback', 'Forced', 'Control'] as const;

/** The listed metric of that name (shared/telemetry/metric-names.ts), the one source of names. */
function published(name: string): MetricDefinition | undefined {
  return ALL_METRICS.find((metric) => metric.name === name);
}

interface DashboardWidget {
  type: string;
  properties: Json;
}

/** The dashboard body as CloudFormation would write it for this stack in eu-central-1. */
function dashboardBody(property: unknown): { widgets: DashboardWidget[] } {
  const text = (property as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof text !== 'string') throw new Error('DashboardBody is not an Fn::Sub string');
  const resolved = text
    .replaceAll('${AWS::Region}', 'eu-central-1')
    .replaceAll('${AWS::StackName}', 'failover-controller-ci')
    .replaceAll('${!', '${');
  return JSON.parse(resolved) as { widgets: DashboardWidget[] };
}

/** The confused-deputy conditions on CloudWatch's grants: this account, this stack's alarms. */
const ALARM_SOURCE = {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Sub':
        'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:failover-controller-ci-*',
    },
  },
};

describe('serverless package', () => {
  let dir: string;
  let templateText: string;
  let resources: Record<string, Resource>;
  let outputs: Record<string, Json>;

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
        LEDGER_PRIMARY_HOST,
        ...SECRETS,
        SLS_TELEMETRY_DISABLED: '1',
      },
      timeout: 120_000,
    });
    templateText = await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
    const template = JSON.parse(templateText) as {
      Resources: Record<string, Resource>;
      Outputs: Record<string, Json>;
    };
    resources = template.Resources;
    outputs = template.Outputs;
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
        { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z0123456789ABCDEFGHIJ' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z9876543210ZYXWVUTSR' },
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

  it('lets a watchdog run outlast the schedule period it names, so the next run can take over (issue #20)', () => {
    const schedule = props('WatchdogSchedule');
    const input = JSON.parse(String((schedule.Target as Json).Input)) as { periodSeconds?: unknown };
    const timeout = props('WatchdogLambdaFunction').Timeout;

    expect(input.periodSeconds).toBe(60); // rate(1 minute), checked above
    // Long enough to cover the next run's scheduler delay and cold start, and one round's cost more.
    expect(timeout).toBeGreaterThanOrEqual(75);
    expect(timeout).toBeLessThanOrEqual(120);
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
      'FlipFailuresAlarm',
    ]) {
      expect(props(alarm).AlarmActions).toEqual([{ Ref: 'NotificationsTopic' }]);
    }
  });

  it('points every alarm on the controller namespace at a metric the code publishes, under its dimensions', () => {
    const custom = Object.values(resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace !== 'AWS/Lambda',
    );

    expect(custom.map((r) => r.Properties.MetricName).sort()).toEqual([
      'FlappingFrozen',
      'FlipFailures',
      'Flips',
      'Heartbeat',
    ]);
    for (const alarm of custom) {
      const listed = published(String(alarm.Properties.MetricName));
      const dimensions = (alarm.Properties.Dimensions as { Name: string; Value: string }[]).map(
        (d) => d.Name,
      );
      expect(alarm.Properties.Namespace).toBe('FailoverController');
      expect(listed?.dimensions).toContainEqual(dimensions);
    }
  });

  it('deploys a dashboard named after the stack that graphs only metrics the code publishes', () => {
    const dashboard = props('Dashboard');
    const body = dashboardBody(dashboard.DashboardBody);
    const rows = body.widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[][]);

    expect(resources.Dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(dashboard.DashboardName).toBe('failover-controller-ci');
    expect(rows.length).toBeGreaterThan(20);
    for (const [namespace, name, ...rest] of rows) {
      const dimensions = rest.filter((part): part is string => typeof part === 'string');
      const names = dimensions.filter((_, i) => i % 2 === 0);
      expect(namespace).toBe('FailoverController');
      expect(published(String(name))?.dimensions, `${name} under [${names}]`).toContainEqual(names);
      expect(dimensions.slice(0, 2)).toEqual(['Stage', 'ci']);
    }
    for (const widget of body.widgets.filter((w) => w.type !== 'text')) {
      expect(widget.properties.region).toBe('eu-central-1');
    }
  });

  it('gives each configured service its own widgets, latency only for the detailed one', () => {
    const titles = dashboardBody(props('Dashboard').DashboardBody).widgets.map((w) =>
      String(w.properties.title),
    );

    for (const service of ['payments-api', 'ledger-api']) {
      expect(titles.filter((t) => t.startsWith(`${service}: `)).map((t) => t.split(' (')[0])).toEqual([
        `${service}: active target`,
        `${service}: target health`,
        `${service}: flips`,
        `${service}: detection delay`,
        ...(service === 'ledger-api' ? [`${service}: probe latency`] : []),
      ]);
    }
  });

  it("queries the flip reasons from this stack's watchdog and flip function log groups", () => {
    const [log] = dashboardBody(props('Dashboard').DashboardBody).widgets.filter((w) => w.type === 'log');
    const groups = [...String(log?.properties.query).matchAll(/SOURCE '([^']+)'/g)].map((m) => m[1]);

    expect(groups).toEqual(
      ['watchdog', 'failover', 'failback', 'forced'].map((fn) => `/aws/lambda/failover-controller-ci-${fn}`),
    );
    for (const group of groups) {
      const declared = Object.values(resources).some(
        (r) => r.Type === 'AWS::Logs::LogGroup' && r.Properties.LogGroupName === group,
      );
      expect(declared, group).toBe(true);
    }
  });

  it("links the dashboard: each function's DASHBOARD_URL and the stack output", () => {
    const url = {
      'Fn::Sub':
        'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${AWS::StackName}',
    };
    for (const fn of FUNCTIONS) {
      const variables = (props(`${fn}LambdaFunction`).Environment as { Variables: Json }).Variables;
      expect(variables.DASHBOARD_URL).toEqual(url);
    }
    expect(outputs.DashboardUrl?.Value).toEqual({
      'Fn::Sub':
        'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Dashboard}',
    });
  });

  it('keeps state in an encrypted, point-in-time-recoverable, deletion-protected on-demand table with a TTL', () => {
    expect(props('StateTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('encrypts the notifications topic with a rotated customer-managed key that CloudWatch alarms may use', () => {
    expect(props('NotificationsTopic').KmsMasterKeyId).toEqual({ Ref: 'NotificationsKey' });
    expect(resources.NotificationsKey?.Type).toBe('AWS::KMS::Key');
    expect(props('NotificationsKey').EnableKeyRotation).toBe(true);
    const keyStatements = (props('NotificationsKey').KeyPolicy as { Statement: (Statement & Json)[] })
      .Statement;
    const cloudwatch = keyStatements.filter((s) =>
      JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cloudwatch[0]?.Condition).toEqual(ALARM_SOURCE);
  });

  it('lets CloudWatch publish to the topic, for this stack’s alarms only', () => {
    const topicPolicy = props('NotificationsTopicPolicy');
    expect(topicPolicy.Topics).toEqual([{ Ref: 'NotificationsTopic' }]);
    const [publish, ...more] = (topicPolicy.PolicyDocument as { Statement: (Statement & Json)[] }).Statement;
    expect(more).toEqual([]);
    expect(publish).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: 'NotificationsTopic' },
      Condition: ALARM_SOURCE,
    });
  });

  it('names every alarm so that the key and topic grants cover it, and points each at the topic', () => {
    const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    const prefix = 'failover-controller-ci-';
    expect(alarms).toHaveLength(7);
    for (const [, alarm] of alarms) {
      expect(String(alarm.Properties.AlarmName).startsWith(prefix)).toBe(true);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'NotificationsTopic' }]);
    }
  });

  it('lets only this account’s schedules assume the scheduler role', () => {
    const trust = props('SchedulerRole').AssumeRolePolicyDocument as { Statement: (Statement & Json)[] };
    expect(trust.Statement.map((s) => s.Condition)).toEqual([
      {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnEquals: {
          'aws:SourceArn': {
            'Fn::Sub':
              'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default',
          },
        },
      },
    ]);
  });

  it('writes no ARN for one partition, except those copied from the config', () => {
    const literal = [...templateText.matchAll(/"arn:aws:[^"]*"/g)].map((m) => m[0]);
    expect(literal.filter((arn) => !arn.includes(':123456789012:'))).toEqual([]);
  });

  it('puts no secret value in the template or a bundle, nor a variable named only in a comment', async () => {
    const bundles = await Promise.all(
      ['watchdog', 'failover', 'failback', 'forced', 'control'].map(async (fn) =>
        [...readZip(await readFile(join(dir, `${fn}.zip`))).values()]
          .map((data) => data.toString('utf8'))
          .join('\n'),
      ),
    );
    const everything = [templateText, ...bundles].join('\n');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(everything, `value of ${name}`).not.toContain(value);
      expect(templateText, `name ${name}`).not.toContain(name);
    }
  });

  it('gives each function only the variables it reads; the flip function names to the watchdog alone', () => {
    for (const fn of FUNCTIONS) {
      const variables = (props(`${fn}LambdaFunction`).Environment as { Variables: Json }).Variables;
      expect(variables).toMatchObject({ LEDGER_PRIMARY_HOST, STATE_TABLE: { Ref: 'StateTable' } });
      expect('FAILOVER_FUNCTION_NAME' in variables).toBe(fn === 'Watchdog');
    }
  });

  it('lets each function write only its own log group', () => {
    for (const fn of FUNCTIONS) {
      const [logs, ...more] = allows(`${fn}Role`, 'logs:PutLogEvents');
      expect(more).toEqual([]);
      expect(logs?.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${fn.toLowerCase()}:*`,
      });
    }
  });

  it('passes cfn-lint', async (context) => {
    const cfnLint = await onPath('cfn-lint');
    if (cfnLint === undefined) {
      console.warn('SKIPPED cfn-lint check: cfn-lint is not on PATH (pip install cfn-lint to run it)');
      context.skip('cfn-lint is not on PATH');
    }
    // W3005: osls adds DependsOn on each function's role beside the GetAtt; redundant, not wrong.
    const result = await run(
      'cfn-lint',
      ['--ignore-checks', 'W3005', '--', join(dir, 'cloudformation-template-update-stack.json')],
      { timeout: 60_000 },
    ).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, output: error.stdout ?? '' }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  }, 90_000);

  it('bundles each function with its config in under 1 MB', async () => {
    for (const fn of ['watchdog', 'failover', 'failback', 'forced', 'control']) {
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
        LEDGER_PRIMARY_HOST,
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

describe('serverless package of a config with ${env:} in a secret field', () => {
  it('refuses to package, naming the file, the field and ${ssm:/path}, and never printing the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'failover-env-secret-'));
    try {
      const example = await readFile('failover.config.example.yml', 'utf8');
      const config = join(dir, 'failover.config.yml');
      await writeFile(config, example.replace('${ssm:/failover/health-token}', '"${env:HEALTH_TOKEN}"'));

      const failure = await run(
        'npx',
        ['serverless', 'package', '--stage', 'ci', '--package', join(dir, 'out')],
        {
          cwd: process.cwd(),
          env: {
            ...process.env,
            FAILOVER_CONFIG: config,
            LEDGER_PRIMARY_HOST,
            HEALTH_TOKEN: SECRETS.HEALTH_TOKEN,
            SLS_TELEMETRY_DISABLED: '1',
          },
          timeout: 120_000,
        },
      ).then(
        () => undefined,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );

      expect(failure).toBeDefined();
      expect(failure).toContain(config);
      expect(failure).toContain('services[0].primary.checks[0].http.headers.X-Health-Token');
      expect(failure).toContain('${ssm:/path}');
      expect(failure).not.toContain(SECRETS.HEALTH_TOKEN);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
