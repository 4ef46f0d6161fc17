/**
 * Issue #17: a failed flip must never block the next one. For a manual failover, a manual failback
 * and an automatic failover, under each of {Route 53 refusing every change, a 500 after the change
 * was applied, change calls that never get an answer, the function dying between its claim and its
 * call}: afterwards the service is either flipped and recorded, or unflipped, unclaimed and unheld —
 * and a primary failure that follows is failed over within the usual bound (`failureThreshold`
 * rounds of one watchdog run). Real handlers, real SDK clients, the local stack.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_GRACE_MS } from '../../shared/domain/reconcile.ts';
import type { ServiceState } from '../../shared/domain/state.ts';
import { type ChaosStack, FUNCTIONS, startChaosStack } from './support/chaos-stack.ts';
import { flipsFor, route53Active } from './support/settled.ts';

const FAULTS = ['refused', 'applied500', 'unanswered', 'died'] as const;
const FLOWS = ['manual-failover', 'manual-failback', 'auto-failover'] as const;
type Fault = (typeof FAULTS)[number];
type Flow = (typeof FLOWS)[number];
const name = (fault: Fault, flow: Flow) => `${fault}-${flow}`;
const EVERY_CHANGE = 1_000;

describe('chaos: a failed flip never blocks the next one (issue #17)', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await startChaosStack(
      FAULTS.flatMap((fault) => FLOWS.map((flow) => ({ name: name(fault, flow) }))),
    );
  }, 60_000);

  afterEach(() => stack.route53.faults.reset());

  afterAll(async () => {
    await stack?.close();
  });

  /** The service on the standby by a planned failover first (the failback flows start there). */
  const onStandby = async (service: string) => {
    const out = await stack.invoke('failover', { service, requestedBy: 'alice', reason: 'set-up' });
    expect(out?.outcome).toBe('failed-over');
  };
  /** The watchdog's decision to fail over, held back so the test can run it as it likes. */
  const decideFailover = async (service: string): Promise<unknown> => {
    const decided = stack.capture('failover');
    stack.backends(service).primary.set('fail');
    await stack.runWatchdog(2, { only: [service] });
    stack.restore('failover');
    expect(decided).toHaveLength(1);
    return decided[0];
  };
  /** Start the flow's flip; `null` when the function failed (no structured answer). */
  const startFlip = async (flow: Flow, service: string, decided: unknown) => {
    if (flow === 'auto-failover') return stack.invoke('failover', decided);
    const fn = flow === 'manual-failover' ? 'failover' : 'failback';
    return stack.invoke(fn, { service, requestedBy: 'bob', reason: 'planned maintenance' });
  };
  /**
   * Start every flow's flip under the same fault. The failover function has one slot (reserved
   * concurrency 1, as deployed): its two flows run one after the other, beside the failback.
   */
  const startAll = async (fault: Fault, decided: ReadonlyMap<Flow, unknown>) => {
    const start = (flow: Flow) => startFlip(flow, name(fault, flow), decided.get(flow));
    const [failovers, failback] = await Promise.all([
      (async () => [await start('manual-failover'), await start('auto-failover')])(),
      start('manual-failback'),
    ]);
    return [failovers[0], failback, failovers[1]];
  };
  const prepare = async (flow: Flow, service: string): Promise<unknown> => {
    if (flow === 'manual-failback') await onStandby(service);
    return flow === 'auto-failover' ? decideFailover(service) : null;
  };

  /** Unflipped, unclaimed, unheld (beyond a hold that stood before the attempt), and agreeing with Route 53. */
  const expectUnflipped = async (service: string, flow: Flow, state: ServiceState) => {
    const active = flow === 'manual-failback' ? 'secondary' : 'primary';
    expect(state.claim).toBeNull();
    expect(state).toMatchObject({ active, moving: null });
    expect(await route53Active(service)).toBe(active);
    if (flow !== 'manual-failback') expect(state.hold).toBeNull();
    expect(state.lastFailure).toMatchObject({ to: flow === 'manual-failback' ? 'primary' : 'secondary' });
  };

  /** What follows: traffic on the primary whose failure the watchdog then fails over in one run. */
  const nextFailureFailsOver = async (service: string, flow: Flow, shiftMs = 0) => {
    if (flow === 'manual-failback') {
      const back = await stack.invoke('failback', { service, requestedBy: 'bob', reason: 'retry' });
      expect(back?.outcome).toBe('failed-back');
    }
    stack.backends(service).primary.set('fail');
    const report = await stack.runWatchdog(2, { only: [service], shiftMs });
    const state = await stack.state(service);
    const invoked = report.invoked.map((i) => i.fn);
    // Either this run failed it over, or an earlier step already had (the automatic flow's retry).
    expect(state).toMatchObject({ active: 'secondary', moving: null });
    expect(invoked.length).toBeLessThanOrEqual(1);
    expect(state.claim).toBeNull();
    expect(await route53Active(service)).toBe('secondary');
  };

  it('releases claim and hold at once when Route 53 refuses every change, and records each attempt', async () => {
    const decided = new Map<Flow, unknown>();
    for (const flow of FLOWS) decided.set(flow, await prepare(flow, name('refused', flow)));
    // A refusal no retry changes (403): the 503 takes the switch's whole 20 s retry budget
    // per flip and ends the same way (unit-tested in traffic-switch-flip); this keeps the suite short.
    stack.route53.faults.failNext(EVERY_CHANGE, 'AccessDenied', 'ChangeResourceRecordSets');

    const answers = await startAll('refused', decided);
    stack.route53.faults.reset();

    expect(answers.map((a) => a?.outcome)).toEqual(['failed', 'failed', 'failed']);
    for (const flow of FLOWS) {
      const service = name('refused', flow);
      await expectUnflipped(service, flow, await stack.state(service));
      const [attempt] = await stack.history(service);
      expect(attempt).toMatchObject({
        outcome: 'failed',
        details: { recordsMoved: 'no', claimReleased: true },
      });
      expect(stack.hookEvents(service).at(-1)).toBe(
        flow === 'manual-failback' ? 'failback-failed' : 'failover-failed',
      );
      await nextFailureFailsOver(service, flow);
    }
  }, 90_000);

  it('records the flip when a 500 came after Route 53 applied it, with one change call each', async () => {
    for (const flow of FLOWS) {
      const service = name('applied500', flow);
      const decided = await prepare(flow, service);
      const before = flipsFor(stack, service);
      stack.route53.faults.failAfterApply(1);

      const answer = await startFlip(flow, service, decided);

      expect(answer?.outcome).toBe(flow === 'manual-failback' ? 'failed-back' : 'failed-over');
      expect(flipsFor(stack, service) - before).toBe(1);
      const state = await stack.state(service);
      expect(state.claim).toBeNull();
      expect(await route53Active(service)).toBe(flow === 'manual-failback' ? 'primary' : 'secondary');
      if (flow === 'manual-failover')
        expect(state.hold).toMatchObject({ kind: 'planned-failover', by: 'bob' });
      if (flow === 'manual-failback') await nextFailureFailsOver(service, 'manual-failover');
    }
  });

  it('keeps the claim of an unanswered change for the watchdog, which releases it after the grace', async () => {
    const decided = new Map<Flow, unknown>();
    for (const flow of FLOWS) decided.set(flow, await prepare(flow, name('unanswered', flow)));
    stack.route53.faults.dropNext(EVERY_CHANGE, 'ChangeResourceRecordSets');
    // Each unanswered flip spends the switch's 20 s retry budget: the failover function's one slot
    // is lifted for this test alone so its two flows run at once (the slot is not what it checks).
    const { handler } = await import('../../functions/failover.ts');
    stack.lambda.register(FUNCTIONS.failover, { handler: handler as never, reservedConcurrency: null });

    const answers = await Promise.all(
      FLOWS.map((flow) => startFlip(flow, name('unanswered', flow), decided.get(flow))),
    ).finally(() => stack.restore('failover'));
    stack.route53.faults.reset();

    // The function failed (its alarm fires): whether the change landed was unknown to it.
    expect(answers.map((a) => (a as { errorType?: string } | null)?.errorType)).toEqual([
      'FlipError',
      'FlipError',
      'FlipError',
    ]);
    for (const flow of FLOWS) {
      const service = name('unanswered', flow);
      const held = await stack.state(service);
      const [attempt] = await stack.history(service);
      expect(attempt).toMatchObject({
        outcome: 'failed',
        details: { recordsMoved: 'unknown', claimReleased: false },
      });
      if (flow === 'auto-failover') {
        expect(held).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });
        // Past the pending timeout the watchdog sends the same decision again; Route 53 takes it.
        await nextFailureFailsOver(service, flow, 2 * 60_000 + 1_000);
        continue;
      }
      expect(held.claim).toMatchObject({ by: 'bob' });
      const within = await stack.runWatchdog(1, { only: [service], shiftMs: 10_000 });
      expect(within.reconciled).toEqual([]);

      const after = await stack.runWatchdog(1, { only: [service], shiftMs: RECONCILE_GRACE_MS + 5_000 });

      expect(after.reconciled).toEqual([{ service, kind: 'claim-released' }]);
      await expectUnflipped(service, flow, await stack.state(service));
      await nextFailureFailsOver(service, flow, RECONCILE_GRACE_MS + 10_000);
    }
  }, 120_000);

  it('settles the claim of a function that died between its claim and its Route 53 call', async () => {
    for (const flow of FLOWS) {
      const service = name('died', flow);
      const decided = await prepare(flow, service);
      if (flow === 'auto-failover') {
        // The watchdog's own decision is the claim: failing-over, and nobody carries it out.
        expect(await stack.state(service)).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });
        expect(decided).toMatchObject({ service, epoch: 0 });
        await nextFailureFailsOver(service, flow, 2 * 60_000 + 1_000);
        continue;
      }
      // Exactly what the flip function writes before its Route 53 call, and then nothing more.
      await stack.runWatchdog(1, { only: [service] });
      const stored = await stack.store.load(service);
      if (!stored) throw new Error(`no state for ${service}`);
      const to = flow === 'manual-failover' ? 'secondary' : 'primary';
      const hold =
        to === 'secondary'
          ? ({ kind: 'planned-failover', by: 'bob', reason: 'x', at: Date.now() } as const)
          : null;
      await stack.store.save(
        { ...stored.value, claim: { to, by: 'bob', at: Date.now(), hold } },
        stored.version,
      );

      const after = await stack.runWatchdog(1, { only: [service], shiftMs: RECONCILE_GRACE_MS + 5_000 });

      expect(after.reconciled).toEqual([{ service, kind: 'claim-released' }]);
      await expectUnflipped(service, flow, await stack.state(service));
      expect(stack.hookEvents(service).at(-1)).toBe(
        to === 'secondary' ? 'failover-failed' : 'failback-failed',
      );
      await nextFailureFailsOver(service, flow, RECONCILE_GRACE_MS + 10_000);
    }
  });
});
