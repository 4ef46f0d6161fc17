/**
 * Hostile invocation payloads for the failover and failback functions: random JSON, oversized
 * strings and arrays (past Lambda's 256 KiB async limit), wrong types, and prototype-pollution
 * keys at the top and deep inside. Payloads are built as JSON text and parsed, as Lambda does,
 * so `__proto__` arrives as an own key, never as a prototype.
 */
import fc from 'fast-check';

/** Over the 256 KiB async-invoke limit. */
export const OVERSIZED = 300 * 1024;

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];
const POLLUTION_VALUES: readonly unknown[] = [
  { polluted: true, force: true },
  { prototype: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  'polluted',
];

const goodCheck = { check: 'http GET https://p/health', ok: false, latencyMs: 3000, reason: 'timeout' };

/** A request that would be valid for `service`: the base the other families break. */
function baseRequest(service: string): Record<string, unknown> {
  return {
    service,
    epoch: 3,
    reason: 'primary down for 3 rounds',
    evidence: { primary: [goodCheck], secondary: [{ ...goodCheck, ok: true, reason: 'status 200' }] },
  };
}

/** Places `key: value` (as JSON text, so `__proto__` stays an own key) at one of the request's objects. */
function withKeyAt(service: string, where: number, key: string, value: unknown): unknown {
  const base = JSON.stringify(baseRequest(service));
  const injected = `${JSON.stringify(key)}:${JSON.stringify(value)},`;
  // The openings of the top-level object, `evidence`, and the first check of each target.
  const openings = [0, base.indexOf('{', base.indexOf('"evidence"')), base.indexOf('[{') + 1];
  openings.push(base.indexOf('[{', openings[2]) + 1);
  const at = openings[where % openings.length] ?? 0;
  return JSON.parse(`${base.slice(0, at + 1)}${injected}${base.slice(at + 1)}`);
}

/** Prototype-pollution keys at the top level and nested inside `evidence`. */
export function pollutionPayload(service: string): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.nat(3), fc.constantFrom(...POLLUTION_KEYS), fc.constantFrom(...POLLUTION_VALUES))
    .map(([where, key, value]) => withKeyAt(service, where, key, value));
}

/** Strings and arrays past 256 KiB in every field, and one enormous unknown key. */
export function oversizedPayload(service: string): fc.Arbitrary<unknown> {
  const big = 'x'.repeat(OVERSIZED);
  const manyChecks = Array.from({ length: Math.ceil(OVERSIZED / 60) }, () => goodCheck);
  return fc.constantFrom<unknown>(
    { service: big },
    { ...baseRequest(service), reason: big },
    { ...baseRequest(service), requestedBy: big },
    { ...baseRequest(service), evidence: { primary: manyChecks, secondary: [] } },
    { ...baseRequest(service), evidence: { primary: [{ ...goodCheck, reason: big }], secondary: [] } },
    { ...baseRequest(service), [big]: true },
    { ...baseRequest(service), notes: Array.from({ length: OVERSIZED / 4 }, (_, i) => i) },
    Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`field-${i}`, i])),
    Array.from({ length: OVERSIZED / 8 }, () => baseRequest(service)),
    big,
  );
}

/** The right fields with the wrong types or out of range. */
export function wrongTypePayload(service: string): fc.Arbitrary<unknown> {
  const field = fc.constantFrom('service', 'reason', 'requestedBy', 'epoch', 'dryRun', 'force', 'evidence');
  const value = fc.oneof(
    fc.constantFrom<unknown>(null, -1, 1.5, 2 ** 60, 'true', 1, [], {}, [service], { service }, ''),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc.tuple(field, value).chain(([name, bad]) => {
    const request = { ...baseRequest(service), [name]: bad };
    return fc.constant(JSON.parse(JSON.stringify(request)) as unknown);
  });
}

/** Any JSON at all, parsed from its text. */
export const randomJsonPayload: fc.Arbitrary<unknown> = fc
  .json({ maxDepth: 4 })
  .map((text) => JSON.parse(text) as unknown);

/** Every family, for a deployment whose only service is `service`. */
export function hostilePayload(service: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    pollutionPayload(service),
    { arbitrary: oversizedPayload(service), weight: 1 },
    wrongTypePayload(service),
    randomJsonPayload,
  );
}
