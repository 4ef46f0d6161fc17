/**
 * Issue #13 item 3 end to end on the local stack, with the real watchdog, failover and failback
 * handlers: three targets active-active (weights 50/30/20). One goes DOWN: it is drained to 0 and
 * its share goes to the others in proportion (63/37), in one compare-and-swap batch on one epoch,
 * and DNS answers only the others. It recovers: it ramps back by the policy's steps to its share.
 * With `minHealthyTargets: 2`, two DOWN targets are not drained: the weights stay and an alert goes out.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import type { ServiceState } from '../../shared/domain/state.ts';
import { contextFor, type Harness, startHarness } from './harness.ts';

const TARGETS = ['primary', 'secondary', 'tertiary'] as const;
type Target = (typeof TARGETS)[number];
const RAMP = ['failbackSteps: [10, 50, 100]', 'stepHoldSeconds: 2'];
const SERVICES = [
  { name: 'spread', failback: 'auto', ttlSeconds: 1, targets: TARGETS, weights: [50, 30, 20], policy: RAMP },
  {
    name: 'guarded',
    failback: 'auto',
    ttlSeconds: 1,
    targets: TARGETS,
    weights: [50, 30, 20],
    policy: [...RAMP, 'minHealthyTargets: 2'],
  },
] as const;
type Service = (typeof SERVICES)[number]['name'];
/** How long a change may take to land: a hold (2 s) and a few watchdog runs on a busy machine. */
const SLACK_MS = 20_000;

type WatchdogHandler = (event: unknown, context: unknown) => Promise<{ rounds: number }>;

interface Batch {
  readonly changes: readonly {
    readonly Action: string;
    readonly ResourceRecordSet: {
      readonly Name?: string;
      readonly SetIdentifier?: string;
      readonly Weight?: number;
    };
  }[];
}

describe('active-active end to end on the local stack (issue #13 item 3)', () => {
  let h: Harness;
  let watchdog: WatchdogHandler;
  let store: StateStore;
  let dns: Resolver;
  let setupChanges = 0;

  const runWatchdog = async (rounds: number) => {
    await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
  };
  const state = async (service: Service): Promise<ServiceState> => {
    const found = await store.load(service);
    if (!found) throw new Error(`no state for ${service}`);
    return found.value;
  };
  const backend = (service: Service, id: Target) => {
    const found = h.backends.get(service)?.[id];
    if (!found) throw new Error(`no backend ${id} for ${service}`);
    return found;
  };
  const batches = (service: Service): Batch[] =>
    h.stack.route53.changes
      .slice(setupChanges)
      .map((c) => ({ changes: c.changes as Batch['changes'] }))
      .filter((b) => b.changes.some((c) => c.ResourceRecordSet.Name === h.recordName(service)));
  const created = (batch: Batch | undefined) =>
    Object.fromEntries(
      (batch?.changes ?? [])
        .filter((c) => c.Action === 'CREATE' && c.ResourceRecordSet.Name !== undefined)
        .map((c) => [c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight]),
    );
  const answers = async (service: Service): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const [host = ''] = await dns.resolveCname(`${service}.example.test`);
      seen.add(host);
    }
    return seen;
  };
  const hookEvents = (service: Service) =>
    h.webhook.requests
      .filter((r) => r.path === `/${service}`)
      .map((r) => (JSON.parse(r.body) as { event: string }).event);
  const runUntil = async (service: Service, done: (s: ServiceState) => boolean): Promise<ServiceState> => {
    const deadline = Date.now() + SLACK_MS;
    while (Date.now() < deadline) {
      await runWatchdog(2);
      const s = await state(service);
      if (done(s)) return s;
    }
    return state(service);
  };

  beforeAll(async () => {
    h = await startHarness(SERVICES);
    watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    store = stateStoreFromEnv();
    dns = new Resolver();
    dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
    setupChanges = h.stack.route53.changes.length;
    await runWatchdog(2); // first sight: every target up
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('1. drains a DOWN target to 0 in one batch on one epoch, its share to the others in proportion', async () => {
    backend('spread', 'tertiary').setMode({ kind: 'failing' });

    const s = await runUntil('spread', (x) => x.shares !== undefined && x.moving === null);

    expect(s).toMatchObject({
      epoch: 1,
      active: 'primary',
      shares: { weights: { primary: 63, secondary: 37, tertiary: 0 }, ramp: null },
    });
    const all = batches('spread');
    expect(all).toHaveLength(1);
    expect(all[0]?.changes).toHaveLength(6);
    expect(created(all[0])).toEqual({ primary: 63, secondary: 37, tertiary: 0 });
    expect(await answers('spread')).toEqual(
      new Set([h.targetHost('spread', 'primary'), h.targetHost('spread', 'secondary')]),
    );
    expect(hookEvents('spread')).toContain('failover');
  }, 60_000);

  it('2. ramps the recovered target back by the steps, each one batch on its own epoch, to its share', async () => {
    backend('spread', 'tertiary').setMode({ kind: 'healthy' });

    const first = await runUntil('spread', (x) => x.shares?.ramp !== null && x.moving === null);
    const done = await runUntil(
      'spread',
      (x) => x.shares?.ramp === null && x.moving === null && x.epoch >= 4,
    );

    expect(first).toMatchObject({
      epoch: 2,
      shares: { weights: { primary: 61, secondary: 37, tertiary: 2 }, ramp: { to: 'tertiary', step: 0 } },
    });
    expect(done).toMatchObject({
      epoch: 4,
      shares: { weights: { primary: 50, secondary: 30, tertiary: 20 }, ramp: null },
    });
    expect(batches('spread').map(created)).toEqual([
      { primary: 63, secondary: 37, tertiary: 0 },
      { primary: 61, secondary: 37, tertiary: 2 },
      { primary: 56, secondary: 33, tertiary: 11 },
      { primary: 50, secondary: 30, tertiary: 20 },
    ]);
    expect(await answers('spread')).toContain(h.targetHost('spread', 'tertiary'));
  }, 60_000);

  it('3. with minHealthyTargets 2, does not drain two DOWN targets: the weights stay and it alerts', async () => {
    backend('guarded', 'secondary').setMode({ kind: 'failing' });
    backend('guarded', 'tertiary').setMode({ kind: 'failing' });

    const s = await runUntil('guarded', (x) => x.announced.includes('drain-refused'));
    await runWatchdog(2);

    expect(s).toMatchObject({ epoch: 0, moving: null });
    expect(s.shares).toBeUndefined();
    expect(batches('guarded')).toEqual([]);
    expect(hookEvents('guarded').filter((e) => e === 'drain-refused')).toHaveLength(1);
  }, 60_000);
});
