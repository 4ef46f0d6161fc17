/**
 * The quorum's invariants (issue #11) over any stored state and any votes: fresh or stale, blind or
 * sighted, agreeing or not.
 */
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { TargetId } from '../../shared/domain/config.ts';
import { decideByQuorum } from '../../shared/domain/decide.ts';
import { isFlipAction } from '../../shared/domain/events.ts';
import { quorumLost, tally, type VantageVote, type VoteHealth } from '../../shared/domain/quorum.ts';
import { healthOf } from '../../shared/domain/state.ts';
import { policyArb } from './arbitraries.ts';
import { stateArb } from './state-arbitraries.ts';

const RUNS = { numRuns: 300 };
const ORDER: readonly TargetId[] = ['primary', 'secondary'];
const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1'];
const NOW = Date.UTC(2026, 0, 1);

const statusArb = fc.constantFrom('up' as const, 'down' as const, 'unknown' as const);
const voteHealthArb: fc.Arbitrary<VoteHealth> = fc.record({
  status: statusArb,
  okStreak: fc.nat({ max: 20 }),
  failStreak: fc.nat({ max: 10 }),
  since: fc.constant(null),
});

/** Each vantage: no vote at all, or a vote made up to a minute before or after now. */
const votesArb: fc.Arbitrary<VantageVote[]> = fc
  .tuple(
    ...REGIONS.map((vantage) =>
      fc.option(
        fc.record<VantageVote>({
          vantage: fc.constant(vantage),
          at: fc.integer({ min: NOW - 60_000, max: NOW + 60_000 }),
          since: fc.integer({ min: NOW - 120_000, max: NOW }),
          blind: fc.boolean(),
          targets: fc.record({ primary: voteHealthArb, secondary: voteHealthArb }),
        }),
        { nil: undefined },
      ),
    ),
  )
  .map((votes) => votes.filter((vote): vote is VantageVote => vote !== undefined));

const quorumArb = fc.constantFrom(2, 3);

describe('decideByQuorum over any votes', () => {
  test.prop([stateArb, votesArb, policyArb, quorumArb], RUNS)(
    'with fewer voters than a quorum, leaves every status as it was and at most re-sends the pending move',
    (state, votes, policy, quorum) => {
      const count = tally(votes, { regions: REGIONS, quorum }, ORDER, policy, NOW);
      if (!quorumLost(count)) return;

      const { next, actions } = decideByQuorum(state, count, {}, policy, ORDER, NOW);

      for (const flip of actions.filter(isFlipAction)) {
        // The move a quorum decided before, sent again on the same epoch: never a new decision.
        expect(flip).toMatchObject({ to: state.moving?.to, epoch: state.epoch });
      }
      for (const id of ORDER) expect(healthOf(next, id).status).toBe(healthOf(state, id).status);
      expect(next.moving?.to).toEqual(state.moving?.to);
      expect(next.active).toBe(state.active);
    },
  );

  test.prop([stateArb, votesArb, policyArb, quorumArb], RUNS)(
    'never moves traffic to a target a quorum sees down, nor away from one a quorum sees up',
    (state, votes, policy, quorum) => {
      const count = tally(votes, { regions: REGIONS, quorum }, ORDER, policy, NOW);

      const { actions } = decideByQuorum(state, count, {}, policy, ORDER, NOW);

      for (const flip of actions.filter(isFlipAction)) {
        expect(count.ballots[flip.to]?.down.length ?? 0).toBeLessThan(quorum);
        if (flip.type === 'failover')
          expect(count.ballots[state.active]?.up.length ?? 0).toBeLessThan(quorum);
      }
    },
  );

  test.prop([stateArb, votesArb, policyArb, quorumArb], RUNS)(
    'a target changes status only when a quorum of fresh, sighted vantages says the new status',
    (state, votes, policy, quorum) => {
      const count = tally(votes, { regions: REGIONS, quorum }, ORDER, policy, NOW);

      const { next } = decideByQuorum(state, count, {}, policy, ORDER, NOW);

      for (const id of ORDER) {
        const after = healthOf(next, id).status;
        if (after === healthOf(state, id).status) continue;
        const ballot = count.ballots[id];
        const agreeing = after === 'up' ? ballot?.up : after === 'down' ? ballot?.down : [];
        expect(agreeing?.length ?? 0).toBeGreaterThanOrEqual(quorum);
        for (const vantage of agreeing ?? []) {
          const vote = votes.find((v) => v.vantage === vantage);
          expect(vote?.blind).toBe(false);
        }
      }
    },
  );
});
