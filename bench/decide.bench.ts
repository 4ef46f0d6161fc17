/**
 * How many watchdog rounds per second `decide` sustains, a round being one decision for each of
 * 1,000 services. The services are in a mix of situations (healthy, primary failing, failed over
 * and recovering, both down) so that every phase's rules take their share.
 */
import { afterFlip } from '../shared/domain/after-flip.ts';
import { decide } from '../shared/domain/decide.ts';
import { initialState } from '../shared/domain/initial-state.ts';
import type { Observation, ServiceState } from '../shared/domain/state.ts';
import { BENCH_ORDER, BENCH_POLICY, FAIL, OK } from './support/observations.ts';

const SERVICES = 1000;
const WARMUP_MS = 500;
const MEASURE_MS = 2000;

const policy = BENCH_POLICY;

/** Service `i` in round `r`: 70% healthy, the rest in outages that start, last and end. */
function observe(i: number, r: number, now: number): Observation {
  const kind = i % 10;
  if (kind < 7) return { at: now, targets: { primary: OK, secondary: OK } };
  const primaryOk = kind === 7 ? (r + i) % 40 >= 20 : kind === 8 ? (r + i) % 200 >= 100 : r % 7 !== 0;
  const secondaryOk = kind !== 9 || r % 50 >= 10;
  return { at: now, targets: { primary: primaryOk ? OK : FAIL, secondary: secondaryOk ? OK : FAIL } };
}

export default async (): Promise<void> => {
  let states: ServiceState[] = Array.from({ length: SERVICES }, (_, i) =>
    initialState(`service-${i}`, 'primary'),
  );
  let round = 0;
  let now = Date.UTC(2025, 0, 1);
  let actions = 0;
  const playRound = (): void => {
    const next: ServiceState[] = new Array(SERVICES);
    for (let i = 0; i < SERVICES; i++) {
      const state = states[i] ?? initialState(`service-${i}`, 'primary');
      const decision = decide(state, observe(i, round, now), policy, BENCH_ORDER, now);
      actions += decision.actions.length;
      // The flip function's effect, so that services keep moving between phases.
      const { moving } = decision.next;
      next[i] =
        moving === null ? decision.next : afterFlip(decision.next, moving.to, now, 'automatic', 'primary');
    }
    states = next;
    round += 1;
    now += policy.probeIntervalSeconds * 1000;
  };

  const warmupEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnd) playRound();

  actions = 0;
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < MEASURE_MS) {
    playRound();
    rounds += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  const perSecond = rounds / seconds;
  console.log(`decide: ${perSecond.toFixed(0)} rounds/s over ${SERVICES} services`);
  console.log(
    `        ${(perSecond * SERVICES).toFixed(0)} decisions/s, ${((seconds / rounds) * 1000).toFixed(2)} ms per round`,
  );
  console.log(`        ${rounds} rounds measured, ${actions} actions emitted`);
};
