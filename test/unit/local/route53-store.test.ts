import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../../local/route53/records.ts';
import { ZoneStore } from '../../../local/route53/store.ts';

function storeAt(clock: { now: number }, inSyncDelayMs: number): ZoneStore {
  return new ZoneStore({
    propagation: inSyncDelayMs === 0 ? { kind: 'instant' } : { kind: 'fixed', delayMs: inSyncDelayMs },
    now: () => clock.now,
  });
}

const www: RecordSet = { name: 'www.example.com.', type: 'A', ttl: 60, values: ['10.0.0.1'] };

describe('ZoneStore change status', () => {
  it('reports PENDING until inSyncDelayMs has passed and INSYNC from then on', () => {
    const clock = { now: 1_000 };
    const store = storeAt(clock, 500);
    const { zone } = store.createZone('example.com.', 'ref');
    const change = store.applyBatch(zone, [{ action: 'CREATE', set: www }]);

    const early = store.status(change);
    clock.now = 1_499;
    const almost = store.status(change);
    clock.now = 1_500;
    const due = store.status(change);

    expect([early, almost, due]).toEqual(['PENDING', 'PENDING', 'INSYNC']);
  });

  it('settles changes already due when a hold starts, and holds only the later ones', () => {
    const clock = { now: 0 };
    const store = storeAt(clock, 100);
    const { zone } = store.createZone('example.com.', 'ref');
    const first = store.applyBatch(zone, [{ action: 'CREATE', set: www }]);
    clock.now = 200;

    store.holdPending(true);
    const second = store.applyBatch(zone, [{ action: 'DELETE', set: www }]);
    clock.now = 10_000;

    expect(store.status(first)).toBe('INSYNC');
    expect(store.status(second)).toBe('PENDING');
    expect(store.publishedRecords(zone)?.some((set) => set.name === 'www.example.com.')).toBe(true);
    expect(store.records(zone).some((set) => set.name === 'www.example.com.')).toBe(false);
  });

  it('never reports a change INSYNC before an earlier change of the same zone', () => {
    const clock = { now: 0 };
    const store = storeAt(clock, 1_000);
    const { zone } = store.createZone('example.com.', 'ref');
    const slow = store.applyBatch(zone, [{ action: 'CREATE', set: www }]);
    store.setPropagation({ kind: 'fixed', delayMs: 10 });
    const quick = store.applyBatch(zone, [{ action: 'DELETE', set: www }]);

    clock.now = 500;
    const midway = [store.status(slow), store.status(quick)];
    clock.now = 1_000;
    const due = [store.status(slow), store.status(quick)];

    expect(midway).toEqual(['PENDING', 'PENDING']);
    expect(due).toEqual(['INSYNC', 'INSYNC']);
  });

  it('serves the records of the last INSYNC change while a delayed one is PENDING', () => {
    const clock = { now: 0 };
    const store = storeAt(clock, 0);
    const { zone } = store.createZone('example.com.', 'ref');
    store.applyBatch(zone, [{ action: 'CREATE', set: www }]);
    store.setPropagation({ kind: 'fixed', delayMs: 30_000 });
    store.applyBatch(zone, [{ action: 'DELETE', set: www }]);

    clock.now = 29_999;
    const during = store.publishedRecords(zone)?.some((set) => set.name === 'www.example.com.');
    clock.now = 30_000;
    const after = store.publishedRecords(zone)?.some((set) => set.name === 'www.example.com.');

    expect([during, after]).toEqual([true, false]);
  });

  it('does not serve a zone created while changes are held', () => {
    const clock = { now: 0 };
    const store = storeAt(clock, 0);
    store.holdPending(true);

    const { zone } = store.createZone('example.com.', 'ref');

    expect(store.publishedRecords(zone)).toBeUndefined();
    store.holdPending(false);
    expect(store.publishedRecords(zone)?.map((set) => set.type)).toEqual(['NS', 'SOA']);
  });
});
