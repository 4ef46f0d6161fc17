/**
 * `npm start` end to end: the demo with its embedded configuration, driven the way a person drives
 * it — break the demo primary over HTTP, watch a real DNS client's answer move to the standby and
 * come back (automatic failback), read the change lines the demo prints. Faster timing than the
 * demo's defaults (short runs, 2 good rounds to recover); assertions are on rounds and answers.
 */

import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoBackend } from '../../local/backend/index.ts';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';

const RECORD = 'api.demo.internal';

/** Polls `probe` every 100 ms, at most `tries` times; the last value is returned either way. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, tries = 150): Promise<T> {
  let value = await probe();
  for (let i = 1; i < tries && !done(value); i++) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

function matches(line: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? line.endsWith(`payments-api: ${expected}`) : expected.test(line);
}

function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

describe('the local demo', () => {
  let demo: LocalDemo;
  let primary: DemoBackend;
  let dns: Resolver;
  let printed = '';
  let handlesBefore: Map<string, number>;
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  const answer = async () => (await dns.resolveCname(RECORD).catch(() => []))[0];
  const post = async (backend: DemoBackend, control: string) => {
    const response = await fetch(`${backend.url}${control}`, { method: 'POST' });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    handlesBefore = handleCounts();
    demo = await startLocalDemo({
      out,
      timing: { runSeconds: 4, recoveryThreshold: 2, minDwellSeconds: 0, viewIntervalMs: 200 },
    });
    if (!demo.backends.primary) throw new Error('the embedded demo starts a primary backend');
    primary = demo.backends.primary;
    dns = new Resolver({ timeout: 1000, tries: 1 });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('prints the commands to try and the exports for failoverctl', async () => {
    const env = await readFile(demo.envFile, 'utf8');

    expect(printed).toContain(`curl -X POST ${primary.url}/fail`);
    expect(printed).toContain(`curl -X POST ${demo.backends.standby?.url}/fail`);
    expect(printed).toContain(`dig @127.0.0.1 -p ${demo.dnsPort} ${RECORD} CNAME`);
    expect(printed).toContain(`export FAILOVER_CONFIG=${demo.configFile}`);
    expect(printed).toContain(`export AWS_ENDPOINT_URL_ROUTE_53=${demo.stack.route53.endpoint}`);
    expect(printed).toContain('export AWS_SECRET_ACCESS_KEY=local');
    expect(env).toContain(`export STATE_TABLE=${demo.stack.env.STATE_TABLE}`);
    expect(env).toContain(`export AWS_ENDPOINT_URL_DYNAMODB=${demo.stack.dynamo.endpoint}`);
    expect(env).toContain(`export FAILOVERCTL_DNS_SERVER=127.0.0.1:${demo.dnsPort}`);
    expect(printed).toContain('npm run -s failoverctl -- drill payments-api');
    expect(printed).toContain(`web view       ${demo.webUrl} (read-only`);
  });

  it('answers with the primary while both targets are healthy', async () => {
    const state = await until(
      async () => printed,
      (text) => text.includes('payments-api: phase primary-active, primary up, secondary up'),
    );

    expect(state).toContain('payments-api: phase primary-active, primary up, secondary up, epoch 0');
    expect(await answer()).toBe('primary.demo.internal');
  });

  it('moves the DNS answer to the standby after failureThreshold failed rounds of the primary', async () => {
    const threshold = demo.config.services[0]?.policy.failureThreshold ?? 0;
    const checksBefore = primary.healthChecks();

    await post(primary, '/fail');
    const moved = await until(answer, (value) => value === 'standby.demo.internal');

    const rounds = primary.healthChecks() - checksBefore;
    expect(moved).toBe('standby.demo.internal');
    expect(rounds).toBeGreaterThanOrEqual(threshold);
    expect(rounds).toBeLessThanOrEqual(threshold + 2);
  });

  it('moves it back by itself once the primary has recovered (failback auto)', async () => {
    const threshold = demo.config.services[0]?.policy.recoveryThreshold ?? 0;
    const checksBefore = primary.healthChecks();

    await post(primary, '/recover');
    const back = await until(answer, (value) => value === 'primary.demo.internal');

    const rounds = primary.healthChecks() - checksBefore;
    expect(back).toBe('primary.demo.internal');
    expect(rounds).toBeGreaterThanOrEqual(threshold);
    expect(rounds).toBeLessThanOrEqual(threshold + 2);
  });

  it('prints a line for each change, not a screen of status (output is not a terminal)', async () => {
    const text = await until(
      async () => printed,
      (value) => value.includes('epoch 1 -> 2'),
    );

    // A reading may land between the watchdog's decision and the flip: failing-over may show, or not.
    const lines = text.split('\n').filter((line) => /^\d\d:\d\d:\d\d {2}payments-api: /.test(line));
    const expected = [
      'phase primary-active, primary up, secondary up, epoch 0',
      'primary up -> down (status 503 not in [2xx])',
      /phase (primary-active|failing-over) -> secondary-active/,
      'epoch 0 -> 1: failover, traffic on the secondary',
      'primary down -> up',
      /phase (secondary-active|failing-back) -> primary-active/,
      'epoch 1 -> 2: failback, traffic on the primary',
    ];
    let at = -1;
    const found = expected.map((line) => {
      const i = lines.findIndex((printedLine, index) => index > at && matches(printedLine, line));
      if (i >= 0) at = i;
      return i >= 0;
    });
    expect(found).toEqual(expected.map(() => true));
    expect(lines.length).toBeLessThanOrEqual(expected.length + 2);
    expect(text).not.toContain('\x1b[');
  });

  it('runs the drill it suggests, as printed, in a shell that sourced only its env.sh', async () => {
    const suggested = printed.split('\n').find((line) => line.includes('failoverctl -- drill payments-api'));
    const command = (suggested ?? '').replace(/#.*$/, '').trim();
    expect(command).toBe('npm run -s failoverctl -- drill payments-api');
    expect(printed).toContain('epoch 1 -> 2: failback'); // back on a healthy primary: the drill may start

    // A shell as a person has it: PATH and HOME, plus what `source env.sh` exports.
    const drill = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(
        'bash',
        ['-c', `. "$1" && ${command}`, 'bash', demo.envFile],
        { env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 },
        (error, out, err) =>
          resolve({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
            out,
            err,
          }),
      );
    });

    expect(drill.err).toBe('');
    expect(drill.code).toBe(0);
    expect(drill.out).toContain(`at 127.0.0.1:${demo.dnsPort} (from FAILOVERCTL_DNS_SERVER)`);
    expect(drill.out).toContain('DNS answers now: primary.demo.internal');
    expect(drill.out).toMatch(/^request -> DNS answer moved\s+\d+(\.\d)? m?s\s+\d+(\.\d)? m?s$/m);
    expect(drill.out).toContain('Traffic is back on the primary of payments-api');
    expect(await answer()).toBe('primary.demo.internal');
  }, 90_000);

  it('runs the real handlers, whose JSON logs go to the handler log, not to the output', async () => {
    const log = await readFile(demo.handlerLogFile ?? '', 'utf8');

    expect(log).toContain('"message":"failover decided"');
    expect(log).toContain('"message":"failback decided"');
    expect(printed).not.toContain('"level"');
    expect(demo.runs()).toBeGreaterThanOrEqual(1);
  });

  it('stops everything and leaves no handle open', async () => {
    await demo.stop();

    const extra = await until(
      async () => {
        const now = handleCounts();
        return [...now].filter(([type, count]) => count > (handlesBefore.get(type) ?? 0));
      },
      (left) => left.length === 0,
      30,
    );
    expect(extra).toEqual([]);
    await expect(fetch(`${primary.url}/health`)).rejects.toThrow();
  });
});
