import { MAX_PROBE_REASON_CHARS } from '../domain/limits.ts';

/** Longest reason a probe reports: reasons are shown in chat messages and pages, not logs. */
const MAX_REASON_LENGTH = MAX_PROBE_REASON_CHARS;
const MAX_QUOTED_LENGTH = 60;

/** Cuts a reason to a length that fits a notification line. */
export function shortenReason(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_REASON_LENGTH ? oneLine : `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** A JSON rendering of a value for a reason, e.g. `"degraded"`, `false`, `{"a":1}`, cut short. */
export function quoteValue(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length <= MAX_QUOTED_LENGTH ? text : `${text.slice(0, MAX_QUOTED_LENGTH - 1)}…`;
}
