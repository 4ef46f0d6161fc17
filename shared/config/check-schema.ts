import { z } from 'zod';
import { compileBodyPattern } from '../domain/body-pattern.ts';
import type { Check, SecretValue } from '../domain/config.ts';
import { MAX_ALARM_NAME_CHARS, MAX_CHECK_TIMEOUT_MS, MAX_HTTP_URL_CHARS } from '../domain/limits.ts';
import { interpretHost } from './dns-name.ts';
import { DEFAULT_EXPECT_STATUS, expectStatus } from './expect-status.ts';
import {
  emptyMeansUnset,
  flag,
  httpUrl,
  type Interpretation,
  oneOf,
  plainText,
  text,
  wholeNumber,
} from './fields.ts';
import { SsmReference } from './references.ts';
import { singleKey } from './single-key.ts';
import { describeValue } from './wording.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 3000;

/** `timeoutMs` of every check kind. */
export const checkTimeout = wholeNumber(100, MAX_CHECK_TIMEOUT_MS);

/** `maxLatencyMs` of an http check; it must also be below `timeoutMs` (see check-rules.ts). */
export const maxLatency = wholeNumber(1, MAX_CHECK_TIMEOUT_MS);

/**
 * An http check's URL, short enough that its check label fits a flip request (see limits.ts). The
 * label shows the URL as written, or normalized when credentials are taken out of it: both count.
 */
export function checkUrl(value: string): Interpretation<string> {
  const url = httpUrl(value);
  if ('problem' in url) return url;
  const limit = `at most ${MAX_HTTP_URL_CHARS} characters (it names the check in every alert and flip request)`;
  if (value.length > MAX_HTTP_URL_CHARS) return { problem: `must be ${limit}, got ${value.length}` };
  const normalized = new URL(value).href.length;
  if (normalized > MAX_HTTP_URL_CHARS) {
    return {
      problem: `must be ${limit}, and is ${normalized} once normalized (non-ASCII characters and spaces percent-encoded, an international host name in punycode)`,
    };
  }
  return url;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const JSON_PATH = /^(?:[^.[\]\s]+|\[\d+\])(?:\[\d+\])*(?:\.[^.[\]\s]+(?:\[\d+\])*)*$/;

function regexSource(value: string): Interpretation<string> {
  const compiled = compileBodyPattern(value);
  return 'problem' in compiled ? compiled : { value };
}

function jsonPath(value: string): Interpretation<string> {
  return JSON_PATH.test(value)
    ? { value }
    : {
        problem: `must be a dotted path such as status, checks.db.ok or items[0].state, got ${describeValue(value)}`,
      };
}

const headerText = text(
  (value): Interpretation<string> =>
    /[\r\n]/.test(value) ? { problem: 'must not contain line breaks' } : { value },
);

/**
 * A header value: written out, or `${ssm:/path}` (an `SsmReference` from references.ts) for a token
 * that must stay out of the deployment. Only written-out values are checked here.
 */
const headerValue = z.unknown().transform((value, context): SecretValue => {
  if (value instanceof SsmReference) return value.toRef();
  const result = headerText.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    context.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
  }
  return z.NEVER;
});

const headers = z.record(
  z.string().regex(HEADER_NAME, { error: 'is not a valid HTTP header name' }),
  headerValue,
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `must be a mapping of header names to values, got ${describeValue(issue.input)}`
        : undefined,
  },
);

const jsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (issue) => `must be text, a number, true, false or null, got ${describeValue(issue.input)}`,
});

/** The fields of an http check; the rules between them are in check-rules.ts. */
export const http = z.strictObject({
  url: text(checkUrl),
  method: oneOf(['GET', 'HEAD']).default('GET'),
  headers: emptyMeansUnset(headers.default(() => ({}))),
  expectStatus: expectStatus.default(() => DEFAULT_EXPECT_STATUS.map((range) => ({ ...range }))),
  bodyContains: plainText(1, 1024).optional(),
  bodyMatches: text(regexSource).optional(),
  jsonPath: text(jsonPath).optional(),
  equals: jsonScalar.optional(),
  maxLatencyMs: maxLatency.optional(),
  timeoutMs: checkTimeout.default(DEFAULT_CHECK_TIMEOUT_MS),
  insecureSkipVerify: flag().default(false),
  certMinDaysValid: wholeNumber(1, 365).optional(),
});

const tcp = z.strictObject({
  host: text(interpretHost),
  port: wholeNumber(1, 65_535),
  timeoutMs: checkTimeout.default(DEFAULT_CHECK_TIMEOUT_MS),
});

const cloudwatchAlarm = z.strictObject({
  alarmName: plainText(1, MAX_ALARM_NAME_CHARS),
  timeoutMs: checkTimeout.default(DEFAULT_CHECK_TIMEOUT_MS),
});

/** One entry of `checks`: `http: {...}`, `tcp: {...}` or `cloudwatchAlarm: {...}`, as a `Check`. */
export const check = singleKey('check', {
  http: http.optional(),
  tcp: tcp.optional(),
  cloudwatchAlarm: cloudwatchAlarm.optional(),
}).transform((entry, context): Check => {
  if (entry.http) return { kind: 'http', ...entry.http };
  if (entry.tcp) return { kind: 'tcp', ...entry.tcp };
  if (entry.cloudwatchAlarm) return { kind: 'cloudwatch-alarm', ...entry.cloudwatchAlarm };
  // singleKey has already reported an empty entry; this only satisfies the types.
  context.addIssue({ code: 'custom', message: 'is empty', input: entry });
  return z.NEVER;
});
