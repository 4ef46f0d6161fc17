/**
 * The pause/resume use case over in-memory ports: what it writes, what it tells, what it records,
 * and how it rides out a concurrent writer (the integration test runs it against dynalite).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { type ControlDeps, runControl } from '../../../shared/controller/control.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { SaveResult } from '../../../shared/domain/ports.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import { ManualClock, MemoryStore, RecordingNotifier } from '../../support/in-memory-ports.ts';

const CONFIG = `
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://primary.example.com/health" } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://standby.example.com/health" } }] }
`;
const HOLD = { kind: 'planned-failover', by: 'alice', reason: 'db upgrade', at: 1 } as const;

describe('runControl', () => {
  let store: MemoryStore;
  let notifier: RecordingNotifier;
  let deps: ControlDeps;
  const state = () => store.items.get('api')?.value;

  beforeEach(() => {
    store = new MemoryStore();
    notifier = new RecordingNotifier();
    deps = {
      services: parseConfig(CONFIG, 'test.yml', {}).services,
      store,
      notifier,
      clock: new ManualClock(),
      log: silentLogger,
      metrics: noMetrics,
    };
  });

  it('pauses with one conditional write, tells people and records who and why', async () => {
    const out = await runControl(deps, {
      action: 'pause',
      service: 'api',
      reason: 'load test',
      requestedBy: 'bob',
    });

    expect(out).toMatchObject({ outcome: 'paused', paused: true, epoch: 0 });
    expect(state()).toMatchObject({ paused: true, active: 'primary' });
    expect(store.writes).toBe(1);
    expect(notifier.sent.map((n) => [n.event, n.requestedBy, n.severity])).toEqual([
      ['paused', 'bob', 'warning'],
    ]);
    expect(store.audit.map((e) => [e.kind, e.outcome, e.requestedBy, e.reason])).toEqual([
      ['pause', 'paused', 'bob', 'load test'],
    ]);
  });

  it('resumes a paused, held service, releasing the hold, and says traffic is on the standby', async () => {
    await store.save(
      { ...initialState('api', 'primary'), active: 'secondary', paused: true, hold: HOLD },
      null,
    );

    const out = await runControl(deps, { action: 'resume', service: 'api', requestedBy: 'carol' });

    expect(out).toMatchObject({ outcome: 'resumed', paused: false, releasedHold: HOLD });
    expect(state()).toMatchObject({ paused: false, hold: null, active: 'secondary' });
    expect(notifier.sent[0]?.next).toMatch(/^Traffic is on the standby and failback stays manual/);
    expect(store.audit[0]?.details).toMatchObject({ releasedHold: HOLD });
  });

  it('writes nothing and tells no one when there is nothing to change, but records the request', async () => {
    const out = await runControl(deps, { action: 'resume', service: 'api', requestedBy: 'dave' });

    expect(out.outcome).toBe('already-running');
    expect(store.writes).toBe(0);
    expect(notifier.sent).toEqual([]);
    expect(store.audit.map((e) => e.outcome)).toEqual(['already-running']);
  });

  it('applies the change to the state as stored when another writer came first', async () => {
    await store.save(initialState('api', 'primary'), null);
    const save = store.save.bind(store);
    let raced = false;
    store.save = async (next: ServiceState, expected: number | null): Promise<SaveResult> => {
      if (!raced) {
        raced = true;
        // The watchdog records a round meanwhile (a newer epoch): it must survive the pause.
        const stored = store.items.get('api');
        if (stored) await save({ ...stored.value, epoch: 3 }, stored.version);
      }
      return save(next, expected);
    };

    const out = await runControl(deps, { action: 'pause', service: 'api', requestedBy: 'erin' });

    expect(out.outcome).toBe('paused');
    expect(state()).toMatchObject({ paused: true, epoch: 3 });
  });

  it('rejects a request naming the watchdog, an unknown service or an unknown field, changing nothing', async () => {
    const answers = await Promise.all([
      runControl(deps, { action: 'pause', service: 'api', requestedBy: 'watchdog' }),
      runControl(deps, { action: 'pause', service: 'nope' }),
      runControl(deps, { action: 'pause', service: 'api', force: true }),
    ]);

    expect(answers.map((a) => a.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(answers[0]?.message).toMatch(/reserved for the controller/);
    expect(answers[1]?.message).toMatch(/unknown service 'nope'; configured: api/);
    expect(answers[2]?.message).toMatch(/unknown field 'force'/);
    expect(store.writes).toBe(0);
  });

  it('keeps a reason to one plain line', async () => {
    await runControl(deps, {
      action: 'pause',
      service: 'api',
      reason: 'a\nb\u001b[2Jc\u202e',
      requestedBy: 'f',
    });

    expect(store.audit[0]?.reason).toBe('a b [2Jc');
  });
});
