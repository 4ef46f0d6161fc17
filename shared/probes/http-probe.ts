import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { HttpCheck } from '../domain/config.ts';
import type { Clock } from '../domain/ports.ts';
import { redactUrl } from '../domain/redaction.ts';
import type { CheckResult } from '../domain/state.ts';
import { checkLabel } from './check-label.ts';
import { describeConnectionError } from './connection-errors.ts';
import { BODY_READ_LIMIT_BYTES, judgeHttpResponse, type Verdict } from './http-verdict.ts';
import { shortenReason } from './reason-text.ts';

export interface HttpProbeOptions {
  /** The trust store to verify servers against (see `createTrustStore`); default: Node's own. */
  readonly secureContext?: SecureContext;
  /** Reads "now" to judge certificate expiry. Default: the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * The check's headers with its `${ssm:/path}` values already read (the prober does that, see
   * `readSecretHeaders`). Default: the check's own headers, which must then all be written out.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where a request was when its deadline passed; named in the timeout reason. */
type Phase = 'resolving host' | 'connecting' | 'TLS handshake' | 'waiting for response' | 'reading body';

const DAY_MS = 24 * 60 * 60 * 1000;
const USER_AGENT = 'failover-controller-probe';

/**
 * Probes an HTTP(S) endpoint once over a fresh connection and judges the answer. Never throws.
 *
 * `timeoutMs` is one wall-clock deadline over DNS, connect, TLS, headers and body: when it passes the
 * socket is destroyed, so a stalled handshake or a slow-drip body cannot stretch it. Redirects are
 * not followed; at most 64 KiB of body is read, with no decompression.
 *
 * @example
 * const result = await probeHttp({ kind: 'http', url: 'https://api.example.com/health', method: 'GET',
 *   headers: {}, expectStatus: [{ min: 200, max: 200 }], timeoutMs: 3000, insecureSkipVerify: false });
 * // { check: 'http GET https://api.example.com/health', ok: true, latencyMs: 42, reason: 'status 200' }
 */
export function probeHttp(check: HttpCheck, options: HttpProbeOptions = {}): Promise<CheckResult> {
  const label = checkLabel(check);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = parseHttpUrl(check.url);
  if (typeof url === 'string') return Promise.resolve({ check: label, ok: false, latencyMs: 0, reason: url });
  const headers = options.headers ?? writtenHeaders(check);
  if (typeof headers === 'string') {
    return Promise.resolve({ check: label, ok: false, latencyMs: 0, reason: headers });
  }

  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let phase: Phase = isIP(url.hostname.replace(/^\[|\]$/g, '')) ? 'connecting' : 'resolving host';
    let request: http.ClientRequest | undefined;

    const finish = (verdict: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      // Destroying the request also destroys its socket and any unread rest of the body.
      request?.destroy();
      const latencyMs = elapsed();
      const slow = verdict.ok && check.maxLatencyMs !== undefined && latencyMs > check.maxLatencyMs;
      const reason = slow ? `latency ${latencyMs} ms over ${check.maxLatencyMs} ms` : verdict.reason;
      resolve({ check: label, ok: verdict.ok && !slow, latencyMs, reason });
    };
    const failWith = (reason: string) => finish({ ok: false, reason });
    const deadline = setTimeout(
      () => failWith(`timeout after ${check.timeoutMs} ms (${phase})`),
      check.timeoutMs,
    );

    try {
      request = sendRequest(url, check, headers, options.secureContext);
    } catch (error) {
      // Invalid header names or values are rejected synchronously by node:http.
      failWith(shortenReason(`invalid request: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    request.on('error', (error) => failWith(describeConnectionError(error, url.hostname)));
    request.on('socket', (socket) => {
      socket.once('lookup', () => {
        phase = 'connecting';
      });
      socket.once('connect', () => {
        phase = url.protocol === 'https:' ? 'TLS handshake' : 'waiting for response';
      });
      socket.once('secureConnect', () => {
        phase = 'waiting for response';
        if (!(socket instanceof TLSSocket)) return;
        const certificateProblem = judgeCertificate(socket, check, options.clock ?? Date);
        if (certificateProblem !== null) failWith(certificateProblem);
      });
    });
    request.on('response', (response) => {
      phase = 'reading body';
      readBody(response, (body, truncated) => {
        finish(judgeHttpResponse(check, { status: response.statusCode ?? 0, body, truncated }));
      });
      response.on('error', () => failWith('connection reset while reading body'));
    });
  });
}

function parseHttpUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The loader refuses such a URL; should one get here, its query (a token) is still not shown.
    return shortenReason(`invalid URL ${redactUrl(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported URL scheme ${url.protocol}`;
  return url;
}

/** The check's headers when every value is written out; else why it cannot be sent as it is. */
function writtenHeaders(check: HttpCheck): Readonly<Record<string, string>> | string {
  const written: Record<string, string> = {};
  for (const [name, value] of Object.entries(check.headers)) {
    if (typeof value !== 'string')
      return `header ${name} comes from SSM parameter ${value.path}, which was not read`;
    written[name] = value;
  }
  return written;
}

function sendRequest(
  url: URL,
  check: HttpCheck,
  checkHeaders: Readonly<Record<string, string>>,
  secureContext: SecureContext | undefined,
): http.ClientRequest {
  // No `accept-encoding`: the body is never decompressed, so a gzip bomb stays 64 KiB of noise.
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...checkHeaders };
  const options: https.RequestOptions & { secureContext?: SecureContext } = {
    method: check.method,
    headers,
    // A fresh connection per probe: a pooled socket would hide connect and TLS failures.
    agent: false,
  };
  if (url.protocol === 'http:') return http.request(url, options).end();
  options.rejectUnauthorized = !check.insecureSkipVerify;
  if (secureContext !== undefined) options.secureContext = secureContext;
  return https.request(url, options).end();
}

/** Collects up to the read limit, then reports; the caller destroys the rest unread. */
function readBody(response: http.IncomingMessage, done: (body: string, truncated: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let reported = false;
  const report = (truncated: boolean) => {
    if (reported) return;
    reported = true;
    done(Buffer.concat(chunks, size).toString('utf8'), truncated);
  };
  response.on('data', (chunk: Buffer) => {
    if (reported) return;
    const room = BODY_READ_LIMIT_BYTES - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    // At the limit the body may go on: stop reading and call it cut.
    if (size >= BODY_READ_LIMIT_BYTES) report(true);
  });
  response.on('end', () => report(false));
}

/** A reason when the peer certificate expires sooner than `certMinDaysValid`, else null. */
function judgeCertificate(socket: TLSSocket, check: HttpCheck, clock: Pick<Clock, 'now'>): string | null {
  if (check.certMinDaysValid === undefined) return null;
  const validTo = Date.parse(socket.getPeerCertificate().valid_to);
  if (Number.isNaN(validTo)) return 'certificate has no readable expiry date';
  const msLeft = validTo - clock.now();
  if (msLeft < 0) return `certificate expired ${days(Math.floor(-msLeft / DAY_MS))} ago`;
  const daysLeft = Math.floor(msLeft / DAY_MS);
  if (daysLeft >= check.certMinDaysValid) return null;
  return `certificate expires in ${days(daysLeft)} (minimum ${check.certMinDaysValid})`;
}

function days(count: number): string {
  return count === 1 ? '1 day' : `${count} days`;
}
