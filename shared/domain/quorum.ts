/**
 * The quorum of vantage points (issue #11): a target is DOWN for a failover — or UP again for a
 * failback — only when a quorum of fresh vantages say so.
 *
 * Each vantage (a watchdog in one region) keeps its own hysteresis per target (`observeTarget`: fail
 * fast, return slow) and records the result every round as its vote, with the time it made it. A
 * vote counts when it is fresh — made within two probe intervals, as far as clocks that may differ
 * by up to {@link CLOCK_ALLOWANCE_MS} can tell — and its vantage is not blind (it reached neither
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
import type { CheckResult, TargetHealth, TargetStatus } from './state.ts';

/**
 * How far apart two vantages' clocks may be and their votes still be judged by their times. Lambda
 * hosts keep time with the Amazon Time Sync Service (well under a second apart); 5 s is the margin
 * the chaos tests skew clocks by.
 */
export const CLOCK_ALLOWANCE_MS = 5_000;

/** A vote older than this many probe intervals is stale: its vantage abstains. */
export const FRESH_INTERVALS = 2;

/** A vantage's own view of one target: its hysteresis, without the evidence. */
export type VoteHealth = Omit<TargetHealth, 'last'>;

/** One vantage's verdict on one service in its latest round. */
export interface VantageVote {
  readonly vantage: string;
  /** When the vantage made it, on its own clock (epoch ms). */
  readonly at: number;
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
  /** The configured vantages, in the config's order. */
  readonly vantages: readonly string[];
  /** Vantages whose vote counts this round: fresh and not blind. */
  readonly voters: readonly VantageVote[];
  readonly abstained: readonly { readonly vantage: string; readonly why: AbstainReason }[];
  readonly ballots: Readonly<Record<TargetId, Ballot>>;
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
): Tally {
  const freshMs = FRESH_INTERVALS * policy.probeIntervalSeconds * 1000 + CLOCK_ALLOWANCE_MS;
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
  return { quorum: vantages.quorum, vantages: vantages.regions, voters, abstained, ballots };
}

function statusIn(vote: VantageVote, id: TargetId): TargetStatus {
  return Object.hasOwn(vote.targets, id) ? (vote.targets[id]?.status ?? 'unknown') : 'unknown';
}

/**
 * A target's health as the quorum sees it: DOWN or UP when a quorum says so, else as it was. The
 * streaks are the quorum's too — the most that a quorum of voters have each seen (the q-th largest
 * streak) — so "down for 3 rounds" means a quorum saw at least 3 failed rounds.
 *
 * @example
 * quorumHealth(previous, count, 'primary', now, evidence).status; // 'down' once 2 of 3 say so
 */
export function quorumHealth(
  previous: TargetHealth,
  count: Tally,
  id: TargetId,
  now: number,
  last: readonly CheckResult[],
): TargetHealth {
  const ballot = count.ballots[id] ?? { up: [], down: [], unknown: [] };
  const status: TargetStatus =
    ballot.down.length >= count.quorum ? 'down' : ballot.up.length >= count.quorum ? 'up' : previous.status;
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
 * The voters that see a target otherwise than the quorum does (DOWN where the quorum says UP, or UP
 * where it says DOWN), by target: e.g. one region cut off from the primary.
 *
 * @example
 * dissent(count, { primary: 'up' }); // { primary: ['eu-west-1'] }
 */
export function dissent(
  count: Tally,
  statuses: Readonly<Record<TargetId, TargetStatus>>,
): Readonly<Record<TargetId, readonly string[]>> {
  const out: Record<TargetId, readonly string[]> = {};
  for (const [id, ballot] of Object.entries(count.ballots)) {
    const status = statuses[id];
    const against = status === 'up' ? ballot.down : status === 'down' ? ballot.up : [];
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
