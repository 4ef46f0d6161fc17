/**
 * The clocks behind automatic flips: the dwell after a flip, the flap window of automatic
 * failbacks, and how long a `failing-*` phase may wait for the flip function before a re-send.
 * All times are epoch milliseconds; `now` may jump backwards, and none of these ever lets a flip
 * happen earlier, or more often, because of that.
 */
import type { Policy } from './config.ts';

/** The rolling window that `maxAutoFailbacksPerHour` counts over. */
export const FLAP_WINDOW_MS = 3_600_000;

/**
 * How far apart the clocks of two machines of the controller may be (watchdogs in several regions,
 * the flip functions): each within 5 s of true time, so up to 10 s apart. Lambda hosts keep time
 * with the Amazon Time Sync Service, far closer than that; the chaos tests skew clocks by ±5 s.
 */
export const CLOCK_ALLOWANCE_MS = 10_000;

/** A pending flip is never re-sent sooner than this. */
export const MIN_PENDING_TIMEOUT_MS = 120_000;

/**
 * How long `failing-over` / `failing-back` waits for the flip function before re-sending the
 * flip with the same epoch (a lost async invoke; the flip function is fenced by the epoch).
 *
 * @example
 * pendingTimeoutMs({ ...policy, probeIntervalSeconds: 60 }); // 180_000
 */
export function pendingTimeoutMs(policy: Policy): number {
  return Math.max(MIN_PENDING_TIMEOUT_MS, 3 * policy.probeIntervalSeconds * 1000);
}

/**
 * Whether `minDwellSeconds` have passed since the last flip. A `now` before `lastFlipAt`
 * (the clock jumped back) has not passed it: never flip early.
 *
 * @example
 * dwellPassed(1_000, { ...policy, minDwellSeconds: 600 }, 601_000); // true
 */
export function dwellPassed(lastFlipAt: number | null, policy: Policy, now: number): boolean {
  if (lastFlipAt === null) return true;
  return now >= lastFlipAt && now - lastFlipAt >= policy.minDwellSeconds * 1000;
}

/**
 * The automatic failbacks still inside the flap window. Entries dated after `now` (the clock
 * jumped back) are kept: they leave the window only an hour after their own time, so a
 * backward jump can only make the limit stricter, never allow an extra failback.
 *
 * @example
 * pruneFlapWindow([0, 3_000_000], 3_700_000); // [3_000_000]
 */
export function pruneFlapWindow(times: readonly number[], now: number): readonly number[] {
  const oldest = now - FLAP_WINDOW_MS;
  return times.every((t) => t > oldest) ? times : times.filter((t) => t > oldest);
}

/** Whether another automatic failback fits in the (pruned) flap window. */
export function flapLimitReached(window: readonly number[], policy: Policy): boolean {
  return window.length >= policy.maxAutoFailbacksPerHour;
}
