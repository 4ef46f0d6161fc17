import { describe, expect, it } from 'vitest';
import { BODY_READ_LIMIT_BYTES, judgeHttpResponse } from '../../../shared/probes/http-verdict.ts';
import { httpCheck } from '../../support/probe-checks.ts';

const ok200 = [{ min: 200, max: 200 }];
const answer = (body: string, status = 200) => ({ status, body, truncated: false });

describe('judgeHttpResponse', () => {
  it('reports the first failing expectation: status before body before JSON', () => {
    const check = httpCheck('http://h/', {
      expectStatus: ok200,
      bodyContains: 'ok',
      jsonPath: 'status',
      equals: 'ok',
    });

    expect(judgeHttpResponse(check, answer('{"status":"down"}', 500)).reason).toBe('status 500 not in [200]');
    expect(judgeHttpResponse(check, answer('{"status":"down"}')).reason).toBe('body does not contain "ok"');
    expect(judgeHttpResponse(check, answer('{"status":"okay"}')).reason).toBe(
      'json status is "okay", expected "ok"',
    );
    expect(judgeHttpResponse(check, answer('{"status":"ok"}'))).toEqual({ ok: true, reason: 'status 200' });
  });

  it('compares JSON values strictly', () => {
    const check = (equals: string | number | boolean | null) =>
      httpCheck('http://h/', { jsonPath: 'v', equals });

    expect(judgeHttpResponse(check(1), answer('{"v":1}')).ok).toBe(true);
    expect(judgeHttpResponse(check('1'), answer('{"v":1}')).reason).toBe('json v is 1, expected "1"');
    expect(judgeHttpResponse(check(null), answer('{"v":null}')).ok).toBe(true);
    expect(judgeHttpResponse(check(null), answer('{}')).reason).toBe('json v is missing, expected null');
    expect(judgeHttpResponse(check(true), answer('{"v":{"a":true}}')).reason).toBe(
      'json v is {"a":true}, expected true',
    );
  });

  it('treats a JSON field without an expected value as a truthiness test', () => {
    const check = httpCheck('http://h/', { jsonPath: 'ready' });
    const verdicts = ['true', '1', '"yes"', '{}', '[]', 'false', '0', '""', 'null'].map(
      (value) => judgeHttpResponse(check, answer(`{"ready":${value}}`)).ok,
    );

    expect(verdicts).toEqual([true, true, true, true, true, false, false, false, false]);
  });

  it('explains bodies it cannot judge', () => {
    const json = httpCheck('http://h/', { jsonPath: 'status' });

    expect(judgeHttpResponse(json, { status: 200, body: '{"status":', truncated: true }).reason).toBe(
      'body is not JSON (cut at 64 KiB)',
    );
    expect(judgeHttpResponse(httpCheck('http://h/', { bodyMatches: '(' }), answer('x')).reason).toBe(
      'bodyMatches /(/ is not a valid JavaScript regular expression: Invalid regular expression: /(/: Unterminated group',
    );
    expect(judgeHttpResponse(httpCheck('http://h/', { jsonPath: 'a..b' }), answer('{}')).reason).toBe(
      'jsonPath "a..b" is not a valid path',
    );
  });

  it.each([
    ['version \\d+\\.\\d+', 'all systems ok, version 4.2.1'],
    ['"status"\\s*:\\s*"(ok|healthy)"', '{"status": "healthy"}'],
    ['^ok$', 'ok'],
    ['^ok$', 'ok\nnot ok'],
    ['[A-Z]{3}-\\d{2,4}', 'id ABC-123'],
    ['\\bready\\b', 'already'],
    ['\\u00e9t\\u00e9', 'été'],
  ])('matches /%s/ against %j as RegExp does', (pattern, body) => {
    const verdict = judgeHttpResponse(httpCheck('http://h/', { bodyMatches: pattern }), answer(body));

    expect(verdict.ok).toBe(new RegExp(pattern).test(body));
  });

  it('judges a pattern that backtracks catastrophically over 64 KiB in linear time', () => {
    const check = httpCheck('http://h/', { bodyMatches: '^(a+)+$' });
    const body = `${'a'.repeat(BODY_READ_LIMIT_BYTES - 1)}!`;

    const started = performance.now();
    const verdict = judgeHttpResponse(check, { status: 200, body, truncated: false });
    const elapsedMs = performance.now() - started;

    // RegExp needs 2^n steps here: 7.4 s at 28 bytes. Linear time makes 64 KiB a few milliseconds.
    expect(verdict).toEqual({ ok: false, reason: 'body does not match /^(a+)+$/' });
    expect(elapsedMs).toBeLessThan(250);
  });

  it('refuses to run a pattern the loader would have refused, rather than backtrack on it', () => {
    const verdict = judgeHttpResponse(httpCheck('http://h/', { bodyMatches: '(a+)\\1' }), answer('aa'));

    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/^bodyMatches \/\(a\+\)\\1\/ uses a backreference \(\\1\)/);
  });
});
