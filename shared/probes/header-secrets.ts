/**
 * Header values written as `${ssm:/path}` (tokens that must stay out of the deployment) are read
 * before a round through the caller's secret lookup, which caches each parameter per cold start.
 * Messages name the header and the parameter path, never a value.
 */
import type { Check, HttpCheck, SsmRef } from '../domain/config.ts';

/** Reads one SSM parameter (the notifiers' cached resolver, shared per cold start). */
export type SecretLookup = (ref: SsmRef) => Promise<string>;

/** Per check: its headers with every value written out, or why they could not be read. */
export type ReadHeaders =
  | { readonly headers: Readonly<Record<string, string>> }
  | { readonly problem: string };

/** True when some header of the check comes from SSM. */
export function hasSecretHeaders(check: Check): check is HttpCheck {
  return check.kind === 'http' && Object.values(check.headers).some((value) => typeof value !== 'string');
}

/**
 * Reads the SSM header values of every check that has some, each parameter once, all at once.
 * Checks without SSM headers are not in the result: their headers are already written out.
 *
 * @example
 * const read = await readSecretHeaders(checks, (ref) => secrets.resolve(ref));
 * const entry = read.get(check); // { headers: { 'X-Health-Token': '…' } } or { problem: 'header X-Health-Token: …' }
 */
export async function readSecretHeaders(
  checks: readonly Check[],
  lookup: SecretLookup | undefined,
): Promise<ReadonlyMap<Check, ReadHeaders>> {
  const withSecrets = [...new Set(checks.filter(hasSecretHeaders))];
  const read = new Map<Check, ReadHeaders>();
  await Promise.all(
    withSecrets.map(async (check) => {
      read.set(check, await readHeaders(check, lookup));
    }),
  );
  return read;
}

async function readHeaders(check: HttpCheck, lookup: SecretLookup | undefined): Promise<ReadHeaders> {
  const entries = await Promise.all(
    Object.entries(check.headers).map(async ([name, value]): Promise<[string, string] | string> => {
      if (typeof value === 'string') return [name, value];
      if (lookup === undefined) {
        return `header ${name}: comes from SSM parameter ${value.path}, but this prober was built without a secret lookup`;
      }
      try {
        return [name, await lookup(value)];
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return `header ${name}: ${reason}`;
      }
    }),
  );
  const problems = entries.filter((entry) => typeof entry === 'string');
  if (problems.length > 0) return { problem: problems.join('; ') };
  return { headers: Object.fromEntries(entries.filter((entry) => typeof entry !== 'string')) };
}
