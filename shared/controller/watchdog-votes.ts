/**
 * This watchdog as one vantage among several (issue #11): its own hysteresis per target, its vote
 * recorded every round, and the tally of every vantage's latest vote that the round decides on.
 *
 *   round:  probe ─> own vote (hysteresis; blind?) ─> PutItem own record ─> BatchGet the others'
 *           ─> per service: tally ─> decideByQuorum (watchdog.ts)
 *
 * Writing before reading means two vantages in the same instant each see the other's previous vote
 * at worst — a vote at most one round old, well within freshness.
 */
import type { HttpCheck, ServiceConfig, TargetId, VantagesConfig } from '../domain/config.ts';
import type { Prober, VoteStore } from '../domain/ports.ts';
import { freshnessMs, type Tally, tally, type VantageVote, type VoteHealth } from '../domain/quorum.ts';
import type { Observation } from '../domain/state.ts';
import { initialTargetHealth, observeTarget } from '../domain/target-health.ts';
import type { Logger } from '../telemetry/log.ts';

export interface VantageDeps {
  readonly vantages: VantagesConfig;
  /** Which of `vantages.regions` this watchdog is. */
  readonly vantage: string;
  readonly votes: VoteStore;
  readonly prober: Prober;
  readonly log: Logger;
}

/** What this vantage makes of one round. */
export interface RoundVotes {
  /** Per service: every vantage's latest vote counted; absent when the others could not be read. */
  readonly tallies: ReadonlyMap<string, Tally>;
  /** Services this vantage has just gone blind on (alert once per blind spell). */
  readonly newlyBlind: readonly string[];
}

/**
 * Rounds in a row whose other vantages' votes could not be read before the run gives up with an
 * error: without them nothing is decided, so a lasting failure (IAM after a deploy, sustained
 * throttling) must reach people through the watchdog-errors alarm, not only the logs.
 */
export const MAX_VOTE_FAILURES = 3;

/** The other vantages' votes could not be read for `MAX_VOTE_FAILURES` rounds in a row. */
export class VotesUnavailableError extends Error {
  override name = 'VotesUnavailableError';
}

/** The watchdog runs somewhere `vantages` does not list: a deployment or configuration mistake. */
export class UnknownVantageError extends Error {
  override name = 'UnknownVantageError';
}

/**
 * @example
 * const votes = await VantageVoter.start(deps); // reads this vantage's record: its hysteresis survives runs
 * const { tallies } = await votes.round(due, observations, now);
 */
export class VantageVoter {
  private readonly deps: VantageDeps;
  private readonly own: Map<string, VantageVote>;
  /** Rounds in a row whose other vantages' votes could not be read. */
  private failures = 0;

  private constructor(deps: VantageDeps, own: Map<string, VantageVote>) {
    this.deps = deps;
    this.own = own;
  }

  static async start(deps: VantageDeps): Promise<VantageVoter> {
    if (!deps.vantages.regions.includes(deps.vantage)) {
      throw new UnknownVantageError(
        `This watchdog runs as vantage "${deps.vantage}" (VANTAGE or AWS_REGION), which vantages.regions ` +
          `does not list (${deps.vantages.regions.join(', ')}): deploy it only to the listed regions`,
      );
    }
    let own = new Map<string, VantageVote>();
    try {
      own = new Map((await deps.votes.loadVotes([deps.vantage])).get(deps.vantage) ?? []);
    } catch (error) {
      // Its hysteresis starts afresh (every target unknown): it votes after its first rounds.
      deps.log.error("could not read this vantage's last votes; starting from unknown", { error });
    }
    return new VantageVoter(deps, own);
  }

