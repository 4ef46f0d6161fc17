import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../../../shared/aws/state-store.ts';
import type { SaveResult } from '../../../shared/domain/ports.ts';
import { aServiceState, startTestDynamo, type TestDynamo } from '../../support/dynamo.ts';

const WRITERS = 20;

let local: TestDynamo;

beforeAll(async () => {
  local = await startTestDynamo();
});

afterAll(async () => {
  await local.close();
});

/** Each writer has its own client (own connections), as concurrent Lambda invocations would. */
async function storesOnOneTable(count: number) {
  const table = await local.newTable('race');
  return Array.from({ length: count }, () => createStateStore({ client: local.newClient(), table }));
}

describe('createStateStore under concurrent writers', () => {
  it('lets exactly one of 20 writers that read the same version win, round after round', async () => {
    const stores = await storesOnOneTable(WRITERS);
    const [first] = stores;
    await first?.save(aServiceState('payments-api', { epoch: 0 }), null);

    const winnersPerRound: number[] = [];
    for (let round = 1; round <= 5; round += 1) {
      // Everyone reads before anyone writes, so all 20 hold the same version.
      const reads = await Promise.all(stores.map((store) => store.load('payments-api')));
      const results: SaveResult[] = await Promise.all(
        stores.map((store, writer) =>
          store.save(aServiceState('payments-api', { epoch: writer }), reads[writer]?.version ?? 0),
        ),
      );

      const winners = results.flatMap((result, writer) => (result.ok ? [writer] : []));
      const stored = await first?.load('payments-api');
      winnersPerRound.push(winners.length);
      expect(reads.every((read) => read?.version === round)).toBe(true);
      expect(stored).toEqual({
        value: aServiceState('payments-api', { epoch: winners[0] ?? -1 }),
        version: round + 1,
      });
      for (const result of results) {
        if (result.ok) expect(result.version).toBe(round + 1);
        else expect(result).toEqual({ ok: false, reason: 'conflict', current: stored });
      }
    }

    expect(winnersPerRound).toEqual([1, 1, 1, 1, 1]);
  });

  it('loses no update when 20 writers each retry load, modify, save until they succeed', async () => {
    const stores = await storesOnOneTable(WRITERS);
    await stores[0]?.save(aServiceState('payments-api', { epoch: 0, autoFailbacks: [] }), null);
    let conflicts = 0;
    // A barrier on the first attempt only: all 20 read version 1 before anyone writes, so at least
    // 19 first attempts must conflict; after that the writers run free.
    let arrived = 0;
    let allRead = () => {};
    const everyoneHasRead = new Promise<void>((resolve) => {
      allRead = resolve;
    });

    await Promise.all(
      stores.map(async (store, writer) => {
        for (let attempt = 1; ; attempt += 1) {
          const read = await store.load('payments-api');
          if (read === null) throw new Error('state vanished');
          if (attempt === 1) {
            arrived += 1;
            if (arrived === WRITERS) allRead();
            await everyoneHasRead;
          }
          const next = {
            ...read.value,
            epoch: read.value.epoch + 1,
            autoFailbacks: [...read.value.autoFailbacks, writer],
          };
          const saved = await store.save(next, read.version);
          if (saved.ok) return;
          conflicts += 1;
        }
      }),
    );
    const final = await stores[0]?.load('payments-api');

    expect(final?.value.epoch).toBe(WRITERS);
    expect(final?.version).toBe(WRITERS + 1);
    expect([...(final?.value.autoFailbacks ?? [])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: WRITERS }, (_, writer) => writer),
    );
    expect(conflicts).toBeGreaterThanOrEqual(WRITERS - 1);
  });
});
