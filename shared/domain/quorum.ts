/**
 * The quorum of vantage points (issue #11): a target is DOWN for a failover — or UP again for a
 * failback — only when a quorum of fresh vantages say so.
 *
 * Each vantage (a watchdog in one region) keeps its own hysteresis per target (`observeTarget`: fail
 * fast, return slow) and records the result every round as its vote, with the time it made it. A
 * vote counts when it is fresh — made within two probe intervals, as far as clocks that may differ
 * by up to `CLOCK_ALLOWANCE_MS` (flip-timing.ts) can tell — and its vantage is not blind (it reached neither
 * target nor the canary). Then, per target:
 *
 *   quorum (q) of the voters say DOWN  ->  DOWN
 *   q say UP                           ->  UP
 *   neither                            ->  as it was (no quorum: nothing moves, fail static)
 *
 * `q` is always a majority of the configured vantages (the config refuses less), so DOWN and UP can
 * never both reach it, and two disjoint groups of vantages can never each decide. Fewer than `q`
 * voters at all is "quorum lost": nothing can change until enough vantages vote again.
 *
 * Pure: no I/O, no clock (time is `now`).
 */
import type { Policy, TargetId, VantagesConfig } from './config.ts';
import { CLOCK_ALLOWANCE_MS } from './flip-timing.ts';
import type { CheckResult, TargetHealth, TargetStatus } from './state.ts';

/** A vote older than this many probe intervals is stale: its vantage abstains. */
export const FRESH_INTERVALS = 2;

/** A vantage's own view of one target: its hysteresis, without the evidence. */
export type VoteHealth = Omit<TargetHealth, 'last'>;

/** One vantage's verdict on one service in its latest round. */
export interface VantageVote {
  readonly vantage: string;
  /** When the vantage made it, on its own clock (epoch ms). */
  readonly at: number;
  /** Since when the vantage has voted on the service without a gap (its first vote, or after a gap). */
  readonly since: number;
  /** It reached neither target nor the canary: it cannot tell anything, so it abstains. */
  readonly blind: boolean;
  /** Each target's health after the vantage's own hysteresis, by id. */
  readonly targets: Readonly<Record<TargetId, VoteHealth>>;
}

export type AbstainReason = 'silent' | 'stale' | 'blind';

/** Who said what about one target. */
export interface Ballot {
  readonly up: readonly string[];
  readonly down: readonly string[];
  /** Voters that have not made up their mind on it yet (never probed it, or first rounds). */
  readonly unknown: readonly string[];
}

export interface Tally {
  readonly quorum: number;
  /** How old a vote may be and still count (`freshnessMs`). */
  readonly freshMs: number;
  /** The configured vantages, in the config's order. */
  readonly vantages: readonly string[];
  /** Vantages whose vote counts this round: fresh and not blind. */
  readonly voters: readonly VantageVote[];
  readonly abstained: readonly { readonly vantage: string; readonly why: AbstainReason }[];
  readonly ballots: Readonly<Record<TargetId, Ballot>>;
  /**
   * The counting vantage began voting on the service less than a freshness window ago and every
   * other vantage missing has never voted on it: the others are expected to vote any moment (a new
   * service, a first deployment), so a lost quorum is not yet worth an alert.
   */
  readonly starting: boolean;
}

/**
 * Count the votes of one service's round.
 *
 * @example
 * const count = tally(votes, config.vantages, targetOrder(service), service.policy, now);
 * count.voters.length >= count.quorum; // false: quorum lost, nothing moves
 */
export function tally(
  votes: readonly VantageVote[],
  vantages: Pick<VantagesConfig, 'regions' | 'quorum'>,
  order: readonly TargetId[],
  policy: Pick<Policy, 'probeIntervalSeconds'>,
  now: number,
  self?: string,
): Tally {
  const freshMs = freshnessMs(policy);
  const voters: VantageVote[] = [];
  const abstained: { vantage: string; why: AbstainReason }[] = [];
  for (const vantage of vantages.regions) {
    const vote = votes.find((v) => v.vantage === vantage);
    if (vote === undefined) abstained.push({ vantage, why: 'silent' });
    // A vote from the future beyond the allowance is as untrustworthy as an old one.
    else if (Math.abs(now - vote.at) > freshMs) abstained.push({ vantage, why: 'stale' });
    else if (vote.blind) abstained.push({ vantage, why: 'blind' });
    else voters.push(vote);
  }
  const ballots: Record<TargetId, Ballot> = {};
  for (const id of order) {
    const said = (status: TargetStatus) =>
      voters.filter((v) => statusIn(v, id) === status).map((v) => v.vantage);
    ballots[id] = { up: said('up'), down: said('down'), unknown: said('unknown') };
  }
  const own = votes.find((v) => v.vantage === self);
  const starting =
    own !== undefined &&
    now - own.since < freshMs &&
    abstained.every((a) => a.why === 'silent' || a.vantage === self);
  return {
    quorum: vantages.quorum,
    freshMs,
    vantages: vantages.regions,
    voters,
    abstained,
    ballots,
    starting,
  };
}

/**
 * How old a vote may be and still count: two probe intervals, plus how far two clocks may differ.
 *
 * @example
 * freshnessMs({ probeIntervalSeconds: 10 }); // 30_000
 */
