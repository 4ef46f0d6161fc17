/**
 * Real HTTP receivers on 127.0.0.1 for the notifier tests: each records every request (method,
 * path, headers, raw body) and answers from a script of replies, then from a default reply.
 * A `hang` reply never answers (until the receiver closes), to test timeouts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Notification } from '../../shared/domain/ports.ts';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The raw body exactly as received. */
  readonly body: string;
}

export type Reply =
  | {
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | 'hang';

export interface Receiver {
  /** `http://127.0.0.1:<port>`; append any path. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answer the next requests with these replies, in order; then with the default reply. */
  script(...replies: Reply[]): void;
  /** Ends hanging requests, closes every connection and the server. */
  close(): Promise<void>;
}

/**
 * @example
 * const slack = await startReceiver({ status: 200, body: 'ok' });
 * slack.script({ status: 429, headers: { 'retry-after': '1' } });
 * // ... deliver to `${slack.url}/services/T000/B000/XXXX`
 * expect(slack.requests).toHaveLength(2);
 * await slack.close();
 */
export async function startReceiver(defaultReply: Reply = { status: 200, body: 'ok' }): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const queue: Reply[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = queue.shift() ?? defaultReply;
      if (reply === 'hang') return;
      response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      response.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...replies) {
      queue.push(...replies);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * A clock whose `sleep` returns at once but moves `now` forward by the time slept, so retry waits
 * count against the delivery deadline without taking real time. `sleeps` records every wait.
 */
export interface SkippingClock extends Clock {
  readonly sleeps: number[];
}

export function skippingClock(start: number = Date.now()): SkippingClock {
  const realStart = Date.now();
  let skipped = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => start + (Date.now() - realStart) + skipped,
    sleep(ms) {
      sleeps.push(ms);
      skipped += ms;
      return Promise.resolve();
    },
  };
}

/** A port on 127.0.0.1 that refuses connections: bound, then closed again. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- Fixtures ------------------------------------------------------------------------------------

const AT = Date.UTC(2026, 10, 26, 6, 30, 0);

/** An automatic failover with evidence, a change id and every milestone. */
export function aNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    event: 'failover',
    service: 'payments-api',
    from: 'primary',
    to: 'secondary',
    reason: 'primary down for 3 rounds (status 503 not in [200]); secondary up',
    requestedBy: 'watchdog',
    epoch: 7,
    changeId: 'C0123456789ABCDEF',
    evidence: {
      primary: [
        {
          check: 'http GET https://primary.example.com/health',
          ok: false,
          latencyMs: 12,
          reason: 'status 503 not in [200]',
        },
      ],
      secondary: [
        {
          check: 'http GET https://standby.example.com/health',
          ok: true,
          latencyMs: 8,
          reason: 'status 200',
        },
      ],
    },
    at: AT + 46_000,
    timings: { detectedAt: AT, flippedAt: AT + 4_000, inSyncAt: AT + 45_000 },
    severity: 'critical',
    next: 'Investigate the primary; failback is manual: run `failoverctl failback payments-api` once it is healthy.',
    ...overrides,
  };
}
