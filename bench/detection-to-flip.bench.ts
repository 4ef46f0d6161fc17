/**
 * Detection-to-flip delay on the local stack: 20 failovers (5 rounds of 4 services) with the real
 * watchdog, failover and failback handlers, 1 s rounds, failureThreshold 2, a 500 ms check
 * timeout. A primary starts failing at a random moment of its round — half answer 503 at once,
 * half hang until the probe times out — and the clock runs from that moment to the watchdog's
 * decision (its invoke of the failover function), to the Route 53 change being applied, and to
 * the DNS answer moving to the standby. The bound the design promises for detection is
 * failureThreshold x probeIntervalSeconds + timeout = 2.5 s; the flip itself comes on top.
 * Between rounds an operator fails each service back by hand (the failback handler).
 */
import { Resolver } from 'node:dns/promises';
import { stateStoreFromEnv } from '../shared/aws/state-store.ts';
import type { FlipResponse } from '../shared/controller/flip.ts';
import { runtime } from '../shared/controller/runtime.ts';
import { seededRandom } from '../test/chaos/soak/random.ts';
import { contextFor, type Harness, startHarness } from '../test/e2e/harness.ts';
import { muteHandlerOutput } from './support/local-fleet.ts';

const SERVICES = ['d0', 'd1', 'd2', 'd3'] as const;
const BATCHES = 5;
const RUN_ROUNDS = 7;
const BOUND_MS = 2 * 1000 + 500;

type Handler<T> = (event: unknown, context: unknown) => Promise<T>;

interface Sample {
  readonly kind: '503' | 'hang';
  readonly decidedMs: number;
  readonly changedMs: number;
  readonly dnsMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` (DNS is cheap to ask often; the state table is not). */
async function until(
  what: string,
  check: () => Promise<boolean>,
  everyMs = 5,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

function stats(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  return `median ${(median / 1000).toFixed(2)} s, worst ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)} s`;
}

export default async function benchDetectionToFlip(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const random = seededRandom(2026);
  const h: Harness = await startHarness(SERVICES.map((name) => ({ name, failback: 'manual' as const })));
  const unmute = muteHandlerOutput();
  const dns = new Resolver();
  dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
  const answer = async (service: string) => (await dns.resolveCname(`${service}.example.test`))[0];
  const samples: Sample[] = [];
  try {
    // The real handlers, with runtimes of their own: another benchmark in this process may have
    // built (and cached) the default ones against a local stack that is gone.
    const { watchdogHandler } = await import('../functions/watchdog.ts');
    const { flipHandler } = await import('../functions/flip-handler.ts');
    const watchdog = watchdogHandler(() =>
      runtime('watchdog-detection-bench'),
    ) as unknown as Handler<unknown>;
    const failback = flipHandler('failback', () =>
      runtime('failback-detection-bench'),
    ) as unknown as Handler<FlipResponse>;
    const store = stateStoreFromEnv();

    for (let batch = 0; batch < BATCHES; batch++) {
      const run = watchdog({ time: new Date().toISOString() }, contextFor(RUN_ROUNDS));
      // Fail only a primary that is UP with a full healthy streak, as in a steady state.
      await until(
        'healthy primaries',
        async () => {
          const states = await Promise.all(SERVICES.map((name) => store.load(name)));
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
      );
      const measured = SERVICES.map(async (name, index) => {
        await sleep(random.between(0, 1000));
        const kind = index % 2 === 0 ? '503' : 'hang';
        const backend = h.backends.get(name)?.primary;
        const started = Date.now();
        backend?.setMode(kind === '503' ? { kind: 'failing' } : { kind: 'slow', ms: 60_000 });
        await until(`DNS to move for ${name}`, async () => (await answer(name)) === h.secondaryTarget(name));
        const dnsAt = Date.now();
        const invoked = h.stack.lambda.invocations.find(
          (call) =>
            call.at >= started &&
            call.functionName.endsWith('failover') &&
            (call.payload as { service?: unknown }).service === name,
        );
        const change = h.stack.route53.changes.find(
          (applied) =>
            applied.at >= started && JSON.stringify(applied.changes).includes(`${name}.example.test`),
        );
        samples.push({
          kind,
          decidedMs: (invoked?.at ?? Number.NaN) - started,
          changedMs: (change?.at ?? Number.NaN) - started,
          dnsMs: dnsAt - started,
        });
      });
      await Promise.all(measured);
      await run;
      await h.stack.lambda.idle();

      // The operator fails every service back once its primary is healthy again.
      for (const name of SERVICES) h.backends.get(name)?.primary.setMode({ kind: 'healthy' });
      for (const name of SERVICES) {
        const outcome = await failback(
          { service: name, requestedBy: 'bench', reason: 'reset between measurements' },
          { functionName: 'failback', getRemainingTimeInMillis: () => 60_000 },
        );
        if (outcome.outcome !== 'failed-back') throw new Error(`failback of ${name}: ${outcome.message}`);
      }
      await until('DNS back on the primaries', async () =>
        (
          await Promise.all(SERVICES.map(async (name) => (await answer(name)) === h.primaryTarget(name)))
        ).every(Boolean),
      );
    }
  } finally {
    unmute();
    await h.close();
  }

  console.log(
    `${samples.length} failovers at 1 s rounds, failureThreshold 2, timeout 500 ms (detection bound ${BOUND_MS / 1000} s)`,
  );
  for (const [label, pick] of [
    ['primary fails -> watchdog decides (invokes failover)', (s: Sample) => s.decidedMs],
    ['primary fails -> Route 53 change applied', (s: Sample) => s.changedMs],
    ['primary fails -> DNS answers the standby', (s: Sample) => s.dnsMs],
  ] as const) {
    const all = samples.map(pick);
    const fast = samples.filter((s) => s.kind === '503').map(pick);
    const hang = samples.filter((s) => s.kind === 'hang').map(pick);
    console.log(`  ${label}: ${stats(all)}`);
    console.log(`    503 at once: ${stats(fast)}; hanging until the timeout: ${stats(hang)}`);
  }
  const within = samples.filter((s) => s.decidedMs <= BOUND_MS).length;
  console.log(`  decisions within the bound: ${within}/${samples.length}`);
  const flipMs = samples.map((s) => s.changedMs - s.decidedMs);
  console.log(
    `  decision -> change applied (the failover function: verify, claim, compare-and-swap): ${stats(flipMs)}`,
  );
}
