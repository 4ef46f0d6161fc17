/**
 * The one set of size limits shared by the configuration loader and the flip functions' payload
 * parser. The watchdog builds its flip request from the configuration (service name, one result per
 * check, each named by its check label) and the probes' reasons: whatever the loader accepts must
 * also pass the parser, or an automatic failover is `rejected` by a successful async invoke (no
 * retry, no alarm). So the config bounds every input a label is made of, and the parser allows
 * exactly what those bounds can produce. test/unit/config/limits.test.ts proves it.
 */

/** A service name: it keys the state table and metrics. */
export const MAX_SERVICE_NAME_CHARS = 64;

/** Checks on one target (primary or secondary). Each adds one result to the flip request's evidence. */
export const MAX_CHECKS_PER_TARGET = 50;

/** A check label as the evidence carries it: `http GET <url>`, `tcp <host>:<port>`, `alarm <name>`. */
export const MAX_CHECK_LABEL_CHARS = 500;

/**
 * An http check's `url`, as written and once normalized (`new URL(url).href`: non-ASCII and spaces
 * percent-encoded, an international host in punycode). With `http HEAD ` in front it stays a label
 * of at most {@link MAX_CHECK_LABEL_CHARS}; its host name stays a `cannot resolve host <host>` reason.
 */
export const MAX_HTTP_URL_CHARS = 480;

/** A tcp check's `host`: a DNS name has at most 253 characters, an IPv6 address at most 45. */
export const MAX_TCP_HOST_CHARS = 253;

/** A CloudWatch alarm name (CloudWatch's own limit). */
export const MAX_ALARM_NAME_CHARS = 255;

/** The reason a probe gives for one check, as the probes cut it (a line of a chat message or page). */
export const MAX_PROBE_REASON_CHARS = 200;

/** The reason of one check result in a flip request. */
export const MAX_CHECK_REASON_CHARS = 500;

/** The longest check timeout a configuration may set; a check's latency never exceeds it by much. */
export const MAX_CHECK_TIMEOUT_MS = 30_000;

/** The latency of one check result in a flip request: far above any timeout, so clock noise never rejects. */
export const MAX_CHECK_LATENCY_MS = 3_600_000;

/** The reason of a flip, written by the watchdog (from the probes' reasons) or by an operator. */
export const MAX_FLIP_REASON_CHARS = 1_000;

/** Who asked for a flip or a control action. */
export const MAX_REQUESTED_BY_CHARS = 200;

/** A `bodyMatches` pattern, as written. */
export const MAX_BODY_PATTERN_CHARS = 512;

/**
 * A `bodyMatches` pattern compiled for the linear-time matcher, in instructions. Matching costs at
 * most (body length x program size) steps: 64 KiB x 500 takes 5-15 ms on one core (1,000 took up
 * to 90 ms on a busy machine). A health pattern such as `"status":\s*"(ok|up)"` needs about 30.
 */
export const MAX_BODY_PATTERN_PROGRAM_SIZE = 500;

/** The most targets a service may list (Route 53 allows 100 weighted sets per name and type; the
 * flip request carries each target's evidence, which must fit Lambda's 256 KB async payload). */
export const MAX_TARGETS = 10;

/** A target id: lowercase letters, digits and "-", starting with a letter. */
export const TARGET_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Ids that name properties every JavaScript object has: never a target id (state keys on it). */
export const RESERVED_TARGET_IDS: readonly string[] = ['constructor', 'prototype'];

/**
 * @example
 * isTargetId('eu-west'); // true
 * isTargetId('constructor'); // false
 */
export function isTargetId(value: string): boolean {
  return TARGET_ID_PATTERN.test(value) && !RESERVED_TARGET_IDS.includes(value);
}
