/**
 * The `bodyMatches` pattern of an http check, matched in linear time.
 *
 * JavaScript's RegExp backtracks: `^(a+)+$` over 28 bytes of `a` blocked the event loop for 7.4 s,
 * and with it every other probe of the round (issue #18). A pattern here is written in JavaScript
 * syntax and run by RE2 (re2js, pure JavaScript), whose time is linear in the body: at most
 * body length x program size steps, and both are bounded (64 KiB read by the probe; see limits.ts).
 * The configuration loader and the probe compile with this one function, so a pattern the loader
 * accepts is one the probe can run.
 *
 * What RE2 cannot do in linear time (backreferences, lookaround) is refused with a way out. re2js
 * can run lookbehinds, but one of them took 1.7 s over a 64 KiB body here: they are refused too.
 * Known differences from RegExp on the same text: `.` also matches `\r`, `\u2028` and `\u2029`;
 * `\s` is ASCII whitespace only.
 */
import { RE2JS, RE2JSException } from 're2js';
import { MAX_BODY_PATTERN_CHARS, MAX_BODY_PATTERN_PROGRAM_SIZE } from './limits.ts';

/** A compiled pattern: `test(body)` says whether it matches anywhere in the body, like `RegExp.test`. */
export interface BodyPattern {
  readonly source: string;
  test(body: string): boolean;
}

export type CompiledBodyPattern = { readonly pattern: BodyPattern } | { readonly problem: string };

const INSTEAD = 'or check the body with bodyContains or jsonPath + equals';
const WHY = 'bodyMatches runs on a linear-time (RE2) matcher so that no pattern can stall the probe round';

/**
 * Compiles a `bodyMatches` source, or says what is wrong with it and what to write instead.
 *
 * @example
 * const compiled = compileBodyPattern('"status":\\s*"(ok|healthy)"');
 * if ('pattern' in compiled) compiled.pattern.test('{"status": "ok"}'); // true
 * compileBodyPattern('(a)\\1'); // { problem: 'uses a backreference (\\1), which ... ' }
 */
export function compileBodyPattern(source: string): CompiledBodyPattern {
  if (source.length > MAX_BODY_PATTERN_CHARS) {
    return { problem: `must be at most ${MAX_BODY_PATTERN_CHARS} characters, got ${source.length}` };
  }
  try {
    new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problem: `is not a valid JavaScript regular expression: ${reason}` };
  }
  const backreference = findBackreference(source);
  if (backreference !== undefined) {
    return {
      problem: `uses a backreference (${backreference}), which no linear-time matcher supports (${WHY}): match the text itself, ${INSTEAD}`,
    };
  }
  let compiled: RE2JS;
  try {
    // \p{...} is a literal "p{...}" in a RegExp without the u flag; RE2 would read a Unicode class.
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.DISABLE_UNICODE_GROUPS);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return { problem: unsupported(error.message) };
  }
  const size = compiled.programSize();
  if (size > MAX_BODY_PATTERN_PROGRAM_SIZE) {
    return {
      problem: `is too large to match quickly: it compiles to ${size} instructions, at most ${MAX_BODY_PATTERN_PROGRAM_SIZE} (each repetition of {n} counts); shorten the repeats, ${INSTEAD}`,
    };
  }
  return { pattern: { source, test: (body) => compiled.test(body) } };
}

function unsupported(message: string): string {
  const detail = message.replace(/^error parsing regexp: /, '');
  if (/\(\?<?[=!]/.test(detail)) {
    return `uses a lookahead or lookbehind, which the linear-time matcher does not support (${WHY}): drop it, ${INSTEAD}`;
  }
  if (detail.startsWith('invalid repeat count')) {
    return `repeats too much (${detail}): RE2 allows at most 1000 repetitions in all; shorten the repeats, ${INSTEAD}`;
  }
  return `cannot run on the linear-time matcher (${detail}); ${WHY}: simplify it, ${INSTEAD}`;
}

/**
 * The first backreference in a pattern (`\1`, `\k<name>`), read outside character classes, or
 * undefined. translateRegExp would silently read `\k<name>` as the text `k<name>`, so it is found here.
 */
function findBackreference(source: string): string | undefined {
  const hasNamedGroups = /\(\?<[^=!]/.test(source);
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      const next = source[index + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `\\${/^\d+/.exec(source.slice(index + 1))?.[0] ?? next}`;
      if (!inClass && next === 'k' && hasNamedGroups && source[index + 2] === '<') {
        return source.slice(index, source.indexOf('>', index) + 1 || undefined);
      }
      index++;
    } else if (char === '[') {
      inClass = true;
    } else if (char === ']') {
      inClass = false;
    }
  }
  return undefined;
}
