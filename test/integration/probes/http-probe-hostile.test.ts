import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import {
  type LocalServer,
  refusingPort,
  startBlackHole,
  startDripServer,
  startFirehose,
  startFrozenListener,
  startHttpServer,
  startRawServer,
  startResettingServer,
  startStalledBodyServer,
} from '../../support/hostile-servers.ts';
import { httpCheck } from '../../support/probe-checks.ts';

/** A failing probe must end by its deadline; this margin absorbs scheduling noise, not slowness. */
const MARGIN_MS = 500;

const servers: LocalServer[] = [];
async function track<T extends LocalServer>(server: Promise<T>): Promise<T> {
  const running = await server;
  servers.push(running);
  return running;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('probeHttp against misbehaving servers', () => {
  it('reports a refused connection at once', async () => {
    const port = await refusingPort();

    const result = await probeHttp(httpCheck(`http://127.0.0.1:${port}/health`, { timeoutMs: 2000 }));

    expect(result).toMatchObject({ ok: false, reason: 'connection refused' });
    expect(result.latencyMs).toBeLessThan(2000);
  });

  it('times out while connecting to a hung listener', async () => {
    const frozen = await track(startFrozenListener());

    const result = await probeHttp(httpCheck(`${frozen.origin}/health`, { timeoutMs: 400 }));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 400 ms (connecting)' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(390);
    expect(result.latencyMs).toBeLessThan(400 + MARGIN_MS);
  });

  it('times out on a server that accepts and never answers', async () => {
    const blackHole = await track(startBlackHole());

    const result = await probeHttp(httpCheck(`${blackHole.origin}/health`, { timeoutMs: 400 }));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 400 ms (waiting for response)' });
    expect(result.latencyMs).toBeLessThan(400 + MARGIN_MS);
    expect(blackHole.accepted()).toBe(1);
  });

  it('times out a TLS handshake that never completes', async () => {
    const blackHole = await track(startBlackHole());
    const url = `https://127.0.0.1:${blackHole.port}/health`;

    const result = await probeHttp(httpCheck(url, { timeoutMs: 400 }));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 400 ms (TLS handshake)' });
    expect(result.latencyMs).toBeLessThan(400 + MARGIN_MS);
  });

  it('times out when the body stalls after the headers', async () => {
    const stalled = await track(startStalledBodyServer());

    const result = await probeHttp(httpCheck(`${stalled.origin}/health`, { timeoutMs: 400 }));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 400 ms (reading body)' });
    expect(result.latencyMs).toBeLessThan(400 + MARGIN_MS);
  });

  it('does not let a slow-drip body extend the deadline', async () => {
    const drip = await track(startDripServer(20));

    const result = await probeHttp(httpCheck(`${drip.origin}/health`, { timeoutMs: 500 }));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 500 ms (reading body)' });
    expect(result.latencyMs).toBeLessThan(500 + MARGIN_MS);
  });

  it('stops reading a 50 MB body at 64 KiB and hangs up', async () => {
    const totalBytes = 50 * 1024 * 1024;
    const firehose = await track(startFirehose(totalBytes));

    const result = await probeHttp(
      httpCheck(`${firehose.origin}/big`, { bodyContains: 'xxx', timeoutMs: 5000 }),
    );
    const served = await firehose.finished;

    expect(result).toMatchObject({ ok: true, reason: 'status 200' });
    expect(result.latencyMs).toBeLessThan(2000);
    expect(served.clientHungUp).toBe(true);
    // Socket buffers hold a few MB at most; reading it all would have taken every byte.
    expect(served.bytesWritten).toBeLessThan(totalBytes / 2);
  });

  it('judges only the first 64 KiB of a body', async () => {
    const server = await track(
      startHttpServer((_request, response) => response.end(`${'x'.repeat(70 * 1024)}MARKER`)),
    );

    const result = await probeHttp(httpCheck(`${server.origin}/`, { bodyContains: 'MARKER' }));

    expect(result).toMatchObject({ ok: false, reason: 'body does not contain "MARKER"' });
  });

  it('reports a malformed HTTP response', async () => {
    const raw = await track(startRawServer('THIS IS NOT HTTP\r\n\r\n'));

    const result = await probeHttp(httpCheck(`${raw.origin}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'malformed HTTP response' });
  });

  it('reports a body the server cut short', async () => {
    const raw = await track(startRawServer('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this much'));

    const result = await probeHttp(httpCheck(`${raw.origin}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'connection reset while reading body' });
  });

  it('reports a connection reset', async () => {
    const resetting = await track(startResettingServer());

    const result = await probeHttp(httpCheck(`${resetting.origin}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'connection reset' });
  });

  it('reports a connection closed before any response', async () => {
    const closing = await track(startRawServer(''));

    const result = await probeHttp(httpCheck(`${closing.origin}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'connection closed before a response' });
  });

  it('reports a host name that does not resolve', async () => {
    const result = await probeHttp(httpCheck('http://no-such-host.invalid/health', { timeoutMs: 5000 }));

    expect(result.ok).toBe(false);
    // Offline resolvers may stall instead of answering NXDOMAIN; both are a host that cannot be reached.
    expect(result.reason).toMatch(
      /^(cannot resolve host no-such-host\.invalid|timeout after 5000 ms \(resolving host\))$/,
    );
  });
});
