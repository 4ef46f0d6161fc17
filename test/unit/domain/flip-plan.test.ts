import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assessRecords,
  CHANGE_REQUEST_LIMITS,
  changeBatchSize,
  FlipPlanError,
  normalizeRecordName,
  packChangeBatches,
  planFlip,
  sameRecordSet,
} from '../../../shared/domain/flip-plan.ts';
import type { TrafficReading, WeightedRecordSet } from '../../../shared/domain/ports.ts';

const primary: WeightedRecordSet = {
  Name: 'api.example.com.',
  Type: 'CNAME',
  SetIdentifier: 'primary',
  Weight: 100,
  TTL: 60,
  ResourceRecords: [{ Value: 'primary.example.com' }],
};
const secondary: WeightedRecordSet = {
  Name: 'api.example.com.',
  Type: 'CNAME',
  SetIdentifier: 'secondary',
  Weight: 0,
  TTL: 60,
  ResourceRecords: [{ Value: 'standby.example.com' }],
};
const onPrimary: TrafficReading = {
  service: 'payments-api',
  active: 'primary',
  sets: { primary, secondary },
};
const onSecondary: TrafficReading = {
  service: 'payments-api',
  active: 'secondary',
  sets: { primary: { ...primary, Weight: 0 }, secondary: { ...secondary, Weight: 100 } },
};

