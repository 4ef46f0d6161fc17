/**
 * DNS names as Route 53 stores them: lowercase, fully qualified (trailing dot), and every character
 * other than a-z, 0-9, `-` and `_` written as a `\NNN` octal escape (`*.example.com` -> `\052.example.com.`).
 */

const PLAIN = /^[a-z0-9_-]$/;

/** Why a name was refused; `undefined` from `normalizeName` means it is fine. */
export class InvalidNameError extends Error {
  override name = 'InvalidNameError';
}

/**
 * Normalizes a name as Route 53 does: lowercase, trailing dot, octal escapes.
 * Accepts names with or without the trailing dot and with or without escapes.
 * Throws `InvalidNameError` for an empty label, a label over 63 octets or a name over 255.
 * @example normalizeName('API.Example.com') // 'api.example.com.'
 */
export function normalizeName(input: string): string {
  const labels = splitLabels(input.trim());
  if (labels.length === 0) return '.';
  let octets = 1;
  const encoded = labels.map((label) => {
    if (label.length === 0) throw new InvalidNameError(`empty label in '${input}'`);
    if (label.length > 63) throw new InvalidNameError(`label longer than 63 characters in '${input}'`);
    octets += label.length + 1;
    return [...label].map(encodeChar).join('');
  });
  if (octets > 255) throw new InvalidNameError(`name longer than 255 octets: '${input}'`);
  return `${encoded.join('.')}.`;
}

/** Raw labels of a presentation-format name (escapes decoded, case folded to lowercase). */
function splitLabels(input: string): string[] {
  const withoutDot = input.endsWith('.') && !input.endsWith('\\.') ? input.slice(0, -1) : input;
  if (withoutDot === '') return [];
  const labels: string[] = [];
  let current = '';
  for (let i = 0; i < withoutDot.length; i++) {
    const ch = withoutDot.charAt(i);
    if (ch === '\\') {
      const octal = /^[0-7]{3}/.exec(withoutDot.slice(i + 1, i + 4));
      if (octal) {
        current += String.fromCharCode(Number.parseInt(octal[0], 8));
        i += 3;
      } else {
        current += withoutDot.charAt(i + 1);
        i += 1;
      }
    } else if (ch === '.') {
      labels.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  labels.push(current);
  return labels.map((label) => label.replace(/[A-Z]/g, (c) => c.toLowerCase()));
}

function encodeChar(ch: string): string {
  if (PLAIN.test(ch)) return ch;
  return `\\${(ch.charCodeAt(0) & 0xff).toString(8).padStart(3, '0')}`;
}

/** True when `name` is `zone` itself or below it (both normalized). */
export function isWithinZone(name: string, zone: string): boolean {
  return name === zone || zone === '.' || name.endsWith(`.${zone}`);
}

/**
 * The key ListResourceRecordSets and ListHostedZonesByName sort by: labels reversed, trailing dot kept,
 * compared as ASCII (`www.example.com.` -> `com.example.www.`). A `-` sorts before the `.` separator.
 */
export function reversedNameKey(name: string): string {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return '.';
  return `${trimmed.split('.').reverse().join('.')}.`;
}

/** ASCII (code unit) comparison, the order Route 53 documents for listings. */
export function compareAscii(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
