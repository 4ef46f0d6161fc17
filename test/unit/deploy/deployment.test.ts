import { describe, expect, it } from 'vitest';
import { deploymentValues, normalizedRecordName } from '../../../deploy/deployment.ts';

const env = {
  FAILOVER_CONFIG: 'failover.config.example.yml',
  HEALTH_TOKEN: 'token',
  LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
  PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
};

describe('normalizedRecordName', () => {
  it('writes record names the way the IAM condition key compares them', () => {
    expect(normalizedRecordName('API.Example.com.')).toBe('api.example.com');
    expect(normalizedRecordName('*.example.com')).toBe('\\052.example.com');
    expect(normalizedRecordName('_dmarc.example.com')).toBe('_dmarc.example.com');
  });
});

describe('deploymentValues', () => {
  it('passes the variables the config references to the functions, with their deploy-time values', () => {
    const values = deploymentValues({ stage: 'prod', env });

    expect(values.configFile).toBe('failover.config.example.yml');
    expect(values.environment).toMatchObject({
      FAILOVER_CONFIG: 'failover.config.example.yml',
      STAGE: 'prod',
      HEALTH_TOKEN: 'token',
      LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
    });
  });

  it('refuses to deploy an invalid configuration, naming the problem', () => {
    expect(() => deploymentValues({ env: { ...env, HEALTH_TOKEN: undefined } })).toThrow(
      /HEALTH_TOKEN is not set/,
    );
  });

  it('names the missing default config file', () => {
    expect(() => deploymentValues({ env: { FAILOVER_CONFIG: 'no-such-file.yml' } })).toThrow(
      /no-such-file\.yml/,
    );
  });

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
});
