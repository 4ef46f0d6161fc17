/**
 * The vantages' votes on the state table (issue #11), over the real SDK against dynalite.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStoreError } from '../../../shared/aws/state-errors.ts';
import { createVoteStore, voteKey } from '../../../shared/aws/vote-store.ts';
import type { VantageVote } from '../../../shared/domain/quorum.ts';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo.ts';

const NOW = Date.UTC(2026, 11, 7, 3, 0, 0);

function vote(vantage: string, status: 'up' | 'down'): VantageVote {
  const health = {
    status,
    okStreak: status === 'up' ? 2 : 0,
    failStreak: status === 'down' ? 2 : 0,
    since: NOW - 60_000,
  };
  return {
    vantage,
    at: NOW,
    since: NOW - 120_000,
    blind: false,
    targets: { primary: health, secondary: { ...health, status: 'up' } },
  };
}

let local: TestDynamo;

beforeAll(async () => {
  local = await startTestDynamo();
});

afterAll(async () => {
  await local.close();
});

describe('the vote store', () => {
  it('reads back what each vantage recorded, by vantage and service, and nothing for a vantage that never voted', async () => {
    const table = await local.newTable('votes');
    const store = createVoteStore({ client: local.client, table });
    await store.saveVotes(
      'us-east-1',
      new Map([
        ['payments', vote('us-east-1', 'down')],
        ['search', vote('us-east-1', 'up')],
      ]),
    );
    await store.saveVotes('us-east-2', new Map([['payments', vote('us-east-2', 'up')]]));

    const found = await store.loadVotes(['us-east-1', 'us-east-2', 'eu-west-1']);

    expect([...found.keys()].sort()).toEqual(['us-east-1', 'us-east-2']);
    expect(found.get('us-east-1')?.get('payments')).toEqual(vote('us-east-1', 'down'));
    expect(found.get('us-east-1')?.get('search')).toEqual(vote('us-east-1', 'up'));
    expect(found.get('us-east-2')?.get('payments')).toEqual(vote('us-east-2', 'up'));
  });

  it("replaces a vantage's record with its latest votes", async () => {
    const table = await local.newTable('votes');
    const store = createVoteStore({ client: local.client, table });
    await store.saveVotes('us-east-1', new Map([['payments', vote('us-east-1', 'up')]]));

    await store.saveVotes('us-east-1', new Map([['payments', vote('us-east-1', 'down')]]));

    expect(
      (await store.loadVotes(['us-east-1'])).get('us-east-1')?.get('payments')?.targets.primary?.status,
    ).toBe('down');
  });

  it('treats an unreadable record as no vote and says so, without failing the others', async () => {
    const table = await local.newTable('votes');
    const corrupt: StateStoreError[] = [];
    const store = createVoteStore({ client: local.client, table, onCorrupt: (error) => corrupt.push(error) });
    await store.saveVotes('us-east-1', new Map([['payments', vote('us-east-1', 'up')]]));
    await local.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...voteKey('us-east-2'),
          vantage: { S: 'us-east-2' },
          votes: { S: '{"payments":{"at":"soon"}}' },
        },
      }),
    );

    const found = await store.loadVotes(['us-east-1', 'us-east-2']);

    expect([...found.keys()]).toEqual(['us-east-1']);
    expect(corrupt.map((e) => e.message)).toEqual([
      expect.stringContaining('The votes of vantage "us-east-2"'),
    ]);
  });

  it('names the table when DynamoDB refuses', async () => {
    const store = createVoteStore({ client: local.client, table: 'no-such-table' });

    await expect(store.loadVotes(['us-east-1'])).rejects.toThrow(
      /votes on table "no-such-table" failed: ResourceNotFoundException/,
    );
  });
});
