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

/** Every field that may hold a secret, as the messages name them. */
export const SECRET_FIELD_NAMES = [
  ...Object.entries(SECRET_FIELDS).flatMap(([kind, fields]) => fields.map((field) => `${kind}.${field}`)),
  'http.headers.<name>',
].join(', ');

/**
 * True for a field whose value is a secret: `notifiers.<group>[<n>].<kind>.<field>` when that field
 * is a notifier secret, and the value of an http check's header
 * (`services[<n>].<target>.checks[<n>].http.headers.<name>`: tokens such as `Authorization`).
 */
export function isSecretField(path: FieldPath): boolean {
  return isNotifierSecret(path) || isProbeHeaderValue(path);
}

function isNotifierSecret(path: FieldPath): boolean {
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

function isProbeHeaderValue(path: FieldPath): boolean {
  const [section, service, ...rest] = path;
  if (section !== 'services' || typeof service !== 'number') return false;
  // `primary:`/`secondary:` (one key), or `targets: [...]` (the key and the position).
  const listed = rest[0] === 'targets' && typeof rest[1] === 'number';
  const sugar = rest[0] === 'primary' || rest[0] === 'secondary';
  if (!listed && !sugar) return false;
  const [checks, check, kind, headers, name] = rest.slice(listed ? 2 : 1);
  return (
    rest.length === (listed ? 7 : 6) &&
    checks === 'checks' &&
    typeof check === 'number' &&
    kind === 'http' &&
    headers === 'headers' &&
    typeof name === 'string'
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
  // A probe header value may be a token (issue #18: `${ssm:}` is allowed there).
  if (/^services\[\d+\]\.(\w+|targets\[\d+\])\.checks\[\d+\]\.http\.headers([.[]|$)/.test(formattedPath)) {
    return true;
  }
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
