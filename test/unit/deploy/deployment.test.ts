// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...}, ${ssm:...} and ${AWS::...} are configuration and CloudFormation references.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deploymentValues, normalizedRecordName, SERVICE } from '../../../deploy/deployment.ts';
import { configErrorFrom } from '../config/sample-config.ts';

const env = {
  FAILOVER_CONFIG: 'failover.config.example.yml',
  LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
};

const dir = mkdtempSync(join(tmpdir(), 'failover-deployment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a config file whose primary check is `primaryCheck` (YAML lines under `- http:`) and returns its path. */
function configFile(
  name: string,
  options: { primaryCheck: string; notifiers?: string; comment?: string },
): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      options.comment ?? '# a configuration for the deployment tests',
      'services:',
      '  - name: payments-api',
      '    hostedZoneId: Z0123456789ABC',
      '    recordName: api.example.com',
      '    recordType: CNAME',
      '    primary:',
      '      setIdentifier: primary',
      '      checks:',
      '        - http:',
      ...options.primaryCheck.split('\n').map((line) => `            ${line}`),
      '    secondary:',
      '      setIdentifier: standby',
      '      checks:',
      '        - http: { url: "https://standby.example.com/health" }',
      ...(options.notifiers === undefined ? [] : ['    notify: [oncall]', 'notifiers:', options.notifiers]),
      '',
    ].join('\n'),
  );
  return file;
}

describe('normalizedRecordName', () => {
  it('writes record names the way the IAM condition key compares them', () => {
    expect(normalizedRecordName('API.Example.com.')).toBe('api.example.com');
    expect(normalizedRecordName('*.example.com')).toBe('\\052.example.com');
    expect(normalizedRecordName('_dmarc.example.com')).toBe('_dmarc.example.com');
  });
});

describe('deploymentValues: environment', () => {
  it('passes the variables the config references to every function, with their deploy-time values', () => {
    const values = deploymentValues({ stage: 'prod', env });

    expect(values.configFile).toBe('failover.config.example.yml');
    for (const fn of ['watchdog', 'failover', 'failback', 'forced', 'control'] as const) {
      expect(values.environment[fn]).toMatchObject({
        FAILOVER_CONFIG: 'failover.config.example.yml',
        STAGE: 'prod',
        STATE_TABLE: { Ref: 'StateTable' },
        LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
      });
    }
  });

  it('gives the names of the flip functions to the watchdog only, which alone invokes them', () => {
    const { environment } = deploymentValues({ env });

    expect(environment.watchdog.FAILOVER_FUNCTION_NAME).toEqual({ 'Fn::Sub': '${AWS::StackName}-failover' });
    expect(environment.watchdog.FAILBACK_FUNCTION_NAME).toEqual({ 'Fn::Sub': '${AWS::StackName}-failback' });
    for (const fn of ['failover', 'failback', 'forced', 'control'] as const) {
      expect(Object.keys(environment[fn])).not.toContain('FAILOVER_FUNCTION_NAME');
      expect(Object.keys(environment[fn])).not.toContain('FAILBACK_FUNCTION_NAME');
    }
  });

  it('takes variable names from values only: a name in a comment is never deployed', () => {
    const file = configFile('commented.yml', {
      comment: '# The token was once ${env:AWS_SECRET_ACCESS_KEY}; see also ${env:API_HOST}.',
      primaryCheck: 'url: https://primary.example.com/health # not ${env:OLD_HOST}',
    });
    const deployer = {
      FAILOVER_CONFIG: file,
      AWS_SECRET_ACCESS_KEY: 'deployer-secret-key-5f3a',
      API_HOST: 'api-host-value-77c1',
      OLD_HOST: 'old-host-value-0d2e',
    };

    const values = deploymentValues({ env: deployer });

    const everything = JSON.stringify(values);
    for (const leaked of [
      'AWS_SECRET_ACCESS_KEY',
      'API_HOST',
      'OLD_HOST',
      ...Object.values(deployer).slice(1),
    ]) {
      expect(everything).not.toContain(leaked);
    }
  });

  it('leaves variables that Lambda sets itself to the run time, never copying the deployer’s', () => {
    const file = configFile('runtime-variables.yml', {
      primaryCheck: 'url: https://primary.${env:AWS_REGION}.example.com/health',
    });

    const { environment } = deploymentValues({ env: { FAILOVER_CONFIG: file, AWS_REGION: 'eu-west-1' } });

    expect(Object.keys(environment.watchdog)).not.toContain('AWS_REGION');
  });

  it('refuses ${env:} in a probe header or a notifier secret, naming the file, field and line and pointing to ${ssm:}', () => {
    const file = configFile('env-secrets.yml', {
      primaryCheck:
        'url: https://primary.example.com/health\nheaders:\n  Authorization: "Bearer ${env:HEALTH_TOKEN}"',
      notifiers: '  oncall:\n    - slack: { webhookUrl: "${env:SLACK_URL}" }',
    });

    const error = configErrorFrom(() =>
      deploymentValues({
        env: {
          FAILOVER_CONFIG: file,
          HEALTH_TOKEN: 'hdr-secret-9c4e',
          SLACK_URL: 'https://hooks.slack.com/x',
        },
      }),
    );

    expect(error.message).toContain(`Cannot deploy ${file}`);
    expect(error.issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['services[0].primary.checks[0].http.headers.Authorization', 13],
      ['notifiers.oncall[0].slack.webhookUrl', 21],
    ]);
    for (const issue of error.issues) expect(issue.message).toContain('write ${ssm:/path} here instead');
    expect(error.message).toContain('${env:HEALTH_TOKEN}');
    expect(error.message).not.toContain('hdr-secret-9c4e');
  });

  it('refuses ${env:} in a secret even when the variable is not set, so fixing it takes one attempt', () => {
    const file = configFile('env-secret-unset.yml', {
      primaryCheck: 'url: https://primary.example.com/health\nheaders:\n  X-Token: ${env:UNSET_TOKEN}',
    });

    const error = configErrorFrom(() => deploymentValues({ env: { FAILOVER_CONFIG: file } }));

    expect(error.issues.map((issue) => issue.path)).toEqual([
      'services[0].primary.checks[0].http.headers.X-Token',
    ]);
  });

  it('refuses to deploy an invalid configuration, naming the problem', () => {
    expect(() => deploymentValues({ env: { FAILOVER_CONFIG: env.FAILOVER_CONFIG } })).toThrow(
      /LEDGER_PRIMARY_HOST is not set/,
    );
  });

  it('names the missing default config file', () => {
    expect(() => deploymentValues({ env: { FAILOVER_CONFIG: 'no-such-file.yml' } })).toThrow(
      /no-such-file\.yml/,
    );
  });
});

