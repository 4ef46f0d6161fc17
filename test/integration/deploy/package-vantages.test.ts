// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
/**
 * `serverless package --region <r>` of a configuration with `vantages` (#11), offline: the home
 * region's stack (the first listed) owns the state as an MRSC global table with a replica in each
 * vantage region; another region's stack creates no table and reaches its own region's replica by
 * name; each watchdog knows its vantage. A region list that cannot hold an MRSC table stops
 * packaging with the file, the field and the sets there are. cfn-lint checks both templates when
 * installed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../support/zip.ts';
import { onPath, run, serverlessPackage, serviceCopy } from './packaging.ts';

const REGIONS = ['us-east-2', 'us-east-1', 'us-west-2'];
const TABLE = 'failover-controller-ci-state';
const ROLES = ['WatchdogRole', 'FailoverRole', 'FailbackRole', 'ForcedRole', 'ControlRole'];

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, Json>;
}

/** A resource's properties; fails the test when the template lacks it. */
function props(template: Template, name: string): Json {
  const resource = template.Resources[name];
  if (!resource) throw new Error(`no resource ${name} in the template`);
  return resource.Properties;
}

/** The `StateTable` statement of a role's policy (deploy/deployment.ts). */
function stateStatement(template: Template, role: string): Json | undefined {
  const policies = props(template, role).Policies as {
    PolicyDocument: { Statement: Json[] };
  }[];
  return policies[0]?.PolicyDocument.Statement.find((s) => s.Sid === 'StateTable');
}

function variables(template: Template, fn: string): Json {
  return (props(template, `${fn}LambdaFunction`).Environment as { Variables: Json }).Variables;
}

describe('serverless package with vantages', () => {
  let dir: string;
  const templates: Record<string, Template> = {};
  const templateFile = (region: string) => join(dir, region, 'cloudformation-template-update-stack.json');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-vantages-'));
    const service = await serviceCopy(dir);
    // Inside the service, as a deployed config is: the functions bundle it at its relative path.
    const example = await readFile('failover.config.example.yml', 'utf8');
    const config = join(service, 'failover.config.yml');
    await writeFile(config, `${example}\nvantages:\n  regions: [${REGIONS.join(', ')}]\n`);
    for (const region of ['us-east-2', 'us-west-2']) {
      await serverlessPackage(service, config, region, join(dir, region));
      templates[region] = JSON.parse(await readFile(templateFile(region), 'utf8')) as Template;
    }
  }, 240_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const home = () => templates['us-east-2'] as Template;
  const other = () => templates['us-west-2'] as Template;

  it("makes the home region's state an MRSC global table with a protected replica in each vantage region", () => {
    const table = props(home(), 'StateTable');
    const replicas = table.Replicas as Json[];

    expect(home().Resources.StateTable?.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table).toMatchObject({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      MultiRegionConsistency: 'STRONG',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(replicas.map((replica) => replica.Region)).toEqual(REGIONS);
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    }
    expect(Object.values(home().Resources).filter((r) => r.Type === 'AWS::DynamoDB::Table')).toEqual([]);
    expect(home().Outputs.StateTableName).toEqual({ Value: { Ref: 'StateTable' } });
  });

  it('gives every role of the home stack the table it owns, and its watchdog that vantage', () => {
    for (const role of ROLES) {
      expect(stateStatement(home(), role)?.Resource).toEqual({ 'Fn::GetAtt': ['StateTable', 'Arn'] });
    }
    expect(variables(home(), 'Watchdog')).toMatchObject({
      VANTAGE: 'us-east-2',
      STATE_TABLE: { Ref: 'StateTable' },
    });
  });

  it("creates no table in another region's stack: its roles use that region's replica, by name", () => {
    const tables = Object.values(other().Resources).filter((r) => r.Type.startsWith('AWS::DynamoDB::'));

    expect(tables).toEqual([]);
    for (const role of ROLES) {
      expect(stateStatement(other(), role)?.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${TABLE}`,
      });
    }
    for (const fn of ['Watchdog', 'Failover', 'Failback', 'Forced', 'Control']) {
      expect(variables(other(), fn).STATE_TABLE).toBe(TABLE);
      expect('VANTAGE' in variables(other(), fn)).toBe(fn === 'Watchdog');
    }
    expect(variables(other(), 'Watchdog').VANTAGE).toBe('us-west-2');
    expect(other().Outputs.StateTableName).toEqual({ Value: TABLE });
  });

  it('keeps the alarms and the dashboard in every region: each stack watches its own watchdog', () => {
    for (const template of [home(), other()]) {
      const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
      expect(alarms).toHaveLength(7);
      expect(template.Resources.Dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
    }
  });

  it("bundles each region's watchdog with the same config, which names every vantage", async () => {
    for (const region of ['us-east-2', 'us-west-2']) {
      const entries = readZip(await readFile(join(dir, region, 'watchdog.zip')));
      expect([...entries.keys()].sort()).toEqual(['failover.config.yml', 'functions/watchdog.mjs']);
      expect(entries.get('failover.config.yml')?.toString('utf8')).toContain(
        `regions: [${REGIONS.join(', ')}]`,
      );
    }
  });

  it('passes cfn-lint in both regions', async (context) => {
    if (!(await onPath('cfn-lint'))) {
      console.warn('SKIPPED cfn-lint check: cfn-lint is not on PATH (pip install cfn-lint to run it)');
      context.skip('cfn-lint is not on PATH');
    }
    for (const region of ['us-east-2', 'us-west-2']) {
      // W3005: osls adds DependsOn on each function's role beside the GetAtt; redundant, not wrong.
      const result = await run(
        'cfn-lint',
        ['--regions', region, '--ignore-checks', 'W3005', '--', templateFile(region)],
        { timeout: 60_000 },
      ).then(
        () => ({ region, code: 0, output: '' }),
        (error: { code?: number; stdout?: string }) => ({
          region,
          code: error.code ?? -1,
          output: error.stdout ?? '',
        }),
      );
      expect(result).toEqual({ region, code: 0, output: '' });
    }
  }, 120_000);
});

describe('serverless package with vantages that cannot hold an MRSC table', () => {
  it('stops before packaging, naming the file, vantages.regions and the region sets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'failover-vantages-bad-'));
    try {
      const example = await readFile('failover.config.example.yml', 'utf8');
      const config = join(dir, 'failover.config.yml');
      await writeFile(config, `${example}\nvantages:\n  regions: [us-east-1, eu-west-1, us-west-2]\n`);

      // Stops while resolving serverless.yml's variables, before building: the project itself will do.
      const failure = await serverlessPackage(process.cwd(), config, 'us-east-1', join(dir, 'out')).then(
        () => undefined,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );

      expect(failure).toBeDefined();
      expect(failure).toContain(`Cannot deploy ${config} to us-east-1:`);
      expect(failure).toMatch(
        /vantages\.regions: must be exactly 3 regions of one DynamoDB multi-Region strong/,
      );
      expect(failure).toContain(
        'US [us-east-1, us-east-2, us-west-2]; EU [eu-west-1, eu-west-2, eu-west-3, eu-central-1]',
      );
      expect(failure).toContain('nothing was packaged or deployed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
