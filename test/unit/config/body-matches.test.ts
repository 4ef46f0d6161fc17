/**
 * `bodyMatches` at config load (issue #18 item 7): patterns run on a linear-time matcher, so the
 * loader accepts what that matcher runs in bounded time and refuses the rest with file, field,
 * why and what to write instead.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_PATTERN_CHARS } from '../../../shared/domain/limits.ts';
import { aServiceChecking, configErrorFrom, FILE, parse, problemsIn } from './sample-config.ts';

const FIELD = 'services[0].primary.checks[0].http.bodyMatches';

const withPattern = (bodyMatches: string) => ({
  services: [aServiceChecking({ http: { url: 'https://a.example.com/health', bodyMatches } })],
});

function problemWith(bodyMatches: string): string {
  const issues = problemsIn(withPattern(bodyMatches));
  expect(issues.map((issue) => issue.path)).toEqual([FIELD]);
  return issues[0]?.message ?? '';
}

describe('bodyMatches at config load', () => {
  it.each([
    'version \\d+\\.\\d+',
    '"status"\\s*:\\s*"(ok|healthy)"',
    '^\\{"ready":true',
    '(?<major>\\d+)\\.(?<minor>\\d+)',
    '[^\\]]+\\]$',
    // Catastrophic for a backtracking engine, linear here: accepted, since it can no longer stall a round.
    '^(a+)+$',
    '(\\w+\\s?)*$',
  ])('accepts %s as written', (pattern) => {
    const check = parse(withPattern(pattern)).services[0]?.targets[0]?.checks[0];

    expect(check).toMatchObject({ kind: 'http', bodyMatches: pattern });
  });

  it('refuses a backreference, saying why and what to use instead', () => {
    const numbered = problemWith('(ok|up)\\s\\1');
    const named = problemWith('(?<word>ok)-\\k<word>');

    expect(numbered).toBe(
      'uses a backreference (\\1), which no linear-time matcher supports (bodyMatches runs on a linear-time (RE2) matcher so that no pattern can stall the probe round): match the text itself, or check the body with bodyContains or jsonPath + equals',
    );
    expect(named).toMatch(/^uses a backreference \(\\k<word>\)/);
  });

  it.each(['"ok"(?!,"degraded")', 'ok(?=!)', '(?<=version )4', '(?<!no )errors'])(
    'refuses the lookaround in %s',
    (pattern) => {
      expect(problemWith(pattern)).toMatch(
        /^uses a lookahead or lookbehind, which the linear-time matcher does not support .*: drop it, or check the body with bodyContains/,
      );
    },
  );

  it('refuses a pattern whose repeats make the matcher too large, and one over the length limit', () => {
    expect(problemWith('(?:a?){400}a{400}')).toMatch(
      /^is too large to match quickly: it compiles to 1202 instructions, at most 500 \(each repetition of \{n\} counts\)/,
    );
    expect(problemWith('(?:a{50}){30}')).toMatch(/^repeats too much \(invalid repeat count/);
    expect(problemWith('x'.repeat(MAX_BODY_PATTERN_CHARS + 1))).toBe(
      `must be at most ${MAX_BODY_PATTERN_CHARS} characters, got ${MAX_BODY_PATTERN_CHARS + 1}`,
    );
  });

  it('names the file and the line of a refused pattern in the error message', () => {
    const error = configErrorFrom(() => parse(withPattern('(a)\\1')));

    expect(error.message).toContain(`Invalid configuration in ${FILE}`);
    expect(error.message).toMatch(
      new RegExp(`${FIELD.replace(/[.[\]]/g, '\\$&')}: uses a backreference .* \\(line \\d+\\)`),
    );
  });

  it('still refuses text that is not a JavaScript regular expression at all', () => {
    expect(problemWith('ok(')).toMatch(/^is not a valid JavaScript regular expression: .*Unterminated group/);
  });
});