describe('planFlip', () => {
  it('deletes each record as read and creates it with the new weight, primary first', () => {
    const plan = planFlip(onPrimary, 'secondary', 100);

    expect(plan).toEqual({
      kind: 'flip',
      service: 'payments-api',
      from: 'primary',
      to: 'secondary',
      comment: 'failover-controller: move payments-api from primary to secondary',
      changes: [
        { Action: 'DELETE', ResourceRecordSet: primary },
        { Action: 'CREATE', ResourceRecordSet: { ...primary, Weight: 0 } },
        { Action: 'DELETE', ResourceRecordSet: secondary },
        { Action: 'CREATE', ResourceRecordSet: { ...secondary, Weight: 100 } },
      ],
      after: { service: 'payments-api', active: 'secondary', ...pair(0, 100) },
    });
  });

  it('moves traffic back to the primary with the configured active weight', () => {
    const plan = planFlip(onSecondary, 'primary', 42);

    expect(
      plan.kind === 'flip' && plan.changes.map((change) => [change.Action, change.ResourceRecordSet.Weight]),
    ).toEqual([
      ['DELETE', 0],
      ['CREATE', 42],
      ['DELETE', 100],
      ['CREATE', 0],
    ]);
  });

  it('copies alias targets, health checks and unknown fields untouched', () => {
    const alias: WeightedRecordSet = {
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: 'primary',
      Weight: 100,
      AliasTarget: {
        HostedZoneId: 'Z35SXDOTRQ7X7K',
        DNSName: 'lb-1.us-east-1.elb.amazonaws.com.',
        EvaluateTargetHealth: true,
      },
      HealthCheckId: 'abcdef11-2222-3333-4444-555555fedcba',
      CidrRoutingConfig: { CollectionId: 'c1', LocationName: 'office' },
    };
    const reading: TrafficReading = {
      service: 'payments-api',
      active: 'primary',
      sets: {
        primary: alias,
        secondary: { ...alias, SetIdentifier: 'secondary', Weight: 0, HealthCheckId: 'other' },
      },
    };

    const plan = planFlip(reading, 'secondary', 100);

    expect(plan.kind === 'flip' && plan.changes[1]?.ResourceRecordSet).toEqual({ ...alias, Weight: 0 });
  });

  it('says the target is already active instead of planning changes', () => {
    expect(planFlip(onSecondary, 'secondary', 100)).toEqual({
      kind: 'already-active',
      service: 'payments-api',
      to: 'secondary',
      reading: onSecondary,
    });
  });

  it('refuses an active weight of 0, which would leave every weight at 0', () => {
    const refuse = () => planFlip(onPrimary, 'secondary', 0);

    expect(refuse).toThrow(FlipPlanError);
    expect(refuse).toThrow(/every record would have weight 0/);
    expect(catchError(refuse)).toMatchObject({ reason: 'all-zero-weights', service: 'payments-api' });
  });

  it.each([256, -1, 1.5, Number.NaN])('refuses an active weight of %s outside 0..255', (weight) => {
    expect(catchError(() => planFlip(onPrimary, 'secondary', weight))).toMatchObject({
      name: 'FlipPlanError',
      reason: 'weight-out-of-range',
    });
  });

  it('changes nothing but the weights, and leaves exactly one weight above 0', () => {
    fc.assert(
      fc.property(
        fc.record({
          TTL: fc.nat(86_400),
          ResourceRecords: fc.array(fc.record({ Value: fc.ipV4() }), { minLength: 1 }),
        }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('primary' as const, 'secondary' as const),
        (fields, readWeight, activeWeight, to) => {
          const reading: TrafficReading = {
            service: 's',
            active: to === 'primary' ? 'secondary' : 'primary',
            sets: {
              primary: { ...primary, ...fields, Weight: to === 'primary' ? 0 : readWeight },
              secondary: { ...secondary, ...fields, Weight: to === 'primary' ? readWeight : 0 },
            },
          };
          const plan = planFlip(reading, to, activeWeight);
          if (plan.kind !== 'flip') return false;
          const [delP, creP, delS, creS] = plan.changes;
          const weights = [creP?.ResourceRecordSet.Weight ?? 0, creS?.ResourceRecordSet.Weight ?? 0];
          return (
            delP?.ResourceRecordSet === reading.sets.primary &&
            delS?.ResourceRecordSet === reading.sets.secondary &&
            JSON.stringify({ ...creP?.ResourceRecordSet, Weight: 0 }) ===
              JSON.stringify({ ...reading.sets.primary, Weight: 0 }) &&
            JSON.stringify({ ...creS?.ResourceRecordSet, Weight: 0 }) ===
              JSON.stringify({ ...reading.sets.secondary, Weight: 0 }) &&
            weights.filter((weight) => weight > 0).length === 1 &&
            plan.after.sets[to]?.Weight === activeWeight
          );
        },
      ),
    );
  });
});

describe('planFlip over three targets', () => {
  const tertiary: WeightedRecordSet = {
    ...secondary,
    SetIdentifier: 'tertiary',
    ResourceRecords: [{ Value: 'dr.example.com' }],
  };
  const three: TrafficReading = {
    service: 'payments-api',
    active: 'primary',
    sets: { primary, secondary, tertiary },
  };

  it('deletes and creates every set in preference order, the untouched ones too', () => {
    const plan = planFlip(three, 'tertiary', 100);

    expect(plan.kind === 'flip' && plan.changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: primary },
      { Action: 'CREATE', ResourceRecordSet: { ...primary, Weight: 0 } },
      { Action: 'DELETE', ResourceRecordSet: secondary },
      { Action: 'CREATE', ResourceRecordSet: { ...secondary, Weight: 0 } },
      { Action: 'DELETE', ResourceRecordSet: tertiary },
      { Action: 'CREATE', ResourceRecordSet: { ...tertiary, Weight: 100 } },
    ]);
    expect(plan).toMatchObject({ from: 'primary', to: 'tertiary', after: { active: 'tertiary' } });
  });

  it('refuses a target the reading does not have', () => {
    expect(catchError(() => planFlip(three, 'quaternary', 100))).toMatchObject({
      name: 'FlipPlanError',
      reason: 'unknown-target',
      message: expect.stringContaining('no target "quaternary"'),
    });
  });

  it('refuses an active weight of 0 with three sets too', () => {
    expect(catchError(() => planFlip(three, 'secondary', 0))).toMatchObject({ reason: 'all-zero-weights' });
  });

  it('never leaves every weight at 0 and puts activeWeight on exactly the target', () => {
    const ids = ['primary', 'secondary', 'tertiary'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        fc.constantFrom(...ids),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 255 }),
        (active, to, readWeights, activeWeight) => {
          const reading: TrafficReading = {
            service: 's',
            active,
            sets: {
              primary: { ...primary, Weight: readWeights[0] ?? 0 },
              secondary: { ...secondary, Weight: readWeights[1] ?? 0 },
              tertiary: { ...tertiary, Weight: readWeights[2] ?? 0 },
            },
          };

          const plan = planFlip(reading, to, activeWeight);

          if (plan.kind === 'already-active') {
            expect(active).toBe(to);
            return;
          }
          const created = plan.changes.filter((change) => change.Action === 'CREATE');
          const weights = created.map((change) => change.ResourceRecordSet.Weight);
          expect(created).toHaveLength(3);
          expect(weights.some((weight) => weight > 0)).toBe(true);
          expect(weights.filter((weight) => weight === activeWeight)).toHaveLength(1);
          expect(weights.filter((weight) => weight !== 0)).toHaveLength(1);
          expect(plan.after.sets[to]?.Weight).toBe(activeWeight);
          expect(
            Object.entries(plan.after.sets)
              .filter(([, set]) => set.Weight > 0)
              .map(([id]) => id),
          ).toEqual([to]);
        },
      ),
    );
  });
});

