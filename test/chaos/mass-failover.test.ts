/**
 * Chaos, mass failover (issue #10 item 6): 12 services in 3 hosted zones lose their primaries at
 * the same instant, under the REAL watchdog and failover handlers, while Route 53 throttles the
 * first change calls, and while an operator edits one service's weights by hand right before its
 * flip. Every service must end on its standby with exactly one compare-and-swap, the state must
 * agree with Route 53, and the edited service must be left to the next watchdog run, which records
 * the edit with a `manual-edit` hold.
 *
 * The Lambda stand-in runs at real time here (timeScale 1), not at the chaos stack's 0.05: the
 * traffic switch's backoff after throttling is real time, so a scaled event age (6 s) would drop
 * events that Lambda (120 s) runs. The flip function keeps its deployed reserved concurrency.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, FUNCTIONS, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled, flipsFor } from './support/settled.ts';

const ZONES = ['east.chaos.test.', 'west.chaos.test.', 'north.chaos.test.'] as const;
const PER_ZONE = 4;
/** Services `<prefix><n>`, four in each zone. */
const fleet = (prefix: string) =>
  ZONES.flatMap((zone, z) =>
    Array.from({ length: PER_ZONE }, (_, i) => ({ name: `${prefix}${z * PER_ZONE + i}`, zone })),
  );
const THROTTLED = fleet('t');
const EDITED_FLEET = fleet('e');
const EDITED = 'e5';
/** failureThreshold x probeIntervalSeconds + check timeout + 3 s (the chaos stack's policy). */
const BOUND_MS = 2 * 1_000 + 500 + 3_000;
/** How long a scheduled run and the flips it started may take before the test says what is stuck. */
const SETTLE_MS = 40_000;
const failedOverOnce = { phase: 'secondary-active', epoch: 1, flips: 1, events: ['failover'] } as const;

describe('chaos: mass failover', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack([...THROTTLED, ...EDITED_FLEET], { lambdaTimeScale: 1 });
  }, 30_000);

  afterEach(() => stack.route53.faults.reset());

  afterAll(async () => {
    await stack?.close();
  });

  const names = (services: readonly { name: string }[]) => services.map((s) => s.name);
  /** A watchdog run of `rounds` rounds over `services`, and the flips it started, within SETTLE_MS. */
  const runWithin = async (services: readonly string[], rounds: number) => {
    const out = await Promise.race([
      stack.runWatchdog(rounds, { only: services }),
      sleep(SETTLE_MS).then(() => null),
    ]);
    if (out !== null) return out;
    const load = stack.lambda.load(FUNCTIONS.failover);
    throw new Error(
      `${SETTLE_MS / 1000} s after the watchdog started, ${load.queued} failover events were still ` +
        `queued (${load.running} running); the Lambda stand-in throttled ${stack.lambda.throttles.length} attempts`,
    );
  };
  const changeCalls = () => stack.route53.calls.filter((c) => c.operation === 'ChangeResourceRecordSets');

  it('moves every service once while Route 53 throttles the first change calls', async () => {
    const services = names(THROTTLED);
    const callsBefore = changeCalls().length;
    stack.route53.faults.failNext(3, 'Throttling', 'ChangeResourceRecordSets');
    for (const name of services) stack.backends(name).primary.set('fail');

    await runWithin(services, 2);

    const throttled = changeCalls()
      .slice(callsBefore)
      .filter((c) => c.status === 400);
    expect(throttled).toHaveLength(3);
    for (const name of services) await expectSettled(stack, name, failedOverOnce);
    const next = await runWithin(services, 1);
    expect(next.invoked).toEqual([]);
    expect(next.reconciled).toEqual([]);
    for (const name of services) await expectSettled(stack, name, failedOverOnce);
  }, 60_000);

  it('moves the others within the bound and leaves a service edited by hand to the next run, which holds it', async () => {
    const services = names(EDITED_FLEET);
    const others = services.filter((name) => name !== EDITED);
    // The failover's re-check of the standby sits between its Route 53 read and its change: the
    // operator's edit lands right then. The watchdog's two rounds probe the standby first.
    const standby = stack.backends(EDITED).secondary;
    standby.before(async () =>
      standby.before(async () =>
        standby.before(() => stack.editWeights(EDITED, { primary: 0, secondary: 50 })),
      ),
    );
    const changesBefore = stack.route53.changes.length;
    const brokeAt = Date.now();
    for (const name of services) stack.backends(name).primary.set('fail');

    await runWithin(services, 2);

    for (const name of others) await expectSettled(stack, name, failedOverOnce);
    const movedAfterMs = others.map((name) => {
      const applied = stack.route53.changes
        .slice(changesBefore)
        .find((c) => JSON.stringify(c.changes).includes(`"${stack.recordName(name)}"`));
      return (applied?.at ?? Number.POSITIVE_INFINITY) - brokeAt;
    });
    expect(Math.max(...movedAfterMs)).toBeLessThanOrEqual(BOUND_MS);
    expect(flipsFor(stack, EDITED)).toBe(0);
    expect(await stack.state(EDITED)).toMatchObject({ active: 'primary', moving: null, hold: null });

    const next = await runWithin(services, 1);

    expect(next.reconciled).toEqual([{ service: EDITED, kind: 'hand-edit' }]);
    expect(next.invoked).toEqual([]);
    expect((await stack.state(EDITED)).hold).toMatchObject({ kind: 'manual-edit', by: 'route53' });
    const handEdited = { phase: 'secondary-active', epoch: 1, flips: 0, events: ['reconciled'] } as const;
    await expectSettled(stack, EDITED, handEdited);
    for (const name of others) await expectSettled(stack, name, failedOverOnce);
  }, 60_000);
});
