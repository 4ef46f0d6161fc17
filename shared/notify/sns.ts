/**
 * SNS: one Publish of the plain-text rendering to the topic, which fans out to email, SQS, chat.
 * `Subject` (email only) is the title made safe for SNS; message attributes carry the event, the
 * service and the severity for subscription filter policies.
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '../domain/ports.ts';
import type { RenderedNotification } from './render.ts';

/** SNS: "must be less than 100 characters", ASCII, no line breaks or control characters. */
export const SUBJECT_MAX = 99;

/**
 * The Publish request for a notification.
 *
 * @example
 * snsPublishInput(notification, rendered, 'arn:aws:sns:us-west-2:123456789012:failover').Subject;
 * // 'FAILOVER payments-api: primary -> secondary'
 */
export function snsPublishInput(
  notification: Notification,
  rendered: RenderedNotification,
  topicArn: string,
): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Subject: snsSubject(rendered.title),
    Message: rendered.text,
    MessageAttributes: {
      event: { DataType: 'String', StringValue: notification.event },
      service: { DataType: 'String', StringValue: notification.service },
      severity: { DataType: 'String', StringValue: notification.severity },
    },
  };
}

/** The title as an SNS subject: `→` becomes `->`, other non-ASCII and control characters go. */
export function snsSubject(title: string): string {
  const ascii = title
    .replaceAll('→', '->')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const subject = ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
  return subject === '' ? 'failover-controller notification' : subject;
}

export interface SnsOutcome {
  readonly ok: boolean;
  /** The SDK's own attempts (it retries throttling and 5xx). */
  readonly attempts: number;
  readonly error?: string;
}

/**
 * Publish; never throws. `signal` cancels the call (and the SDK's retries) when the bound passes.
 *
 * @example
 * await publishToSns(client, snsPublishInput(notification, rendered, topicArn), budget.signal);
 */
export async function publishToSns(
  client: SNSClient,
  input: PublishCommandInput,
  signal: AbortSignal,
): Promise<SnsOutcome> {
  let output: unknown;
  try {
    output = await client.send(new PublishCommand(input), { abortSignal: signal });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown error';
    const message = error instanceof Error && error.message !== '' ? `: ${error.message.slice(0, 200)}` : '';
    const attempts = sdkAttempts(error);
    if (signal.aborted)
      return { ok: false, attempts, error: 'SNS Publish stopped: the delivery bound passed' };
    return { ok: false, attempts, error: `SNS Publish to ${input.TopicArn} failed: ${name}${message}` };
  }
  return { ok: true, attempts: sdkAttempts(output) };
}

/** The SDK's attempt count from an output or an error (`$metadata.attempts`), else 1. */
function sdkAttempts(outputOrError: unknown): number {
  if (typeof outputOrError !== 'object' || outputOrError === null || !('$metadata' in outputOrError))
    return 1;
  const metadata = outputOrError.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('attempts' in metadata)) return 1;
  return typeof metadata.attempts === 'number' ? metadata.attempts : 1;
}
