/**
 * Issue #13 end to end on the local stack, with the real watchdog, failover and failback handlers:
 * a recovered primary gets its traffic back in steps (`failbackSteps: [10, 50, 100]`), each step one
 * compare-and-swap batch on its own epoch, each held while the primary stays healthy; the DNS
 * responder answers both targets during the ramp. The primary failing at the 50 % step sends all
 * traffic back to the standby at once, in one batch. By hand, a failback ramps by the policy too,
 * and `steps: [100]` (`failoverctl failback --steps 100`) skips the ramp.
 */
import { Resolver } from 'node:dns/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLIP_FUNCTIONS } from '../../local/stack.ts';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import type { ServiceState } from '../../shared/domain/state.ts';
import { contextFor, type Harness, startHarness } from './harness.ts';

const RAMP = ['failbackSteps: [10, 50, 100]', 'stepHoldSeconds: 2'];
const SERVICES = [
  { name: 'ramp', failback: 'auto', ttlSeconds: 1, policy: RAMP },
  { name: 'byhand', failback: 'manual', ttlSeconds: 1, policy: RAMP },
  { name: 'skip', failback: 'manual', ttlSeconds: 1, policy: RAMP },
] as const;
type Service = (typeof SERVICES)[number]['name'];
/** How long a step may take to land: its hold (2 s) and a few watchdog runs on a busy machine. */
const STEP_SLACK_MS = 20_000;

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