describe('deploymentValues: policies', () => {
  type Statement = { Sid?: string; Action: string[]; Resource: unknown; Condition?: unknown };
  const sids = (statements: Statement[]) => statements.map((s) => s.Sid);

  it('gives the control function the state table and notifications, but no Route 53 change, invoke or metrics', () => {
    const { controlPolicy } = deploymentValues({ env });
    const actions = controlPolicy.Statement.flatMap((s) => s.Action as string[]);

    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).toContain('sns:Publish');
    expect(actions).toContain('ssm:GetParameter');
    expect(
      actions.filter(
        (a) => a.startsWith('route53:') || a.startsWith('lambda:') || a.startsWith('cloudwatch:'),
      ),
    ).toEqual([]);
  });

  it('gives the forced-flip function its own role that may change records like the flip functions', () => {
    const { forcedPolicy, failoverPolicy } = deploymentValues({ env });

    const change = (statements: Statement[]) => statements.find((s) => s.Sid === 'FlipWeights');
    expect(change(forcedPolicy.Statement as Statement[])).toEqual(
      change(failoverPolicy.Statement as Statement[]),
    );
  });

  it('lets each function write only its own log group', () => {
    const values = deploymentValues({ env });

    for (const fn of ['watchdog', 'failover', 'failback', 'forced', 'control'] as const) {
      const logs = (values[`${fn}Policy`].Statement as Statement[]).find((s) => s.Sid === 'Logs');
      expect(logs?.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${fn}:*`,
      });
    }
  });

  it('lets failover and failback use the topic key for their on-failure destination; the others never see it', () => {
    const values = deploymentValues({ env });

    for (const policy of [values.failoverPolicy, values.failbackPolicy]) {
      const statements = policy.Statement as Statement[];
      expect(statements.find((s) => s.Sid === 'NotificationsKey')).toMatchObject({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['NotificationsKey', 'Arn'] },
      });
      expect(statements.find((s) => s.Sid === 'Notify')?.Resource).toContainEqual({
        Ref: 'NotificationsTopic',
      });
    }
    for (const policy of [values.watchdogPolicy, values.forcedPolicy, values.controlPolicy]) {
      const statements = policy.Statement as Statement[];
      expect(sids(statements)).not.toContain('NotificationsKey');
      expect(JSON.stringify(statements)).not.toContain('NotificationsTopic');
    }
  });

  it('allows kms:Decrypt for the SSM secrets only through SSM and only for those parameters', () => {
    const { watchdogPolicy } = deploymentValues({ env });
    const statements = watchdogPolicy.Statement as Statement[];

    const parameters = statements.find((s) => s.Sid === 'Secrets')?.Resource;
    expect(parameters).toContainEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/failover/health-token',
    });
    expect(statements.find((s) => s.Sid === 'SecretsKeys')).toEqual({
      Sid: 'SecretsKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' },
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' },
          'kms:EncryptionContext:PARAMETER_ARN': parameters,
        },
      },
    });
  });

  it('allows the key of a configured SNS topic only through SNS, in the topic’s own account and region', () => {
    const { controlPolicy } = deploymentValues({ env });

    expect((controlPolicy.Statement as Statement[]).find((s) => s.Sid === 'TopicKeys1')).toEqual({
      Sid: 'TopicKeys1',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: 'arn:aws:kms:us-east-1:123456789012:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
    });
  });

  it('writes Route 53 ARNs for the partition it is deployed to', () => {
    const { failoverPolicy } = deploymentValues({ env });

    expect(JSON.stringify(failoverPolicy)).not.toContain('arn:aws:route53');
    expect(
      (failoverPolicy.Statement as Statement[]).find((s) => s.Sid === 'WaitForChange')?.Resource,
    ).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:route53:::change/*',
    });
  });
});

describe('deploymentValues: vantages', () => {
  const example = readFileSync('failover.config.example.yml', 'utf8');
  /** The example config with `vantages:` appended; returns its path. */
  const withVantages = (name: string, regions: string) => {
    const file = join(dir, name);
    writeFileSync(file, `${example}\nvantages:\n  regions: ${regions}\n`);
    return { ...env, FAILOVER_CONFIG: file };
  };
  const us = withVantages('vantages-us.yml', '[us-east-2, us-east-1, us-west-2]');
  type Statement = { Sid?: string; Resource: unknown };
  const stateResources = (values: ReturnType<typeof deploymentValues>) =>
    [
      values.watchdogPolicy,
      values.failoverPolicy,
      values.failbackPolicy,
      values.forcedPolicy,
      values.controlPolicy,
    ].map((p) => (p.Statement as Statement[]).find((s) => s.Sid === 'StateTable')?.Resource);

  it('makes the first region the home: it owns the MRSC global table, its watchdog is that vantage', () => {
    const values = deploymentValues({ stage: 'prod', region: 'us-east-2', env: us });

    expect(values.stateResources.Resources?.StateTable).toMatchObject({
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: { TableName: 'failover-controller-prod-state', MultiRegionConsistency: 'STRONG' },
    });
    expect(values.environment.watchdog.VANTAGE).toBe('us-east-2');
    expect(values.environment.watchdog.STATE_TABLE).toEqual({ Ref: 'StateTable' });
    for (const fn of ['failover', 'failback', 'forced', 'control'] as const) {
      expect(Object.keys(values.environment[fn])).not.toContain('VANTAGE');
    }
  });

  it("lets another region's stack create no table and use its own region's replica, named by service and stage", () => {
    const values = deploymentValues({ stage: 'prod', region: 'us-west-2', service: 'fc', env: us });

    expect(values.stateResources).toEqual({ Outputs: { StateTableName: { Value: 'fc-prod-state' } } });
    expect(values.environment.watchdog).toMatchObject({ VANTAGE: 'us-west-2', STATE_TABLE: 'fc-prod-state' });
    expect(values.environment.control.STATE_TABLE).toBe('fc-prod-state');
    expect(stateResources(values)).toEqual(
      Array(5).fill({
        'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/fc-prod-state',
      }),
    );
  });

  it('deploys to us-east-1 when no region is given, as serverless.yml does', () => {
    const values = deploymentValues({ stage: 'prod', env: us });

    expect(values.environment.watchdog.VANTAGE).toBe('us-east-1');
    expect(values.stateResources.Resources).toBeUndefined();
  });

  it('keeps the single-region table and sets no VANTAGE without vantages', () => {
    const values = deploymentValues({ stage: 'prod', region: 'eu-west-1', env });

    expect(values.stateResources.Resources?.StateTable).toMatchObject({ Type: 'AWS::DynamoDB::Table' });
    expect(Object.values(values.environment).some((variables) => 'VANTAGE' in variables)).toBe(false);
    expect(stateResources(values)).toEqual(Array(5).fill({ 'Fn::GetAtt': ['StateTable', 'Arn'] }));
  });

  it('refuses regions that cannot hold an MRSC table, naming the file, the field and its line', () => {
    const bad = withVantages('vantages-mixed.yml', '[us-east-1, eu-west-1, us-west-2]');

    const error = configErrorFrom(() => deploymentValues({ region: 'us-east-1', env: bad }));

    expect(error.file).toBe(bad.FAILOVER_CONFIG);
    expect(error.message).toContain(`Cannot deploy ${bad.FAILOVER_CONFIG} to us-east-1:`);
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'vantages.regions',
        line: example.split('\n').length + 2,
        message: expect.stringContaining('EU [eu-west-1, eu-west-2, eu-west-3, eu-central-1]'),
      }),
    ]);
  });

  it('refuses a stack in a region that is not a vantage', () => {
    const error = configErrorFrom(() => deploymentValues({ region: 'eu-west-1', env: us }));

    expect(error.issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('does not list eu-west-1, the region this stack is deployed to'),
    ]);
  });
});

describe('SERVICE', () => {
  it('is the service serverless.yml names, which the stack and the state table are named after', () => {
    const template = readFileSync('serverless.yml', 'utf8');

    expect(template.match(/^service: (\S+)$/m)?.[1]).toBe(SERVICE);
  });
});
