/**
 * failoverctl's operations on the local stack: planned failover and failback, a refusal, pause and
 * resume through the control function, and the audit trail they leave. The real watchdog, flip and
 * control handlers run in this process behind the Lambda stand-in; Route 53 is the local one.
 */
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import type { AuditEvent } from '../../../shared/domain/events.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

type WatchdogHandler = (event: unknown, context: unknown) => Promise<unknown>;

describe('failoverctl operations', () => {
  let h: Harness;
  let store: StateStore;
  let route53: Route53Client;
  let runWatchdog: (rounds: number) => Promise<void>;

  const state = async (service: string): Promise<ServiceState> => {
    const found = await store.load(service);
    if (!found) throw new Error(`no state for ${service}`);
    return found.value;
  };
  let setupChanges = 0;
  const changesFor = (service: string) =>
    h.stack.route53.changes
      .slice(setupChanges)
      .filter((c) => JSON.stringify(c.changes).includes(`${service}.example.test`));
  const weights = async (service: string) => {
    const out = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: h.zoneId, StartRecordName: h.recordName(service) }),
    );
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((set) => set.Name === h.recordName(service))
        .map((set) => [set.SetIdentifier, set.Weight]),
    );
  };

  beforeAll(async () => {
    h = await startHarness([
      { name: 'planned', failback: 'manual' },
      { name: 'sickstandby', failback: 'manual' },
      { name: 'paused', failback: 'manual' },
      { name: 'held', failback: 'manual' },
    ]);
    store = stateStoreFromEnv();
    setupChanges = h.stack.route53.changes.length;
    route53 = new Route53Client({ region: 'us-east-1' });
    const watchdog = (await import('../../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    runWatchdog = async (rounds) => {
      await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
      await h.stack.lambda.idle();
    };
    await runWatchdog(2); // first sight: every target up
  }, 60_000);

  afterAll(async () => {
    route53?.destroy();
    await h?.close();
  });

  it('fails over on request: one Route 53 change, the standby weighted, a hold recorded with who and why', async () => {
    const run = await runCli(['failover', 'planned', '--reason', 'db upgrade', '--as', 'alice']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Failed over: Moved planned from the primary to the secondary: db upgrade.');
    expect(changesFor('planned')).toHaveLength(1);
    expect(await weights('planned')).toEqual({ primary: 0, secondary: 100 });
    expect(await state('planned')).toMatchObject({
      active: 'secondary',
      moving: null,
      epoch: 1,
      hold: { kind: 'planned-failover', by: 'alice', reason: 'db upgrade' },
    });
  });

  it('fails back on request, releasing the hold', async () => {
    const run = await runCli(['failback', 'planned', '--reason', 'upgrade done', '--as', 'alice']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Failed back: Moved planned from the secondary to the primary: upgrade done.');
    expect(changesFor('planned')).toHaveLength(2);
    expect(await weights('planned')).toEqual({ primary: 100, secondary: 0 });
    expect(await state('planned')).toMatchObject({ active: 'primary', moving: null, epoch: 2, hold: null });
  });

  it('says there is nothing to do, exit 0, when traffic is already where it was asked to go', async () => {
    const run = await runCli(['failback', 'planned']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Nothing to do: planned is already on the primary.');
    expect(changesFor('planned')).toHaveLength(2);
  });

  it('lists the audit trail newest first, as text and as JSON', async () => {
    const text = await runCli(['history', 'planned', '--limit', '5']);
    const json = await runCli(['history', 'planned', '--limit', '5', '--json']);

    expect(text.code).toBe(0);
    const failback = text.out.indexOf('failback failed-back  epoch 2  secondary -> primary  by alice');
    const failover = text.out.indexOf('failover failed-over  epoch 1  primary -> secondary  by alice');
    expect(failback).toBeGreaterThanOrEqual(0);
    expect(failover).toBeGreaterThan(failback);
    const events = JSON.parse(json.out) as AuditEvent[];
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => b - a));
    expect(events.filter((e) => e.outcome === 'failed-over' || e.outcome === 'failed-back')).toHaveLength(2);
  });

  it('exits 1 when the function refuses: the standby fails its re-check and nothing moves', async () => {
    h.backends.get('sickstandby')?.secondary.setMode({ kind: 'failing' });

    const run = await runCli(['failover', 'sickstandby', '--reason', 'test']);

    expect(run.code).toBe(1);
    expect(run.out).toContain('REFUSED: Refused to fail over sickstandby: the secondary failed its re-check');
    expect(changesFor('sickstandby')).toHaveLength(0);
    expect(await state('sickstandby')).toMatchObject({ active: 'primary', moving: null });
  });

  it('pauses automation: the watchdog then does not fail over a failed primary', async () => {
    const pause = await runCli(['pause', 'paused', '--reason', 'maintenance', '--as', 'bob']);
    h.backends.get('paused')?.primary.setMode({ kind: 'failing' });

    await runWatchdog(3);

    expect(pause.code).toBe(0);
    expect(pause.out).toContain('Paused: Automation for paused paused by bob: maintenance.');
    expect(await state('paused')).toMatchObject({
      paused: true,
      active: 'primary',
      moving: null,
      targets: { primary: { status: 'down' } },
    });
    expect(changesFor('paused')).toHaveLength(0);
    const again = await runCli(['pause', 'paused']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Nothing to do: Automation for paused was already paused');
  });

  it('resumes automation, after which the watchdog fails over by itself', async () => {
    const resume = await runCli(['resume', 'paused', '--as', 'bob']);

    await runWatchdog(2);

    expect(resume.code).toBe(0);
    expect(resume.out).toContain('Resumed: paused: automation resumed by bob.');
    expect(await state('paused')).toMatchObject({
      paused: false,
      active: 'secondary',
      moving: null,
      epoch: 1,
    });
    expect(changesFor('paused')).toHaveLength(1);
    const history = await store.history('paused', 20);
    expect(history.filter((e) => e.kind === 'pause' || e.kind === 'resume').map((e) => e.outcome)).toEqual([
      'resumed',
      'already-paused',
      'paused',
    ]);
  });

  it('releases a planned-failover hold with resume, without moving traffic', async () => {
    await runCli(['failover', 'held', '--reason', 'region work', '--as', 'carol']);
    expect((await state('held')).hold).not.toBeNull();

    const run = await runCli(['resume', 'held', '--as', 'carol']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('the planned-failover hold set by carol (region work) released by carol');
    expect(await state('held')).toMatchObject({
      hold: null,
      paused: false,
      active: 'secondary',
      moving: null,
      epoch: 1,
    });
    expect(changesFor('held')).toHaveLength(1);
  });

  it('exits 1 with the reasons when the control function rejects the request', async () => {
    const run = await runCli(['pause', 'held', '--reason', 'x'.repeat(1001)]);

    expect(run.code).toBe(1);
    expect(run.out).toContain('REJECTED: Request rejected: reason: at most 1000 characters');
  });
});
