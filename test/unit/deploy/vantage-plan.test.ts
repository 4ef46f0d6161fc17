import { describe, expect, it } from 'vitest';
import { type DeployStep, runDeployPlan, vantageDeployPlan } from '../../../deploy/vantage-plan.ts';
import { aService, parse } from '../config/sample-config.ts';

const FILE = 'failover.config.yml';
const configWith = (vantages?: Record<string, unknown>) =>
  parse({ services: [aService('payments-api')], ...(vantages === undefined ? {} : { vantages }) });
const us = configWith({ regions: ['us-east-2', 'us-east-1', 'us-west-2'] });

describe('vantageDeployPlan', () => {
  it('deploys every vantage region with the same stage and options, the home region first', () => {
    const plan = vantageDeployPlan(us, FILE, ['--stage', 'prod', '--aws-profile', 'ops']);

    expect(plan).toEqual(
      ['us-east-2', 'us-east-1', 'us-west-2'].map((region, i) => ({
        region,
        home: i === 0,
        command: 'npx',
        args: ['serverless', 'deploy', '--region', region, '--stage', 'prod', '--aws-profile', 'ops'],
      })),
    );
  });

  it('accepts --stage=name', () => {
    expect(vantageDeployPlan(us, FILE, ['--stage=prod']).map((step) => step.args.at(-1))).toEqual(
      Array(3).fill('--stage=prod'),
    );
  });

  it('refuses a config without vantages, pointing to the one-region deploy', () => {
    expect(() => vantageDeployPlan(configWith(), FILE, ['--stage', 'prod'])).toThrow(
      'failover.config.yml has no vantages: it deploys to one region with `npm run deploy',
    );
  });

  it('refuses regions that cannot hold an MRSC table, naming the field', () => {
    const mixed = configWith({ regions: ['us-east-1', 'eu-west-1', 'us-west-2'] });

    expect(() => vantageDeployPlan(mixed, FILE, ['--stage', 'prod'])).toThrow(
      /Cannot deploy failover\.config\.yml:\n {2}- vantages\.regions: must be exactly 3 regions of one/,
    );
  });

  it('refuses a --region of its own and a missing stage', () => {
    for (const region of [['--region', 'us-east-1'], ['--region=us-east-1'], ['-r', 'us-east-1']]) {
      expect(() => vantageDeployPlan(us, FILE, ['--stage', 'prod', ...region])).toThrow(/leave it out/);
    }
    for (const argv of [[], ['--stage'], ['--stage=']]) {
      expect(() => vantageDeployPlan(us, FILE, argv)).toThrow(/Name the stage to deploy/);
    }
  });
});

describe('runDeployPlan', () => {
  const plan = vantageDeployPlan(us, FILE, ['--stage', 'prod']);

  it('runs every step in order and reports each region', async () => {
    const ran: string[] = [];
    const printed: string[] = [];

    const code = await runDeployPlan(
      plan,
      async (step: DeployStep) => {
        ran.push(step.region);
        return 0;
      },
      (line) => printed.push(line),
    );

    expect(code).toBe(0);
    expect(ran).toEqual(['us-east-2', 'us-east-1', 'us-west-2']);
    expect(printed[0]).toBe(
      '[1/3] us-east-2 (home: owns the state table): npx serverless deploy --region us-east-2 --stage prod',
    );
    expect(printed.at(-1)).toBe('Deployed 3 vantages: us-east-2, us-east-1, us-west-2.');
  });

  it('stops at the first failure with its exit code, naming the regions left undeployed', async () => {
    const ran: string[] = [];
    const printed: string[] = [];

    const code = await runDeployPlan(
      plan,
      async (step) => {
        ran.push(step.region);
        return step.region === 'us-east-1' ? 3 : 0;
      },
      (line) => printed.push(line),
    );

    expect(code).toBe(3);
    expect(ran).toEqual(['us-east-2', 'us-east-1']);
    expect(printed.at(-1)).toContain('us-east-1 failed (exit 3); stopped, not deployed: us-west-2.');
  });
});
