/**
 * Free text from callers (an operator's `reason`, their `requestedBy`) goes into the audit trail,
 * notifications and terminals. It must not be able to forge lines or drive a terminal, so it is kept
 * to one plain line: control characters (C0, DEL, C1 — newlines and ESC included) become spaces,
 * and Unicode bidirectional overrides and isolates, which can make text read in another order than
 * it is stored, are removed (issue #18).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069: marks, embeddings, overrides, isolates. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One plain line of text: control characters as spaces, bidi controls removed, runs of spaces
 * collapsed, trimmed.
 *
 * @example
 * plainLine('db upgrade\n2026-12-07 watchdog: all healthy'); // 'db upgrade 2026-12-07 watchdog: all healthy'
 */
export function plainLine(text: string): string {
  return text.replace(BIDI, '').replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Identities only the controller itself may use in `requestedBy` (compared trimmed and lowercase). */
export const RESERVED_IDENTITIES: readonly string[] = ['watchdog', 'route53'];

/**
 * @example
 * isReservedIdentity(' Watchdog '); // true
 */
export function isReservedIdentity(name: string): boolean {
  return RESERVED_IDENTITIES.includes(plainLine(name).toLowerCase());
}