describe('assessRecords over three targets', () => {
  const tertiary: WeightedRecordSet = { ...secondary, SetIdentifier: 'tertiary' };
  const three: TrafficReading = { service: 's', active: 'primary', sets: { primary, secondary, tertiary } };

  it('recognises the flip only when every other set is at 0', () => {
    const flipped: TrafficReading = {
      service: 's',
      active: 'tertiary',
      sets: { primary: { ...primary, Weight: 0 }, secondary, tertiary: { ...tertiary, Weight: 100 } },
    };
    const split: TrafficReading = {
      ...flipped,
      sets: { ...flipped.sets, secondary: { ...secondary, Weight: 100 } },
    };

    expect(assessRecords(flipped, three, 'tertiary', 100)).toBe('already-flipped');
    expect(assessRecords(split, three, 'tertiary', 100)).toBe('changed');
    expect(assessRecords(three, three, 'tertiary', 100)).toBe('unchanged');
  });

  it('sees a set that appeared or vanished as a change', () => {
    const { tertiary: _gone, ...two } = three.sets;

    expect(assessRecords({ ...three, sets: two }, three, 'tertiary', 100)).toBe('changed');
  });
});

describe('assessRecords', () => {
  it('recognises the flip when the target carries the active weight and the other 0', () => {
    expect(assessRecords(onSecondary, onPrimary, 'secondary', 100)).toBe('already-flipped');
  });

  it('sees records as unchanged when only name case, trailing dot and value order differ', () => {
    const multi = {
      ...primary,
      Type: 'A',
      ResourceRecords: [{ Value: '192.0.2.1' }, { Value: '192.0.2.2' }],
    };
    const expected: TrafficReading = { ...onPrimary, sets: { ...onPrimary.sets, primary: multi } };
    const found: TrafficReading = {
      ...onPrimary,
      sets: {
        ...onPrimary.sets,
        primary: {
          ...multi,
          Name: 'API.example.com',
          ResourceRecords: [{ Value: '192.0.2.2' }, { Value: '192.0.2.1' }],
        },
      },
    };

    expect(assessRecords(found, expected, 'secondary', 100)).toBe('unchanged');
  });

  it.each([
    ['a TTL', { ...primary, TTL: 300 }],
    ['a value', { ...primary, ResourceRecords: [{ Value: 'elsewhere.example.com' }] }],
    ['a weight', { ...primary, Weight: 50 }],
    ['a health check', { ...primary, HealthCheckId: 'hc-1' }],
  ])('sees the records as changed when %s differs', (_, changedPrimary) => {
    const found: TrafficReading = { ...onPrimary, sets: { ...onPrimary.sets, primary: changedPrimary } };

    expect(assessRecords(found, onPrimary, 'secondary', 100)).toBe('changed');
  });

  it('does not take a flip with other weights for the intended one', () => {
    const other: TrafficReading = {
      ...onSecondary,
      sets: { ...onSecondary.sets, secondary: { ...secondary, Weight: 7 } },
    };

    expect(assessRecords(other, onPrimary, 'secondary', 100)).toBe('changed');
  });
});

describe('sameRecordSet', () => {
  it('treats an undefined field like an absent one', () => {
    expect(sameRecordSet({ ...primary, HealthCheckId: undefined }, primary)).toBe(true);
  });
});

describe('normalizeRecordName', () => {
  it('lowercases, adds the trailing dot and decodes octal escapes', () => {
    expect(normalizeRecordName('API.Example.com')).toBe('api.example.com.');
    expect(normalizeRecordName('\\052.example.com.')).toBe('*.example.com.');
  });
});

