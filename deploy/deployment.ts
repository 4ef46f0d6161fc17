/**
 * What serverless.yml needs from failover.config.yml at deploy time: which config file to bundle,
 * each function's environment, and least-privilege IAM policy documents scoped to the configured
 * hosted zones, record names, SSM parameters and SNS topics. Deploy fails here, with the loader's
 * clear errors, when the configuration is invalid — before anything reaches AWS.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.

import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { formatFieldPath } from '../shared/config/field-path.ts';
import { ConfigError, type ConfigIssue, loadConfig } from '../shared/config/index.ts';
import { type EnvReference, resolveReferences } from '../shared/config/references.ts';
import { isSecretField } from '../shared/config/secret-fields.ts';
import { readYaml } from '../shared/config/yaml-source.ts';
import type {
  ControllerConfig,
  NotifierConfig,
  SecretValue,
  VantagesConfig,
} from '../shared/domain/config.ts';
import { DASHBOARD_URL_TEMPLATE, DASHBOARD_URL_VARIABLE } from '../shared/telemetry/dashboard-link.ts';
import { METRIC, type MetricKey } from '../shared/telemetry/metric-names.ts';
import { dashboardBody } from './dashboard.ts';
import { dataPlaneTemplate } from './data-plane.ts';
import {
  DEFAULT_REGION,
  type StateDeployment,
  stateDeployment,
  stateRole,
  vantageIssues,
} from './state-table.ts';

export const METRICS_NAMESPACE = 'FailoverController';
/** serverless.yml's `service`: the stack is `<service>-<stage>`, the state table `<service>-<stage>-state`. */
export const SERVICE = 'failover-controller';

