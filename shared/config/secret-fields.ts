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
