/**
 * Chaos matrix, Lambda: a failover function that dies after its Route 53 change, the same async
 * event delivered twice, a scheduled event delivered late, and two watchdogs running at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flipHandler } from '../../functions/flip-handler.ts';
import { type Runtime, runtime } from '../../shared/controller/runtime.ts';
import type { TrafficSwitch } from '../../shared/domain/ports.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled } from './support/settled.ts';

const SERVICES = ['crash', 'duplicate', 'late', 'twins'];
const failedOverOnce = { phase: 'secondary-active', epoch: 1, flips: 1, events: ['failover'] } as const;
/** Past the reconciliation grace (150 s, a flip function's own time limit). */
const AFTER_GRACE_MS = 180_000;

describe('chaos: Lambda faults', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack(SERVICES.map((name) => ({ name })));
    await stack.runWatchdog(1); // first sight: every state item exists, both targets up
  }, 30_000);

  afterEach(() => {
    stack.dynamo.faults.reset();
    stack.restore('failover');
  });

  afterAll(async () => {
    await stack?.close();
  });

  const outcomes = (service: string) => stack.flipRuns('failover', service).map((r) => r.result?.outcome);

  it('heals a failover that died after its Route 53 change: reconciled by the watchdog, no second flip', async () => {
    // Right after Route 53 accepts the change, every DynamoDB write fails (the function "dies"
    // before recording): both the invocation and its async retry fail.
    const rt = runtime('failover');
    const traffic: TrafficSwitch = {
      ...rt.traffic,
      flipMany: async (...args) => {
        const results = await rt.traffic.flipMany(...args);
        stack.dynamo.faults.failNext(1_000, 'InternalServerError', 'PutItem');
        return results;
      },
    };
    stack.register('failover', flipHandler('failover', (): Runtime => ({ ...rt, traffic })) as never);
    stack.backends('crash').primary.set('fail');

    await stack.runWatchdog(2, { only: ['crash'] });
    stack.dynamo.faults.reset();

    const runs = stack.flipRuns('failover', 'crash');
    expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
    expect(runs.every((r) => /InternalServerError/.test(r.outcome ?? ''))).toBe(true);
    expect(await stack.state('crash')).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });

    const next = await stack.runWatchdog(1, { only: ['crash'], shiftMs: AFTER_GRACE_MS });

    expect(next.reconciled).toEqual([{ service: 'crash', kind: 'lost-write' }]);
    expect(next.invoked).toEqual([]);
    await expectSettled(stack, 'crash', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['reconciled'],
    });
    const quiet = await stack.runWatchdog(1, { only: ['crash'], shiftMs: AFTER_GRACE_MS });
    expect(quiet.invoked).toEqual([]);
    await expectSettled(stack, 'crash', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['reconciled'],
    });
  });

  it('treats a duplicate async delivery of the same event as stale', async () => {
    const decided = stack.capture('failover');
    stack.backends('duplicate').primary.set('fail');
    await stack.runWatchdog(2, { only: ['duplicate'] });
    stack.restore('failover');
    expect(decided).toHaveLength(1);

    await stack.invoke('failover', decided[0], 'Event');
    await stack.lambda.idle();
    await stack.invoke('failover', decided[0], 'Event');
    await stack.lambda.idle();

    expect(outcomes('duplicate')).toEqual(['failed-over', 'stale']);
    await expectSettled(stack, 'duplicate', failedOverOnce);
    const quiet = await stack.runWatchdog(1, { only: ['duplicate'] });
    expect(quiet.invoked).toEqual([]);
    await expectSettled(stack, 'duplicate', failedOverOnce);
  });

  it('drops a scheduled event delivered late: nothing probed, read or written', async () => {
    const { primary, secondary } = stack.backends('late');
    const probesBefore = primary.served.length + secondary.served.length;
    const dynamoBefore = stack.dynamo.operations.length;
    const route53Before = stack.route53.calls.length;

    const report = await stack.runWatchdog(2, {
      only: ['late'],
      eventTime: new Date(Date.now() - 120_000).toISOString(),
    });

    expect(report).toMatchObject({ dropped: true, rounds: 0, writes: 0 });
    expect(primary.served.length + secondary.served.length).toBe(probesBefore);
    expect(stack.dynamo.operations.length).toBe(dynamoBefore);
    expect(stack.route53.calls.length).toBe(route53Before);
    await expectSettled(stack, 'late', { phase: 'primary-active', epoch: 0, flips: 0, events: [] });
  });

  it('lets two watchdogs running at once invoke one failover and flip once', async () => {
    stack.backends('twins').primary.set('fail');

    const reports = await Promise.all([
      stack.runWatchdog(2, { only: ['twins'] }),
      stack.runWatchdog(2, { only: ['twins'] }),
    ]);

    expect(reports.flatMap((r) => r.invoked)).toEqual([{ fn: 'failover', service: 'twins', epoch: 0 }]);
    expect(outcomes('twins')).toEqual(['failed-over']);
    await expectSettled(stack, 'twins', failedOverOnce);
    const quiet = await Promise.all([
      stack.runWatchdog(1, { only: ['twins'] }),
      stack.runWatchdog(1, { only: ['twins'] }),
    ]);
    expect(quiet.flatMap((r) => r.invoked)).toEqual([]);
    await expectSettled(stack, 'twins', failedOverOnce);
  });
});
