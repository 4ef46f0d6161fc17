// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::...} are CloudFormation Fn::Sub placeholders.
import { describe, expect, it } from 'vitest';
import {
  MRSC_REGION_SETS,
  regionSetOf,
  stateDeployment,
  stateRole,
  vantageIssues,
} from '../../../deploy/state-table.ts';
import type { VantagesConfig } from '../../../shared/domain/config.ts';

const vantages = (regions: string[]): VantagesConfig => ({
  regions,
  quorum: Math.floor(regions.length / 2) + 1,
  canary: null,
});
const US = vantages(['us-east-2', 'us-east-1', 'us-west-2']);
const NAME = 'failover-controller-prod-state';

describe('vantageIssues', () => {
  it('accepts three regions of one MRSC set deployed to one of them', () => {
    expect(vantageIssues(US, 'us-west-2')).toEqual([]);
    expect(vantageIssues(vantages(['eu-central-1', 'eu-west-1', 'eu-west-3']), 'eu-west-1')).toEqual([]);
    expect(vantageIssues(vantages([...MRSC_REGION_SETS.AP]), 'ap-northeast-3')).toEqual([]);
  });

  it('refuses regions from two sets, naming the field and every set there is', () => {
    const [issue, ...more] = vantageIssues(vantages(['us-east-1', 'eu-west-1', 'us-west-2']), 'us-east-1');

    expect(more).toEqual([]);
    expect(issue?.path).toBe('vantages.regions');
    expect(issue?.message).toContain(
      'must be exactly 3 regions of one DynamoDB multi-Region strong consistency',
    );
    expect(issue?.message).toContain('got [us-east-1, eu-west-1, us-west-2]');
    expect(issue?.message).toContain('US [us-east-1, us-east-2, us-west-2]');
    expect(issue?.message).toContain('EU [eu-west-1, eu-west-2, eu-west-3, eu-central-1]');
    expect(issue?.message).toContain('AP [ap-northeast-1, ap-northeast-2, ap-northeast-3]');
  });

  it('refuses two, four or five regions even within one set, and a region outside every set', () => {
    for (const regions of [
      ['us-east-1', 'us-east-2'],
      ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
      ['us-east-1', 'us-east-2', 'us-west-1'],
    ]) {
      expect(vantageIssues(vantages(regions), 'us-east-1').map((i) => i.path)).toEqual(['vantages.regions']);
    }
  });

  it('refuses a stack deployed to a region that is not a vantage, saying which regions are', () => {
    const [issue] = vantageIssues(US, 'eu-west-1');

    expect(issue?.path).toBe('vantages.regions');
    expect(issue?.message).toContain('does not list eu-west-1');
    expect(issue?.message).toContain('one of us-east-2, us-east-1, us-west-2');
  });
});

describe('regionSetOf', () => {
  it('names the one set that holds every region, or none', () => {
    expect(regionSetOf(['us-west-2', 'us-east-1'])).toBe('US');
    expect(regionSetOf(['eu-west-2', 'eu-central-1'])).toBe('EU');
    expect(regionSetOf(['ap-northeast-1', 'us-east-1'])).toBeNull();
  });
});

describe('stateRole', () => {
  it('makes the only stack own the table without vantages, and the first listed region the home with them', () => {
    expect(stateRole(undefined, 'us-west-2')).toEqual({ kind: 'single' });
    expect(stateRole(US, 'us-east-2')).toEqual({ kind: 'home', regions: US.regions });
    expect(stateRole(US, 'us-east-1')).toEqual({ kind: 'replica', home: 'us-east-2' });
  });
});

describe('stateDeployment', () => {
  it('keeps the single-region table as before: TTL, point-in-time recovery, deletion protection, no vantage', () => {
    const state = stateDeployment({ kind: 'single' }, NAME, 'us-east-1');

    expect(state.resources.Resources?.StateTable).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: NAME,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
    expect(state.tableName).toEqual({ Ref: 'StateTable' });
    expect(state.vantage).toBeNull();
  });

  it('makes the home stack own an MRSC global table with a protected replica in each region, home first, and no TTL', () => {
    const state = stateDeployment(stateRole(US, 'us-east-2'), NAME, 'us-east-2');
    const table = state.resources.Resources?.StateTable as {
      Type: string;
      Properties: Record<string, unknown>;
    };

    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.Properties).toMatchObject({
      TableName: NAME,
      BillingMode: 'PAY_PER_REQUEST',
      MultiRegionConsistency: 'STRONG',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(table.Properties.Replicas).toEqual(
      ['us-east-2', 'us-east-1', 'us-west-2'].map((region) => ({
        Region: region,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      })),
    );
    expect('TimeToLiveSpecification' in table.Properties).toBe(false);
    expect('GlobalTableWitnesses' in table.Properties).toBe(false);
    expect(state.tableArn).toEqual({ 'Fn::GetAtt': ['StateTable', 'Arn'] });
    expect(state.vantage).toBe('us-east-2');
  });

  it('gives another region no table: its replica by name and ARN, and the name as the output', () => {
    const state = stateDeployment(stateRole(US, 'us-west-2'), NAME, 'us-west-2');

    expect(state.resources).toEqual({ Outputs: { StateTableName: { Value: NAME } } });
    expect(state.tableName).toBe(NAME);
    expect(state.tableArn).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${NAME}`,
    });
    expect(state.vantage).toBe('us-west-2');
  });
});
