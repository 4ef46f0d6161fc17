/**
 * Issue #19 (and #13's second point) end to end: a service with three targets in preference order
 * (`targets:` list, three weighted records) on the local stack, with the real watchdog, failover
 * and failback handlers. Traffic leaves two DOWN targets for the third, never for a DOWN one, and
 * climbs back one recovered target at a time, each after the dwell. Every flip is one
 * compare-and-swap batch that puts the whole weight on one record.
 */
import { Resolver } from 'node:dns/promises';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import { healthOf, type ServiceState } from '../../shared/domain/state.ts';
import { contextFor, type Harness, startHarness } from './harness.ts';

const SERVICE = 'ladder';
const TARGETS = ['primary', 'secondary', 'tertiary'] as const;
type Target = (typeof TARGETS)[number];
/** Long enough that the recovery threshold (2 rounds) is met well inside it. */
const DWELL_SECONDS = 10;
/** How long past a dwell the climb may take: a couple of watchdog runs on a busy machine. */
const CLIMB_SLACK_MS = 10_000;

type WatchdogHandler = (event: unknown, context: unknown) => Promise<{ rounds: number }>;

interface AppliedBatch {
  readonly changes: readonly {
    readonly Action: string;
    readonly ResourceRecordSet: { readonly SetIdentifier?: string; readonly Weight?: number };
  }[];
}

