/**
 * Where the controller's state lives in each stack, and how each stack's functions reach it.
 *
 * One region (no `vantages`): the stack owns a plain DynamoDB table, exactly as before #11.
 * Several vantages: one DynamoDB global table with multi-Region strong consistency (MRSC) across
 * the three vantage regions. The home region's stack (the first listed) owns it as an
 * `AWS::DynamoDB::GlobalTable` with a replica in each region; every other region's stack creates
 * no table and reaches its own region's replica by name. Why MRSC, and what it costs:
 * docs/reference/dynamodb-global-tables.md.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
import type { ConfigIssue } from '../shared/config/index.ts';
import type { VantagesConfig } from '../shared/domain/config.ts';

/**
 * The Region sets an MRSC global table may span: exactly three Regions of one set, never two sets.
 * AWS DynamoDB developer guide, "How DynamoDB global tables work", Multi-Region strong consistency:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
 */
export const MRSC_REGION_SETS = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
} as const satisfies Record<string, readonly string[]>;

/** An MRSC global table is deployed in exactly this many Regions. */
export const MRSC_REGIONS = 3;

/** The region serverless.yml deploys to without `--region` (`provider.region`). */
export const DEFAULT_REGION = 'us-east-1';

/** What this stack is, for the state table: the only stack, the table's owner, or a replica's user. */
export type StateRole =
  | { readonly kind: 'single' }
  | { readonly kind: 'home'; readonly regions: readonly string[] }
  | { readonly kind: 'replica'; readonly home: string };

type Json = Record<string, unknown>;

/** What serverless.yml merges into `resources` for the state, and how the functions reach it. */
export interface StateDeployment {
  /** `{ Resources?, Outputs }`, the first item of serverless.yml's `resources` list. */
  readonly resources: { Resources?: Record<string, Json>; Outputs: Record<string, Json> };
  /** The functions' `STATE_TABLE`: a `Ref` where the stack owns the table, its name elsewhere. */
  readonly tableName: unknown;
  /** The IAM `Resource` of the state statements: this region's table or replica. */
  readonly tableArn: unknown;
  /** The vantage this stack runs (its region), or null without `vantages`. */
  readonly vantage: string | null;
}

/**
 * The issues with deploying `vantages` to `region`, or none. MRSC needs exactly three Regions of one
 * Region set; the stack's own region must be one of them (it runs that vantage and writes to that
 * region's replica).
 *
 * @example
 * vantageIssues({ regions: ['us-east-1', 'eu-west-1'], quorum: 2, canary: null }, 'us-east-1');
 * // [{ path: 'vantages.regions', message: 'must be exactly 3 regions of one ... set ...' }]
 */
export function vantageIssues(vantages: VantagesConfig, region: string): ConfigIssue[] {
  const regions = vantages.regions;
  const set = regionSetOf(regions);
  if (regions.length !== MRSC_REGIONS || set === null) {
    return [
      {
        path: 'vantages.regions',
        message:
          `must be exactly ${MRSC_REGIONS} regions of one DynamoDB multi-Region strong consistency (MRSC) set, ` +
          `got [${regions.join(', ')}]: the state table is an MRSC global table with a replica in each vantage region ` +
          `(docs/reference/dynamodb-global-tables.md). The sets: ${describeSets()}`,
      },
    ];
  }
  if (!regions.includes(region)) {
    return [
      {
        path: 'vantages.regions',
        message:
          `does not list ${region}, the region this stack is deployed to: deploy with --region set to one of ` +
          `${regions.join(', ')} (npm run deploy:vantages deploys them all, ${regions[0]} first)`,
      },
    ];
  }
  return [];
}

/**
 * The MRSC Region set holding every one of `regions`, or null.
 *
 * @example
 * regionSetOf(['eu-west-1', 'eu-central-1']); // 'EU'
 * regionSetOf(['us-east-1', 'eu-west-1']); // null
 */
