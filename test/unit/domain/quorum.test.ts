/**
 * The quorum of vantages (issue #11): counting votes, and `decideByQuorum` acting only on a quorum.
 */
import { describe, expect, it } from 'vitest';
import { decideByQuorum } from '../../../shared/domain/decide.ts';
import { CLOCK_ALLOWANCE_MS } from '../../../shared/domain/flip-timing.ts';
import {
  describeVotes,
  dissent,
  quorumHealth,
  quorumLost,
  tally,
  type VantageVote,
  type VoteHealth,
} from '../../../shared/domain/quorum.ts';
import { checks, health, kinds, moves, ORDER, policy, SECOND, state, T0 } from './decide-fixtures.ts';

const VANTAGES = { regions: ['us-east-1', 'us-east-2', 'eu-west-1'], quorum: 2 };
const P = policy({ probeIntervalSeconds: 10 });

function seen(status: VoteHealth['status']): VoteHealth {
  const { last: _last, ...rest } = health(status);
  return rest;
}

function vote(
  vantage: string,
  primary: VoteHealth['status'],
  secondary: VoteHealth['status'] = 'up',
  at = T0,
): VantageVote {
  return {
    vantage,
    at,
    since: at - 60 * SECOND,
    blind: false,
    targets: { primary: seen(primary), secondary: seen(secondary) },
  };
}

const evidence = { primary: checks('fail'), secondary: checks('ok') };

describe('tally', () => {
  it('counts fresh votes and says who abstains and why', () => {
    const votes = [
      vote('us-east-1', 'down'),
      { ...vote('us-east-2', 'down'), blind: true },
      vote('eu-west-1', 'down', 'up', T0 - 2 * 10 * SECOND - CLOCK_ALLOWANCE_MS - 1),
    ];

    const count = tally(votes, VANTAGES, ORDER, P, T0);

    expect(count.voters.map((v) => v.vantage)).toEqual(['us-east-1']);
    expect(count.abstained).toEqual([
      { vantage: 'us-east-2', why: 'blind' },
      { vantage: 'eu-west-1', why: 'stale' },
    ]);
    expect(quorumLost(count)).toBe(true);
  });

  it('calls a vantage that never voted silent, and one from too far in the future stale', () => {
    const count = tally([vote('us-east-1', 'up', 'up', T0 + 31 * SECOND)], VANTAGES, ORDER, P, T0);

    expect(count.abstained).toEqual([
      { vantage: 'us-east-1', why: 'stale' },
      { vantage: 'us-east-2', why: 'silent' },
      { vantage: 'eu-west-1', why: 'silent' },
    ]);
  });

  it('does not call a lost quorum worth an alert while the others have yet to cast a first vote', () => {
    const justStarted = { ...vote('us-east-1', 'down'), since: T0 - 5 * SECOND };

    const starting = tally([justStarted], VANTAGES, ORDER, P, T0, 'us-east-1');
    const later = tally([{ ...justStarted, since: T0 - 31 * SECOND }], VANTAGES, ORDER, P, T0, 'us-east-1');
    const afterSomeoneStopped = tally(
      [justStarted, vote('us-east-2', 'up', 'up', T0 - 31 * SECOND)],
      VANTAGES,
      ORDER,
      P,
      T0,
      'us-east-1',
    );

    expect([starting.starting, later.starting, afterSomeoneStopped.starting]).toEqual([true, false, false]);
    expect(kinds(decideByQuorum(state(), starting, evidence, P, ORDER, T0).actions)).toEqual([]);
    expect(kinds(decideByQuorum(state(), later, evidence, P, ORDER, T0).actions)).toEqual([
      'alert:quorum-lost',
    ]);
  });

  it('keeps a vote fresh across clocks 10 s apart (each 5 s off)', () => {
    const votes = [
      vote('us-east-1', 'up', 'up', T0 + 5 * SECOND),
      vote('us-east-2', 'up', 'up', T0 - 25 * SECOND),
    ];

    expect(tally(votes, VANTAGES, ORDER, P, T0).voters).toHaveLength(2);
  });
});

