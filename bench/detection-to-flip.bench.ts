/**
 * Detection to DNS answer, part by part, on the local stack with the real watchdog, failover and
 * failback handlers: 1 s rounds, failureThreshold 2, a 500 ms check timeout, records with TTL 30 s.
 * A primary starts failing at a random moment of its round — half answer 503 at once, half hang
 * until the probe times out — and the clock runs from that moment to the watchdog's decision (its
 * invoke of the failover function), to Route 53 accepting the change, to GetChange saying INSYNC,
 * and to the authoritative DNS answer naming the standby. The design's bound for detection is
 * failureThreshold x probeIntervalSeconds + timeout = 2.5 s; the rest comes on top.
 *
 * Two runs, each labelled:
 *  1. instant propagation (local only: no deployment sees it): 20 failovers, 5 rounds of 4 services,
 *     an operator failing each back by hand between rounds;
 *  2. the local Route 53's realistic propagation model (median 30 s, 90% within 60 s; see
 *     local/route53/README.md), seeded: 4 failovers in one round of the same 4 services. One round
 *     only, and DNS polled every 20 ms rather than 5 ms, to keep the whole bench within a few minutes
 *     on 2 cores: a round waits for its slowest change. While the failover function waits up to 30 s
 *     for INSYNC under reserved concurrency 1, simultaneous failovers queue behind each other, and
 *     an event that outlives its 120 s event age is dropped until a later watchdog run decides again:
 *     that shows in the "flip" part.
 */
import { Resolver } from 'node:dns/promises';
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { Propagation } from '../local/route53/index.ts';
import { stateStoreFromEnv } from '../shared/aws/state-store.ts';
import type { FlipResponse } from '../shared/controller/flip.ts';
import { runtime } from '../shared/controller/runtime.ts';
import type { StateStore } from '../shared/domain/ports.ts';
import { seededRandom } from '../test/chaos/soak/random.ts';
import { contextFor, type Harness, startHarness } from '../test/e2e/harness.ts';
import { type FlipSample, reportParts } from './support/flip-timings.ts';
import { muteHandlerOutput } from './support/local-fleet.ts';

const SERVICES = ['d0', 'd1', 'd2', 'd3'] as const;
const RUN_ROUNDS = 7;
const BOUND_MS = 2 * 1000 + 500;
const TTL_SECONDS = 30;

interface RunPlan {
  readonly label: string;
  readonly propagation: Propagation;
  readonly rounds: number;
  readonly services: readonly string[];
  readonly dnsPollMs: number;
  /** How long one failover may take before the bench gives up on it. */
  readonly timeoutMs: number;
}

