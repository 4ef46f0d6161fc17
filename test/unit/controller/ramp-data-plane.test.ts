/**
 * A ramped failback (issue #13) of a `dataPlane` service (issue #12): a ramp step lands through the
 * compare-and-swap only (an advance waits for the Route 53 API), a rollback of all the traffic lands
 * through the data plane like any failover, and `dataPlane: only` cannot ramp at all.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { resolveMove } from '../../../shared/controller/flip.ts';
import { landMoves } from '../../../shared/controller/landing.ts';
import { executeMove, FlipError, type Prepared } from '../../../shared/controller/move-execution.ts';
import { Ledger } from '../../../shared/controller/watchdog-ledger.ts';
import { reconcileAll } from '../../../shared/controller/watchdog-reconcile.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { Move } from '../../../shared/domain/move.ts';
import type {
  FlipResult,
  ReadResult,
  TrafficReading,
  TrafficSignal,
  ZoneFlip,
} from '../../../shared/domain/ports.ts';
import type { Ramp, ServiceState } from '../../../shared/domain/state.ts';
import type { ServiceSignal } from '../../../shared/domain/traffic-signal.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const STEPS = [10, 50, 100];
const target = (id: string) =>
  `{ setIdentifier: ${id}, checks: [{ http: { url: "https://${id}.example.com/health", timeoutMs: 500 } }] }`;
const CONFIG = `
services:
  - name: payments-api
    hostedZoneId: ZONEONE
    recordName: api.example.com
    recordType: CNAME
    dataPlane: fallback
    dataPlaneDeadlineSeconds: 10
    failbackSteps: [10, 50, 100]
    primary: ${target('primary')}
    secondary: ${target('secondary')}
  - name: ledger-api
    hostedZoneId: ZONEONE
    recordName: ledger.example.com
    recordType: CNAME
    dataPlane: only
    primary: ${target('primary')}
    secondary: ${target('secondary')}
`;

/** Route 53's API is down: no listing answers and every change batch fails (nothing applied). */
class ApiDown extends MemoryTraffic {
  readonly flips: ZoneFlip[][] = [];
  override async read(): Promise<ReadResult> {
    return { ok: false, reason: 'unavailable', message: 'Route 53 answered 503 ServiceUnavailable' };
  }
  override async readAll(): Promise<Map<string, { ok: true; reading: TrafficReading }>> {
    throw new Error('ServiceUnavailable: 503');
  }
  override async flipMany(flips: readonly ZoneFlip[]): Promise<Map<string, FlipResult>> {
    this.flips.push([...flips]);
    return new Map(
      flips.map((f) => [
        f.service.name,
        { outcome: 'error', message: 'ServiceUnavailable: 503', found: null, applied: 'no' } as const,
      ]),
    );
  }
}

class RecordingSignal implements TrafficSignal {
  readonly published: ServiceSignal[] = [];
  async publish(signals: readonly ServiceSignal[]): Promise<void> {
    this.published.push(...signals);
  }
}

