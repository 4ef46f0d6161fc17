/**
 * Probes against real local servers that break HTTP itself. What `test/integration/probes` already
 * covers (refused, hung listener, black hole, TLS stall, stalled and slow-drip bodies, 50 MB bodies,
 * resets before a response, `.invalid` over http) is not repeated one by one; here are the rest,
 * each failing within its timeout plus a small margin with a readable reason, and a loop of many
 * probes against all of them whose memory growth stays bounded.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpCheck } from '../../shared/domain/config.ts';
import type { CheckResult } from '../../shared/domain/state.ts';
import { probeHttp } from '../../shared/probes/http-probe.ts';
import { probeTcp } from '../../shared/probes/tcp-probe.ts';
import {
  type HostileServer,
  startEndlessHeadersServer,
  startGarbageServer,
  startGzipBombServer,
  startInvalidChunkedServer,
  startRedirectLoopServer,
  startResetMidBodyServer,
} from '../support/hostile-protocols.ts';
import { type BlackHole, startBlackHole } from '../support/hostile-servers.ts';
import { httpCheck, tcpCheck } from '../support/probe-checks.ts';

/** Absorbs scheduling noise on a busy 2-core machine, not slowness. */
const MARGIN_MS = 500;
const TIMEOUT_MS = 2_000;
/** Loopback socket buffers hold a few MB; an endless stream read to the end would be unbounded. */
const MAX_SERVED_BYTES = 32 * 1024 * 1024;
const MB = 1024 * 1024;
const ONLY_200 = [{ min: 200, max: 200 }];

/** A reason fit for a chat message: one short line of printable text, no `undefined` or `[object`. */
function expectReadable(result: CheckResult): void {
  expect(result.reason.length).toBeGreaterThan(0);
  expect(result.reason.length).toBeLessThanOrEqual(200);
  expect(result.reason).toMatch(/^[\x20-\x7e\u2026]+$/);
  expect(result.reason).not.toMatch(/undefined|\[object|null/);
}

async function probe(url: string, overrides: Partial<Omit<HttpCheck, 'kind' | 'url'>> = {}) {
  const result = await probeHttp(httpCheck(url, { timeoutMs: TIMEOUT_MS, ...overrides }));
  expect(result.latencyMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  expectReadable(result);
  return result;
}

interface Servers {
  reset: HostileServer;
  headers: HostileServer;
  chunked: HostileServer;
  gzip: HostileServer;
  garbage: HostileServer;
  redirect: HostileServer & { requests(): number };
  tlsStall: BlackHole;
}

describe('probes against servers that break HTTP', () => {
  let s: Servers;

  beforeAll(async () => {
    s = {
      reset: await startResetMidBodyServer(),
      headers: await startEndlessHeadersServer(),
      chunked: await startInvalidChunkedServer(),
      gzip: await startGzipBombServer(),
      garbage: await startGarbageServer(),
      redirect: await startRedirectLoopServer(),
      tlsStall: await startBlackHole(),
    };
  });

  afterAll(async () => {
    await Promise.all(Object.values(s ?? {}).map((server) => server.close()));
  });

  it('reports a connection reset in the middle of the body', async () => {
    const result = await probe(`${s.reset.origin}/health`, { bodyContains: 'ok' });

    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^connection reset/) });
  });

  it('stops reading headers that never end', async () => {
    const result = await probe(`${s.headers.origin}/health`);

    expect(result).toMatchObject({ ok: false, reason: 'response headers too large' });
    expect(s.headers.bytesSent()).toBeLessThan(MAX_SERVED_BYTES);
  });

  it('reports invalid chunked encoding as a malformed response', async () => {
    const result = await probe(`${s.chunked.origin}/health`, { bodyContains: 'chunk' });

    expect(result).toMatchObject({ ok: false, reason: 'malformed HTTP response' });
  });

  it('reads 64 KiB of a gzip bomb without inflating it, and hangs up', async () => {
    const before = process.memoryUsage().rss;

    const withBodyCheck = await probe(`${s.gzip.origin}/health`, { bodyContains: 'ok' });
    const byStatus = await probe(`${s.gzip.origin}/health`);

    // 4 MB of these members would inflate to 4 GB; the probe judges the raw bytes it read.
    expect(withBodyCheck).toMatchObject({ ok: false, reason: 'body does not contain "ok"' });
    expect(byStatus).toMatchObject({ ok: true, reason: 'status 200' });
    expect(s.gzip.bytesSent()).toBeLessThan(MAX_SERVED_BYTES);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MB);
  });

  it('judges a redirect to itself by its own status, with one request', async () => {
    const strict = await probe(`${s.redirect.origin}/health`, { expectStatus: ONLY_200 });
    const lenient = await probe(`${s.redirect.origin}/health`, { expectStatus: [{ min: 300, max: 399 }] });

    expect(strict).toMatchObject({ ok: false, reason: 'status 302 not in [200]' });
    expect(lenient).toMatchObject({ ok: true, reason: 'status 302' });
    expect(s.redirect.requests()).toBe(2);
  });

  it('reports HTTP/0.9 garbage as a malformed response', async () => {
    const result = await probe(`${s.garbage.origin}/health`);

    expect(result).toMatchObject({ ok: false, reason: 'malformed HTTP response' });
    expect(s.garbage.bytesSent()).toBeLessThan(MAX_SERVED_BYTES);
  });

  it('reports a tcp check of a host name that does not resolve', async () => {
    const result = await probeTcp(tcpCheck('no-such-host.invalid', 443, TIMEOUT_MS));

    expect(result.ok).toBe(false);
    expect(result.latencyMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    // Offline resolvers may stall instead of answering NXDOMAIN; both are a host that cannot be reached.
    expect(result.reason).toMatch(/^(cannot resolve host no-such-host\.invalid|timeout after 2000 ms)/);
  });

  it('keeps memory bounded over 400 probes of every hostile kind', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const targets: [string, Partial<Omit<HttpCheck, 'kind' | 'url'>>][] = [
      [`${s.reset.origin}/`, { bodyContains: 'ok' }],
      [`${s.headers.origin}/`, {}],
      [`${s.chunked.origin}/`, {}],
      [`${s.gzip.origin}/`, { bodyContains: 'ok' }],
      [`${s.garbage.origin}/`, {}],
      [`${s.redirect.origin}/`, { expectStatus: ONLY_200 }],
      [`https://127.0.0.1:${s.tlsStall.port}/`, {}],
      ['http://no-such-host.invalid/', {}],
    ];
    const roundOf = () =>
      Promise.all(targets.map(([url, extra]) => probe(url, { ...extra, timeoutMs: 150 })));
    await roundOf();
    gc();
    const start = process.memoryUsage();
    let peakRss = start.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);

    let failed = 0;
    try {
      for (let batch = 0; batch < 10; batch++) {
        const rounds = await Promise.all(Array.from({ length: 5 }, roundOf));
        failed += rounds.flat().filter((result) => !result.ok).length;
      }
    } finally {
      clearInterval(sampler);
    }
    gc();
    const end = process.memoryUsage();

    expect(failed).toBe(400);
    expect(end.heapUsed - start.heapUsed).toBeLessThan(16 * MB);
    expect(end.external + end.arrayBuffers - (start.external + start.arrayBuffers)).toBeLessThan(16 * MB);
    expect(peakRss - start.rss).toBeLessThan(128 * MB);
  });
});
