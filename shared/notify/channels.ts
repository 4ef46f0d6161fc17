/**
 * Sending one notification to one configured channel: SNS, Slack, PagerDuty or a signed webhook.
 * Secrets are resolved here, at send time, so an SSM failure fails only its channel.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { NotifierConfig, SecretValue } from '../domain/config.ts';
import type { Notification } from '../domain/ports.ts';
import { type DeliveryOutcome, type HttpDeliveryContext, postJson } from './http-delivery.ts';
import { pagerDutyEvents } from './pagerduty.ts';
import type { RenderedNotification } from './render.ts';
import { slackMessage } from './slack.ts';
import { publishToSns, snsPublishInput } from './sns.ts';
import { webhookBody } from './webhook.ts';
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.ts';

export interface ChannelContext {
  readonly notification: Notification;
  readonly rendered: RenderedNotification;
  /** HTTP delivery with retries, bounded by the notification's budget; counts attempts. */
  readonly http: HttpDeliveryContext;
  readonly sns: () => SNSClient;
  /** Resolves a literal or `{ kind: 'ssm' }` secret (throws `SecretResolutionError`). */
  readonly secret: (value: SecretValue) => Promise<string>;
  readonly pagerdutyUrl: string;
}

/**
 * Deliver to one channel. Rejects only with `SecretResolutionError` (or a bug); every delivery
 * problem is an outcome.
 *
 * @example
 * const outcome = await sendToChannel({ kind: 'slack', webhookUrl: url }, context);
 */
export async function sendToChannel(
  config: NotifierConfig,
  context: ChannelContext,
): Promise<DeliveryOutcome> {
  const { notification, rendered, http } = context;
  switch (config.kind) {
    case 'sns': {
      const input = snsPublishInput(notification, rendered, config.topicArn);
      const outcome = await publishToSns(context.sns(), input, http.budget.signal);
      http.attempts.count += outcome.attempts;
      return outcome.ok ? { ok: true } : { ok: false, error: outcome.error ?? 'SNS Publish failed' };
    }
    case 'slack': {
      const url = parseHttpUrl(await context.secret(config.webhookUrl), 'slack.webhookUrl');
      if (typeof url === 'string') return { ok: false, error: url };
      const body = JSON.stringify(slackMessage(notification, rendered));
      return postJson({ url, body, headers: () => ({}) }, http);
    }
    case 'pagerduty': {
      const routingKey = await context.secret(config.routingKey);
      const url = parseHttpUrl(context.pagerdutyUrl, 'pagerdutyUrl');
      if (typeof url === 'string') return { ok: false, error: url };
      // The trigger and the resolves concern different incidents: send them side by side.
      const failures = await Promise.all(
        pagerDutyEvents(notification, rendered, routingKey).map(async (event) => {
          const outcome = await postJson({ url, body: JSON.stringify(event), headers: () => ({}) }, http);
          return outcome.ok ? null : `${event.event_action} ${event.dedup_key}: ${outcome.error}`;
        }),
      );
      const errors = failures.filter((failure) => failure !== null);
      return errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') };
    }
    case 'webhook': {
      const url = parseHttpUrl(await context.secret(config.url), 'webhook.url');
      if (typeof url === 'string') return { ok: false, error: url };
      const secret = config.secret === undefined ? undefined : await context.secret(config.secret);
      const body = JSON.stringify(webhookBody(notification));
      // Signed per attempt: a retry after Retry-After carries a fresh timestamp.
      const headers = (): Record<string, string> =>
        secret === undefined ? {} : { [SIGNATURE_HEADER]: signWebhookBody(body, secret, http.clock.now()) };
      return postJson({ url, body, headers }, http);
    }
  }
}

function parseHttpUrl(raw: string, field: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never quote the value: it is a secret (a webhook URL carries its token).
    return `${field} is not a valid URL (value not shown)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `${field} must be an http(s) URL, not ${url.protocol}`;
  }
  return url;
}
