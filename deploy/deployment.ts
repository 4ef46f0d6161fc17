/**
 * What serverless.yml needs from failover.config.yml at deploy time: which config file to bundle,
 * and least-privilege IAM policy documents scoped to the configured hosted zones, record names,
 * SSM parameters and SNS topics. Deploy fails here, with the loader's clear errors, when the
 * configuration is invalid — before anything reaches AWS.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadConfig } from '../shared/config/index.ts';
import type { ControllerConfig, NotifierConfig, SecretValue } from '../shared/domain/config.ts';

export const METRICS_NAMESPACE = 'FailoverController';

type Statement = Record<string, unknown>;
interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface DeploymentValues {
  /** The config file to bundle, relative to the service directory. */
  configFile: string;
  /**
   * The functions' environment: the fixed variables, plus every variable the config references
   * with `\${env:NAME}` (resolved again at cold start), with its value at deploy time.
   */
  environment: Record<string, unknown>;
  watchdogPolicy: PolicyDocument;
  flipPolicy: PolicyDocument;
  /** Pause/resume: the state table, notifications and their secrets; no Route 53, no invoke. */
  controlPolicy: PolicyDocument;
}

const sub = (template: string) => ({ 'Fn::Sub': template });

/**
 * IAM's `route53:ChangeResourceRecordSetsNormalizedRecordNames`: lowercase, no trailing dot, and
 * every character other than a-z, 0-9, '-', '_' and '.' as a three-digit octal escape (`*` -> `\052`).
 */
export function normalizedRecordName(recordName: string): string {
  const bare = recordName.toLowerCase().replace(/\.$/, '');
  return [...bare]
    .map((ch) => (/[a-z0-9._-]/.test(ch) ? ch : `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`))
    .join('');
}

export function deploymentValues(
  options: { stage?: string; region?: string; env?: NodeJS.ProcessEnv } = {},
): DeploymentValues {
  const env = options.env ?? process.env;
  const serviceDir = resolve(import.meta.dirname, '..');
  const file = resolve(serviceDir, env.FAILOVER_CONFIG ?? 'failover.config.yml');
  const config = loadConfig({ file, env });
  const configFile = relative(serviceDir, file);
  return {
    configFile,
    environment: {
      STATE_TABLE: { Ref: 'StateTable' },
      FAILOVER_FUNCTION_NAME: sub('${AWS::StackName}-failover'),
      FAILBACK_FUNCTION_NAME: sub('${AWS::StackName}-failback'),
      FAILOVER_CONFIG: configFile,
      NOTIFICATIONS_TOPIC_ARN: { Ref: 'NotificationsTopic' },
      METRICS_NAMESPACE,
      STAGE: options.stage ?? 'dev',
      ...referencedEnvironment(readFileSync(file, 'utf8'), env),
    },
    watchdogPolicy: policy([...common(config), ...readRecords(config), invokeFlipFunctions()]),
    flipPolicy: policy([...common(config), ...readRecords(config), ...changeRecords(config)]),
    controlPolicy: policy([logs(), stateTable(), notify(config), ...secrets(config)]),
  };
}

function policy(statements: Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** What every function needs: its logs, the state table, metrics, alarms, notifications, secrets. */
function common(config: ControllerConfig): Statement[] {
  return [logs(), stateTable(), metrics(), notify(config), ...alarmChecks(config), ...secrets(config)];
}

function logs(): Statement {
  return {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: sub(
      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-*:*',
    ),
  };
}

function stateTable(): Statement {
  return {
    Sid: 'StateTable',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    Resource: { 'Fn::GetAtt': ['StateTable', 'Arn'] },
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

function notify(config: ControllerConfig): Statement {
  return {
    Sid: 'Notify',
    Effect: 'Allow',
    Action: ['sns:Publish'],
    Resource: [{ Ref: 'NotificationsTopic' }, ...snsTopics(config)],
  };
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

function secrets(config: ControllerConfig): Statement[] {
  const parameters = ssmPaths(config);
  if (parameters.length === 0) return [];
  return [
    {
      Sid: 'Secrets',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: parameters.map((path) =>
        sub(
          `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path.startsWith('/') ? path : `/${path}`}`,
        ),
      ),
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
      Resource: 'arn:aws:route53:::change/*',
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

function hostedZoneArns(config: ControllerConfig): string[] {
  return unique(config.services.map((s) => `arn:aws:route53:::hostedzone/${s.hostedZoneId}`));
}

function alarmNames(config: ControllerConfig): string[] {
  return unique(
    config.services.flatMap((s) =>
      [...s.primary.checks, ...s.secondary.checks].flatMap((c) =>
        c.kind === 'cloudwatch-alarm' ? [c.alarmName] : [],
      ),
    ),
  );
}

function snsTopics(config: ControllerConfig): string[] {
  return unique(allNotifiers(config).flatMap((n) => (n.kind === 'sns' ? [n.topicArn] : [])));
}

function ssmPaths(config: ControllerConfig): string[] {
  const refs: SecretValue[] = allNotifiers(config).flatMap((n) => {
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
  return unique(refs.flatMap((v) => (typeof v === 'string' ? [] : [v.path])));
}

function allNotifiers(config: ControllerConfig): NotifierConfig[] {
  return Object.values(config.notifiers).flat();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** `${env:NAME}` references in the config text, with their deploy-time values (the loader already checked they are set). */
function referencedEnvironment(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const names = [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? '');
  return Object.fromEntries(
    unique(names).flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
  );
}
