/**
 * The `VoteStore` on the state table (issue #11): one item per vantage, written by that vantage
 * every round and read by every vantage.
 *
 *   pk = VANTAGE#<region>  sk = VOTES   { vantage, updatedAt, votes: JSON { <service>: vote } }
 *
 * One item per vantage keeps a round to one PutItem and one BatchGetItem whatever the number of
 * services (each service's vote is about 150 bytes; the 400 KB item limit leaves room for well over
 * a thousand services). Only its own vantage writes an item, so the put is unconditional.
 *
 * Where it lives across regions (deploy/state-table.ts, docs/reference/dynamodb-global-tables.md):
 * with vantages the state table is a multi-Region strongly consistent (MRSC) global table with a
 * replica in each of the three vantage regions, each watchdog using its own region's replica.
 *  - one region lost: the other two still write and read the latest version; their votes make a
 *    quorum, the conditional writes still fence, failover works;
 *  - two regions lost, or one cut off from the other two: that replica can neither write nor read
 *    strongly (MRSC needs a second region), so its watchdog's runs fail at their first read and
 *    decide nothing — fail static — its `watchdog-errors` alarm pages, and its votes go stale for
 *    the others; `quorum-lost` is the alert when the table works but too few watchdogs vote;
 *  - never two flips: a claim is a conditional write checked against the latest version in every
 *    region, and the Route 53 change is a compare-and-swap on top of that.
 */
import { BatchGetItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { VantageVotes, VoteStore } from '../domain/ports.ts';
import type { VantageVote } from '../domain/quorum.ts';
import type { Item } from './state-codec.ts';
import { StateStoreError } from './state-errors.ts';
import { count, epochMs, targetId } from './state-schema.ts';

export const VANTAGE_PREFIX = 'VANTAGE#';
export const VOTES_SORT_KEY = 'VOTES';

const voteHealthSchema = z.object({
  status: z.enum(['up', 'down', 'unknown']),
  okStreak: count,
  failStreak: count,
  since: epochMs.nullable(),
});

/** A vote as stored: the vantage's name is the item's, not repeated per service. */
const storedVoteSchema = z.object({
  at: epochMs,
  since: epochMs,
  blind: z.boolean(),
  targets: z.record(targetId, voteHealthSchema),
});

const storedVotesSchema = z.record(z.string().min(1), storedVoteSchema);

export function voteKey(vantage: string): Item {
  return { pk: { S: `${VANTAGE_PREFIX}${vantage}` }, sk: { S: VOTES_SORT_KEY } };
}

/**
 * @example
 * const votes = createVoteStore({ client: new DynamoDBClient({}), table: 'failover-state' });
 * await votes.saveVotes('us-east-1', new Map([['payments-api', vote]]));
 * const all = await votes.loadVotes(['us-east-1', 'us-east-2', 'us-west-2']);
 */
export function createVoteStore(options: {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Told about a record that cannot be read; that vantage then counts as silent (it rewrites it next round). */
  readonly onCorrupt?: (error: StateStoreError) => void;
}): VoteStore {
  const { client, table } = options;

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new StateStoreError(
        `${operation} of the vantages' votes on table "${table}" failed: ${reason}`,
        {
          table,
        },
        { cause: error },
      );
    }
  }

  return {
    async saveVotes(vantage, votes) {
      const stored = Object.fromEntries(
        [...votes].map(([service, vote]) => [
          service,
          { at: vote.at, since: vote.since, blind: vote.blind, targets: vote.targets },
        ]),
      );
      const item: Item = {
        ...voteKey(vantage),
        vantage: { S: vantage },
        updatedAt: { S: new Date(Math.max(0, ...[...votes.values()].map((v) => v.at))).toISOString() },
        votes: { S: JSON.stringify(storedVotesSchema.parse(stored)) },
      };
      await call('PutItem', () => client.send(new PutItemCommand({ TableName: table, Item: item })));
    },

    async loadVotes(vantages) {
      const names = [...new Set(vantages)];
      const found = new Map<string, VantageVotes>();
      if (names.length === 0) return found;
      let keys: Item[] = names.map(voteKey);
      // A handful of small items: UnprocessedKeys only under throttling; ask again a few times.
      for (let attempt = 0; attempt < 5 && keys.length > 0; attempt++) {
        const output = await call('BatchGetItem', () =>
          client.send(
            new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
          ),
        );
        for (const item of output.Responses?.[table] ?? []) {
          const decoded = decodeVotes(item, table);
          if (decoded instanceof StateStoreError) options.onCorrupt?.(decoded);
          else found.set(decoded.vantage, decoded.votes);
        }
        keys = output.UnprocessedKeys?.[table]?.Keys ?? [];
      }
      if (keys.length > 0) {
        throw new StateStoreError(
          `BatchGetItem of the vantages' votes on table "${table}": still throttled`,
          { table },
        );
      }
      return found;
    },
  };
}

function decodeVotes(item: Item, table: string): { vantage: string; votes: VantageVotes } | StateStoreError {
  const vantage = item.vantage?.S ?? '';
  let json: unknown;
  try {
    json = JSON.parse(item.votes?.S ?? '');
  } catch {
    json = undefined;
  }
  const parsed = storedVotesSchema.safeParse(json);
  if (vantage === '' || !parsed.success) {
    return new StateStoreError(
      `The votes of vantage "${vantage}" (pk=${item.pk?.S}, sk=${VOTES_SORT_KEY}) in table "${table}" are corrupt; ` +
        'delete the item: the vantage writes it again in its next round',
      { table },
    );
  }
  const votes = new Map<string, VantageVote>();
  for (const [service, vote] of Object.entries(parsed.data)) votes.set(service, { vantage, ...vote });
  return { vantage, votes };
}
