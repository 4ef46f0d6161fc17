import { isIPv6 } from 'node:net';
import type { Check } from '../domain/config.ts';
import { redactUrl } from '../domain/redaction.ts';

/**
 * The short name of a check shown beside its result: `http GET https://h/health`,
 * `tcp db.internal:5432`, `alarm payments-5xx`. It is built once per check and goes into the
 * state item, audit evidence, notifications, logs and `failoverctl` output, so a URL is shown
 * without credentials and with its whole query as `?<redacted>`: query keys are not kept, since
 * `?<token>` alone is a common form and a key can be the secret.
 *
 * @example
 * checkLabel({ kind: 'http', method: 'GET', url: 'https://h/health?token=abc', ... }); // 'http GET https://h/health?<redacted>'
 */
export function checkLabel(check: Check): string {
  switch (check.kind) {
    case 'http':
      return `http ${check.method} ${redactUrl(check.url)}`;
    case 'tcp':
      return `tcp ${isIPv6(check.host) ? `[${check.host}]` : check.host}:${check.port}`;
    case 'cloudwatch-alarm':
      return `alarm ${check.alarmName}`;
  }
}
