/**
 * failoverctl on the local stack for a service with three targets in preference order (issue #19):
 * status shows every target, most preferred first; validate, plan, failover and failback name and
 * move to any of them with `--to`. The real watchdog and flip handlers run behind the Lambda stand-in.
 */
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

type WatchdogHandler = (event: unknown, context: unknown) => Promise<unknown>;

const SERVICE = 'tri';

describe('failoverctl with three targets', () => {
  let h: Harness;
  let store: StateStore;
  let route53: Route53Client;
  let setupChanges = 0;
  const changes = () => h.stack.route53.changes.length - setupChanges;
  const weights = async () => {
    const out = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: h.zoneId, StartRecordName: h.recordName(SERVICE) }),
    );
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((set) => set.Name === h.recordName(SERVICE))
        .map((set) => [set.SetIdentifier, set.Weight]),
    );
  };

  beforeAll(async () => {
    h = await startHarness([{ name: SERVICE, failback: 'manual', targets: ['primary', 'secondary', 'dr'] }]);
    store = stateStoreFromEnv();
    route53 = new Route53Client({ region: 'us-east-1' });
    setupChanges = h.stack.route53.changes.length;
    h.backends.get(SERVICE)?.secondary.setMode({ kind: 'failing' });
    const watchdog = (await import('../../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    await watchdog({ time: new Date().toISOString() }, contextFor(3));
    await h.stack.lambda.idle();
  }, 60_000);

  afterAll(async () => {
    route53?.destroy();
    await h?.close();
  });

  it('shows the health of every target in one column, most preferred first, with the evidence of each', async () => {
    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^SERVICE\s+PHASE\s+ACTIVE\s+TARGETS\s+SINCE\s+HOLD\s+PAUSED\s+EPOCH$/m);
    expect(run.out).toMatch(
      /^tri\s+primary-active\s+primary\s+primary:up secondary:down dr:up\s+-\s+-\s+no\s+0$/m,
    );
    const evidence = run.out.slice(run.out.indexOf('\ntri:\n'));
    expect(evidence).toMatch(/^ {2}primary\s+up since /m);
    expect(evidence).toMatch(/^ {2}secondary\s+down since /m);
    expect(evidence).toMatch(/^ {2}dr\s+up since /m);
    expect(evidence.indexOf('  secondary ')).toBeGreaterThan(evidence.indexOf('  primary '));
    expect(evidence.indexOf('  dr ')).toBeGreaterThan(evidence.indexOf('  secondary '));
  });

  it('prints every target by id as JSON, most preferred first', async () => {
    const run = await runCli(['status', '--json']);

    expect(run.code).toBe(0);
    const body = JSON.parse(run.out) as {
      services: {
        phase: string;
        active: string;
        moving: unknown;
        targets: Record<string, { status: string }>;
      }[];
    };
    const [tri] = body.services;
    expect(tri).toMatchObject({ phase: 'primary-active', active: 'primary', moving: null });
    expect(Object.keys(tri?.targets ?? {})).toEqual(['primary', 'secondary', 'dr']);
    expect(tri?.targets).toMatchObject({
      primary: { status: 'up' },
      secondary: { status: 'down' },
      dr: { status: 'up' },
    });
  });

  it('validates the configuration with one line per target', async () => {
    const run = await runCli(['validate', '--config', h.configFile]);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^ {2}primary {3}'primary': http GET /m);
    expect(run.out).toMatch(/^ {2}secondary 'secondary': http GET /m);
    expect(run.out).toMatch(/^ {2}dr {8}'dr': http GET /m);
  });

  it('refuses, exit 2, a --to that is not a target of the service, naming its targets, and changes nothing', async () => {
    const run = await runCli(['failover', SERVICE, '--to', 'nowhere', '--reason', 'test']);

    expect(run.code).toBe(2);
    expect(run.err).toContain("--to 'nowhere' is not a target of tri; its targets: primary, secondary, dr.");
    expect(changes()).toBe(0);
  });

  it('plans a failover to the target named by --to: one DELETE and CREATE per target, nothing changed', async () => {
    const run = await runCli(['plan', SERVICE, '--to', 'dr']);

    expect(run.code).toBe(0);
    const batch = JSON.parse(run.out.slice(run.out.indexOf('{', run.out.indexOf('Exact ChangeBatch:')))) as {
      Changes: { Action: string; ResourceRecordSet: { SetIdentifier: string; Weight: number } }[];
    };
    expect(
      batch.Changes.map((c) => [c.Action, c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight]),
    ).toEqual([
      ['DELETE', 'primary', 100],
      ['CREATE', 'primary', 0],
      ['DELETE', 'secondary', 0],
      ['CREATE', 'secondary', 0],
      ['DELETE', 'dr', 0],
      ['CREATE', 'dr', 100],
    ]);
    expect(changes()).toBe(0);
  });

  it('fails over to the target named by --to, and status shows it active', async () => {
    const run = await runCli(['failover', SERVICE, '--to', 'dr', '--reason', 'region drill', '--as', 'erin']);
    const status = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Failed over');
    expect(await weights()).toEqual({ primary: 0, secondary: 0, dr: 100 });
    expect((await store.load(SERVICE))?.value).toMatchObject({ active: 'dr', moving: null, epoch: 1 });
    // An operator's move forgets what the watchdog concluded about the target it moved to (afterFlip).
    expect(status.out).toMatch(/^tri\s+dr-active\s+dr\s+primary:up secondary:down dr:unknown\s/m);
  });

  it('fails back to the first target when --to is not given', async () => {
    const run = await runCli(['failback', SERVICE, '--reason', 'drill done', '--as', 'erin']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Failed back');
    expect(await weights()).toEqual({ primary: 100, secondary: 0, dr: 0 });
    expect((await store.load(SERVICE))?.value).toMatchObject({ active: 'primary', moving: null, epoch: 2 });
  });
});
