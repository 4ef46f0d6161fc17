/**
 * The worst detection delay over a failure placed at every 2 s of the minute (issue #20: the blind
 * window at the turn of the minute). The real watchdog handler and the real DynamoDB stores
 * (dynalite); EventBridge's schedule and the Lambda timeout on virtual time (test/support/event-clock.ts),
 * so a minute costs well under a second; the primary answers 503 from the moment it fails. Three
 * scheduled runs a minute apart, starting 1.5 s, 3.5 s and 2 s after their time (scheduler delay and
 * cold start); each placement on a fresh table.
 *
 * Two ways of running, each against the bound the README, the soak and the bench state
 * (failureThreshold x probeIntervalSeconds + the check timeout):
 *  - before: a 60 s timeout, each run alone (the event names no period): rounds stop when less than
 *    one round's cost is left, and the next run starts at the next minute plus its delay;
 *  - now: serverless.yml's timeout, runs overlap and hand over through the run marker.
 */
import { join } from 'node:path';
import { PROJECT_ROOT, readServerlessYml, settingsFromServerlessYml } from '../local/lambda/settings.ts';
import { createHandoverStore } from '../shared/aws/handover-store.ts';
import { createStateStore } from '../shared/aws/state-store.ts';
import { createVoteStore } from '../shared/aws/vote-store.ts';
import { parseConfig } from '../shared/config/index.ts';
import type { Runtime } from '../shared/controller/runtime.ts';
import type { WatchdogReport } from '../shared/controller/watchdog.ts';
import type { ServiceConfig } from '../shared/domain/config.ts';
import type { FlipInvocation, Invoker } from '../shared/domain/ports.ts';
import { silentLogger } from '../shared/telemetry/log.ts';
import { noMetrics } from '../shared/telemetry/metrics.ts';
import { startTestDynamo, type TestDynamo } from '../test/support/dynamo.ts';
import { type EventClock, eventClock } from '../test/support/event-clock.ts';
import { MemoryTraffic, RecordingNotifier, ScriptedProber } from '../test/support/in-memory-ports.ts';
import { playVirtualSchedule } from '../test/support/virtual-schedule.ts';

const T = Date.UTC(2026, 10, 26, 12, 0, 0);
const PERIOD_MS = 60_000;
const DELAYS_MS = [1_500, 3_500, 2_000];
/** Failures from second 30 of the first minute to second 28 of the second: the turn of the minute and a whole period. */
const PLACEMENTS_MS = Array.from({ length: 30 }, (_, i) => 30_000 + i * 2_000);

interface Policy {
  readonly label: string;
  readonly intervalS: number;
  readonly threshold: number;
  readonly timeoutMs: number;
}

const POLICIES: readonly Policy[] = [
  {
    label: 'example config: 10 s rounds, threshold 3, 3 s timeout',
    intervalS: 10,
    threshold: 3,
    timeoutMs: 3_000,
  },
  {
    label: 'fast: 1 s rounds, threshold 2, 0.5 s timeout (the other benches)',
    intervalS: 1,
    threshold: 2,
    timeoutMs: 500,
  },
];

type Handler = (event: unknown, context: unknown) => Promise<WatchdogReport>;

class FailingFrom extends ScriptedProber {
  readonly clock: EventClock;
  readonly failAt: number;
  constructor(clock: EventClock, failAt: number) {
    super();
    this.clock = clock;
    this.failAt = failAt;
  }
  override async probeServices(services: readonly ServiceConfig[]) {
    this.set('api', 'primary', this.clock.now() < this.failAt);
    return super.probeServices(services);
  }
}

export default async function benchBlindWindow(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const yml = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'));
  const timeoutS = settingsFromServerlessYml(yml, 'local').get('watchdog')?.timeoutSeconds;
  if (timeoutS === undefined) throw new Error('serverless.yml has no watchdog timeout');
  const local = await startTestDynamo();
  const { watchdogHandler } = await import('../functions/watchdog.ts');
  try {
    for (const policy of POLICIES) {
      const bound = policy.threshold * policy.intervalS * 1000 + policy.timeoutMs;
      console.log(`${policy.label}; bound ${(bound / 1000).toFixed(1)} s`);
      for (const mode of ['before', 'now'] as const) {
        const started = Date.now();
        const delays: number[] = [];
        for (const offset of PLACEMENTS_MS) {
          delays.push(await detectionDelay(local, watchdogHandler, policy, mode, timeoutS, T + offset));
        }
        const worst = Math.max(...delays);
        const within = delays.filter((d) => d <= bound).length;
        const label =
          mode === 'before'
            ? 'before (60 s timeout, runs alone)   '
            : `now (${timeoutS} s timeout, hand over)`;
        console.log(
          `  ${label}: worst detection ${(worst / 1000).toFixed(1)} s (bound ${(bound / 1000).toFixed(1)} s), ` +
            `${within}/${delays.length} within; ${PLACEMENTS_MS.length} placements in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    await local.close();
  }
}

/** From the primary failing at `failAt` to the watchdog invoking the failover, in virtual ms. */
async function detectionDelay(
  local: TestDynamo,
  watchdogHandler: (getRuntime: () => Runtime) => unknown,
  policy: Policy,
  mode: 'before' | 'now',
  timeoutS: number,
  failAt: number,
): Promise<number> {
  const table = await local.newTable('blind');
  const clock = eventClock(T);
  const config = parseConfig(
    `
defaults: { probeIntervalSeconds: ${policy.intervalS}, failureThreshold: ${policy.threshold}, recoveryThreshold: 2 }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health", timeoutMs: ${policy.timeoutMs} } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health", timeoutMs: ${policy.timeoutMs} } }] }
`,
    'bench.yml',
    {},
  );
  const invoked: number[] = [];
  const invoker: Invoker = {
    invoke: async (_fn: string, _payload: FlipInvocation | { moves: readonly FlipInvocation[] }) => {
      invoked.push(clock.now());
    },
  };
  const rt: Runtime = {
    config,
    store: createStateStore({ client: local.client, table, clock }),
    handover: createHandoverStore({ client: local.client, table, clock }),
    votes: createVoteStore({ client: local.client, table }),
    vantage: 'default',
    traffic: new MemoryTraffic(config.services),
    // No service here has `dataPlane`: nothing is ever published.
    trafficSignal: { publish: async () => undefined },
    prober: new FailingFrom(clock, failAt),
    notifier: new RecordingNotifier(),
    clock,
    log: silentLogger,
    metrics: noMetrics,
    stage: 'bench',
    invoker: () => invoker,
  };
  const handler = watchdogHandler(() => rt) as Handler;
  await playVirtualSchedule({
    clock,
    firstScheduledAt: T,
    periodMs: PERIOD_MS,
    timeoutMs: (mode === 'before' ? 60 : timeoutS) * 1000,
    runs: DELAYS_MS.length,
    delayMs: (index) => DELAYS_MS[index] ?? 0,
    run: (event, budget) =>
      handler(mode === 'before' ? { time: event.time } : event, {
        functionName: 'watchdog',
        getRemainingTimeInMillis: () => budget.remainingMs(),
      }),
  });
  const first = invoked[0];
  if (first === undefined)
    throw new Error(`no failover decided for a failure at ${new Date(failAt).toISOString()}`);
  return first - failAt;
}
