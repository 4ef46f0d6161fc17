/** How values, choices and likely names are worded in configuration errors. */
import { redactUrl, redactUrlsInText } from '../domain/redaction.ts';

const MAX_SHOWN = 80;

/*
 * A value quoted by `describeValue` is wrapped in these two marks until `ConfigError` places the
 * message: there it is shown, or, in a field that may hold a secret, replaced by SECRET_NOT_SHOWN.
 * So no rule's wording has to know which fields are secret. JSON.stringify escapes control
 * characters, so the marks cannot come from the value itself.
 */
const SHOWN_START = '\u0001';
const SHOWN_END = '\u0002';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the marks are control characters on purpose.
const SHOWN = /\u0001([^\u0002]*)\u0002/g;

/** What an error says instead of the value of a field that may hold a secret. */
export const SECRET_NOT_SHOWN = 'a value that is not shown (it may be a secret)';

/**
 * Shows a configuration value in an error message: `"ftp://x"`, `42`, `a list`, `an empty value`.
 * A URL in text is shown without credentials, query or fragment (see `redactUrl`), and text is cut
 * at 80 characters.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const shown = /\s/.test(value) ? redactUrlsInText(value) : redactUrl(value);
    return marked(
      shown.length > MAX_SHOWN ? `${JSON.stringify(shown.slice(0, MAX_SHOWN))}...` : JSON.stringify(shown),
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean') return marked(String(value));
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/**
 * `message` with the values `describeValue` quoted in it shown, or, when `secret`, each replaced
 * by SECRET_NOT_SHOWN.
 *
 * @example
 * placeValues(`must be a URL, got ${describeValue('x')}`, true); // 'must be a URL, got a value that is not shown (it may be a secret)'
 */
export function placeValues(message: string, secret: boolean): string {
  return message.replace(SHOWN, (_match, shown: string) => (secret ? SECRET_NOT_SHOWN : shown));
}

function marked(shown: string): string {
  return `${SHOWN_START}${shown}${SHOWN_END}`;
}

/** `a, b or c`. */
export function listChoices(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * Names longer than this get no suggestion: the edit distance costs the product of the two
 * lengths, and two long names written into a hostile file could stall loading for hours.
 */
const MAX_SUGGESTED_LENGTH = 128;

/** The candidate closest to a misspelt name (a few edits away), if any. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    // The distance is at least the difference in length: skip a candidate that cannot win.
    if (Math.abs(other.length - lower.length) >= bestDistance) continue;
    const distance = editDistance(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance; names here are short. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
