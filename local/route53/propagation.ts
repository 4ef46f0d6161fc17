/**
 * How long a change stays PENDING before it is INSYNC: the local Route 53's model of propagation to
 * the authoritative name servers. Three kinds:
 *
 * - `instant`: INSYNC at once. Local only: no deployment sees this.
 * - `fixed`: every change PENDING for the same number of milliseconds (tests, and `--propagation 5000`).
 * - `realistic`: a delay drawn per change from a log-normal distribution with median 30 s and
 *   90th percentile 60 s, kept within 5 s .. 300 s.
 *
 * What the realistic model rests on (see local/route53/README.md, "Propagation", for the sources):
 * AWS documents that changes "generally propagate to all Route 53 name servers within 60 seconds"
 * (Developer Guide, editing records; API reference, ChangeResourceRecordSets) and that GetChange
 * reports PENDING until then and INSYNC after (API reference, GetChange). AWS publishes no
 * distribution, so the shape is ours: the 60 s figure read as the 90th percentile, a median of 30 s
 * (users report 10-30 s as usual and 40 s to 2 min at times), 5 s as the fastest (the quickest
 * report found) and 300 s as the longest (the advice to poll GetChange for up to 5 minutes). A
 * log-normal is the usual shape of a latency with a long right tail.
 */

/** A propagation model the server takes (`startLocalRoute53({ propagation })`). */
export type Propagation =
  | { readonly kind: 'instant' }
  | { readonly kind: 'fixed'; readonly delayMs: number }
  | { readonly kind: 'realistic'; readonly random?: () => number };

/** The realistic model's parameters, in milliseconds. */
export const REALISTIC = {
  medianMs: 30_000,
  p90Ms: 60_000,
  minMs: 5_000,
  maxMs: 300_000,
} as const;

/** The largest fixed delay `parsePropagation` accepts: 10 minutes, twice the longest realistic draw. */
export const MAX_FIXED_DELAY_MS = 600_000;

/** z of the 90th percentile of the standard normal distribution. */
const Z90 = 1.2815515655446004;
const SIGMA = Math.log(REALISTIC.p90Ms / REALISTIC.medianMs) / Z90;

/** Thrown for a propagation option that is not `instant`, `realistic` or a number of milliseconds. */
export class PropagationOptionError extends Error {
  override readonly name = 'PropagationOptionError';
}

/**
 * Reads `instant`, `realistic` or a whole number of milliseconds (0 .. 600000), as the command
 * line options give it. `where` names the option in the error (`--propagation`).
 *
 * @example
 * parsePropagation('realistic', '--propagation'); // { kind: 'realistic' }
 * parsePropagation('2500', '--propagation'); // { kind: 'fixed', delayMs: 2500 }
 */
export function parsePropagation(text: string, where: string): Propagation {
  const value = text.trim().toLowerCase();
  if (value === 'instant') return { kind: 'instant' };
  if (value === 'realistic') return { kind: 'realistic' };
  const ms = Number(value);
  if (value !== '' && Number.isInteger(ms) && ms >= 0 && ms <= MAX_FIXED_DELAY_MS) {
    return ms === 0 ? { kind: 'instant' } : { kind: 'fixed', delayMs: ms };
  }
  throw new PropagationOptionError(
    `${where} must be instant, realistic or a whole number of milliseconds 0..${MAX_FIXED_DELAY_MS}, got '${text}'`,
  );
}

/**
 * Draws the PENDING time of one change, in milliseconds.
 *
 * @example
 * propagationDelay({ kind: 'fixed', delayMs: 500 }); // 500
 * propagationDelay({ kind: 'realistic', random: () => 0.5 }); // about 30000 (the median)
 */
export function propagationDelay(propagation: Propagation): number {
  switch (propagation.kind) {
    case 'instant':
      return 0;
    case 'fixed':
      return propagation.delayMs;
    case 'realistic': {
      const z = normalQuantile(propagation.random ?? Math.random);
      const ms = REALISTIC.medianMs * Math.exp(SIGMA * z);
      return Math.round(Math.min(REALISTIC.maxMs, Math.max(REALISTIC.minMs, ms)));
    }
  }
}

/**
 * One line for people: what the model is and whether any deployment will see it.
 *
 * @example
 * describePropagation({ kind: 'instant' }); // 'instant: every change INSYNC at once (local only; ...)'
 */
export function describePropagation(propagation: Propagation): string {
  switch (propagation.kind) {
    case 'instant':
      return 'instant: every change INSYNC at once (local only: on AWS a change typically takes up to 60 s)';
    case 'fixed':
      return `fixed: every change PENDING for ${propagation.delayMs} ms, then INSYNC`;
    case 'realistic':
      return `realistic: each change PENDING for a delay drawn like Route 53's (median ${REALISTIC.medianMs / 1000} s, 90% within ${REALISTIC.p90Ms / 1000} s, ${REALISTIC.minMs / 1000}..${REALISTIC.maxMs / 1000} s)`;
  }
}

/**
 * The standard normal quantile of one uniform roll, by the rational approximation of Abramowitz
 * and Stegun 26.2.23 (absolute error under 4.5e-4): enough for a model whose parameters are
 * estimates. A roll of exactly 0 or 1 is nudged inside (0, 1).
 */
function normalQuantile(random: () => number): number {
  const p = Math.min(1 - 1e-9, Math.max(1e-9, random()));
  const tail = p < 0.5 ? p : 1 - p;
  const t = Math.sqrt(-2 * Math.log(tail));
  const z =
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
  return p < 0.5 ? -z : z;
}
