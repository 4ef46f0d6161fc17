/**
 * Overlapping scheduled watchdog runs hand over through the run marker (issue #20): the real use
 * case and the real DynamoDB stores on dynalite, two or three scheduled runs on virtual time with
 * the Lambda timeout serverless.yml deploys, a scripted prober that records when each service was probed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PROJECT_ROOT,
  readServerlessYml,
  settingsFromServerlessYml,
} from '../../../local/lambda/settings.ts';
import { createHandoverStore } from '../../../shared/aws/handover-store.ts';
import { createStateStore } from '../../../shared/aws/state-store.ts';
import { parseConfig } from '../../../shared/config/index.ts';
import { runWatchdog, type WatchdogDeps, type WatchdogReport } from '../../../shared/controller/watchdog.ts';
import type { ControllerConfig, ServiceConfig } from '../../../shared/domain/config.ts';
import type { FlipInvocation, HandoverStore, Invoker } from '../../../shared/domain/ports.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo.ts';
import { type EventClock, eventClock } from '../../support/event-clock.ts';
import { MemoryTraffic, RecordingNotifier, ScriptedProber } from '../../support/in-memory-ports.ts';
import { playVirtualSchedule } from '../../support/virtual-schedule.ts';

const T = Date.UTC(2026, 10, 26, 12, 0, 0);
const PERIOD_MS = 60_000;
const INTERVAL_MS = 1_000;
const FAILURE_THRESHOLD = 2;
const CHECK_TIMEOUT_MS = 500;
/** The bound the README, the soak and the bench state: failureThreshold x interval + timeout. */
const BOUND_MS = FAILURE_THRESHOLD * INTERVAL_MS + CHECK_TIMEOUT_MS;
/** The watchdog's Lambda timeout as deployed: the overlap comes from it. */
const TIMEOUT_MS =
  (settingsFromServerlessYml(readServerlessYml(join(PROJECT_ROOT, 'serverless.yml')), 'local').get('watchdog')
    ?.timeoutSeconds ?? 0) * 1000;

const config = (extra = ''): ControllerConfig =>
  parseConfig(
    `
defaults: { probeIntervalSeconds: ${INTERVAL_MS / 1000}, failureThreshold: ${FAILURE_THRESHOLD}, recoveryThreshold: 2 }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health", timeoutMs: ${CHECK_TIMEOUT_MS} } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health", timeoutMs: ${CHECK_TIMEOUT_MS} } }] }
${extra}`,
    'test.yml',
    {},
  );

/** A second service on its own, longer interval: the handover keeps each service's own cadence. */
const SLOW = `
  - name: slow
    probeIntervalSeconds: 7
    hostedZoneId: Z123
    recordName: slow.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p2.example.com/health", timeoutMs: ${CHECK_TIMEOUT_MS} } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s2.example.com/health", timeoutMs: ${CHECK_TIMEOUT_MS} } }] }
`;

/** Answers from the virtual time: `api`'s primary fails from `failAt` on; records every probe. */
class TimedProber extends ScriptedProber {
  readonly probed: { service: string; at: number }[] = [];
  failAt = Number.POSITIVE_INFINITY;
  readonly clock: EventClock;
  constructor(clock: EventClock) {
    super();
    this.clock = clock;
  }
  override async probeServices(services: readonly ServiceConfig[]) {
    const at = this.clock.now();
    for (const s of services) this.probed.push({ service: s.name, at });
    this.set('api', 'primary', at < this.failAt);
    return super.probeServices(services);
  }
  /** The gaps between consecutive probes of `service`. */
  gaps(service: string): number[] {
    const times = this.probed.filter((p) => p.service === service).map((p) => p.at);
    return times.slice(1).map((at, i) => at - (times[i] ?? at));
  }
}

class TimedInvoker implements Invoker {
  readonly calls: { fn: string; at: number; payload: FlipInvocation }[] = [];
  readonly clock: EventClock;
  constructor(clock: EventClock) {
    this.clock = clock;
  }
  async invoke(fn: 'failover' | 'failback', payload: FlipInvocation) {
    this.calls.push({ fn, at: this.clock.now(), payload });
  }
}

