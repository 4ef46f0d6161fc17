/**
 * Chaos matrix, Route 53: faults of the local Route 53 under the real watchdog and failover
 * handlers. Each test: the expected decision, one compare-and-swap at most, the state consistent
 * with Route 53, the right alert, and a quiet next run once the fault clears.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled, flipsFor } from './support/settled.ts';

const SERVICES = ['throttle', 'prior', 'error5xx', 'applied500', 'slowchange', 'pending', 'handedit'];

describe('chaos: Route 53 faults', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack(SERVICES.map((name) => ({ name })));
  }, 30_000);

  afterEach(() => stack.route53.faults.reset());

  afterAll(async () => {
    await stack?.close();
  });

  /** Fail the primary, let the watchdog decide and the failover run under the fault, then a quiet run. */
  const failOver = async (service: string) => {
    stack.backends(service).primary.set('fail');
    const report = await stack.runWatchdog(2, { only: [service] });
    expect(report.invoked).toEqual([{ fn: 'failover', service, epoch: 0 }]);
  };
  const quietRun = async (service: string) => {
    stack.route53.faults.reset();
    const report = await stack.runWatchdog(1, { only: [service] });
    expect(report.invoked).toEqual([]);
  };
  const outcomes = (service: string) => stack.flipRuns('failover', service).map((r) => r.result?.outcome);
  const failedOverOnce = { phase: 'secondary-active', epoch: 1, flips: 1, events: ['failover'] } as const;

  it('rides out a throttling burst on the change call and flips once', async () => {
    stack.route53.faults.failNext(3, 'Throttling', 'ChangeResourceRecordSets');

    await failOver('throttle');

    expect(outcomes('throttle')).toEqual(['failed-over']);
    await expectSettled(stack, 'throttle', failedOverOnce);
    await quietRun('throttle');
    await expectSettled(stack, 'throttle', failedOverOnce);
  });

  it('waits out PriorRequestNotComplete and flips once', async () => {
    stack.route53.faults.failNext(2, 'PriorRequestNotComplete', 'ChangeResourceRecordSets');

    await failOver('prior');

    expect(outcomes('prior')).toEqual(['failed-over']);
    await expectSettled(stack, 'prior', failedOverOnce);
    await quietRun('prior');
    await expectSettled(stack, 'prior', failedOverOnce);
  });

  it('retries 500s and 503s that applied nothing, and flips once', async () => {
    stack.route53.faults.failNext(1, 'InternalFailure', 'ChangeResourceRecordSets');
    stack.route53.faults.failNext(1, 'ServiceUnavailable', 'ChangeResourceRecordSets');

    await failOver('error5xx');

    expect(outcomes('error5xx')).toEqual(['failed-over']);
    await expectSettled(stack, 'error5xx', failedOverOnce);
    await quietRun('error5xx');
    await expectSettled(stack, 'error5xx', failedOverOnce);
  });

  it('judges a 500 after the change was applied by re-reading: recorded as flipped, never re-sent', async () => {
    stack.route53.faults.failAfterApply(1);
    const changeCalls = () =>
      stack.route53.calls.filter((c) => c.operation === 'ChangeResourceRecordSets').length;
    const before = changeCalls();

    await failOver('applied500');

    expect(changeCalls() - before).toBe(1);
    expect(outcomes('applied500')).toEqual(['failed-over']);
    await expectSettled(stack, 'applied500', failedOverOnce);
    await quietRun('applied500');
    await expectSettled(stack, 'applied500', failedOverOnce);
  });

  it('lands the flip once through a 10 s change call; a watchdog run meanwhile neither re-sends nor reconciles', async () => {
    stack.route53.faults.setLatency(10_000, 'ChangeResourceRecordSets');
    stack.backends('slowchange').primary.set('fail');
    const started = Date.now();
    const watchdogDone = stack.runWatchdog(2, { only: ['slowchange'] });
    // While the change call hangs in Route 53, a second scheduled run sees `failing-over` in flight.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const meanwhile = await stack.runWatchdog(1, { only: ['slowchange'] });
    await watchdogDone;
    const tookMs = Date.now() - started;

    expect(meanwhile.invoked).toEqual([]);
    expect(meanwhile.reconciled).toEqual([]);
    expect(outcomes('slowchange')).toEqual(['failed-over']);
    expect(tookMs).toBeLessThan(25_000); // bounded: 10 s in Route 53, then record and notify
    await expectSettled(stack, 'slowchange', failedOverOnce);
    await quietRun('slowchange');
    await expectSettled(stack, 'slowchange', failedOverOnce);
  }, 40_000);

  it('records a flip whose change stays PENDING past the wait, reports it not in sync, and never flips twice', async () => {
    stack.route53.faults.holdPending(true);
    // A 17 s Lambda timeout leaves a 2 s INSYNC wait (15 s are kept for notifying and the audit).
    stack.register('failover', (await import('../../functions/failover.ts')).handler as never, 17_000);
    try {
      await failOver('pending');
    } finally {
      stack.restore('failover');
    }

    const [run] = stack.flipRuns('failover', 'pending');
    expect(run?.result).toMatchObject({ outcome: 'failed-over', epoch: 1 });
    expect(run?.result?.changeId).toMatch(/^C/);
    expect(run?.result?.timings?.changeAcceptedAt).toBeGreaterThan(0);
    expect(run?.result?.timings?.inSyncAt).toBeUndefined();
    const [hook] = stack.webhook.requests.filter((r) => r.path === '/pending');
    expect(JSON.parse(hook?.body ?? '{}').timings?.inSyncAt).toBeUndefined();
    // Still PENDING: the next run finds Route 53 and the record agreeing, and does nothing.
    const next = await stack.runWatchdog(1, { only: ['pending'] });
    expect(next.invoked).toEqual([]);
    expect(next.reconciled).toEqual([]);
    await expectSettled(stack, 'pending', failedOverOnce);
    await quietRun('pending');
    await expectSettled(stack, 'pending', failedOverOnce);
  });

  it('refuses a flip whose records were edited by hand after its read; the watchdog then reconciles with a hold', async () => {
    const decided = stack.capture('failover');
    stack.backends('handedit').primary.set('fail');
    await stack.runWatchdog(2, { only: ['handedit'] });
    stack.restore('failover');
    expect(decided).toHaveLength(1);
    // The failover's re-verification probe of the standby runs between its Route 53 read and its
    // change: an operator moves the traffic by hand right then.
    stack
      .backends('handedit')
      .secondary.before(() => stack.editWeights('handedit', { primary: 0, secondary: 50 }));

    const result = await stack.invoke('failover', decided[0]);

    expect(result).toMatchObject({ outcome: 'stale', epoch: 0 });
    expect(result?.message).toContain('changed between read and flip');
    expect(flipsFor(stack, 'handedit')).toBe(0);
    expect(await stack.state('handedit')).toMatchObject({ active: 'primary', moving: null });

    const next = await stack.runWatchdog(1, { only: ['handedit'] });

    expect(next.reconciled).toEqual([{ service: 'handedit', kind: 'hand-edit' }]);
    expect(next.invoked).toEqual([]);
    const state = await stack.state('handedit');
    expect(state.hold).toMatchObject({ kind: 'manual-edit', by: 'route53' });
    await expectSettled(stack, 'handedit', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 0,
      events: ['reconciled'],
    });
    await quietRun('handedit');
    await expectSettled(stack, 'handedit', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 0,
      events: ['reconciled'],
    });
  });
});
