/**
 * `npm start -- --mode active-passive` end to end (issue #13): three demo backends as a preference
 * list. Fail the primary, traffic goes to the standby; fail the standby too, it goes to the tertiary;
 * recover the primary, it comes back. Checked by a real DNS client against the demo's responder.
 */
import { Resolver } from 'node:dns/promises';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoBackend } from '../../local/backend/index.ts';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';

const RECORD = 'api.demo.internal';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

describe('the local demo in active-passive mode with three targets', () => {
  let demo: LocalDemo;
  let dns: Resolver;
  let printed = '';
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  const answer = async () => (await dns.resolveCname(RECORD).catch(() => []))[0];
  const backend = (role: 'primary' | 'standby' | 'tertiary'): DemoBackend => {
    const found = demo.backends[role];
    if (!found) throw new Error(`--mode active-passive starts a ${role} backend`);
    return found;
  };
  const post = async (role: 'primary' | 'standby' | 'tertiary', control: string) => {
    const response = await fetch(`${backend(role).url}${control}`, { method: 'POST' });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    demo = await startLocalDemo({
      out,
      mode: 'active-passive',
      timing: { runSeconds: 4, recoveryThreshold: 2, minDwellSeconds: 0, viewIntervalMs: 200 },
    });
    dns = new Resolver({ timeout: 1000, tries: 1 });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('seeds three records, all the traffic on the primary, and prints how to fail each backend', async () => {
    expect(demo.config.services[0]?.policy.activeActive).toBeUndefined();
    expect(printed).toContain('  primary   primary -> primary.demo.internal (weight 100)');
    expect(printed).toContain('  tertiary  tertiary -> tertiary.demo.internal (weight 0)');
    expect(printed).toContain(`curl -X POST ${backend('tertiary').url}/fail`);
    expect(await until(answer, (a) => a === 'primary.demo.internal')).toBe('primary.demo.internal');
  });

  it('moves down the preference list as backends fail, and back up as the first recovers', async () => {
    await post('primary', '/fail');
    const second = await until(answer, (a) => a === 'standby.demo.internal');
    await post('standby', '/fail');
    const third = await until(answer, (a) => a === 'tertiary.demo.internal');
    await post('primary', '/recover');
    const back = await until(answer, (a) => a === 'primary.demo.internal');

    expect([second, third, back]).toEqual([
      'standby.demo.internal',
      'tertiary.demo.internal',
      'primary.demo.internal',
    ]);
    expect(printed).toMatch(/payments-api: epoch \d -> \d: failover, traffic on the tertiary/);
  }, 90_000);
});
