/**
 * A demo backend whose health a person (or a test) can break and restore:
 *
 *   GET  /health    200 `ok` (JSON `{"status":"ok"}`) while healthy; else per the mode
 *   POST /fail      health answers 503                      POST /recover   back to healthy
 *   POST /slow?ms=  health answers after `ms` (default 5000) POST /error     health resets the connection
 *   POST /flap?every=2  every 2nd health request fails (a brownout)
 *   GET  /          which backend this is, its mode and how many health checks it has seen
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BackendMode =
  | { readonly kind: 'healthy' }
  | { readonly kind: 'failing' }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'flapping'; readonly every: number };

export interface DemoBackend {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  mode(): BackendMode;
  setMode(mode: BackendMode): void;
  /** Health requests seen so far. */
  healthChecks(): number;
  close(): Promise<void>;
}

export async function startDemoBackend(
  name: string,
  options: { host?: string; port?: number } = {},
): Promise<DemoBackend> {
  const host = options.host ?? '127.0.0.1';
  let mode: BackendMode = { kind: 'healthy' };
  let checks = 0;
  const timers = new Set<NodeJS.Timeout>();

  const health = (res: ServerResponse) => {
    checks++;
    switch (mode.kind) {
      case 'healthy':
        return send(res, 200, { status: 'ok', backend: name });
      case 'failing':
        return send(res, 503, { status: 'failing', backend: name });
      case 'reset':
        res.socket?.destroy();
        return;
      case 'flapping':
        return checks % mode.every === 0
          ? send(res, 503, { status: 'failing', backend: name })
          : send(res, 200, { status: 'ok', backend: name });
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, 200, { status: 'ok', backend: name });
        }, mode.ms);
        timers.add(timer);
        return;
      }
    }
  };

  const control = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const number = (key: string, fallback: number) => {
      const value = Number(url.searchParams.get(key) ?? fallback);
      return Number.isFinite(value) && value > 0 ? value : fallback;
    };
    const modes: Record<string, BackendMode> = {
      '/fail': { kind: 'failing' },
      '/recover': { kind: 'healthy' },
      '/slow': { kind: 'slow', ms: number('ms', 5000) },
      '/error': { kind: 'reset' },
      '/flap': { kind: 'flapping', every: Math.max(2, Math.floor(number('every', 2))) },
    };
    const next = modes[url.pathname];
    if (req.method !== 'POST' || !next)
      return send(res, 404, { error: `no such control: ${req.method} ${url.pathname}` });
    mode = next;
    return send(res, 200, { backend: name, mode });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') return health(res);
    if (url.pathname === '/' && req.method === 'GET')
      return send(res, 200, { backend: name, mode, healthChecks: checks });
    return control(req, res, url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://${host}:${port}`,
    port,
    mode: () => mode,
    setMode: (next) => {
      mode = next;
    },
    healthChecks: () => checks,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}
