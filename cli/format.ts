/**
 * Small text helpers for terminal output: what may reach the terminal, aligned tables, times and
 * durations.
 */
import { redactUrlsInText } from '../shared/domain/redaction.ts';

/*
 * C0 controls (ESC starts the sequences that retitle or repaint a terminal; CR and LF forge lines),
 * DEL, C1 controls (U+009B is a one-character CSI) and the bidi embeddings, overrides and isolates
 * that make text display in another order than it reads.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` as one line that is safe on a terminal: every control character (C0 incl. ESC, CR and LF,
 * DEL, C1) and bidi override or isolate is shown as an escape (`\x1b`, `\n`, `\u202e`), and every
 * URL loses credentials and query (`?<redacted>`). Backslashes are kept as they are. Stored and
 * remote text (audit reasons, who asked, check results, AWS errors) reaches the terminal only
 * through this: `CliContext.print` and `warn`, and `main`'s error lines.
 *
 * @example
 * shown('by mallory\u001b]0;pwned\u0007'); // 'by mallory\x1b]0;pwned\x07'
 * shown('FAIL http GET https://h/health?token=abc: status 503'); // 'FAIL http GET https://h/health?<redacted>: status 503'
 */
export function shown(text: string): string {
  return redactUrlsInText(text).replace(UNSAFE, escapeCharacter);
}

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

/*
 * JSON.stringify escapes C0 controls but writes DEL, C1 and the bidi controls as they are; written
 * as \u escapes instead, they mean the same to a JSON reader and nothing to a terminal.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as indented JSON lines that hold no control character: what `--json` prints. Each line
 * still goes through `shown` when printed (a no-op on these, but URLs lose their query).
 *
 * @example
 * jsonLines({ by: 'a\u202eb' }); // ['{', '  "by": "a\\u202eb"', '}']
 */
export function jsonLines(value: unknown): string[] {
  const text = JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
  // JSON text has line breaks only between tokens: a string's own are escaped.
  return text.split('\n');
}

/**
 * Rows as aligned lines, the first row being the header. Cells are measured as `shown` prints them,
 * so an escaped control character cannot break the alignment.
 * @example
 * table([['SERVICE', 'PHASE'], ['payments-api', 'primary-active']]);
 * // ['SERVICE       PHASE', 'payments-api  primary-active']
 */
export function table(rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((row) => row.map(shown));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `2026-11-26T06:29:00Z` (seconds precision), or `-` for null. */
export function isoSeconds(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '-';
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `850 ms`, `1.2 s`, `3 min 5 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/** `12 min ago`, or `just now`. */
export function ago(epochMs: number | null, now: number): string {
  if (epochMs === null) return '';
  const ms = now - epochMs;
  return ms < 1000 ? 'just now' : `${duration(ms).replace(/\.\d s$/, ' s')} ago`;
}

/** US dollars with cents, or more digits for sums under a cent. */
export function usd(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.01) return `$${amount.toFixed(4)}`;
  return `$${amount.toFixed(2)}`;
}
