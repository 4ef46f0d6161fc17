/**
 * The live view as a small local web page: the demo serves it on 127.0.0.1 (read-only). The page
 * fetches `/state.json` every second: per service its phase, each target's health, the last flip,
 * the operator flags and what the demo's DNS responder answers for the record, plus the last
 * change lines. The readings are the terminal view's own (`LiveReading`); only the rendering differs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDnsWatch, type DnsWatch } from '../../cli/dns-watch.ts';
import { sharesLines } from '../../cli/shares-view.ts';
import { quorumView, verdictText, voteText } from '../../cli/vantage-votes.ts';
import { sharesOf } from '../../shared/domain/active-active.ts';
import {
  type ServiceConfig,
  type TargetId,
  targetOrder,
  type VantagesConfig,
} from '../../shared/domain/config.ts';
import { systemClock, type VantageVotes } from '../../shared/domain/ports.ts';
import type { ServiceState } from '../../shared/domain/state.ts';
import { DemoSetupError } from './errors.ts';
import {
  failedReason,
  flagWords,
  flipText,
  type LiveReading,
  phaseText,
  streakText,
  weightsOf,
} from './live-view.ts';
import { PAGE_HTML, PAGE_SCRIPT, PAGE_STYLE } from './web-page.ts';

export interface WebViewOptions {
  readonly services: readonly ServiceConfig[];
  /** The demo's DNS responder on 127.0.0.1, asked for each record's answer. */
  readonly dnsPort: number;
  /** Default: chosen at run time. */
  readonly port?: number;
  /** How many change lines the page keeps (default 30). */
  readonly maxEvents?: number;
  /** With vantages: the page shows each vantage's latest vote and the quorum's verdict. */
  readonly vantages?: VantagesConfig;
  readonly now?: () => number;
}

export interface WebView {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Takes a reading of the live view (wire it to `LiveViewOptions.onReading`). */
  record(reading: LiveReading): void;
  /** What `/state.json` answers now. */
  snapshot(): Promise<WebSnapshot>;
  close(): Promise<void>;
}

/** `/state.json`: everything the page shows, already worded (the page only lays it out). */
export interface WebSnapshot {
  /** When the state table was last read (ISO 8601), null before the first reading. */
  readonly readAt: string | null;
  readonly error: string | null;
  readonly services: readonly ServiceView[];
  /** The last change lines, newest first. */
  readonly events: readonly string[];
}

export interface ServiceView {
  readonly name: string;
  readonly record: string;
  readonly zone: string;
  /** `active-passive`, or `active-active` (issue #13 item 3): every target carries its weight. */
  readonly mode: 'active-passive' | 'active-active';
  /** Null until the watchdog's first round. */
  readonly phase: string | null;
  readonly epoch: number | null;
  readonly active: TargetId | null;
  /** Every target, most preferred first. */
  readonly targets: readonly TargetView[];
  readonly flip: string | null;
  /** Active-active: a drained target ramping back in words (step, percent, next step and gate); else null. */
  readonly ramp: string | null;
  readonly flags: readonly string[];
  readonly dns: { readonly query: string; readonly answer: readonly string[] };
  /** With vantages: what each one last said and what the quorum makes of it; else null. */
  readonly vantages: VantagesView | null;
}

export interface VantagesView {
  /** `quorum 2 of 3 (3 voting): primary up, secondary up`, or `quorum lost: ...`. */
  readonly verdict: string;
  readonly lost: boolean;
  readonly votes: readonly VoteRow[];
}

export interface VoteRow {
  readonly vantage: string;
  readonly kind: 'none' | 'blind' | 'voting';
  readonly stale: boolean;
  /** Targets this vantage sees otherwise than the quorum. */
  readonly disagrees: readonly TargetId[];
  /** `primary up, secondary up (4 s ago)`, `blind (12 s ago)`, `no vote`. */
  readonly text: string;
}

export interface TargetView {
  readonly target: TargetId;
  readonly setIdentifier: string;
  readonly status: 'up' | 'down' | 'unknown';
  /** `fail 1/3`, `ok 2/6` or empty. */
  readonly streak: string;
  /** The last round's failed check, if any. */
  readonly reason: string;
  /** Active-active: the decided weight (0: drained) and the configured one; else null. */
  readonly weight: { readonly decided: number; readonly configured: number } | null;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

const ASSETS: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/app.js': { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT },
  '/app.css': { type: 'text/css; charset=utf-8', body: PAGE_STYLE },
};

/**
 * Serves the page on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const web = await startWebView({ services: config.services, dnsPort: stack.route53.dnsPort });
 * const view = startLiveView({ ...options, onReading: web.record }); // open web.url in a browser
 */
