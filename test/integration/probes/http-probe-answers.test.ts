import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import { type LocalServer, startHttpServer } from '../../support/hostile-servers.ts';
import { httpCheck } from '../../support/probe-checks.ts';

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly remotePort: number;
}

/** A backend with one route per behaviour; it records every request it sees. */
let backend: LocalServer;
const seen: SeenRequest[] = [];

beforeAll(async () => {
  backend = await startHttpServer((request, response) => {
    const path = request.url ?? '/';
    seen.push({
      method: request.method ?? '',
      path,
      headers: request.headers,
      remotePort: request.socket.remotePort ?? 0,
    });
    const json = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    switch (path) {
      case '/health':
        response.writeHead(200, { 'content-type': 'text/plain' });
        return void response.end('all systems ok, version 4.2.1');
      case '/down':
        response.writeHead(503);
        return void response.end('maintenance');
      case '/moved':
        response.writeHead(302, { location: '/elsewhere' });
        return void response.end();
      case '/elsewhere':
        response.writeHead(500);
        return void response.end('the probe should never come here');
      case '/degraded':
        return json({ status: 'degraded', checks: { db: { ok: false } } });
      case '/detailed':
        return json({ status: 'ok', version: 7, items: [{ state: 'ready' }, { state: 'draining' }] });
      case '/slow':
        return void setTimeout(() => response.end('ok'), 300);
      default:
        response.writeHead(404);
        response.end();
    }
  });
});

afterAll(async () => {
  await backend.close();
});

const url = (path: string) => `${backend.origin}${path}`;
const requestsTo = (path: string) => seen.filter((request) => request.path === path);

describe('probeHttp against a healthy backend', () => {
  it('passes an expected status and labels the check', async () => {
    const result = await probeHttp(httpCheck(url('/health'), { expectStatus: [{ min: 200, max: 200 }] }));

    expect(result).toEqual({
      check: `http GET ${url('/health')}`,
      ok: true,
      latencyMs: expect.any(Number),
      reason: 'status 200',
    });
  });

  it('fails a status outside the expected ranges', async () => {
    const result = await probeHttp(httpCheck(url('/down'), { expectStatus: [{ min: 200, max: 200 }] }));

    expect(result).toMatchObject({ ok: false, reason: 'status 503 not in [200]' });
  });

  it('judges a redirect by its own status and never follows it', async () => {
    const byDefault = await probeHttp(httpCheck(url('/moved')));
    const accepting = await probeHttp(httpCheck(url('/moved'), { expectStatus: [{ min: 300, max: 399 }] }));
    const exact = await probeHttp(httpCheck(url('/moved'), { expectStatus: [{ min: 302, max: 302 }] }));

    // A redirect to a login or maintenance page is no sign of health: only a check that lists 3xx accepts it.
    expect(byDefault).toMatchObject({ ok: false, reason: 'status 302 not in [2xx]' });
    expect(accepting).toMatchObject({ ok: true, reason: 'status 302' });
    expect(exact).toMatchObject({ ok: true, reason: 'status 302' });
    expect(requestsTo('/elsewhere')).toHaveLength(0);
  });

  it('checks the body for a substring and a regular expression', async () => {
    const contains = await probeHttp(httpCheck(url('/health'), { bodyContains: 'ok' }));
    const missing = await probeHttp(httpCheck(url('/health'), { bodyContains: 'degraded' }));
    const matches = await probeHttp(httpCheck(url('/health'), { bodyMatches: 'version \\d+\\.\\d+' }));
    const mismatch = await probeHttp(httpCheck(url('/health'), { bodyMatches: '^version' }));

    expect(contains).toMatchObject({ ok: true, reason: 'status 200' });
    expect(missing).toMatchObject({ ok: false, reason: 'body does not contain "degraded"' });
    expect(matches).toMatchObject({ ok: true, reason: 'status 200' });
    expect(mismatch).toMatchObject({ ok: false, reason: 'body does not match /^version/' });
  });

  it('compares a JSON field with the expected value', async () => {
    const degraded = await probeHttp(httpCheck(url('/degraded'), { jsonPath: 'status', equals: 'ok' }));
    const ready = await probeHttp(
      httpCheck(url('/detailed'), { jsonPath: 'items[0].state', equals: 'ready' }),
    );
    const versionAsText = await probeHttp(httpCheck(url('/detailed'), { jsonPath: 'version', equals: '7' }));

    expect(degraded).toMatchObject({ ok: false, reason: 'json status is "degraded", expected "ok"' });
    expect(ready).toMatchObject({ ok: true, reason: 'status 200' });
    expect(versionAsText).toMatchObject({ ok: false, reason: 'json version is 7, expected "7"' });
  });

  it('requires a JSON field without an expected value to exist and be truthy', async () => {
    const present = await probeHttp(httpCheck(url('/detailed'), { jsonPath: 'items[1].state' }));
    const falsy = await probeHttp(httpCheck(url('/degraded'), { jsonPath: 'checks.db.ok' }));
    const absent = await probeHttp(httpCheck(url('/detailed'), { jsonPath: 'items[2].state' }));
    const notJson = await probeHttp(httpCheck(url('/health'), { jsonPath: 'status' }));

    expect(present).toMatchObject({ ok: true });
    expect(falsy).toMatchObject({ ok: false, reason: 'json checks.db.ok is false, expected a truthy value' });
    expect(absent).toMatchObject({ ok: false, reason: 'json items[2].state is missing' });
    expect(notJson).toMatchObject({ ok: false, reason: 'body is not JSON' });
  });

  it('fails an otherwise good answer that took longer than maxLatencyMs', async () => {
    const result = await probeHttp(httpCheck(url('/slow'), { maxLatencyMs: 100 }));

    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^latency \d+ ms over 100 ms$/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
  });

  it('sends HEAD requests and passes them without a body', async () => {
    const result = await probeHttp(httpCheck(url('/health'), { method: 'HEAD' }));

    expect(result).toMatchObject({ check: `http HEAD ${url('/health')}`, ok: true, reason: 'status 200' });
    expect(seen.at(-1)?.method).toBe('HEAD');
  });

  it('sends configured headers and never asks for compression', async () => {
    await probeHttp(
      httpCheck(url('/health'), { headers: { 'x-probe-token': 'secret', host: 'api.example.com' } }),
    );

    const request = seen.at(-1);
    expect(request?.headers['x-probe-token']).toBe('secret');
    expect(request?.headers.host).toBe('api.example.com');
    expect(request?.headers['accept-encoding']).toBeUndefined();
    expect(request?.headers.connection).toBe('close');
  });

  it('opens a fresh connection for every probe', async () => {
    await probeHttp(httpCheck(url('/health')));
    await probeHttp(httpCheck(url('/health')));

    const [first, second] = seen.slice(-2);
    expect(first?.remotePort).not.toBe(second?.remotePort);
  });
});