export function regionSetOf(regions: readonly string[]): keyof typeof MRSC_REGION_SETS | null {
  for (const [name, members] of Object.entries(MRSC_REGION_SETS)) {
    const set: readonly string[] = members;
    if (regions.every((region) => set.includes(region))) return name as keyof typeof MRSC_REGION_SETS;
  }
  return null;
}

/**
 * This stack's part in holding the state: without `vantages` the only stack; with them the home
 * (the first region listed, which owns the global table) or a replica's user.
 *
 * @example
 * stateRole(undefined, 'eu-west-1'); // { kind: 'single' }
 * stateRole({ regions: ['us-east-2', 'us-east-1', 'us-west-2'], quorum: 2, canary: null }, 'us-west-2');
 * // { kind: 'replica', home: 'us-east-2' }
 */
export function stateRole(vantages: VantagesConfig | undefined, region: string): StateRole {
  if (vantages === undefined) return { kind: 'single' };
  const [home] = vantages.regions;
  if (home === undefined || home === region) return { kind: 'home', regions: vantages.regions };
  return { kind: 'replica', home };
}

/**
 * The state table's resources and references for this stack. `tableName` is the physical name
 * every stack of the stage shares (serverless.yml: `<service>-<stage>-state`).
 *
 * @example
 * const { resources, tableArn } = stateDeployment({ kind: 'single' }, 'failover-controller-prod-state', 'us-east-1');
 * // resources.Resources.StateTable.Type === 'AWS::DynamoDB::Table'
 */
export function stateDeployment(role: StateRole, tableName: string, region: string): StateDeployment {
  const outputs = (value: unknown) => ({ StateTableName: { Value: value } });
  switch (role.kind) {
    case 'single':
      return {
        resources: {
          Resources: { StateTable: singleRegionTable(tableName) },
          Outputs: outputs({ Ref: 'StateTable' }),
        },
        tableName: { Ref: 'StateTable' },
        tableArn: { 'Fn::GetAtt': ['StateTable', 'Arn'] },
        vantage: null,
      };
    case 'home':
      return {
        resources: {
          Resources: { StateTable: globalTable(tableName, role.regions) },
          Outputs: outputs({ Ref: 'StateTable' }),
        },
        tableName: { Ref: 'StateTable' },
        // GlobalTable's Arn is the replica in the stack's region.
        tableArn: { 'Fn::GetAtt': ['StateTable', 'Arn'] },
        vantage: region,
      };
    case 'replica':
      return {
        // The home stack owns the table; this region's replica exists once that stack is deployed.
        resources: { Outputs: outputs(tableName) },
        tableName,
        tableArn: {
          'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${tableName}`,
        },
        vantage: region,
      };
  }
}

/** The state table's keys, as every stack declares them and the local stack creates them. */
export const STATE_TABLE_KEYS = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
} as const;

/** The table as serverless.yml declared it before #11 (kept byte for byte: a stack without vantages must not change). */
function singleRegionTable(tableName: string): Json {
  return {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...STATE_TABLE_KEYS,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      // The table holds every service's phase, fencing epoch and audit trail: dropping it by
      // mistake would make the controller forget which side is active.
      DeletionProtectionEnabled: true,
    },
  };
}

/**
 * The same table as an MRSC global table with a replica in each vantage region (home first).
 * What differs, and why: no TimeToLiveSpecification (MRSC does not support TTL, so audit events
 * no longer expire on their own), and point-in-time recovery and deletion protection are set per
 * replica (AWS::DynamoDB::GlobalTable ReplicaSpecification).
 */
function globalTable(tableName: string, regions: readonly string[]): Json {
  return {
    Type: 'AWS::DynamoDB::GlobalTable',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...STATE_TABLE_KEYS,
      MultiRegionConsistency: 'STRONG',
      SSESpecification: { SSEEnabled: true },
      Replicas: regions.map((region) => ({
        Region: region,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      })),
    },
  };
}

function describeSets(): string {
  return Object.entries(MRSC_REGION_SETS)
    .map(([name, regions]) => `${name} [${regions.join(', ')}]`)
    .join('; ');
}