describe('quorumHealth', () => {
  it('is DOWN when a quorum says so, with the streak a quorum has seen', () => {
    const count = tally(
      [vote('us-east-1', 'down'), vote('us-east-2', 'down'), vote('eu-west-1', 'up')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );

    const judged = quorumHealth(health('up'), count, 'primary', T0, checks('fail'), P);

    expect(judged).toMatchObject({ status: 'down', failStreak: P.failureThreshold, okStreak: 0, since: T0 });
  });

  it('stays as it was when neither side has a quorum', () => {
    const count = tally([vote('us-east-1', 'down'), vote('us-east-2', 'unknown')], VANTAGES, ORDER, P, T0);

    expect(quorumHealth(health('up'), count, 'primary', T0, [], P).status).toBe('up');
  });
});

describe('quorumHealth after the flip function refused a target', () => {
  it('keeps it DOWN for recoveryThreshold rounds although every vantage votes UP, then lets it up', () => {
    const count = tally(
      [vote('us-east-1', 'up'), vote('us-east-2', 'up'), vote('eu-west-1', 'up')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );
    const refused = health('down', { since: T0 - 10 * SECOND, failStreak: P.failureThreshold });
    const recoveryMs = P.recoveryThreshold * P.probeIntervalSeconds * 1000;

    expect(quorumHealth(refused, count, 'secondary', T0, [], P).status).toBe('down');
    expect(quorumHealth(refused, count, 'secondary', T0 - 10 * SECOND + recoveryMs, [], P).status).toBe('up');
  });
});

describe('decideByQuorum', () => {
  it('fails over when a quorum sees the primary down, naming the vantages in the reason', () => {
    const count = tally(
      [vote('us-east-1', 'down'), vote('us-east-2', 'down'), vote('eu-west-1', 'up')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );

    const { actions } = decideByQuorum(state(), count, evidence, P, ORDER, T0);

    const [flip] = moves(actions);
    expect(flip).toMatchObject({ type: 'failover', to: 'secondary' });
    expect(flip?.reason).toContain(
      'quorum 2 of 3: us-east-1, us-east-2 see primary down; eu-west-1 sees primary up',
    );
  });

  it('does not fail over on one vantage cut off from the primary, and says it disagrees once', () => {
    const count = tally(
      [vote('us-east-1', 'up'), vote('us-east-2', 'up'), vote('eu-west-1', 'down')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );

    const first = decideByQuorum(state(), count, evidence, P, ORDER, T0);
    const second = decideByQuorum(first.next, count, evidence, P, ORDER, T0 + 10 * SECOND);

    expect(moves(first.actions)).toEqual([]);
    expect(kinds(first.actions)).toEqual(['notify:vantage-disagrees']);
    expect(first.actions[0]).toMatchObject({
      message: expect.stringContaining('eu-west-1 sees primary down while the quorum sees it up'),
    });
    expect(second.actions).toEqual([]);
    expect(first.next.announced).toEqual(['vantage-disagrees']);
  });

  it('moves nothing and alerts when fewer than a quorum vote, even with the primary down', () => {
    const count = tally([vote('us-east-1', 'down')], VANTAGES, ORDER, P, T0);

    const { next, actions } = decideByQuorum(state(), count, evidence, P, ORDER, T0);

    expect(moves(actions)).toEqual([]);
    expect(kinds(actions)).toEqual(['alert:quorum-lost']);
    expect(next.targets.primary?.status).toBe('up');
    expect(actions[0]).toMatchObject({
      message: expect.stringContaining('Only 1 of 3 vantages vote (us-east-1); a quorum needs 2'),
    });
  });

  it('fails back only when a quorum sees the primary up again', () => {
    const onStandby = state({
      active: 'secondary',
      epoch: 1,
      lastFlipAt: T0 - 3_600 * SECOND,
      targets: { primary: health('down'), secondary: health('up') },
    });
    const one = tally(
      [vote('us-east-1', 'up'), vote('us-east-2', 'down'), vote('eu-west-1', 'down')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );
    const two = tally(
      [vote('us-east-1', 'up'), vote('us-east-2', 'up'), vote('eu-west-1', 'down')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );

    expect(moves(decideByQuorum(onStandby, one, evidence, P, ORDER, T0).actions)).toEqual([]);
    expect(moves(decideByQuorum(onStandby, two, evidence, P, ORDER, T0).actions)).toMatchObject([
      { type: 'failback', to: 'primary' },
    ]);
  });
});

describe('dissent and describeVotes', () => {
  it('lists the voters against the quorum per target', () => {
    const count = tally(
      [vote('us-east-1', 'up'), vote('us-east-2', 'up'), vote('eu-west-1', 'down')],
      VANTAGES,
      ORDER,
      P,
      T0,
    );

    expect(dissent(count, { primary: 'up', secondary: 'up' }, T0)).toEqual({ primary: ['eu-west-1'] });
    expect(dissent(count, { primary: 'unknown', secondary: 'up' }, T0)).toEqual({});
    // Seen down for 5 s only: every real outage starts like that, one vantage ahead of the others.
    expect(
      dissent(
        count,
        { primary: 'up', secondary: 'up' },
        (count.voters[2]?.targets.primary?.since ?? 0) + 5 * SECOND,
      ),
    ).toEqual({});
    expect(describeVotes(count, 'primary')).toBe(
      'quorum 2 of 3: eu-west-1 sees primary down; us-east-1, us-east-2 see primary up',
    );
  });
});
