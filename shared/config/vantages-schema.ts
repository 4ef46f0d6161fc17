/**
 * `vantages:` — where the watchdog runs and how many of those places must agree (issue #11).
 *
 *   vantages:
 *     regions: [us-east-1, us-east-2, us-west-2]   # one watchdog per region
 *     quorum: 2                                    # default: a majority
 *     canary: { url: https://checkip.amazonaws.com/ }
 */
import { z } from 'zod';
import type { VantagesConfig } from '../domain/config.ts';
import { http } from './check-schema.ts';
import { type Interpretation, text, wholeNumber } from './fields.ts';
import { describeValue } from './wording.ts';

/** At most this many vantages: each is a deployment with its own schedule and costs. */
export const MAX_VANTAGES = 5;

/** An AWS region name such as `us-east-1` or `us-gov-west-1`: it names the vantage everywhere. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function regionName(value: string): Interpretation<string> {
  return REGION.test(value)
    ? { value }
    : { problem: `must be an AWS region name such as us-east-1, got ${describeValue(value)}` };
}

/** The smallest majority of `count` vantages. */
export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

export const vantages = z
  .strictObject({
    regions: z
      .array(text(regionName), {
        error: (issue) => `must be a list of AWS region names, got ${describeValue(issue.input)}`,
      })
      .min(2, { error: 'must list at least two regions: one vantage decides alone without `vantages`' })
      .max(MAX_VANTAGES, { error: `must list at most ${MAX_VANTAGES} regions` })
      .refine((regions) => new Set(regions).size === regions.length, {
        error: 'must not list a region twice',
      }),
    quorum: wholeNumber(1, MAX_VANTAGES).optional(),
    canary: http.optional(),
  })
  .superRefine((entry, context) => {
    const needed = majorityOf(entry.regions.length);
    if (entry.quorum === undefined) return;
    if (entry.quorum < needed || entry.quorum > entry.regions.length) {
      context.addIssue({
        code: 'custom',
        path: ['quorum'],
        input: entry.quorum,
        message:
          `must be a majority of the ${entry.regions.length} regions (${needed} to ${entry.regions.length}), got ${entry.quorum}: ` +
          'two smaller groups could each reach a quorum and disagree',
      });
    }
  })
  .transform(
    (entry): VantagesConfig => ({
      regions: entry.regions,
      quorum: entry.quorum ?? majorityOf(entry.regions.length),
      canary: entry.canary === undefined ? null : { kind: 'http', ...entry.canary },
    }),
  );
