/**
 * End to end on the local stack: the real watchdog, failover and failback handlers, real SDK
 * clients over HTTP to dynalite, the local Route 53 and the Lambda stand-in, real HTTP backends,
 * and a real DNS client. Intervals are 1 s; assertions are on counts and states, not timings.
 */
import { Resolver } from 'node:dns/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLIP_FUNCTIONS } from '../../local/stack.ts';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import { runtime } from '../../shared/controller/runtime.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import type { ServiceState } from '../../shared/domain/state.ts';
import { verifyWebhookSignature } from '../../shared/notify/index.ts';
import { contextFor, type Harness, startHarness, WEBHOOK_SECRET } from './harness.ts';

const SERVICES = [
  { name: 'auto', failback: 'auto' },
  { name: 'manual', failback: 'manual' },
  { name: 'bothdown', failback: 'manual' },
  { name: 'late', failback: 'manual' },
  { name: 'race', failback: 'manual' },
  { name: 'crash', failback: 'manual' },
  { name: 'planned', failback: 'auto' },
] as const;

type FlipHandler = (event: unknown, context: unknown) => Promise<FlipResponse>;
type WatchdogHandler = (event: unknown, context: unknown) => Promise<{ rounds: number; writes: number }>;

describe('failover end to end on the local stack', () => {
  let h: Harness;
  let watchdog: WatchdogHandler;
  let store: StateStore;
  let lambda: LambdaClient;
  let dns: Resolver;

  const runWatchdog = async (rounds: number) => {
    const report = await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
    return report;
  };
  const state = async (service: string): Promise<ServiceState> => {
    const found = await store.load(service);
    if (!found) throw new Error(`no state for ${service}`);
    return found.value;
  };
  let setupChanges = 0;
  const flips = () => h.stack.route53.changes.slice(setupChanges);
  const changesFor = (service: string) =>
    flips().filter((c) => JSON.stringify(c.changes).includes(`${service}.example.test`));
  const writes = () =>
    h.stack.dynamo.operations.filter((op) =>
      ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(op),
    ).length;
  const hooks = (service: string) => h.webhook.requests.filter((r) => r.path === `/${service}`);
  const hookEvents = (service: string) =>
    hooks(service).map((r) => (JSON.parse(r.body) as { event: string }).event);
  const answer = async (service: string) => (await dns.resolveCname(`${service}.example.test`))[0];
  const invoke = async (fn: string, payload: unknown): Promise<FlipResponse> => {
    const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: fn, Payload: new TextEncoder().encode(json) }),
    );
    return JSON.parse(new TextDecoder().decode(out.Payload)) as FlipResponse;
  };

  beforeAll(async () => {
    h = await startHarness(SERVICES);
    watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    store = stateStoreFromEnv();
    lambda = new LambdaClient({});
    dns = new Resolver();
    dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
    setupChanges = h.stack.route53.changes.length;
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    await h?.close();
  });

  it('1. writes nothing and changes no record while everything is healthy', async () => {
    await runWatchdog(2); // first sight: both targets of every service become up (one write each)
    const writesBefore = writes();
    const listsBefore = h.stack.route53.calls.filter((c) => c.operation === 'ListResourceRecordSets').length;

    const report = await runWatchdog(4);

    expect(report.rounds).toBe(4);
    expect(writes()).toBe(writesBefore);
    expect(flips()).toHaveLength(0);
    // Reconciliation reads the one hosted zone once per run, not once per round or per service.
    const lists = h.stack.route53.calls.filter((c) => c.operation === 'ListResourceRecordSets').length;
    expect(lists - listsBefore).toBe(1);
    for (const { name } of SERVICES)
      expect(await state(name)).toMatchObject({ active: 'primary', moving: null });
  });

  it('2. fails over exactly once after failureThreshold failed rounds, and DNS answers the standby', async () => {
    h.backends.get('auto')?.primary.setMode({ kind: 'failing' });

    await runWatchdog(4);

    const s = await state('auto');
    expect(s).toMatchObject({ active: 'secondary', moving: null });
    expect(s.epoch).toBe(1);
    expect(changesFor('auto')).toHaveLength(1);
    expect(await answer('auto')).toBe(h.secondaryTarget('auto'));
    expect(hookEvents('auto')).toEqual(['failover']);
    const history = await store.history('auto', 50);
    expect(history.filter((e) => e.kind === 'failover' && e.outcome === 'failed-over')).toHaveLength(1);
    const [hook] = hooks('auto');
    expect(
      hook && verifyWebhookSignature(hook.body, hook.headers['x-failover-signature'], WEBHOOK_SECRET).valid,
    ).toBe(true);
  });

  it('3a. with failback auto, fails back exactly once after the recovery threshold', async () => {
    h.backends.get('auto')?.primary.setMode({ kind: 'healthy' });

    await runWatchdog(4);

    const s = await state('auto');
    expect(s).toMatchObject({ active: 'primary', moving: null });
    expect(s.epoch).toBe(2);
    expect(changesFor('auto')).toHaveLength(2);
    expect(await answer('auto')).toBe(h.primaryTarget('auto'));
    expect(hookEvents('auto')).toEqual(['failover', 'failback']);
  });

  it('3b. with failback manual, stays on the standby and announces that failback is ready, once', async () => {
    h.backends.get('manual')?.primary.setMode({ kind: 'failing' });
    await runWatchdog(4);
    expect(await state('manual')).toMatchObject({ active: 'secondary', moving: null });

    h.backends.get('manual')?.primary.setMode({ kind: 'healthy' });
    await runWatchdog(5);

    expect(await state('manual')).toMatchObject({ active: 'secondary', moving: null });
    expect(changesFor('manual')).toHaveLength(1);
    expect(hookEvents('manual')).toEqual(['failover', 'failback-ready']);
  });

  it('4. changes nothing when both targets are down, and alerts once', async () => {
    h.backends.get('bothdown')?.primary.setMode({ kind: 'failing' });
    h.backends.get('bothdown')?.secondary.setMode({ kind: 'failing' });

    await runWatchdog(5);

    expect(await state('bothdown')).toMatchObject({ active: 'primary', moving: null });
    expect(changesFor('bothdown')).toHaveLength(0);
    expect(hookEvents('bothdown')).toEqual(['both-down']);
  });

  it('5. waits while the standby is down, then fails over when it recovers', async () => {
    h.backends.get('late')?.secondary.setMode({ kind: 'failing' });
    await runWatchdog(3);
    h.backends.get('late')?.primary.setMode({ kind: 'failing' });
    await runWatchdog(3);
    expect(changesFor('late')).toHaveLength(0);

    h.backends.get('late')?.secondary.setMode({ kind: 'healthy' });
    await runWatchdog(4);

    expect(await state('late')).toMatchObject({ active: 'secondary', moving: null });
    expect(changesFor('late')).toHaveLength(1);
    expect(await answer('late')).toBe(h.secondaryTarget('late'));
  });

  it('6. ten concurrent failover invocations for the same epoch make exactly one Route 53 change', async () => {
    // Hold the watchdog's own invocation back so the ten race from the same decision.
    const decided: unknown[] = [];
    const real = h.stack.lambda;
    const failoverHandler = (await import('../../functions/failover.ts')).handler as unknown as FlipHandler;
    real.register(FLIP_FUNCTIONS.failover, { handler: async (event) => void decided.push(event) });
    h.backends.get('race')?.primary.setMode({ kind: 'failing' });
    await runWatchdog(3);
    // Deployed with reserved concurrency 1, Lambda would throttle nine of the ten (429): this test
    // lifts the limit explicitly so that fencing alone must keep them to one flip.
    real.register(FLIP_FUNCTIONS.failover, { handler: failoverHandler as never, reservedConcurrency: null });
    const decision = decided.find((d) => (d as { service: string }).service === 'race');
    expect(decision).toMatchObject({ service: 'race', epoch: 0 });

    const results = await Promise.all(
      Array.from({ length: 10 }, () => invoke(FLIP_FUNCTIONS.failover, decision)),
    ).finally(() =>
      real.register(FLIP_FUNCTIONS.failover, {
        handler: failoverHandler as never,
        reservedConcurrency: h.stack.settings.functions.get('failover')?.reservedConcurrency ?? null,
      }),
    );

    expect(changesFor('race')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'failed-over')).toHaveLength(1);
    expect(results.every((r) => ['failed-over', 'stale', 'already-active'].includes(r.outcome))).toBe(true);
    expect((await state('race')).epoch).toBe(1);
  });

  it('7. a crash between the Route 53 change and the state write is reconciled without a second flip', async () => {
    const failoverHandler = (await import('../../functions/failover.ts')).handler as unknown as FlipHandler;
    const { flipHandler } = await import('../../functions/flip-handler.ts');
    const rt = runtime('failover');
    const crashingStore: StateStore = {
      ...rt.store,
      save: async (next, version) => {
        if (next.service === 'crash' && next.active === 'secondary') {
          throw new Error('injected crash after the Route 53 change');
        }
        return rt.store.save(next, version);
      },
    };
    h.stack.lambda.register(FLIP_FUNCTIONS.failover, {
      handler: flipHandler('failover', () => ({ ...rt, store: crashingStore })) as never,
      timeoutMs: 120_000,
    });
    h.backends.get('crash')?.primary.setMode({ kind: 'failing' });
    await runWatchdog(3);
    h.stack.lambda.register(FLIP_FUNCTIONS.failover, {
      handler: failoverHandler as never,
      timeoutMs: 120_000,
    });
    expect(changesFor('crash')).toHaveLength(1);
    expect(await state('crash')).toMatchObject({ active: 'primary', moving: { to: 'secondary' } });

    // The next scheduled run, after the flip function's time is certainly up, reconciles.
    const { watchdogHandler } = await import('../../functions/watchdog.ts');
    const wd = runtime('watchdog');
    const later = { ...wd, clock: { now: () => Date.now() + 180_000, sleep: wd.clock.sleep } };
    await watchdogHandler(() => later)({ time: new Date(later.clock.now()).toISOString() }, contextFor(1));
    await h.stack.lambda.idle();

    const s = await state('crash');
    expect(s).toMatchObject({ active: 'secondary', moving: null });
    expect(s.epoch).toBe(1);
    expect(s.hold).toBeNull();
    expect(changesFor('crash')).toHaveLength(1);
    expect(hookEvents('crash')).toContain('reconciled');
  });

  it('8. a planned failover by hand sets a hold; dryRun changes nothing; a bad payload is rejected', async () => {
    const changesBefore = h.stack.route53.changes.length;
    const writesBefore = writes();

    const dry = await invoke(FLIP_FUNCTIONS.failover, {
      service: 'planned',
      dryRun: true,
      requestedBy: 'alice',
    });
    const bad = await invoke(
      FLIP_FUNCTIONS.failover,
      '{"service":"planned","__proto__":{"force":true},"forse":true}',
    );

    expect(dry.outcome).toBe('dry-run');
    expect(dry.change?.Changes.map((c) => (c as { Action: string }).Action)).toEqual([
      'DELETE',
      'CREATE',
      'DELETE',
      'CREATE',
    ]);
    expect(bad.outcome).toBe('rejected');
    expect(bad.errors?.join(' ')).toContain("'forse'");
    expect(bad.errors?.join(' ')).toContain("'__proto__'");
    expect(h.stack.route53.changes.length).toBe(changesBefore);
    expect(writes()).toBe(writesBefore);

    const planned = await invoke(FLIP_FUNCTIONS.failover, {
      service: 'planned',
      reason: 'database upgrade on the primary',
      requestedBy: 'alice',
    });
    expect(planned).toMatchObject({ outcome: 'failed-over', from: 'primary', to: 'secondary', epoch: 1 });
    expect((await state('planned')).hold).toMatchObject({ kind: 'planned-failover', by: 'alice' });

    await runWatchdog(4); // the primary is healthy and failback is auto, but the hold stands
    expect(await state('planned')).toMatchObject({ active: 'secondary', moving: null });
    expect(changesFor('planned')).toHaveLength(1);
    expect(hookEvents('planned')).toEqual(['planned-failover', 'failback-ready']);

    const back = await invoke(FLIP_FUNCTIONS.failback, { service: 'planned', requestedBy: 'alice' });
    expect(back).toMatchObject({ outcome: 'failed-back', epoch: 2 });
    expect((await state('planned')).hold).toBeNull();
  });
});
