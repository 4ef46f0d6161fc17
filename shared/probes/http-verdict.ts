import { type CompiledBodyPattern, compileBodyPattern } from '../domain/body-pattern.ts';
import type { HttpCheck } from '../domain/config.ts';
import { parseJsonPath, readJsonPath } from './json-path.ts';
import { quoteValue, shortenReason } from './reason-text.ts';
import { formatStatusRanges, isStatusExpected } from './status-ranges.ts';

/** The probe reads at most this much of a body, then closes the connection (no unbounded reads). */
export const BODY_READ_LIMIT_BYTES = 64 * 1024;

/** What the probe read from the wire: the status and the (possibly cut) body as text. */
export interface HttpResponseSummary {
  readonly status: number;
  readonly body: string;
  /** The body was longer than the probe's read limit and was cut there. */
  readonly truncated: boolean;
}

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

/**
 * Judges a response against a check's expectations, first failure wins, in this order:
 * status, `bodyContains`, `bodyMatches`, `jsonPath` (+ `equals`). Latency is judged by the probe.
 *
 * `jsonPath` without `equals` asks for a field that exists and is truthy: `null`, `false`, `0` and
 * `""` fail; any other value (including `{}` and `[]`) passes, so `{"ready": true}` reads naturally.
 */
export function judgeHttpResponse(check: HttpCheck, response: HttpResponseSummary): Verdict {
  const status = `status ${response.status}`;
  if (!isStatusExpected(response.status, check.expectStatus)) {
    return fail(`${status} not in ${formatStatusRanges(check.expectStatus)}`);
  }
  if (check.bodyContains !== undefined && !response.body.includes(check.bodyContains)) {
    return fail(`body does not contain ${quoteValue(check.bodyContains)}`);
  }
  if (check.bodyMatches !== undefined) {
    const verdict = judgeBodyMatches(check.bodyMatches, response.body);
    if (!verdict.ok) return verdict;
  }
  if (check.jsonPath !== undefined) {
    const verdict = judgeJsonField(check.jsonPath, check.equals, response);
    if (!verdict.ok) return verdict;
  }
  return { ok: true, reason: status };
}

function judgeBodyMatches(source: string, body: string): Verdict {
  const compiled = bodyPattern(source);
  if ('problem' in compiled) return fail(`bodyMatches /${source}/ ${compiled.problem}`);
  return compiled.pattern.test(body) ? pass : fail(`body does not match /${source}/`);
}

/**
 * Compiled patterns by source: a configuration holds few, and compiling costs more than matching.
 * The loader refuses a pattern that does not compile, so a problem here comes from a check built
 * by hand; it is judged unhealthy, never run on a backtracking engine.
 */
const compiledPatterns = new Map<string, CompiledBodyPattern>();
const MAX_CACHED_PATTERNS = 1_000;

function bodyPattern(source: string): CompiledBodyPattern {
  const cached = compiledPatterns.get(source);
  if (cached !== undefined) return cached;
  const compiled = compileBodyPattern(source);
  if (compiledPatterns.size >= MAX_CACHED_PATTERNS) compiledPatterns.clear();
  compiledPatterns.set(source, compiled);
  return compiled;
}

function judgeJsonField(path: string, equals: HttpCheck['equals'], response: HttpResponseSummary): Verdict {
  const steps = parseJsonPath(path);
  if (steps === null) return fail(`jsonPath ${quoteValue(path)} is not a valid path`);
  let document: unknown;
  try {
    document = JSON.parse(response.body);
  } catch {
    return fail(
      response.truncated
        ? `body is not JSON (cut at ${BODY_READ_LIMIT_BYTES / 1024} KiB)`
        : 'body is not JSON',
    );
  }
  const field = readJsonPath(document, steps);
  if (equals === undefined) {
    if (!field.found) return fail(`json ${path} is missing`);
    return field.value ? pass : fail(`json ${path} is ${quoteValue(field.value)}, expected a truthy value`);
  }
  if (!field.found) return fail(`json ${path} is missing, expected ${quoteValue(equals)}`);
  // Strict equality: "1" is not 1, and an object or array never equals a scalar.
  return field.value === equals
    ? pass
    : fail(`json ${path} is ${quoteValue(field.value)}, expected ${quoteValue(equals)}`);
}

const pass: Verdict = { ok: true, reason: '' };

function fail(reason: string): Verdict {
  return { ok: false, reason: shortenReason(reason) };
}
