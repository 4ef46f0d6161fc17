import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeTcp } from '../../../shared/probes/tcp-probe.ts';
import { type LocalServer, refusingPort, startFrozenListener } from '../../support/hostile-servers.ts';
import { tcpCheck } from '../../support/probe-checks.ts';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('probeTcp', () => {
  it('connects, then closes the connection', async () => {
    const server = net.createServer();
    const closed = new Promise<void>((resolve) => {
      server.on('connection', (socket) => {
        socket.resume();
        socket.on('close', () => resolve());
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    const result = await probeTcp(tcpCheck('127.0.0.1', port));

    expect(result).toMatchObject({ check: `tcp 127.0.0.1:${port}`, ok: true, reason: 'connected' });
    await closed;
  });

  it('reports a refused connection', async () => {
    const port = await refusingPort();

    const result = await probeTcp(tcpCheck('127.0.0.1', port));

    expect(result).toMatchObject({ ok: false, reason: 'connection refused' });
  });

  it('gives up on a hung listener when the timeout passes', async () => {
    const frozen: LocalServer = await startFrozenListener();
    cleanups.push(() => frozen.close());

    const result = await probeTcp(tcpCheck('127.0.0.1', frozen.port, 300));

    expect(result).toMatchObject({ ok: false, reason: 'timeout after 300 ms (connecting)' });
    expect(result.latencyMs).toBeLessThan(300 + 500);
  });

  it('reports a port out of range instead of throwing', async () => {
    const result = await probeTcp(tcpCheck('127.0.0.1', 70_000));

    expect(result).toMatchObject({ check: 'tcp 127.0.0.1:70000', ok: false, reason: 'invalid port' });
  });
});
