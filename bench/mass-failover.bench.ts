/**
 * Mass failover on the local stack (issue #10 item 5): 50 services in 3 hosted zones, every
 * primary broken at one instant, the real watchdog deciding and the real failover function
 * flipping through the Lambda stand-in with the deployed settings (reserved concurrency, retries,
 * event age) at real time (timeScale 1: this is a measurement). Route 53 changes turn INSYNC after
 * 5 s, and the stand-in's DNS answers only what is INSYNC, as the authoritative servers do.
 *
 * The watchdog runs as one long scheduled run with 1 s rounds (`probeIntervalSeconds: 1`,
 * `failureThreshold: 2`, checks `timeoutMs: 500`, as the detection bench): a run per minute with
 * 10 s rounds would make each of the 5 runs last minutes. The bound the issue sets,
 * failureThreshold x probeIntervalSeconds + timeout + 3 s, is then 5.5 s; it counts from the break.
 *
 * Per service the clock runs from the break to the Route 53 change that moves it being applied,
 * and to the stand-in's DNS (queried with Node's resolver) first answering the standby. A run
 * ends when every service answers the standby or after WINDOW_MS.
 *
 * The 1,000 services in 10 zones lines drive the failover function's use case directly (no
 * watchdog, no Lambda queue, no DNS wait: INSYNC at once), one invocation after another as a
 * reserved concurrency of 1 runs them — one service per invocation, then one zone's moves per
 * invocation — and count the Route 53 calls.
 */
import { Resolver } from 'node:dns/promises';
import { flipHandler } from '../functions/flip-handler.ts';
import { watchdogHandler } from '../functions/watchdog.ts';
import type { LocalHandler } from '../local/lambda/index.ts';
import { FLIP_FUNCTIONS } from '../local/stack.ts';
import { stateStoreFromEnv } from '../shared/aws/state-store.ts';
import { runFlip } from '../shared/controller/flip.ts';
import { isFlipBatch, runFlipBatch } from '../shared/controller/flip-batch.ts';
import { runtime } from '../shared/controller/runtime.ts';
import { initialState } from '../shared/domain/initial-state.ts';
import { type Fleet, muteHandlerOutput, startFleet } from './support/local-fleet.ts';

const SERVICES = 50;
const ZONES = 3;
const RUNS = 5;
const IN_SYNC_DELAY_MS = 5_000;
const FAILURE_THRESHOLD = 2;
const PROBE_INTERVAL_S = 1;
const TIMEOUT_MS = 500;
const BOUND_MS = FAILURE_THRESHOLD * PROBE_INTERVAL_S * 1000 + TIMEOUT_MS + 3_000;
/** A run stops waiting for the DNS after this long (the serialized engine needs minutes). */
const WINDOW_MS = 30_000;
const LARGE = { services: 1_000, zones: 10 } as const;

type Handler<T> = (event: unknown, context: unknown) => Promise<T>;