function pair(primaryWeight: number, secondaryWeight: number) {
  return {
    sets: {
      primary: { ...primary, Weight: primaryWeight },
      secondary: { ...secondary, Weight: secondaryWeight },
    },
  };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a FlipPlanError');
}

describe('changeBatchSize', () => {
  it('counts each value as a record and its characters, spaces included', () => {
    const plan = planFlip(onPrimary, 'secondary', 100);

    const size = changeBatchSize(plan.kind === 'flip' ? plan.changes : []);

    // primary.example.com and standby.example.com (19 characters), each deleted and created.
    expect(size).toEqual({ records: 4, characters: 76 });
  });

  it('counts an alias set as one record without characters and an UPSERT twice', () => {
    const alias: WeightedRecordSet = {
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: 'primary',
      Weight: 100,
      AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'lb.example.com.', EvaluateTargetHealth: true },
    };
    const spaced = {
      ...primary,
      Type: 'A',
      ResourceRecords: [{ Value: '192.0.2.1' }, { Value: '192.0.2.22' }],
    };

    const size = changeBatchSize([
      { Action: 'DELETE', ResourceRecordSet: alias },
      { Action: 'UPSERT', ResourceRecordSet: spaced },
    ]);

    expect(size).toEqual({ records: 1 + 2 * 2, characters: 2 * (9 + 10) });
  });
});

describe('packChangeBatches', () => {
  const sized = (records: number, characters = 0) => ({ records, characters });

  it('keeps everything in one batch while it fits the limits', () => {
    const items = Array.from({ length: 250 }, () => sized(4, 100));

    const { batches, oversized } = packChangeBatches(items, (item) => item);

    expect(batches.map((batch) => batch.length)).toEqual([250]);
    expect(oversized).toEqual([]);
  });

  it('starts a new batch at 1,000 records, never splitting an item', () => {
    const items = Array.from({ length: 300 }, (_, index) => ({ index, ...sized(4) }));

    const { batches } = packChangeBatches(items, (item) => item);

    expect(batches.map((batch) => batch.length)).toEqual([250, 50]);
    expect(batches.flat().map((item) => item.index)).toEqual(items.map((item) => item.index));
  });

  it('starts a new batch at 32,000 characters', () => {
    const items = Array.from({ length: 40 }, () => sized(4, 1_000));

    const { batches } = packChangeBatches(items, (item) => item);

    expect(batches.map((batch) => batch.length)).toEqual([32, 8]);
  });

  it('sets aside an item over a limit on its own and packs the rest', () => {
    const items = [sized(4), sized(1_001), sized(4, CHANGE_REQUEST_LIMITS.characters + 1), sized(4)];

    const { batches, oversized } = packChangeBatches(items, (item) => item);

    expect(batches).toEqual([[sized(4), sized(4)]]);
    expect(oversized.map(({ size }) => size)).toEqual([sized(1_001), sized(4, 32_001)]);
  });

  it('never exceeds a limit nor loses or reorders an item, whatever the sizes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            records: fc.integer({ min: 1, max: 1_200 }),
            characters: fc.integer({ min: 0, max: 40_000 }),
          }),
        ),
        (items) => {
          const { batches, oversized } = packChangeBatches(items, (item) => item);

          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.reduce((sum, item) => sum + item.records, 0)).toBeLessThanOrEqual(1_000);
            expect(batch.reduce((sum, item) => sum + item.characters, 0)).toBeLessThanOrEqual(32_000);
          }
          const fits = items.filter((item) => item.records <= 1_000 && item.characters <= 32_000);
          expect(batches.flat()).toEqual(fits);
          expect(oversized.length + fits.length).toBe(items.length);
          // As few as greedy allows: two neighbouring batches could not be one.
          for (let i = 1; i < batches.length; i += 1) {
            const both = [...(batches[i - 1] ?? []), ...(batches[i] ?? [])];
            const records = both.reduce((sum, item) => sum + item.records, 0);
            const characters = both.reduce((sum, item) => sum + item.characters, 0);
            expect(records > 1_000 || characters > 32_000).toBe(true);
          }
        },
      ),
    );
  });
});