/** The deployed functions, as serverless.yml names them. */
export const FUNCTIONS = ['watchdog', 'failover', 'failback', 'forced', 'control'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

type Statement = Record<string, unknown>;
interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface DeploymentValues {
  /** The config file to bundle, relative to the service directory. */
  configFile: string;
  /**
   * Each function's environment: the fixed variables it reads, plus every variable the parsed
   * config references with `\${env:NAME}` outside a secret field (every function loads the config,
   * which resolves them again at cold start), with its value at deploy time.
   */
  environment: Record<FunctionName, Record<string, unknown>>;
  watchdogPolicy: PolicyDocument;
  failoverPolicy: PolicyDocument;
  failbackPolicy: PolicyDocument;
  /** Forced flips: the flip functions' rights, in a role of its own (operators are granted it apart). */
  forcedPolicy: PolicyDocument;
  /** Pause/resume: the state table, notifications and their secrets; no Route 53, no invoke. */
  controlPolicy: PolicyDocument;
  /** The namespace the functions publish to, for the alarms. */
  metricsNamespace: string;
  /** Each metric's name (`metricNames.heartbeat` = `Heartbeat`), for the alarms. */
  metricNames: Record<MetricKey, string>;
  /** The CloudWatch dashboard's `DashboardBody`: JSON, with the region and stack name filled in by `Fn::Sub`. */
  dashboardBody: { 'Fn::Sub': string };
  /**
   * The state table's resources and outputs (the first item of serverless.yml's `resources`): a
   * table, or with `vantages` the MRSC global table in the home region's stack and nothing but the
   * output elsewhere (deploy/state-table.ts).
   */
  stateResources: StateDeployment['resources'];
  /**
   * Issue #12: per target of each `dataPlane` service, the alarm on its TrafficAllowed signal and the
   * Route 53 health check that follows it (deploy/data-plane.ts); `{}` when no service has one.
   */
  dataPlaneResources: ReturnType<typeof dataPlaneTemplate>;
}

/**
 * Variables Lambda itself sets in every function: never copied from the deployer's shell (Lambda
 * refuses them, and they would carry the deployer's region or credentials); a config that names one
 * gets the function's own value at run time.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
const LAMBDA_RUNTIME_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

const sub = (template: string) => ({ 'Fn::Sub': template });

/**
 * IAM's `route53:ChangeResourceRecordSetsNormalizedRecordNames`: lowercase, no trailing dot, and
 * every character other than a-z, 0-9, '-', '_' and '.' as a three-digit octal escape (`*` -> `\052`).
 *
 * @example
 * normalizedRecordName('*.Example.com.'); // '\\052.example.com'
 */
export function normalizedRecordName(recordName: string): string {
  const bare = recordName.toLowerCase().replace(/\.$/, '');
  return [...bare]
    .map((ch) => (/[a-z0-9._-]/.test(ch) ? ch : `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`))
    .join('');
}

/**
 * Loads and checks the config the functions will bundle, and derives what serverless.yml needs for
 * the stack of `region` (default us-east-1, as serverless.yml). Throws the loader's `ConfigError`
 * for an invalid file, a `ConfigError` naming each secret field that uses `\${env:NAME}` (its value
 * would be written into the template), and one naming `vantages.regions` when they cannot hold an
 * MRSC global table or do not include `region`.
 *
 * @example
 * const { environment, watchdogPolicy } = deploymentValues({ stage: 'prod', region: 'us-east-2' });
 */
export function deploymentValues(
  options: { stage?: string; region?: string; service?: string; env?: NodeJS.ProcessEnv } = {},
): DeploymentValues {
  const env = options.env ?? process.env;
  const serviceDir = resolve(import.meta.dirname, '..');
  const file = resolve(serviceDir, env.FAILOVER_CONFIG ?? 'failover.config.yml');
  // Secrets first: a `${env:}` in a secret field is refused whether or not the variable is set.
  const references = envReferences(file, env);
  const config = loadConfig({ file, env });
  const configFile = relative(serviceDir, file);
  const configEnvironment = deployableEnvironment(references, env);
  const stage = options.stage ?? 'dev';
  const region = options.region ?? DEFAULT_REGION;
  const state = stateDeployment(
    stateRole(deployableVantages(file, config, region), region),
    `${options.service ?? SERVICE}-${stage}-state`,
    region,
  );
  const common = {
    STATE_TABLE: state.tableName,
    FAILOVER_CONFIG: configFile,
    METRICS_NAMESPACE,
    STAGE: stage,
    [DASHBOARD_URL_VARIABLE]: sub(DASHBOARD_URL_TEMPLATE),
    ...configEnvironment,
  };
  return {
    configFile,
    environment: {
      watchdog: {
        ...common,
        // Only the watchdog invokes the flip functions.
        FAILOVER_FUNCTION_NAME: sub('${AWS::StackName}-failover'),
        FAILBACK_FUNCTION_NAME: sub('${AWS::StackName}-failback'),
        // Which vantage this watchdog is: it records its own verdicts under this name (#11).
        ...(state.vantage === null ? {} : { VANTAGE: state.vantage }),
      },
      failover: common,
      failback: common,
      forced: common,
      control: common,
    },
    watchdogPolicy: policy([
      ...shared('watchdog', config, state.tableArn),
      ...readRecords(config),
      invokeFlipFunctions(),
    ]),
    failoverPolicy: policy(flipStatements('failover', config, state.tableArn)),
    failbackPolicy: policy(flipStatements('failback', config, state.tableArn)),
    // Invoked only with RequestResponse by an operator: no on-failure destination to publish to.
    forcedPolicy: policy([
      ...shared('forced', config, state.tableArn),
      ...readRecords(config),
      ...changeRecords(config),
    ]),
    controlPolicy: policy([
      logs('control'),
      stateTable(state.tableArn),
      ...notify(config, false),
      ...secrets(config),
    ]),
    metricsNamespace: METRICS_NAMESPACE,
    metricNames: Object.fromEntries(
      Object.entries(METRIC).map(([key, metric]) => [key, metric.name]),
    ) as Record<MetricKey, string>,
    dashboardBody: sub(
      substitutable(
        JSON.stringify(
          dashboardBody({
            namespace: METRICS_NAMESPACE,
            stage,
            services: config.services,
            region: '${AWS::Region}',
            logGroup: (fn) => `/aws/lambda/\${AWS::StackName}-${fn}`,
          }),
        ),
      ),
    ),
    stateResources: state.resources,
    dataPlaneResources: dataPlaneTemplate(config, {
      stack: `${options.service ?? SERVICE}-${stage}`,
      stage,
      region,
      namespace: METRICS_NAMESPACE,
    }),
  };
}

/**
 * The config's `vantages` when this stack can deploy them (three regions of one MRSC set, this
 * region among them), else a `ConfigError` naming the file, the field and its line.
 */
function deployableVantages(
  file: string,
  config: ControllerConfig,
  region: string,
): VantagesConfig | undefined {
  const vantages = config.vantages;
  if (vantages === undefined) return undefined;
  const issues = vantageIssues(vantages, region);
  if (issues.length === 0) return vantages;
  const line = readYaml(readFileSync(file, 'utf8'), file).lineOf(['vantages', 'regions']);
  throw new ConfigError(
    file,
    issues.map((issue) => (line === undefined ? issue : { ...issue, line })),
    { headline: `Cannot deploy ${file} to ${region}:` },
  );
}

/**
 * Text for `Fn::Sub` that keeps every `\${` literal (a check label may hold one) except the
 * region and stack-name placeholders the dashboard uses: `Fn::Sub` writes `\${!x}` as `\${x}`.
 *
 * @example
 * substitutable('\${AWS::Region} \${x}'); // '\${AWS::Region} \${!x}'
 */
export function substitutable(text: string): string {
  return text.replace(/\$\{(?!AWS::Region\}|AWS::StackName\})/g, '${!');
}