type Handler<T> = (event: unknown, context: unknown) => Promise<T>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it holds (DNS is cheap to ask often; the state table is not). */
async function until(what: string, check: () => Promise<boolean>, everyMs: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Bench {
  readonly h: Harness;
  readonly store: StateStore;
  readonly route53: Route53Client;
  readonly watchdog: Handler<unknown>;
  readonly failback: Handler<FlipResponse>;
  answer(service: string): Promise<string | undefined>;
  between(min: number, max: number): number;
}

export default async function benchDetectionToFlip(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const random = seededRandom(2026);
  const draws = seededRandom(53);
  const h: Harness = await startHarness(SERVICES.map((name) => ({ name, failback: 'manual' as const })));
  const unmute = muteHandlerOutput();
  const dns = new Resolver();
  dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
  const route53 = new Route53Client({ region: 'us-east-1' });
  const plans: readonly RunPlan[] = [
    {
      label: 'local, instant propagation (no deployment sees this)',
      propagation: { kind: 'instant' },
      rounds: 5,
      services: SERVICES,
      dnsPollMs: 5,
      timeoutMs: 20_000,
    },
    {
      label: 'local, realistic Route 53 propagation model (an estimate of AWS, not a measurement of it)',
      propagation: { kind: 'realistic', random: () => draws.next() },
      rounds: 1,
      services: SERVICES,
      dnsPollMs: 20,
      timeoutMs: 330_000,
    },
  ];
  const results: { plan: RunPlan; samples: FlipSample[]; seconds: number }[] = [];
  try {
    // The real handlers, with runtimes of their own: another benchmark in this process may have
    // built (and cached) the default ones against a local stack that is gone.
    const { watchdogHandler } = await import('../functions/watchdog.ts');
    const { flipHandler } = await import('../functions/flip-handler.ts');
    const bench: Bench = {
      h,
      store: stateStoreFromEnv(),
      route53,
      watchdog: watchdogHandler(() => runtime('watchdog-detection-bench')) as unknown as Handler<unknown>,
      failback: flipHandler('failback', () =>
        runtime('failback-detection-bench'),
      ) as unknown as Handler<FlipResponse>,
      answer: async (service) => (await dns.resolveCname(`${service}.example.test`))[0],
      between: (min, max) => random.between(min, max),
    };
    for (const [index, plan] of plans.entries()) {
      const started = Date.now();
      h.stack.route53.setPropagation(plan.propagation);
      const samples: FlipSample[] = [];
      for (let round = 0; round < plan.rounds; round++) {
        samples.push(...(await failoverRound(bench, plan)));
        // Traffic back on every primary before the next round; after the very last, no need.
        if (index < plans.length - 1 || round < plan.rounds - 1) await failBack(bench, plan);
      }
      results.push({ plan, samples, seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    unmute();
    route53.destroy();
    await h.close();
  }

  for (const { plan, samples, seconds } of results) {
    console.log(
      `${plan.label}: ${samples.length} failovers at 1 s rounds, failureThreshold 2, timeout 500 ms, TTL ${TTL_SECONDS} s (run took ${seconds.toFixed(0)} s)`,
    );
    for (const line of reportParts(samples, { ttlSeconds: TTL_SECONDS, boundMs: BOUND_MS }))
      console.log(line);
  }
}

/**
 * Every service of the plan has its primary fail once; a sample each. Watchdog runs follow each
 * other as the schedule would play them (back to back here, each 7 rounds of 1 s), so a failover
 * event that is dropped (see the top) is decided again by the next run, as on AWS.
 */
async function failoverRound(bench: Bench, plan: RunPlan): Promise<FlipSample[]> {
  const { h } = bench;
  let measuring = true;
  const schedule = (async () => {
    do await bench.watchdog({ time: new Date().toISOString() }, contextFor(RUN_ROUNDS));
    while (measuring);
  })();
  // Fail only a primary that is UP with a full healthy streak, as in a steady state.
  await until(
    'healthy primaries',
    async () => {
      const states = await Promise.all(plan.services.map((name) => bench.store.load(name)));
      return states.every(
        (s) =>
          s?.value.active === 'primary' &&
          s.value.moving === null &&
          s.value.claim === null &&
          s.value.targets.primary?.status === 'up' &&
          s.value.targets.primary.okStreak >= 2,
      );
    },
    100,
    20_000,
  );
  const samples = await Promise.all(
    plan.services.map(async (name, index) => {
      await sleep(bench.between(0, 1000));
      return measureFailover(bench, plan, name, index % 2 === 0 ? '503' : 'hang');
    }),
  );
  measuring = false;
  await schedule;
  await h.stack.lambda.idle();
  return samples;
}

async function measureFailover(
  bench: Bench,
  plan: RunPlan,
  name: string,
  kind: FlipSample['kind'],
): Promise<FlipSample> {
  const { h } = bench;
  const failedAt = Date.now();
  h.backends.get(name)?.primary.setMode(kind === '503' ? { kind: 'failing' } : { kind: 'slow', ms: 60_000 });
  const ours = (applied: { at: number; changes: unknown[] }) =>
    applied.at >= failedAt && JSON.stringify(applied.changes).includes(`${name}.example.test`);
  // GetChange is polled as a client would poll it, beside the DNS answer.
  const inSync = (async () => {
    await until(`the change of ${name}`, async () => h.stack.route53.changes.some(ours), 5, plan.timeoutMs);
    const id = h.stack.route53.changes.find(ours)?.id;
    await until(
      `INSYNC of ${name}`,
      async () =>
        (await bench.route53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status === 'INSYNC',
      plan.dnsPollMs,
      plan.timeoutMs,
    );
    return Date.now();
  })();
  inSync.catch(() => undefined); // its failure is reported where it is awaited, below
  await until(
    `DNS to move for ${name}`,
    async () => (await bench.answer(name)) === h.secondaryTarget(name),
    plan.dnsPollMs,
    plan.timeoutMs,
  );
  const dnsAt = Date.now();
  const inSyncAt = await inSync;
  return {
    kind,
    failedAt,
    decidedAt: decisionOf(bench, name, failedAt),
    acceptedAt: h.stack.route53.changes.find(ours)?.at ?? Number.NaN,
    inSyncAt,
    dnsAt,
  };
}

/**
 * When the watchdog first invoked the failover function for `service` since `since`: the earliest
 * moment the Lambda stand-in saw one of its events — a run, or a throttle of an event that waited
 * for the function's one slot (and may have been dropped, too old, before it ever ran).
 */
function decisionOf(bench: Bench, service: string, since: number): number {
  const { lambda } = bench.h.stack;
  // One request, or the watchdog's batch of one zone's moves (`{ moves: [...] }`, issue #10).
  const carries = (payload: unknown): boolean => {
    if (typeof payload !== 'object' || payload === null) return false;
    const moves: unknown = Reflect.get(payload, 'moves');
    if (Array.isArray(moves)) return moves.some(carries);
    return Reflect.get(payload, 'service') === service;
  };
  const forService = (functionName: string, payload: unknown) =>
    functionName.endsWith('failover') && carries(payload);
  const runs = lambda.invocations.filter(
    (call) => call.at >= since && forService(call.functionName, call.payload),
  );
  const ids = new Set([
    ...runs.map((call) => call.requestId),
    ...lambda.destinations
      .filter((drop) => forService(drop.functionName, drop.record.requestPayload))
      .map((drop) => drop.record.requestContext.requestId),
  ]);
  const moments = [
    ...runs.map((call) => call.at),
    ...lambda.throttles.filter((t) => t.at >= since && ids.has(t.requestId)).map((t) => t.at),
  ];
  return moments.length > 0 ? Math.min(...moments) : Number.NaN;
}
/** The operator fails every service back once its primary is healthy again, and waits for DNS. */
async function failBack(bench: Bench, plan: RunPlan): Promise<void> {
  const { h } = bench;
  for (const name of plan.services) h.backends.get(name)?.primary.setMode({ kind: 'healthy' });
  for (const name of plan.services) {
    const outcome = await bench.failback(
      { service: name, requestedBy: 'bench', reason: 'reset between measurements' },
      { functionName: 'failback', getRemainingTimeInMillis: () => 60_000 },
    );
    if (outcome.outcome !== 'failed-back') throw new Error(`failback of ${name}: ${outcome.message}`);
  }
  await until(
    'DNS back on the primaries',
    async () =>
      (
        await Promise.all(
          plan.services.map(async (name) => (await bench.answer(name)) === h.primaryTarget(name)),
        )
      ).every(Boolean),
    plan.dnsPollMs,
    plan.timeoutMs,
  );
}
