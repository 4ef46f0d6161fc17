/**
 * The metric list is the one source of truth only if the code emits exactly what it says: run the
 * real watchdog and flip use cases through a failover and a refused failback, capture their EMF
 * lines, and hold every metric to its listed name, unit, namespace and dimension sets.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DECISION_LOG_MESSAGES } from '../../../deploy/dashboard.ts';
import { parseConfig } from '../../../shared/config/index.ts';
import { runFlip } from '../../../shared/controller/flip.ts';
import { runWatchdog } from '../../../shared/controller/watchdog.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import type { FlipInvocation, Invoker } from '../../../shared/domain/ports.ts';
import { createLogger } from '../../../shared/telemetry/log.ts';
import { ALL_METRICS, METRIC } from '../../../shared/telemetry/metric-names.ts';
import { createEmfMetrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const CONFIG: ControllerConfig = parseConfig(
  `
defaults: { probeIntervalSeconds: 10, failureThreshold: 2, recoveryThreshold: 2 }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    metrics: detailed
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health", timeoutMs: 1000 } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health", timeoutMs: 1000 } }] }
`,
  'test.yml',
  {},
);

interface Emitted {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: string[][];
  readonly values: Record<string, unknown>;
}

class RecordingInvoker implements Invoker {
  readonly calls: FlipInvocation[] = [];
  async invoke(_fn: 'failover' | 'failback', payload: FlipInvocation) {
    this.calls.push(payload);
  }
}

describe('the metrics the controller emits', () => {
  let emitted: Emitted[];
  let logged: Record<string, unknown>[];
  let clock: ManualClock;
  let downSince: number | null;
  let acceptedAt: number | undefined;

  beforeEach(async () => {
    emitted = [];
    logged = [];
    clock = new ManualClock();
    const metrics = createEmfMetrics({
      namespace: 'FailoverController',
      now: () => clock.now(),
      write: (line) => {
        const doc = JSON.parse(line);
        const directive = doc._aws.CloudWatchMetrics[0];
        for (const m of directive.Metrics) {
          emitted.push({
            namespace: directive.Namespace,
            name: m.Name,
            unit: m.Unit,
            dimensions: directive.Dimensions,
            values: doc,
          });
        }
      },
    });
    const log = createLogger({}, { write: (line) => logged.push(JSON.parse(line)) });
    const store = new MemoryStore();
    const traffic = new MemoryTraffic(CONFIG.services);
    const prober = new ScriptedProber();
    const invoker = new RecordingInvoker();
    const common = { services: CONFIG.services, store, traffic, prober, clock, log, metrics, stage: 'prod' };
    const watch = () => {
      const deadline = clock.now() + 60_000;
      return runWatchdog(
        { ...common, invoker, notifier: new RecordingNotifier() },
        { time: new Date(clock.now()).toISOString() },
        { remainingMs: () => deadline - clock.now() },
      );
    };

    await watch();
    prober.set('api', 'primary', false);
    await watch();
    const decided = invoker.calls[0];
    if (!decided) throw new Error('the watchdog decided no failover');
    downSince = store.items.get('api')?.value.targets.primary?.since ?? null;
    const flip = await runFlip({ ...common, notifier: new RecordingNotifier() }, 'failover', decided);
    acceptedAt = flip.timings?.changeAcceptedAt;
    traffic.failing = 'no';
    prober.set('api', 'primary', true);
    await runFlip({ ...common, notifier: new RecordingNotifier() }, 'failback', {
      service: 'api',
      reason: 'primary fixed',
      requestedBy: 'alice',
    });
  });

  it('publishes every metric under its listed name, unit, namespace and dimension sets', () => {
    for (const metric of emitted) {
      const listed = ALL_METRICS.find((m) => m.name === metric.name);
      expect(listed, `${metric.name} is not in shared/telemetry/metric-names.ts`).toBeDefined();
      expect(metric).toMatchObject({
        namespace: 'FailoverController',
        unit: listed?.unit,
        dimensions: listed?.dimensions,
      });
    }
  });

  it('emits every listed metric in a failover and a refused failback, except the flap freeze, the votes and the signal', () => {
    const names = new Set(emitted.map((m) => m.name));

    const missing = ALL_METRICS.map((m) => m.name).filter((name) => !names.has(name));

    // VantageVoters needs `vantages` (test/unit/controller/watchdog-quorum.test.ts); FlappingFrozen
    // needs more automatic failbacks in an hour than the policy allows; TrafficAllowed is published
    // with PutMetricData for `dataPlane` services (test/integration/aws/traffic-signal.test.ts).
    expect(missing).toEqual([
      METRIC.vantageVoters.name,
      METRIC.flappingFrozen.name,
      METRIC.trafficAllowed.name,
    ]);
  });

  it('measures detection delay from the round that marked the primary down to the accepted change', () => {
    const delays = emitted.filter((m) => m.name === METRIC.detectionDelay.name);

    expect(downSince).not.toBeNull();
    expect(acceptedAt).toBeDefined();
    expect(delays.map((m) => m.values)).toEqual([
      expect.objectContaining({
        Direction: 'failover',
        [METRIC.detectionDelay.name]: (acceptedAt ?? 0) - (downSince ?? 0),
      }),
    ]);
  });

  it('logs the lines the dashboard lists flips and their reasons by', () => {
    const decisions = logged.filter((line) => DECISION_LOG_MESSAGES.some((m) => m === line.message));
    const attempts = logged.filter((line) => 'direction' in line);

    expect(decisions).toEqual([
      expect.objectContaining({
        message: 'failover decided',
        service: 'api',
        reason: expect.stringMatching(/primary down/),
      }),
    ]);
    expect(attempts).toEqual([
      expect.objectContaining({
        message: 'flip recorded',
        service: 'api',
        direction: 'failover',
        requestedBy: 'watchdog',
      }),
      expect.objectContaining({
        message: 'failback failed',
        detail: expect.stringMatching(/^Could not fail back api: .*ServiceUnavailable/),
        direction: 'failback',
        requestedBy: 'alice',
      }),
    ]);
  });
});
