/**
 * Chaos matrix, DynamoDB: throttling, a conditional-check race and writes whose answer is lost,
 * injected in the local DynamoDB's fault layer under the real handlers and SDK clients (with the
 * production request timeouts of shared/controller/runtime.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, FUNCTIONS, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled } from './support/settled.ts';

const SERVICES = ['throttled-rounds', 'throttled-flip', 'race', 'lost-decision', 'lost-claim'];
const failedOverOnce = { phase: 'secondary-active', epoch: 1, flips: 1, events: ['failover'] } as const;

describe('chaos: DynamoDB faults', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack(SERVICES.map((name) => ({ name })));
    await stack.runWatchdog(1); // first sight: every service's state item exists, both targets up
  }, 30_000);

  afterEach(() => stack.dynamo.faults.reset());

  afterAll(async () => {
    await stack?.close();
  });

  const quietRun = async (service: string) => {
    stack.dynamo.faults.reset();
    const report = await stack.runWatchdog(1, { only: [service] });
    expect(report.invoked).toEqual([]);
  };
  const outcomes = (service: string) => stack.flipRuns('failover', service).map((r) => r.result?.outcome);

  it('keeps deciding through throttled watchdog rounds: state converges, one flip', async () => {
    stack.backends('throttled-rounds').primary.set('fail');
    // The run's load meets throttling that the SDK's retries (4 attempts) absorb; the first round's
    // write meets more than they absorb, and the round is decided again from the stored state.
    stack.dynamo.faults.failNext(1, 'ProvisionedThroughputExceededException', 'BatchGetItem');
    stack.dynamo.faults.failNext(4, 'ProvisionedThroughputExceededException', 'PutItem');

    // Room for the SDK's throttling backoff (up to ~4 s here) plus the two rounds that decide.
    const report = await stack.runWatchdog(12, { only: ['throttled-rounds'] });

    expect(report.invoked).toEqual([{ fn: 'failover', service: 'throttled-rounds', epoch: 0 }]);
    expect(outcomes('throttled-rounds')).toEqual(['failed-over']);
    await expectSettled(stack, 'throttled-rounds', failedOverOnce);
    await quietRun('throttled-rounds');
    await expectSettled(stack, 'throttled-rounds', failedOverOnce);
  });

  it('fails a throttled flip invocation cleanly and its async retry flips once', async () => {
    const decided = stack.capture('failover');
    stack.backends('throttled-flip').primary.set('fail');
    await stack.runWatchdog(2, { only: ['throttled-flip'] });
    stack.restore('failover');
    // More throttling than the SDK's three attempts absorb: the first invocation fails on its load.
    stack.dynamo.faults.failNext(4, 'ProvisionedThroughputExceededException');
    // The stand-in runs Lambda's own delays 20x faster (the retry comes 3 s after the failure, not
    // 60 s) but not the handler: the scaled 120 s event age (6 s) could not hold the real seconds
    // the throttled run spends in the SDK's backoff, and on a loaded machine would drop the retry
    // that AWS makes. The age is lifted for this test alone; the retry rule is what it checks.
    const { handler } = await import('../../functions/failover.ts');
    stack.lambda.register(FUNCTIONS.failover, { handler: handler as never, maximumEventAgeSeconds: 3_600 });

    try {
      await stack.invoke('failover', decided[0], 'Event');
      await stack.lambda.idle();
    } finally {
      stack.restore('failover');
    }

    const runs = stack.flipRuns('failover', 'throttled-flip');
    expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
    expect(runs[0]?.outcome).toMatch(/ProvisionedThroughputExceededException/);
    expect(runs[1]?.result?.outcome).toBe('failed-over');
    await expectSettled(stack, 'throttled-flip', failedOverOnce);
    await quietRun('throttled-flip');
    await expectSettled(stack, 'throttled-flip', failedOverOnce);
  });

  it('lets one of two watchdogs racing on the same version win: one failover invoked, one flip', async () => {
    stack.backends('race').primary.set('fail');
    // Slow writes: both runs read the same version before either write lands.
    stack.dynamo.faults.setLatency(300, 'PutItem');

    const reports = await Promise.all([
      stack.runWatchdog(3, { only: ['race'] }),
      stack.runWatchdog(3, { only: ['race'] }),
    ]);

    expect(reports.flatMap((r) => r.invoked)).toEqual([{ fn: 'failover', service: 'race', epoch: 0 }]);
    expect(reports.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThanOrEqual(1);
    expect(outcomes('race')).toEqual(['failed-over']);
    await expectSettled(stack, 'race', failedOverOnce);
    await quietRun('race');
    await expectSettled(stack, 'race', failedOverOnce);
  });

  it('recognises its own decision write whose answer was lost, and invokes the failover once', async () => {
    stack.backends('lost-decision').primary.set('fail');
    await stack.runWatchdog(1, { only: ['lost-decision'] }); // one failed round: failStreak 1
    // The next write, the failover decision, is applied but never answered: the SDK times out and
    // re-sends it, and the re-sent conditional write fails against the decision itself.
    stack.dynamo.faults.applyThenTimeout(1, 'PutItem');

    const report = await stack.runWatchdog(1, { only: ['lost-decision'] });

    expect(report.invoked).toEqual([{ fn: 'failover', service: 'lost-decision', epoch: 0 }]);
    expect(outcomes('lost-decision')).toEqual(['failed-over']);
    await expectSettled(stack, 'lost-decision', failedOverOnce);
    await quietRun('lost-decision');
    await expectSettled(stack, 'lost-decision', failedOverOnce);
  });

  it('recognises its own claim write whose answer was lost, and flips once', async () => {
    const decided = stack.capture('failover');
    stack.backends('lost-claim').primary.set('fail');
    await stack.runWatchdog(2, { only: ['lost-claim'] });
    stack.restore('failover');
    stack.dynamo.faults.applyThenTimeout(1, 'PutItem'); // the failover's claim (moving to the secondary)

    const result = await stack.invoke('failover', decided[0]);

    expect(result).toMatchObject({ outcome: 'failed-over', epoch: 1 });
    await expectSettled(stack, 'lost-claim', failedOverOnce);
    await quietRun('lost-claim');
    await expectSettled(stack, 'lost-claim', failedOverOnce);
  });
});
