/**
 * `npm start -- --mode active-active` end to end (issue #13): three demo backends carry the API at
 * once by weight (50/30/20). Driven as a person drives it: fail the tertiary over HTTP, see the demo
 * print it drained, the web view show its weight at 0, and a real DNS client get only the other two;
 * recover it and see it ramp back to its share. Faster timing than the demo's defaults.
 */
import { Resolver } from 'node:dns/promises';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoBackend } from '../../local/backend/index.ts';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';
import type { WebSnapshot } from '../../local/demo/web-view.ts';

const RECORD = 'api.demo.internal';

/** Polls `probe` every 100 ms until `done` or `ms` have passed; the last value is returned either way. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

describe('the local demo in active-active mode', () => {
  let demo: LocalDemo;
  let tertiary: DemoBackend;
  let dns: Resolver;
  let printed = '';
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  /** The record's answers over 200 queries (the responder picks by weight each time). */
  const answers = async (): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const [host = ''] = await dns.resolveCname(RECORD).catch(() => ['']);
      seen.add(host);
    }
    return seen;
  };
  const snapshot = async (): Promise<WebSnapshot> =>
    (await (await fetch(`${demo.webUrl}state.json`)).json()) as WebSnapshot;
  const weights = async () =>
    Object.fromEntries(
      ((await snapshot()).services[0]?.targets ?? []).map((t) => [t.target, t.weight?.decided]),
    );

  beforeAll(async () => {
    demo = await startLocalDemo({
      out,
      mode: 'active-active',
      timing: { runSeconds: 4, recoveryThreshold: 2, minDwellSeconds: 0, viewIntervalMs: 200 },
    });
    if (!demo.backends.tertiary) throw new Error('--mode active-active starts a tertiary backend');
    tertiary = demo.backends.tertiary;
    dns = new Resolver({ timeout: 1000, tries: 1 });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('runs three backends by weight and prints how to fail each one', async () => {
    const service = demo.config.services[0];

    expect(service?.targets.map((t) => t.id)).toEqual(['primary', 'secondary', 'tertiary']);
    expect(service?.policy.activeActive?.weights).toEqual({ primary: 50, secondary: 30, tertiary: 20 });
    expect(printed).toContain('  tertiary  tertiary -> tertiary.demo.internal (weight 20)');
    expect(printed).toContain(`curl -X POST ${tertiary.url}/fail`);
    expect(printed).toContain(`curl -X POST ${demo.backends.standby?.url}/recover`);
    expect(printed).toContain('active-active: every target carries its weight');
  });

  it('answers with all three targets while they are healthy', async () => {
    const first = await until(
      async () => printed,
      (text) => text.includes('payments-api: phase active-active, primary up, secondary up, tertiary up'),
    );

    expect(first).toContain(
      'payments-api: phase active-active, primary up, secondary up, tertiary up, weights primary=50 secondary=30 tertiary=20, epoch 0',
    );
    expect(await answers()).toEqual(
      new Set(['primary.demo.internal', 'standby.demo.internal', 'tertiary.demo.internal']),
    );
  });

  it('drains a failed backend: the demo prints it, the web view shows its weight at 0, DNS answers only the others', async () => {
    await fetch(`${tertiary.url}/fail`, { method: 'POST' });

    const text = await until(
      async () => printed,
      (value) => value.includes('(tertiary drained)'),
    );
    const seen = await until(answers, (s) => !s.has('tertiary.demo.internal'), 10_000);
    const page = await snapshot();

    expect(text).toMatch(
      /payments-api: epoch 0 -> 1: weights primary=63 secondary=37 tertiary=0 \(tertiary drained\)/,
    );
    expect(seen).toEqual(new Set(['primary.demo.internal', 'standby.demo.internal']));
    expect(page.services[0]?.mode).toBe('active-active');
    expect(page.services[0]?.targets.map((t) => [t.target, t.status, t.weight])).toEqual([
      ['primary', 'up', { decided: 63, configured: 50 }],
      ['secondary', 'up', { decided: 37, configured: 30 }],
      ['tertiary', 'down', { decided: 0, configured: 20 }],
    ]);
  }, 60_000);

  it('ramps a recovered backend back to its share by failbackSteps, the web view showing the ramp', async () => {
    await fetch(`${tertiary.url}/recover`, { method: 'POST' });

    const ramping = await until(snapshot, (s) => s.services[0]?.ramp != null);
    const back = await until(weights, (w) => w.tertiary === 20, 60_000);

    expect(ramping.services[0]?.phase).toBe('ramping tertiary 25%');
    expect(ramping.services[0]?.ramp).toMatch(
      /^the tertiary returns in steps 25\/50\/100 % of its share \(20\): at 25 % \(step 1 of 3\)/,
    );
    expect(printed).toContain('(tertiary ramping back at 25 % of its share)');
    expect(back).toEqual({ primary: 50, secondary: 30, tertiary: 20 });
    expect(printed).toMatch(/weights primary=50 secondary=30 tertiary=20 \(every target at its share\)/);
  }, 90_000);
});
