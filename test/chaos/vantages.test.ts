/**
 * Chaos, several vantages (issue #11): three watchdogs — the REAL handler, each as one vantage,
 * each probing through its own view of the network — share the state table and decide by a quorum
 * of 2. One vantage cut off from the primary must not move traffic; the primary down for all must
 * move it exactly once; one dead watchdog must not stop a failover; two dead must stop every flip
 * and say so; a blind vantage abstains; clocks 5 s apart change nothing.
 *
 * Each case has its own service, so a vantage that sits a case out has never voted on it (silent).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, type RunOptions, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled, flipsFor } from './support/settled.ts';

const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1'] as const;
const CASES = ['partitioned', 'down', 'one-dead', 'two-dead', 'blind', 'blind-down', 'skewed'] as const;
/** failureThreshold x probeIntervalSeconds + check timeout + one probe interval + 3 s of a busy machine. */
const BOUND_MS = 2 * 1_000 + 500 + 1_000 + 3_000;

describe('chaos: three vantages, a quorum of two', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack(
      CASES.map((name) => ({ name })),
      { vantages: { regions: REGIONS, quorum: 2, canary: true } },
    );
  }, 30_000);

  afterEach(() => {
    for (const vantage of REGIONS) stack.network?.heal(vantage);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** One scheduled run of `rounds` rounds in each of `vantages`, at the same time, over one service. */
  const runVantages = (
    service: string,
    rounds: number,
    vantages: readonly string[] = REGIONS,
    options: (vantage: string) => RunOptions = () => ({}),
  ) => Promise.all(vantages.map((v) => stack.runVantage(v, rounds, { ...options(v), only: [service] })));

  it('does not fail over when one vantage is cut off from the primary, and says it disagrees', async () => {
    stack.network?.partition('eu-west-1');

    // A disagreement is told once it outlasts a vote's freshness (2 intervals + 10 s of clocks).
    const reports = await runVantages('partitioned', 15);

    expect(reports.flatMap((r) => r.invoked)).toEqual([]);
    await expectSettled(stack, 'partitioned', {
      phase: 'primary-active',
      epoch: 0,
      flips: 0,
      events: ['vantage-disagrees'],
    });
    const [notice] = (await stack.history('partitioned')).filter((e) => e.kind === 'vantage-disagrees');
    expect(notice?.reason).toContain('eu-west-1 sees primary down while the quorum sees it up');
  }, 40_000);

  it('fails over exactly once, within the one-vantage bound and one interval, when the primary is down for all', async () => {
    const failedAt = Date.now();
    stack.backends('down').primary.set('fail');

    const reports = await runVantages('down', 6);

    expect(reports.flatMap((r) => r.invoked)).toHaveLength(1);
    expect(flipsFor(stack, 'down')).toBe(1);
    await expectSettled(stack, 'down', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover'],
    });
    const history = await stack.history('down');
    const decided = history.find((e) => e.kind === 'failover-decided');
    expect((decided?.at ?? Number.POSITIVE_INFINITY) - failedAt).toBeLessThanOrEqual(BOUND_MS);
    // The history names who voted.
    expect(decided?.reason).toMatch(/quorum 2 of 3: .*see primary down/);
  }, 30_000);

  it('still fails over with one vantage dead', async () => {
    stack.backends('one-dead').primary.set('fail');

    await runVantages('one-dead', 6, ['us-east-1', 'eu-west-1']);

    await expectSettled(stack, 'one-dead', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover'],
    });
    const decided = (await stack.history('one-dead')).find((e) => e.kind === 'failover-decided');
    expect(decided?.reason).toContain('us-east-2 abstains (silent)');
  }, 30_000);

  it('moves nothing once two vantages have died, and alerts that the quorum is lost', async () => {
    await runVantages('two-dead', 2);
    stack.backends('two-dead').primary.set('fail');

    // The dead vantages' last votes (primary up) count until they are stale: 2 intervals + 10 s.
    const [report] = await runVantages('two-dead', 14, ['us-east-2']);

    expect(report?.invoked).toEqual([]);
    expect(flipsFor(stack, 'two-dead')).toBe(0);
    expect(stack.hookEvents('two-dead')).toContain('quorum-lost');
    const state = await stack.state('two-dead');
    expect(state).toMatchObject({ active: 'primary', epoch: 0, moving: null });
    expect(state.announced).toContain('quorum-lost');
  }, 40_000);

  it('lets a blind vantage abstain and alert, while the others keep traffic where it is', async () => {
    stack.network?.blind('us-east-2');

    const reports = await runVantages('blind', 6);

    expect(reports.flatMap((r) => r.invoked)).toEqual([]);
    await expectSettled(stack, 'blind', {
      phase: 'primary-active',
      epoch: 0,
      flips: 0,
      events: ['vantage-blind'],
    });
  }, 30_000);

  it('fails over on the two sighted vantages while the third is blind', async () => {
    stack.network?.blind('us-east-1');
    stack.backends('blind-down').primary.set('fail');

    await runVantages('blind-down', 6);

    const events = stack.hookEvents('blind-down');
    expect(events.filter((e) => e === 'failover')).toHaveLength(1);
    expect(events).toContain('vantage-blind');
    expect(flipsFor(stack, 'blind-down')).toBe(1);
    const decided = (await stack.history('blind-down')).find((e) => e.kind === 'failover-decided');
    expect(decided?.reason).toContain('us-east-1 abstains (blind)');
  }, 30_000);

  it('fails over once, and never calls the quorum lost, with clocks 5 s apart', async () => {
    const shifts: Record<string, number> = { 'us-east-1': 5_000, 'us-east-2': 0, 'eu-west-1': -5_000 };
    await runVantages('skewed', 3, REGIONS, (v) => ({ shiftMs: shifts[v] ?? 0 }));
    stack.backends('skewed').primary.set('fail');

    await runVantages('skewed', 6, REGIONS, (v) => ({ shiftMs: shifts[v] ?? 0 }));

    await expectSettled(stack, 'skewed', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover'],
    });
  }, 40_000);
});
