/**
 * Rules between the fields of one check, and between a check and its service's probe interval.
 * They read the document leniently (see raw-document.ts) so they are reported even when another
 * field of the same check is invalid.
 */

import { checkTimeout, checkUrl, DEFAULT_CHECK_TIMEOUT_MS, maxLatency } from './check-schema.ts';
import type { FieldIssue, FieldPath } from './field-path.ts';
import { text } from './fields.ts';
import { asList, asMapping, type Mapping, validValue } from './raw-document.ts';
import { targetEntries } from './target-entries.ts';
import { describeValue } from './wording.ts';

const CHECK_KINDS = ['http', 'tcp', 'cloudwatchAlarm'];
const BODY_FIELDS = ['bodyContains', 'bodyMatches', 'jsonPath'];
const url = text(checkUrl);

/** The probe interval a service ends up with, and which field set it (for messages). */
export interface ProbeInterval {
  readonly seconds: number;
  readonly setBy: string;
}

/** Problems within each check of a service (`services[index]`). */
export function checkRules(
  service: Mapping,
  index: number,
  interval: ProbeInterval | undefined,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const { at } of targetEntries(service)) {
    const side = targetAt(service, at);
    for (const [position, entry] of asList(asMapping(side)?.checks).entries()) {
      const kinds = Object.entries(asMapping(entry) ?? {});
      const [kind, settings] = kinds.length === 1 ? (kinds[0] ?? []) : [];
      const fields = asMapping(settings);
      if (kind === undefined || fields === undefined || !CHECK_KINDS.includes(kind)) continue;
      const path: FieldPath = ['services', index, ...at, 'checks', position, kind];
      if (kind === 'http') issues.push(...httpRules(fields, path));
      if (interval !== undefined) issues.push(...fitsTheInterval(fields, path, interval));
    }
  }
  return issues;
}

function httpRules(check: Mapping, path: FieldPath): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (check.method === 'HEAD') {
    for (const field of BODY_FIELDS.filter((name) => check[name] !== undefined)) {
      issues.push({
        path: [...path, field],
        message: 'needs a response body, and a HEAD response has none; use method: GET or remove it',
      });
    }
  }
  if (check.equals !== undefined && check.jsonPath === undefined) {
    issues.push({
      path: [...path, 'equals'],
      message: 'needs jsonPath: it is compared with the JSON field that jsonPath names',
    });
  }
  const timeout =
    check.timeoutMs === undefined ? DEFAULT_CHECK_TIMEOUT_MS : validValue(checkTimeout, check.timeoutMs);
  const latency = validValue(maxLatency, check.maxLatencyMs);
  if (latency !== undefined && timeout !== undefined && latency >= timeout) {
    issues.push({
      path: [...path, 'maxLatencyMs'],
      message: `must be less than timeoutMs (${timeout} ms${check.timeoutMs === undefined ? ', the default' : ''}), got ${latency}`,
    });
  }
  const target = validValue(url, check.url);
  if (check.certMinDaysValid !== undefined && target?.startsWith('http:')) {
    issues.push({
      path: [...path, 'certMinDaysValid'],
      message: `only applies to https:// URLs, and url is ${describeValue(target)}`,
    });
  }
  return issues;
}

/** A probe round must end before the next begins: the check's timeout fits in the interval. */
function fitsTheInterval(check: Mapping, path: FieldPath, interval: ProbeInterval): FieldIssue[] {
  const given = check.timeoutMs;
  const timeout = given === undefined ? DEFAULT_CHECK_TIMEOUT_MS : validValue(checkTimeout, given);
  const limit = interval.seconds * 1000;
  if (timeout === undefined || timeout <= limit) return [];
  const what = given === undefined ? `the default timeoutMs of ${timeout} ms` : `${timeout} ms`;
  return [
    {
      path: given === undefined ? path : [...path, 'timeoutMs'],
      message: `${what} is longer than the probe interval of ${interval.seconds} s (${interval.setBy}); a probe round must end before the next begins: set timeoutMs to at most ${limit} or raise probeIntervalSeconds`,
    },
  ];
}

function targetAt(service: Mapping, at: FieldPath): unknown {
  const [key, position] = at;
  if (typeof key !== 'string') return undefined;
  return position === undefined ? service[key] : asList(service[key])[Number(position)];
}
