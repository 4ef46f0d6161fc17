import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { runWatchdog, type WatchdogDeps } from '../../../shared/controller/watchdog.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import type { FlipInvocation, Invoker } from '../../../shared/domain/ports.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import type { Metrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const config = (interval: number): ControllerConfig =>
  parseConfig(
    `
defaults: { probeIntervalSeconds: ${interval}, failureThreshold: 2, recoveryThreshold: 2 }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health", timeoutMs: 1000 } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health", timeoutMs: 1000 } }] }
`,
    'test.yml',
    {},
  );

class RecordingInvoker implements Invoker {
  readonly calls: { fn: string; payload: FlipInvocation }[] = [];
  async invoke(fn: 'failover' | 'failback', payload: FlipInvocation) {
    this.calls.push({ fn, payload });
  }
}

describe('runWatchdog', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  let prober: ScriptedProber;
  let invoker: RecordingInvoker;
  let notifier: RecordingNotifier;
  let traffic: MemoryTraffic;
  let metricLines: { dimensions: Record<string, string>; names: string[] }[];

  const deps = (cfg: ControllerConfig): WatchdogDeps => {
    traffic ??= new MemoryTraffic(cfg.services);
    const metrics: Metrics = {
      put: (dimensions, samples) =>
        metricLines.push({ dimensions: { ...dimensions }, names: samples.map((s) => s.name) }),
    };
    return {
      services: cfg.services,
      store,
      traffic,
      prober,
      invoker,
      notifier,
      clock,
      log: silentLogger,
      metrics,
    };
  };
  /** One scheduled run of `seconds` Lambda time. */
  const run = (
    cfg: ControllerConfig,
    seconds = 60,
    time: string | undefined = new Date(clock.now()).toISOString(),
  ) => {
    const deadline = clock.now() + seconds * 1000;
    return runWatchdog(deps(cfg), { time }, { remainingMs: () => deadline - clock.now() });
  };

  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryStore();
    prober = new ScriptedProber();
    invoker = new RecordingInvoker();
    notifier = new RecordingNotifier();
    metricLines = [];
    traffic = undefined as unknown as MemoryTraffic;
  });

  it('probes every interval while a round still fits in the remaining time', async () => {
    expect((await run(config(10))).rounds).toBe(6);
    expect((await run(config(60))).rounds).toBe(1);
    // Each round needs its 1 s check timeout plus the 5 s safety margin: the last one starts at 4 s of 10.
    expect((await run(config(1), 10)).rounds).toBe(5);
  });

  it('drops a scheduled event delivered more than 90 s late, probing nothing', async () => {
    const report = await run(config(10), 60, new Date(clock.now() - 91_000).toISOString());

    expect(report.dropped).toBe(true);
    expect(prober.probes).toBe(0);
    expect(store.writes).toBe(0);
  });

  it('writes nothing in a healthy steady state once both targets are known', async () => {
    await run(config(10));
    const writes = store.writes;

    const report = await run(config(10));

    expect(report.writes).toBe(0);
    expect(store.writes).toBe(writes);
    expect(invoker.calls).toEqual([]);
  });

  it('decides a failover once, on the current epoch, after failureThreshold failed rounds', async () => {
    await run(config(10));
    prober.set('api', 'primary', false);

    const report = await run(config(10));

    expect(invoker.calls.map((c) => [c.fn, c.payload.epoch])).toEqual([['failover', 0]]);
    expect(report.invoked).toHaveLength(1);
    expect(store.items.get('api')?.value.phase).toBe('failing-over');
    expect(invoker.calls[0]?.payload.reason).toMatch(/primary down/);
  });

  it('decides again on the fresh state when another writer wins the race, without a second failover', async () => {
    await run(config(10));
    prober.set('api', 'primary', false);
    const save = store.save.bind(store);
    let raced = false;
    store.save = async (state, version) => {
      if (!raced && state.phase === 'failing-over') {
        raced = true;
        const current = store.items.get('api');
        if (current)
          await save({ ...current.value, phase: 'failing-over', pendingSince: clock.now() }, current.version);
      }
      return save(state, version);
    };

    const report = await run(config(10));

    expect(report.conflicts).toBeGreaterThan(0);
    expect(invoker.calls).toEqual([]);
    expect(store.items.get('api')?.value.phase).toBe('failing-over');
  });

  it('reads Route 53 once per run and records a hand edit as a hold, with an alert', async () => {
    await run(config(10));
    let reads = 0;
    const readAll = traffic.readAll.bind(traffic);
    traffic.readAll = async (services) => {
      reads++;
      return readAll(services);
    };
    traffic.handEdit('api', 'secondary');

    const report = await run(config(10));

    expect(reads).toBe(1);
    expect(report.reconciled).toEqual([{ service: 'api', kind: 'hand-edit' }]);
    expect(store.items.get('api')?.value).toMatchObject({
      phase: 'secondary-active',
      epoch: 1,
      hold: { kind: 'manual-edit' },
    });
    expect(notifier.sent.map((n) => [n.event, n.from, n.to])).toEqual([
      ['reconciled', 'primary', 'secondary'],
    ]);
    expect(invoker.calls).toEqual([]);
  });

  it('keeps probing when the reconciliation write fails, and reconciles on the next run', async () => {
    await run(config(10));
    traffic.handEdit('api', 'secondary');
    const save = store.save.bind(store);
    let failing = true;
    store.save = async (state, version) => {
      if (failing && state.phase === 'secondary-active')
        throw new Error('ProvisionedThroughputExceededException');
      return save(state, version);
    };

    const failed = await run(config(10));
    failing = false;
    const healed = await run(config(10));

    expect(failed.rounds).toBe(6);
    expect(failed.reconciled).toEqual([]);
    expect(healed.reconciled).toEqual([{ service: 'api', kind: 'hand-edit' }]);
  });

  it('emits a heartbeat every run and per-service health series', async () => {
    await run(config(10));

    expect(metricLines).toContainEqual({
      dimensions: { Stage: 'local' },
      names: ['Heartbeat', 'RunDuration', 'Rounds', 'RoundDuration'],
    });
    expect(metricLines).toContainEqual({
      dimensions: { Stage: 'local', Service: 'api' },
      names: ['PrimaryHealthy', 'SecondaryHealthy', 'ActiveTarget'],
    });
  });
});
