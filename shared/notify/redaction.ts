/**
 * Keeping secrets out of reports and logs. Messages are built to name hosts only (webhook URLs
 * carry tokens); this scrubbing is the second line of defence, for a text that quotes a secret anyway
 * (a receiver that echoes the request, say).
 */
import type { NotifierConfig, SecretValue } from '../domain/config.ts';

export interface SecretTexts {
  /** Remember a secret (and, for a URL, its tell-tale parts). */
  add(secret: string): void;
  /** `text` with every known secret text replaced by `[redacted]`. */
  redact(text: string): string;
}

/**
 * Texts to scrub: each secret, and for a URL its path and query, long path segments (a Slack
 * token) and query values.
 *
 * @example
 * const texts = createSecretTexts();
 * texts.add('https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx');
 * texts.redact('token abcdefghijklmnopqrstuvwx rejected'); // 'token [redacted] rejected'
 */
export function createSecretTexts(): SecretTexts {
  const texts = new Set<string>();
  let longestFirst: string[] = [];
  return {
    add(secret) {
      const before = texts.size;
      for (const text of secretParts(secret)) if (text.length >= 4) texts.add(text);
      // Longest first, so a secret is replaced whole before any part of it.
      if (texts.size !== before) longestFirst = [...texts].sort((a, b) => b.length - a.length);
    },
    redact(text) {
      let scrubbed = text;
      for (const secret of longestFirst) scrubbed = scrubbed.replaceAll(secret, '[redacted]');
      return scrubbed;
    },
  };
}

/** The secrets of a channel's config that are known without SSM (literals, already env-resolved). */
export function literalSecrets(config: NotifierConfig): string[] {
  const values: SecretValue[] = [];
  switch (config.kind) {
    case 'sns':
      break;
    case 'slack':
      values.push(config.webhookUrl);
      break;
    case 'pagerduty':
      values.push(config.routingKey);
      break;
    case 'webhook':
      values.push(config.url);
      if (config.secret !== undefined) values.push(config.secret);
      break;
  }
  return values.filter((value): value is string => typeof value === 'string');
}

function secretParts(value: string): string[] {
  const parts = [value];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return parts;
  }
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery.length >= 16) parts.push(pathAndQuery);
  for (const segment of url.pathname.split('/')) if (segment.length >= 16) parts.push(segment);
  for (const field of url.searchParams.values()) if (field.length >= 8) parts.push(field);
  return parts;
}
