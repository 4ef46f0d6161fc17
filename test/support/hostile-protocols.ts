/**
 * Local servers that break HTTP itself, for the hostile probe tests: resets in mid-body, headers
 * that never end, broken chunked encoding, a gzip bomb, a redirect to itself, HTTP/0.9 garbage.
 * Each listens on 127.0.0.1 on a port chosen at run time and counts what it served, so a test can
 * tell that the probe hung up early. `close()` destroys every socket it accepted.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface HostileServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Bytes written to all clients so far. */
  bytesSent(): number;
  close(): Promise<void>;
}

type Serve = (socket: net.Socket, sent: (bytes: number) => void) => void;

/** A raw TCP server that handles each connection with `serve` once the request starts arriving. */
async function startRaw(serve: Serve): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let bytes = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () =>
      serve(socket, (count) => {
        bytes += count;
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    bytesSent: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `next()` chunks for as long as the client reads them (respecting backpressure). */
function pump(socket: net.Socket, next: () => Buffer, sent: (bytes: number) => void): void {
  const write = (): void => {
    while (!socket.destroyed) {
      const chunk = next();
      sent(chunk.length);
      if (!socket.write(chunk)) {
        socket.once('drain', write);
        return;
      }
    }
  };
  write();
}

/** Promises a 1 MB body, sends 2 KB of it, then resets the connection (RST). */
export function startResetMidBodyServer(): Promise<HostileServer> {
  return startRaw((socket, sent) => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1048576\r\n\r\n';
    const body = 'ok'.repeat(1024);
    socket.write(head + body);
    sent(head.length + body.length);
    setTimeout(() => socket.resetAndDestroy(), 20);
  });
}

/** A status line, then header lines forever. */
export function startEndlessHeadersServer(): Promise<HostileServer> {
  return startRaw((socket, sent) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    let line = 0;
    pump(socket, () => Buffer.from(`X-Filler-${line++}: ${'a'.repeat(1000)}\r\n`), sent);
  });
}

/** `Transfer-Encoding: chunked` with a chunk size that is not hexadecimal. */
export function startInvalidChunkedServer(): Promise<HostileServer> {
  return startRaw((socket, sent) => {
    const reply = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\nnot a chunk\r\n0\r\n\r\n';
    socket.end(reply);
    sent(reply.length);
  });
}

/**
 * `Content-Encoding: gzip` over an endless run of gzip members, each 64 MiB of zeros packed in
 * about 64 KB: decompressing what it sends would take memory without bound.
 */
export function startGzipBombServer(): Promise<HostileServer> {
  const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  return startRaw((socket, sent) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n\r\n');
    pump(socket, () => member, sent);
  });
}

/** Bytes that are not HTTP at all, as an HTTP/0.9 server (or a random service) answers, forever. */
export function startGarbageServer(): Promise<HostileServer> {
  let seed = 7;
  const garbage = Buffer.alloc(16 * 1024);
  for (let i = 0; i < garbage.length; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    garbage[i] = seed & 0xff;
  }
  return startRaw((socket, sent) => {
    socket.write('<html><body>It works (HTTP/0.9)</body></html>\n');
    pump(socket, () => garbage, sent);
  });
}

/** Answers every request with `302` to the very URL asked for; counts the requests. */
export async function startRedirectLoopServer(): Promise<HostileServer & { requests(): number }> {
  let requests = 0;
  let bytes = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    requests += 1;
    const body = 'moved';
    response.writeHead(302, { location: request.url ?? '/', 'content-length': body.length });
    response.end(body);
    bytes += body.length;
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests: () => requests,
    connections: () => connections,
    bytesSent: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
