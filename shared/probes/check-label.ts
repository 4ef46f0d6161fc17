import { isIPv6 } from 'node:net';
import type { Check } from '../domain/config.ts';

/**
 * The short name of a check shown beside its result: `http GET https://h/health`,
 * `tcp db.internal:5432`, `alarm payments-5xx`. Credentials in a URL are never shown.
 */
export function checkLabel(check: Check): string {
  switch (check.kind) {
    case 'http':
      return `http ${check.method} ${withoutCredentials(check.url)}`;
    case 'tcp':
      return `tcp ${isIPv6(check.host) ? `[${check.host}]` : check.host}:${check.port}`;
    case 'cloudwatch-alarm':
      return `alarm ${check.alarmName}`;
  }
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