  /**
   * Vote on the round's services and count every vantage's latest votes.
   * Primary course:
   *  1. A service none of whose targets answered, while the canary does not answer either: blind
   *     (its hysteresis is left as it was; it abstains)
   *  2. Otherwise apply the round to this vantage's own hysteresis per target
   *  3. Record this vantage's votes (one PutItem), read the others' (one BatchGetItem)
   *  4. Count the votes per service
   */
  async round(
    services: readonly ServiceConfig[],
    observations: ReadonlyMap<string, Observation>,
    now: number,
  ): Promise<RoundVotes> {
    const { deps } = this;
    const unreached = services.filter((s) => {
      const seen = observations.get(s.name);
      return seen !== undefined && Object.values(seen.targets).every((target) => !target.ok);
    });
    const sighted = unreached.length === 0 || (await this.canaryAnswers());
    const newlyBlind: string[] = [];
    for (const service of services) {
      const seen = observations.get(service.name);
      if (seen === undefined) continue;
      const before = this.own.get(service.name);
      const blind = !sighted && unreached.includes(service);
      if (blind && before?.blind !== true) newlyBlind.push(service.name);
      const targets = blind ? (before?.targets ?? {}) : this.observe(service, before, seen, now);
      const since =
        before !== undefined && now - before.at <= freshnessMs(service.policy) ? before.since : now;
      this.own.set(service.name, { vantage: deps.vantage, at: now, since, blind, targets });
    }
    try {
      await deps.votes.saveVotes(deps.vantage, this.own);
    } catch (error) {
      // The others cannot see this round's vote; this vantage still counts it itself and decides.
      deps.log.error("could not record this vantage's votes", { error });
    }
    const others = deps.vantages.regions.filter((region) => region !== deps.vantage);
    let recorded: Map<string, ReadonlyMap<string, VantageVote>>;
    try {
      recorded = await deps.votes.loadVotes(others);
    } catch (error) {
      deps.log.error("could not read the other vantages' votes; deciding nothing this round", { error });
      this.failed(error);
      return { tallies: new Map(), newlyBlind };
    }
    this.failures = 0;
    const tallies = new Map<string, Tally>();
    for (const service of services) {
      const votes = [this.own.get(service.name), ...others.map((v) => recorded.get(v)?.get(service.name))];
      const counted = votes.filter((vote): vote is VantageVote => vote !== undefined);
      tallies.set(
        service.name,
        tally(
          counted,
          deps.vantages,
          service.targets.map((t) => t.id),
          service.policy,
          now,
          deps.vantage,
        ),
      );
    }
    return { tallies, newlyBlind };
  }

  private failed(error: unknown): void {
    this.failures++;
    if (this.failures >= MAX_VOTE_FAILURES) {
      throw new VotesUnavailableError(
        `The other vantages' votes could not be read for ${this.failures} rounds in a row; nothing can be ` +
          'decided without them. Check the state table and the watchdog role (DynamoDB BatchGetItem).',
        { cause: error },
      );
    }
  }

  private observe(
    service: ServiceConfig,
    before: VantageVote | undefined,
    seen: Observation,
    now: number,
  ): Record<TargetId, VoteHealth> {
    const targets: Record<TargetId, VoteHealth> = {};
    for (const { id } of service.targets) {
      const previous =
        before !== undefined && Object.hasOwn(before.targets, id) ? before.targets[id] : undefined;
      const observed = seen.targets[id];
      const health = { ...initialTargetHealth(), ...previous, last: [] };
      if (observed === undefined) {
        if (previous !== undefined) targets[id] = previous;
        continue;
      }
      const { last: _evidence, ...next } = observeTarget(health, observed, service.policy, now);
      targets[id] = next;
    }
    return targets;
  }

  /** Without a canary a vantage is never called blind: it cannot tell its network from a total outage. */
  private async canaryAnswers(): Promise<boolean> {
    const canary = this.deps.vantages.canary;
    if (canary === null) return true;
    return (await this.deps.prober.probeTarget(canaryService(canary), 'canary')).ok;
  }
}

/**
 * The canary as the one-target "service" the prober probes (its name never leaves this round: the
 * canary is not a service, has no state and no records).
 */
function canaryService(canary: HttpCheck): ServiceConfig {
  return {
    name: 'canary',
    hostedZoneId: 'Z0',
    recordName: 'canary.',
    recordType: 'CNAME',
    activeWeight: 1,
    targets: [{ id: 'canary', setIdentifier: 'canary', checks: [canary] }],
    notify: [],
    policy: {
      probeIntervalSeconds: 60,
      failureThreshold: 1,
      recoveryThreshold: 1,
      minDwellSeconds: 0,
      failback: 'manual',
      maxAutoFailbacksPerHour: 0,
    },
    metrics: 'basic',
    dataPlane: { mode: 'off', deadlineSeconds: 30 },
  };
}
