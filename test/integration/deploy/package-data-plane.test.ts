/**
 * `serverless package` of a configuration with a `dataPlane` service (issue #12), offline, once for
 * the file: per target of that service the alarm on its TrafficAllowed signal and the
 * CLOUDWATCH_METRIC health check that follows it, nothing for a service with `dataPlane: off`, and
 * PutMetricData (the signal) allowed only in the controller's namespace. cfn-lint checks the template
 * when installed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath, run, serverlessPackage, serviceCopy } from './packaging.ts';

const REGION = 'eu-west-1';
const STACK = 'failover-controller-ci';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}
interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

describe('serverless package of a config with a dataPlane service', () => {
  let dir: string;
  let templateFile: string;
  let resources: Record<string, Resource>;

  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const trafficAlarms = () =>
    ofType('AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties.MetricName === 'TrafficAllowed');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-data-plane-'));
    const service = await serviceCopy(dir);
    const example = await readFile('failover.config.example.yml', 'utf8');
    const anchor = '    activeWeight: 100 # 1..255; the passive record always gets weight 0\n';
    const ledger = '    recordName: Ledger.Internal.Example.com.\n';
    if (!example.includes(anchor) || !example.includes(ledger))
      throw new Error('failover.config.example.yml changed: update the anchors of this test');
    const config = join(service, 'failover.config.yml');
    await writeFile(
      config,
      example
        .replace(anchor, `${anchor}    dataPlane: fallback\n`)
        .replace(ledger, `${ledger}    dataPlane: off\n`),
    );
    await serverlessPackage(service, config, REGION, join(dir, 'out'));
    templateFile = join(dir, 'out', 'cloudformation-template-update-stack.json');
    resources = (JSON.parse(await readFile(templateFile, 'utf8')) as { Resources: Record<string, Resource> })
      .Resources;
  }, 150_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes one alarm per target of the dataPlane service on its TrafficAllowed signal: Maximum < 1 over 60 s, missing data missing', () => {
    const alarms = trafficAlarms().map(([, alarm]) => alarm.Properties);

    expect(alarms.map((alarm) => alarm.AlarmName)).toEqual([
      `${STACK}-payments-api-primary-traffic-allowed`,
      `${STACK}-payments-api-secondary-traffic-allowed`,
    ]);
    for (const [index, target] of ['primary', 'secondary'].entries()) {
      expect(alarms[index]).toMatchObject({
        Namespace: 'FailoverController',
        MetricName: 'TrafficAllowed',
        Dimensions: [
          { Name: 'Stage', Value: 'ci' },
          { Name: 'Service', Value: 'payments-api' },
          { Name: 'Target', Value: target },
        ],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'missing',
        ActionsEnabled: false,
      });
      // Route 53 follows only standard-resolution alarms on plain statistics.
      expect(alarms[index]).not.toHaveProperty('ExtendedStatistic');
      expect(alarms[index]).not.toHaveProperty('Metrics');
    }
  });

  it('makes one CLOUDWATCH_METRIC health check per target, following its own alarm in the stack region, last known status without data', () => {
    const checks = ofType('AWS::Route53::HealthCheck');
    const alarmIds = new Map(trafficAlarms().map(([id, alarm]) => [id, alarm.Properties.AlarmName]));

    expect(checks).toHaveLength(2);
    const followed = checks.map(([, check]) => {
      const config = check.Properties.HealthCheckConfig as Json & {
        AlarmIdentifier: { Name: { Ref: string } };
      };
      expect(config).toMatchObject({
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Region: { Ref: 'AWS::Region' } },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      });
      // Ref of an AWS::CloudWatch::Alarm is its name: the check follows the alarm of the same target.
      const alarmName = alarmIds.get(config.AlarmIdentifier.Name.Ref);
      expect(check.Properties.HealthCheckTags).toEqual([{ Key: 'Name', Value: alarmName }]);
      return alarmName;
    });
    expect(followed).toEqual([
      `${STACK}-payments-api-primary-traffic-allowed`,
      `${STACK}-payments-api-secondary-traffic-allowed`,
    ]);
  });

  it('makes nothing for the service with dataPlane: off', () => {
    const named = (text: string) => JSON.stringify(resources).includes(text);

    expect(named(`${STACK}-ledger-api-`)).toBe(false);
    expect(trafficAlarms().every(([, alarm]) => JSON.stringify(alarm).includes('payments-api'))).toBe(true);
    expect(Object.keys(resources).filter((id) => /^Traffic(Alarm|Check)Ledger/.test(id))).toEqual([]);
  });

  it("lets the watchdog and the flip functions publish the signal only in the controller's namespace", () => {
    for (const role of ['WatchdogRole', 'FailoverRole', 'FailbackRole', 'ForcedRole']) {
      const policies = resources[role]?.Properties.Policies as
        | { PolicyDocument: { Statement: Statement[] } }[]
        | undefined;
      if (policies === undefined) throw new Error(`no ${role} with policies in the template`);
      const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
      const publishing = statements.filter((s) =>
        (Array.isArray(s.Action) ? s.Action : [s.Action]).some(
          (a) => a === 'cloudwatch:PutMetricData' || a === 'cloudwatch:*' || a === '*',
        ),
      );
      expect({ role, publishing }).toEqual({
        role,
        publishing: [
          {
            Sid: 'Metrics',
            Effect: 'Allow',
            Action: ['cloudwatch:PutMetricData'],
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'FailoverController' } },
          },
        ],
      });
    }
  });

  it('passes cfn-lint', async (context) => {
    if (!(await onPath('cfn-lint'))) {
      console.warn('SKIPPED cfn-lint check: cfn-lint is not on PATH (pip install cfn-lint to run it)');
      context.skip('cfn-lint is not on PATH');
    }
    // W3005: osls adds DependsOn on each function's role beside the GetAtt; redundant, not wrong.
    const result = await run(
      'cfn-lint',
      ['--regions', REGION, '--ignore-checks', 'W3005', '--', templateFile],
      {
        timeout: 60_000,
      },
    ).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, output: error.stdout ?? '' }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  }, 90_000);
});
