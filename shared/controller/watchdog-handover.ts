/**
 * The handover between overlapping scheduled watchdog runs (issue #20: no blind window at the turn
 * of the minute). The Lambda timeout is longer than the schedule's period, so a run keeps probing
 * until the next one takes over, through one marker item per vantage point (`HandoverStore`):
 *
 *   run A (scheduled 12:00)  |r  r  r  r  r  r  r  r| stops: its next reservation finds B's claim
 *   run B (scheduled 12:01)                 |claim ... r  r  r  r  r  r  r ...
 *                                                  ^ A's last reserved round + the interval
 *   time                     12:00         12:01+d
 *
 * Primary course:
 *  1. A run whose event names the schedule's period claims the marker, unless a run scheduled at the
 *     same time or later holds it: a late or duplicate event then probes nothing
 *  2. Each service's first round starts one interval after the previous run's last round of it
 *     (never earlier: hysteresis counts rounds, so two runs' rounds must never come closer than the
 *     interval, or `failureThreshold` failed rounds would come faster than false-alarm protection allows)
 *  3. Before each round the run reserves it in the marker, only while it still holds the marker;
 *     once a newer run holds it, the run starts no more rounds and finishes as before
 *
 * Why a reservation (one conditional write per round) and not a read before each round: with a read,
 * the old run can read "still mine", the new run claim and read the old run's last round, and both
 * probe in the same slot. The conditional write makes "my round" and "my claim" exclusive.
 *
 * A DynamoDB failure on the marker never stops probing: the run then probes as runs did before the
 * handover (rounds until less than one round's cost is left of its period) and tries the marker
 * again at its next round. A run without a period in its event (invoked by hand, tests) runs alone,
 * as before, until its Lambda time is nearly up.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceConfig } from '../domain/config.ts';
import type { ClaimResult, HandoverStore, RunMarker } from '../domain/ports.ts';
import type { Logger } from '../telemetry/log.ts';

/** The watchdog's key in the marker until vantage points are configured. */
export const DEFAULT_VANTAGE = 'default';

/** What a run needs to hand over. */
export interface HandoverDeps {
  readonly services: readonly ServiceConfig[];
  readonly handover?: HandoverStore;
  readonly vantage?: string;
  readonly log: Logger;
}

/** The scheduled run, as its event and start time describe it. */
export interface ScheduledRun {
  /** Epoch ms of the schedule's time (NaN when the event has none). */
  readonly scheduledAt: number;
  /** The schedule's period in ms, from the event (NaN when the event does not name it). */
  readonly periodMs: number;
  /** Epoch ms when this run started. */
  readonly started: number;
}

export interface Handover {
  /** Epoch ms before which `service` must not start a round. */
  notBefore(service: ServiceConfig): number;
  /** Reserve a round of `services` at `now`; false when a newer run holds the marker: start no more rounds. */
  beforeRound(now: number, services: readonly string[]): Promise<boolean>;
  /** How long this run may still start rounds, given the Lambda time it has left. */
  remainingMs(lambdaRemainingMs: number, now: number): number;
  /** Whether the run stopped because a newer run took over. */
  readonly handedOver: boolean;
}

/** Where the run stands with the marker. */
type Standing =
  /** No marker (no period in the event, or no store): probe alone until the Lambda time is up. */
  | 'alone'
  /** Holds the marker as of its last reservation. */
  | 'held'
  /** The last marker call failed: probe as before the handover, within the run's period. */
  | 'unsure'
  /** Could not claim (the store failed): as `unsure`, and claim again before the next round. */
  | 'unclaimed';

/**
 * Claim the marker for a scheduled run; `superseded` when a run scheduled at the same time or
 * later holds it (the caller then probes nothing).
 *
 * @example
 * const handover = await beginHandover(deps, { scheduledAt, periodMs: 60_000, started: clock.now() });
 * if (handover === 'superseded') return; // a duplicate or late event: the newer run probes
 * for (const t of tracked) t.nextDue = handover.notBefore(t.config);
 * if (!(await handover.beforeRound(now, due))) break; // a newer run took over
 */
