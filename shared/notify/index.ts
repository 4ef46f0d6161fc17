/**
 * Notifications: SNS, Slack, PagerDuty and signed webhooks behind the `Notifier` port.
 * Handlers build one notifier at module scope; webhook receivers use `verifyWebhookSignature`.
 */
export { createNotifier, type NotifierOptions } from './notifier.ts';
export { pagerDutyDedupKey } from './pagerduty.ts';
export { notificationTitle, type RenderedNotification, renderNotification } from './render.ts';
export type { WebhookBody } from './webhook.ts';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  type SignatureVerdict,
  signWebhookBody,
  type VerifyOptions,
  verifyWebhookSignature,
} from './webhook-signature.ts';
