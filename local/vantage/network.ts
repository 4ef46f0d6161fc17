/**
 * Each local vantage's own view of the network (issue #11): one HTTP proxy through which every
 * vantage reaches the backends by its own path, so one vantage can be cut off from the primary
 * while the others still reach it — a regional network event, a broken peering or NAT.
 *
 *   GET  http://127.0.0.1:<port>/via/<vantage>/<upstream>/<path>   forwarded to the upstream's URL + /<path>
 *   POST /vantage/<vantage>/partition  {"upstreams": ["primary"]}  black-hole those upstreams for that
 *                                       vantage (default: every upstream named `primary` or `<x>/primary`)
 *   POST /vantage/<vantage>/blind      black-hole everything for that vantage (the canary too)
 *   POST /vantage/<vantage>/heal       reach everything again
 *   GET  /vantage                      each vantage and what it cannot reach
 *
 * A black-holed request is accepted and never answered, as dropped packets are: the probe fails at
 * its own timeout, not at once (a refused connection would be kinder than a real partition).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { portOf, readBody } from '../http-body.ts';

export interface VantageNetwork {
  /** The proxy's base URL (also its control API). */
  readonly url: string;
  /**
   * The URL by which `vantage` reaches `upstream` (registered under `name`).
   *
   * @example
   * network.route('eu-west-1', 'payments/primary', 'http://127.0.0.1:4101/health');
   * // 'http://127.0.0.1:4300/via/eu-west-1/payments/primary/health'
   */
  route(vantage: string, name: string, upstream: string): string;
  /** Black-hole `names` (default: every `primary`) for `vantage`. */
  partition(vantage: string, names?: readonly string[]): void;
  /** Black-hole every upstream for `vantage`. */
  blind(vantage: string): void;
  heal(vantage: string): void;
  /** What `vantage` cannot reach now: `*` when blind. */
  cutOff(vantage: string): readonly string[];
  close(): Promise<void>;
}

const EVERYTHING = '*';

/**
 * @example
 * const network = await startVantageNetwork();
 * const url = network.route('us-east-2', 'primary', backend.url);
 * network.partition('us-east-2'); // us-east-2's probes of the primary now time out
 */
export async function startVantageNetwork(options: { readonly port?: number } = {}): Promise<VantageNetwork> {
  const upstreams = new Map<string, string>();
  const cut = new Map<string, Set<string>>();
  const held = new Set<Socket>();

  const isCut = (vantage: string, name: string) => {
    const names = cut.get(vantage);
    return names !== undefined && (names.has(EVERYTHING) || names.has(name));
  };
  const partition = (vantage: string, names?: readonly string[]) => {
    const chosen = names ?? [...upstreams.keys()].filter((n) => n === 'primary' || n.endsWith('/primary'));
    cut.set(vantage, new Set([...(cut.get(vantage) ?? []), ...chosen]));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const control = /^\/vantage\/([^/]+)\/(partition|blind|heal)$/.exec(url.pathname);
    if (req.method === 'POST' && control !== null) {
      // A control body is a small JSON object; anything over 10 KB is refused as the stand-ins do.
      void readBody(req, 10_000).then(
        (raw) => {
          const body = raw.toString('utf8');
          const vantage = decodeURIComponent(control[1] ?? '');
          const action = control[2];
          if (action === 'heal') cut.delete(vantage);
          else if (action === 'blind') cut.set(vantage, new Set([EVERYTHING]));
          else partition(vantage, upstreamsIn(body));
          json(res, 200, { vantage, cutOff: [...(cut.get(vantage) ?? [])] });
        },
        () => json(res, 413, { message: 'control body over 10 KB' }),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/vantage') {
      json(res, 200, Object.fromEntries([...cut].map(([vantage, names]) => [vantage, [...names]])));
      return;
    }
    const via = /^\/via\/([^/]+)\/(.+)$/.exec(url.pathname);
    const match = via === null ? undefined : matchUpstream(via[2] ?? '', upstreams);
    if (via === null || match === undefined) {
      json(res, 404, { message: `no route ${url.pathname}; see GET /vantage` });
      return;
    }
    const vantage = decodeURIComponent(via[1] ?? '');
    if (isCut(vantage, match.name)) {
      // Dropped: keep the socket open and silent until the prober gives up (or the proxy closes).
      held.add(req.socket);
      req.socket.once('close', () => held.delete(req.socket));
      return;
    }
    forward(req, res, `${match.base}${match.rest}${url.search}`);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${portOf(server.address())}`;

  return {
    url: base,
    route(vantage, name, upstream) {
      const target = new URL(upstream);
      upstreams.set(name, target.origin);
      return `${base}/via/${encodeURIComponent(vantage)}/${name}${target.pathname}${target.search}`;
    },
    partition,
    blind: (vantage) => cut.set(vantage, new Set([EVERYTHING])),
    heal: (vantage) => cut.delete(vantage),
    cutOff: (vantage) => [...(cut.get(vantage) ?? [])],
    async close() {
      for (const socket of held) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The longest registered name that `path` starts with (names may contain `/`). */
function matchUpstream(
  path: string,
  upstreams: ReadonlyMap<string, string>,
): { name: string; base: string; rest: string } | undefined {
  const names = [...upstreams.keys()].sort((a, b) => b.length - a.length);
  const name = names.find((n) => path === n || path.startsWith(`${n}/`));
  if (name === undefined) return undefined;
  return { name, base: upstreams.get(name) ?? '', rest: path.slice(name.length) || '/' };
}

function forward(req: IncomingMessage, res: ServerResponse, to: string): void {
  const upstream = request(
    to,
    { method: req.method, headers: { ...req.headers, host: new URL(to).host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    // The upstream itself refused or reset: pass that on as the connection's end, as a router would.
    res.destroy();
  });
  req.pipe(upstream);
}

function upstreamsIn(body: string): readonly string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      'upstreams' in parsed &&
      Array.isArray(parsed.upstreams)
    ) {
      return parsed.upstreams.filter((u): u is string => typeof u === 'string');
    }
  } catch {
    // No body or not JSON: the default (the primary).
  }
  return undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
