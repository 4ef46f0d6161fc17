/**
 * `npm start -- --vantages 3` end to end (issue #11): three real watchdogs, each a vantage probing
 * through its own view of the network, driven the way a person drives the demo — cut one vantage
 * off from the primary through the network view's HTTP control API and see traffic stay while the
 * demo shows that vantage disagreeing; then fail the primary for every vantage and see the DNS
 * answer move. Faster timing than the demo's defaults (4 s runs, 2 good rounds to recover).
 */
import { Resolver } from 'node:dns/promises';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';
import type { WebSnapshot } from '../../local/demo/web-view.ts';
import { runCli } from '../integration/cli/run-cli.ts';

const RECORD = 'api.demo.internal';
const CUT = 'eu-west-1';

/** Polls `probe` every 100 ms, at most `tries` times; the last value is returned either way. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, tries = 200): Promise<T> {
  let value = await probe();
  for (let i = 1; i < tries && !done(value); i++) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

describe('the local demo with three vantages', () => {
  let demo: LocalDemo;
  let network: string;
  let dns: Resolver;
  let printed = '';
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  const answer = async () => (await dns.resolveCname(RECORD).catch(() => []))[0];
  const lines = async () => printed;
  const snapshot = async () =>
    (await (await fetch(new URL('state.json', demo.webUrl))).json()) as WebSnapshot;
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${network}${path}`, {
      method: 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { vantage: string; cutOff: string[] };
  };

  beforeAll(async () => {
    demo = await startLocalDemo({
      out,
      vantages: 3,
      timing: { runSeconds: 4, recoveryThreshold: 2, minDwellSeconds: 0, viewIntervalMs: 200 },
    });
    if (demo.vantages === null) throw new Error('--vantages 3 starts the vantages');
    network = demo.vantages.network.url;
    dns = new Resolver({ timeout: 1000, tries: 1 });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('prints how to cut one vantage off, and runs one watchdog per vantage', async () => {
    // Three watchdogs' first rounds on a busy 2-core machine: up to 40 s before two have voted.
    const text = await until(
      lines,
      (value) => value.includes('quorum 2 of 3: primary up, secondary up'),
      400,
    );

    expect(text).toContain(`curl -X POST ${network}/vantage/${CUT}/partition`);
    expect(text).toContain(`curl -X POST ${network}/vantage/${CUT}/blind`);
    expect(text).toContain(`curl -X POST ${network}/vantage/${CUT}/heal`);
    expect(text).toContain('as 3 vantages (us-east-1, us-east-2, eu-west-1)');
    for (const vantage of ['us-east-1', 'us-east-2', CUT]) {
      expect(text).toContain(`payments-api: ${vantage} votes primary up, secondary up`);
    }
    expect(text).toContain('payments-api: quorum 2 of 3: primary up, secondary up');
    expect(demo.config.vantages).toMatchObject({ regions: ['us-east-1', 'us-east-2', CUT], quorum: 2 });
  }, 60_000);

  it('keeps traffic on the primary while one vantage is cut off from it, and shows it disagreeing', async () => {
    const cut = await control(`/vantage/${CUT}/partition`);
    expect(cut.cutOff).toEqual(['payments-api/primary']);

    const text = await until(lines, (value) =>
      value.includes(`${CUT} votes primary down, secondary up — disagrees on primary`),
    );
    // Several more rounds of the two that still see it: nothing moves.
    await sleep(3_000);

    expect(text).toContain(`payments-api: ${CUT} votes primary down, secondary up — disagrees on primary`);
    expect(printed).not.toMatch(/epoch 0 -> 1/);
    expect(await answer()).toBe('primary.demo.internal');
    const service = (await snapshot()).services[0];
    expect(service).toMatchObject({ phase: 'primary-active', epoch: 0 });
    expect(service?.vantages?.verdict).toBe('quorum 2 of 3 (3 voting): primary up, secondary up');
    const row = service?.vantages?.votes.find((vote) => vote.vantage === CUT);
    expect(row?.disagrees).toEqual(['primary']);
    expect(row?.text).toMatch(/^primary down, secondary up \((just now|\d s ago)\) — disagrees on primary$/);
    // The operator's view of the same votes.
    const status = await runCli(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(
      'payments-api votes (stale after 12.0 s): quorum 2 of 3 (3 voting): primary up',
    );
    expect(status.out).toMatch(
      new RegExp(`^ {2}${CUT}: primary down, secondary up \\(.*\\) — disagrees on primary$`, 'm'),
    );
  }, 40_000);

  it('fails over once the primary fails for every vantage', async () => {
    const before = printed.length;
    const healed = await control(`/vantage/${CUT}/heal`);
    expect(healed.cutOff).toEqual([]);
    await until(lines, (value) =>
      value.slice(before).includes(`payments-api: ${CUT} votes primary up, secondary up\n`),
    );
    const primary = demo.backends.primary;
    if (primary === undefined) throw new Error('the embedded demo starts a primary backend');

    expect((await fetch(`${primary.url}/fail`, { method: 'POST' })).status).toBe(200);
    const moved = await until(answer, (value) => value === 'standby.demo.internal');

    expect(moved).toBe('standby.demo.internal');
    const text = await until(lines, (value) => value.includes('epoch 0 -> 1: failover'));
    expect(text).toContain('payments-api: quorum 2 of 3: primary down, secondary up');
    expect(text).toContain('epoch 0 -> 1: failover, traffic on the secondary');
    const history = await runCli(['history', 'payments-api', '--json']);
    expect(history.out).toMatch(/quorum 2 of 3: .*see primary down/);
  }, 40_000);

  it('stops the vantages, their network view and the canary with everything else', async () => {
    const canary = demo.vantages?.canary.url ?? '';

    await demo.stop();

    await expect(fetch(`${network}/vantage`)).rejects.toThrow();
    await expect(fetch(`${canary}/health`)).rejects.toThrow();
  });
});