describe('a ramped failback of a data-plane service', () => {
  let services: readonly ServiceConfig[];
  let payments: ServiceConfig;
  let store: MemoryStore;
  let clock: ManualClock;
  let traffic: ApiDown;
  let signal: RecordingSignal;

  const ramp = (): Ramp => ({
    from: 'secondary',
    to: 'primary',
    steps: STEPS,
    step: 0,
    since: clock.now() - 120_000,
    holdSeconds: 60,
    by: 'watchdog',
  });
  const onStep0 = (): ServiceState => ({
    ...initialState('payments-api', 'primary'),
    active: 'secondary',
    epoch: 3,
    ramp: ramp(),
  });
  const move = (overrides: Partial<Move>): Move => ({
    service: 'payments-api',
    direction: 'failback',
    to: 'primary',
    first: 'primary',
    requestedBy: 'ops',
    force: false,
    correlationId: 'c-1',
    ...overrides,
  });
  const deps = () => ({
    store,
    traffic,
    prober: new ScriptedProber(),
    clock,
    log: silentLogger,
    trafficSignal: signal,
  });

  beforeEach(() => {
    services = parseConfig(CONFIG, 'test.yml', {}).services;
    const found = services.find((s) => s.name === 'payments-api');
    if (found === undefined) throw new Error('payments-api not parsed');
    payments = found;
    store = new MemoryStore();
    clock = new ManualClock();
    traffic = new ApiDown(services);
    signal = new RecordingSignal();
  });

  it('holds an advance while Route 53 cannot be read: no claim, no data-plane landing', async () => {
    // Prepare
    await store.save(onStep0(), null);
    const advance = move({ step: { steps: STEPS, step: 1 } });

    // Act
    const execution = executeMove(deps(), payments, advance, { dryRun: false }, {});

    // Assess
    await expect(execution).rejects.toThrow(FlipError);
    await expect(execution).rejects.toThrow(/503/);
    const stored = await store.load('payments-api');
    expect(stored?.value).toMatchObject({ epoch: 3, claim: null, ramp: { step: 0 } });
    expect(stored?.value.weightsPending).toBeUndefined();
    expect(signal.published).toEqual([]);
  });

  it('rolls back through the data plane past the deadline, ending the ramp, and signals the standby alone', async () => {
    // Prepare
    await store.save(onStep0(), null);
    const rollback = move({ direction: 'failover', to: 'secondary', reason: 'primary DOWN mid-ramp' });

    // Act
    const execution = await executeMove(deps(), payments, rollback, { dryRun: false }, {});

    // Assess
    expect(execution).toMatchObject({ kind: 'moved', mechanism: 'data-plane', ramp: { to: 'primary' } });
    const stored = await store.load('payments-api');
    expect(stored?.value).toMatchObject({ epoch: 4, active: 'secondary', ramp: null });
    expect(stored?.value.weightsPending).toBeDefined();
    expect(signal.published).toEqual([{ service: 'payments-api', allowed: { primary: 0, secondary: 1 } }]);
  });

  it('lands a claimed step through the compare-and-swap only, with its split, even past the deadline', async () => {
    // Prepare: a step claimed from a reading, then the API fails for longer than the deadline.
    const reading = new MemoryTraffic(services).reading(payments);
    const state = onStep0();
    const share = { from: 'secondary', step: { steps: STEPS, step: 1 } };
    const prepared = (m: Move, withShare: boolean): Prepared => ({
      service: payments,
      move: m,
      milestones: {},
      claimed: { value: state, version: 1, before: state },
      reading,
      verification: { ok: true, checks: [] },
      share: withShare ? share : undefined,
      holdSeconds: 60,
    });

    // Act
    const step = await landMoves({ traffic, clock }, [prepared(move({ step: share.step }), true)]);
    const all = await landMoves({ traffic, clock }, [prepared(move({ to: 'secondary' }), false)]);

    // Assess
    expect(step.get('payments-api')).toMatchObject({ outcome: 'error', applied: 'no' });
    expect(traffic.flips[0]).toEqual([expect.objectContaining({ to: 'primary', share })]);
    expect(all.get('payments-api')).toMatchObject({ outcome: 'data-plane' });
  });

  it('rejects a stepped failback of a dataPlane: only service, whose weights never change', () => {
    const resolved = resolveMove({ services, requestId: 'r-1' }, 'failback', {
      service: 'ledger-api',
      steps: [10, 100],
    });

    expect(resolved).toMatchObject({ outcome: 'rejected' });
    expect('message' in resolved ? resolved.message : '').toMatch(/dataPlane: only.*--steps 100/);
  });
});

describe("the watchdog's reconciliation of a ramp and of pending weights", () => {
  const services = parseConfig(CONFIG, 'test.yml', {}).services.filter((s) => s.name === 'payments-api');
  const [payments] = services;
  const ramp: Ramp = {
    from: 'secondary',
    to: 'primary',
    steps: STEPS,
    step: 0,
    since: 0,
    holdSeconds: 60,
    by: 'watchdog',
  };

  async function reconcileOnce(state: ServiceState, weights: Record<string, number>) {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const traffic = new MemoryTraffic(services);
    await store.save(state, null);
    traffic.weights.set('payments-api', weights);
    const loaded = await store.load('payments-api');
    if (payments === undefined || loaded === null) throw new Error('not set up');
    const deps = { store, traffic, clock, log: silentLogger };
    const ledger = new Ledger({ ...deps, notifier: new RecordingNotifier(), metrics: noMetrics });
    const tracked = [{ config: payments, state: loaded.value, version: loaded.version, nextDue: 0 }];
    await reconcileAll(deps, tracked, ledger);
    return { stored: (await store.load('payments-api'))?.value, traffic, ledger };
  }

  it("leaves a ramp's split alone: it is the state the ramp explains", async () => {
    const state = { ...initialState('payments-api', 'primary'), active: 'secondary', epoch: 3, ramp };

    const { stored, traffic, ledger } = await reconcileOnce(state, { primary: 10, secondary: 90 });

    expect(stored).toMatchObject({ epoch: 3, ramp: { step: 0 }, hold: null });
    expect(traffic.changes).toBe(0);
    expect(ledger.report.reconciled).toEqual([]);
  });

  it('matches the split a data-plane rollback left to the standby with one compare-and-swap, then clears the mark', async () => {
    const state = {
      ...initialState('payments-api', 'primary'),
      active: 'secondary',
      epoch: 4,
      weightsPending: { since: 0 },
    };

    const { stored, traffic, ledger } = await reconcileOnce(state, { primary: 10, secondary: 90 });

    expect(traffic.weights.get('payments-api')).toEqual({ primary: 0, secondary: 100 });
    expect(stored).toMatchObject({ epoch: 4, active: 'secondary', hold: null });
    expect(stored?.weightsPending).toBeUndefined();
    expect(ledger.report.reconciled).toEqual([{ service: 'payments-api', kind: 'weights-reconciled' }]);
  });
});