export async function beginHandover(deps: HandoverDeps, run: ScheduledRun): Promise<Handover | 'superseded'> {
  const { log, handover: store } = deps;
  const vantage = deps.vantage ?? DEFAULT_VANTAGE;
  const intervalMs = (service: ServiceConfig) => service.policy.probeIntervalSeconds * 1000;
  if (store === undefined || !Number.isFinite(run.scheduledAt) || !(run.periodMs > 0)) {
    return alone(run.started);
  }

  const id = `${new Date(run.scheduledAt).toISOString()}/${randomUUID()}`;
  const names = new Set(deps.services.map((s) => s.name));
  let standing: Standing = 'held';
  let handedOver = false;
  /** Each service's last round, this run's and (until it probes them) the previous run's. */
  let rounds: Record<string, number> = {};
  let notBefore = (_service: ServiceConfig) => run.started;

  const claim = async (): Promise<ClaimResult | 'failed'> => {
    try {
      return await store.claim(vantage, { id, scheduledAt: run.scheduledAt });
    } catch (error) {
      log.warn('could not claim the watchdog run marker; probing as before the handover', {
        vantage,
        error,
      });
      return 'failed';
    }
  };

  const first = await claim();
  if (first !== 'failed' && !first.claimed) {
    log.info('a run scheduled at the same time or later is probing; this run probes nothing', {
      vantage,
      scheduledAt: new Date(run.scheduledAt).toISOString(),
    });
    return 'superseded';
  }
  if (first === 'failed') standing = 'unclaimed';
  else if (first.previous !== null) {
    const previous = first.previous;
    rounds = Object.fromEntries(Object.entries(previous.rounds).filter(([name]) => names.has(name)));
    notBefore = (service) => firstRoundAt(previous, id, service.name, intervalMs(service), run.started);
    log.info('took over from the previous run', { vantage, previous: previous.run });
  }

  return {
    notBefore: (service) => notBefore(service),
    get handedOver() {
      return handedOver;
    },
    remainingMs(lambdaRemainingMs, now) {
      if (standing === 'held') return lambdaRemainingMs;
      return Math.min(lambdaRemainingMs, run.started + run.periodMs - now);
    },
    async beforeRound(now, services) {
      if (standing === 'unclaimed') {
        const again = await claim();
        if (again === 'failed') return true;
        if (!again.claimed) return stop();
        standing = 'held';
      }
      const next = { ...rounds };
      for (const name of services) next[name] = now;
      const marker: RunMarker = { run: id, scheduledAt: run.scheduledAt, rounds: next };
      try {
        if (!(await store.reserve(vantage, marker))) return stop();
        standing = 'held';
      } catch (error) {
        standing = 'unsure';
        log.warn('could not record the round in the watchdog run marker; probing as before the handover', {
          vantage,
          error,
        });
      }
      rounds = next;
      return true;
    },
  };

  function stop(): false {
    handedOver = true;
    log.info('a newer run took over; starting no more rounds', { vantage });
    return false;
  }
}

/**
 * When a service's first round may start after the previous run: one interval after that run's last
 * round of it, but no later than one interval from now (a clock ahead of ours must not stall
 * probing), and never before now. A re-sent claim that finds this run's own marker cannot see the
 * previous run's rounds: one interval from now is then the safe start (that run stopped before it).
 *
 * @example
 * firstRoundAt({ run: 'a', scheduledAt, rounds: { api: 1_000 } }, 'b', 'api', 10_000, 4_000); // 11000
 */
export function firstRoundAt(
  previous: RunMarker,
  runId: string,
  service: string,
  intervalMs: number,
  now: number,
): number {
  if (previous.run === runId) return now + intervalMs;
  const last = previous.rounds[service];
  if (last === undefined) return now;
  return Math.min(Math.max(last + intervalMs, now), now + intervalMs);
}

function alone(started: number): Handover {
  return {
    notBefore: () => started,
    beforeRound: async () => true,
    remainingMs: (lambdaRemainingMs) => lambdaRemainingMs,
    handedOver: false,
  };
}
