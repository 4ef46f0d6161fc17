/**
 * The `Notifier` port: every channel of the named groups at once, within one short total bound.
 * Telling people never delays or fails a flip: `notify` never throws and always returns in time.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ControllerConfig, NotifierConfig } from '../domain/config.ts';
import type { Clock, DeliveryReport, Notification, Notifier } from '../domain/ports.ts';
import { systemClock } from '../domain/ports.ts';
import { type ChannelContext, sendToChannel } from './channels.ts';
import { SecretResolutionError } from './errors.ts';
import type { DeliveryBudget, DeliveryOutcome, DeliveryPolicy } from './http-delivery.ts';
import { PAGERDUTY_EVENTS_URL } from './pagerduty.ts';
import { createSecretTexts, literalSecrets } from './redaction.ts';
import { renderNotification } from './render.ts';
import { createSecretResolver } from './secrets.ts';

export const DEFAULT_TOTAL_TIMEOUT_MS = 8000;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 3000;
export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 2000;

export interface NotifierOptions {
  readonly notifiers: ControllerConfig['notifiers'];
  /** Built on first use when absent (honours `AWS_ENDPOINT_URL_SNS`). */
  readonly sns?: SNSClient;
  /** Built on first use when absent (honours `AWS_ENDPOINT_URL_SSM`). */
  readonly ssm?: SSMClient;
  readonly fetch?: typeof fetch;
  /** Reads the deadline and waits between retries. Default: the system clock. */
  readonly clock?: Clock;
  /** Bound of one `notify` call, every channel and retry included. Default 8000 ms. */
  readonly totalTimeoutMs?: number;
  /** Bound of one HTTP attempt (and of one SSM read). Default 3000 ms, at most the total. */
  readonly attemptTimeoutMs?: number;
  /** Attempts per HTTP request, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** First retry wait without `Retry-After`; doubles up to 2 s. Default 250 ms. */
  readonly backoffBaseMs?: number;
  /** The PagerDuty Events API v2 URL; only tests change it. */
  readonly pagerdutyUrl?: string;
  /** Structured log sink. Default: one JSON line on stdout. */
  readonly log?: (entry: object) => void;
}

/** One configured channel of one group, e.g. `oncall/slack` (`oncall/slack#2` for a second Slack). */
interface Channel {
  readonly name: string;
  readonly config: NotifierConfig;
}

