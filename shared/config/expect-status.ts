import { z } from 'zod';
import type { StatusRange } from '../domain/config.ts';
import type { Interpretation } from './fields.ts';
import { describeValue } from './wording.ts';

/**
 * Any 2xx answer is healthy unless a check says otherwise. Not 3xx: redirects are not followed, and
 * a redirect to a login or maintenance page is no sign of health. A check may still list 3xx or 301.
 */
export const DEFAULT_EXPECT_STATUS: readonly StatusRange[] = [{ min: 200, max: 299 }];

const CLASS = /^([1-5])xx$/i;
const RANGE = /^(\d{3})\s*-\s*(\d{3})$/;
const CODE = /^\d{3}$/;
const FORMS = 'a status code (200), a class (2xx) or a range (200-299)';

function isStatusCode(code: number): boolean {
  return Number.isInteger(code) && code >= 100 && code <= 599;
}

/** `200` -> 200..200, `"2xx"` -> 200..299, `"200-204"` -> 200..204. */
export function interpretStatus(value: unknown): Interpretation<StatusRange> {
  const problem = { problem: `must be ${FORMS} between 100 and 599, got ${describeValue(value)}` };
  if (typeof value === 'number') return isStatusCode(value) ? { value: { min: value, max: value } } : problem;
  if (typeof value !== 'string') return problem;
  const trimmed = value.trim();
  const statusClass = CLASS.exec(trimmed);
  if (statusClass) {
    const hundreds = Number(statusClass[1]) * 100;
    return { value: { min: hundreds, max: hundreds + 99 } };
  }
  if (CODE.test(trimmed)) return interpretStatus(Number(trimmed));
  const range = RANGE.exec(trimmed);
  if (!range) return problem;
  const min = Number(range[1]);
  const max = Number(range[2]);
  if (!isStatusCode(min) || !isStatusCode(max)) return problem;
  if (min > max) return { problem: `is a range that ends before it starts (${min} > ${max})` };
  return { value: { min, max } };
}

const statusEntry = z.unknown().transform((value, context) => {
  const result = interpretStatus(value);
  if ('problem' in result) {
    context.addIssue({ code: 'custom', message: result.problem, input: value });
    return z.NEVER;
  }
  return result.value;
});

/** `expectStatus`: a non-empty list of codes, classes or ranges. */
export const expectStatus = z
  .array(statusEntry, {
    error: (issue) => `must be a list such as [200] or [2xx, 301], got ${describeValue(issue.input)}`,
  })
  .min(1, { error: `must list at least one status; leave it out to accept 2xx`, abort: true });
