import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  auditSortKey,
  decodeAudit,
  decodeState,
  encodeAudit,
  encodeState,
} from '../../../shared/aws/state-codec.ts';
import { CorruptStateError, InvalidStoreInputError } from '../../../shared/aws/state-errors.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { anAuditEvent, aServiceState } from '../../support/dynamo.ts';

const TABLE = 'failover-state';
const NOW = Date.UTC(2026, 10, 26, 6, 0, 0);
const YEAR_9999_END = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const epochMs = fc.integer({ min: 0, max: YEAR_9999_END });
const checkResult = fc.record({
  check: fc.string(),
  ok: fc.boolean(),
  latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  reason: fc.string(),
});
const targetHealth = fc.record({
  status: fc.constantFrom('up', 'down', 'unknown'),
  okStreak: fc.nat(),
  failStreak: fc.nat(),
  since: fc.option(epochMs, { nil: null }),
  last: fc.array(checkResult, { maxLength: 3 }),
});
const hold = fc.record({
  kind: fc.constantFrom('planned-failover', 'manual-edit', 'forced'),
  by: fc.string(),
  reason: fc.string(),
  at: epochMs,
});
const targetIdArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/);
// Any number of targets (two to four), `active` and the move among them.
const serviceState: fc.Arbitrary<ServiceState> = fc
  .uniqueArray(targetIdArb, { minLength: 2, maxLength: 4 })
  .chain((ids) => {
    const target = fc.constantFrom(...ids);
    return fc.record({
      service: fc.string({ minLength: 1 }),
      epoch: fc.nat(),
      active: target,
      moving: fc.option(fc.record({ to: target, since: epochMs }), { nil: null }),
      ramp: fc.option(
        fc.record({
          from: target,
          to: target,
          steps: fc.constant([10, 50, 100]),
          step: fc.nat({ max: 1 }),
          since: epochMs,
          holdSeconds: fc.nat({ max: 3600 }),
          by: fc.string(),
        }),
        { nil: null },
      ),
      targets: fc.record(Object.fromEntries(ids.map((id) => [id, targetHealth]))),
      lastFlipAt: fc.option(epochMs, { nil: null }),
      claim: fc.option(
        fc.record({ to: target, by: fc.string(), at: epochMs, hold: fc.option(hold, { nil: null }) }),
        { nil: null },
      ),
      lastFailure: fc.option(
        fc.record({ to: target, by: fc.string(), at: epochMs, epoch: fc.nat(), error: fc.string() }),
        { nil: null },
      ),
      hold: fc.option(hold, { nil: null }),
      paused: fc.boolean(),
      autoFailbacks: fc.array(epochMs, { maxLength: 5 }),
      frozen: fc.boolean(),
      announced: fc.uniqueArray(
        fc.constantFrom('both-down', 'failback-ready', 'flapping-frozen', 'failover-blocked'),
      ),
    });
  });

function stateItem(overrides: Record<string, AttributeValue | undefined>): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    ...encodeState(aServiceState('payments-api'), 4, NOW, TABLE),
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete item[name];
    else item[name] = value;
  }
  return item;
}

/** The JSON of a format-1 item (two targets, four phases) with the fields of `aServiceState`. */
function formatOneState(phase: string, pendingSince: number | null, overrides: Record<string, unknown> = {}) {
  const { active: _active, moving: _moving, targets, ...rest } = aServiceState('payments-api');
  return {
    ...rest,
    phase,
    pendingSince,
    primary: targets.primary,
    secondary: targets.secondary,
    ...overrides,
  };
}

/** A state item as written before issue #19: format 1, a readable `phase`, no `active`. */
function formatOneItem(json: { readonly phase: string }): Record<string, AttributeValue> {
  return stateItem({
    state: { S: JSON.stringify(json) },
    phase: { S: json.phase },
    active: undefined,
    format: { N: '1' },
  });
}

function decodeError(item: Record<string, AttributeValue>): CorruptStateError {
  try {
    decodeState(item, TABLE);
  } catch (error) {
    if (error instanceof CorruptStateError) return error;
    throw error;
  }
  throw new Error('decodeState accepted a corrupt item');
}

