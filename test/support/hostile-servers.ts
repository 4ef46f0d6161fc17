/**
 * Real local servers that misbehave the way production endpoints do, for probe tests and benchmarks.
 * Each listens on 127.0.0.1 on a port chosen at run time; `close()` destroys every socket it accepted.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

export interface LocalServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (or `https://` for TLS servers), no trailing slash. */
  readonly origin: string;
  close(): Promise<void>;
}

type AnyServer = net.Server | http.Server | https.Server;

async function listen(server: AnyServer, scheme: 'http' | 'https'): Promise<LocalServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A deep accept queue: probes arrive in bursts of hundreds, and an overflowing queue drops SYNs
  // (the client then retries a second later), which would distort timings.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening: connecting is refused. */
export async function refusingPort(): Promise<number> {
  const server = await listen(net.createServer(), 'http');
  await server.close();
  return server.port;
}

export interface BlackHole extends LocalServer {
  /** Connections accepted so far. */
  readonly accepted: () => number;
}

/** Accepts connections and never sends a byte: stalls a TLS handshake, a request, a TCP banner. */
export async function startBlackHole(): Promise<BlackHole> {
  let accepted = 0;
  const server = net.createServer(() => {
    accepted += 1;
  });
  const running = await listen(server, 'http');
  return { ...running, accepted: () => accepted };
}

const FROZEN_LISTENER_SOURCE = `
  require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () {
    process.stdout.write(this.address().port + '\\n');
  });`;

/**
 * A listener whose process is frozen (SIGSTOP) with a full accept queue, like a hung server: the
 * kernel drops new SYNs, so a connect neither succeeds nor fails until the client gives up.
 */
export async function startFrozenListener(): Promise<LocalServer> {
  const child = spawn(process.execPath, ['-e', FROZEN_LISTENER_SOURCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number.parseInt(firstLine.toString('utf8'), 10);
  child.kill('SIGSTOP');
  // A backlog of 1 holds two completed connections; these fill it.
  const fillers = await Promise.all(
    [1, 2].map(async () => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      await once(socket, 'connect');
      return socket;
    }),
  );
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      process.off('exit', kill);
      const exited = once(child, 'exit');
      kill();
      await exited;
    },
  };
}

/** Accepts a connection and answers it with a TCP reset. */
export function startResettingServer(): Promise<LocalServer> {
  return listen(
    net.createServer((socket) => socket.resetAndDestroy()),
    'http',
  );
}

/** Answers every request with `raw` bytes (for malformed responses), then closes. */
export function startRawServer(raw: string): Promise<LocalServer> {
  return listen(
    net.createServer((socket) => {
      socket.once('data', () => socket.end(raw));
    }),
    'http',
  );
}

/** Sends status and headers promising 1 MB, a first chunk, then nothing more. */
export function startStalledBodyServer(): Promise<LocalServer> {
  return listen(
    http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(1024 * 1024) });
      response.write('ok, the rest is coming...');
    }),
    'http',
  );
}

/** Sends headers, then one byte of body every `intervalMs`, forever: a slow drip. */
export function startDripServer(intervalMs: number): Promise<LocalServer> {
  return listen(
    http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), intervalMs);
      response.on('close', () => clearInterval(drip));
    }),
    'http',
  );
}

export interface Firehose extends LocalServer {
  /** Resolves with the bytes written when the client hung up, or when all `totalBytes` were sent. */
  readonly finished: Promise<{ readonly bytesWritten: number; readonly clientHungUp: boolean }>;
}

/** Streams a `totalBytes` body (respecting backpressure) to the first request. */
export async function startFirehose(totalBytes: number): Promise<Firehose> {
  let report: (outcome: { bytesWritten: number; clientHungUp: boolean }) => void = () => {};
  const finished = new Promise<{ bytesWritten: number; clientHungUp: boolean }>((resolve) => {
    report = resolve;
  });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = http.createServer((_request, response) => {
    let bytesWritten = 0;
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(totalBytes) });
    const pump = () => {
      while (bytesWritten < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - bytesWritten));
        bytesWritten += piece.length;
        if (!response.write(piece)) return void response.once('drain', pump);
      }
      response.end();
    };
    response.on('close', () => report({ bytesWritten, clientHungUp: !response.writableFinished }));
    pump();
  });
  return { ...(await listen(server, 'http')), finished };
}

/** A plain HTTP backend with a request handler of the test's choosing. */
export function startHttpServer(handler: http.RequestListener): Promise<LocalServer> {
  return listen(http.createServer(handler), 'http');
}

/** An HTTPS backend presenting `cert` (PEM, chain allowed) and answering `200 ok`. */
export function startTlsServer(cert: string, key: string): Promise<LocalServer> {
  const server = https.createServer({ cert, key }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
  // A probe that rejects the certificate hangs up mid-handshake; that is not an error here.
  server.on('tlsClientError', () => {});
  return listen(server, 'https');
}