describe('three targets end to end on the local stack (issue #19)', () => {
  let h: Harness;
  let watchdog: WatchdogHandler;
  let store: StateStore;
  let route53: Route53Client;
  let dns: Resolver;
  let setupChanges = 0;

  const runWatchdog = async (rounds: number) => {
    const report = await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
    return report;
  };
  const state = async (): Promise<ServiceState> => {
    const found = await store.load(SERVICE);
    if (!found) throw new Error(`no state for ${SERVICE}`);
    return found.value;
  };
  const backend = (id: Target) => {
    const found = h.backends.get(SERVICE)?.[id];
    if (!found) throw new Error(`no backend for ${id}`);
    return found;
  };
  /** The controller's change batches for the service, in order. */
  const batches = (): AppliedBatch[] =>
    h.stack.route53.changes
      .slice(setupChanges)
      .map((c) => ({ changes: c.changes as AppliedBatch['changes'] }));
  /** The weights Route 53 holds now, by set identifier. */
  const weights = async (): Promise<Record<string, number>> => {
    const out = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: h.zoneId,
        StartRecordName: h.recordName(SERVICE),
        StartRecordType: 'CNAME',
      }),
    );
    const sets = (out.ResourceRecordSets ?? []).filter((s) => s.Name === h.recordName(SERVICE));
    return Object.fromEntries(sets.map((s) => [s.SetIdentifier ?? '', s.Weight ?? -1]));
  };
  const wholeWeightOn = (id: Target) => Object.fromEntries(TARGETS.map((t) => [t, t === id ? 100 : 0]));
  const answer = async () => (await dns.resolveCname(`${SERVICE}.example.test`))[0];
  /** Where the watchdog sent its flip invocations, in order. */
  const invokedTo = () =>
    h.stack.lambda.invocations
      .map((i) => i.payload as { service?: unknown; to?: unknown } | null)
      .filter((p) => p?.service === SERVICE)
      .map((p) => p?.to);
  /** Runs the watchdog (2 rounds at a time) until traffic is on `id`, for at most a dwell and the slack. */
  const runUntilActive = async (id: Target): Promise<ServiceState> => {
    const deadline = Date.now() + DWELL_SECONDS * 1000 + CLIMB_SLACK_MS;
    while (Date.now() < deadline) {
      await runWatchdog(2);
      const s = await state();
      if (s.active === id && s.moving === null) return s;
    }
    return state();
  };
  /**
   * One flip is one batch, a compare-and-swap: a DELETE of each record as read and a CREATE of it
   * with its new weight, the whole weight on `to`.
   */
  const expectOneCasBatchTo = (batch: AppliedBatch | undefined, to: Target) => {
    const actions = batch?.changes.map((c) => c.Action) ?? [];
    expect(actions.filter((a) => a === 'DELETE')).toHaveLength(TARGETS.length);
    expect(actions.filter((a) => a === 'CREATE')).toHaveLength(TARGETS.length);
    expect(actions).not.toContain('UPSERT');
    const created = (batch?.changes ?? [])
      .filter((c) => c.Action === 'CREATE')
      .map((c) => [c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight]);
    expect(Object.fromEntries(created)).toEqual(wholeWeightOn(to));
  };

  beforeAll(async () => {
    h = await startHarness([
      { name: SERVICE, failback: 'auto', minDwellSeconds: DWELL_SECONDS, targets: TARGETS },
    ]);
    watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    store = stateStoreFromEnv();
    route53 = new Route53Client({ region: 'us-east-1' });
    dns = new Resolver();
    dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
    setupChanges = h.stack.route53.changes.length;
  }, 60_000);

  afterAll(async () => {
    route53?.destroy();
    await h?.close();
  });

  it('1. starts on the primary with three healthy targets and changes nothing', async () => {
    await runWatchdog(3);

    const s = await state();
    expect(s).toMatchObject({ active: 'primary', moving: null, epoch: 0 });
    expect(TARGETS.map((id) => healthOf(s, id).status)).toEqual(['up', 'up', 'up']);
    expect(batches()).toHaveLength(0);
    expect(await weights()).toEqual(wholeWeightOn('primary'));
  });

  it('2. fails over to the tertiary when the primary and the secondary are both down, never to the secondary', async () => {
    backend('primary').setMode({ kind: 'failing' });
    backend('secondary').setMode({ kind: 'failing' });

    await runWatchdog(4);

    const s = await state();
    expect(s).toMatchObject({ active: 'tertiary', moving: null, epoch: 1 });
    expect([healthOf(s, 'primary').status, healthOf(s, 'secondary').status]).toEqual(['down', 'down']);
    expect(batches()).toHaveLength(1);
    expectOneCasBatchTo(batches()[0], 'tertiary');
    expect(await weights()).toEqual(wholeWeightOn('tertiary'));
    expect(await answer()).toBe(h.targetHost(SERVICE, 'tertiary'));
    expect(invokedTo()).toEqual(['tertiary']);
  });

  it('3. climbs back to the recovered secondary by automatic failback, only after the dwell', async () => {
    const failedOver = (await state()).lastFlipAt ?? Number.NaN;
    backend('secondary').setMode({ kind: 'healthy' });

    await runWatchdog(2); // the secondary is up again, well within the dwell
    const waiting = await state();
    expect(healthOf(waiting, 'secondary').status).toBe('up');
    expect(waiting).toMatchObject({ active: 'tertiary', moving: null, epoch: 1 });
    expect(batches()).toHaveLength(1);

    const s = await runUntilActive('secondary');

    expect(s).toMatchObject({ active: 'secondary', moving: null, epoch: 2 });
    expect((s.lastFlipAt ?? 0) - failedOver).toBeGreaterThanOrEqual(DWELL_SECONDS * 1000);
    expect(s.autoFailbacks).toHaveLength(1);
    expect(batches()).toHaveLength(2);
    expectOneCasBatchTo(batches()[1], 'secondary');
    expect(await weights()).toEqual(wholeWeightOn('secondary'));
    expect(await answer()).toBe(h.targetHost(SERVICE, 'secondary'));
    expect(invokedTo()).toEqual(['tertiary', 'secondary']);
  }, 60_000);

  it('4. returns to the recovered primary by automatic failback, after the dwell again', async () => {
    const climbed = (await state()).lastFlipAt ?? Number.NaN;
    backend('primary').setMode({ kind: 'healthy' });

    const s = await runUntilActive('primary');

    expect(s).toMatchObject({ active: 'primary', moving: null, epoch: 3 });
    expect((s.lastFlipAt ?? 0) - climbed).toBeGreaterThanOrEqual(DWELL_SECONDS * 1000);
    expect(s.autoFailbacks).toHaveLength(2);
    expect(batches()).toHaveLength(3);
    expectOneCasBatchTo(batches()[2], 'primary');
    expect(await weights()).toEqual(wholeWeightOn('primary'));
    expect(await answer()).toBe(h.targetHost(SERVICE, 'primary'));
    expect(invokedTo()).toEqual(['tertiary', 'secondary', 'primary']);
    const flips = (await store.history(SERVICE, 50)).filter((e) =>
      ['failed-over', 'failed-back'].includes(e.outcome ?? ''),
    );
    expect(flips.map((e) => [e.from, e.to]).reverse()).toEqual([
      ['primary', 'tertiary'],
      ['tertiary', 'secondary'],
      ['secondary', 'primary'],
    ]);
  }, 60_000);
});
