import type { FieldPath } from './field-path.ts';

/**
 * The notifier fields that may hold `${ssm:/path}`: secrets the Lambda fetches from SSM at run
 * time, so they never sit in the deployment package or its environment.
 */
export const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  slack: ['webhookUrl'],
  pagerduty: ['routingKey'],
  webhook: ['url', 'secret'],
};

export const SECRET_FIELD_NAMES = Object.entries(SECRET_FIELDS)
  .flatMap(([kind, fields]) => fields.map((field) => `${kind}.${field}`))
  .join(', ');

/** True for `notifiers.<group>[<n>].<kind>.<field>` when that field is a secret. */
export function isSecretField(path: FieldPath): boolean {
  const [section, , index, kind, field] = path;
  return (
    path.length === 5 &&
    section === 'notifiers' &&
    typeof index === 'number' &&
    typeof kind === 'string' &&
    typeof field === 'string' &&
    (SECRET_FIELDS[kind]?.includes(field) ?? false)
  );
}

/**
 * True for a formatted field path (`notifiers.oncall[0].slack.webhookUrl`) whose value an error
 * must not show: anything under `notifiers` but an SNS topic ARN. Wider than the secret fields, as
 * a Slack URL written one level off (`slack: https://hooks...`) is as secret as one in its place.
 *
 * @example
 * mayHoldSecret('notifiers.oncall[0].slack'); // true
 * mayHoldSecret('services[0].primary.checks[0].http.url'); // false
 */
export function mayHoldSecret(formattedPath: string): boolean {
  if (formattedPath !== 'notifiers' && !/^notifiers[.[]/.test(formattedPath)) return false;
  return !formattedPath.endsWith('.sns.topicArn');
}

/**
 * True when line `index` (0-based) of a YAML text lies in the top-level `notifiers` section, so a
 * syntax error there must not quote it: the line may hold a webhook URL or a key.
 */
export function lineMayHoldSecret(lines: readonly string[], index: number): boolean {
  for (let i = Math.min(index, lines.length - 1); i >= 0; i--) {
    const key = /^["']?([A-Za-z_][\w-]*)["']?\s*:/.exec(lines[i] ?? '');
    if (key) return key[1] === 'notifiers';
  }
  return false;
}
