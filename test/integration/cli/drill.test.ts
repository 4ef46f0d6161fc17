/**
 * `failoverctl drill` on the local stack, watching the local Route 53's DNS responder: a planned
 * failover and a failback through the real handlers, timed to the moment the DNS answer moves.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

type WatchdogHandler = (event: unknown, context: unknown) => Promise<unknown>;

describe('failoverctl drill', () => {
  let h: Harness;
  let store: StateStore;
  let dnsServer: string;
  let setupChanges = 0;
  const changesFor = (service: string) =>
    h.stack.route53.changes
      .slice(setupChanges)
      .filter((c) => JSON.stringify(c.changes).includes(`${service}.example.test`));

  beforeAll(async () => {
    h = await startHarness([
      { name: 'drilled', failback: 'manual' },
      { name: 'unready', failback: 'manual' },
      { name: 'sourced', failback: 'manual' },
      { name: 'delayed', failback: 'manual' },
    ]);
    store = stateStoreFromEnv();
    setupChanges = h.stack.route53.changes.length;
    dnsServer = `127.0.0.1:${h.stack.route53.dnsPort}`;
    h.backends.get('unready')?.secondary.setMode({ kind: 'failing' });
    const watchdog = (await import('../../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    await watchdog({ time: new Date().toISOString() }, contextFor(3));
    await h.stack.lambda.idle();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('fails over and back, prints the timings of each way, and leaves traffic on the primary', async () => {
    const run = await runCli([
      'drill',
      'drilled',
      '--dns-server',
      dnsServer,
      '--timeout',
      '20',
      '--as',
      'dora',
    ]);

    expect(run.code).toBe(0);
    expect(run.out).toContain('DNS answers now: primary.drilled.example.net');
    expect(run.out).toMatch(/^\s+failover\s+failback$/m);
    for (const part of [
      'request -> change accepted',
      'accepted -> INSYNC seen \\(propagation\\)',
      'INSYNC seen -> DNS answer moved',
      'request -> DNS answer moved',
      'request -> function answered',
    ]) {
      // ` earlier`: the DNS watch may see the answer before the function's GetChange sees INSYNC.
      const time = '\\d+(\\.\\d)? m?s( earlier)?';
      expect(run.out).toMatch(new RegExp(`^${part}\\s+${time}\\s+${time}$`, 'm'));
    }
    expect(run.out).toContain(
      'An unplanned failover adds detection first: up to failureThreshold 2 x probeIntervalSeconds 1 s + check timeout 500 ms = 2.5 s.',
    );
    expect(run.out).toContain("Resolvers may keep the old answer for up to the record's TTL 30 s");
    expect(run.out).toContain('Traffic is back on the primary of drilled (epoch 2).');
    expect(changesFor('drilled')).toHaveLength(2);
    expect((await store.load('drilled'))?.value).toMatchObject({
      active: 'primary',
      moving: null,
      epoch: 2,
      hold: null,
    });
    const dns = new Resolver();
    dns.setServers([dnsServer]);
    expect(await dns.resolveCname('drilled.example.test')).toEqual(['primary.drilled.example.net']);
    const history = await store.history('drilled', 10);
    expect(
      history.filter((e) => e.outcome?.startsWith('failed-')).map((e) => [e.outcome, e.requestedBy]),
    ).toEqual([
      ['failed-back', 'dora'],
      ['failed-over', 'dora'],
    ]);
  });

  it('reports propagation apart from the flip, the DNS answer moving only once INSYNC, and the bound to plan with', async () => {
    h.stack.route53.setPropagation({ kind: 'fixed', delayMs: 1_500 });
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(['drill', 'delayed', '--dns-server', dnsServer, '--timeout', '20']);
    } finally {
      h.stack.route53.setPropagation({ kind: 'instant' });
    }

    const row = (label: string) =>
      run.out
        .split('\n')
        .find((line) => line.startsWith(label))
        ?.slice(label.length)
        .trim()
        .split(/\s{2,}/);
    const seconds = (text: string | undefined) =>
      text?.endsWith(' ms') ? Number.parseFloat(text) / 1000 : Number.parseFloat(text ?? 'NaN');
    const propagation = row('accepted -> INSYNC seen (propagation)')?.map(seconds) ?? [];
    const accepted = row('request -> change accepted')?.map(seconds) ?? [];
    const dns = row('request -> DNS answer moved')?.map(seconds) ?? [];
    const bound = /= (\d+\.\d) s\.$/.exec(
      run.out.split('\n').find((line) => line.startsWith('Bound to plan')) ?? '',
    );

    expect(run.code).toBe(0);
    expect(propagation).toHaveLength(2);
    for (const [way, ms] of propagation.entries()) {
      // INSYNC is seen at the function's next GetChange poll (1 s, then 2 s, 4 s, 5 s apart).
      expect(ms).toBeGreaterThanOrEqual(1.4);
      expect(ms).toBeLessThan(1.5 + 5.5);
      expect(dns[way]).toBeGreaterThanOrEqual((accepted[way] ?? Number.NaN) + 1.4);
    }
    // detection 2.5 s + the slower propagation + TTL 30 s
    expect(Number(bound?.[1])).toBeCloseTo(2.5 + Math.max(...propagation) + 30, 0);
    expect(run.out).toContain(
      'Bound to plan an unplanned failover of delayed with: detection 2.5 s + propagation',
    );
  });

  it('names FAILOVERCTL_DNS_SERVER, exit 2, when its value is not host:port, before any flip', async () => {
    const run = await runCli(['drill', 'sourced'], { FAILOVERCTL_DNS_SERVER: '127.0.0.1:99999' });

    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "FAILOVERCTL_DNS_SERVER=127.0.0.1:99999: A DNS server must be host[:port] (e.g. 127.0.0.1:5353), got '127.0.0.1:99999'.",
    );
    expect(changesFor('sourced')).toHaveLength(0);
  });

  it('watches the DNS server that FAILOVERCTL_DNS_SERVER names when --dns-server is absent', async () => {
    const run = await runCli(['drill', 'sourced', '--timeout', '20'], { FAILOVERCTL_DNS_SERVER: dnsServer });

    expect(run.code).toBe(0);
    expect(run.out).toContain(`at ${dnsServer} (from FAILOVERCTL_DNS_SERVER)`);
    expect(run.out).toMatch(/^request -> DNS answer moved\s+\d+(\.\d)? m?s\s+\d+(\.\d)? m?s$/m);
    expect(run.out).toContain('Traffic is back on the primary of sourced (epoch 2).');
    expect(changesFor('sourced')).toHaveLength(2);
  });

  it('refuses to start, exit 1, when the standby is not healthy', async () => {
    const run = await runCli(['drill', 'unready', '--dns-server', dnsServer]);

    expect(run.code).toBe(1);
    expect(run.err).toContain('Drill refused: the standby of unready is down, not up');
    expect(changesFor('unready')).toHaveLength(0);
  });
});