describe('gradual failback end to end on the local stack (issue #13)', () => {
  let h: Harness;
  let watchdog: WatchdogHandler;
  let store: StateStore;
  let lambda: LambdaClient;
  let dns: Resolver;
  let setupChanges = 0;

  const runWatchdog = async (rounds: number) => {
    const report = await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
    return report;
  };
  const state = async (service: Service): Promise<ServiceState> => {
    const found = await store.load(service);
    if (!found) throw new Error(`no state for ${service}`);
    return found.value;
  };
  const backend = (service: Service) => {
    const found = h.backends.get(service)?.primary;
    if (!found) throw new Error(`no primary backend for ${service}`);
    return found;
  };
  /** The controller's batches for the service, in order. */
  const batches = (service: Service): Batch[] =>
    h.stack.route53.changes
      .slice(setupChanges)
      .map((c) => ({ changes: c.changes as Batch['changes'] }))
      .filter((b) => b.changes.some((c) => c.ResourceRecordSet.Name === h.recordName(service)));
  /** What one batch does: every record deleted as read and created with its new weight. */
  const casOf = (batch: Batch | undefined) => {
    const weightsOf = (action: string) =>
      Object.fromEntries(
        (batch?.changes ?? [])
          .filter((c) => c.Action === action)
          .map((c) => [c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight]),
      );
    return { deleted: weightsOf('DELETE'), created: weightsOf('CREATE'), size: batch?.changes.length };
  };
  /** The hosts 200 DNS queries were answered with, and how often. */
  const answers = async (service: Service): Promise<Record<string, number>> => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < 200; i += 1) {
      const [host = ''] = await dns.resolveCname(`${service}.example.test`);
      seen[host] = (seen[host] ?? 0) + 1;
    }
    return seen;
  };
  const hookEvents = (service: Service) =>
    h.webhook.requests
      .filter((r) => r.path === `/${service}`)
      .map((r) => (JSON.parse(r.body) as { event: string }).event);
  const invoke = async (fn: string, payload: unknown): Promise<FlipResponse> => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: fn, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
    );
    return JSON.parse(new TextDecoder().decode(out.Payload)) as FlipResponse;
  };
  /** Runs the watchdog (2 rounds at a time) until `done` holds of the state, within the slack. */
  const runUntil = async (service: Service, done: (s: ServiceState) => boolean): Promise<ServiceState> => {
    const deadline = Date.now() + STEP_SLACK_MS;
    while (Date.now() < deadline) {
      await runWatchdog(2);
      const s = await state(service);
      if (done(s)) return s;
    }
    return state(service);
  };
  const failOver = async (service: Service) => {
    backend(service).setMode({ kind: 'failing' });
    const s = await runUntil(service, (x) => x.active === 'secondary' && x.moving === null);
    expect(s).toMatchObject({ active: 'secondary', epoch: 1, ramp: null });
    backend(service).setMode({ kind: 'healthy' });
  };

  beforeAll(async () => {
    h = await startHarness(SERVICES);
    watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    store = stateStoreFromEnv();
    lambda = new LambdaClient({});
    dns = new Resolver();
    dns.setServers([`127.0.0.1:${h.stack.route53.dnsPort}`]);
    setupChanges = h.stack.route53.changes.length;
    await runWatchdog(2); // first sight: every target up
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    await h?.close();
  });

  it('1. returns 10 % of the traffic first, in one batch on its own epoch, and DNS answers both targets', async () => {
    await failOver('ramp');

    const s = await runUntil('ramp', (x) => x.ramp !== null && x.moving === null);

    expect(s).toMatchObject({
      active: 'secondary',
      epoch: 2,
      ramp: { from: 'secondary', to: 'primary', step: 0 },
    });
    expect(s.ramp?.holdSeconds).toBe(2);
    expect(batches('ramp')).toHaveLength(2);
    expect(casOf(batches('ramp')[1])).toEqual({
      deleted: { primary: 0, secondary: 100 },
      created: { primary: 10, secondary: 90 },
      size: 4,
    });
    const seen = await answers('ramp');
    expect(Object.keys(seen).sort()).toEqual([h.primaryTarget('ramp'), h.secondaryTarget('ramp')]);
    expect(seen[h.secondaryTarget('ramp')] ?? 0).toBeGreaterThan(seen[h.primaryTarget('ramp')] ?? 0);
    expect(hookEvents('ramp')).toEqual(['failover', 'failback-started']);
  }, 60_000);

  it('2. moves to 50 % once the primary has stayed healthy for the hold', async () => {
    const before = await state('ramp');

    const s = await runUntil('ramp', (x) => x.ramp?.step === 1 && x.moving === null);

    expect(s).toMatchObject({ active: 'secondary', epoch: 3, ramp: { step: 1 } });
    expect((s.ramp?.since ?? 0) - (before.ramp?.since ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(batches('ramp')).toHaveLength(3);
    expect(casOf(batches('ramp')[2])).toMatchObject({
      deleted: { primary: 10, secondary: 90 },
      created: { primary: 50, secondary: 50 },
    });
    const seen = await answers('ramp');
    expect(Object.keys(seen).sort()).toEqual([h.primaryTarget('ramp'), h.secondaryTarget('ramp')]);
    // A middle step is recorded, not announced.
    expect(hookEvents('ramp')).toEqual(['failover', 'failback-started']);
  }, 60_000);

  it('3. rolls all traffic back to the standby at once, in one batch, when the primary fails at 50 %', async () => {
    backend('ramp').setMode({ kind: 'failing' });

    const s = await runUntil('ramp', (x) => x.ramp === null && x.moving === null);

    expect(s).toMatchObject({ active: 'secondary', epoch: 4, ramp: null });
    expect(batches('ramp')).toHaveLength(4);
    expect(casOf(batches('ramp')[3])).toEqual({
      deleted: { primary: 50, secondary: 50 },
      created: { primary: 0, secondary: 100 },
      size: 4,
    });
    expect(await answers('ramp')).toEqual({ [h.secondaryTarget('ramp')]: 200 });
    expect(hookEvents('ramp')).toEqual(['failover', 'failback-started', 'failback-rolled-back']);
    const flips = (await store.history('ramp', 50)).filter((e) => e.outcome?.startsWith('failed-'));
    expect(flips.map((e) => [e.kind, e.epoch]).reverse()).toEqual([
      ['failover', 1],
      ['failback-step', 2],
      ['failback-step', 3],
      ['failback-rollback', 4],
    ]);
  }, 60_000);

  it('4. ramps a failback by hand by the policy too; the watchdog carries the steps to the end', async () => {
    await failOver('byhand');

    const first = await invoke(FLIP_FUNCTIONS.failback, { service: 'byhand', requestedBy: 'alice' });

    expect(first).toMatchObject({ outcome: 'failed-back', epoch: 2 });
    expect((await state('byhand')).ramp).toMatchObject({ to: 'primary', step: 0, by: 'alice' });
    expect(casOf(batches('byhand')[1]).created).toEqual({ primary: 10, secondary: 90 });
    const s = await runUntil('byhand', (x) => x.active === 'primary' && x.moving === null);
    expect(s).toMatchObject({ active: 'primary', epoch: 4, ramp: null });
    expect(batches('byhand').map((b) => casOf(b).created)).toEqual([
      { primary: 0, secondary: 100 },
      { primary: 10, secondary: 90 },
      { primary: 50, secondary: 50 },
      { primary: 100, secondary: 0 },
    ]);
    expect(hookEvents('byhand')).toEqual(['failover', 'failback-started', 'failback']);
  }, 60_000);

  it('5. skips the ramp for a failback by hand with steps [100]: all the traffic in one batch', async () => {
    await failOver('skip');

    const back = await invoke(FLIP_FUNCTIONS.failback, {
      service: 'skip',
      requestedBy: 'alice',
      steps: [100],
    });

    expect(back).toMatchObject({ outcome: 'failed-back', epoch: 2 });
    expect(await state('skip')).toMatchObject({ active: 'primary', ramp: null });
    expect(batches('skip')).toHaveLength(2);
    expect(casOf(batches('skip')[1]).created).toEqual({ primary: 100, secondary: 0 });
    expect(await answers('skip')).toEqual({ [h.primaryTarget('skip')]: 200 });
  }, 60_000);
});
