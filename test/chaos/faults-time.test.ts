/**
 * Chaos matrix, time: the watchdog's clock jumping backward and forward across the dwell after a
 * flip and across the flap window. A jump must never make a failback come early, or more often
 * than `maxAutoFailbacksPerHour` allows. (The flip functions keep the real clock.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled } from './support/settled.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('chaos: clock jumps', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack([
      { name: 'dwell', failback: 'auto', minDwellSeconds: 600, recoveryThreshold: 1 },
      {
        name: 'flap',
        failback: 'auto',
        minDwellSeconds: 0,
        recoveryThreshold: 1,
        maxAutoFailbacksPerHour: 1,
      },
    ]);
    await stack.runWatchdog(1); // first sight: both targets up
  }, 30_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('does not fail back early when the clock jumps back across the dwell, and fails back once after it', async () => {
    const { primary } = stack.backends('dwell');
    primary.set('fail');
    await stack.runWatchdog(2, { only: ['dwell'] });
    await expectSettled(stack, 'dwell', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover'],
    });
    primary.set('ok');

    const back = await stack.runWatchdog(2, { only: ['dwell'], shiftMs: -HOUR }); // now is before the flip
    const inside = await stack.runWatchdog(1, { only: ['dwell'], shiftMs: 5 * MINUTE }); // 300 s < 600 s

    expect([...back.invoked, ...inside.invoked]).toEqual([]);
    await expectSettled(stack, 'dwell', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover'],
    });

    const past = await stack.runWatchdog(1, { only: ['dwell'], shiftMs: 11 * MINUTE });

    expect(past.invoked).toEqual([{ fn: 'failback', service: 'dwell', epoch: 1 }]);
    const quiet = await stack.runWatchdog(1, { only: ['dwell'], shiftMs: 11 * MINUTE });
    expect(quiet.invoked).toEqual([]);
    await expectSettled(stack, 'dwell', {
      phase: 'primary-active',
      epoch: 2,
      flips: 2,
      events: ['failover', 'failback'],
    });
  });

  it('makes no failback beyond the flap limit whichever way the clock jumps', async () => {
    const { primary } = stack.backends('flap');
    const cycle = async () => {
      primary.set('fail');
      await stack.runWatchdog(2, { only: ['flap'] });
      primary.set('ok');
    };
    await cycle(); // failover
    await stack.runWatchdog(1, { only: ['flap'] }); // the one automatic failback the hour allows
    await cycle(); // failover again: never frozen
    await expectSettled(stack, 'flap', {
      phase: 'secondary-active',
      epoch: 3,
      flips: 3,
      events: ['failover', 'failback', 'failover'],
    });

    const reports = [];
    for (const shiftMs of [-30 * MINUTE, 0, 2 * HOUR, -2 * HOUR, 0]) {
      reports.push(await stack.runWatchdog(1, { only: ['flap'], shiftMs }));
    }

    expect(reports.flatMap((r) => r.invoked)).toEqual([]);
    expect((await stack.state('flap')).frozen).toBe(true);
    await expectSettled(stack, 'flap', {
      phase: 'secondary-active',
      epoch: 3,
      flips: 3,
      events: ['failover', 'failback', 'failover', 'flapping-frozen'],
    });

    // The fault is over when a person fails back by hand: that releases the freeze.
    const back = await stack.invoke('failback', {
      service: 'flap',
      requestedBy: 'alice',
      reason: 'flap over',
    });
    expect(back).toMatchObject({ outcome: 'failed-back', epoch: 4 });
    expect((await stack.state('flap')).frozen).toBe(false);
    await expectSettled(stack, 'flap', {
      phase: 'primary-active',
      epoch: 4,
      flips: 4,
      events: ['failover', 'failback', 'failover', 'flapping-frozen', 'failback'],
    });
  });
});
