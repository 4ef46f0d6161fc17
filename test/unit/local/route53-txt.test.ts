import { describe, expect, it } from 'vitest';
import { characterStringProblem } from '../../../local/route53/store.ts';

const UNQUOTED = 'InvalidCharacterString (Value should be enclosed in quotation marks)';
const TOO_LONG = 'CharacterStringTooLong (Value is too long)';

describe('characterStringProblem', () => {
  it('accepts one or more quoted strings of up to 255 characters', () => {
    const values = ['"v=spf1 -all"', `"${'a'.repeat(255)}" "${'b'.repeat(255)}"`, '""', '  "a"   "b"  '];

    const problems = values.map(characterStringProblem);

    expect(problems).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('refuses a value with any unquoted part, or an unterminated quote', () => {
    const values = ['hello', '"a" b', 'a "b"', '"never closed', '', '   '];

    const problems = values.map(characterStringProblem);

    expect(problems).toEqual(values.map(() => UNQUOTED));
  });

  it('refuses a string of 256 characters', () => {
    const problem = characterStringProblem(`"ok" "${'x'.repeat(256)}"`);

    expect(problem).toBe(TOO_LONG);
  });

  it('counts an escape (\\", \\\\ or \\DDD) as one character', () => {
    const escaped = `"${'\\"'.repeat(100)}${'\\\\'.repeat(100)}${'\\065'.repeat(55)}"`;
    const oneMore = `"${'\\065'.repeat(256)}"`;

    const problems = [characterStringProblem(escaped), characterStringProblem(oneMore)];

    expect(problems).toEqual([undefined, TOO_LONG]);
  });
});
