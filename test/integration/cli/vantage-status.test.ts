/**
 * `failoverctl status` with vantages (issue #11): each vantage's latest vote per target and its age,
 * stale and blind votes, vantages that never voted, and the quorum's verdict — read with the real
 * vote store over the real SDK from dynalite, where the real watchdog handler (as one vantage) and
 * the vote store (as the others) wrote them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchdogHandler } from '../../../functions/watchdog.ts';
import { createVoteStore } from '../../../shared/aws/vote-store.ts';
import { loadConfig } from '../../../shared/config/index.ts';
import { type Runtime, runtime } from '../../../shared/controller/runtime.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import type { VoteStore } from '../../../shared/domain/ports.ts';
import { freshnessMs, type VantageVote } from '../../../shared/domain/quorum.ts';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1', 'us-west-2'] as const;

interface StatusJson {
  services: {
    service: string;
    vantages?: {
      quorum: number;
      voting: number;
      lost: boolean;
      freshMs: number;
      verdict: Record<string, string | null>;
      votes: {
        vantage: string;
        vote: string;
        at: string | null;
        ageMs: number | null;
        stale: boolean;
        targets: Record<string, { status: string }>;
      }[];
    };
  }[];
}

describe('failoverctl status with vantages', () => {
  let h: Harness;
  let dynamo: DynamoDBClient;
  let votes: VoteStore;
  let config: ControllerConfig;
  let configFile: string;

  const vote = (vantage: string, at: number, blind: boolean): VantageVote => ({
    vantage,
    at,
    since: at - 60_000,
    blind,
    targets: {
      primary: { status: 'down', okStreak: 0, failStreak: 4, since: at - 50_000 },
      secondary: { status: 'up', okStreak: 9, failStreak: 0, since: at - 60_000 },
    },
  });

  /** The real watchdog handler as vantage us-east-1, probing the harness's backends. */
  const runAsUsEast1 = async (rounds: number) => {
    const rt = runtime('watchdog');
    const handler = watchdogHandler((): Runtime => ({ ...rt, config, vantage: 'us-east-1' }));
    await handler({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
  };

  beforeAll(async () => {
    h = await startHarness([{ name: 'alpha', failback: 'manual' }]);
    configFile = join(h.configFile, '..', 'vantages.config.yml');
    await writeFile(
      configFile,
      `${await readFile(h.configFile, 'utf8')}\nvantages: { regions: [${REGIONS.join(', ')}] }\n`,
    );
    config = loadConfig({ file: configFile, env: process.env });
    dynamo = new DynamoDBClient({});
    votes = createVoteStore({ client: dynamo, table: h.stack.env.STATE_TABLE ?? '' });
  }, 60_000);

  afterAll(async () => {
    dynamo?.destroy();
    await h?.close();
  });

  it('says no vantage has voted before any watchdog ran', async () => {
    const run = await runCli(['status', '--config', configFile]);

    expect(run.code).toBe(0);
    expect(run.out).toContain('alpha votes (stale after 12.0 s): quorum lost: 0 of 4 voting, 3 needed');
    for (const region of REGIONS) expect(run.out).toContain(`  ${region}: no vote\n`);
  });

  it("shows each vantage's latest vote and its age, stale and blind ones marked, and the verdict", async () => {
    await runAsUsEast1(3);
    const now = Date.now();
    const stale = now - freshnessMs(config.services[0]?.policy ?? { probeIntervalSeconds: 1 }) - 20_000;
    await votes.saveVotes('us-east-2', new Map([['alpha', vote('us-east-2', stale, false)]]));
    await votes.saveVotes('eu-west-1', new Map([['alpha', vote('eu-west-1', now - 5_000, true)]]));

    const run = await runCli(['status', '--config', configFile]);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^ {2}us-east-1: primary up, secondary up \((just now|\d s ago)\)$/m);
    expect(run.out).toMatch(
      /^ {2}us-east-2: primary down, secondary up \(3\d s ago, stale: does not count\)$/m,
    );
    expect(run.out).toMatch(/^ {2}eu-west-1: blind \([56] s ago\)$/m);
    expect(run.out).toContain('  us-west-2: no vote\n');
    expect(run.out).toContain('alpha votes (stale after 12.0 s): quorum lost: 1 of 4 voting, 3 needed');
  });

  it('gives the same votes in --json, with their times, ages and staleness', async () => {
    const run = await runCli(['status', '--json', '--config', configFile]);

    expect(run.code).toBe(0);
    const body = JSON.parse(run.out) as StatusJson;
    const quorum = body.services[0]?.vantages;
    expect(quorum).toMatchObject({ quorum: 3, voting: 1, lost: true, freshMs: 12_000 });
    expect(quorum?.votes.map((v) => [v.vantage, v.vote, v.stale])).toEqual([
      ['us-east-1', 'voting', false],
      ['us-east-2', 'voting', true],
      ['eu-west-1', 'blind', false],
      ['us-west-2', 'none', false],
    ]);
    expect(quorum?.votes[0]?.targets).toMatchObject({
      primary: { status: 'up' },
      secondary: { status: 'up' },
    });
    expect(quorum?.votes[1]?.ageMs).toBeGreaterThan(12_000);
    expect(quorum?.votes[3]).toMatchObject({ at: null, ageMs: null, targets: {} });
  });

  it('gives the quorum verdict once enough fresh vantages agree, and names the one that disagrees', async () => {
    await runAsUsEast1(1);
    const now = Date.now();
    await votes.saveVotes('us-east-2', new Map([['alpha', vote('us-east-2', now, false)]]));
    await votes.saveVotes('eu-west-1', new Map([['alpha', vote('eu-west-1', now, false)]]));
    await votes.saveVotes('us-west-2', new Map([['alpha', vote('us-west-2', now, false)]]));

    const run = await runCli(['status', '--config', configFile]);

    expect(run.code).toBe(0);
    expect(run.out).toContain('quorum 3 of 4 (4 voting): primary down, secondary up');
    expect(run.out).toMatch(/^ {2}us-east-1: primary up, secondary up \(.*\) — disagrees on primary$/m);
  });

  it('shows no vote section for a configuration without vantages', async () => {
    const run = await runCli(['status', '--config', h.configFile]);

    expect(run.code).toBe(0);
    expect(run.out).not.toContain('votes (stale after');
  });
});