export async function startWebView(options: WebViewOptions): Promise<WebView> {
  const now = options.now ?? Date.now;
  const maxEvents = options.maxEvents ?? 30;
  let latest: LiveReading | undefined;
  const events: string[] = [];
  const watches = new Map<string, Promise<DnsWatch>>();
  const dnsServer = `127.0.0.1:${options.dnsPort}`;

  const answerOf = async (service: ServiceConfig): Promise<readonly string[]> => {
    let watch = watches.get(service.name);
    if (watch === undefined) {
      watch = createDnsWatch({
        servers: [dnsServer],
        recordName: service.recordName,
        recordType: service.recordType,
        clock: systemClock,
      });
      watches.set(service.name, watch);
    }
    return (await watch).answer();
  };

  const snapshot = async (): Promise<WebSnapshot> => {
    const at = now();
    const services = await Promise.all(
      options.services.map(async (service) =>
        serviceView(
          service,
          latest?.states.get(service.name),
          await answerOf(service),
          dnsServer,
          at,
          options.vantages === undefined ? null : vantagesView(service, options.vantages, latest?.votes, at),
        ),
      ),
    );
    return {
      readAt: latest === undefined ? null : new Date(latest.at).toISOString(),
      error: latest?.error ?? null,
      services,
      events: [...events].reverse(),
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${errorText(error)}\n`);
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Only this machine's browser, by the address the demo printed: a page elsewhere that rebinds
    // its own name to 127.0.0.1 sends its own Host and is turned away.
    const { port } = server.address() as AddressInfo;
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) {
      send(res, 421, 'text/plain; charset=utf-8', `Open http://127.0.0.1:${port}/ instead.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'This page is read-only: GET and HEAD only.\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/state.json') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(await snapshot()));
      return;
    }
    const asset = ASSETS[path];
    if (asset === undefined) send(res, 404, 'text/plain; charset=utf-8', `No ${path} here.\n`);
    else send(res, 200, asset.type, asset.body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new DemoSetupError(
          error.code === 'EADDRINUSE'
            ? `Cannot serve the web view: port ${options.port} on 127.0.0.1 is in use; pass another --web-port, or none.`
            : `Cannot serve the web view: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    record(reading) {
      latest = reading;
      events.push(...reading.events);
      events.splice(0, Math.max(0, events.length - maxEvents));
    },
    snapshot,
    close: () => closeServer(server),
  };
}

function serviceView(
  service: ServiceConfig,
  state: ServiceState | undefined,
  answer: readonly string[],
  dnsServer: string,
  at: number,
  vantages: VantagesView | null,
): ServiceView {
  const record = service.recordName.replace(/\.$/, '');
  const order = targetOrder(service);
  const settings = service.policy.activeActive;
  const decided =
    settings === undefined
      ? undefined
      : state === undefined
        ? settings.weights
        : sharesOf(state, settings, order).weights;
  const target = ({ id, setIdentifier }: ServiceConfig['targets'][number]): TargetView => {
    // Absent until the watchdog's first round, or for a target added to the config since.
    const health = state?.targets[id];
    return {
      target: id,
      setIdentifier,
      status: health?.status ?? 'unknown',
      streak: health === undefined ? '' : streakText(health, service.policy),
      reason: health === undefined ? '' : (failedReason(health) ?? ''),
      weight:
        settings === undefined || decided === undefined
          ? null
          : { decided: decided[id] ?? 0, configured: settings.weights[id] ?? 0 },
    };
  };
  return {
    name: service.name,
    record: `${record} ${service.recordType}`,
    zone: service.hostedZoneId,
    mode: settings === undefined ? 'active-passive' : 'active-active',
    phase: state === undefined ? null : phaseText(service, state),
    epoch: state?.epoch ?? null,
    active: state?.active ?? null,
    targets: service.targets.map(target),
    flip:
      state === undefined
        ? null
        : settings === undefined
          ? flipText(state, order, at)
          : `${weightsOf(service, state)}${state.lastFlipAt === null ? '' : `, set ${new Date(state.lastFlipAt).toLocaleTimeString('en-GB', { hour12: false })}`}`,
    ramp:
      state === undefined || settings === undefined ? null : sharesLines(service, settings, state, at).ramp,
    flags: state === undefined ? [] : flagWords(state),
    dns: {
      query: `dig @${dnsServer.replace(/:(\d+)$/, ' -p $1')} ${record} ${service.recordType} +short`,
      answer,
    },
    vantages,
  };
}

function vantagesView(
  service: ServiceConfig,
  vantages: VantagesConfig,
  recorded: ReadonlyMap<string, VantageVotes> | undefined,
  at: number,
): VantagesView {
  const order = targetOrder(service);
  const view = quorumView(service, vantages, recorded ?? new Map(), at);
  return {
    verdict: verdictText(view, order),
    lost: view.lost,
    votes: view.votes.map((vote) => ({
      vantage: vote.vantage,
      kind: vote.kind,
      stale: vote.stale,
      disagrees: vote.disagrees,
      text: voteText(vote, order, at),
    })),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // The page keeps a connection alive between its fetches: close it now, not in 5 s.
    server.closeAllConnections();
  });
}