interface RunResult {
  /** Per service: ms from the break to its change applied / its DNS answer moving (NaN: not within the window). */
  readonly changedMs: readonly number[];
  readonly dnsMs: readonly number[];
  readonly changeCalls: number;
  readonly changeCallsPerZone: readonly number[];
  readonly flipInvocations: number;
  readonly throttled: number;
  readonly dropped: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : `>${WINDOW_MS / 1000}`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** The worst value, or NaN when any is missing (a service that never moved within the window). */
function worst(values: readonly number[]): number {
  return values.some((v) => !Number.isFinite(v)) ? Number.NaN : Math.max(...values);
}

/** A Lambda context whose remaining time the bench ends by hand (`stop`). */
function openEndedContext(): {
  context: { getRemainingTimeInMillis(): number; functionName: string };
  stop(): void;
} {
  let deadline = Date.now() + 15 * 60_000;
  return {
    context: { functionName: 'watchdog', getRemainingTimeInMillis: () => deadline - Date.now() },
    stop: () => {
      deadline = Date.now();
    },
  };
}

async function measureRun(run: number): Promise<RunResult> {
  const fleet: Fleet = await startFleet({
    services: SERVICES,
    zones: ZONES,
    probeIntervalSeconds: PROBE_INTERVAL_S,
    timeoutMs: TIMEOUT_MS,
    inSyncDelayMs: IN_SYNC_DELAY_MS,
    flipRetries: 'deployed',
  });
  try {
    // Handlers with runtimes of their own: another benchmark in this process may have built (and
    // cached) the default ones against a stack that is gone. Registering keeps the deployed settings.
    fleet.stack.lambda.register(FLIP_FUNCTIONS.failover, {
      handler: flipHandler('failover', () => runtime(`failover-mass-${run}`)) as unknown as LocalHandler,
    });
    const watchdog = watchdogHandler(() => runtime(`watchdog-mass-${run}`)) as unknown as Handler<unknown>;
    const store = stateStoreFromEnv();
    const dns = new Resolver({ timeout: 500, tries: 1 });
    dns.setServers([`127.0.0.1:${fleet.stack.route53.dnsPort}`]);

    const { context, stop } = openEndedContext();
    const watching = watchdog({ time: new Date().toISOString() }, context);
    // Break only once every primary is UP with a healthy streak, as in a steady state.
    for (;;) {
      const states = await store.loadAll(fleet.names);
      const ready = fleet.names.every((name) => {
        const s = states.get(name)?.value;
        return s?.active === 'primary' && s.moving === null && (s.targets.primary?.okStreak ?? 0) >= 2;
      });
      if (ready) break;
      await sleep(250);
    }

    const brokeAt = Date.now();
    const setupChanges = fleet.stack.route53.changes.length;
    const setupCalls = fleet.stack.route53.calls.length;
    const setupInvocations = fleet.stack.lambda.invocations.length;
    const setupThrottles = fleet.stack.lambda.throttles.length;
    fleet.failPrimaries(true);

    const changedAt = new Map<string, number>();
    const movedAt = new Map<string, number>();
    while (movedAt.size < fleet.names.length && Date.now() - brokeAt < WINDOW_MS) {
      for (const applied of fleet.stack.route53.changes.slice(setupChanges)) {
        const text = JSON.stringify(applied.changes);
        for (const name of fleet.names) {
          if (!changedAt.has(name) && text.includes(`"${fleet.recordName(name)}"`))
            changedAt.set(name, applied.at);
        }
      }
      // The DNS can only move after a change: ask only for services whose change was applied.
      const waiting = fleet.names.filter((name) => changedAt.has(name) && !movedAt.has(name));
      await Promise.all(
        waiting.map(async (name) => {
          const [answer] = await dns.resolveCname(fleet.recordName(name)).catch(() => []);
          if (answer === fleet.targetHost(name, 'secondary')) movedAt.set(name, Date.now());
        }),
      );
      await sleep(50);
    }
    stop();
    await watching;

    const changeCalls = fleet.stack.route53.calls
      .slice(setupCalls)
      .filter((c) => c.operation === 'ChangeResourceRecordSets');
    const perZone = fleet.zoneIds.map(
      (zoneId) => fleet.stack.route53.changes.slice(setupChanges).filter((c) => c.zoneId === zoneId).length,
    );
    const since = (at: number | undefined) => (at === undefined ? Number.NaN : at - brokeAt);
    return {
      changedMs: fleet.names.map((name) => since(changedAt.get(name))),
      dnsMs: fleet.names.map((name) => since(movedAt.get(name))),
      changeCalls: changeCalls.length,
      changeCallsPerZone: perZone,
      flipInvocations: fleet.stack.lambda.invocations
        .slice(setupInvocations)
        .filter((i) => i.functionName === FLIP_FUNCTIONS.failover).length,
      throttled: fleet.stack.lambda.throttles.slice(setupThrottles).length,
      dropped: fleet.stack.lambda.destinations.length,
    };
  } finally {
    await fleet.close();
  }
}

interface LargeResult {
  readonly ms: number;
  readonly moved: number;
  readonly changeCalls: number;
  readonly calls: number;
}

/**
 * 1,000 services in 10 zones through the failover function's use case, called directly (no Lambda
 * queue, INSYNC at once, no DNS wait), as a reserved concurrency of 1 runs it: one invocation after
 * another. `perService`: one request per service (the operator's shape, and the watchdog's before
 * issue #10). `perZone`: the watchdog's batch, `{ moves }` of one zone per invocation, on states
 * written as the watchdog's decision leaves them (moving to the secondary on epoch 0).
 */
async function measureLarge(shape: 'perService' | 'perZone'): Promise<LargeResult> {
  const fleet = await startFleet({ ...LARGE, probeIntervalSeconds: PROBE_INTERVAL_S, timeoutMs: TIMEOUT_MS });
  try {
    const rt = runtime(`failover-mass-large-${shape}`);
    const deps = { ...rt, services: rt.config.services, inSyncWaitMs: 0 };
    const invocations: unknown[] = [];
    if (shape === 'perService') {
      for (const service of fleet.names)
        invocations.push({ service, reason: 'mass failover benchmark', requestedBy: 'bench' });
    } else {
      const decidedAt = Date.now();
      for (const service of fleet.names) {
        const saved = await rt.store.save(
          { ...initialState(service, 'primary'), moving: { to: 'secondary', since: decidedAt } },
          null,
        );
        if (!saved.ok) throw new Error(`could not write the decided state of ${service}`);
      }
      for (const zone of fleet.zoneIds.keys()) {
        const moves = fleet.names
          .filter((service) => fleet.zoneIndexOf(service) === zone)
          .map((service) => ({ service, to: 'secondary', epoch: 0, reason: 'mass failover benchmark' }));
        invocations.push({ moves });
      }
    }
    const before = fleet.stack.route53.calls.length;
    const started = Date.now();
    let moved = 0;
    for (const payload of invocations) {
      const out = isFlipBatch(payload)
        ? (await runFlipBatch(deps, 'failover', payload)).outcomes
        : [await runFlip(deps, 'failover', payload)];
      moved += out.filter((o) => o.outcome === 'failed-over').length;
    }
    const ms = Date.now() - started;
    const calls = fleet.stack.route53.calls.slice(before);
    return {
      ms,
      moved,
      changeCalls: calls.filter((c) => c.operation === 'ChangeResourceRecordSets').length,
      calls: calls.length,
    };
  } finally {
    await fleet.close();
  }
}

export default async function benchMassFailover(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const unmute = muteHandlerOutput();
  const results: RunResult[] = [];
  const large: Partial<Record<'perService' | 'perZone', LargeResult>> = {};
  try {
    for (let run = 0; run < RUNS; run++) results.push(await measureRun(run));
    large.perService = await measureLarge('perService');
    large.perZone = await measureLarge('perZone');
  } finally {
    unmute();
  }

  console.log(
    `${SERVICES} services in ${ZONES} zones, all primaries broken at once; ${PROBE_INTERVAL_S} s rounds, ` +
      `failureThreshold ${FAILURE_THRESHOLD}, timeout ${TIMEOUT_MS} ms; Lambda as deployed at real time; ` +
      `changes INSYNC after ${IN_SYNC_DELAY_MS / 1000} s; a run waits at most ${WINDOW_MS / 1000} s`,
  );
  console.log(
    `  bound: failureThreshold x probeIntervalSeconds + timeout + 3 s = ${BOUND_MS / 1000} s ` +
      `(the DNS answer moves ${IN_SYNC_DELAY_MS / 1000} s after the change at the earliest: ` +
      `${(BOUND_MS + IN_SYNC_DELAY_MS) / 1000} s with propagation)`,
  );
  for (const [index, r] of results.entries()) {
    const moved = r.dnsMs.filter(Number.isFinite).length;
    const withinBound = r.changedMs.filter((ms) => ms <= BOUND_MS).length;
    console.log(
      `  run ${index + 1}: DNS moved for ${moved}/${SERVICES} (their median ${seconds(median(r.dnsMs.filter(Number.isFinite)))} s), ` +
        `last ${seconds(worst(r.dnsMs))} s; change applied: median of those applied ${seconds(median(r.changedMs.filter(Number.isFinite)))} s, ` +
        `last ${seconds(worst(r.changedMs))} s, ${withinBound}/${SERVICES} within the bound; ` +
        `${r.changeCalls} change calls (per zone ${r.changeCallsPerZone.join('/')} applied), ` +
        `${r.flipInvocations} failover runs, ${r.throttled} Lambda throttles, ${r.dropped} events dropped`,
    );
  }
  const lasts = results.map((r) => worst(r.dnsMs));
  const finite = lasts.filter(Number.isFinite);
  const medianLast = finite.length === lasts.length ? median(lasts) : Number.NaN;
  const worstLast = worst(lasts);
  console.log(
    `  last service's DNS answer over ${RUNS} runs: median ${seconds(medianLast)} s, worst ${seconds(worstLast)} s`,
  );
  for (const [shape, label] of [
    ['perService', 'one service per invocation'],
    ['perZone', "one zone's moves per invocation"],
  ] as const) {
    const r = large[shape];
    if (r === undefined) continue;
    console.log(
      `  ${LARGE.services} services in ${LARGE.zones} zones, failover use case direct, ${label}, one at a time, ` +
        `no DNS wait: ${r.moved} moved in ${(r.ms / 1000).toFixed(1)} s, ${r.changeCalls} change calls, ` +
        `${r.calls} Route 53 calls in all`,
    );
  }
  const changeCalls = median(results.map((r) => r.changeCalls));
  // The bound counts detection and the change; an authoritative DNS answer cannot move
  // before the change is INSYNC, so the DNS line is held to the bound plus the stand-in's INSYNC
  // delay (the change itself is held to the bound alone, in the run lines above).
  console.log(
    `mass-failover: ${SERVICES} services, ${ZONES} zones: last DNS answer moved after ${seconds(worstLast)} s ` +
      `(bound ${(BOUND_MS + IN_SYNC_DELAY_MS) / 1000} s), ${changeCalls} change calls`,
  );
}
