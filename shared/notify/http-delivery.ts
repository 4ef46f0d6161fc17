/**
 * One JSON POST with bounded retries: the shared delivery of Slack, PagerDuty and the webhook.
 *
 * Retries only what may succeed later: 429, 5xx, network errors and timeouts. `Retry-After`
 * (seconds or HTTP date) is honoured; without it the wait doubles from `backoffBaseMs`. Every
 * attempt has its own timeout, and nothing starts or waits past the budget's deadline:
 *
 *   deadline ─────────────────────────────────────────────────────────────┐
 *   [attempt 1 ≤ attemptTimeoutMs] 429 ─ wait Retry-After ─ [attempt 2] 202 ✓
 *   a wait that would leave the next attempt under 100 ms before the deadline is not taken:
 *   the delivery fails at once, saying why.
 *
 * Error texts name the host only: webhook URLs carry tokens in their paths.
 */
import type { Clock } from '../domain/ports.ts';
import { parseRetryAfter } from './retry-after.ts';

export interface DeliveryPolicy {
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  /** Bound of one attempt: connect, send, status line and headers. */
  readonly attemptTimeoutMs: number;
  /** The first retry waits this long (without `Retry-After`), then twice as long each time... */
  readonly backoffBaseMs: number;
  /** ...up to this. */
  readonly backoffMaxMs: number;
}

export interface DeliveryBudget {
  /** Epoch ms on `clock`: no attempt starts, and no retry waits, past it. */
  readonly deadline: number;
  /** Aborted when the total bound has passed in real time: cancels a request or wait in flight. */
  readonly signal: AbortSignal;
}

/** Shared, mutable: counts every attempt, so a report made when the budget runs out is still exact. */
export interface AttemptCounter {
  count: number;
}

export interface HttpDeliveryContext {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly policy: DeliveryPolicy;
  readonly budget: DeliveryBudget;
  readonly attempts: AttemptCounter;
  /** Told before each retry wait (for logging); `problem` names the host, never the URL. */
  readonly onRetry: (retry: {
    readonly attempt: number;
    readonly problem: string;
    readonly waitMs: number;
  }) => void;
}

export interface JsonPost {
  readonly url: URL;
  readonly body: string;
  /** Headers of each attempt: a webhook signs every attempt with a fresh timestamp. */
  readonly headers: () => Readonly<Record<string, string>>;
}

export type DeliveryOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

type AttemptResult =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected'; readonly problem: string }
  | { readonly kind: 'retryable'; readonly problem: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'stopped' };

const MIN_USEFUL_ATTEMPT_MS = 100;
const SNIPPET_BYTES = 512;
const SNIPPET_CHARS = 200;

/**
 * POST `post.body` until it is accepted (2xx), rejected for good, or the budget runs out. Never throws.
 *
 * @example
 * const outcome = await postJson({ url, body, headers: () => ({}) }, context);
 * if (!outcome.ok) log({ error: outcome.error }); // 'hooks.slack.com answered 500 (gave up after 4 attempts)'
 */
export async function postJson(post: JsonPost, context: HttpDeliveryContext): Promise<DeliveryOutcome> {
  const { clock, policy, budget } = context;
  const host = post.url.host;
  for (let attempt = 1; ; attempt += 1) {
    const remaining = budget.deadline - clock.now();
    if (remaining <= 0 || budget.signal.aborted) {
      return { ok: false, error: `${host}: no time left in the delivery bound` };
    }
    context.attempts.count += 1;
    const result = await attemptPost(post, Math.min(policy.attemptTimeoutMs, remaining), context);
    switch (result.kind) {
      case 'accepted':
        return { ok: true };
      case 'rejected':
        return { ok: false, error: `${host} ${result.problem} (not retried)` };
      case 'stopped':
        return { ok: false, error: `${host}: stopped, the delivery bound passed` };
      case 'retryable':
        break;
    }
    const problem = `${host} ${result.problem}`;
    if (attempt >= policy.maxAttempts)
      return { ok: false, error: `${problem} (gave up after ${attempt} attempts)` };
    const waitMs = result.retryAfterMs ?? backoffMs(policy, attempt);
    const left = budget.deadline - clock.now();
    // A retry must leave its attempt a useful slice of time, not a few milliseconds.
    if (waitMs + Math.min(MIN_USEFUL_ATTEMPT_MS, policy.attemptTimeoutMs / 2) > left) {
      const wait =
        result.retryAfterMs === null ? `the next retry (in ${waitMs} ms)` : `Retry-After ${waitMs} ms`;
      return {
        ok: false,
        error: `${problem}; ${wait} does not fit in the ${Math.max(0, left)} ms left (after ${attempt} attempts)`,
      };
    }
    context.onRetry({ attempt, problem, waitMs });
    if (!(await sleepUnlessAborted(clock, waitMs, budget.signal))) {
      return {
        ok: false,
        error: `${problem}; stopped, the delivery bound passed (after ${attempt} attempts)`,
      };
    }
  }
}

function backoffMs(policy: DeliveryPolicy, attempt: number): number {
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
}

async function attemptPost(
  post: JsonPost,
  timeoutMs: number,
  context: HttpDeliveryContext,
): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOut = false;
  // A real timer (not the injectable clock): it must cut a request that hangs in real time.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = () => controller.abort();
  context.budget.signal.addEventListener('abort', stop, { once: true });
  try {
    const response = await context.fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'failover-controller', ...post.headers() },
      body: post.body,
      signal: controller.signal,
      // A redirected POST turns into a GET without the body: report it instead.
      redirect: 'manual',
    });
    return await judgeResponse(response, context.clock.now());
  } catch (error) {
    if (timedOut)
      return { kind: 'retryable', problem: `did not answer within ${timeoutMs} ms`, retryAfterMs: null };
    if (context.budget.signal.aborted) return { kind: 'stopped' };
    return { kind: 'retryable', problem: describeNetworkError(error), retryAfterMs: null };
  } finally {
    clearTimeout(timer);
    context.budget.signal.removeEventListener('abort', stop);
  }
}

async function judgeResponse(response: Response, nowMs: number): Promise<AttemptResult> {
  const status = response.status;
  if (status >= 200 && status < 300) {
    await discardBody(response);
    return { kind: 'accepted' };
  }
  const snippet = await readSnippet(response);
  const answered = `answered ${status}${snippet === '' ? '' : ` "${snippet}"`}`;
  if (status === 429 || status >= 500) {
    return {
      kind: 'retryable',
      problem: answered,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), nowMs),
    };
  }
  if (status >= 300 && status < 400) {
    return {
      kind: 'rejected',
      problem: `answered ${status} (a redirect, not followed: configure the final URL)`,
    };
  }
  return { kind: 'rejected', problem: answered };
}

/** The start of an error body (Slack says `invalid_payload`, PagerDuty names the bad field), one line. */
async function readSnippet(response: Response): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves the status to report.
  } finally {
    reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}

/** Free the connection: an unread body would keep it busy. */
async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to free.
  }
}

/** A network failure by its code only: undici's messages can quote the URL. */
export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be resolved (DNS)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'reset the connection';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'did not accept the connection in time';
    case undefined:
      return 'could not be reached (network error)';
    default:
      return code.startsWith('ERR_TLS') || code.includes('CERT')
        ? `failed the TLS handshake (${code})`
        : `could not be reached (${code})`;
  }
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 4; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string') return code;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

/** Waits on the clock; false when the budget was aborted first. */
async function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let stop = () => {};
  const aborted = new Promise<false>((resolve) => {
    stop = () => resolve(false);
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    return await Promise.race([clock.sleep(ms).then(() => true), aborted]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