export function freshnessMs(policy: Pick<Policy, 'probeIntervalSeconds'>): number {
  return FRESH_INTERVALS * policy.probeIntervalSeconds * 1000 + CLOCK_ALLOWANCE_MS;
}

function statusIn(vote: VantageVote, id: TargetId): TargetStatus {
  return Object.hasOwn(vote.targets, id) ? (vote.targets[id]?.status ?? 'unknown') : 'unknown';
}

/**
 * A target's health as the quorum sees it: DOWN or UP when a quorum says so, else as it was. The
 * streaks are the quorum's too — the most that a quorum of voters have each seen (the q-th largest
 * streak) — so "down for 3 rounds" means a quorum saw at least 3 failed rounds.
 *
 * A DOWN target turns UP no sooner than `recoveryThreshold` rounds after it went DOWN. A quorum's
 * own UP never comes sooner (each vantage needs those healthy rounds after the last failure), so
 * this only holds a DOWN the flip function set when the target failed its re-check (`refuse`): the
 * vantages never saw it down and vote UP at once, and without the hold the same move would be
 * decided, and refused, every round.
 *
 * @example
 * quorumHealth(previous, count, 'primary', now, evidence, policy).status; // 'down' once 2 of 3 say so
 */
export function quorumHealth(
  previous: TargetHealth,
  count: Tally,
  id: TargetId,
  now: number,
  last: readonly CheckResult[],
  policy: Pick<Policy, 'probeIntervalSeconds' | 'recoveryThreshold'>,
): TargetHealth {
  const ballot = count.ballots[id] ?? { up: [], down: [], unknown: [] };
  const voted: TargetStatus =
    ballot.down.length >= count.quorum ? 'down' : ballot.up.length >= count.quorum ? 'up' : previous.status;
  const recoveryMs = policy.recoveryThreshold * policy.probeIntervalSeconds * 1000;
  const tooSoon = previous.status === 'down' && previous.since !== null && now - previous.since < recoveryMs;
  const status: TargetStatus = voted === 'up' && tooSoon ? 'down' : voted;
  const streak = (pick: (health: VoteHealth) => number) =>
    kthLargest(
      count.voters.map((vote) => (Object.hasOwn(vote.targets, id) ? pick(vote.targets[id] ?? ZERO) : 0)),
      count.quorum,
    );
  return {
    status,
    okStreak: streak((health) => health.okStreak),
    failStreak: streak((health) => health.failStreak),
    since: status === previous.status ? previous.since : now,
    last,
  };
}

const ZERO: VoteHealth = { status: 'unknown', okStreak: 0, failStreak: 0, since: null };

function kthLargest(values: readonly number[], k: number): number {
  return [...values].sort((a, b) => b - a)[k - 1] ?? 0;
}

/** Whether fewer vantages vote than a quorum needs: nothing can change until more vote again. */
export function quorumLost(count: Tally): boolean {
  return count.voters.length < count.quorum;
}

/**
 * The voters that have seen a target otherwise than the quorum does (DOWN where the quorum says UP,
 * or UP where it says DOWN) for longer than a vote stays fresh, by target: e.g. one region cut off
 * from the primary. A shorter disagreement is every real outage's first rounds — the vantages do
 * not probe in step — and not worth telling anyone about.
 *
 * @example
 * dissent(count, { primary: 'up' }, now); // { primary: ['eu-west-1'] }
 */
export function dissent(
  count: Tally,
  statuses: Readonly<Record<TargetId, TargetStatus>>,
  now: number,
): Readonly<Record<TargetId, readonly string[]>> {
  const out: Record<TargetId, readonly string[]> = {};
  for (const id of Object.keys(count.ballots)) {
    const status = statuses[id];
    if (status !== 'up' && status !== 'down') continue;
    const against = count.voters
      .filter((vote) => {
        const seen = Object.hasOwn(vote.targets, id) ? vote.targets[id] : undefined;
        if (seen === undefined || seen.status === 'unknown' || seen.status === status) return false;
        return seen.since !== null && now - seen.since >= count.freshMs;
      })
      .map((vote) => vote.vantage);
    if (against.length > 0) out[id] = against;
  }
  return out;
}

/**
 * One line naming who voted what, for the flip's reason, the audit and the notifications.
 *
 * @example
 * describeVotes(count, 'primary');
 * // 'quorum 2 of 3: us-east-1, us-east-2 see primary down; eu-west-1 sees it up'
 */
export function describeVotes(count: Tally, id: TargetId): string {
  const ballot = count.ballots[id] ?? { up: [], down: [], unknown: [] };
  const parts = [
    ballot.down.length > 0
      ? `${list(ballot.down)} ${ballot.down.length === 1 ? 'sees' : 'see'} ${id} down`
      : '',
    ballot.up.length > 0 ? `${list(ballot.up)} ${ballot.up.length === 1 ? 'sees' : 'see'} ${id} up` : '',
    ballot.unknown.length > 0 ? `${list(ballot.unknown)} not yet sure of ${id}` : '',
    count.abstained.length > 0
      ? count.abstained.map((a) => `${a.vantage} abstains (${a.why})`).join(', ')
      : '',
  ].filter((part) => part !== '');
  return `quorum ${count.quorum} of ${count.vantages.length}: ${parts.join('; ')}`;
}

function list(names: readonly string[]): string {
  return names.join(', ');
}
