/**
 * What each vantage last said about a service, and what the quorum makes of it (issue #11), worded
 * for a person: `failoverctl status` prints it, the local demo's terminal and web views show it.
 *
 *   quorum 2 of 3 (2 voting): primary up, secondary up
 *   us-east-1: primary up, secondary up (just now)
 *   eu-west-1: primary down, secondary up (3 s ago) — disagrees on primary
 *   us-east-2: blind (12 s ago)
 *   us-west-2: no vote
 *
 * The counting is the runtime's own (`tally` in shared/domain/quorum.ts): a vote older than the
 * freshness window (`freshnessMs`) is stale and does not count, a blind one abstains.
 */
import {
  type ServiceConfig,
  type TargetId,
  targetOrder,
  type VantagesConfig,
} from '../shared/domain/config.ts';
import type { VantageVotes } from '../shared/domain/ports.ts';
import { tally, type VantageVote, type VoteHealth } from '../shared/domain/quorum.ts';
import type { TargetStatus } from '../shared/domain/state.ts';
import { ago } from './format.ts';

/** One vantage's latest vote on one service. */
export interface VoteView {
  readonly vantage: string;
  /** `none`: no vote on the service recorded; `blind`: reached nothing, abstains; `voting`: a verdict per target. */
  readonly kind: 'none' | 'blind' | 'voting';
  /** When the vantage made it (epoch ms, its own clock); null without a vote. */
  readonly at: number | null;
  /** Older (or further ahead) than the freshness window: it does not count. */
  readonly stale: boolean;
  /** Its hysteresis per target, most preferred first (empty without a vote). */
  readonly targets: Readonly<Record<TargetId, VoteHealth>>;
  /** Targets it sees up where the quorum sees them down, or the reverse (a fresh vote only). */
  readonly disagrees: readonly TargetId[];
}

/** The quorum's reading of one service's latest votes. */
export interface QuorumView {
  readonly quorum: number;
  readonly vantages: number;
  /** Vantages whose vote counts now: fresh and not blind. */
  readonly voting: number;
  /** How old a vote may be and still count (ms). */
  readonly freshMs: number;
  /** Fewer vantages vote than the quorum needs: nothing can move. */
  readonly lost: boolean;
  /** Per target, what a quorum of the voters says now; null when no quorum says either. */
  readonly verdict: Readonly<Record<TargetId, 'up' | 'down' | null>>;
  /** Every configured vantage, in the configuration's order. */
  readonly votes: readonly VoteView[];
}

/**
 * Count one service's latest votes as the watchdog does, for display.
 *
 * @example
 * const recorded = await votes.loadVotes(config.vantages.regions);
 * const view = quorumView(service, config.vantages, recorded, Date.now());
 * view.verdict.primary; // 'up' while 2 of 3 fresh vantages see it up
 */
export function quorumView(
  service: ServiceConfig,
  vantages: VantagesConfig,
  recorded: ReadonlyMap<string, VantageVotes>,
  now: number,
): QuorumView {
  const order = targetOrder(service);
  const latest = vantages.regions
    .map((vantage) => recorded.get(vantage)?.get(service.name))
    .filter((vote): vote is VantageVote => vote !== undefined);
  const count = tally(latest, vantages, order, service.policy, now);
  const verdict: Record<TargetId, 'up' | 'down' | null> = {};
  for (const id of order) {
    const ballot = count.ballots[id];
    verdict[id] =
      (ballot?.down.length ?? 0) >= count.quorum
        ? 'down'
        : (ballot?.up.length ?? 0) >= count.quorum
          ? 'up'
          : null;
  }
  const votes = vantages.regions.map((vantage): VoteView => {
    const vote = latest.find((v) => v.vantage === vantage);
    if (vote === undefined)
      return { vantage, kind: 'none', at: null, stale: false, targets: {}, disagrees: [] };
    const stale = Math.abs(now - vote.at) > count.freshMs;
    const targets: Record<TargetId, VoteHealth> = {};
    for (const id of order) {
      const health = Object.hasOwn(vote.targets, id) ? vote.targets[id] : undefined;
      if (health !== undefined) targets[id] = health;
    }
    const disagrees =
      stale || vote.blind
        ? []
        : order.filter((id) => {
            const said = statusOf(targets, id);
            const quorum = verdict[id];
            return quorum !== null && quorum !== undefined && said !== 'unknown' && said !== quorum;
          });
    return { vantage, kind: vote.blind ? 'blind' : 'voting', at: vote.at, stale, targets, disagrees };
  });
  return {
    quorum: count.quorum,
    vantages: vantages.regions.length,
    voting: count.voters.length,
    freshMs: count.freshMs,
    lost: count.voters.length < count.quorum,
    verdict,
    votes,
  };
}

/**
 * One vantage's vote as a line: `primary up, secondary up (4 s ago)`, `blind (12 s ago)`, `no vote`,
 * with `, stale` inside the brackets when it no longer counts and what it disagrees on after it.
 *
 * @example
 * voteText(view.votes[2], targetOrder(service), Date.now());
 * // 'primary down, secondary up (3 s ago) — disagrees on primary'
 */
export function voteText(vote: VoteView, order: readonly TargetId[], now: number): string {
  if (vote.kind === 'none' || vote.at === null) return 'no vote';
  const age = `(${ago(vote.at, now) || 'just now'}${vote.stale ? ', stale: does not count' : ''})`;
  if (vote.kind === 'blind') return `blind ${age}`;
  const said = order.map((id) => `${id} ${statusOf(vote.targets, id)}`).join(', ');
  const dissent = vote.disagrees.length > 0 ? ` — disagrees on ${vote.disagrees.join(', ')}` : '';
  return `${said} ${age}${dissent}`;
}

/**
 * The quorum's verdict as a line: `quorum 2 of 3 (3 voting): primary up, secondary up`, a target
 * no quorum speaks for as `primary undecided`, or `quorum lost: 1 of 3 voting, 2 needed`.
 *
 * @example
 * verdictText(view, targetOrder(service)); // 'quorum 2 of 3 (2 voting): primary down, secondary up'
 */
export function verdictText(view: QuorumView, order: readonly TargetId[]): string {
  if (view.lost)
    return `quorum lost: ${view.voting} of ${view.vantages} voting, ${view.quorum} needed: nothing moves`;
  const said = order.map((id) => `${id} ${view.verdict[id] ?? 'undecided'}`).join(', ');
  return `quorum ${view.quorum} of ${view.vantages} (${view.voting} voting): ${said}`;
}

function statusOf(targets: Readonly<Record<TargetId, VoteHealth>>, id: TargetId): TargetStatus {
  return Object.hasOwn(targets, id) ? (targets[id]?.status ?? 'unknown') : 'unknown';
}