function policy(statements: Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** What the watchdog and the flip functions need: logs, state, metrics, alarms, notifications, secrets. */
function shared(
  fn: FunctionName,
  config: ControllerConfig,
  table: unknown,
  onFailureTopic = false,
): Statement[] {
  return [
    logs(fn),
    stateTable(table),
    metrics(),
    ...notify(config, onFailureTopic),
    ...alarmChecks(config),
    ...secrets(config),
  ];
}

/** Failover and failback: Lambda publishes their on-failure records to the stack's topic with their role. */
function flipStatements(fn: 'failover' | 'failback', config: ControllerConfig, table: unknown): Statement[] {
  return [...shared(fn, config, table, true), ...readRecords(config), ...changeRecords(config)];
}

/** Its own log group only (osls creates `/aws/lambda/<service>-<stage>-<fn>`, the stack's name + fn). */
function logs(fn: FunctionName): Statement {
  return {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: sub(
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${fn}:*`,
    ),
  };
}

/** The state table in this stack's region: the stack's own table, or this region's replica. */
function stateTable(table: unknown): Statement {
  return {
    Sid: 'StateTable',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    Resource: table,
  };
}

function metrics(): Statement {
  return {
    Sid: 'Metrics',
    Effect: 'Allow',
    Action: ['cloudwatch:PutMetricData'],
    Resource: '*',
    Condition: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
  };
}

/**
 * `sns:Publish` on the configured topics (and the stack's own topic for an on-failure destination),
 * with the KMS use that publishing to an encrypted topic takes: SNS asks KMS for a data key as the
 * publisher. The stack's topic has its own key; a configured topic's key, if customer-managed, sits
 * in the topic's account and region, and is usable here only through SNS.
 */
function notify(config: ControllerConfig, onFailureTopic: boolean): Statement[] {
  const topics = snsTopics(config);
  const resources = [...(onFailureTopic ? [{ Ref: 'NotificationsTopic' }] : []), ...topics];
  if (resources.length === 0) return [];
  const statements: Statement[] = [
    { Sid: 'Notify', Effect: 'Allow', Action: ['sns:Publish'], Resource: resources },
  ];
  if (onFailureTopic) {
    statements.push({
      Sid: 'NotificationsKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': ['NotificationsKey', 'Arn'] },
    });
  }
  const topicKeys = unique(topics.map(topicKeyScope)).flatMap((scope) => (scope === null ? [] : [scope]));
  for (const [index, scope] of topicKeys.entries()) {
    statements.push({
      Sid: `TopicKeys${index + 1}`,
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/*`,
      Condition: { StringEquals: { 'kms:ViaService': `sns.${scope.region}.amazonaws.com` } },
    });
  }
  return statements;
}

interface KeyScope {
  partition: string;
  region: string;
  account: string;
}

/** The partition, region and account of a topic ARN (where its KMS key must live). */
function topicKeyScope(topicArn: string): KeyScope | null {
  const [, partition, , region, account] = topicArn.split(':');
  if (!partition || !region || !account) return null;
  return { partition, region, account };
}

function alarmChecks(config: ControllerConfig): Statement[] {
  const alarms = alarmNames(config);
  if (alarms.length === 0) return [];
  return [
    {
      Sid: 'AlarmChecks',
      Effect: 'Allow',
      Action: ['cloudwatch:DescribeAlarms'],
      Resource: alarms.map((name) =>
        sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${name}`),
      ),
    },
  ];
}

/**
 * The SSM parameters the config names, and `kms:Decrypt` for a SecureString under a
 * customer-managed key: only through SSM, and only for these parameters (SSM passes the
 * parameter's ARN as the encryption context). The AWS-managed `aws/ssm` key needs no grant.
 */
function secrets(config: ControllerConfig): Statement[] {
  const parameters = ssmPaths(config).map((path) =>
    sub(
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path.startsWith('/') ? path : `/${path}`}`,
    ),
  );
  if (parameters.length === 0) return [];
  return [
    {
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: parameters,
    },
    {
      Sid: 'SecretsKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*'),
      Condition: {
        StringEquals: {
          'kms:ViaService': sub('ssm.${AWS::Region}.amazonaws.com'),
          'kms:EncryptionContext:PARAMETER_ARN': parameters,
        },
      },
    },
  ];
}

