/**
 * Detection to flip with three vantages and a quorum of two, beside one watchdog alone, on the same
 * local stack (issue #11): the chaos stack's dynalite, Route 53 stand-in (instant propagation) and
 * Lambda stand-in with the REAL watchdog, failover and failback handlers; each vantage probes
 * through its own path of the local network view. 1 s rounds, failureThreshold 2, a 500 ms check
 * timeout.
 *
 * Each trial fails two primaries at the same moment — one service watched by one watchdog, one
 * watched by the three vantages — so both are measured under the same load: half answer 503 at
 * once, half hang until the probe times out. The vantages start their runs up to a second apart, as
 * watchdogs in three regions are never in step. The clock runs from the failure to the watchdog's
 * invoke of the failover function (detection), to Route 53 accepting the change, and to the
 * authoritative DNS answer naming the standby. Local figures: no deployment sees instant propagation
 * or 1 ms between regions.
 */
import { Resolver } from 'node:dns/promises';
import { seededRandom } from '../test/chaos/soak/random.ts';
import { type ChaosStack, startChaosStack } from '../test/chaos/support/chaos-stack.ts';
import { stats } from './support/flip-timings.ts';
import { muteHandlerOutput } from './support/local-fleet.ts';

const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1'] as const;
const TRIALS = 10;
/** Rounds of every run: 3 to settle (the targets UP), then the failure, then room to detect and flip. */
const RUN_ROUNDS = 9;
const SETTLE_MS = 3_000;
/** failureThreshold x probeIntervalSeconds + the check timeout. */
const BOUND_MS = 2 * 1_000 + 500;

type Mode = 'one' | 'three';

interface Sample {
  readonly kind: '503' | 'hang';
  readonly failedAt: number;
  readonly decidedAt: number;
  readonly acceptedAt: number;
  readonly dnsAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default async function benchVantages(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const random = seededRandom(11);
  const services = Array.from({ length: TRIALS }, (_, i) => [`one-${i}`, `three-${i}`]).flat();
  const stack = await startChaosStack(
    services.map((name) => ({ name })),
    { vantages: { regions: REGIONS, quorum: 2, canary: true } },
  );
  const unmute = muteHandlerOutput();
  const dns = new Resolver();
  dns.setServers([`127.0.0.1:${stack.route53.dnsPort}`]);
  const samples: Record<Mode, Sample[]> = { one: [], three: [] };
  const started = Date.now();
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const kind = trial % 2 === 0 ? '503' : 'hang';
      const one = `one-${trial}`;
      const three = `three-${trial}`;
      const runs = [
        stack.runWatchdog(RUN_ROUNDS, { only: [one] }),
        ...REGIONS.map(async (vantage) => {
          await sleep(random.between(0, 1_000));
          return stack.runVantage(vantage, RUN_ROUNDS, { only: [three] });
        }),
      ];
      await sleep(SETTLE_MS + 1_000 + random.between(0, 1_000));
      const failedAt = Date.now();
      for (const name of [one, three]) stack.backends(name).primary.set(kind === '503' ? 'fail' : 'hang');
      const [a, b] = await Promise.all([
        measure(stack, dns, one, kind, failedAt),
        measure(stack, dns, three, kind, failedAt),
      ]);
      samples.one.push(a);
      samples.three.push(b);
      await Promise.all(runs);
    }
  } finally {
    unmute();
    await stack.close();
  }

  console.log(
    `local (instant propagation, one machine): ${TRIALS} failovers each, 1 s rounds, failureThreshold 2, ` +
      `timeout 500 ms, the two measured from the same failure (run took ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  for (const [mode, label] of [
    ['one', '1 vantage (one watchdog decides)'],
    ['three', '3 vantages, quorum 2 (runs up to 1 s apart)'],
  ] as const) {
    const taken = samples[mode];
    const within = taken.filter((s) => s.decidedAt - s.failedAt <= BOUND_MS).length;
    console.log(`  ${label}:`);
    console.log(
      `    detection: primary fails -> failover invoked: ${stats(taken.map((s) => s.decidedAt - s.failedAt))}`,
    );
    console.log(
      `      503 at once: ${stats(taken.filter((s) => s.kind === '503').map((s) => s.decidedAt - s.failedAt))}; ` +
        `hanging until the timeout: ${stats(taken.filter((s) => s.kind === 'hang').map((s) => s.decidedAt - s.failedAt))}`,
    );
    console.log(
      `    primary fails -> Route 53 accepts the change: ${stats(taken.map((s) => s.acceptedAt - s.failedAt))}`,
    );
    console.log(
      `    primary fails -> DNS answers the standby: ${stats(taken.map((s) => s.dnsAt - s.failedAt))}`,
    );
    console.log(
      `    detections within the one-watchdog bound (${BOUND_MS / 1000} s): ${within}/${taken.length}`,
    );
  }
}

/** Polls the DNS answer every 5 ms until it names the standby (or the run is long over). */
async function measure(
  stack: ChaosStack,
  dns: Resolver,
  service: string,
  kind: Sample['kind'],
  failedAt: number,
): Promise<Sample> {
  const record = stack.recordName(service).replace(/\.$/, '');
  const standby = `secondary.${service}.example.net`;
  const deadline = failedAt + RUN_ROUNDS * 1_000 + 5_000;
  let dnsAt = Number.NaN;
  while (Date.now() < deadline) {
    const answer = await dns.resolveCname(record).catch(() => []);
    if (answer[0] === standby) {
      dnsAt = Date.now();
      break;
    }
    await sleep(5);
  }
  const change = stack.route53.changes.find(
    (c) => c.at >= failedAt && JSON.stringify(c.changes).includes(`"${stack.recordName(service)}"`),
  );
  const invoked = stack.lambda.invocations
    .filter(
      (call) =>
        call.at >= failedAt && call.functionName.endsWith('failover') && carries(call.payload, service),
    )
    .map((call) => call.at);
  return {
    kind,
    failedAt,
    decidedAt: invoked.length > 0 ? Math.min(...invoked) : Number.NaN,
    acceptedAt: change?.at ?? Number.NaN,
    dnsAt,
  };
}

/** Whether an invocation payload (one request, or the watchdog's batch of one zone's moves) moves `service`. */
function carries(payload: unknown, service: string): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const moves: unknown = Reflect.get(payload, 'moves');
  if (Array.isArray(moves)) return moves.some((move) => carries(move, service));
  return Reflect.get(payload, 'service') === service;
}
