import { z } from 'zod';
import type { NotifierConfig, SecretValue } from '../domain/config.ts';
import { emptyMeansUnset, httpUrl, type Interpretation, plainText, text } from './fields.ts';
import { SsmReference } from './references.ts';
import { singleKey } from './single-key.ts';
import { describeValue } from './wording.ts';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function topicArn(value: string): Interpretation<string> {
  return SNS_TOPIC_ARN.test(value)
    ? { value }
    : {
        problem: `must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:failover, got ${describeValue(value)}`,
      };
}

function routingKey(value: string): Interpretation<string> {
  return /^\S+$/.test(value)
    ? { value }
    : { problem: 'must be a PagerDuty Events API v2 routing key (no spaces; not empty)' };
}

/**
 * A secret: `${ssm:/path}` (kept as an `SsmRef` for the Lambda to fetch) or a literal that
 * `literal` validates. Only literals are validated: an SSM parameter is read at run time.
 */
function secret(literal: z.ZodType<string, string>) {
  return z
    .custom<SsmReference | string>((value) => value instanceof SsmReference || typeof value === 'string', {
      error: (issue) => `must be text or an \${ssm:/path} reference, got ${describeValue(issue.input)}`,
    })
    .transform((value, context): SecretValue => {
      if (value instanceof SsmReference) return value.toRef();
      const result = literal.safeParse(value);
      if (result.success) return result.data;
      for (const issue of result.error.issues) {
        context.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
      }
      return z.NEVER;
    });
}

const notifier = singleKey('notifier', {
  sns: z.strictObject({ topicArn: text(topicArn) }).optional(),
  slack: z.strictObject({ webhookUrl: secret(text(httpUrl)) }).optional(),
  pagerduty: z.strictObject({ routingKey: secret(text(routingKey)) }).optional(),
  webhook: z
    .strictObject({ url: secret(text(httpUrl)), secret: secret(plainText(1, 4096)).optional() })
    .optional(),
}).transform((entry, context): NotifierConfig => {
  if (entry.sns) return { kind: 'sns', ...entry.sns };
  if (entry.slack) return { kind: 'slack', ...entry.slack };
  if (entry.pagerduty) return { kind: 'pagerduty', ...entry.pagerduty };
  if (entry.webhook) return { kind: 'webhook', ...entry.webhook };
  // singleKey has already reported an empty entry; this only satisfies the types.
  context.addIssue({ code: 'custom', message: 'is empty', input: entry });
  return z.NEVER;
});

/** `notifiers`: group name -> the notifiers that a message to the group goes to. */
export const notifiers = emptyMeansUnset(
  z
    .record(
      z.string().regex(GROUP_NAME, {
        error:
          'is not a valid group name: use 1 to 64 letters, digits, "-" and "_", starting with a letter or digit',
      }),
      z
        .array(notifier, {
          error: (issue) =>
            `must be a list of notifiers (sns, slack, pagerduty, webhook), got ${describeValue(issue.input)}`,
        })
        .min(1, { error: 'must list at least one notifier (sns, slack, pagerduty or webhook)', abort: true }),
      {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? `must be a mapping of group names to notifier lists, got ${describeValue(issue.input)}`
            : undefined,
      },
    )
    .default(() => ({})),
);
