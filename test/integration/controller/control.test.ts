/**
 * The pause/resume use case against a real DynamoDB API (dynalite): conditional writes, conflicts,
 * audit events and the notification each change sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../../../shared/aws/state-store.ts';
import { type ControlDeps, parseControlRequest, runControl } from '../../../shared/controller/control.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { Clock, Notification, StateStore } from '../../../shared/domain/ports.ts';
import { healthOf } from '../../../shared/domain/state.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo.ts';
import { aService, parse } from '../../unit/config/sample-config.ts';

const T0 = Date.UTC(2026, 10, 26, 6, 0, 0);
const config = parse({ services: [aService('payments-api'), aService('ledger-api')] });

describe('runControl', () => {
  let db: TestDynamo;
  let store: StateStore;
  let sent: Notification[];
  let deps: ControlDeps;

  beforeAll(async () => {
    db = await startTestDynamo();
    store = createStateStore({ client: db.client, table: await db.newTable('control') });
    sent = [];
    const clock: Clock = { now: () => T0, sleep: async () => {} };
    deps = {
      services: config.services,
      store,
      clock,
      log: silentLogger,
      metrics: noMetrics,
      notifier: {
        notify: async (notification, groups) => {
          sent.push(notification);
          return groups.map((group) => ({ channel: `${group}/webhook`, ok: true, attempts: 1 }));
        },
      },
    };
  });

  afterAll(async () => {
    await db?.close();
  });

  it('pauses a service it has never seen, then says it is already paused', async () => {
    const first = await runControl(deps, {
      action: 'pause',
      service: 'payments-api',
      reason: 'db migration',
      requestedBy: 'alice',
    });
    const second = await runControl(deps, { action: 'pause', service: 'payments-api', requestedBy: 'bob' });

    expect(first).toMatchObject({ outcome: 'paused', paused: true, epoch: 0 });
    expect(first.message).toContain('paused by alice: db migration');
    expect(second.outcome).toBe('already-paused');
    expect((await store.load('payments-api'))?.value.paused).toBe(true);
    expect(sent.map((n) => [n.event, n.service, n.requestedBy, n.severity])).toEqual([
      ['paused', 'payments-api', 'alice', 'warning'],
    ]);
    const history = await store.history('payments-api', 10);
    expect(history.map((e) => [e.kind, e.outcome, e.requestedBy])).toEqual(
      expect.arrayContaining([
        ['pause', 'paused', 'alice'],
        ['pause', 'already-paused', 'bob'],
      ]),
    );
  });

  it('resumes and releases an operator hold in the same write, without touching the active target or epoch', async () => {
    const current = await store.load('payments-api');
    if (!current) throw new Error('expected the state of the previous test');
    const hold = { kind: 'planned-failover' as const, by: 'carol', reason: 'region maintenance', at: T0 };
    const held = { ...current.value, active: 'secondary', epoch: 3, hold };
    expect((await store.save(held, current.version)).ok).toBe(true);

    const out = await runControl(deps, { action: 'resume', service: 'payments-api', requestedBy: 'alice' });

    expect(out).toMatchObject({ outcome: 'resumed', paused: false, epoch: 3, releasedHold: hold });
    const after = await store.load('payments-api');
    expect(after?.value).toMatchObject({
      paused: false,
      hold: null,
      active: 'secondary',
      moving: null,
      epoch: 3,
    });
  });

  it('says automation is already running when there is neither a pause nor a hold', async () => {
    const out = await runControl(deps, { action: 'resume', service: 'payments-api' });

    expect(out.outcome).toBe('already-running');
  });

  it('applies the change on the fresh state when another writer got there first', async () => {
    await store.save(initialState('ledger-api', 'primary'), null);
    const racing: StateStore = {
      ...store,
      // Someone (a watchdog round) writes between our read and our write, once.
      load: async (service) => {
        const read = await store.load(service);
        if (read && read.version === 1) {
          const primary = { ...healthOf(read.value, 'primary'), status: 'up' as const };
          const raced = { ...read.value, targets: { ...read.value.targets, primary } };
          await store.save(raced, read.version);
        }
        return read;
      },
    };

    const out = await runControl({ ...deps, store: racing }, { action: 'pause', service: 'ledger-api' });

    expect(out.outcome).toBe('paused');
    const after = await store.load('ledger-api');
    expect(after?.value).toMatchObject({ paused: true, targets: { primary: { status: 'up' } } });
    expect(after?.version).toBe(3);
  });

  it('rejects an unknown service, naming the configured ones', async () => {
    const out = await runControl(deps, { action: 'pause', service: 'nope' });

    expect(out.outcome).toBe('rejected');
    expect(out.errors).toEqual(["service: unknown service 'nope'; configured: payments-api, ledger-api"]);
  });
});

describe('parseControlRequest', () => {
  it.each([
    ['an unknown action', { action: 'stop', service: 'a' }, "action: must be one of 'pause', 'resume'"],
    ['an unknown field', { action: 'pause', service: 'a', force: true }, "unknown field 'force'"],
    ['__proto__', JSON.parse('{"action":"pause","service":"a","__proto__":{"x":1}}'), "'__proto__'"],
    ['a long reason', { action: 'pause', service: 'a', reason: 'x'.repeat(1001) }, 'reason: at most 1000'],
    ['a long requestedBy', { action: 'pause', service: 'a', requestedBy: 'x'.repeat(201) }, 'at most 200'],
    ['a missing service', { action: 'pause' }, 'service: expected string'],
    ['an array', [], 'must be a JSON object'],
  ])('rejects %s', (_, payload, message) => {
    const out = parseControlRequest(payload);

    expect(out.ok).toBe(false);
    expect(!out.ok && out.errors.join('\n')).toContain(message);
  });
});