describe('overlapping scheduled watchdog runs', () => {
  let local: TestDynamo;
  let table: string;
  let clock: EventClock;
  let prober: TimedProber;
  let invoker: TimedInvoker;

  beforeAll(async () => {
    local = await startTestDynamo();
  });
  afterAll(async () => {
    await local.close();
  });
  beforeEach(async () => {
    table = await local.newTable('handover');
    clock = eventClock(T);
    prober = new TimedProber(clock);
    invoker = new TimedInvoker(clock);
  });

  const deps = (cfg: ControllerConfig, handover?: HandoverStore): WatchdogDeps => ({
    services: cfg.services,
    store: createStateStore({ client: local.client, table, clock }),
    handover: handover ?? createHandoverStore({ client: local.client, table, clock }),
    traffic: new MemoryTraffic(cfg.services),
    prober,
    invoker,
    notifier: new RecordingNotifier(),
    clock,
    log: silentLogger,
    metrics: noMetrics,
  });

  /** One run started at `startAt` for the event scheduled at `scheduledAt`. */
  const runAt = (startAt: number, scheduledAt: number, d: WatchdogDeps): Promise<WatchdogReport> =>
    clock.spawn(async () => {
      await clock.sleep(startAt - clock.now());
      const deadline = clock.now() + TIMEOUT_MS;
      const event = { time: new Date(scheduledAt).toISOString(), periodSeconds: PERIOD_MS / 1000 };
      return runWatchdog(d, event, { remainingMs: () => deadline - clock.now() });
    });

  it('detects a failure at second 55 of a run within the bound plus one interval, across the handover', async () => {
    const cfg = config();
    // The second run starts later after its time than the first (scheduler delay, a cold start).
    const delays = [2_000, 3_500];
    prober.failAt = T + (delays[0] ?? 0) + 55_000;

    const reports = await playVirtualSchedule({
      clock,
      firstScheduledAt: T,
      periodMs: PERIOD_MS,
      timeoutMs: TIMEOUT_MS,
      runs: 2,
      delayMs: (index) => delays[index] ?? 0,
      run: (event, budget) => runWatchdog(deps(cfg), event, budget),
    });

    const failover = invoker.calls.find((c) => c.fn === 'failover');
    expect(failover).toBeDefined();
    expect((failover?.at ?? Number.POSITIVE_INFINITY) - prober.failAt).toBeLessThanOrEqual(
      BOUND_MS + INTERVAL_MS,
    );
    expect(reports.map((r) => r.handedOver)).toEqual([true, false]);
  });

  it('never probes a service twice within its interval, and leaves no gap, across two handovers', async () => {
    const cfg = config(SLOW);

    const reports = await playVirtualSchedule({
      clock,
      firstScheduledAt: T,
      periodMs: PERIOD_MS,
      timeoutMs: TIMEOUT_MS,
      runs: 3,
      delayMs: (index) => [1_000, 4_000, 2_500][index] ?? 0,
      run: (event, budget) => runWatchdog(deps(cfg), event, budget),
    });

    expect(reports.map((r) => r.handedOver)).toEqual([true, true, false]);
    expect(reports.every((r) => r.rounds > 0)).toBe(true);
    for (const [service, interval] of [
      ['api', INTERVAL_MS],
      ['slow', 7_000],
    ] as const) {
      const gaps = prober.gaps(service);
      expect(gaps.length).toBeGreaterThan(2 * (PERIOD_MS / interval) - 2);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval);
      // Each round starts exactly when due on virtual time: the handovers leave no gap either.
      expect(Math.max(...gaps)).toBe(interval);
    }
  });

  it('lets no late or duplicate event take over from a newer run: they probe nothing', async () => {
    const cfg = config();
    const newer = runAt(T + 61_000, T + PERIOD_MS, deps(cfg));
    const duplicate = runAt(T + 70_000, T + PERIOD_MS, deps(cfg));
    const older = runAt(T + 75_000, T, deps(cfg));

    const [kept, again, late] = await Promise.all([newer, duplicate, older]);

    expect(again).toMatchObject({ dropped: true, rounds: 0 });
    expect(late).toMatchObject({ dropped: true, rounds: 0 });
    expect(kept).toMatchObject({ dropped: false, handedOver: false });
    expect(prober.probes).toBe(kept.rounds);
    expect(Math.min(...prober.gaps('api'))).toBeGreaterThanOrEqual(INTERVAL_MS);
  });

  it('keeps probing as before the handover when the marker cannot be written', async () => {
    const cfg = config();
    const missing = createHandoverStore({ client: local.client, table: 'no-such-table', clock });

    const [first, second] = await playVirtualSchedule({
      clock,
      firstScheduledAt: T,
      periodMs: PERIOD_MS,
      timeoutMs: TIMEOUT_MS,
      runs: 2,
      delayMs: () => 1_000,
      run: (event, budget) => runWatchdog(deps(cfg, missing), event, budget),
    });

    // As before: rounds every interval until less than one round's cost (0.5 s + 5 s) is left of
    // the run's period, not of its longer Lambda time, so unfenced runs do not probe side by side.
    expect(first).toMatchObject({ dropped: false, handedOver: false, rounds: 55 });
    expect(second).toMatchObject({ dropped: false, handedOver: false, rounds: 55 });
    expect(Math.min(...prober.gaps('api'))).toBeGreaterThanOrEqual(INTERVAL_MS);
  });
});
