import type { Clock } from '../../shared/domain/ports.ts';

/** A clock for several tasks at once: `spawn` them; `now` moves only while every one of them sleeps. */
export interface EventClock extends Clock {
  /** Runs `task` as one of the clock's tasks: time waits for it whenever it is not asleep. */
  spawn<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * Discrete-event virtual time for overlapping runs (two watchdog runs, the schedule playing them).
 * A task awaiting real I/O (dynalite) holds time still; once every task sleeps, time jumps to the
 * earliest wake-up. `virtualClock` cannot do this: two sleepers there each push time on.
 *
 * @example
 * const clock = eventClock(Date.UTC(2026, 10, 26, 12));
 * await Promise.all([clock.spawn(() => runA(clock)), clock.spawn(() => runB(clock))]);
 */
export function eventClock(start: number): EventClock {
  let now = start;
  let awake = 0;
  let order = 0;
  const sleepers: { at: number; order: number; wake: () => void }[] = [];

  const advance = () => {
    if (awake > 0) return;
    sleepers.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = sleepers.shift();
    if (next === undefined) return;
    now = Math.max(now, next.at);
    awake++;
    next.wake();
  };

  return {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        sleepers.push({ at: now + Math.max(0, ms), order: order++, wake: resolve });
        awake--;
        queueMicrotask(advance);
      }),
    async spawn(task) {
      awake++;
      try {
        return await task();
      } finally {
        awake--;
        queueMicrotask(advance);
      }
    },
  };
}
