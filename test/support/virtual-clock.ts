import type { Clock } from '../../shared/domain/ports.ts';

/**
 * Real time for requests; sleeping only moves this clock on, so a backoff costs no wall time.
 *
 * @example
 * const clock = virtualClock();
 * await clock.sleep(5_000); // returns at once; clock.slept() === 5000
 */
export function virtualClock(): Clock & { slept: () => number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    slept: () => offset,
  };
}
