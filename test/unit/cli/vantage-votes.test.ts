/**
 * The vantages' latest votes worded for a person (`failoverctl status`, the demo's views): each
 * vantage's verdict per target and its age, stale and blind votes, and the quorum's verdict.
 */
import { describe, expect, it } from 'vitest';
import {
  type QuorumView,
  quorumView,
  type VoteView,
  verdictText,
  voteText,
} from '../../../cli/vantage-votes.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import type { VantageVotes } from '../../../shared/domain/ports.ts';
import { freshnessMs, type VantageVote, type VoteHealth } from '../../../shared/domain/quorum.ts';
import { aService, parse } from '../config/sample-config.ts';

const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1', 'us-west-2'];
const config = parse({ services: [aService('payments-api')], vantages: { regions: REGIONS } });
const service = config.services[0] as ServiceConfig;
const vantages = config.vantages ?? { regions: [], quorum: 0, canary: null };
const ORDER = ['primary', 'secondary'];
const NOW = Date.UTC(2026, 0, 1, 12);

const health = (status: VoteHealth['status']): VoteHealth => ({
  status,
  okStreak: status === 'up' ? 5 : 0,
  failStreak: status === 'down' ? 3 : 0,
  since: NOW - 60_000,
});

function recorded(
  votes: Record<string, { primary: VoteHealth['status']; ageMs: number; blind?: boolean }>,
): Map<string, VantageVotes> {
  return new Map(
    Object.entries(votes).map(([vantage, v]): [string, VantageVotes] => {
      const vote: VantageVote = {
        vantage,
        at: NOW - v.ageMs,
        since: NOW - 120_000,
        blind: v.blind ?? false,
        targets: { primary: health(v.primary), secondary: health('up') },
      };
      return [vantage, new Map([[service.name, vote]])];
    }),
  );
}

function voteOf(view: QuorumView, vantage: string): VoteView {
  const found = view.votes.find((v) => v.vantage === vantage);
  if (found === undefined) throw new Error(`no vote view for ${vantage}`);
  return found;
}

describe('quorumView', () => {
  it('gives the quorum verdict and names the fresh vantage that sees otherwise', () => {
    const view = quorumView(
      service,
      vantages,
      recorded({
        'us-east-1': { primary: 'up', ageMs: 400 },
        'us-east-2': { primary: 'up', ageMs: 4_000 },
        'eu-west-1': { primary: 'down', ageMs: 2_000 },
      }),
      NOW,
    );

    expect(view).toMatchObject({ quorum: 3, vantages: 4, voting: 3, lost: false });
    expect(view.verdict).toEqual({ primary: null, secondary: 'up' });
    expect(verdictText(view, ORDER)).toBe('quorum 3 of 4 (3 voting): primary undecided, secondary up');
    expect(view.votes.map((v) => voteText(v, ORDER, NOW))).toEqual([
      'primary up, secondary up (just now)',
      'primary up, secondary up (4 s ago)',
      'primary down, secondary up (2 s ago)',
      'no vote',
    ]);
  });

  it('marks a vote older than the freshness window stale, and lets a blind vantage abstain', () => {
    const stale = freshnessMs(service.policy) + 1_000;
    const view = quorumView(
      service,
      vantages,
      recorded({
        'us-east-1': { primary: 'down', ageMs: 0 },
        'us-east-2': { primary: 'down', ageMs: 1_000 },
        'eu-west-1': { primary: 'up', ageMs: 12_000, blind: true },
        'us-west-2': { primary: 'up', ageMs: stale },
      }),
      NOW,
    );

    expect(view.voting).toBe(2);
    expect(view.lost).toBe(true);
    expect(verdictText(view, ORDER)).toBe('quorum lost: 2 of 4 voting, 3 needed: nothing moves');
    expect(voteText(voteOf(view, 'eu-west-1'), ORDER, NOW)).toBe('blind (12 s ago)');
    expect(view.votes[3]?.stale).toBe(true);
    expect(voteText(voteOf(view, 'us-west-2'), ORDER, NOW)).toMatch(
      /^primary up, secondary up \(\d+ s ago, stale: does not count\)$/,
    );
  });

  it('says who disagrees once a quorum has spoken', () => {
    const view = quorumView(
      service,
      vantages,
      recorded({
        'us-east-1': { primary: 'down', ageMs: 0 },
        'us-east-2': { primary: 'down', ageMs: 0 },
        'eu-west-1': { primary: 'down', ageMs: 0 },
        'us-west-2': { primary: 'up', ageMs: 3_000 },
      }),
      NOW,
    );

    expect(view.verdict.primary).toBe('down');
    expect(view.votes.map((v) => v.disagrees)).toEqual([[], [], [], ['primary']]);
    expect(voteText(voteOf(view, 'us-west-2'), ORDER, NOW)).toBe(
      'primary up, secondary up (3 s ago) — disagrees on primary',
    );
  });
});
