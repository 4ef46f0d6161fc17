/**
 * What the controller itself costs per round for 100 services:
 *  1. in memory: `decide` + `needsWrite` + the watchdog's bookkeeping (looking up each
 *     observation, sampling health for metrics), no network — steady and eventful fleets;
 *  2. one whole watchdog round on the local stack against local backends: the real prober,
 *     DynamoDB store and Route 53 switch, back to back on a virtual clock (no waiting between
 *     rounds), split into probing and the rest.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { stateStoreFromEnv } from '../shared/aws/state-store.ts';
import { createTrafficSwitch } from '../shared/aws/traffic-switch.ts';
import { loadConfig } from '../shared/config/index.ts';
import { runWatchdog, SAFETY_MARGIN_MS } from '../shared/controller/watchdog.ts';
import { afterFlip } from '../shared/domain/after-flip.ts';
import { decide } from '../shared/domain/decide.ts';
import { isFlipAction } from '../shared/domain/events.ts';
import { initialState } from '../shared/domain/initial-state.ts';
import { needsWrite } from '../shared/domain/persist.ts';
import type { Clock, Prober } from '../shared/domain/ports.ts';
import type { Observation, ServiceState, TargetObservation } from '../shared/domain/state.ts';
import { createProber } from '../shared/probes/index.ts';
import { silentLogger } from '../shared/telemetry/log.ts';
import { noMetrics } from '../shared/telemetry/metrics.ts';
import { startFleet } from './support/local-fleet.ts';
import { BENCH_ORDER, BENCH_POLICY, FAIL, OK } from './support/observations.ts';

const SERVICES = 100;
const MEASURE_MS = 1500;
const STACK_ROUNDS = 20;

const policy = BENCH_POLICY;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Rounds of decide + needsWrite + bookkeeping over 100 services, for MEASURE_MS. */
function measureInMemory(title: string, observe: (i: number, round: number) => TargetObservation[]): void {
  const names = Array.from({ length: SERVICES }, (_, i) => `service-${i}`);
  let states: ServiceState[] = names.map((name) => initialState(name, 'primary'));
  const samples = names.map(() => ({
    primary: [] as number[],
    secondary: [] as number[],
    active: [] as number[],
  }));
  let now = Date.UTC(2026, 0, 1);
  let round = 0;
  let writes = 0;
  const playRound = (): void => {
    const observations = new Map<string, Observation>();
    names.forEach((name, i) => {
      const [primary = OK, secondary = OK] = observe(i, round);
      observations.set(name, { at: now, targets: { primary, secondary } });
    });
    states = states.map((state, i) => {
      const observation = observations.get(names[i] ?? '');
      if (observation === undefined) return state;
      const sample = samples[i];
      if (sample !== undefined) {
        sample.primary.push(observation.targets.primary?.ok ? 1 : 0);
        sample.secondary.push(observation.targets.secondary?.ok ? 1 : 0);
        // The ActiveTarget metric: the active target's index in preference order.
        sample.active.push(BENCH_ORDER.indexOf(state.active));
      }
      const { next, actions } = decide(state, observation, policy, BENCH_ORDER, now);
      if (needsWrite(state, next)) writes++;
      const flip = actions.find(isFlipAction);
      if (flip === undefined) return next;
      return afterFlip(next, flip.to, now, 'automatic', 'primary');
    });
    round++;
    now += policy.probeIntervalSeconds * 1000;
    // A Lambda run holds about six rounds of samples; keep the arrays at that size.
    if (round % 6 === 0)
      for (const sample of samples) for (const series of Object.values(sample)) series.length = 0;
  };
  for (let i = 0; i < 2000; i++) playRound();
  writes = 0;
  const times: number[] = [];
  const end = performance.now() + MEASURE_MS;
  while (performance.now() < end) {
    const started = performance.now();
    playRound();
    times.push(performance.now() - started);
  }
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} us`;
  console.log(
    `  ${title}: median ${us(percentile(times, 50))}, p99 ${us(percentile(times, 99))} per round of ${SERVICES} services (${us(percentile(times, 50) / SERVICES)} per service); ${times.length} rounds, ${(writes / times.length).toFixed(2)} writes needed per round`,
  );
}

/** A clock whose sleep returns at once and moves its own time on: rounds run back to back. */
function virtualClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      offset += ms;
    },
  };
}

async function measureOnStack(): Promise<void> {
  const fleet = await startFleet({ services: SERVICES, zones: 4, probeIntervalSeconds: 1 });
  const dynamo = new DynamoDBClient({});
  const route53 = new Route53Client({ region: 'us-east-1' });
  try {
    const config = loadConfig();
    const clock = virtualClock();
    const probeStarts: number[] = [];
    const probeTimes: number[] = [];
    const real = createProber({ clock });
    const prober: Prober = {
      probeTarget: (service, which) => real.probeTarget(service, which),
      probeServices: async (services) => {
        const started = performance.now();
        probeStarts.push(started);
        const observations = await real.probeServices(services);
        probeTimes.push(performance.now() - started);
        return observations;
      },
    };
    const deps = {
      services: config.services,
      store: stateStoreFromEnv({ client: dynamo, clock }),
      traffic: createTrafficSwitch({ client: route53, clock }),
      prober,
      invoker: { invoke: async () => {} },
      notifier: { notify: async () => [] },
      clock,
      log: silentLogger,
      metrics: noMetrics,
    };
    const run = async (rounds: number) => {
      probeStarts.length = 0;
      probeTimes.length = 0;
      const deadline = clock.now() + (rounds - 1) * 1000 + 1_300 + SAFETY_MARGIN_MS;
      const started = performance.now();
      const report = await runWatchdog(deps, {}, { remainingMs: () => deadline - clock.now() });
      return { report, wallMs: performance.now() - started, endedAt: performance.now() };
    };
    // Settle every service's health first (first sight, streaks filling): those runs write.
    for (let warmup = 0; warmup < 5; warmup++) if ((await run(4)).report.writes === 0) break;
    const { report, wallMs, endedAt } = await run(STACK_ROUNDS + 1);
    // Round k runs from its probe's start to the next round's (the last: to the end of the run).
    const rounds = probeStarts.map((start, k) => (probeStarts[k + 1] ?? endedAt) - start).slice(1, -1);
    const rest = rounds.map((total, k) => total - (probeTimes[k + 1] ?? 0));
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      `  whole watchdog round on the local stack (${SERVICES} services, ${SERVICES * 2} HTTP probes, 4 zones): median ${ms(percentile(rounds, 50))}, p95 ${ms(percentile(rounds, 95))}, max ${ms(Math.max(...rounds))}`,
    );
    console.log(
      `    of which probing: median ${ms(percentile(probeTimes.slice(1, -1), 50))}; decide + state store + bookkeeping: median ${ms(percentile(rest, 50))}, max ${ms(Math.max(...rest))}`,
    );
    console.log(
      `    run of ${report.rounds} rounds in ${ms(wallMs)} (load + reconcile included), ${report.writes} writes, ${report.conflicts} conflicts`,
    );
  } finally {
    dynamo.destroy();
    route53.destroy();
    await fleet.close();
  }
}

export default async function benchControllerOverhead(): Promise<void> {
  console.log('controller overhead per round (no network):');
  measureInMemory('steady (all healthy)', () => [OK, OK]);
  measureInMemory('eventful (30% in outages, flapping, both down)', (i, r) => {
    const kind = i % 10;
    if (kind < 7) return [OK, OK];
    const primaryOk = kind === 7 ? (r + i) % 40 >= 20 : kind === 8 ? (r + i) % 200 >= 100 : r % 7 !== 0;
    const secondaryOk = kind !== 9 || r % 50 >= 10;
    return [primaryOk ? OK : FAIL, secondaryOk ? OK : FAIL];
  });
  process.env.LOG_LEVEL = 'error';
  await measureOnStack();
}
