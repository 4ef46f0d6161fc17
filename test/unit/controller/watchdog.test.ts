import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { runFlip } from '../../../shared/controller/flip.ts';
import { runWatchdog, type WatchdogDeps } from '../../../shared/controller/watchdog.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import type { FlipInvocation, Invoker } from '../../../shared/domain/ports.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import type { Metrics } from '../../../shared/telemetry/metrics.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
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

    expect(invoker.calls.map((c) => [c.fn, c.payload.to, c.payload.epoch])).toEqual([
      ['failover', 'secondary', 0],
    ]);
    expect(report.invoked).toHaveLength(1);
    expect(store.items.get('api')?.value).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });
    expect(invoker.calls[0]?.payload.reason).toMatch(/primary down/);
  });

  it('decides again on the fresh state when another writer wins the race, without a second failover', async () => {
    await run(config(10));
    prober.set('api', 'primary', false);
    const save = store.save.bind(store);
    let raced = false;
    store.save = async (state, version) => {
      if (!raced && state.moving?.to === 'secondary') {
        raced = true;
        const current = store.items.get('api');
        if (current)
          await save({ ...current.value, moving: { to: 'secondary', since: clock.now() } }, current.version);
      }
      return save(state, version);
    };

    const report = await run(config(10));

    expect(report.conflicts).toBeGreaterThan(0);
    expect(invoker.calls).toEqual([]);
    expect(store.items.get('api')?.value.moving?.to).toBe('secondary');
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
      active: 'secondary',
      moving: null,
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
      if (failing && state.active === 'secondary') throw new Error('ProvisionedThroughputExceededException');
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
      names: ['ActiveTarget'],
    });
    for (const target of ['primary', 'secondary']) {
      expect(metricLines).toContainEqual({
        dimensions: { Stage: 'local', Service: 'api', Target: target },
        names: ['TargetHealthy'],
      });
    }
  });

  describe('over three targets', () => {
    const three = (): ControllerConfig =>
      parseConfig(
        `
defaults: { probeIntervalSeconds: 10, failureThreshold: 2, recoveryThreshold: 2 }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    targets:
      - { id: eu-west, setIdentifier: blue, checks: [{ http: { url: "https://eu.example.com/health", timeoutMs: 1000 } }] }
      - { id: us-east, setIdentifier: green, checks: [{ http: { url: "https://us.example.com/health", timeoutMs: 1000 } }] }
      - { id: ap-south, setIdentifier: red, checks: [{ http: { url: "https://ap.example.com/health", timeoutMs: 1000 } }] }
`,
        'test.yml',
        {},
      );

    it('fails over past a down second target to the third, naming it in the invocation', async () => {
      await run(three());
      prober.set('api', 'eu-west', false);
      prober.set('api', 'us-east', false);

      await run(three());

      expect(invoker.calls.map((c) => [c.fn, c.payload.to, c.payload.epoch])).toEqual([
        ['failover', 'ap-south', 0],
      ]);
      expect(store.items.get('api')?.value).toMatchObject({ active: 'eu-west', moving: { to: 'ap-south' } });
      expect(Object.keys(invoker.calls[0]?.payload.evidence ?? {})).toEqual([
        'eu-west',
        'us-east',
        'ap-south',
      ]);
    });

    it('records a hand edit to the third target as a hold on it', async () => {
      await run(three());
      traffic.handEdit('api', 'ap-south');

      const report = await run(three());

      expect(report.reconciled).toEqual([{ service: 'api', kind: 'hand-edit' }]);
      expect(store.items.get('api')?.value).toMatchObject({
        active: 'ap-south',
        moving: null,
        epoch: 1,
        hold: { kind: 'manual-edit' },
      });
      expect(notifier.sent.map((n) => [n.event, n.from, n.to])).toEqual([
        ['reconciled', 'eu-west', 'ap-south'],
      ]);
    });

    it("emits each target's health under its own id and the active target's position", async () => {
      await run(three());

      for (const target of ['eu-west', 'us-east', 'ap-south']) {
        expect(metricLines).toContainEqual({
          dimensions: { Stage: 'local', Service: 'api', Target: target },
          names: ['TargetHealthy'],
        });
      }
    });

    it('has its decision carried out by the failover function, as sent over the wire', async () => {
      const cfg = three();
      await run(cfg);
      prober.set('api', 'eu-west', false);
      await run(cfg);
      const [call] = invoker.calls;
      if (!call) throw new Error('the watchdog decided no failover');

      const out = await runFlip(
        { ...deps(cfg), metrics: noMetrics },
        'failover',
        JSON.parse(JSON.stringify(call.payload)),
      );

      expect(out).toMatchObject({ outcome: 'failed-over', from: 'eu-west', to: 'us-east', epoch: 1 });
      expect(traffic.weights.get('api')).toEqual({ 'eu-west': 0, 'us-east': 100, 'ap-south': 0 });
    });
  });
});
