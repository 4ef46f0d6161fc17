/**
 * Issue #18 item 7: `bodyMatches: ^(a+)+$` over a 28-byte body blocked the event loop for 7.4 s
 * despite `timeoutMs: 200`, stalling every other probe of the round. Here the check is loaded by the
 * real config loader and probed by the real http probe against a local server, while a timer
 * measures how late the event loop runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../../shared/config/index.ts';
import type { HttpCheck } from '../../../shared/domain/config.ts';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import { BODY_READ_LIMIT_BYTES } from '../../../shared/probes/http-verdict.ts';
import { type LocalServer, startHttpServer } from '../../support/hostile-servers.ts';

const TIMEOUT_MS = 200;
const TICK_MS = 10;
/** How late a 10 ms timer may fire on a busy shared machine; a backtracking match is seconds late. */
const MAX_LAG_MS = 400;
/**
 * How long a whole probe with a hostile pattern may take: its timeout plus what a loaded 2-core
 * machine adds (it measured 224 ms for a 200 ms timeout under load). A backtracking match over
 * 64 KiB takes seconds to ages, so this still tells linear time from exponential.
 */
const MAX_PROBE_MS = TIMEOUT_MS + 800;

const BODIES: Record<string, string> = {
  '/short': `${'a'.repeat(27)}!`,
  '/full': `${'a'.repeat(BODY_READ_LIMIT_BYTES - 1)}!`,
  '/over': `${'a'.repeat(BODY_READ_LIMIT_BYTES - 1)}!${'a'.repeat(3 * BODY_READ_LIMIT_BYTES)}`,
  '/healthy': 'aaaa',
};

let backend: LocalServer;

beforeAll(async () => {
  backend = await startHttpServer((request, response) => {
    const body = BODIES[request.url ?? ''];
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' });
    response.end(body ?? '');
  });
});

afterAll(async () => {
  await backend.close();
});

/** The check as the loader makes it from a config file, not built by hand. */
function loadedCheck(path: string, bodyMatches: string): HttpCheck {
  const check = { http: { url: `${backend.origin}${path}`, bodyMatches, timeoutMs: TIMEOUT_MS } };
  const target = (setIdentifier: string) => ({ setIdentifier, checks: [check] });
  const document = {
    services: [
      {
        name: 'payments-api',
        hostedZoneId: 'Z0123456789ABC',
        recordName: 'api.example.com',
        recordType: 'CNAME',
        primary: target('primary'),
        secondary: target('secondary'),
      },
    ],
  };
  const loaded = parseConfig(stringify(document), 'failover.config.yml', {}).services[0]?.targets[0]
    ?.checks[0];
  if (loaded?.kind !== 'http') throw new Error('the loader did not produce an http check');
  return loaded;
}

/** Probes while a 10 ms interval timer runs; reports the result and the latest the timer fired. */
async function probeWatchingTheLoop(check: HttpCheck) {
  let last = performance.now();
  let worstLagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - TICK_MS);
    last = now;
  }, TICK_MS);
  try {
    const result = await probeHttp(check);
    return { result, worstLagMs };
  } finally {
    clearInterval(timer);
  }
}

describe('probeHttp with a catastrophic bodyMatches', () => {
  it.each([
    ['a 28-byte body', '/short'],
    ['a 64 KiB body', '/full'],
    ['a body cut at 64 KiB', '/over'],
  ])('judges %s within the timeout without stalling the event loop', async (_what, path) => {
    const check = loadedCheck(path, '^(a+)+$');

    const { result, worstLagMs } = await probeWatchingTheLoop(check);

    expect(result).toMatchObject({ ok: false, reason: 'body does not match /^(a+)+$/' });
    expect(result.latencyMs).toBeLessThan(MAX_PROBE_MS);
    expect(worstLagMs).toBeLessThan(MAX_LAG_MS);
  });

  it('still passes a body the pattern matches', async () => {
    const { result } = await probeWatchingTheLoop(loadedCheck('/healthy', '^(a+)+$'));

    expect(result).toMatchObject({ ok: true, reason: 'status 200' });
  });

  it('stays fast with the largest pattern the loader accepts over a full body', async () => {
    // 499 instructions, just under the limit, with no literal to look for first: the matcher's slowest case.
    const check = loadedCheck('/full', '\\b(?:a?){165}a{165}\\b');

    const { result, worstLagMs } = await probeWatchingTheLoop(check);

    expect(result).toMatchObject({ ok: false, reason: 'body does not match /\\b(?:a?){165}a{165}\\b/' });
    expect(result.latencyMs).toBeLessThan(MAX_PROBE_MS);
    expect(worstLagMs).toBeLessThan(MAX_LAG_MS);
  });
});
