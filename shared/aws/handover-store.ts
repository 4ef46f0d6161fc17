/**
 * The DynamoDB `HandoverStore`: one marker item per watchdog vantage point in the state table,
 *
 *   pk = WATCHDOG#<vantage>  sk = RUN   { run, scheduledAt, rounds (JSON), lastRoundAt, updatedAt }
 *
 * which overlapping scheduled runs use to hand the probing over (shared/controller/watchdog-handover.ts).
 * Both operations are a single conditional PutItem, so they need no permission the watchdog lacks
 * and no transaction (dynalite has none):
 *  - claim: `attribute_not_exists(pk) OR scheduledAt < :mine OR run = :me`, returning the old item
 *    (ALL_OLD) atomically, so the previous run's last rounds are exactly those it reserved before
 *    losing the marker;
 *  - reserve: `run = :me`, so a run that has been superseded can never record (or start) a round.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { type Clock, type HandoverStore, type RunMarker, systemClock } from '../domain/ports.ts';
import type { Item } from './state-codec.ts';
import { StateStoreError, StateTableMissingError } from './state-errors.ts';

export const WATCHDOG_PREFIX = 'WATCHDOG#';
export const RUN_SORT_KEY = 'RUN';

export interface HandoverStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Time source for `updatedAt` (for people reading the item). */
  readonly clock?: Clock;
}

const roundsSchema = z.record(z.string(), z.number().finite());

/**
 * @example
 * const handover = createHandoverStore({ client: new DynamoDBClient({}), table: 'failover-state' });
 * const claim = await handover.claim('default', { id: '2026-11-26T12:00:00.000Z/abc', scheduledAt });
 * if (claim.claimed) await handover.reserve('default', { run: id, scheduledAt, rounds: { 'payments-api': now } });
 */
export function createHandoverStore(options: HandoverStoreOptions): HandoverStore {
  const { client, table } = options;
  const clock = options.clock ?? systemClock;

  const itemOf = (vantage: string, marker: RunMarker): Item => {
    const times = Object.values(marker.rounds);
    return {
      pk: { S: `${WATCHDOG_PREFIX}${vantage}` },
      sk: { S: RUN_SORT_KEY },
      vantage: { S: vantage },
      run: { S: marker.run },
      scheduledAt: { N: String(marker.scheduledAt) },
      ...(times.length > 0 ? { lastRoundAt: { N: String(Math.max(...times)) } } : {}),
      updatedAt: { S: new Date(clock.now()).toISOString() },
      rounds: { S: JSON.stringify(marker.rounds) },
    };
  };

  /** Put `item` under `condition`; false when the condition failed (nothing was written). */
  async function put(
    vantage: string,
    item: Item,
    condition: string,
    values: Item,
  ): Promise<{ written: boolean; old: Item | undefined }> {
    try {
      const out = await client.send(
        new PutItemCommand({
          TableName: table,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#run': 'run' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { written: true, old: out.Attributes };
    } catch (error) {
      const name = error instanceof Error ? error.name : undefined;
      if (name === 'ConditionalCheckFailedException') return { written: false, old: undefined };
      const operation = `PutItem of the watchdog run marker (vantage "${vantage}")`;
      if (name === 'ResourceNotFoundException') {
        throw new StateTableMissingError({ table, operation }, { cause: error });
      }
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new StateStoreError(
        `${operation} on table "${table}" failed: ${reason}`,
        { table },
        { cause: error },
      );
    }
  }

  return {
    async claim(vantage, run) {
      const mine: RunMarker = { run: run.id, scheduledAt: run.scheduledAt, rounds: {} };
      const { written, old } = await put(
        vantage,
        itemOf(vantage, mine),
        'attribute_not_exists(pk) OR scheduledAt < :at OR #run = :run',
        { ':at': { N: String(run.scheduledAt) }, ':run': { S: run.id } },
      );
      if (!written) return { claimed: false };
      return { claimed: true, previous: old === undefined ? null : decodeMarker(old, table, vantage) };
    },

    async reserve(vantage, marker) {
      const { written } = await put(vantage, itemOf(vantage, marker), '#run = :run', {
        ':run': { S: marker.run },
      });
      return written;
    },
  };
}

/** The marker as stored; a `StateStoreError` naming the item for anything that does not fit. */
function decodeMarker(item: Item, table: string, vantage: string): RunMarker {
  const problems: string[] = [];
  const run = item.run?.S;
  const scheduledAt = Number(item.scheduledAt?.N);
  if (run === undefined || run === '') problems.push('run is missing or not a string');
  if (!Number.isFinite(scheduledAt))
    problems.push(`scheduledAt is not a number: ${String(item.scheduledAt?.N)}`);
  let rounds: Record<string, number> = {};
  try {
    const parsed = roundsSchema.safeParse(JSON.parse(item.rounds?.S ?? '{}'));
    if (parsed.success) rounds = parsed.data;
    else problems.push('rounds is not a map of service names to epoch ms');
  } catch {
    problems.push('rounds is not JSON');
  }
  if (run === undefined || problems.length > 0) {
    throw new StateStoreError(
      `The watchdog run marker (pk=${WATCHDOG_PREFIX}${vantage}, sk=${RUN_SORT_KEY}) in table "${table}" ` +
        `is corrupt: ${problems.join('; ')}. Delete the item; the next scheduled run writes it again.`,
      { table },
    );
  }
  return { run, scheduledAt, rounds };
}
