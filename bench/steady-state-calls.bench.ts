/**
 * AWS calls of the watchdog in a steady state (every target healthy, nothing to do), on the local
 * stack with the real handler: 20 services in 2 hosted zones, 1 s rounds. Two runs of different
 * lengths separate what a run costs once (loading state, reconciling with Route 53) from what
 * each round costs. Goal: 0 writes and 0 Route 53 calls per round; one Route 53 read per hosted
 * zone per run. Counted at the servers (`stack.dynamo.operations`, `stack.route53.calls`).
 */
import { runtime } from '../shared/controller/runtime.ts';
import { muteHandlerOutput, startFleet, watchdogContext } from './support/local-fleet.ts';

const SERVICES = 20;
const ZONES = 2;
const SHORT_RUN = 3;
const LONG_RUN = 8;
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Handler = (event: unknown, context: unknown) => Promise<{ rounds: number; writes: number }>;

function countBy(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

export default async function benchSteadyStateCalls(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const fleet = await startFleet({ services: SERVICES, zones: ZONES });
  const unmute = muteHandlerOutput();
  try {
    // The real handler, with a runtime of its own: another benchmark in this process may have
    // built (and cached) the default one against a local stack that is gone.
    const { watchdogHandler } = await import('../functions/watchdog.ts');
    const handler = watchdogHandler(() => runtime('watchdog-steady-state-bench')) as unknown as Handler;
    const run = async (rounds: number) => {
      const dynamoBefore = fleet.stack.dynamo.operations.length;
      const route53Before = fleet.stack.route53.calls.length;
      const report = await handler({ time: new Date().toISOString() }, watchdogContext(rounds));
      await fleet.stack.lambda.idle();
      return {
        rounds: report.rounds,
        dynamo: countBy(fleet.stack.dynamo.operations.slice(dynamoBefore)),
        route53: countBy(fleet.stack.route53.calls.slice(route53Before).map((call) => call.operation)),
      };
    };

    // The first runs record every service's health as it settles (unknown -> up, streaks filling
    // up to their caps): not a steady state yet. Runs go on until one writes nothing.
    const first = await run(2);
    for (let warmup = 0; warmup < 5; warmup++) {
      const settled = await run(2);
      if ([...settled.dynamo.keys()].every((op) => !WRITES.has(op))) break;
    }
    const short = await run(SHORT_RUN);
    const long = await run(LONG_RUN);
    unmute();

    const extra = long.rounds - short.rounds;
    console.log(`${SERVICES} services in ${ZONES} hosted zones, all healthy, 1 s rounds`);
    console.log(
      `  first run (${first.rounds} rounds, records first health): ${[...first.dynamo, ...first.route53].map(([op, n]) => `${n} ${op}`).join(', ')}`,
    );
    for (const [service, short_, long_] of [
      ['DynamoDB', short.dynamo, long.dynamo],
      ['Route 53', short.route53, long.route53],
    ] as const) {
      const operations = new Set([...short_.keys(), ...long_.keys()]);
      if (operations.size === 0) console.log(`  ${service}: no calls at all`);
      for (const operation of [...operations].sort()) {
        const a = short_.get(operation) ?? 0;
        const b = long_.get(operation) ?? 0;
        const perRound = (b - a) / extra;
        const perRun = a - perRound * short.rounds;
        console.log(
          `  ${service} ${operation}: ${perRun.toFixed(1)} per run, ${perRound.toFixed(2)} per round (runs of ${short.rounds} and ${long.rounds} rounds: ${a} and ${b} calls)`,
        );
      }
    }
    const writes = (counts: Map<string, number>) =>
      [...counts].filter(([op]) => WRITES.has(op)).reduce((sum, [, n]) => sum + n, 0);
    const route53Total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `  steady state per round: ${((writes(long.dynamo) - writes(short.dynamo)) / extra).toFixed(2)} DynamoDB writes, ${((route53Total(long.route53) - route53Total(short.route53)) / extra).toFixed(2)} Route 53 calls`,
    );
    console.log(
      `  per run: ${route53Total(long.route53)} Route 53 calls for ${ZONES} zones (${(route53Total(long.route53) / ZONES).toFixed(1)} per zone), ${writes(long.dynamo)} DynamoDB writes`,
    );
  } finally {
    unmute();
    await fleet.close();
  }
}
