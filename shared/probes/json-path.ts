/**
 * A dotted path into a parsed JSON document: `status`, `checks.db.ok`, `items[0].state`, `[2].id`.
 * Keys are separated by `.`; `[n]` indexes an array. Keys containing `.`, `[` or `]` cannot be named.
 */
export type JsonPathStep = string | number;

export type JsonLookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const SEGMENT = /^([^.[\]]*)((?:\[\d+\])*)$/;

/** Splits a path into keys and indexes; null when the path is not well formed. */
export function parseJsonPath(path: string): JsonPathStep[] | null {
  const steps: JsonPathStep[] = [];
  for (const [position, segment] of path.split('.').entries()) {
    const match = SEGMENT.exec(segment);
    const key = match?.[1] ?? '';
    const indexes = match?.[2] ?? '';
    // Only the first segment may be a bare index (`[0].id`); `a..b` and `a.[0]` are typos.
    if (!match || (key === '' && (position > 0 || indexes === ''))) return null;
    if (key !== '') steps.push(key);
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/** Follows `steps` through `document`; a missing key or an out-of-range index is `found: false`. */
export function readJsonPath(document: unknown, steps: readonly JsonPathStep[]): JsonLookup {
  let current: unknown = document;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { found: false };
      current = current[step];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, step)) return { found: false };
      current = current[step];
    }
  }
  return { found: true, value: current };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
