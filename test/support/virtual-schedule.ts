import type { RunBudget, WatchdogReport } from '../../shared/controller/watchdog.ts';
import type { EventClock } from './event-clock.ts';

export interface VirtualScheduleOptions {
  readonly clock: EventClock;
  /** Epoch ms of the first run's scheduled time. */
  readonly firstScheduledAt: number;
  readonly periodMs: number;
  /** Each run's Lambda timeout. */
  readonly timeoutMs: number;
  readonly runs: number;
  /** The scheduler's delay plus any cold start of run `index`: it starts this long after its time. */
  readonly delayMs: (index: number) => number;
  /** One run: the real handler or use case, given the schedule's event and its Lambda time. */
  readonly run: (
    event: { readonly time: string; readonly periodSeconds: number },
    budget: RunBudget,
  ) => Promise<WatchdogReport>;
}

/**
 * The EventBridge schedule on virtual time: run `i` starts at its scheduled time plus its delay,
 * whether or not earlier runs have returned (as EventBridge and Lambda do), with a Lambda budget
 * counting down from the timeout. Resolves with every run's report, in schedule order.
 *
 * @example
 * const reports = await playVirtualSchedule({ clock, firstScheduledAt, periodMs: 60_000, timeoutMs: 90_000,
 *   runs: 3, delayMs: () => 2_000, run: (event, budget) => runWatchdog(deps, event, budget) });
 */
export async function playVirtualSchedule(options: VirtualScheduleOptions): Promise<WatchdogReport[]> {
  const { clock } = options;
  // The schedule is a task only while it waits for the next start: waiting for the runs to return
  // must not hold time still.
  const started = await clock.spawn(async () => {
    const runs: Promise<WatchdogReport>[] = [];
    for (let index = 0; index < options.runs; index++) {
      const scheduledAt = options.firstScheduledAt + index * options.periodMs;
      await clock.sleep(scheduledAt + options.delayMs(index) - clock.now());
      const deadline = clock.now() + options.timeoutMs;
      const event = { time: new Date(scheduledAt).toISOString(), periodSeconds: options.periodMs / 1000 };
      runs.push(clock.spawn(() => options.run(event, { remainingMs: () => deadline - clock.now() })));
    }
    return runs;
  });
  return Promise.all(started);
}