describe('encodeState / decodeState', () => {
  test.prop([serviceState, fc.integer({ min: 1, max: 1e9 })])(
    'reads back every state it writes',
    (state, version) => {
      const decoded = decodeState(encodeState(state, version, NOW, TABLE), TABLE);

      expect(decoded).toEqual({ value: state, version });
    },
  );

  test.prop([fc.jsonValue()])(
    'rejects arbitrary JSON in the state attribute with a CorruptStateError',
    (junk) => {
      const item = stateItem({ state: { S: JSON.stringify(junk) } });

      expect(() => decodeState(item, TABLE)).toThrow(CorruptStateError);
    },
  );

  it("reads an item written before claims were explicit as the operator's claim it was", () => {
    const planned = { kind: 'planned-failover', by: 'alice', reason: 'db', at: NOW - 5_000 };
    const {
      claim: _claim,
      lastFailure: _lastFailure,
      ...legacy
    } = formatOneState('primary-active', NOW - 5_000, { hold: planned });
    const item = formatOneItem(legacy);

    const { value } = decodeState(item, TABLE);

    expect(value).toMatchObject({
      active: 'primary',
      moving: null,
      hold: null,
      claim: { to: 'secondary', by: 'alice', at: NOW - 5_000, hold: planned },
      lastFailure: null,
    });
    expect(value).not.toHaveProperty('pendingSince');
  });

  it.each([
    { phase: 'primary-active', pendingSince: null, active: 'primary', moving: null },
    {
      phase: 'failing-over',
      pendingSince: NOW - 7_000,
      active: 'primary',
      moving: { to: 'secondary', since: NOW - 7_000 },
    },
    { phase: 'secondary-active', pendingSince: null, active: 'secondary', moving: null },
    {
      phase: 'failing-back',
      pendingSince: NOW - 7_000,
      active: 'secondary',
      moving: { to: 'primary', since: NOW - 7_000 },
    },
  ])('reads a format-1 item in phase $phase as active $active', ({ phase, pendingSince, active, moving }) => {
    const old = formatOneState(phase, pendingSince);
    const item = formatOneItem(old);

    const { value, version } = decodeState(item, TABLE);

    expect(version).toBe(4);
    expect(value).toEqual({
      ...aServiceState('payments-api'),
      active,
      moving,
      targets: { primary: old.primary, secondary: old.secondary },
    });
    for (const gone of ['phase', 'pendingSince', 'primary', 'secondary'])
      expect(value).not.toHaveProperty(gone);
  });

  it('writes a migrated format-1 item back as format 2', () => {
    const { value } = decodeState(formatOneItem(formatOneState('failing-over', NOW - 7_000)), TABLE);

    const item = encodeState(value, 5, NOW, TABLE);

    expect(item.format).toEqual({ N: '2' });
    expect(item.active).toEqual({ S: 'primary' });
    expect(item).not.toHaveProperty('phase');
    const json: unknown = JSON.parse(item.state?.S ?? 'null');
    expect(json).toMatchObject({ active: 'primary', moving: { to: 'secondary', since: NOW - 7_000 } });
    expect(json).not.toHaveProperty('phase');
    expect(json).not.toHaveProperty('primary');
    expect(decodeState(item, TABLE)).toEqual({ value, version: 5 });
  });

  it('names an active attribute that disagrees with the stored state', () => {
    expect(decodeError(stateItem({ active: { S: 'primary' } })).message).toMatch(
      /attribute active=primary disagrees with state\.active=secondary/,
    );
  });

  it('reads an item without the fields added since as having neither claim nor failure', () => {
    const { claim: _claim, lastFailure: _lastFailure, ...old } = aServiceState('payments-api');
    const item = stateItem({ state: { S: JSON.stringify(old) } });

    expect(decodeState(item, TABLE).value).toMatchObject({ claim: null, lastFailure: null, hold: old.hold });
  });

  it('names a missing or non-positive version', () => {
    expect(decodeError(stateItem({ version: undefined })).problems[0]).toMatch(
      /attribute version is missing/,
    );
    expect(decodeError(stateItem({ version: { N: '0' } })).problems[0]).toMatch(/not a positive integer/);
    expect(decodeError(stateItem({ version: { S: '4' } })).problems[0]).toMatch(/attribute version/);
  });

  it('names a state stored under another service', () => {
    const item = stateItem({ pk: { S: 'SERVICE#orders-api' } });

    const error = decodeError(item);

    expect(error.service).toBe('orders-api');
    expect(error.message).toMatch(/Service "orders-api".*state\.service is "payments-api"/);
  });

  it('names an epoch attribute that disagrees with the stored state', () => {
    expect(decodeError(stateItem({ epoch: { N: '99' } })).message).toMatch(
      /attribute epoch=99 disagrees with state\.epoch=3/,
    );
  });

  it('refuses to encode a state it could not read back', () => {
    const broken = {
      ...aServiceState('payments-api'),
      epoch: Number.NaN,
      announced: ['nope'],
    } as unknown as ServiceState;

    expect(() => encodeState(broken, 1, NOW, TABLE)).toThrow(InvalidStoreInputError);
    expect(() => encodeState(broken, 1, NOW, TABLE)).toThrow(/state\.epoch.*state\.announced\.0/);
  });
});

describe('auditSortKey', () => {
  test.prop([epochMs, epochMs, fc.string({ minLength: 1 }), fc.string({ minLength: 1 })])(
    'sorts event keys in the order of their times',
    (a, b, idA, idB) => {
      fc.pre(a !== b);

      const keysInOrder = auditSortKey(a, idA) < auditSortKey(b, idB);

      expect(keysInOrder).toBe(a < b);
    },
  );

  it('starts with EVENT# and a UTC timestamp', () => {
    expect(auditSortKey(NOW, 'flip-4')).toBe('EVENT#2026-11-26T06:00:00.000Z#flip-4');
  });
});

describe('encodeAudit / decodeAudit', () => {
  it('reads back the event it writes, with the TTL beside it', () => {
    const event = anAuditEvent('payments-api', NOW, 'flip-4');

    const item = encodeAudit(event, 1_900_000_000, TABLE);

    expect(item.expiresAt).toEqual({ N: '1900000000' });
    expect(decodeAudit(item, TABLE)).toEqual(event);
  });

  it('refuses an event time whose key would not sort', () => {
    const tooLate = anAuditEvent('payments-api', YEAR_9999_END + 1, 'e1');
    const negative = anAuditEvent('payments-api', -1, 'e1');

    expect(() => encodeAudit(tooLate, 0, TABLE)).toThrow(InvalidStoreInputError);
    expect(() => encodeAudit(negative, 0, TABLE)).toThrow(/event\.at/);
  });

  it('refuses details that are not JSON', () => {
    const event = anAuditEvent('payments-api', NOW, 'e1', { details: { big: 10n } });

    expect(() => encodeAudit(event, 0, TABLE)).toThrow(/details are not JSON/);
  });

  it('names an event whose body does not match its key', () => {
    const item = encodeAudit(anAuditEvent('payments-api', NOW, 'e1'), 0, TABLE);
    item.sk = { S: auditSortKey(NOW, 'e2') };

    expect(() => decodeAudit(item, TABLE)).toThrow(/Service "payments-api".*do not match the sort key/);
  });
});
