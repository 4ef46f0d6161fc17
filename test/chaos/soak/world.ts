/**
 * The ground truth of a soak: for each service a policy, a probe timeout, and when its primary
 * and its standby are really down — short blips, outages from a minute to hours, and flapping
 * spells — all drawn from one seeded generator.
 */
import type { Policy, TargetId } from '../../../shared/domain/config.ts';
import type { Random } from './random.ts';

export type IncidentKind = 'blip' | 'outage' | 'flapping';

/** A stretch of time (ms from the start of the run) during which a target is really down. */
export interface DownInterval {
  readonly start: number;
  readonly end: number;
  readonly kind: IncidentKind;
  /** Which incident of this target it belongs to: a flapping spell is one incident of many intervals. */
  readonly incident: number;
}

export interface ServiceWorld {
  readonly name: string;
  readonly policy: Policy;
  /** The service's probe timeout: a probe of a down target reports within it. */
  readonly timeoutMs: number;
  readonly primary: readonly DownInterval[];
  readonly secondary: readonly DownInterval[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `services` services over `durationMs` of simulated time. */
export function generateWorld(random: Random, services: number, durationMs: number): ServiceWorld[] {
  return Array.from({ length: services }, (_, index) => {
    const policy: Policy = {
      probeIntervalSeconds: random.pick([1, 5, 10, 10, 10, 15, 30, 60]),
      failureThreshold: random.integer(1, 5),
      recoveryThreshold: random.integer(1, 10),
      minDwellSeconds: random.pick([0, 60, 300, 600, 1_800]),
      failback: random.pick(['auto', 'manual'] as const),
      maxAutoFailbacksPerHour: random.pick([0, 1, 2, 4]),
    };
    const intervalMs = policy.probeIntervalSeconds * 1000;
    const timeoutMs = Math.min(intervalMs, random.pick([500, 1_000, 2_000, 3_000, 5_000]));
    return {
      name: `service-${String(index).padStart(2, '0')}`,
      policy,
      timeoutMs,
      primary: downIntervals(random, durationMs, policy, { meanGapMs: 4 * HOUR }),
      secondary: downIntervals(random, durationMs, policy, { meanGapMs: 14 * HOUR }),
    };
  });
}

export function downIntervals(
  random: Random,
  durationMs: number,
  policy: Policy,
  options: { meanGapMs: number },
): DownInterval[] {
  const intervalMs = policy.probeIntervalSeconds * 1000;
  const intervals: DownInterval[] = [];
  let t = random.exponential(options.meanGapMs);
  for (let incident = 0; t < durationMs; incident++) {
    const kind = random.weighted<IncidentKind>([
      ['blip', 45],
      ['outage', 35],
      ['flapping', 20],
    ]);
    if (kind === 'blip') {
      // Up to the failure threshold in rounds: some are seen by that many probes, most by fewer.
      const length = random.between(0.1, policy.failureThreshold) * intervalMs;
      intervals.push({ start: t, end: t + length, kind, incident });
      t += length;
    } else if (kind === 'outage') {
      const length = random.logUniform(MINUTE, 3 * HOUR);
      intervals.push({ start: t, end: t + length, kind, incident });
      t += length;
    } else {
      // Down and up in runs around the failure threshold, for 10 minutes to an hour.
      const spellEnd = t + random.between(10 * MINUTE, HOUR);
      while (t < spellEnd) {
        const down = random.between(0.3, 2 * policy.failureThreshold) * intervalMs;
        intervals.push({ start: t, end: t + down, kind, incident });
        t += down + random.between(0.3, 2 * policy.recoveryThreshold) * intervalMs;
      }
    }
    t += random.exponential(options.meanGapMs);
  }
  return intervals;
}

/**
 * The down intervals of each target of `order`: the service's primary and standby as generated (the
 * first `options.kept` of them, both unless told), and every further target drawn here (an incident
 * every `meanGapMs` on average), in order.
 */
export function targetIntervals(
  random: Random,
  service: ServiceWorld,
  order: readonly TargetId[],
  durationMs: number,
  options: { meanGapMs: number; kept?: number },
): Map<TargetId, readonly DownInterval[]> {
  const generated = [service.primary, service.secondary].slice(0, options.kept ?? 2);
  return new Map(
    order.map((id, index) => [
      id,
      generated[index] ?? downIntervals(random, durationMs, service.policy, options),
    ]),
  );
}

/** Walks a sorted list of down intervals forward in time: is the target down at `t`? */
export class Truth {
  readonly #intervals: readonly DownInterval[];
  #index = 0;

  constructor(intervals: readonly DownInterval[]) {
    this.#intervals = intervals;
  }

  /** The interval that holds `t`, if any; `t` must not go backwards between calls. */
  downAt(t: number): DownInterval | undefined {
    while (this.#index < this.#intervals.length && (this.#intervals[this.#index]?.end ?? 0) <= t)
      this.#index++;
    const current = this.#intervals[this.#index];
    return current !== undefined && current.start <= t ? current : undefined;
  }
}