function readRecords(config: ControllerConfig): Statement[] {
  return [
    {
      Sid: 'ReadRecords',
      Effect: 'Allow',
      Action: ['route53:ListResourceRecordSets', 'route53:GetHostedZone'],
      Resource: hostedZoneArns(config),
    },
  ];
}

function changeRecords(config: ControllerConfig): Statement[] {
  return [
    {
      Sid: 'FlipWeights',
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: hostedZoneArns(config),
      Condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': unique(
            config.services.map((s) => normalizedRecordName(s.recordName)),
          ),
          'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'],
          'route53:ChangeResourceRecordSetsRecordTypes': unique(config.services.map((s) => s.recordType)),
        },
      },
    },
    {
      Sid: 'WaitForChange',
      Effect: 'Allow',
      Action: ['route53:GetChange'],
      Resource: sub('arn:${AWS::Partition}:route53:::change/*'),
    },
  ];
}

function invokeFlipFunctions(): Statement {
  return {
    Sid: 'InvokeFlipFunctions',
    Effect: 'Allow',
    Action: ['lambda:InvokeFunction'],
    Resource: [
      sub(
        'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-failover',
      ),
      sub(
        'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-failback',
      ),
    ],
  };
}

function hostedZoneArns(config: ControllerConfig): { 'Fn::Sub': string }[] {
  return unique(config.services.map((s) => s.hostedZoneId)).map((zone) =>
    sub(`arn:\${AWS::Partition}:route53:::hostedzone/${zone}`),
  );
}

function alarmNames(config: ControllerConfig): string[] {
  return unique(
    config.services.flatMap((s) =>
      s.targets
        .flatMap((target) => target.checks)
        .flatMap((c) => (c.kind === 'cloudwatch-alarm' ? [c.alarmName] : [])),
    ),
  );
}

function snsTopics(config: ControllerConfig): string[] {
  return unique(allNotifiers(config).flatMap((n) => (n.kind === 'sns' ? [n.topicArn] : [])));
}

/** Every `${ssm:/path}` of the config: notifier secrets and http header values. */
function ssmPaths(config: ControllerConfig): string[] {
  const notifierRefs: SecretValue[] = allNotifiers(config).flatMap((n) => {
    switch (n.kind) {
      case 'slack':
        return [n.webhookUrl];
      case 'pagerduty':
        return [n.routingKey];
      case 'webhook':
        return n.secret === undefined ? [n.url] : [n.url, n.secret];
      default:
        return [];
    }
  });
  const headerRefs: SecretValue[] = config.services.flatMap((s) =>
    s.targets
      .flatMap((target) => target.checks)
      .flatMap((c) => (c.kind === 'http' ? Object.values(c.headers) : [])),
  );
  return unique([...notifierRefs, ...headerRefs].flatMap((v) => (typeof v === 'string' ? [] : [v.path])));
}

function allNotifiers(config: ControllerConfig): NotifierConfig[] {
  return Object.values(config.notifiers).flat();
}

function unique<T>(values: T[]): T[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The `${env:NAME}` references of the parsed config (never of its comments). A reference in a
 * secret field is refused: its value would sit in the template and in every function's
 * configuration. A file that cannot be read or parsed is left to `loadConfig` to report.
 */
function envReferences(file: string, env: NodeJS.ProcessEnv): readonly EnvReference[] {
  let source: ReturnType<typeof readYaml>;
  try {
    source = readYaml(readFileSync(file, 'utf8'), file);
  } catch {
    return [];
  }
  const references = resolveReferences(source.value, env).envReferences;
  const inSecrets = references.filter((reference) => isSecretField(reference.path));
  if (inSecrets.length > 0) {
    throw new ConfigError(
      file,
      inSecrets.map((reference) => secretInEnvironment(reference, source.lineOf(reference.path))),
      { headline: `Cannot deploy ${file}: secrets would be written into the CloudFormation template:` },
    );
  }
  return references;
}

/** The referenced variables with their deploy-time values; those Lambda sets itself are left to the run time. */
function deployableEnvironment(
  references: readonly EnvReference[],
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const names = unique(references.map((reference) => reference.name));
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = env[name];
      return LAMBDA_RUNTIME_VARIABLES.has(name) || value === undefined ? [] : [[name, value]];
    }),
  );
}

function secretInEnvironment(reference: EnvReference, line: number | undefined): ConfigIssue {
  const issue = {
    path: formatFieldPath(reference.path),
    message: `a secret may not come from \${env:${reference.name}}: deployed, its value would sit in plain text in the CloudFormation template and the functions' environment; store it in SSM Parameter Store (SecureString) and write \${ssm:/path} here instead`,
  };
  return line === undefined ? issue : { ...issue, line };
}
