/**
 * The demo's propagation option (`npm start -- --propagation instant|realistic|<ms>`): said at start,
 * refused with exit 2 when unknown, and in force for the controller's changes — the DNS answer stays
 * the old one until the flip is INSYNC — while the records the demo seeds are served at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDemo, startLocalDemo } from '../../../local/demo/run.ts';

const RECORD = 'api.demo.internal';
const DELAY_MS = 1_500;

describe('npm start --propagation', () => {
  it('refuses an unknown model with exit 2, saying what is allowed', () => {
    const run = spawnSync(process.execPath, ['local/demo/start.ts', '--propagation', 'fast'], {
      encoding: 'utf8',
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "--propagation must be instant, realistic or a whole number of milliseconds 0..600000, got 'fast'",
    );
    expect(run.stderr).toContain('Usage: npm start -- [options]');
  });

  it('says at start that it runs the realistic model, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['local/demo/start.ts', '--propagation', 'realistic'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let said = '';
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.includes('propagation')) {
          said = line;
          break;
        }
      }
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');

      expect(said).toMatch(
        /^ {2}propagation {4}realistic: each change PENDING .*median 30 s, 90% within 60 s/,
      );
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('the local demo with a propagation delay', () => {
  let demo: LocalDemo;
  let printed = '';
  const dns = new Resolver({ timeout: 1_000, tries: 1 });
  const answer = async () => (await dns.resolveCname(RECORD).catch(() => []))[0];
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });

  beforeAll(async () => {
    demo = await startLocalDemo({
      out,
      propagation: { kind: 'fixed', delayMs: DELAY_MS },
      timing: { runSeconds: 4, viewIntervalMs: 200 },
    });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  }, 30_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('serves the seeded records at once and says which model it runs', async () => {
    const first = await answer();

    expect(first).toBe('primary.demo.internal');
    expect(printed).toContain(`propagation    fixed: every change PENDING for ${DELAY_MS} ms, then INSYNC`);
  });

  it('keeps answering the primary until the failover is INSYNC, then the standby', async () => {
    const changesBefore = demo.stack.route53.changes.length;
    const primary = demo.backends.primary;
    if (primary === undefined) throw new Error('the embedded demo starts a primary backend');

    // Fail the primary only once the standby is up, or the watchdog rightly refuses to move.
    for (let i = 0; i < 150 && !printed.includes('primary up, secondary up'); i++) await sleep(100);
    await fetch(`${primary.url}/fail`, { method: 'POST' });
    let accepted: number | undefined;
    const answers: { at: number; value: string | undefined }[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      accepted ??= demo.stack.route53.changes[changesBefore]?.at;
      const value = await answer();
      answers.push({ at: Date.now(), value });
      if (value === 'standby.demo.internal') break;
      await sleep(25);
    }
    const movedAt = answers.at(-1)?.at ?? Number.NaN;
    const pendingAnswers = answers.filter((a) => accepted !== undefined && a.at >= accepted + 100);

    expect(answers.at(-1)?.value).toBe('standby.demo.internal');
    expect(accepted).toBeDefined();
    expect(movedAt - (accepted ?? 0)).toBeGreaterThanOrEqual(DELAY_MS - 50);
    expect(pendingAnswers.slice(0, -1).every((a) => a.value === 'primary.demo.internal')).toBe(true);
    expect(pendingAnswers.length).toBeGreaterThan(5);
  }, 30_000);
});
