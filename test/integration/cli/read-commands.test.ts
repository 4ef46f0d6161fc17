/**
 * failoverctl's read-only commands on the local stack: status, plan, validate and usage errors.
 * The real watchdog and failover handlers run in this process behind the Lambda stand-in.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

type WatchdogHandler = (event: unknown, context: unknown) => Promise<unknown>;

describe('failoverctl read commands', () => {
  let h: Harness;
  let dir: string;
  let runWatchdog: (rounds: number) => Promise<void>;

  beforeAll(async () => {
    h = await startHarness([
      { name: 'alpha', failback: 'manual' },
      { name: 'beta', failback: 'auto' },
    ]);
    dir = await mkdtemp(join(tmpdir(), 'failoverctl-read-'));
    const watchdog = (await import('../../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    runWatchdog = async (rounds) => {
      await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
      await h.stack.lambda.idle();
    };
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows services the controller has not recorded yet as not seen', async () => {
    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^alpha\s+not seen yet/m);
  });

  it("prints a table of phase, active target, each target's health, hold, pause and epoch per service", async () => {
    h.backends.get('beta')?.secondary.setMode({ kind: 'failing' });
    await runWatchdog(3);

    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^SERVICE\s+PHASE\s+ACTIVE\s+TARGETS\s+SINCE\s+HOLD\s+PAUSED\s+EPOCH$/m);
    expect(run.out).toMatch(/^alpha\s+primary-active\s+primary\s+primary:up secondary:up\s+-\s+-\s+no\s+0$/m);
    expect(run.out).toMatch(
      /^beta\s+primary-active\s+primary\s+primary:up secondary:down\s+-\s+-\s+no\s+0$/m,
    );
    // The last reasons of the failing target, and what the evidence is as of.
    expect(run.out).toMatch(/FAIL http GET http:\/\/127\.0\.0\.1:\d+\/health: status 503/);
    expect(run.out).toContain("as of each service's last state write");
  });

  it('prints the same states as JSON with --json', async () => {
    const run = await runCli(['status', '--json']);

    expect(run.code).toBe(0);
    const body = JSON.parse(run.out) as {
      services: (Record<string, unknown> & { targets?: Record<string, unknown> })[];
    };
    expect(body.services.map((s) => [s.service, s.phase, s.active, s.epoch, s.paused, s.hold])).toEqual([
      ['alpha', 'primary-active', 'primary', 0, false, null],
      ['beta', 'primary-active', 'primary', 0, false, null],
    ]);
    expect(body.services[1]).toMatchObject({
      moving: null,
      targets: { secondary: { status: 'down' }, primary: { status: 'up' } },
    });
    // Most preferred first.
    expect(Object.keys(body.services[1]?.targets ?? {})).toEqual(['primary', 'secondary']);
  });

  it("links the stage's CloudWatch dashboard in the region asked for, or the deployed URL when given", async () => {
    const computed = await runCli(['status', '--stage', 'prod', '--region', 'eu-west-1'], {
      DASHBOARD_URL: '',
    });
    const given = await runCli(['status'], { DASHBOARD_URL: 'https://example.com/dash?region=x' });
    const hostile = await runCli(['status', '--stage', 'qa'], {
      DASHBOARD_URL: 'https://e.com/\u001b]0;x\u0007',
    });

    expect(computed.code).toBe(0);
    expect(computed.out).toContain(
      'Dashboard: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/failover-controller-prod\n',
    );
    expect(given.out).toContain('Dashboard: https://example.com/dash?region=x\n');
    expect(hostile.out).not.toContain('\u001b');
    expect(hostile.out).toMatch(
      /Dashboard: https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/.*failover-controller-qa\n/,
    );
  });

  it('plans a failover with the exact compare-and-swap batch and changes nothing', async () => {
    const changesBefore = h.stack.route53.changes.length;

    const run = await runCli(['plan', 'alpha']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Dry run: A failover would move alpha from the primary to the secondary');
    const batch = JSON.parse(run.out.slice(run.out.indexOf('{', run.out.indexOf('Exact ChangeBatch:')))) as {
      Changes: { Action: string; ResourceRecordSet: { SetIdentifier: string; Weight: number } }[];
    };
    expect(
      batch.Changes.map((c) => [c.Action, c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight]),
    ).toEqual([
      ['DELETE', 'primary', 100],
      ['CREATE', 'primary', 0],
      ['DELETE', 'secondary', 0],
      ['CREATE', 'secondary', 100],
    ]);
    expect(h.stack.route53.changes.length).toBe(changesBefore);
  });

  it('plans a failover to a failing standby and says it would be refused', async () => {
    const run = await runCli(['plan', 'beta']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('the secondary is NOT healthy');
    expect(run.out).toContain('so it would be refused');
  });

  it('validates a good configuration and summarizes it', async () => {
    const run = await runCli(['validate', '--config', h.configFile]);

    expect(run.code).toBe(0);
    expect(run.out).toContain('is valid: 2 services, 2 notifier groups.');
    expect(run.out).toMatch(/^alpha: alpha\.example\.test\. CNAME in hosted zone Z/m);
  });

  it('prints every problem of a broken configuration with its field path and exits 2', async () => {
    const file = join(dir, 'broken.yml');
    await writeFile(
      file,
      [
        'services:',
        '  - name: Bad_Name',
        '    hostedZoneId: Z1',
        '    recordName: api.example.com',
        '    recordType: MX',
        '    primary: { setIdentifier: p, checks: [{ http: { url: "ftp://x" } }] }',
        '    secondary: { setIdentifier: s, checks: [] }',
        '    notify: [nobody]',
        '',
      ].join('\n'),
    );

    const run = await runCli(['validate', '--config', file]);

    expect(run.code).toBe(2);
    for (const path of [
      'services[0].name',
      'services[0].recordType',
      'services[0].primary.checks[0].http.url',
      'services[0].secondary.checks',
      'services[0].notify[0]',
    ]) {
      expect(run.err).toContain(`${path}:`);
    }
    expect(run.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 with the list of commands for an unknown command', async () => {
    const run = await runCli(['flip', 'alpha']);

    expect(run.code).toBe(2);
    expect(run.err).toContain("unknown command 'flip'. Commands: status, history, failover");
  });

  it('exits 2 and names the configured services for an unknown service', async () => {
    const run = await runCli(['plan', 'gamma']);

    expect(run.code).toBe(2);
    expect(run.err).toContain("Unknown service 'gamma'");
    expect(run.err).toContain('configured: alpha, beta.');
  });

  it('exits 2 for an unknown option or a missing argument, with the usage', async () => {
    const unknown = await runCli(['status', '--jsn']);
    const missing = await runCli(['failover', 'alpha']);

    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown option '--jsn'.");
    expect(unknown.err).toContain('Usage: failoverctl status [--json]');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('A failover needs --reason');
  });

  it('exits 1 in plain words when the function it invokes does not exist', async () => {
    const run = await runCli(['plan', 'alpha', '--stage', 'prod'], { FAILOVER_FUNCTION_NAME: '' });

    expect(run.code).toBe(1);
    expect(run.err).toContain(
      "The failover function 'failover-controller-prod-failover' does not exist here.",
    );
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});