/**
 * Build the notifier once per cold start (SSM secrets are cached in it).
 * Primary course of `notify`:
 *  1. Render the notification once (the same words on every channel)
 *  2. Expand the groups into channels; an unknown group becomes a failed report
 *  3. Deliver to every channel in parallel: resolve its secrets, send, retry what may succeed later
 *  4. Stop whatever is still running when the total bound passes; report each channel, log failures
 *
 * @example
 * const notifier = createNotifier({ notifiers: config.notifiers });
 * const reports = await notifier.notify(notification, service.notify);
 * // [{ channel: 'oncall/slack', ok: true, attempts: 1 }, { channel: 'oncall/pagerduty', ok: false, ... }]
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const clock = options.clock ?? systemClock;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const pagerdutyUrl = options.pagerdutyUrl ?? PAGERDUTY_EVENTS_URL;
  const totalMs = positive(options.totalTimeoutMs, DEFAULT_TOTAL_TIMEOUT_MS);
  const policy: DeliveryPolicy = {
    maxAttempts: Math.max(1, Math.floor(positive(options.maxAttempts, DEFAULT_MAX_ATTEMPTS))),
    attemptTimeoutMs: Math.min(totalMs, positive(options.attemptTimeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS)),
    backoffBaseMs: positive(options.backoffBaseMs, DEFAULT_BACKOFF_BASE_MS),
    backoffMaxMs: DEFAULT_BACKOFF_MAX_MS,
  };
  const log = safeLog(options.log ?? ((entry) => console.log(JSON.stringify(entry))));
  // Every secret known (config literals now, SSM values once read) is scrubbed from every report
  // and log line, whichever channel's text quotes it.
  const secretTexts = createSecretTexts();
  for (const configs of Object.values(options.notifiers)) {
    for (const config of configs) for (const secret of literalSecrets(config)) secretTexts.add(secret);
  }
  let sns = options.sns;
  let ssm = options.ssm;
  const secrets = createSecretResolver({
    ssm: () => {
      ssm ??= new SSMClient({});
      return ssm;
    },
    timeoutMs: policy.attemptTimeoutMs,
  });

  /** One channel, raced against the hard stop of the total bound. */
  async function deliver(
    channel: Channel,
    notification: Notification,
    context: Omit<ChannelContext, 'http'>,
    budget: DeliveryBudget,
    expired: Promise<void>,
  ): Promise<DeliveryReport> {
    const attempts = { count: 0 };
    const about = { channel: channel.name, ...aboutEvent(notification) };
    const http = {
      fetch: fetchImpl,
      clock,
      policy,
      budget,
      attempts,
      onRetry: (retry: { attempt: number; problem: string; waitMs: number }) =>
        log({
          level: 'WARN',
          message: 'notification delivery failed; retrying',
          ...about,
          attempt: retry.attempt,
          problem: secretTexts.redact(retry.problem),
          retryInMs: retry.waitMs,
        }),
    };
    const outcome = await Promise.race([
      sendToChannel(channel.config, { ...context, http }).catch(
        (error: unknown): DeliveryOutcome => ({ ok: false, error: describeFailure(error) }),
      ),
      expired.then(
        (): DeliveryOutcome => ({ ok: false, error: `gave up: the ${totalMs} ms delivery bound passed` }),
      ),
    ]);
    if (outcome.ok) return { channel: channel.name, ok: true, attempts: attempts.count };
    const error = secretTexts.redact(outcome.error);
    log({ level: 'ERROR', message: 'notification not delivered', ...about, attempts: attempts.count, error });
    return { channel: channel.name, ok: false, attempts: attempts.count, error };
  }

  return {
    async notify(notification, groups) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), totalMs);
      const expired = new Promise<void>((resolve) => {
        abort.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      try {
        // Attempts end a little before the hard stop, so a slow channel reports its own timeout.
        const reserveMs = Math.min(50, totalMs / 10);
        const budget: DeliveryBudget = { deadline: clock.now() + totalMs - reserveMs, signal: abort.signal };
        const context: Omit<ChannelContext, 'http'> = {
          notification,
          rendered: renderNotification(notification),
          sns: () => {
            sns ??= new SNSClient({});
            return sns;
          },
          secret: async (value) => {
            const secret = await secrets.resolve(value);
            secretTexts.add(secret);
            return secret;
          },
          pagerdutyUrl,
        };
        const { channels, unknown } = expandGroups(groups, options.notifiers);
        const settled = await Promise.allSettled(
          channels.map((channel) => deliver(channel, notification, context, budget, expired)),
        );
        const reports = settled.map(
          (result, i): DeliveryReport =>
            result.status === 'fulfilled'
              ? result.value
              : {
                  channel: channels[i]?.name ?? 'unknown',
                  ok: false,
                  attempts: 0,
                  error: 'delivery crashed',
                },
        );
        for (const group of unknown) {
          const known = Object.keys(options.notifiers).join(', ') || 'none';
          const error = `no notifier group "${group}" in the config (known groups: ${known})`;
          log({
            level: 'ERROR',
            message: 'notification not delivered',
            channel: group,
            ...aboutEvent(notification),
            error,
          });
          reports.push({ channel: group, ok: false, attempts: 0, error });
        }
        return reports;
      } catch (error) {
        // Only a bug gets here (rendering a malformed notification, say): still never throw.
        const reason = `notification could not be prepared: ${error instanceof Error ? error.name : 'unknown error'}`;
        log({ level: 'ERROR', message: 'notification not delivered', channel: 'notifier', error: reason });
        return [{ channel: 'notifier', ok: false, attempts: 0, error: reason }];
      } finally {
        clearTimeout(timer);
        // Stops anything still running (a request or retry wait of a channel that lost the race).
        abort.abort();
      }
    },
  };
}

/** The channels of the named groups, in order, each group once; names not in the config apart. */
function expandGroups(
  groups: readonly string[],
  notifiers: ControllerConfig['notifiers'],
): { channels: Channel[]; unknown: string[] } {
  const channels: Channel[] = [];
  const unknown: string[] = [];
  for (const group of new Set(groups)) {
    const configs = Object.hasOwn(notifiers, group) ? notifiers[group] : undefined;
    if (configs === undefined) {
      unknown.push(group);
      continue;
    }
    const seen = new Map<string, number>();
    for (const config of configs) {
      const n = (seen.get(config.kind) ?? 0) + 1;
      seen.set(config.kind, n);
      channels.push({ name: n === 1 ? `${group}/${config.kind}` : `${group}/${config.kind}#${n}`, config });
    }
  }
  return { channels, unknown };
}

function aboutEvent(notification: Notification): Record<string, unknown> {
  return { event: notification.event, service: notification.service, epoch: notification.epoch };
}

function describeFailure(error: unknown): string {
  if (error instanceof SecretResolutionError) return error.message;
  return `unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : 'error'}`;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function safeLog(log: (entry: object) => void): (entry: object) => void {
  return (entry) => {
    try {
      log(entry);
    } catch {
      // A broken log sink must not break delivery.
    }
  };
}
